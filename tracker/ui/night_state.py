"""State that comes back, per night: the moment on screen, the speed, the race and the filters.

An editor who closes the window at 22:40 on the House race at 120× expects the same when the
night is opened again; a filter set on one night ("Close < 5 pts") must not hide races in the
next. The window's state is followed in memory as it changes (cheap: no disk) and written to the
window's settings only when the night is left (another one opens, or the window closes), under a
key made from the night file's path.

The first opening of a night that comes with the app does not start on empty bars at its first
version: it steps to the first version with votes counted and says how to play.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QEvent, QObject, QTimer

from tracker import paths

if TYPE_CHECKING:
    from PySide6.QtCore import SignalInstance
    from PySide6.QtWidgets import QStatusBar, QTableView

    from tracker.core.model import Snapshot
    from tracker.ui.race_list_panel import RaceListPanel
    from tracker.ui.replay_bar import ReplayBar
    from tracker.ui.workers import NightInfo

#: How the status bar tells a first-time user what to do (kept on screen for a while).
PLAY_HINT = "Press Space to play · ← and → step through the updates · F1 lists every key"
HINT_MS = 30_000


class _Window(Protocol):
    """What the per-night state uses of the main window: its signals and read-only state, the
    replay bar and the race list's filters it follows and restores, the one call it makes, and the
    QMainWindow's status bar and events. What the window was opened with is read with
    ``getattr(window, "opened_with")``. Narrow on purpose: this module is installed by the window
    and must not import it back (docs/architecture.md, "Layers")."""

    @property
    def night_opened(self) -> SignalInstance: ...
    @property
    def drawn(self) -> SignalInstance: ...
    @property
    def night(self) -> NightInfo | None: ...
    @property
    def snapshot(self) -> Snapshot | None: ...
    @property
    def shown_version(self) -> int | None: ...
    @property
    def selected_contest(self) -> str | None: ...
    @property
    def replay_bar(self) -> ReplayBar: ...
    @property
    def race_table(self) -> QTableView: ...
    @property
    def race_panel(self) -> RaceListPanel: ...
    def select_contest(self, contest_id: str) -> None: ...
    # the QMainWindow it is
    def statusBar(self) -> QStatusBar: ...
    def installEventFilter(self, filter: QObject) -> None: ...


@dataclass
class Filters:
    """The race list's filters as the panel shows them."""

    search: str = ""
    pinned: bool = False
    close: bool = False
    close_points: float | None = None
    counting: bool = False
    crossed: bool = False


@dataclass
class SavedNight:
    """One night's state as written to (and read from) the settings."""

    time: dt.datetime | None = None
    speed: float | None = None
    contest: str | None = None
    filters: Filters = field(default_factory=Filters)


def night_key(info: NightInfo) -> str:
    """The settings group of a night: from its file's resolved path (a night moved is a new one)."""
    try:
        path = str(info.path.resolve())
    except OSError:
        path = str(info.path)
    return "nights/" + hashlib.sha256(path.encode()).hexdigest()[:16]


def is_bundled(info: NightInfo) -> bool:
    try:
        return info.path.resolve().is_relative_to(paths.resources_dir().resolve())
    except OSError:
        return False


def _as_bool(value: object) -> bool:
    return value is True or str(value).lower() in ("true", "1")


def read_night(store: object, key: str) -> SavedNight | None:
    """The saved state under ``key`` (a QSettings), or None when this night was never left."""
    get = store.value  # type: ignore[attr-defined]
    if get(f"{key}/saved") is None:
        return None
    saved = SavedNight()
    when = get(f"{key}/time")
    if when:
        try:
            saved.time = dt.datetime.fromisoformat(str(when))
        except ValueError:
            saved.time = None
        if saved.time is not None and saved.time.tzinfo is None:
            saved.time = None
    try:
        saved.speed = float(get(f"{key}/speed")) if get(f"{key}/speed") is not None else None
    except (TypeError, ValueError):
        saved.speed = None
    contest = get(f"{key}/contest")
    saved.contest = str(contest) if contest else None
    points = get(f"{key}/filters/close_points")
    try:
        close_points = float(points) if points is not None else None
    except (TypeError, ValueError):
        close_points = None
    saved.filters = Filters(
        search=str(get(f"{key}/filters/search") or ""),
        pinned=_as_bool(get(f"{key}/filters/pinned")),
        close=_as_bool(get(f"{key}/filters/close")),
        close_points=close_points,
        counting=_as_bool(get(f"{key}/filters/counting")),
        crossed=_as_bool(get(f"{key}/filters/crossed")),
    )
    return saved


def write_night(store: object, key: str, saved: SavedNight) -> None:
    put = store.setValue  # type: ignore[attr-defined]
    put(f"{key}/saved", True)
    put(f"{key}/time", saved.time.isoformat() if saved.time is not None else "")
    if saved.speed is not None:
        put(f"{key}/speed", saved.speed)
    put(f"{key}/contest", saved.contest or "")
    f = saved.filters
    put(f"{key}/filters/search", f.search)
    put(f"{key}/filters/pinned", f.pinned)
    put(f"{key}/filters/close", f.close)
    if f.close_points is not None:
        put(f"{key}/filters/close_points", f.close_points)
    put(f"{key}/filters/counting", f.counting)
    put(f"{key}/filters/crossed", f.crossed)


