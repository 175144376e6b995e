"""The worker: night files are read off the GUI thread, results arrive as signals on it, stale
requests are dropped (synthetic night unless stated)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from synthetic_data import SYNTHETIC_TIMES

from tracker.ui.workers import NightInfo, Worker
from tracker.watch import display_queue

pytestmark = pytest.mark.gui

#: Upper bound of a wait for the worker (a bound, not a timing: it costs time only when it hangs).
WAIT_MS = 60_000


def _open(qtbot: QtBot, worker: Worker, path: Path) -> NightInfo:
    with qtbot.waitSignal(worker.night_loaded, timeout=10_000) as loaded:
        worker.open_night(path)
    info = loaded.args[0]
    assert isinstance(info, NightInfo)
    return info


def test_open_lists_versions_and_parses_the_last(qtbot: QtBot, worker: Worker, synthetic_night: Path) -> None:
    info = _open(qtbot, worker, synthetic_night)
    assert info.label == "Synthetic test night"
    assert info.reconstructed and info.kind == "reconstructed"
    assert info.times == list(SYNTHETIC_TIMES)
    assert info.election_id == "synthetic-2024-11-05"
    assert info.final.contest("mayor").precincts == (4, 4)
    assert info.pins == frozenset()


def test_results_arrive_on_the_gui_thread(qtbot: QtBot, worker: Worker, synthetic_night: Path) -> None:
    _open(qtbot, worker, synthetic_night)
    threads: list[threading.Thread] = []
    worker.snapshot_ready.connect(lambda *_: threads.append(threading.current_thread()))
    with qtbot.waitSignal(worker.snapshot_ready, timeout=10_000) as ready:
        worker.request_snapshot(0)
    assert ready.args[0] == 0
    assert ready.args[1].contest("mayor").precincts == (1, 4)
    assert threads == [threading.main_thread()]


def test_only_the_newest_request_is_answered(qtbot: QtBot, worker: Worker, synthetic_night: Path) -> None:
    _open(qtbot, worker, synthetic_night)
    answered: list[int] = []
    worker.snapshot_ready.connect(lambda index, _snap: answered.append(index))
    with qtbot.waitSignal(worker.snapshot_ready, timeout=10_000, check_params_cb=lambda i, _s: i == 1):
        worker.request_snapshot(0)
        worker.request_snapshot(1)
    assert worker.wait_idle(WAIT_MS)
    qtbot.wait(50)  # let any stray queued result arrive (there must be none)
    # version 1 only: once, or twice when it is projected again with the version before it read
    # (tracker.watch.arrival_ledger); never version 0
    assert set(answered) == {1} and len(answered) <= 2


def test_bad_night_file_fails_with_one_sentence(qtbot: QtBot, worker: Worker, tmp_path: Path) -> None:
    bogus = tmp_path / "not-a-night.night"
    bogus.write_text("this is not a night file\n")
    with qtbot.waitSignal(worker.failed, timeout=10_000) as failed:
        worker.open_night(bogus)
    message = failed.args[0]
    assert "not a night file" in message and "\n" not in message
    with qtbot.waitSignal(worker.failed, timeout=10_000) as failed:
        worker.open_night(tmp_path / "missing.night")
    assert "missing.night" in failed.args[0]


def test_shutdown_is_clean_and_final(qtbot: QtBot, synthetic_night: Path) -> None:
    worker = Worker()
    _open(qtbot, worker, synthetic_night)
    assert worker.shutdown(timeout_ms=WAIT_MS)
    worker.request_snapshot(0)  # ignored after shutdown, never a crash
    assert worker.closing


def test_estimates_are_computed_with_the_parse(qtbot: QtBot, worker: Worker, synthetic_night: Path) -> None:
    from tracker.core.outstanding import estimate_outstanding

    _open(qtbot, worker, synthetic_night)
    with qtbot.waitSignal(worker.snapshot_ready, timeout=10_000) as ready:
        worker.request_snapshot(1)
    snapshot = ready.args[1]
    estimates = worker.estimates(snapshot)
    assert estimates is not None
    assert set(estimates) == {"mayor", "council-1"}
    assert estimates["mayor"] == estimate_outstanding(snapshot.contest("mayor"))
    assert estimates["mayor"] is not None and estimates["mayor"].expected > 0


def test_waiting_for_idle_keeps_the_store_on_its_own_thread(
    qtbot: QtBot, worker: Worker, synthetic_night: Path
) -> None:
    """The store's SQLite connection lives on the night pool's one thread: waiting for the worker
    to be idle must not end that thread (QThreadPool.waitForDone does), or the next job that
    touches the store fails with SQLite's "objects created in a thread can only be used in that
    same thread"."""
    _open(qtbot, worker, synthetic_night)
    assert worker.wait_idle(WAIT_MS)
    errors: list[str] = []
    worker.failed.connect(errors.append)
    with qtbot.waitSignal(worker.pin_saved, timeout=10_000):
        worker.set_pinned("synthetic", "mayor", True, "Synthetic Mayor")
    assert worker.wait_idle(WAIT_MS)
    with qtbot.waitSignal(worker.pin_saved, timeout=10_000):
        worker.set_pinned("synthetic", "mayor", False, "Synthetic Mayor")
    assert errors == []


def test_the_window_beats_while_the_night_thread_works_and_stops_when_it_idles(
    qtbot: QtBot, worker: Worker, synthetic_night: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(display_queue, "BEAT_IDLE_S", 0.05)
    gate = worker.display_gate
    beats: list[bool] = []  # each beat: was it on the GUI thread?
    real_beat = gate.beat

    def beat() -> None:
        beats.append(threading.current_thread() is threading.main_thread())
        real_beat()

    monkeypatch.setattr(gate, "beat", beat)
    assert not gate.beating  # nothing to do: no beats
    _open(qtbot, worker, synthetic_night)  # the night thread pauses while it reads: it asks for beats
    qtbot.waitUntil(lambda: bool(beats), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not gate.beating, timeout=WAIT_MS)  # idle: the window stopped beating
    stopped = len(beats)
    qtbot.wait(100)
    assert len(beats) == stopped and all(beats)
