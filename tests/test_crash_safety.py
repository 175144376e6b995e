"""kill -9 at random moments: the recorder (a real ``election-tracker record`` process polling a
real loopback ``serve`` of the bundled night) and a process writing the app's store.

What "recorded" means, and so what a kill may cost: ``record`` prints one line per new version
(``HH:MM:SS new    200 version N``) only after that version's transaction has committed (WAL,
``synchronous=FULL``), and flushes it. Every version the recorder has printed must therefore be in
the night after any kill; a version it had fetched but not yet printed may or may not be (it was
in flight). Nothing in the night may be torn: it opens, every payload decompresses to bytes whose
SHA-256 matches, re-parses, and equals byte for byte the payload the server served.

The kill moments come from a seeded generator, so a failure names a reproducible iteration.
"""

from __future__ import annotations

import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest
from child_process import Lines, spawn

from tracker import paths
from tracker.archive.night import NightFile
from tracker.archive.serve import FeedServer
from tracker.store import Store

BUNDLED = paths.resources_dir() / "nights" / "ga06-2017-04-18.night"
KILLS = 20
STORE_KILLS = 10
SEED = 20170418
_NEW = re.compile(r"^\d\d:\d\d:\d\d new +\d+ version (\S+)$")


def _kill(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait(120)
    assert proc.stderr is not None
    proc.stderr.close()


@pytest.fixture(scope="module")
def served_payloads() -> set[bytes]:
    """Every payload of the bundled night: serve --as native serves them byte for byte."""
    with NightFile.open(BUNDLED) as night:
        return {night.payload(v.payload_id) for v in night.versions()}


def _check_recording(path: Path, announced: list[str], served: set[bytes], where: str) -> int:
    """The reopened night holds every announced version, and nothing torn. Returns versions."""
    with NightFile.open(path) as night:
        versions = night.versions()
        held = [v.version for v in versions]
        missing = [v for v in announced if v not in held]
        assert not missing, f"{where}: announced versions {missing} are not in the night {held}"
        for v in versions:
            data = night.payload(v.payload_id)  # decompresses and checks size + SHA-256
            assert data in served, f"{where}: version {v.version} is not a payload the server sent"
            snap = night.snapshot(v)  # and it re-parses
            assert snap.version == v.version
        for f in night.fetches():
            assert f.fetched_at is not None
    # the kernel dropped the dead recorder's lock: the night can be resumed at once
    with NightFile.open(path, readonly=False) as resumed:
        assert len(resumed.versions()) == len(versions)
    return len(versions)


@pytest.mark.slow
def test_kill_9_the_recorder_at_random_moments_loses_nothing_announced(
    tmp_path: Path, served_payloads: set[bytes]
) -> None:
    rng = random.Random(SEED)
    totals: list[int] = []
    for i in range(KILLS):
        out = tmp_path / f"kill-{i}.night"
        with FeedServer(BUNDLED, fmt="native", speed=1000) as server:
            proc = spawn("-m", "tracker", "record", server.url, "--interval", "0.05", "-o", str(out))
            lines = Lines(proc)
            try:
                lines.wait_for("recording ")
                # into the busy part of the night (a new version every ~0.2 s at 1000×)
                server.clock.seek(server.versions[rng.randrange(4, 40)].fetched_at)
                # a random number of versions announced (a condition: a loaded machine cannot make
                # every kill land before the first one), then a random moment in what follows
                lines.wait_for(" new ", count=rng.randrange(0, 5))
                time.sleep(rng.uniform(0.0, 1.0))
            finally:
                _kill(proc)
        printed = lines.finish()
        assert proc.returncode == -signal.SIGKILL, printed
        announced = [m.group(1) for line in printed if (m := _NEW.match(line))]
        where = f"kill {i} (seed {SEED})"
        totals.append(_check_recording(out, announced, served_payloads, where))
    print("versions held after each kill:", totals)
    # the kills landed at different moments of the recordings, most after some versions
    assert len(set(totals)) > 3 and sum(t > 0 for t in totals) >= KILLS // 2, totals


_STORE_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from tracker.store import ProjectionRecord, Store

    store = Store(Path(sys.argv[1]))
    i = 0
    while True:
        store.pin("synthetic-election", f"c{i}", f"Synthetic contest {i}")
        store.append_projections([
            ProjectionRecord(
                made_at="2026-01-01T00:00:00+00:00", source="synthetic", election_id="synthetic-election",
                version=str(i), payload_id="", snapshot_time=None, contest_id=f"c{i}",
                contest_name="Synthetic", candidate_id="a", candidate="A", status="ok", votes=i,
                share_now=0.5, share=None, lo=None, hi=None, p_clear=None, outstanding=None,
                outstanding_lo=None, outstanding_hi=None, model_version="synthetic",
            )
        ])
        store.set("last", str(i))
        print(i, flush=True)
        i += 1
    """
)


@pytest.mark.slow
def test_kill_9_a_store_writer_keeps_every_committed_row(tmp_path: Path) -> None:
    rng = random.Random(SEED + 1)
    path = tmp_path / "tracker.sqlite3"
    done: set[int] = set()
    for i in range(STORE_KILLS):
        proc = spawn("-c", _STORE_WRITER, str(path))
        lines = Lines(proc)
        try:
            # a random number of rows committed (a condition: a loaded machine cannot make every
            # kill land after the first row), then a random moment in what follows
            lines.wait_for("", count=rng.randrange(1, 40))
            time.sleep(rng.uniform(0.0, 0.3))
        finally:
            _kill(proc)
        committed = {int(line) for line in lines.finish() if line.strip().isdigit()}
        db = sqlite3.connect(path)
        try:
            assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)], f"kill {i}"
        finally:
            db.close()
        with Store(path) as store:
            pinned = {int(c[1:]) for c in store.pins("synthetic-election")}
            logged = {int(r.version) for r in store.projections(source="synthetic")}
        assert committed <= pinned and committed <= logged, f"kill {i}: committed rows lost"
        done |= committed
    assert len(done) > STORE_KILLS  # the writers got work done between the kills


# -- a crashed recording in a folder the reader cannot write ---------------------------------------

_READER = textwrap.dedent(
    """
    import os, sys
    from tracker.archive.night import NightFile
    from tracker.core.errors import NightFileError
    import zoneinfo
    zoneinfo.ZoneInfo("UTC")  # everything imported before giving up root
    if os.geteuid() == 0:
        os.setgid(65534)
        os.setuid(65534)  # nobody: the folder is now really read-only for us
    try:
        with NightFile.open(sys.argv[1]) as night:
            print(len(night.versions()), night.readonly, night.label)
    except NightFileError as exc:
        print("refused:", exc)
    """
)


@pytest.mark.parametrize("sidecars", [("-wal",), (), ("-wal", "-shm")], ids=["wal", "no-wal", "wal-shm"])
def test_a_crashed_recording_opens_read_only_from_a_read_only_folder(sidecars: tuple[str, ...]) -> None:
    """A recorder that died leaves its night in WAL mode (data possibly still in ``-wal``).
    Copied to, or found in, a folder the reader cannot write, SQLite alone cannot open it (it
    must create ``-shm``); the tracker reads a private copy instead, with every version."""
    with NightFile.open(BUNDLED) as source:
        versions = source.versions()[:4]
        payloads = [(source.payload(v.payload_id), v.fetched_at) for v in versions]
    folder = Path(tempfile.mkdtemp(prefix="crashed-night-"))
    try:
        path = folder / "crashed.night"
        writer = NightFile.create(path, kind="recorded", label="Recorded (crash test)")
        for data, when in payloads:
            writer.add_payload(data, fetched_at=when, fmt="tracker-feed/1")
        if not sidecars:  # the WAL was folded in, but the file still says WAL mode
            writer._db().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        # what a kill leaves: the files as they are now, without close()'s clean-up
        crashed = folder / "ro"
        crashed.mkdir()
        for suffix in ("", *sidecars):
            src = Path(f"{path}{suffix}")
            if src.exists():
                shutil.copyfile(src, crashed / f"crashed.night{suffix}")
        writer.close()
        assert (crashed / "crashed.night").read_bytes()[18:20] == b"\x02\x02"  # WAL mode
        for f in crashed.iterdir():
            f.chmod(0o644)
        crashed.chmod(0o555)
        folder.chmod(0o755)
        before = sorted(p.name for p in crashed.iterdir())
        proc = subprocess.run(
            [sys.executable, "-c", _READER, str(crashed / "crashed.night")],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip() == "4 True Recorded (crash test)", proc.stdout
        assert sorted(p.name for p in crashed.iterdir()) == before  # nothing written there
    finally:
        for p in [folder, *folder.rglob("*")]:
            if p.is_dir():
                p.chmod(0o755)
        shutil.rmtree(folder, ignore_errors=True)
