"""A new version is applied in steps, with the night thread held back meanwhile (issue 21).

With a statewide feed's 4,000 races each step of applying a version holds the GUI thread tens of
milliseconds; ``python -m benchmarks big_night`` measures the event-loop gaps. These tests pin the
mechanism without timing it: when the version arrives only the race list takes it, the "changed"
column, race view and timeline follow in later turns of the event loop, the shown version changes
with the last step, and the window holds the night thread's gate from the first step to the last
(and lets go when a newer version overtakes it).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tracker.ui.main_window import MainWindow

pytestmark = pytest.mark.gui


@pytest.fixture
def window(make_window: Callable[..., MainWindow], bundled_night: Path) -> MainWindow:
    return make_window(persist_layout=True, night=bundled_night, open_timeout_ms=15_000, at_end=True)


def _count_holds(w: MainWindow) -> dict[str, int]:
    counts = {"hold": 0, "release": 0}
    worker = w.worker
    hold, release = worker.hold_display, worker.release_display

    def counted_hold() -> None:
        counts["hold"] += 1
        hold()

    def counted_release() -> None:
        counts["release"] += 1
        release()

    worker.hold_display = counted_hold  # type: ignore[method-assign]
    worker.release_display = counted_release  # type: ignore[method-assign]
    return counts


def test_a_version_is_applied_in_steps_with_the_night_thread_held(qtbot: QtBot, window: MainWindow) -> None:
    w = window
    done: list[str] = []
    model = w.race_model
    follow = model.follow_history
    model.follow_history = lambda *a, **k: (done.append("changed column"), follow(*a, **k))[1]  # type: ignore[method-assign]
    counts = _count_holds(w)
    before = w.shown_version
    at_arrival: dict[str, object] = {}

    def arrived(index: int, _snapshot: object) -> None:  # after the window's own slot
        at_arrival.update(
            index=index,
            done=list(done),
            shown=w.shown_version,
            holding=counts["hold"] - counts["release"],
            gate_busy=w.worker.display_gate.busy,
        )

    w.worker.snapshot_ready.connect(arrived)
    with qtbot.waitSignal(w.drawn, timeout=15_000):
        w.replay_bar.seek_fraction(0.3)  # a version not read yet: parsed on the night thread
    assert at_arrival, "the version never arrived"
    assert at_arrival["index"] != before
    # When the version arrives, only the race list takes it: the rest comes in later turns.
    assert at_arrival["done"] == [] and at_arrival["shown"] == before
    assert at_arrival["holding"] == 1 and at_arrival["gate_busy"]
    assert done == ["changed column"]
    assert w.shown_version == at_arrival["index"]
    assert counts["hold"] == counts["release"] == 1  # let go with the last step


def test_a_newer_version_overtaking_an_apply_lets_go_of_its_hold(qtbot: QtBot, window: MainWindow) -> None:
    w = window
    last = w.shown_version
    with qtbot.waitSignal(w.drawn, timeout=15_000):
        w.replay_bar.seek_fraction(0.3)
    middle = w.shown_version
    assert middle != last  # both versions are read now: the next requests are answered at once
    counts = _count_holds(w)
    drawn: list[int | None] = []
    w.drawn.connect(lambda: drawn.append(w.shown_version))
    with qtbot.waitSignal(w.drawn, timeout=15_000):
        w.replay_bar.seek_fraction(1.0)  # applying the last version begins...
        w.replay_bar.seek_fraction(0.3)  # ...and is overtaken before its second step
    qtbot.wait(50)  # the overtaken apply's pending steps find themselves overtaken
    assert drawn == [middle]
    assert counts["hold"] == counts["release"] == 2
