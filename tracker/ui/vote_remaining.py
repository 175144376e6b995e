"""Race ▸ Where the vote remains: the expected outstanding vote by county (and vote type), with the
leader's share of what each county has counted.

After "who leads", a desk asks "where is the rest, and whose is it?". The numbers are the
expected vote's (``tracker.core.expected_vote``) that the projection rests on, made on the worker
thread with the projection; this dock only shows them. Its own small dock (not the drill-down)
so the window's layout work elsewhere is not disturbed. Every name is plain text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from operator import attrgetter

from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMenu,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from tracker.core.expected_vote import EVIDENCE, ExpectedVote, short_label
from tracker.core.model import Snapshot
from tracker.core.projection import ContestProjection
from tracker.core.words import count
from tracker.core.write_ins import first_named
from tracker.ui.bar_texts import display_name, round_votes

HEADERS = ("County", "Still out (likely)", "By vote type", "Counted", "Leader there", "From")

_TYPE_NAMES = {
    "election_day": "election day",
    "early": "early",
    "mail": "mail",
    "provisional": "provisional",
    "other": "other",
    "total": "",
}


def remaining_rows(expected: ExpectedVote, leader: str) -> list[tuple[str, ...]]:
    """The table's rows as text: one per county with vote still out, most first."""
    rows = []
    for c in expected.counties:
        if c.outstanding <= 0 and c.hi <= 0:
            continue
        spread = f" ({round_votes(c.lo):,}–{round_votes(c.hi):,})" if c.lo != c.hi else ""
        types = ", ".join(
            f"{_TYPE_NAMES.get(t, t)} {round_votes(n):,}".strip()
            for t, n in sorted(c.by_type.items(), key=lambda kv: -kv[1])
            if n > 0 and _TYPE_NAMES.get(t, t)
        )
        share = "—" if c.leader_share is None else f"{leader} {c.leader_share * 100:.1f} %"
        source = EVIDENCE.get(c.source, c.source).format(
            baseline=short_label(expected.baseline) or "baseline"
        )
        rows.append(
            (c.county, f"{round_votes(c.outstanding):,}{spread}", types, f"{c.counted:,}", share, source)
        )
    return rows


def heading(projection: ContestProjection | None) -> str:
    """The line above the table: the total out, its evidence and the baseline."""
    if projection is None or projection.expected is None:
        return "No estimate of the vote still out for this race yet"
    ev = projection.expected
    base = short_label(projection.baseline_label) or "none"
    if ev.outstanding is None:
        return f"Vote still out: not known yet ({ev.evidence}) · baseline {base}"
    o = ev.outstanding
    spread = (
        f"{round_votes(o.lo):,} to at most {round_votes(o.hi):,}: "
        "a county not in yet may be as big as the largest counted"
        if ev.bounded
        else f"likely {round_votes(o.lo):,}–{round_votes(o.hi):,}"
    )
    about = count(round_votes(o.expected), "vote")
    return f"About {about} still out ({spread}), {ev.evidence} · baseline {base}"


class VoteRemainingDock(QDockWidget):
    """The table and its heading; ``refresh`` reads the projection the worker already made."""

    def __init__(
        self,
        current: Callable[[], tuple[Snapshot | None, str | None, Mapping[str, ContestProjection]]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Where the vote remains", parent)
        self.setObjectName("voteRemainingDock")
        self._current = current
        self._heading = QLabel("")
        self._heading.setTextFormat(Qt.TextFormat.PlainText)
        self._heading.setWordWrap(True)
        self._table = QTableWidget(0, len(HEADERS))
        self._table.setHorizontalHeaderLabels(list(HEADERS))
        self._table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self._table.verticalHeader().hide()
        self._table.setAlternatingRowColors(True)
        self._table.setWordWrap(False)
        body = QWidget()
        layout = QVBoxLayout(body)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self._heading)
        layout.addWidget(self._table, 1)
        self.setWidget(body)

    def refresh(self) -> None:
        if self.isHidden():
            return
        snapshot, contest_id, projections = self._current()
        projection = projections.get(contest_id) if contest_id is not None else None
        self._heading.setText(heading(projection))
        rows: list[tuple[str, ...]] = []
        if projection is not None and projection.expected is not None and snapshot is not None:
            ranked = projection.ranked()
            # The leading name, as the core's county shares (a write-in line is never the leader).
            top = first_named(ranked, attrgetter("name")) or (ranked[0] if ranked else None)
            leader = display_name(top.name) if top is not None else ""
            rows = remaining_rows(projection.expected, leader)
        self._table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)  # plain text: a feed's names are data
                if c in (1, 3):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self._table.setItem(r, c, item)
        self._table.resizeColumnsToContents()

    def rows(self) -> list[tuple[str, ...]]:
        """What the table shows (for tests)."""
        return [
            tuple(self._table.item(r, c).text() for c in range(self._table.columnCount()))
            for r in range(self._table.rowCount())
        ]

    def heading_text(self) -> str:
        return self._heading.text()


def install_vote_remaining(
    window: QMainWindow,
    menu: QMenu,
    current: Callable[[], tuple[Snapshot | None, str | None, Mapping[str, ContestProjection]]],
    redrawn: SignalInstance,
) -> Callable[[], VoteRemainingDock]:
    """Race ▸ Where the vote remains (Ctrl+Shift+W): a dock made on first use, following the
    race and the version on screen. Returns the accessor that makes (or gives) the dock."""
    made: list[VoteRemainingDock] = []
    action = QAction("&Where the vote remains", window)
    action.setObjectName("voteRemaining")
    action.setCheckable(True)
    action.setShortcut(QKeySequence("Ctrl+Shift+W"))

    def dock() -> VoteRemainingDock:
        if not made:
            d = VoteRemainingDock(current, window)
            window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, d)
            d.hide()
            d.toggleViewAction().toggled.connect(action.setChecked)
            d.visibilityChanged.connect(lambda on: on and d.refresh())
            redrawn.connect(d.refresh)
            made.append(d)
        return made[0]

    def toggle(checked: bool) -> None:
        d = dock()
        d.setVisible(checked)
        if checked:
            d.refresh()

    action.triggered.connect(toggle)
    menu.addAction(action)
    return dock


__all__ = ["VoteRemainingDock", "heading", "install_vote_remaining", "remaining_rows"]
