"""``import_payloads``: saved payload files become a night, or nothing is written at all.

The real case uses the three GA-06 (18 Apr 2017) county detail XMLs from the shared data folder.
Every other document is a SYNTHETIC native feed built with ``tracker.feeds.native.dump_native``
from a tiny made-up snapshot: its numbers are test data, not election results.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tracker.archive.importer import FILE_ORDER_EPOCH, ImportResult, import_payloads
from tracker.archive.night import NightFile
from tracker.core.errors import FeedError, NightFileError, TrackerError
from tracker.core.model import Candidate, Contest, Election, Reporting, ReportingUnit, Snapshot
from tracker.feeds.native import FORMAT as NATIVE
from tracker.feeds.native import dump_native

NY = ZoneInfo("America/New_York")


def synthetic_feed(votes_a: int, published: dt.datetime | None = None) -> bytes:
    """A SYNTHETIC one-precinct native feed (made-up numbers) whose bytes change with ``votes_a``."""
    contest = Contest(
        id="c",
        name="Synthetic contest",
        candidates=(Candidate("a", "A", ballot_order=0), Candidate("b", "B", ballot_order=1)),
        units=(
            ReportingUnit(
                id="p1",
                name="Precinct 1",
                reporting=Reporting.PARTIAL,
                votes={"a": {"Election Day": votes_a}, "b": {"Election Day": 5}},
            ),
        ),
    )
    election = Election(id="synthetic", name="Synthetic import test (not real)")
    return dump_native(Snapshot(election, (contest,), version=str(votes_a), published_at=published))


def write(folder: Path, files: dict[str, bytes]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return [folder / name for name in files]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_published_times_order_the_night(tmp_path: Path) -> None:
    t = dt.datetime(2017, 4, 18, 20, 0, tzinfo=NY)
    # File names sort against time order on purpose: the payloads' own times win.
    write(
        tmp_path / "in",
        {
            "a.json": synthetic_feed(30, t + dt.timedelta(minutes=30)),
            "b.json": synthetic_feed(10, t),
            "c.json": synthetic_feed(20, t + dt.timedelta(minutes=10)),
        },
    )
    out = tmp_path / "night.night"
    result = import_payloads([tmp_path / "in"], out=out, timezone="America/New_York")
    assert result == ImportResult(
        path=out,
        count=3,
        distinct=3,
        first_time=t.astimezone(dt.UTC),
        last_time=(t + dt.timedelta(minutes=30)).astimezone(dt.UTC),
        times="published",
    )
    assert result.first_time.tzinfo == dt.UTC
    with NightFile.open(out) as night:
        assert night.kind == "recorded" and not night.reconstructed
        assert night.label == "Synthetic import test (not real) — imported from 3 saved payloads"
        assert night.meta["times"] == "published"
        assert night.timezone == NY
        assert night.sources == ("a.json", "b.json", "c.json")
        versions = night.versions()
        assert [v.version for v in versions] == ["10", "20", "30"]
        assert [v.fetched_at for v in versions] == [t + dt.timedelta(minutes=m) for m in (0, 10, 30)]
        assert [v.url for v in versions] == ["b.json", "c.json", "a.json"]
        assert {v.fmt for v in versions} == {NATIVE}
        assert night.snapshot(versions[2]).contests[0].totals == {"a": 30, "b": 5}
        assert night.payload(versions[0].payload_id) == (tmp_path / "in" / "b.json").read_bytes()
    assert leftovers(tmp_path) == ["in", "night.night"]


def test_file_order_when_no_payload_has_a_time(tmp_path: Path) -> None:
    files = write(
        tmp_path / "in", {"2.json": synthetic_feed(2), "1.json": synthetic_feed(1), ".DS_Store": b"\0"}
    )
    files.append(tmp_path / "in" / "1.json")  # a file named twice is a second fetch of the same bytes
    out = tmp_path / "n.night"
    result = import_payloads([tmp_path / "in", files[0]], out=out, kind="reconstructed")
    assert (result.count, result.distinct, result.times) == (3, 2, "file order")
    assert (result.first_time, result.last_time) == (
        FILE_ORDER_EPOCH,
        FILE_ORDER_EPOCH + dt.timedelta(minutes=2),
    )
    with NightFile.open(out) as night:
        assert night.reconstructed
        assert night.label.endswith("— reconstructed, not the original feed")
        assert night.meta["times"] == "file order"
        assert "2000-01-01" in night.meta["times_note"]
        # Folder first (sorted by name, hidden files skipped), then the file given again.
        assert [f.url for f in night.fetches()] == ["1.json", "2.json", "2.json"]
        assert [v.version for v in night.versions()] == ["1", "2"]  # the repeat is not a new version


def test_times_csv(tmp_path: Path) -> None:
    write(tmp_path / "in", {"early.json": synthetic_feed(1), "late.json": synthetic_feed(2)})
    csv_path = tmp_path / "times.csv"
    # Excel's BOM, a naive time (taken in the night's zone) and one with an offset.
    csv_path.write_text(
        "\ufefffile,time,comment\nlate.json,2017-04-18T22:40:00,naive\nearly.json,2017-04-19T00:59:00Z,utc\n",
        encoding="utf-8",
    )
    out = tmp_path / "n.night"
    result = import_payloads([tmp_path / "in"], out=out, times_csv=csv_path, timezone="America/New_York")
    assert result.times == "csv"
    with NightFile.open(out) as night:
        got = [(v.url, v.fetched_at) for v in night.versions()]
    assert got == [
        ("early.json", dt.datetime(2017, 4, 19, 0, 59, tzinfo=dt.UTC)),
        ("late.json", dt.datetime(2017, 4, 18, 22, 40, tzinfo=NY)),
    ]


def test_times_csv_only_fills_payloads_without_their_own_time(tmp_path: Path) -> None:
    own = dt.datetime(2017, 4, 18, 23, 0, tzinfo=dt.UTC)
    write(tmp_path / "in", {"a.json": synthetic_feed(1, own), "b.json": synthetic_feed(2)})
    csv_path = tmp_path / "t.csv"
    csv_path.write_text("file,time\na.json,1999-01-01T00:00:00Z\nb.json,2017-04-18T23:30:00+00:00\n")
    result = import_payloads([tmp_path / "in"], out=tmp_path / "n.night", times_csv=csv_path)
    assert (result.times, result.first_time, result.last_time) == (
        "published+csv",
        own,
        own + dt.timedelta(minutes=30),
    )


def test_missing_csv_row_names_the_file(tmp_path: Path) -> None:
    write(tmp_path / "in", {"a.json": synthetic_feed(1), "b.json": synthetic_feed(2)})
    csv_path = tmp_path / "t.csv"
    csv_path.write_text("file,time\na.json,2017-04-18T20:00:00-04:00\n")
    out = tmp_path / "n.night"
    with pytest.raises(TrackerError, match=r"t\.csv has no time for b\.json"):
        import_payloads([tmp_path / "in"], out=out, times_csv=csv_path)
    assert leftovers(tmp_path) == ["in", "t.csv"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name,when\na.json,2017-04-18T20:00:00Z\n", "needs a header row with the columns file,time"),
        ("file,time\na.json,8 pm\n", r"line 2: '8 pm' is not an ISO-8601 time"),
        ("file,time\na.json,2017-04-18T20:00Z\na.json,2017-04-18T21:00Z\n", "line 3: a.json is listed twice"),
    ],
)
def test_bad_times_csv(tmp_path: Path, content: str, message: str) -> None:
    write(tmp_path / "in", {"a.json": synthetic_feed(1)})
    (tmp_path / "t.csv").write_text(content)
    with pytest.raises(TrackerError, match=message):
        import_payloads([tmp_path / "in"], out=tmp_path / "n.night", times_csv=tmp_path / "t.csv")
    assert not (tmp_path / "n.night").exists()


def test_mixing_real_and_missing_times_needs_a_csv(tmp_path: Path) -> None:
    t = dt.datetime(2017, 4, 18, 23, 0, tzinfo=dt.UTC)
    write(tmp_path / "in", {"a.json": synthetic_feed(1, t), "b.json": synthetic_feed(2)})
    with pytest.raises(TrackerError, match=r"b\.json has no publication time of its own.*--times"):
        import_payloads([tmp_path / "in"], out=tmp_path / "n.night")


def test_a_malformed_payload_writes_nothing(tmp_path: Path) -> None:
    good = synthetic_feed(1)
    bad = good.replace(b'"Election Day":1', b'"Election Day":-1')
    assert bad != good
    write(tmp_path / "in", {"1.json": good, "2.json": bad})
    out = tmp_path / "n.night"
    with pytest.raises(
        FeedError, match=r"^2\.json: contests\[0\]\.units\[0\]\.votes\['a'\]\['Election Day'\]"
    ):
        import_payloads([tmp_path / "in"], out=out)
    assert leftovers(tmp_path) == ["in"]
    (tmp_path / "in" / "2.json").write_bytes(b"not a feed at all")
    with pytest.raises(FeedError, match=r"2\.json"):
        import_payloads([tmp_path / "in"], out=out)
    with pytest.raises(FeedError, match=r"2\.json"):
        import_payloads([tmp_path / "in"], out=out, fmt=NATIVE)
    assert leftovers(tmp_path) == ["in"]


def test_existing_night_is_kept_unless_overwrite(tmp_path: Path) -> None:
    files = write(tmp_path / "in", {"a.json": synthetic_feed(1)})
    out = tmp_path / "n.night"
    import_payloads(files, out=out, label="First import")
    before = out.read_bytes()
    with pytest.raises(NightFileError, match="already exists"):
        import_payloads(files, out=out, label="Second import")
    assert out.read_bytes() == before
    import_payloads(files, out=out, label="Second import", overwrite=True)
    with NightFile.open(out) as night:
        assert night.label == "Second import"
    assert leftovers(tmp_path) == ["in", "n.night"]


def test_same_inputs_build_the_same_file(tmp_path: Path) -> None:
    """With a fixed creation time the night is reproducible byte for byte."""
    files = write(tmp_path / "in", {"a.json": synthetic_feed(1), "b.json": synthetic_feed(2)})
    created = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    import_payloads(files, out=tmp_path / "1.night", created_at=created)
    import_payloads(files, out=tmp_path / "2.night", created_at=created)
    assert (tmp_path / "1.night").read_bytes() == (tmp_path / "2.night").read_bytes()


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"paths": ["missing.json"]}, TrackerError, "no such file or folder"),
        ({"paths": []}, TrackerError, "nothing to import"),
        ({"fmt": "ap-v9"}, FeedError, "unknown format 'ap-v9'"),
        ({"timezone": "Georgia/Atlanta"}, TrackerError, "unknown time zone"),
    ],
)
def test_argument_errors(tmp_path: Path, kwargs: dict, error: type[Exception], message: str) -> None:
    write(tmp_path / "in", {"a.json": synthetic_feed(1)})
    args = {"paths": [tmp_path / "in"], "out": tmp_path / "n.night", **kwargs}
    args["paths"] = [p if isinstance(p, Path) else tmp_path / p for p in args["paths"]]
    with pytest.raises(error, match=message):
        import_payloads(**args)
    assert not (tmp_path / "n.night").exists()


def test_real_clarity_detail_xml(tmp_path: Path, shared_data: Path) -> None:
    """The three GA-06 county detail XMLs: each Timestamp becomes the payload's time."""
    folder = shared_data / "ga06-2017-04-18"
    files = sorted(folder.glob("*_detail.xml"))
    assert [f.name for f in files] == [
        "2017_Cobb_detail.xml",
        "2017_DeKalb_detail.xml",
        "2017_Fulton_detail.xml",
    ]
    out = tmp_path / "ga06.night"
    result = import_payloads(files, out=out, timezone="America/New_York")
    assert (result.count, result.distinct, result.times) == (3, 3, "published")
    # Fulton's file is stamped 4/24/2017 3:29:32 PM EDT, Cobb's 4/25/2017 3:58:11 PM EDT.
    assert result.first_time == dt.datetime(2017, 4, 24, 15, 29, 32, tzinfo=NY)
    assert result.last_time == dt.datetime(2017, 4, 25, 15, 58, 11, tzinfo=NY)
    with NightFile.open(out) as night:
        versions = night.versions()
        assert [v.url for v in versions] == [
            "2017_Fulton_detail.xml",
            "2017_DeKalb_detail.xml",
            "2017_Cobb_detail.xml",
        ]
        assert {v.fmt for v in versions} == {"clarity-detail-xml"}
        assert [night.payload(v.payload_id) for v in versions] == [
            (folder / v.url).read_bytes() for v in versions
        ]
        house = [night.snapshot(v) for v in versions]
        totals: dict[str, int] = {}
        for snap in house:
            (contest,) = [c for c in snap.contests if c.name == "U.S. Representative, District 6"]
            for cid, n in contest.totals.items():
                name = contest.candidate(cid).name
                totals[name] = totals.get(name, 0) + n
    # The district-wide checks from PROVENANCE.md: the night holds every vote of the three files.
    assert sum(totals.values()) == 192_569
    ossoff = [name for name in totals if "OSSOFF" in name.upper()]
    assert len(ossoff) == 1 and totals[ossoff[0]] == 92_673


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("20210106T000831Z_ver273739_1d313d2043_ALL.json", dt.datetime(2021, 1, 6, 0, 8, 31, tzinfo=dt.UTC)),
        (
            "2022-11-08T21-09-22-05-00.csv",
            dt.datetime(2022, 11, 8, 21, 9, 22, tzinfo=dt.timezone(-dt.timedelta(hours=5))),
        ),
        ("detail_2017-04-18_22:40:05.xml", dt.datetime(2017, 4, 18, 22, 40, 5, tzinfo=NY)),
        ("ALL.json", None),
        ("version_273739.json", None),
        ("20211399T000000Z.json", None),  # no such day
    ],
)
def test_a_time_in_a_file_name(name: str, expected: dt.datetime | None) -> None:
    from tracker.archive.importer import name_time

    assert name_time(name, NY) == expected


