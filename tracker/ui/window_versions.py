"""From the replay position to a version on screen: asked of the worker, applied in steps.

Kept apart from :class:`~tracker.ui.main_window.MainWindow`, which mixes :class:`VersionDisplay`
in, because this is the window's hot path and its stale-result rules (docs/architecture.md): only
the newest request is answered, and a version is applied in three turns of the event loop (race
list and status; the list's "changed" column; race view and timeline), so a statewide feed's
4,000 races never hold the GUI thread all at once, a newer version or night arriving in between
drops the rest, and the night thread waits while the window draws (issue 21).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

if TYPE_CHECKING:
    import datetime as dt

    from PySide6.QtCore import SignalInstance
    from PySide6.QtWidgets import QLabel, QMainWindow

    from tracker.archive.replay import Timeline
    from tracker.core.model import Snapshot
    from tracker.ui.feed_status import FeedStatus
    from tracker.ui.race_list import RaceListModel
    from tracker.ui.race_view import RaceView
    from tracker.ui.rule_override import RuleOverrides
    from tracker.ui.timeline import TimelineView
    from tracker.ui.workers import NightInfo, Worker

if TYPE_CHECKING:  # a part of the window: type-checked as one, a plain mixin at run time
    _Base = QMainWindow
else:
    _Base = object

#: A version is applied in steps, each in its own turn of the event loop this long after the last.
APPLY_STEP_MS = 1


def untimed(info: NightInfo) -> bool:
    """Whether the night's versions have no times of their own (imported in file order, placed
    one minute apart from 2000-01-01 by ``tracker.archive.importer``): the window must not show
    those made-up times as a clock."""
    return info.untimed


class VersionDisplay(_Base):
    """The version-display part of :class:`~tracker.ui.main_window.MainWindow`, mixed into it."""

    #: What the window holds, read or set here.
    drawn: SignalInstance
    _worker: Worker
    _info: NightInfo | None
    _timeline: Timeline | None
    _snapshot: Snapshot | None
    _requested: int | None
    _shown: int | None
    _applying: int
    _status_clock: QLabel
    _status_version: QLabel
    _feed_status: FeedStatus
    _race_view: RaceView
    _timeline_view: TimelineView
    _model: RaceListModel
    _rules: RuleOverrides

    if TYPE_CHECKING:

        def display_timezone(self, info: NightInfo | None = None) -> dt.tzinfo: ...

        def _show_test_label(self, snapshot: Snapshot) -> None: ...

        def _show_reconstructed_label(self, snapshot: Snapshot) -> None: ...

        def _sync_selection(self) -> None: ...

        def _show_selected(self) -> None: ...

    def _on_position(self, when: dt.datetime) -> None:
        info, timeline = self._info, self._timeline
        if info is None or timeline is None:
            return
        local = when.astimezone(self.display_timezone(info))
        if untimed(info):  # files with no time of their own, put one minute apart from 2000-01-01
            self._status_clock.setText("no times in the files: in file order")
        else:
            self._status_clock.setText(f"{local:%H:%M} {local.tzname() or ''}".strip())
        if info.live:
            self._feed_status.set_following(when >= timeline[len(timeline) - 1])
        index = timeline.index_at(when)
        if index is None:
            self._requested = self._shown = None
            first = timeline[0].astimezone(self.display_timezone(info))
            self._race_view.show_contest(
                None, message=f"No results yet at {local:%H:%M} — the first update came at {first:%H:%M}"
            )
            self._status_version.setText(
                "before the only version"
                if len(timeline) == 1
                else f"before the first of {len(timeline):,} versions"
            )
            self._timeline_view.set_history([], None)
            self.drawn.emit()
            return
        if index != self._requested:
            self._requested = index
            self._worker.request_snapshot(index)

    def _on_snapshot(self, index: int, snapshot: Snapshot) -> None:
        if index != self._requested or self._timeline is None:
            return
        self._applying += 1
        self._status_version.setText(f"version {index + 1} of {len(self._timeline)}")
        self._show_test_label(snapshot)
        self._show_reconstructed_label(snapshot)
        self._rules.follow(snapshot.election.id)
        self._model.set_snapshot(snapshot, self._rules.facts(snapshot, self._worker.race_facts(snapshot)))
        # The rest in later turns of the event loop: with a statewide feed's 4,000 races each step
        # holds the GUI thread tens of milliseconds, all three together ~100 ms, in which no timer,
        # key or paint would run (issue 21). A newer version (or night) arriving meanwhile wins.
        # The window's snapshot and shown version change with the last step, as it is drawn.
        # Meanwhile the night thread waits (``hold_display``): the timeline's history it reads
        # next would otherwise share the interpreter with these steps and double their time.
        token = self._applying
        self._worker.hold_display()
        self._next_step(lambda: self._apply_rest(token, index, snapshot, 0))

    def _apply_rest(self, token: int, index: int, snapshot: Snapshot, step: int) -> None:
        """Step ``step`` (0: the "changed" column; 1: the race view and timeline) of applying
        version ``index``; every chain of steps ends by releasing the display it held."""
        if token != self._applying or index != self._requested or self._timeline is None:
            self._worker.release_display()
            return
        if step == 0:
            info = self._info
            if info is not None:  # the list's "changed" column (``_update_last_changes``) for this version
                self._model.follow_history(
                    self._worker.fingerprints(), index, info.times, info.timezone, untimed=untimed(info)
                )
            self._next_step(lambda: self._apply_rest(token, index, snapshot, 1))
            return
        self._snapshot = snapshot
        self._shown = index
        try:
            self._sync_selection()
            self._show_selected()
        finally:
            self._worker.release_display()
        self.drawn.emit()

    def _next_step(self, step: Callable[[], None]) -> None:
        """Run ``step`` in a later turn of the event loop, after the timers, input and paints that
        are due: as a timer (1 ms), not a queued call, which Qt runs before checking for those,
        so two steps would run back to back (issue 21)."""
        QTimer.singleShot(APPLY_STEP_MS, self, step)
