"""The replay bar: play/pause, speed, a scrubber over the night with its times, step by update.

A night whose versions have no times of their own (files imported in file order, placed one
minute apart from 2000-01-01: ``tracker.ui.window_versions.untimed``) is labelled by version
number, "v 1" to "v 13", never by those made-up clock times.

The bar drives a :class:`~tracker.archive.replay.ReplayClock` and reports where the night is; it
knows nothing about snapshots. A QTimer polls ``clock.position()`` about 20 times a second while
playing (and not at all while paused: a paused replay costs nothing). The clock reads whatever
monotonic function it was given, so tests inject a fake one and call :meth:`refresh` themselves.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSlider, QStyle, QWidget

from tracker.archive.replay import SPEEDS, ReplayClock, Timeline

SLIDER_STEPS = 1000
TICK_MS = 50


def speed_text(speed: float) -> str:
    return f"{speed:g}×"


class ReplayBar(QWidget):
    """Controls for a replayed night. Emits ``position_changed`` whenever the night's "now" moves."""

    #: The night's current instant (aware datetime), after play ticks, seeks and steps.
    position_changed = Signal(object)
    #: True while playing.
    playing_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._clock: ReplayClock | None = None
        self._timeline: Timeline | None = None
        self._tz: dt.tzinfo = dt.UTC
        self._untimed = False
        self._last: dt.datetime | None = None
        self._was_playing = False

        style = self.style()
        self._icons = {
            "play": style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay),
            "pause": style.standardIcon(QStyle.StandardPixmap.SP_MediaPause),
        }
        self._prev = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaSkipBackward), "Previous")
        self._prev.setToolTip("Go back to the previous update of the feed")
        self._play = QPushButton(self._icons["play"], "Play")
        self._play.setToolTip("Play / pause the replay")
        self._play.setMinimumWidth(88)
        self._next = QPushButton(style.standardIcon(QStyle.StandardPixmap.SP_MediaSkipForward), "Next")
        self._next.setToolTip("Jump to the next update of the feed")
        self._speed = QComboBox()
        self._speed.setToolTip("Replay speed (× real time)")
        for speed in SPEEDS:
            self._speed.addItem(speed_text(speed), float(speed))
        self._start_label = QLabel("--:--")
        self._end_label = QLabel("--:--")
        self._now_label = QLabel("--:--")
        bold = self._now_label.font()
        bold.setBold(True)
        self._now_label.setFont(bold)
        self._now_label.setMinimumWidth(72)
        self._now_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._slider = QSlider(Qt.Orientation.Horizontal)
        self._slider.setRange(0, SLIDER_STEPS)
        self._slider.setPageStep(SLIDER_STEPS // 50)
        self._slider.setToolTip("Drag to any moment of the night")

        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self._prev)
        layout.addWidget(self._play)
        layout.addWidget(self._next)
        layout.addWidget(QLabel("Speed"))
        layout.addWidget(self._speed)
        layout.addSpacing(8)
        layout.addWidget(self._now_label)
        layout.addWidget(self._start_label)
        layout.addWidget(self._slider, 1)
        layout.addWidget(self._end_label)

        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.refresh)
        self._play.clicked.connect(self.toggle)
        self._prev.clicked.connect(self.previous_update)
        self._next.clicked.connect(self.next_update)
        self._speed.currentIndexChanged.connect(self._speed_chosen)
        self._slider.valueChanged.connect(self._slider_moved)
        self._set_enabled(False)

    # set-up ----------------------------------------------------------------------------------------
    def set_replay(
        self, clock: ReplayClock, timeline: Timeline, tz: dt.tzinfo, *, untimed: bool = False
    ) -> None:
        """Attach a night: its clock, the times of its versions, and the zone it is shown in.
        ``untimed``: the versions' times are placeholders (file order), so the labels say which
        version ("v 3") instead of a time."""
        self._timer.stop()
        self._clock, self._timeline, self._tz = clock, timeline, tz
        self._untimed = untimed
        self._slider.setToolTip(
            "Drag to any version of the night (the files have no times: in file order)"
            if untimed
            else "Drag to any moment of the night"
        )
        self._last = None
        self._start_label.setText(self.format_time(clock.start))
        self._end_label.setText(self.format_time(clock.end))
        self._select_speed(clock.speed)
        self._set_enabled(True)
        self.refresh(force=True)

    def set_timezone(self, tz: dt.tzinfo) -> None:
        """Show the times in ``tz`` (the election's zone, or UTC on demand)."""
        self._tz = tz
        if self._clock is not None:
            self._start_label.setText(self.format_time(self._clock.start))
            self._end_label.setText(self.format_time(self._clock.end))
            self.refresh(force=True)

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self._prev, self._play, self._next, self._speed, self._slider):
            widget.setEnabled(enabled)

    def _select_speed(self, speed: float) -> None:
        index = self._speed.findData(float(speed))
        with QSignalBlocker(self._speed):
            if index < 0:  # a speed from the command line that is not in the list: show it anyway
                self._speed.addItem(speed_text(speed), float(speed))
                index = self._speed.count() - 1
            self._speed.setCurrentIndex(index)

    def format_time(self, when: dt.datetime) -> str:
        """ "21:40" in the night's zone; "v 3" (the version current at ``when``) on a night whose
        versions have no times."""
        if self._untimed and self._timeline is not None and len(self._timeline):
            index = self._timeline.index_at(when)
            return f"v {(index or 0) + 1}"
        return when.astimezone(self._tz).strftime("%H:%M")

    # state -----------------------------------------------------------------------------------------
    @property
    def clock(self) -> ReplayClock | None:
        return self._clock

    @property
    def timeline(self) -> Timeline | None:
        """The night's version times (for "go to v 5")."""
        return self._timeline

    @property
    def playing(self) -> bool:
        return self._clock is not None and self._clock.playing

    def position(self) -> dt.datetime | None:
        return self._clock.position() if self._clock is not None else None

    def texts(self) -> dict[str, str]:
        """The labels as shown (for tests)."""
        return {
            "start": self._start_label.text(),
            "now": self._now_label.text(),
            "end": self._end_label.text(),
            "play": self._play.text(),
            "speed": self._speed.currentText(),
        }

    def slider_value(self) -> int:
        return self._slider.value()

    # actions ---------------------------------------------------------------------------------------
    def play(self) -> None:
        if self._clock is not None:
            self._clock.play()
            self.refresh(force=True)

    def pause(self) -> None:
        if self._clock is not None:
            self._clock.pause()
            self.refresh(force=True)

    def toggle(self) -> None:
        if self.playing:
            self.pause()
        else:
            self.play()

    def set_speed(self, speed: float) -> None:
        """Change the speed (1–1000×); raises ValueError outside that range, as the clock does."""
        if self._clock is None:
            return
        self._clock.set_speed(speed)
        self._select_speed(speed)

    def seek(self, when: dt.datetime) -> None:
        if self._clock is not None:
            self._clock.seek(when)
            self.refresh(force=True)

    def seek_fraction(self, fraction: float) -> None:
        if self._clock is not None:
            self._clock.seek_fraction(fraction)
            self.refresh(force=True)

    def faster(self) -> None:
        """The next speed up the list (``+``); the fastest stays the fastest."""
        self._step_speed(+1)

    def slower(self) -> None:
        """The next speed down the list (``-``)."""
        self._step_speed(-1)

    def _step_speed(self, direction: int) -> None:
        if self._clock is None:
            return
        speed = self._clock.speed
        ladder = [float(s) for s in SPEEDS]
        if direction > 0:
            wanted = next((s for s in ladder if s > speed), ladder[-1])
        else:
            wanted = next((s for s in reversed(ladder) if s < speed), ladder[0])
        self.set_speed(wanted)

    def go_start(self) -> None:
        """The start of the night (Home)."""
        if self._clock is not None:
            self.seek(self._clock.start)

    def go_end(self) -> None:
        """The end of the night (End): the newest version of a live feed."""
        if self._clock is not None:
            self.seek(self._clock.end)

    def next_update(self) -> None:
        """Jump to the moment the next version of the feed appeared."""
        if self._clock is None or self._timeline is None:
            return
        when = self._timeline.next_after(self._clock.position())
        if when is not None:
            self.seek(when)

    def previous_update(self) -> None:
        """Jump back to the moment the previous version appeared (the current one's start first)."""
        if self._clock is None or self._timeline is None:
            return
        when = self._timeline.previous_before(self._clock.position())
        self.seek(when if when is not None else self._clock.start)

    def _speed_chosen(self, index: int) -> None:
        speed = self._speed.itemData(index)
        if self._clock is not None and speed is not None:
            self._clock.set_speed(float(speed))

    def _slider_moved(self, value: int) -> None:
        if self._clock is not None:
            self._clock.seek_fraction(value / SLIDER_STEPS)
            self.refresh(force=True)

    # the tick --------------------------------------------------------------------------------------
    def refresh(self, force: bool = False) -> None:
        """Read the clock, move the scrubber and labels, and report the position if it moved.
        The timer calls this while playing; anything that seeks calls it at once."""
        clock = self._clock
        if clock is None:
            return
        pos = clock.position()
        playing = clock.playing
        with QSignalBlocker(self._slider):
            self._slider.setValue(round(clock.fraction * SLIDER_STEPS))
        self._now_label.setText(self.format_time(pos))
        self._play.setText("Pause" if playing else "Play")
        self._play.setIcon(self._icons["pause" if playing else "play"])
        if playing and not self._timer.isActive():
            self._timer.start()
        elif not playing and self._timer.isActive():
            self._timer.stop()
        if playing != self._was_playing:
            self._was_playing = playing
            self.playing_changed.emit(playing)
        if force or pos != self._last:
            self._last = pos
            self.position_changed.emit(pos)