def test_names_time_the_payloads_and_unreadable_files_can_be_left_out(
    tmp_path: Path, capsys, tracker_home
) -> None:
    """SYNTHETIC feeds without times of their own, named as a scraper names its files, and one
    saved error page: the import stops on it, naming the file and the way round; with
    ``skip_unreadable`` it is left out and listed, and the names give the times."""
    write(
        tmp_path / "in",
        {
            "20210106T001230Z_feed.json": synthetic_feed(2),
            "20210105T224741Z_feed.json": synthetic_feed(1),
            "20210106T000831Z_feed.json": b"<html><body>404 Not Found</body></html>",
        },
    )
    out = tmp_path / "n.night"
    with pytest.raises(FeedError, match=r"^20210106T000831Z_feed\.json is an HTML page"):
        import_payloads([tmp_path / "in"], out=out)
    assert [p for p in leftovers(tmp_path) if p != "tracker-home"] == ["in"]
    from tracker.cli import main

    assert main(["import", str(tmp_path / "in"), "-o", str(out)]) == 2  # the command names the way round
    assert "--skip-unreadable" in capsys.readouterr().err
    result = import_payloads([tmp_path / "in"], out=out, skip_unreadable=True)
    assert (result.count, result.times) == (2, "file names")
    assert [name for name, _ in result.skipped] == ["20210106T000831Z_feed.json"]
    assert result.first_time == dt.datetime(2021, 1, 5, 22, 47, 41, tzinfo=dt.UTC)
    with NightFile.open(out) as night:
        assert night.meta["times"] == "file names"
        assert "20210106T000831Z_feed.json" in night.meta["skipped"]
        assert [v.version for v in night.versions()] == ["1", "2"]
    (tmp_path / "in" / "20210106T001230Z_feed.json").write_bytes(b"{}")
    (tmp_path / "in" / "20210105T224741Z_feed.json").write_bytes(b"")
    with pytest.raises(FeedError, match="none of the 3 files could be read"):
        import_payloads([tmp_path / "in"], out=tmp_path / "m.night", skip_unreadable=True)


