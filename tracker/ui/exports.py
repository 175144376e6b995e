"""File ▸ Export: the race on screen as CSV (per unit and vote type), and as a PNG or SVG picture.

What is on screen is captured on the GUI thread (the rows are the drill-down's, the picture is the
race panel drawn into an image or an SVG document in memory); the file is written by the worker
(``Worker.run_task``), so a slow disk never freezes the window. Every export says where its numbers
come from: the CSV in its ``#`` header lines, a picture in a caption under the race (and, for a
reconstructed or test night, the banner the window shows above it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyqtgraph as pg
from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QObject,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    QSize,
    QSizeF,
    Qt,
)
from PySide6.QtGui import QAction, QFont, QFontMetrics, QImage, QKeySequence, QPainter, QRegion
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QDockWidget, QFileDialog, QLabel, QWidget

from tracker.core.export import (
    ContestRows,
    Level,
    Provenance,
    contest_rows,
    provenance_lines,
    write_contest_csv,
)
from tracker.core.model import Contest, Snapshot
from tracker.core.words import count
from tracker.ui.last_folder import remember, start_path
from tracker.ui.publication import GAP, wrap_caption
from tracker.ui.race_view import RaceView
from tracker.ui.theme import ChartTheme, current_theme
from tracker.ui.workers import NightInfo, Worker


class _Window(Protocol):
    """What the exports read from the main window (its public, read-only properties)."""

    @property
    def snapshot(self) -> Snapshot | None: ...
    @property
    def shown_version(self) -> int | None: ...
    @property
    def night(self) -> NightInfo | None: ...
    @property
    def selected_contest(self) -> str | None: ...
    @property
    def race_view(self) -> RaceView: ...
    @property
    def banner(self) -> QLabel: ...
    @property
    def test_banner(self) -> QLabel: ...


@dataclass(frozen=True)
class RaceOnScreen:
    """The race the window shows, and where its numbers come from."""

    snapshot: Snapshot
    contest: Contest
    provenance: Provenance

    def caption(self) -> list[str]:
        """Short provenance for under a picture: the race, the night and its kind, the version."""
        p = self.provenance
        election = self.snapshot.election
        kind = "reconstructed night" if (p.night_kind == "reconstructed" or election.reconstructed) else ""
        kind = kind or f"{p.night_kind} night"
        test = " · TEST DATA, not real results" if election.test else ""
        lines = [f"{self.contest.name} — {p.night_label} ({kind}){test}"]
        when = ""
        if p.untimed:
            when = " (the files have no times)"
        elif p.version_time is not None:
            local = p.version_time.astimezone(p.timezone) if p.timezone else p.version_time
            when = f", {local:%Y-%m-%d %H:%M} {local.tzname() or ''}".rstrip()
        if p.version_index is not None and p.version_count is not None:
            lines.append(f"Version {p.version_index + 1} of {p.version_count}{when} · Election Night Tracker")
        return lines


def race_on_screen(window: _Window) -> RaceOnScreen | None:
    """The race on screen, or None when there is none (no night, no version yet, no race)."""
    snapshot, info, shown, cid = window.snapshot, window.night, window.shown_version, window.selected_contest
    if snapshot is None or info is None or shown is None or cid is None:
        return None
    try:
        contest = snapshot.contest(cid)
    except KeyError:
        return None
    rules = getattr(window, "rule_overrides", None)
    if rules is not None:  # the user's rule for the race travels into its export
        contest = rules.apply(contest)
    prov = Provenance(
        night_label=info.label,
        night_kind=info.kind,
        source=info.feed_url if info.live else str(Path(info.path).resolve()),
        version_index=shown,
        version_count=len(info.versions),
        version_time=info.times[shown],
        timezone=info.timezone,
        untimed=info.untimed,
    )
    return RaceOnScreen(snapshot, contest, prov)


def write_race_csv(race: RaceOnScreen, path: Path, rows: ContestRows | None = None, note: str = "") -> int:
    """The race's CSV (per reporting unit and vote type, with its provenance): worker thread.
    ``rows``: the drill-down's rows as it shows them (its level and filters, named in ``note``)."""
    level = rows.level if rows is not None else Level.UNIT
    rows = rows if rows is not None else contest_rows(race.contest, Level.UNIT)
    header = provenance_lines(race.snapshot, race.contest, race.provenance, level=level)
    if note:
        header = [*header, f"Rows {note}"]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        return write_contest_csv(rows, fh, header=header)


# pictures ------------------------------------------------------------------------------------------
def _layout(widgets: Sequence[QWidget], caption: Sequence[str], font: QFont) -> tuple[QSize, list[int], int]:
    """The picture's size, each widget's top, and the caption's top."""
    width = max((w.width() for w in widgets), default=400)
    tops, y = [], 0
    for w in widgets:
        tops.append(y)
        y += w.height() + GAP
    line = QFontMetrics(font).lineSpacing()
    caption_top = y
    height = y + GAP + line * len(caption) + GAP
    return QSize(width, height), tops, caption_top