class NightState(QObject):
    """Follows the window's state for the night on screen and puts a night's back when it opens."""

    def __init__(self, window: _Window, *, persist: bool = True) -> None:
        super().__init__(window)  # type: ignore[arg-type]
        self._window = window
        self._persist = persist
        self._key: str | None = None
        self._live = False
        self._state = SavedNight()
        self._first_results = False
        #: The last first-run hint shown (for tests).
        self.hint = ""
        window.night_opened.connect(self._on_opened)
        window.replay_bar.position_changed.connect(self._on_position)
        window.race_table.selectionModel().currentRowChanged.connect(lambda *_: self._on_contest())
        window.drawn.connect(self._on_drawn)
        window.installEventFilter(self)

    # following ---------------------------------------------------------------------------------------
    def _on_position(self, when: object) -> None:
        if self._key is None or not isinstance(when, dt.datetime):
            return
        clock = self._window.replay_bar.clock
        self._state.time = when
        if clock is not None:
            self._state.speed = clock.speed

    def _on_contest(self) -> None:
        if self._key is not None and self._window.selected_contest:
            self._state.contest = self._window.selected_contest

    def filters(self) -> Filters:
        panel = self._window.race_panel
        return Filters(
            search=panel.search.text(),
            pinned=panel.pinned_button.isChecked(),
            close=panel.close_button.isChecked(),
            close_points=panel.close_points.value(),
            counting=panel.counting_button.isChecked(),
            crossed=panel.crossed_button.isChecked(),
        )

    def set_filters(self, f: Filters) -> None:
        panel = self._window.race_panel
        panel.search.setText(f.search)
        panel.pinned_button.setChecked(f.pinned)
        if f.close_points is not None:
            panel.close_points.setValue(f.close_points)
        else:
            from tracker.ui.race_list_panel import DEFAULT_CLOSE_POINTS

            panel.close_points.setValue(DEFAULT_CLOSE_POINTS)
        panel.close_button.setChecked(f.close)
        panel.counting_button.setChecked(f.counting)
        panel.crossed_button.setChecked(f.crossed)

    def save(self) -> None:
        """Write the night on screen's state (the window is closing, or another night opens)."""
        if self._key is None or not self._persist:
            return
        self._state.filters = self.filters()
        bar = self._window.replay_bar  # still the night being left's clock (a new one comes after)
        if bar.clock is not None and bar.position() is not None:
            self._state.time, self._state.speed = bar.position(), bar.clock.speed
        if self._live:
            self._state.time = None  # a live feed comes back at its live edge
        from tracker.ui.settings import settings

        store = settings()
        write_night(store, self._key, self._state)
        store.sync()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._window and event.type() == QEvent.Type.Close:
            self.save()
        return False

    # coming back -------------------------------------------------------------------------------------
    def _on_opened(self, info: NightInfo) -> None:
        self.save()  # the night being left
        window = self._window
        asked = dict(getattr(window, "opened_with", {}) or {})
        self._key = night_key(info)
        self._live = bool(info.live)
        saved = None
        if self._persist:
            from tracker.ui.settings import settings

            saved = read_night(settings(), self._key)
        # This night's filters, or none: never the previous night's.
        self.set_filters(saved.filters if saved is not None else Filters())
        self._state = SavedNight(contest=window.selected_contest)
        known = {c.id for c in info.final.contests}
        if saved is not None and saved.contest in known and not asked.get("contest"):
            window.select_contest(saved.contest)
            self._state.contest = saved.contest
        explicit_time = bool(asked.get("at") or asked.get("at_end") or info.live)
        # After the window has attached the night's clock (it does so right after this signal).
        QTimer.singleShot(0, lambda: self._restore_clock(info, saved, asked, explicit_time))

    def _restore_clock(
        self, info: NightInfo, saved: SavedNight | None, asked: dict[str, object], explicit_time: bool
    ) -> None:
        window = self._window
        if window.night is not info:
            return
        bar = window.replay_bar
        clock = bar.clock
        if clock is None:
            return
        if saved is not None and saved.speed is not None and asked.get("speed") is None:
            with contextlib.suppress(ValueError):  # a speed the replay no longer offers
                bar.set_speed(saved.speed)
        if explicit_time:
            return
        if saved is not None and saved.time is not None:
            when = min(max(saved.time, clock.start), clock.end)
            bar.seek(when)
        elif saved is None and is_bundled(info):
            # First opening of a night that comes with the app: on to its first results.
            self._first_results = True
            self._on_drawn()

    def _on_drawn(self) -> None:
        """While looking for the first results: step on from a version with nothing counted."""
        if not self._first_results:
            return
        window = self._window
        snapshot, bar = window.snapshot, window.replay_bar
        clock = bar.clock
        counted = (
            window.shown_version is not None
            and snapshot is not None
            and any(c.total_votes > 0 for c in snapshot.contests)
        )
        at_end = clock is None or bar.position() is None or bar.position() >= clock.end
        if counted or at_end:
            self._first_results = False
            self.hint = PLAY_HINT
            window.statusBar().showMessage(PLAY_HINT, HINT_MS)
            return
        bar.next_update()

    @property
    def key(self) -> str | None:
        return self._key
