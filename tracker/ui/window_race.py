"""The race on screen: choosing it, showing it with its projection and timeline, pinning it.

Kept apart from :class:`~tracker.ui.main_window.MainWindow`, which mixes :class:`RaceSelection`
in, because it is what follows the user's choice of race: the row selected in the list (kept
through a model reset), the race view with the worker's estimate and projection under the user's
rule, the timeline of the night so far, the list's "changed" column, and pins written through the
worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt

from tracker.ui.race_list import COL_NAME, COL_PIN, ContestIdRole
from tracker.ui.timeline import TimelinePoint, counting_span
from tracker.ui.window_versions import untimed

if TYPE_CHECKING:
    from collections.abc import Mapping

    from PySide6.QtCore import SignalInstance
    from PySide6.QtWidgets import QLineEdit, QMainWindow, QTableView

    from tracker.core.model import Contest, Snapshot
    from tracker.core.projection import ContestProjection
    from tracker.ui.projection_log import ProjectionLogDock
    from tracker.ui.race_filter import RaceFilterProxy
    from tracker.ui.race_list import RaceListModel
    from tracker.ui.race_view import RaceView
    from tracker.ui.rule_override import RuleOverrides
    from tracker.ui.timeline import TimelineView
    from tracker.ui.workers import NightInfo, Worker

if TYPE_CHECKING:  # a part of the window: type-checked as one, a plain mixin at run time
    _Base = QMainWindow
else:
    _Base = object


class RaceSelection(_Base):
    """The race part of :class:`~tracker.ui.main_window.MainWindow`, mixed into it."""

    #: What the window holds, read or set here.
    drawn: SignalInstance
    _worker: Worker
    _info: NightInfo | None
    _snapshot: Snapshot | None
    _shown: int | None
    _contest_id: str | None
    _model: RaceListModel
    _proxy: RaceFilterProxy
    _search: QLineEdit
    _table: QTableView
    _race_view: RaceView
    _timeline_view: TimelineView
    _log_dock: ProjectionLogDock
    _rules: RuleOverrides

    def select_contest(self, contest_id: str) -> None:
        """Show ``contest_id`` and select its row (clearing the search if it hides the row)."""
        self._contest_id = contest_id
        row = self._proxy.proxy_row_of(contest_id)
        if row is None and self._search.text():
            self._search.clear()
            row = self._proxy.proxy_row_of(contest_id)
        if row is not None:
            index = self._proxy.index(row, COL_NAME)
            self._table.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )
            self._table.scrollTo(index)
        self._show_selected()

    def _sync_selection(self) -> None:
        """After a model reset (a version with other races) the table lost its selection: restore it."""
        if self._contest_id is None:
            return
        current = self._table.selectionModel().currentIndex()
        if current.isValid() and current.data(ContestIdRole) == self._contest_id:
            return
        row = self._proxy.proxy_row_of(self._contest_id)
        if row is not None:
            self._table.selectionModel().setCurrentIndex(
                self._proxy.index(row, COL_NAME),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
            )

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        cid = current.data(ContestIdRole)
        if cid is not None and cid != self._contest_id:
            self._contest_id = str(cid)
            self._show_selected()

    def _remaining_inputs(self) -> tuple[Snapshot | None, str | None, Mapping[str, ContestProjection]]:
        """What the "where the vote remains" dock shows: the projections the worker already made."""
        snap = self._snapshot if self._shown is not None else None
        projections = (self._worker.projections(snap) or {}) if snap is not None else {}
        return snap, self._contest_id, projections

    def _on_rules_changed(self) -> None:
        """The user's rules changed: the list's margin and "Over line", the race and the cards
        follow them."""
        snap = self._snapshot
        if snap is not None:
            self._model.set_snapshot(snap, self._rules.facts(snap, self._worker.race_facts(snap)))
        self._show_selected()
        if snap is not None and self._shown is not None:
            self.drawn.emit()

    def _show_selected(self) -> None:
        snap = self._snapshot
        if snap is None:
            return
        if self._contest_id is None:
            self._race_view.show_contest(None, message="Pick a race on the left")
            return
        try:
            contest = self._rules.apply(snap.contest(self._contest_id))
        except KeyError:
            self._race_view.show_contest(None, message="This race is not in the feed at this time")
            return
        estimates = self._worker.estimates(snap) or {}
        projection = self._rules.projection((self._worker.projections(snap) or {}).get(contest.id), contest)
        if contest.id in estimates:
            self._race_view.show_contest(contest, outstanding=estimates[contest.id], projection=projection)
        else:
            self._race_view.show_contest(contest, projection=projection)
        self._update_timeline(contest)

    def _update_last_changes(self) -> None:
        """The race list's "changed" column, from the versions the worker has read so far."""
        info, shown = self._info, self._shown
        if info is not None and shown is not None:
            self._model.follow_history(
                self._worker.fingerprints(), shown, info.times, info.timezone, untimed=untimed(info)
            )

    def _on_history_grew(self, _index: int) -> None:
        """The worker projected the versions the first timeline skipped: redraw the timeline."""
        self._update_last_changes()
        snap = self._snapshot
        if snap is None or self._contest_id is None:
            return
        try:
            contest = self._rules.apply(snap.contest(self._contest_id))
        except KeyError:
            return
        self._update_timeline(contest)

    def _update_timeline(self, contest: Contest) -> None:
        """The night so far for ``contest``: the worker's projections of every version up to the one
        on screen (it makes them with the parse, off this thread)."""
        info, shown = self._info, self._shown
        self._log_dock.set_contest(contest.id)
        if info is None or shown is None:
            self._timeline_view.set_history([], None)
            return
        points = [TimelinePoint(when, p) for when, p in self._worker.history(contest.id, shown)]
        times = info.times
        rule = contest.threshold
        self._timeline_view.set_history(
            points,
            times[shown],
            span=counting_span(times, shown, next((p.when for p in points if p.projection.counted), None)),
            line=rule.share if rule.has_line else None,
            parties={c.id: c.party for c in contest.candidates},
        )

    def _on_clicked(self, index: QModelIndex) -> None:
        if index.column() == COL_PIN:
            self._model.toggle_pin(self._proxy.mapToSource(index).row())

    def focus_search(self) -> None:
        """Ctrl+F: into the search box, its text selected so typing replaces it."""
        self._search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self._search.selectAll()

    def toggle_current_pin(self) -> None:
        if self._contest_id is None:
            return
        row = self._model.row_of(self._contest_id)
        if row is not None:
            self._model.toggle_pin(row)

    def _on_pin_toggled(self, contest_id: str, name: str, pinned: bool) -> None:
        if self._model.election_id:
            self._worker.set_pinned(self._model.election_id, contest_id, pinned, name)
        if self._contest_id is not None:  # the proxy re-sorted: keep the selected row in view
            row = self._proxy.proxy_row_of(self._contest_id)
            if row is not None:
                self._table.scrollTo(self._proxy.index(row, COL_NAME))
