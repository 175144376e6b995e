"""Opening a night in the window: from "open this file" to the night on screen at its moment.

Kept apart from :class:`~tracker.ui.main_window.MainWindow`, which mixes :class:`NightOpening`
in, because a night's arrival resets most of what the window shows: the replay clock (at the time
and speed asked for, a time outside the night clamped to it and the user told), the title and
status bar, the reconstructed banner, the user's rules for this election, the race list and its
pins, and the race opened first (the one asked for, else the first pinned, else the top of the
ballot). Choosing the file (File ▸ Open night…) stays with the window.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tracker.archive.replay import ReplayClock, Timeline
from tracker.core.lookup import find_contests, no_such_contest
from tracker.core.opening import opening_race
from tracker.ui.plain_text import clean, plain_tooltip
from tracker.ui.race_list import COL_PIN, ContestIdRole
from tracker.ui.window_labels import APP_TITLE, reconstructed_banner
from tracker.ui.window_versions import untimed

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Callable

    from PySide6.QtCore import SignalInstance
    from PySide6.QtWidgets import QLabel, QMainWindow

    from tracker.core.model import Snapshot
    from tracker.ui.race_filter import RaceFilterProxy
    from tracker.ui.race_list import RaceListModel
    from tracker.ui.replay_bar import ReplayBar
    from tracker.ui.rule_override import RuleOverrides
    from tracker.ui.timeline import TimelineView
    from tracker.ui.workers import NightInfo, Worker

if TYPE_CHECKING:  # a part of the window: type-checked as one, a plain mixin at run time
    _Base = QMainWindow
else:
    _Base = object

DEFAULT_SPEED = 60.0


class NightOpening(_Base):
    """The night-opening part of :class:`~tracker.ui.main_window.MainWindow`, mixed into it."""

    #: What the window holds, read or set here.
    night_opened: SignalInstance
    _worker: Worker
    _clock_fn: Callable[[], float]
    _interactive: bool
    _pending: dict[str, object]
    opened_with: dict[str, object]
    _info: NightInfo | None
    _timeline: Timeline | None
    _snapshot: Snapshot | None
    _requested: int | None
    _shown: int | None
    _contest_id: str | None
    _status_night: QLabel
    _banner: QLabel
    _model: RaceListModel
    _proxy: RaceFilterProxy
    _rules: RuleOverrides
    _timeline_view: TimelineView
    _replay_bar: ReplayBar

    if TYPE_CHECKING:

        def report_error(self, message: str) -> None: ...

        def select_contest(self, contest_id: str) -> None: ...

        def display_timezone(self, info: NightInfo | None = None) -> dt.tzinfo: ...

        def _set_live(self, info: NightInfo) -> None: ...

    def open_night(
        self,
        path: Path,
        *,
        at: str | None = None,
        at_end: bool = False,
        speed: float | None = None,
        contest: str | None = None,
        started: bool = False,
    ) -> None:
        """Open ``path`` in the background and, once it is read, go to ``at`` ("HH:MM" in the
        night's zone; else its end when ``at_end``, else its start) at ``speed``, showing
        ``contest`` (an id or part of a name; else the first pinned race, else the biggest).
        ``started``: the worker is already opening it (``app.start_window`` asks before this
        window's modules are even imported)."""
        self._pending = {"at": at, "at_end": at_end, "speed": speed, "contest": contest}
        self._status_night.setText(f"Opening {Path(path).name}…")
        if not started:
            self._worker.open_night(Path(path))

    def _on_night_loaded(self, info: NightInfo) -> None:
        pending, self._pending = self._pending, {}
        #: What the opening asked for (``at``, ``speed``, ``contest``…): a night's saved state yields to it.
        self.opened_with = dict(pending)
        self._info = info
        self._snapshot = None
        self._requested = self._shown = None
        times = info.times
        self._timeline = Timeline(times)
        speed = pending.get("speed")
        clock = ReplayClock(times[0], times[-1], clock=self._clock_fn, speed=DEFAULT_SPEED)
        if speed is not None:
            try:
                clock.set_speed(float(speed))  # type: ignore[arg-type]
            except ValueError as exc:
                self.report_error(str(exc))
        at = pending.get("at")
        at_note = ""
        if at:
            from tracker.ui.navigation import clamp_to_night, parse_time_in_night

            try:
                wanted = parse_time_in_night(str(at), clock.start, clock.end, info.timezone, times)
            except ValueError as exc:
                self.report_error(str(exc))
            else:  # a time outside the night is clamped to it, and the user is told (never silently)
                when, at_note = clamp_to_night(wanted, clock.start, clock.end, info.timezone)
                clock.seek(when)
        elif pending.get("at_end"):
            clock.seek(clock.end)

        # The label may carry the reconstruction note ("… — reconstructed from …"); the banner shows
        # it in full, the title and status bar need only the night's name.
        short = clean(info.label.split(" — ")[0].strip() or info.label)
        self.setWindowTitle(f"{short} — {APP_TITLE}")
        kind = "reconstructed night" if info.reconstructed else f"{info.kind} night"
        self._status_night.setText(
            f"{short} · {kind}" + (f" · baseline {clean(info.baseline)}" if info.baseline else "")
        )
        self._status_night.setToolTip(
            plain_tooltip(
                str(info.path) + (f"\nBaseline: {info.baseline_note}" if info.baseline_note else "")
            )
        )
        if info.reconstructed:
            # The night's own note says what it is (a night *built* for a benchmark is not made
            # from certified results); the generic note only when it has none.
            self._banner.setText(reconstructed_banner(info.label, str(info.meta.get("note", ""))))
            self._banner.setToolTip(plain_tooltip(info.meta.get("note", "")))
            self._banner.show()
        else:
            self._banner.hide()

        self._rules.follow(info.final.election.id)  # this night's overrides, not the last one's
        self._model.set_snapshot(
            info.final, self._rules.facts(info.final, self._worker.race_facts(info.final))
        )
        self._model.set_pins(info.pins)
        wanted = pending.get("contest")
        contest_id = self._default_contest(info.final, str(wanted) if wanted else None)
        self._contest_id = None
        if contest_id is not None:
            self.select_contest(contest_id)
        self._timeline_view.set_timezone(self.display_timezone(info))
        self._timeline_view.set_untimed(info.times if untimed(info) else None)
        self.night_opened.emit(info)
        self._set_live(info)
        self._replay_bar.set_replay(clock, self._timeline, self.display_timezone(info), untimed=untimed(info))
        if at_note:
            self.navigation.say_clamped(at_note, clock.position(), 20000)
            if not self._interactive:
                print(f"election-tracker: {at_note}", file=sys.stderr)

    def _default_contest(self, final: Snapshot, wanted: str | None) -> str | None:
        contests = final.contests
        if not contests:
            return None
        if wanted:
            matches = find_contests(contests, wanted)
            if matches:
                return matches[0].id
            self.report_error(no_such_contest(wanted, contests, noun="race"))
        for row in range(self._proxy.rowCount()):
            index = self._proxy.index(row, COL_PIN)
            cid = index.data(ContestIdRole)
            if cid is not None and self._model.is_pinned(cid):
                return str(cid)
        # Not pinned: the top of the ballot, else the most ballots (not votes: see core.opening).
        return opening_race(contests)