def _render_vector(painter: QPainter, widget: QWidget, origin: QPoint) -> None:
    """Draw ``widget`` and its children at ``origin`` as shapes and text. ``QWidget.render`` alone
    would embed each plot as one bitmap; a plot's scene renders item by item instead."""
    if isinstance(widget, pg.GraphicsView):
        target = QRectF(QPointF(origin), QSizeF(widget.size()))
        painter.fillRect(target, widget.backgroundBrush())
        source = widget.mapToScene(widget.viewport().rect()).boundingRect()
        widget.scene().render(painter, target, source)
        return
    widget.render(painter, origin, QRegion(), QWidget.RenderFlag.DrawWindowBackground)  # itself only
    for child in widget.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly):
        if child.isVisibleTo(widget) and not child.isWindow():
            _render_vector(painter, child, origin + child.pos())


def _paint(
    painter: QPainter, widgets: Sequence[QWidget], caption: Sequence[str], font: QFont, *, vector: bool
) -> None:
    size, tops, caption_top = _layout(widgets, caption, font)
    # The widgets' own light or dark colours, so the gaps and the caption match what they draw.
    theme = ChartTheme.from_palette(widgets[0].palette()) if widgets else current_theme()
    painter.fillRect(QRect(QPoint(0, 0), size), theme.background)
    for w, top in zip(widgets, tops, strict=True):
        if vector:
            _render_vector(painter, w, QPoint(0, top))
        else:
            painter.drawPixmap(0, top, w.grab())
    painter.setFont(font)
    painter.setPen(theme.muted)
    line = QFontMetrics(font).lineSpacing()
    for i, text in enumerate(caption):
        rect = QRect(GAP + 2, caption_top + GAP + i * line, size.width() - 2 * GAP, line)
        painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)


def _caption_width(widgets: Sequence[QWidget]) -> int:
    return max((w.width() for w in widgets), default=400) - 2 * GAP - 4