@pytest.mark.slow
def test_a_real_scrapers_folder_imports_with_its_error_pages_left_out(
    tmp_path: Path, shared_data: Path
) -> None:
    """Real: 137 files a scraper saved of Clarity's ALL.json for Georgia's 2021 runoff, 18 of them
    the server's HTML error pages, times only in the file names."""
    folder = shared_data / "recordings" / "clarity-GA-107556-2021-01-05-runoff_ALLjson"
    result = import_payloads(
        [folder], out=tmp_path / "ga.night", skip_unreadable=True, timezone="America/New_York"
    )
    assert (result.count, len(result.skipped), result.times) == (119, 18, "file names")
    assert result.first_time == dt.datetime(2021, 1, 5, 22, 47, 41, tzinfo=dt.UTC)


def test_a_georgia_export_imports_in_georgias_zone(shared_data: Path, tmp_path: Path) -> None:
    """`import --timezone` promises the file's state's zone by default: Georgia's export is
    Georgia's (the zone its live feed is shown in), not UTC as an imported one was (found walking
    `election-tracker open FILE` in docs/feeds.md). A zone given still wins."""
    export = shared_data / "ga-sos" / "2023-06-13_HD68_special_runoff.json"
    out = tmp_path / "hd68.night"
    import_payloads([export], out=out)
    with NightFile.open(out) as night:
        assert str(night.timezone) == "America/New_York"
    import_payloads([export], out=out, timezone="America/Chicago", overwrite=True)
    with NightFile.open(out) as night:
        assert str(night.timezone) == "America/Chicago"
