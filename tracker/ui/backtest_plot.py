"""The backtest's plot: one panel per order, the model's and the naive forecast's mean absolute
error (points) at 10 % … 90 % counted. Drawn with QPainter on a QImage, offscreen (no window, no
matplotlib); the headless ``election-tracker backtest --plot`` sets ``QT_QPA_PLATFORM=offscreen``
when no platform is chosen."""

from __future__ import annotations

import itertools
import os
from collections.abc import Sequence
from pathlib import Path

from tracker.core.backtest import CHECKPOINTS, BacktestResult

MODEL_COLOUR = "#0072B2"
NAIVE_COLOUR = "#E69F00"
TEXT_COLOUR = "#1F2328"
GRID_COLOUR = "#EAEEF2"


def render_backtest(results: Sequence[BacktestResult], out: Path, *, width: int = 1200) -> None:
    """One row of panels per night (``results``), one panel per order; saved as PNG at ``out``."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QPointF, QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
    from PySide6.QtWidgets import QApplication

    # A QApplication (not just a QGuiApplication): the process may go on to make widgets.
    app = QApplication.instance() or QApplication([])
    assert app is not None
    orders = list(dict.fromkeys(o for r in results for o in r.summary))
    cols = max(len(orders), 1)
    panel_w = (width - 40) / cols
    panel_h = 230
    top = 40
    height = int(top + len(results) * (panel_h + 20) + 10)
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(QColor("#FFFFFF"))
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    font = QFont()
    font.setPointSizeF(9)
    p.setFont(font)
    title = QFont(font)
    title.setBold(True)
    p.setPen(QColor(TEXT_COLOUR))
    p.setFont(title)
    p.drawText(
        QRectF(20, 8, width - 40, 24),
        Qt.AlignmentFlag.AlignLeft,
        "Projection backtest: mean abs. error of the winner's final share (points) — "
        "model (blue) vs running share (orange, dashed)",
    )
    for row, result in enumerate(results):
        y0 = top + row * (panel_h + 20)
        p.setFont(title)
        p.setPen(QColor(TEXT_COLOUR))
        p.drawText(
            QRectF(20, y0, width - 40, 18),
            Qt.AlignmentFlag.AlignLeft,
            f"{result.night} — {result.contest_name} — {result.winner} {result.final_share * 100:.2f} %"
            + (" (baseline)" if result.baseline else ""),
        )
        p.setFont(font)
        data = {o: s.to_json() for o, s in result.summary.items()}
        ymax = 1.0
        for js in data.values():
            for key in ("mae_pt", "naive_mae_pt"):
                ymax = max(ymax, *[v for v in js[key].values() if v is not None] or [0])
        ymax = min(ymax, 30.0)
        for col, order in enumerate(orders):
            js = data.get(order)
            x0 = 20 + col * panel_w + 30
            pw = panel_w - 45
            py0 = y0 + 38
            ph = panel_h - 60
            p.setPen(QColor(TEXT_COLOUR))
            cover = "" if not js or js["coverage90"] is None else f" · cov {js['coverage90'] * 100:.0f}%"
            wrong = "" if not js else f" · {js['wrong_calls']} wrong"
            p.drawText(
                QRectF(x0 - 28, y0 + 18, pw + 28, 16), Qt.AlignmentFlag.AlignLeft, f"{order}{cover}{wrong}"
            )
            p.setPen(QPen(QColor(GRID_COLOUR), 1))
            for i in range(5):
                yy = py0 + ph * i / 4
                p.drawLine(QPointF(x0, yy), QPointF(x0 + pw, yy))
            p.setPen(QColor("#57606A"))
            for i in range(5):
                value = ymax * (4 - i) / 4
                p.drawText(
                    QRectF(x0 - 30, py0 + ph * i / 4 - 7, 27, 14), Qt.AlignmentFlag.AlignRight, f"{value:.1f}"
                )
            for i, q in enumerate(CHECKPOINTS):
                if i % 2 == 0:
                    xx = x0 + pw * i / (len(CHECKPOINTS) - 1)
                    label = QRectF(xx - 15, py0 + ph + 2, 30, 14)
                    p.drawText(label, Qt.AlignmentFlag.AlignCenter, f"{q:.0%}")
            if not js:
                continue
            for key, colour, style in (
                ("naive_mae_pt", NAIVE_COLOUR, Qt.PenStyle.DashLine),
                ("mae_pt", MODEL_COLOUR, Qt.PenStyle.SolidLine),
            ):
                pen = QPen(QColor(colour), 2.2, style)
                p.setPen(pen)
                pts = []
                for i, q in enumerate(CHECKPOINTS):
                    v = js[key].get(f"{q:.1f}")
                    if v is None:
                        continue
                    xx = x0 + pw * i / (len(CHECKPOINTS) - 1)
                    yy = py0 + ph * (1 - min(v, ymax) / ymax)
                    pts.append(QPointF(xx, yy))
                for a, b in itertools.pairwise(pts):
                    p.drawLine(a, b)
    p.end()
    if not image.save(str(out), "PNG"):
        from tracker.core.errors import TrackerError

        raise TrackerError(f"cannot write the plot to {out}")
