"""The real poller over real loopback HTTP against ``serve`` of the bundled night, recorded.

Everything here talks to 127.0.0.1 servers the tests start themselves; every loop is bounded and
stops by itself. The served night's versions are released on the server's replay clock, whose
monotonic clock the test injects: :class:`StepClock` releases the next version only once the
recorder holds the current one, so the test can demand *every* version, while the poller runs its
real loop (interval, conditional GETs, 304s) on a real socket.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from stale_cache import write_stale_cache_night

from tracker import paths
from tracker.archive.night import NightFile
from tracker.archive.recorder import Recorder, create_recording, current_versions
from tracker.archive.serve import FeedServer
from tracker.core.errors import FeedError
from tracker.feeds.client import make_client
from tracker.feeds.discovery import discover
from tracker.feeds.poller import Poller, PollPolicy, PollReport
from tracker.feeds.registry import detect_format, parse_payload

BUNDLED = paths.resources_dir() / "nights" / "ga06-2017-04-18.night"
RUNOFF = paths.resources_dir() / "nights" / "ga06-2017-06-20.night"
SPEED = 1000.0
#: Upper bound on a whole-night test; they take a few seconds.
DEADLINE_S = 90


class StepClock:
    """A monotonic clock for the server's ReplayClock that stands still until told to move to the
    instant of a given version."""

    def __init__(self, times: list[dt.datetime], speed: float) -> None:
        self._times, self._speed, self._value = times, speed, 0.0

    def __call__(self) -> float:
        return self._value

    def release(self, index: int) -> None:
        self._value = (self._times[index] - self._times[0]).total_seconds() / self._speed


def _times(night: Path) -> list[dt.datetime]:
    with NightFile.open(night) as n:
        return [v.fetched_at for v in n.versions()]


def _drive(
    server: FeedServer, step: StepClock, out: Path, *, interval: float = 0.02
) -> tuple[Recorder, list]:
    """Poll ``server`` with the real Poller loop, recording into ``out``; release version i+1 as soon
    as the i-th payload is recorded and polled once more unchanged. Returns the recorder and every
    snapshot that became current."""
    n = len(server.versions)
    night = create_recording(out, url=server.url, kind=server.fmt)
    recorder = Recorder(night)
    shown: list = []
    payloads = 0
    stop = threading.Event()
    failure: list[BaseException] = []

    def sink(report: PollReport) -> None:
        nonlocal payloads
        recorded = recorder.record_report(report)
        shown.extend(recorded.snapshots)
        payloads += sum(e.kind == "new" for e in report.events)
        if payloads >= n:
            stop.set()
        elif payloads > server.current_index() and report.events[-1].kind in ("not-modified", "version"):
            step.release(payloads)  # after the poller has seen the current version unchanged once

    def loop() -> None:
        try:
            with make_client() as client:
                Poller(discover(server.url), client=client, policy=PollPolicy(interval=interval)).run(
                    sink, stop
                )
        except BaseException as exc:
            failure.append(exc)
            stop.set()

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    thread.join(DEADLINE_S)
    stop.set()
    thread.join(10)
    night.close()
    if failure:
        raise failure[0]
    assert payloads == n, f"recorded {payloads} of {n} versions before the deadline"
    return recorder, shown


def test_recording_a_served_native_night_holds_every_version_byte_for_byte(tmp_path: Path) -> None:
    times = _times(BUNDLED)
    step = StepClock(times, SPEED)
    with FeedServer(BUNDLED, fmt="native", speed=SPEED, clock=step) as server:
        recorder, shown = _drive(server, step, tmp_path / "rec.night")
        statuses = {status for _path, status in server.requests}
    assert statuses <= {200, 304} and 304 in statuses  # conditional GETs answered "not modified"
    with NightFile.open(BUNDLED) as source, NightFile.open(tmp_path / "rec.night") as rec:
        src_versions, rec_versions = source.versions(), rec.versions()
        assert len(rec_versions) == len(src_versions) == 73
        for a, b in zip(src_versions, rec_versions, strict=True):
            assert rec.payload(b.payload_id) == source.payload(a.payload_id)
            assert b.fmt == "tracker-feed/1" and b.version == a.version
        assert any(f.status == 304 and f.payload_id is None for f in rec.fetches())  # 304s are logged
        # the recording replays identically: same final snapshot as the served night
        final_src, final_rec = source.snapshot(src_versions[-1]), rec.snapshot(rec_versions[-1])
        assert [c.totals for c in final_rec.contests] == [c.totals for c in final_src.contests]
    assert recorder.versions == 73 and recorder.stale == 0 and len(shown) == 73
    published = [s.published_at for s in shown]
    assert published == sorted(published)


def _night_with_a_stale_cache(path: Path) -> list[str]:
    return write_stale_cache_night(path, first=10)


def test_a_stale_version_is_recorded_but_never_shown_and_the_newer_one_stays_current(tmp_path: Path) -> None:
    stale_night = tmp_path / "stale.night"
    order = _night_with_a_stale_cache(stale_night)
    step = StepClock(_times(stale_night), SPEED)
    with FeedServer(stale_night, fmt="native", speed=SPEED, clock=step) as server:
        assert len(server.versions) == 6  # the server reproduces the fault
        recorder, shown = _drive(server, step, tmp_path / "rec.night")
    assert recorder.stale == 1
    assert [s.payload_id for s in shown] == [order[0], order[1], order[2], order[5]]
    published = [s.published_at for s in shown]
    assert published == sorted(published)  # counts never went back in time
    with NightFile.open(tmp_path / "rec.night") as rec:
        kept = rec.versions()
        assert [v.sha256 for v in kept] == order  # the stale payload is in the file, in its place
        assert [v.sha256 for v in current_versions(kept)] == [order[0], order[1], order[2], order[5]]


def _registry_reads_zips() -> bool:
    from tracker.feeds.clarity_writer import detail_zip

    try:
        detect_format(detail_zip(b"<ElectionResult/>"), "detailxml.zip")
    except FeedError:
        return False
    return True


def test_recording_a_night_served_as_clarity(tmp_path: Path) -> None:
    if not _registry_reads_zips():
        pytest.skip("the registry does not read Clarity detailxml.zip yet")
    times = _times(RUNOFF)
    step = StepClock(times, SPEED)
    with FeedServer(RUNOFF, fmt="clarity", speed=SPEED, clock=step) as server:
        assert discover(server.url).kind == "clarity"
        served = [server.document(i, "clarity").body for i in range(len(server.versions))]
        recorder, _shown = _drive(server, step, tmp_path / "rec.night")
        paths_seen = {p for p, _ in server.requests}
    assert any(p.endswith("/current_ver.txt") for p in paths_seen)
    assert sum(p.endswith("detailxml.zip") for p, _ in server.requests) == len(served)  # one fetch each
    with NightFile.open(RUNOFF) as source, NightFile.open(tmp_path / "rec.night") as rec:
        rec_versions = rec.versions()
        assert [rec.payload(v.payload_id) for v in rec_versions] == served
        final_src = source.snapshot(source.versions()[-1])
        final_rec = rec.snapshot(rec_versions[-1])
        for a, b in zip(final_src.contests, final_rec.contests, strict=True):
            assert a.totals == b.totals and a.precincts == b.precincts
    assert recorder.versions == len(served)


def test_real_clock_at_high_speed_shows_versions_in_order_and_ends_on_the_last(tmp_path: Path) -> None:
    """No stepping: the server's clock runs 50 000× (1000× speed on a clock 50× fast) and the
    poller polls every 20 ms; intermediate versions may be skipped, the order never goes back, and
    the recording ends with the night's final version."""
    start = time.monotonic()
    with FeedServer(
        RUNOFF, fmt="native", speed=SPEED, clock=lambda: (time.monotonic() - start) * 50
    ) as server:
        night = create_recording(tmp_path / "fast.night", url=server.url, kind="native")
        recorder = Recorder(night)
        stop = threading.Event()
        last_sha = server.versions[-1].sha256

        def sink(report: PollReport) -> None:
            recorder.record_report(report)
            if recorder.current is not None and recorder.current.payload_id == last_sha:
                stop.set()

        with make_client() as client:
            poller = Poller(discover(server.url), client=client, policy=PollPolicy(interval=0.02))
            timer = threading.Timer(DEADLINE_S, stop.set)
            timer.start()
            poller.run(sink, stop)
            timer.cancel()
        night.close()
    with NightFile.open(tmp_path / "fast.night") as rec, NightFile.open(RUNOFF) as source:
        got = [v.sha256 for v in rec.versions()]
        order = [v.sha256 for v in source.versions()]
        assert got[-1] == order[-1]
        positions = [order.index(s) for s in got]
        assert positions == sorted(positions)


