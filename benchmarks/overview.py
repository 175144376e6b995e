"""The pinned overview: QPainter cards against a pyqtgraph plot per card, in the same run.

Why the overview paints its cards itself: the same small multiple made the way the race view is
made (a ``PlotWidget`` with one ``BarGraphItem`` and a dashed ``InfiniteLine``, updated in place
with ``setOpts``/``setValue``) is the baseline. For 5, 50 and 200 cards: the time to create them
and lay them out, and the time to apply a new version to every card and repaint the grid (what
each version costs the GUI thread while races are pinned). Cards show real contests of Georgia's
2020 general (its Clarity summary, 298 contests); a "new version" gives each card the next
contest's numbers, so every bar, label and line moves. The cards scroll (a grab paints the ones in
view); the baseline's grid squeezes every plot into the same 1200×600, as a grid of plots would:
with 5 cards (one row, all in view) the two paint the same thing.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from benchmarks.common import print_table
from tracker import paths

GA_SUMMARY = Path("clarity") / "wapo-elex-clarity_GA_105369_v271066_summary.json"
COUNTS = (5, 50, 200)
RUNS = 7


def _ga_summary():
    from tracker.feeds.registry import parse_payload

    shared = paths.shared_data_dir()
    if shared is None:
        raise SystemExit("the shared data folder is missing (../shared/data)")
    path = shared / GA_SUMMARY
    return parse_payload(path.read_bytes(), "auto", source=str(path))


def _median(fn, runs: int = RUNS) -> float:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


class _PlotCards:
    """The baseline: one pyqtgraph plot per card, items created once and updated in place."""

    def __init__(self, count: int) -> None:
        import pyqtgraph as pg
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

        from tracker.ui.race_card import TOP_N

        self.widget = QWidget()
        grid = QGridLayout(self.widget)
        self.items = []
        for i in range(count):
            cell = QWidget()
            box = QVBoxLayout(cell)
            title = QLabel()
            plot = pg.PlotWidget(background="w")
            plot.setMouseEnabled(x=False, y=False)
            plot.hideButtons()
            plot.getViewBox().invertY(True)
            plot.setXRange(0, 100, padding=0)
            plot.setYRange(-0.5, TOP_N - 0.5, padding=0)
            bars = pg.BarGraphItem(x0=[0] * TOP_N, y=list(range(TOP_N)), width=[0] * TOP_N, height=0.7)
            line = pg.InfiniteLine(pos=50, angle=90, pen=pg.mkPen("k", style=Qt.PenStyle.DashLine))
            plot.addItem(bars)
            plot.addItem(line)
            footer = QLabel()
            box.addWidget(title)
            box.addWidget(plot)
            box.addWidget(footer)
            grid.addWidget(cell, i // 5, i % 5)
            self.items.append((title, bars, line, footer, plot))

    def show(self, contests) -> None:
        import pyqtgraph as pg

        from tracker.ui.race_card import card_data

        for (title, bars, line, footer, plot), contest in zip(self.items, contests, strict=False):
            data = card_data(contest, contest.id)
            title.setText(data.title)
            bars.setOpts(
                width=[b.share for b in data.bars],
                y=list(range(len(data.bars))),
                x0=[0] * len(data.bars),
                brushes=[pg.mkBrush(b.colour()) for b in data.bars],
            )
            line.setValue(data.line or 50)
            footer.setText(data.footer)
            plot.getAxis("left").setTicks([[(i, b.name) for i, b in enumerate(data.bars)]])


def _measure(app, summary, contests, count: int) -> list[list[str]]:
    from dataclasses import replace

    from tracker.core.model import Snapshot
    from tracker.ui.overview import PinnedOverview

    first = [contests[i % len(contests)] for i in range(count)]
    ids = [f"{c.id}#{i}" for i, c in enumerate(first)]  # unique even when the races repeat
    first = [replace(c, id=cid) for c, cid in zip(first, ids, strict=True)]
    # Built, not a real version: each card given the next race's numbers (same ids and names).
    second = [replace(contests[(i + 1) % len(contests)], id=c.id, name=c.name) for i, c in enumerate(first)]
    versions = [Snapshot(summary.election, tuple(first)), Snapshot(summary.election, tuple(second))]

    def make_ours() -> PinnedOverview:
        overview = PinnedOverview()
        overview.resize(1200, 600)
        overview.set_snapshot(versions[0])
        overview.set_pins(ids)
        overview.grab()
        app.processEvents()
        return overview

    def make_plots() -> _PlotCards:
        plots = _PlotCards(count)
        plots.widget.resize(1200, 600)
        plots.show(first)
        plots.widget.grab()
        app.processEvents()
        return plots

    create_ours = _median(make_ours, 3)
    create_plots = _median(make_plots, 3)
    ours, plots = make_ours(), make_plots()
    flip = [0]

    def update_ours() -> None:
        flip[0] ^= 1
        ours.set_snapshot(versions[flip[0]])
        ours.grab()

    def update_plots() -> None:
        flip[0] ^= 1
        plots.show(versions[flip[0]].contests)
        plots.widget.grab()

    upd_ours = _median(update_ours)
    upd_plots = _median(update_plots)
    ours.deleteLater()
    plots.widget.deleteLater()
    app.processEvents()
    return [
        [f"{count} cards: {what}", f"{base * 1000:.1f}", f"{mine * 1000:.1f}", f"{mine / base:.2f}×"]
        for what, base, mine in (
            ("create + lay out + paint", create_plots, create_ours),
            ("a new version, every card repainted", upd_plots, upd_ours),
        )
    ]


def main() -> None:
    from tracker.ui.app import application

    app = application()
    summary = _ga_summary()
    contests = [c for c in summary.contests if len(c.candidates) >= 2]
    rows = [row for count in COUNTS for row in _measure(app, summary, contests, count)]
    print_table(
        "Pinned overview: QPainter cards vs a pyqtgraph plot per card (baseline), offscreen, median ms",
        ["measure", "pyqtgraph (baseline)", "QPainter cards", "ratio"],
        rows,
    )


if __name__ == "__main__":
    main()