def race_png(widgets: Sequence[QWidget], caption: Sequence[str], font: QFont) -> QImage:
    """The widgets stacked (as grabbed) with the caption under them (GUI thread)."""
    caption = wrap_caption(caption, font, _caption_width(widgets))
    size, _, _ = _layout(widgets, caption, font)
    image = QImage(size, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    try:
        _paint(painter, widgets, caption, font, vector=False)
    finally:
        painter.end()
    return image


def race_svg(widgets: Sequence[QWidget], caption: Sequence[str], font: QFont, *, title: str) -> bytes:
    """The same picture as an SVG document, in memory (GUI thread; the worker writes it)."""
    dpi = widgets[0].logicalDpiX() if widgets else 96
    caption = wrap_caption(caption, font, _caption_width(widgets))
    size, _, _ = _layout(widgets, caption, font)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(size)
    generator.setViewBox(QRect(QPoint(0, 0), size))
    # The screen's resolution: pyqtgraph's axes replay recorded QPictures, which a device of
    # another resolution (the generator's default is 72 dpi) would rescale out of place.
    generator.setResolution(dpi)
    generator.setTitle(title)
    generator.setDescription("\n".join(caption))
    painter = QPainter(generator)
    try:
        _paint(painter, widgets, caption, font, vector=True)
    finally:
        painter.end()
    buffer.close()
    return bytes(data.data())


def _save_png(image: QImage, path: Path) -> str:
    if not image.save(str(path), "PNG"):
        raise OSError(f"cannot write {path}")
    return str(path)


def _save_bytes(data: bytes, path: Path) -> str:
    Path(path).write_bytes(data)
    return str(path)


class RaceExports(QObject):
    """The File ▸ Export actions for the race on screen."""

    def __init__(self, window: QWidget, worker: Worker) -> None:
        super().__init__(window)
        self._window = window
        self._worker = worker
        self.csv_action = QAction("Race as &CSV…", self)
        self.csv_action.setShortcut(QKeySequence("Ctrl+E"))
        self.csv_action.triggered.connect(self.choose_csv)
        self.png_action = QAction("Race view as &PNG…", self)
        self.png_action.setShortcut(QKeySequence("Ctrl+Shift+E"))
        self.png_action.triggered.connect(lambda: self.choose_picture("png"))
        self.svg_action = QAction("Race view as &SVG…", self)
        self.svg_action.setShortcut(QKeySequence("Ctrl+Alt+E"))
        self.svg_action.triggered.connect(lambda: self.choose_picture("svg"))
        #: The pictures' size (File ▸ Export ▸ Picture size); None: the race view as on screen.
        self.picture_size: QSize | None = None

    def actions(self) -> list[QAction]:
        return [self.csv_action, self.png_action, self.svg_action]

    # what is on screen -------------------------------------------------------------------------------
    def _race(self) -> RaceOnScreen | None:
        race = race_on_screen(self._window)  # type: ignore[arg-type]
        if race is None:
            self._report("There is no race on screen to export yet.")
        return race

    def _widgets(self) -> list[QWidget]:
        """The banners the window shows (reconstructed, test data) and the race view. Not the
        timeline: Qt's SVG writer rounds coordinates to 6 digits, and the timeline's x axis is in
        epoch seconds (1.49e9), so its curves would come out as flat lines."""
        w: _Window = self._window  # type: ignore[assignment]
        banners = [b for b in (w.test_banner, w.banner) if b.isVisibleTo(self._window)]
        return [*banners, w.race_view]

    def _drilldown_rows(self, race: RaceOnScreen) -> tuple[ContestRows | None, str]:
        """While the drill-down is open on this race: its rows as shown (level and filters)."""
        dock = self._window.findChild(QDockWidget, "drillDownDock")  # type: ignore[union-attr]
        shown = getattr(dock, "shown_rows", None)
        if dock is None or dock.isHidden() or shown is None:
            return None, ""
        rows, note = shown()
        if rows is None or rows.contest_id != race.contest.id:
            return None, ""
        return rows, note

    def _default_name(self, race: RaceOnScreen, suffix: str) -> str:
        stem = "".join(ch if ch.isalnum() else "-" for ch in race.contest.name).strip("-").lower()
        stem = "-".join(p for p in stem.split("-") if p)[:60] or "race"
        time = ""
        if race.provenance.version_time is not None:
            local = race.provenance.version_time.astimezone(race.provenance.timezone)
            time = f"-{local:%H%M}"
        return f"{stem}{time}.{suffix}"

    # exports -----------------------------------------------------------------------------------------
    def choose_csv(self) -> None:
        race = self._race()
        if race is None:
            return
        path, _ = QFileDialog.getSaveFileName(
            self._window, "Export race as CSV", start_path(self._default_name(race, "csv")), "CSV (*.csv)"
        )
        if path:
            remember(path)
            self.export_csv(Path(path), race)

    def export_csv(self, path: Path, race: RaceOnScreen | None = None) -> None:
        """Write the race on screen as CSV to ``path`` (in the background)."""
        race = race or self._race()
        if race is None:
            return
        rows, note = self._drilldown_rows(race)
        self._worker.run_task(
            lambda: write_race_csv(race, Path(path), rows, note),
            lambda n: self._report(f"Wrote {count(n, 'row')} to {Path(path).name} in {Path(path).parent}"),
            error=f"cannot export the race to {path}",
        )

    def choose_picture(self, fmt: str) -> None:
        race = self._race()
        if race is None:
            return
        kind = fmt.upper()
        path, _ = QFileDialog.getSaveFileName(
            self._window,
            f"Export race view as {kind}",
            start_path(self._default_name(race, fmt)),
            f"{kind} (*.{fmt})",
        )
        if path:
            remember(path)
            self.export_picture(Path(path), fmt, race)

    def export_picture(self, path: Path, fmt: str, race: RaceOnScreen | None = None) -> None:
        """Draw the race panel as ``fmt`` ("png" or "svg") now and write it to ``path`` in the
        background."""
        race = race or self._race()
        if race is None:
            return
        caption = race.caption()
        font = QFont(self._window.font())
        if self.picture_size is not None:  # File ▸ Export ▸ Picture size, whatever the docks do
            from tracker.ui.publication import sized_widgets

            widgets = sized_widgets(self._window, self.picture_size, caption, font)  # type: ignore[arg-type]
        else:
            widgets = self._widgets()
        if fmt == "png":
            image = race_png(widgets, caption, font)
            self._worker.run_task(
                lambda: _save_png(image, Path(path)),
                lambda _p: self._report(f"Wrote {Path(path).name} in {Path(path).parent}"),
                error=f"cannot export the race view to {path}",
            )
        elif fmt == "svg":
            data = race_svg(widgets, caption, font, title=race.contest.name)
            self._worker.run_task(
                lambda: _save_bytes(data, Path(path)),
                lambda _p: self._report(f"Wrote {Path(path).name} in {Path(path).parent}"),
                error=f"cannot export the race view to {path}",
            )
        else:
            raise ValueError(f"unknown picture format {fmt!r}")

    def _report(self, message: str) -> None:
        bar = getattr(self._window, "statusBar", None)
        if bar is not None:
            bar().showMessage(message, 8000)


__all__ = ["RaceExports", "RaceOnScreen", "race_on_screen", "race_png", "race_svg", "write_race_csv"]
