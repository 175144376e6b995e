"""Two instances on the same night file or the same store: a clear refusal or a clean share,
never corruption. Every test here runs real second processes.

- A night has one writer: a second ``record`` into it (even with ``--force``, which would delete
  it) is refused with one line and exit 2, and the first recording goes on intact; readers open it
  while it is written.
- The store has many: two processes writing pins and projections at once both finish, nothing
  lost, integrity intact; several instances starting at once on a new store migrate it once.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from child_process import Lines, spawn

from tracker import paths
from tracker.archive.night import NightFile
from tracker.archive.serve import FeedServer
from tracker.core.errors import NightFileError
from tracker.store import MIGRATIONS, Store

RUNOFF = paths.resources_dir() / "nights" / "ga06-2017-06-20.night"
T0 = dt.datetime(2017, 6, 20, 23, tzinfo=dt.UTC)


def _run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=timeout, env={**os.environ}
    )


def _payload() -> bytes:
    with NightFile.open(RUNOFF) as night:
        return night.payload(night.versions()[0].payload_id)


def test_a_second_writer_is_refused_while_readers_are_welcome(tmp_path: Path) -> None:
    path = tmp_path / "one-writer.night"
    with NightFile.create(path, kind="recorded", label="Synthetic two writers") as writer:
        writer.add_payload(_payload(), fetched_at=T0, fmt="tracker-feed/1")
        with pytest.raises(NightFileError, match="being recorded by another process"):
            NightFile.open(path, readonly=False)
        with pytest.raises(NightFileError, match="being recorded by another process"):
            NightFile.create(path, kind="recorded", label="Synthetic", overwrite=True)
        other = _run(
            "-c",
            "import sys\nfrom tracker.archive.night import NightFile\n"
            "from tracker.core.errors import NightFileError\n"
            "with NightFile.open(sys.argv[1]) as r: print(len(r.versions()))\n"
            "try:\n    NightFile.open(sys.argv[1], readonly=False)\n"
            "except NightFileError as e:\n    print(e)\n",
            str(path),
        )
        assert other.returncode == 0, other.stderr
        count, refusal = other.stdout.splitlines()
        assert count == "1" and "being recorded by another process" in refusal
        writer.add_payload(_payload() + b" ", fetched_at=T0 + dt.timedelta(minutes=1), fmt="tracker-feed/1")
    assert path.exists()  # the refused overwrite deleted nothing
    with NightFile.open(path, readonly=False) as again:  # closed: the lock is gone
        assert len(again.versions()) == 2


def test_a_second_record_command_into_the_same_night_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "shared.night"
    with FeedServer(RUNOFF, fmt="native", speed=1000) as server:
        first = spawn("-m", "tracker", "record", server.url, "--interval", "0.05", "-o", str(out))
        lines = Lines(first)
        try:
            lines.wait_for(" new ")
            forced = _run("-m", "tracker", "record", server.url, "--force", "-o", str(out))
            plain = _run("-m", "tracker", "record", server.url, "-o", str(out))
            lines.wait_for("version 5")  # the first one kept recording meanwhile
            first.send_signal(signal.SIGINT)
            first.wait(60)
        finally:
            if first.poll() is None:
                first.kill()
                first.wait(30)
        assert first.stderr is not None
        first_err = first.stderr.read()
        first.stderr.close()
    assert forced.returncode == 2 and plain.returncode == 2
    assert forced.stderr.count("\n") == 1 and "being recorded by another process" in forced.stderr
    assert plain.stderr.count("\n") == 1 and "already exists" in plain.stderr
    assert first.returncode == 0, first_err
    assert any(line.startswith("wrote ") for line in lines.finish())
    with NightFile.open(out) as night:
        versions = night.versions()
        assert len(versions) >= 5 and [v.version for v in versions[:5]] == ["1", "2", "3", "4", "5"]
        for v in versions:
            night.snapshot(v)


_STORE_WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from tracker.store import ProjectionRecord, Store

    path, name, start, n = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
    time.sleep(max(0.0, start - time.time()))  # all writers open the store at the same instant
    with Store(path) as store:
        for i in range(n):
            store.pin(name, f"c{i}")
            store.append_projections([
                ProjectionRecord(
                    made_at="2026-01-01T00:00:00+00:00", source=name, election_id=name, version=str(i),
                    payload_id="", snapshot_time=None, contest_id="c", contest_name="Synthetic",
                    candidate_id="a", candidate="A", status="ok", votes=i, share_now=0.5, share=None,
                    lo=None, hi=None, p_clear=None, outstanding=None, outstanding_lo=None,
                    outstanding_hi=None, model_version="synthetic",
                )
            ])
            store.record_opened(f"{name}-{i}.night")
            # SQLite's busy wait is not fair: a writer committing in a tight loop can starve the
            # other past any timeout. Real use (a click, one projection per version) breathes.
            time.sleep(0.002)
    print("done")
    """
)


@pytest.mark.parametrize("writers", [2, 4])
def test_instances_starting_together_on_a_new_store_share_it(tmp_path: Path, writers: int) -> None:
    """They migrate a brand-new store once (no 'table already exists'), then write in turn."""
    path = tmp_path / "shared.sqlite3"
    start = time.time() + 3.0  # after every interpreter has started
    n = 100
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _STORE_WRITER, str(path), f"writer{k}", str(start), str(n)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in range(writers)
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0 and out.strip() == "done", err
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA user_version").fetchone() == (len(MIGRATIONS),)
    finally:
        db.close()
    with Store(path) as store:
        for k in range(writers):
            assert store.pins(f"writer{k}") == {f"c{i}" for i in range(n)}
            assert [r.version for r in store.projections(source=f"writer{k}")] == [str(i) for i in range(n)]
        assert len(store.recent(limit=10_000)) == writers * n
