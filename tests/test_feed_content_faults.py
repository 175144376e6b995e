"""Faults in what a feed says rather than in how it says it: encodings and BOMs, a stale version,
counts going down, a candidate added then removed, a publication clock that is off.

Same rig as ``test_feed_faults.py`` (the real poller and recorder over loopback HTTP against
``serve``): encodings are switched on with a ``body`` fault; the other faults are versions of a
night built from the real June 2017 runoff payloads with one synthetic edit each (the night's label
says "synthetic"), served in their turn as a live feed would serve them.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from fault_server import JUNE, SPEED, Core, Fault, FaultyFeedServer, StepClock, rezip_detail

from tracker.archive.night import NightFile
from tracker.archive.recorder import current_versions
from tracker.feeds.registry import NATIVE, parse_payload

BOM = b"\xef\xbb\xbf"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _new_events(core: Core) -> int:
    return sum(e.kind in ("new", "stale") for r in core.reports for e in r.events)


# -- encodings ------------------------------------------------------------------------------------------
def _bom_in_zip(body: bytes) -> bytes:
    return rezip_detail(body, lambda xml: BOM + xml)


@pytest.mark.parametrize(
    ("fmt", "transform", "content_type"),
    [
        ("native", lambda b: BOM + b, "application/json; charset=iso-8859-1"),  # BOM, wrong charset
        ("native", lambda b: b, ""),  # no Content-Type at all
        ("ap", lambda b: BOM + b, "text/html"),
        ("clarity", _bom_in_zip, "application/octet-stream"),
    ],
    ids=["native-bom-wrong-charset", "native-no-content-type", "ap-bom-html", "clarity-xml-bom"],
)
def test_a_bom_or_a_wrong_or_missing_charset_reads_the_same_numbers(
    tmp_path: Path, fmt: str, transform: Callable[[bytes], bytes], content_type: str
) -> None:
    """Payloads are read from their bytes (UTF-8, a BOM allowed), never from a Content-Type that
    lies: the version is recorded byte for byte as served and shows the same totals."""
    step = StepClock(JUNE)
    with FaultyFeedServer(JUNE, fmt=fmt, speed=SPEED, clock=step) as server:
        core = Core(server.url, tmp_path / "rec.night")
        try:
            core.wait(lambda: len(core.shown) == 1, "version 0")
            match = "detailxml.zip" if fmt == "clarity" else ""
            server.set_fault(Fault("body", match=match, transform=transform, content_type=content_type))
            step.release(12)
            core.wait(lambda: len(core.shown) == 2, "the re-encoded version")
            assert core.health.error is None
            clean = server.document(12, fmt).body
        finally:
            path = core.stop()
    served = transform(clean)
    with NightFile.open(path) as night:
        versions = night.versions()
        assert night.payload(versions[-1].payload_id) == served  # kept exactly as fetched
    expected = parse_payload(clean, versions[-1].fmt, source="clean")
    assert [c.totals for c in core.shown[-1].contests] == [c.totals for c in expected.contests]


def test_latin1_xml_that_says_so_is_read_and_latin1_that_claims_utf8_is_one_clear_error(
    tmp_path: Path,
) -> None:
    """A Clarity file in ISO-8859-1 that declares it is read (an accented name comes through); the
    same bytes declared UTF-8 are unreadable: the feed's health says so, the last good version stays,
    and the next good file is shown."""

    def latin1(declared: bytes) -> Callable[[bytes], bytes]:
        def edit(xml: bytes) -> bytes:
            xml = xml.replace(b"encoding='utf-8'", b"encoding='" + declared + b"'", 1)
            return xml.replace(b"Ossoff", "Ossoff Jos\xe9".encode("latin-1"))  # synthetic accent

        def transform(body: bytes) -> bytes:
            return rezip_detail(body, edit)

        return transform

    step = StepClock(JUNE)
    with FaultyFeedServer(JUNE, fmt="clarity", speed=SPEED, clock=step) as server:
        core = Core(server.url, tmp_path / "rec.night")
        try:
            core.wait(lambda: len(core.shown) == 1, "version 0")
            server.set_fault(Fault("body", match="detailxml.zip", transform=latin1(b"ISO-8859-1")))
            step.release(12)
            core.wait(lambda: len(core.shown) == 2, "the Latin-1 version")
            names = {c.name for c in core.shown[-1].contests[0].candidates}
            assert any("Jos\xe9" in n for n in names), names
            server.set_fault(Fault("body", match="detailxml.zip", transform=latin1(b"utf-8")))
            step.release(13)
            core.wait(lambda: "unreadable payload" in (core.health.error or ""), "the encoding error")
            assert "encoding" in (core.health.error or "") and len(core.shown) == 2
            server.clear()
            core.wait(lambda: len(core.shown) == 3 and core.health.error is None, "the mended version")
        finally:
            path = core.stop()
    with NightFile.open(path) as night:
        assert len(current_versions(night.versions())) == 3


# -- content faults: nights built from real payloads, one synthetic edit each -----------------------------
Edit = Callable[[dict], dict]


def _built_night(path: Path, label: str, picks: list[tuple[int, Edit | None, dt.timedelta]]) -> list[bytes]:
    """A night of June 2017 payloads ``picks`` = (index, edit, published offset), 5 s apart, each
    document's ``version`` its place and ``published_at`` its fetch time plus the offset. Returns
    the payloads in order."""
    start = dt.datetime(2017, 6, 21, 1, 0, tzinfo=dt.UTC)
    out: list[bytes] = []
    with NightFile.open(JUNE) as source:
        vs = source.versions()
        with NightFile.create(path, kind="recorded", label=label) as night:
            for i, (index, edit, offset) in enumerate(picks):
                doc = json.loads(source.payload(vs[index].payload_id))
                when = start + dt.timedelta(seconds=5 * i)
                doc["version"], doc["published_at"] = str(i + 1), (when + offset).isoformat()
                if edit is not None:
                    doc = edit(doc)
                data = json.dumps(doc).encode()
                night.add_payload(data, fetched_at=when, fmt=NATIVE, url="http://127.0.0.1/feed.json")
                out.append(data)
    return out


def _serve_each(tmp_path: Path, night: Path) -> tuple[Core, Path]:
    """Serve ``night`` as native, releasing each version once the core has fetched the one before;
    the core's wall clock is the night's (a live night's clock, not today's)."""
    step = StepClock(night)
    with FaultyFeedServer(night, fmt="native", speed=SPEED, clock=step) as server:
        core = Core(server.url, tmp_path / "rec.night", wall=step.night_time)
        try:
            for i in range(len(server.versions)):
                step.release(i)
                core.wait(lambda i=i: _new_events(core) >= i + 1, f"version {i}")
            assert core.health.error is None
        finally:
            path = core.stop()
    return core, path


def _recorded(path: Path) -> list[bytes]:
    with NightFile.open(path) as night:
        return [night.payload(v.payload_id) for v in night.versions()]


def _house(doc: dict) -> dict:
    return doc["contests"][0]


def _halve_counts(doc: dict) -> dict:
    """Synthetic: every precinct's votes halved (a county retracting part of its count)."""
    for unit in _house(doc)["units"]:
        unit["votes"] = {c: {t: n // 2 for t, n in by.items()} for c, by in unit["votes"].items()}
    return doc


def test_counts_going_down_are_shown_as_the_feed_corrected_them_and_both_versions_kept(
    tmp_path: Path,
) -> None:
    zero = dt.timedelta(0)
    payloads = _built_night(
        tmp_path / "down.night",
        "Synthetic fault: counts go down (June 2017 payloads, edited)",
        [(20, None, zero), (21, None, zero), (21, _halve_counts, zero), (22, None, zero)],
    )
    core, path = _serve_each(tmp_path, tmp_path / "down.night")
    assert core.payloads_shown() == [_sha(p) for p in payloads]  # a correction is news, not stale
    before, after = (sum(core.shown[i].contests[0].totals.values()) for i in (1, 2))
    assert after < before  # the fault really is in the feed
    assert _recorded(path) == payloads  # the higher count is kept too, for the record


def _add_write_in(doc: dict) -> dict:
    """Synthetic: a write-in candidate appears with votes in the first counted precinct."""
    house = _house(doc)
    house["candidates"].append({"id": "synthetic-write-in", "name": "Synthetic Write-In", "party": ""})
    unit = next(u for u in house["units"] if u["votes"])
    vote_type = next(iter(next(iter(unit["votes"].values()))))
    unit["votes"]["synthetic-write-in"] = {vote_type: 7}
    return doc


def test_a_candidate_added_then_removed_is_shown_each_time_and_recorded(tmp_path: Path) -> None:
    zero = dt.timedelta(0)
    payloads = _built_night(
        tmp_path / "cand.night",
        "Synthetic fault: a candidate added then removed (June 2017 payloads, edited)",
        [(20, None, zero), (21, _add_write_in, zero), (22, None, zero)],
    )
    core, path = _serve_each(tmp_path, tmp_path / "cand.night")
    assert core.payloads_shown() == [_sha(p) for p in payloads]
    ids = [[c.id for c in s.contests[0].candidates] for s in core.shown]
    assert "synthetic-write-in" in ids[1] and "synthetic-write-in" not in ids[0] + ids[2]
    assert core.shown[1].contests[0].totals["synthetic-write-in"] == 7
    assert _recorded(path) == payloads


def test_a_publication_clock_off_by_a_day_never_freezes_the_feed(tmp_path: Path) -> None:
    """One version stamped a day ahead (a server clock jumped) must not make every later, correct
    version look older: a time that far ahead of our own clock is not used to order versions. A
    version stamped a day behind looks like a stale cache: kept, not shown, the next one is."""
    zero, day = dt.timedelta(0), dt.timedelta(days=1)
    payloads = _built_night(
        tmp_path / "skew.night",
        "Synthetic fault: publication times skewed (June 2017 payloads, edited)",
        [(20, None, zero), (21, None, day), (22, None, zero), (23, None, -day), (24, None, zero)],
    )
    core, path = _serve_each(tmp_path, tmp_path / "skew.night")
    assert core.payloads_shown() == [_sha(payloads[i]) for i in (0, 1, 2, 4)]
    assert core.health.stale == 1
    assert _recorded(path) == payloads  # every one kept
    with NightFile.open(path) as night:  # a replay of the recording agrees with what was shown live
        assert [v.sha256 for v in current_versions(night.versions())] == core.payloads_shown()


def test_a_stale_version_is_kept_not_shown_and_the_next_one_is(tmp_path: Path) -> None:
    """The feed goes back to an older version (a stale cache) and forward again."""
    step = StepClock(JUNE)
    with FaultyFeedServer(JUNE, fmt="native", speed=SPEED, clock=step) as server:
        core = Core(server.url, tmp_path / "rec.night")
        try:
            for index, shown in ((10, 1), (11, 2)):
                step.release(index)
                core.wait(lambda n=shown: len(core.shown) == n, f"version {index}")
            step.release(10)  # the cache serves the older version again
            core.wait(lambda: core.health.stale == 1, "the stale version to be noticed")
            assert len(core.shown) == 2 and core.health.error is None
            step.release(12)
            core.wait(lambda: len(core.shown) == 3, "the next version")
            served = [server.document(i, "native").body for i in (10, 11, 12)]
        finally:
            path = core.stop()
    assert core.payloads_shown() == [_sha(b) for b in served]
    assert _recorded(path) == [served[0], served[1], served[0], served[2]]