def test_server_answers_304_404_and_a_results_page(tmp_path: Path) -> None:
    step = StepClock(_times(RUNOFF), SPEED)
    with FeedServer(RUNOFF, fmt="clarity", speed=SPEED, clock=step) as server, make_client() as client:
        base = server.base_url + server.clarity_prefix
        ver = client.get(base + "current_ver.txt")
        assert ver.status_code == 200 and ver.text == str(server.clarity_ver(0))
        again = client.get(base + "current_ver.txt", headers={"If-None-Match": ver.headers["ETag"]})
        assert again.status_code == 304
        assert client.get(base).status_code == 200 and "current_ver.txt" in client.get(base).text
        assert client.get(f"{base}{server.clarity_ver(0)}/reports/detailxml.zip").status_code == 200
        # a version not released yet does not exist
        assert client.get(f"{base}{server.clarity_ver(5)}/reports/detailxml.zip").status_code == 404
        assert client.get(server.base_url + "/nothing").status_code == 404


def test_server_survives_a_burst_of_connections() -> None:
    """http.server's default backlog of 5 drops connections under a burst; ours has a large one."""
    step = StepClock(_times(RUNOFF), SPEED)
    with FeedServer(RUNOFF, fmt="native", speed=SPEED, clock=step) as server:
        errors: list[BaseException] = []

        def hit() -> None:
            try:
                with httpx.Client(timeout=60, trust_env=False) as c:  # (bounds, not timings)
                    for _ in range(3):
                        assert c.get(server.url).status_code == 200
            except BaseException as exc:
                errors.append(exc)

        threads = [threading.Thread(target=hit) for _ in range(24)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
    assert not errors


# -- the commands --------------------------------------------------------------------------------------------
def _cli(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "tracker", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _read_line_with(proc: subprocess.Popen[str], needle: str, timeout: float = 120) -> str:
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if needle in line:
            return line
        if not line and proc.poll() is not None:
            break
    raise AssertionError(f"no line with {needle!r}; stderr: {proc.stderr.read() if proc.stderr else ''}")


def test_record_command_stops_cleanly_on_ctrl_c_and_the_night_is_intact(tmp_path: Path) -> None:
    out = tmp_path / "cli.night"
    with FeedServer(RUNOFF, fmt="native", speed=SPEED) as server:
        proc = _cli("record", server.url, "--interval", "0.1", "-o", str(out))
        try:
            _read_line_with(proc, " new ")
            proc.send_signal(signal.SIGINT)
            stdout, stderr = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0, stderr
    assert "wrote" in stdout and "Traceback" not in stderr
    assert not Path(str(out) + "-wal").exists()  # closed properly: one self-contained file
    with NightFile.open(out) as night:
        assert night.kind == "recorded" and len(night.versions()) >= 1
        assert night.meta["feed_url"] == server.url


def test_serve_command_serves_until_ctrl_c(tmp_path: Path) -> None:
    proc = _cli("serve", str(RUNOFF), "--as", "clarity", "--port", "0", "--speed", "1000")
    try:
        line = _read_line_with(proc, "serving")
        url = line.split(" at ", 1)[1].split(" ", 1)[0]
        with make_client() as client:
            ver = client.get(url + "current_ver.txt")
            assert ver.status_code == 200 and ver.text.isdigit()
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0


def test_record_and_serve_refuse_bad_input_with_one_line(tmp_path: Path) -> None:
    from tracker.cli import main

    assert main(["record", "ftp://x/feed", "-o", str(tmp_path / "x.night")]) == 2
    assert main(["serve", str(tmp_path / "missing.night"), "--port", "0"]) == 2
    assert main(["serve", str(RUNOFF), "--speed", "5000", "--port", "0"]) == 2


def test_recording_a_night_served_as_ap_v2(tmp_path: Path) -> None:
    """``serve --as ap``: AP v2 JSON at /v2/elections/{date}, polled as AP (the key in a header,
    never in what is recorded), every version recorded and read back to the night's totals."""
    times = _times(RUNOFF)
    step = StepClock(times, SPEED)
    with FeedServer(RUNOFF, fmt="ap", speed=SPEED, clock=step) as server:
        assert server.url.endswith("/v2/elections/2017-06-20")
        target = discover(server.url + "?apiKey=secret-key&level=ru")
        assert target.kind == "ap" and "secret-key" not in target.url
        n = len(server.versions)
        night = create_recording(tmp_path / "ap.night", url=target.display_url, kind="ap")
        recorder = Recorder(night)
        stop = threading.Event()
        payloads = 0

        def sink(report: PollReport) -> None:
            nonlocal payloads
            recorder.record_report(report)
            payloads += sum(e.kind == "new" for e in report.events)
            if payloads >= n:
                stop.set()
            elif payloads > server.current_index() and report.events[-1].kind == "not-modified":
                step.release(payloads)

        with make_client() as client:
            timer = threading.Timer(DEADLINE_S, stop.set)
            timer.start()
            Poller(target, client=client, policy=PollPolicy(interval=0.02)).run(sink, stop)
            timer.cancel()
        night.close()
    assert payloads == n
    with NightFile.open(RUNOFF) as source, NightFile.open(tmp_path / "ap.night") as rec:
        rec_versions = rec.versions()
        assert len(rec_versions) == n and {v.fmt for v in rec_versions} == {"ap-v2"}
        assert all("secret-key" not in f.url for f in rec.fetches())
        for a, b in zip(source.versions(), rec_versions, strict=True):
            src, got = source.snapshot(a), rec.snapshot(b)
            assert [c.totals for c in got.contests] == [c.totals for c in src.contests]
            assert [c.precincts for c in got.contests] == [c.precincts for c in src.contests]


def _runoff_recording(shared: Path, out: Path, count: int) -> list[str]:
    """A night of the first ``count`` real ALL.json snapshots of Georgia's 5 Jan 2021 runoff, at the
    times the scraper took them, with the ``current_ver`` each was served under (PROVENANCE.md:
    the served version went back 274465 → 274437 → 274465 at 02:50 UTC, and again later)."""
    folder = shared / "recordings" / "clarity-GA-107556-2021-01-05-runoff_ALLjson"
    # (eight files carry no current_ver in their name: the scraper did not record it; left out)
    files = [f for f in sorted(folder.glob("*_ALL.json")) if "_ver_" not in f.name][:count]
    vers = []
    with NightFile.create(out, kind="recorded", label="GA runoff 2021, ALL.json as scraped") as night:
        for f in files:
            stamp, ver = f.name.split("_")[0], f.name.split("_")[1].removeprefix("ver")
            when = dt.datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
            data = f.read_bytes()
            url = f"https://results.enr.clarityelections.com/GA/107556/{ver}/json/ALL.json"
            try:  # some snapshots are the server's HTML 404 page, not results: not a version
                fmt = detect_format(data, f.name)
                parse_payload(data, fmt, source=url)
            except FeedError:
                continue
            night.add_payload(data, fetched_at=when, fmt=fmt, url=url, version=ver)
            vers.append(ver)
    return vers


def test_the_real_stale_cache_of_the_2021_runoff_is_kept_but_never_shown(
    shared_data: Path, tmp_path: Path
) -> None:
    vers = _runoff_recording(shared_data, tmp_path / "runoff.night", 40)
    backwards = [b for a, b in itertools.pairwise(vers) if int(b) < int(a)]
    assert "274437" in backwards  # the fault on record is in this span
    with NightFile.open(tmp_path / "runoff.night") as night:
        shown = [int(v.version or 0) for v in current_versions(night.versions())]
    assert shown == sorted(shown)  # never back (two payloads can share a version number)
    assert max(shown) == max(int(v) for v in vers)  # the newest version is never lost

    # served as a live feed and recorded by the real poller: the same, over HTTP
    step = StepClock(_times(tmp_path / "runoff.night"), SPEED)
    with FeedServer(tmp_path / "runoff.night", fmt="native", speed=SPEED, clock=step) as server:
        recorder, snapshots = _drive(server, step, tmp_path / "rec.night")
    on_screen = [int(s.version) for s in snapshots]
    assert on_screen == sorted(on_screen) and recorder.stale >= len(backwards)
    assert on_screen[-1] == max(int(v) for v in vers)


def test_ap_quota_over_http_the_poller_waits_for_the_reset() -> None:
    """``serve --as ap --ap-quota``: after N requests in a window AP answers 403 with Retry-After;
    the real poller stops asking until the window resets, then carries on."""
    step = StepClock(_times(RUNOFF), SPEED)
    with FeedServer(RUNOFF, fmt="ap", speed=SPEED, clock=step, ap_quota=3, quota_window=1.0) as server:
        reports: list[PollReport] = []
        stop = threading.Event()

        def sink(report: PollReport) -> None:
            reports.append(report)
            if sum(r.events[-1].status == 403 for r in reports) >= 2 and reports[-1].events[-1].status != 403:
                stop.set()  # two quota errors, and polling resumed after the second

        with make_client() as client:
            timer = threading.Timer(DEADLINE_S, stop.set)
            timer.start()
            Poller(discover(server.url), client=client, policy=PollPolicy(interval=0.02)).run(sink, stop)
            timer.cancel()
        statuses = [s for _p, s in server.requests]
    quota = [r for r in reports if r.events[-1].status == 403]
    assert len(quota) == 2 and all(r.reason.startswith("quota") and r.delay >= 1.0 for r in quota)
    # after each 403 exactly one request was refused: the poller waited instead of hammering
    assert statuses.count(403) == 2
    assert reports[-1].state.failures == 0 and reports[-1].state.error is None


def test_a_county_site_of_a_served_clarity_night_has_that_countys_precincts(tmp_path: Path) -> None:
    """``/{ST}/{County}/{id}/``: one county's own site, recorded with the real poller; what it
    holds is exactly that county's precincts of the night."""
    step = StepClock(_times(BUNDLED), SPEED)
    with FeedServer(BUNDLED, fmt="clarity", speed=SPEED, clock=step) as server:
        assert server.counties() == ["Cobb", "DeKalb", "Fulton"]
        url = server.county_url("DeKalb")
        target = discover(url + "web.264614/#/summary")
        assert target.kind == "clarity" and target.clarity is not None and target.clarity[1] == "DeKalb"
        step.release(len(server.versions) - 1)  # the end of the night
        night = create_recording(tmp_path / "dekalb.night", url=url, kind="clarity")
        recorder = Recorder(night)
        with make_client() as client:
            recorder.record_report(Poller(target, client=client).poll_once())
        night.close()
    snap = recorder.current
    assert snap is not None
    with NightFile.open(BUNDLED) as source:
        final = source.snapshot(source.versions()[-1])
    house = final.contest("10")
    dekalb = [u for u in house.units if u.county == "DeKalb"]
    got = snap.contest("10")
    assert len(got.units) == len(dekalb) == 43 and all(u.county == "DeKalb" for u in got.units)
    assert got.totals == {c.id: sum(u.candidate_total(c.id) for u in dekalb) for c in house.candidates}
    assert [c.id for c in snap.contests] == ["10"]  # DeKalb has no part in the State Senate race


def test_record_resume_words_a_repeat_and_names_the_file_of_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tracker_home: Path
) -> None:
    """`record`, then `record --resume` after the site moved on (the README's rehearsal): the
    resumed poller fetches the version already recorded again (a late start's backfill), which is
    the same version, not "older than the current version" as the line used to say; and the
    summary.json a site without --summary answers 404 for says which file it was."""
    from tracker.cli import main

    times = _times(BUNDLED)
    step = StepClock(times, SPEED)
    out = tmp_path / "rehearsal.night"
    with FeedServer(BUNDLED, fmt="clarity", speed=SPEED, clock=step) as server:
        assert main(["record", server.url, "--interval", "0.05", "--max-polls", "2", "-o", str(out)]) == 0
        first = capsys.readouterr().out
        assert "new    200 version" in first
        step.release(1)
        # the site moves on once more while the resumed recording runs: that version's summary
        # is asked for first (the fast path), and this site serves none
        later = threading.Timer(0.5, step.release, args=(2,))
        later.start()
        try:
            assert main(["record", "--resume", str(out), "--interval", "0.05", "--max-polls", "40"]) == 0
        finally:
            later.cancel()
        resumed = capsys.readouterr().out
    assert "older than the current version" not in resumed
    assert "the version already recorded" in resumed
    errors = [line for line in resumed.splitlines() if " error " in line]
    assert errors and all("summary.json" in line for line in errors), resumed
    with NightFile.open(out) as night:
        assert len(current_versions(night.versions())) == 3
