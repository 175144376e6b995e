"""The backtest's night builders (benchmarks/backtest_nights.py) on the real shared data: the number
of versions, and final totals equal to the source's own final counts exactly."""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from pathlib import Path

import pytest

from benchmarks import backtest_nights as bn
from tracker.archive.chain import VersionChain
from tracker.archive.night import NightFile
from tracker.archive.projections import (
    NO_BASELINE,
    backtest_night,
    baseline_for,
    load_baseline_file,
    load_baselines,
)
from tracker.core.model import Reporting


def _night(path: Path):
    """(night meta, versions, the final contest, every version's contest)."""
    with NightFile.open(path) as night:
        versions = night.versions()
        chain = VersionChain(night, versions)
        contests = [chain.snapshot(i).contests[0] for i in range(len(versions))]
        return night.meta, versions, contests[-1], contests


def _sum_csv(path: Path, columns: dict[str, str]) -> dict[str, int]:
    out = dict.fromkeys(columns, 0)
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            for cid, col in columns.items():
                out[cid] += int(float(row[col] or 0))
    return out


@pytest.mark.slow
def test_nc_2020_nights_match_the_state_row(shared_data: Path, tmp_path: Path):
    state = bn.nc_final_state_row(shared_data)
    # The source's own final statewide row (vote type "total", last timestamp).
    assert (state["biden"], state["trump"], state["votes"]) == (2_663_230, 2_736_570, 5_479_902)
    for level in ("precincts", "counties"):
        meta, versions, final, contests = _night(bn.build_nc(tmp_path, level))
        assert meta["kind"] == "recorded"
        assert len(versions) == 69
        assert versions[0].fetched_at == dt.datetime(2020, 10, 30, 13, 19, 1, 425000, tzinfo=dt.UTC)
        # Precincts (or counties) only: the county and state rows beside them are not counted again.
        assert {k: final.totals[k] for k in ("biden", "trump", "jorgensen", "other")} == {
            k: state[k] for k in ("biden", "trump", "jorgensen", "other")
        }
        assert final.total_votes == state["votes"]
        assert len(final.units) == (2758 if level == "precincts" else 100)
        # 4 Nov 02:05:22 UTC: 4,529,654 votes in the state row at that time.
        at = next(
            i for i, v in enumerate(versions) if v.fetched_at.isoformat().startswith("2020-11-04T02:05")
        )
        assert contests[at].total_votes == 4_529_654
        # No completeness flags in the source: nothing is ever claimed complete.
        assert all(u.reporting is not Reporting.COMPLETE for c in contests for u in c.units)
        assert contests[0].total_votes == 0


def test_nc_2016_baseline_matches_the_county_night_by_name(shared_data: Path, tmp_path: Path):
    base = load_baseline_file(bn.build_nc_baseline(tmp_path))
    contest = next(iter(base.values()))
    assert len(contest.units) == 100
    alamance = contest.units["/alamance"]
    assert alamance.total == 69_264
    assert alamance.shares["democratic candidate (2016)"] == pytest.approx(29_268 / 69_264)


@pytest.mark.parametrize("race", sorted(bn.ALLEGHENY_RACES))
def test_allegheny_nights_keep_the_poller_files(shared_data: Path, tmp_path: Path, race: str):
    files = sorted((shared_data / bn.ALLEGHENY / race).glob("*.csv"))
    meta, versions, final, contests = _night(bn.build_allegheny(tmp_path, race))
    assert meta["kind"] == "recorded"
    assert len(versions) == len(files) == {"SD38": 15, "HD30": 13, "HD33": 13}[race]
    last = max(files, key=lambda p: bn._file_time(p.name))
    assert final.totals == _sum_csv(last, {"dem": "dem_total", "rep": "rep_total", "wi": "wi_total"})
    assert versions[-1].fetched_at == bn._file_time(last.name)
    # The two test runs of 6 Nov carried no votes: every precinct "none", none "complete" ever.
    assert contests[0].total_votes == 0 and {u.reporting for u in contests[0].units} == {Reporting.NONE}
    assert all(u.reporting is not Reporting.COMPLETE for c in contests for u in c.units)


def test_va_reconstructed_night_is_labelled_and_sums_to_the_final(shared_data: Path, tmp_path: Path):
    path = bn.build_va(tmp_path, "gop-first")
    assert "reconstructed" in path.name
    meta, versions, final, contests = _night(path)
    assert meta["kind"] == "reconstructed" and "reconstructed" in meta["label"]
    assert meta["times"] == "invented"
    assert len(versions) == 20
    sums = _sum_csv(
        shared_data / bn.VA_FILE, {"dem": "results_dem", "gop": "results_gop", "all": "results_turnout"}
    )
    assert final.totals["dem"] == sums["dem"] and final.totals["gop"] == sums["gop"]
    # Two precincts have turnout one vote below dem + gop ("Others" is 0 there, not -1).
    assert final.total_votes == sums["all"] + 2
    counted = [c.total_votes for c in contests]
    assert counted == sorted(counted)
    # The Republican's best precincts first: he leads early, the Democrat wins at the end.
    assert contests[2].share("gop") > 0.55 and final.ranked()[0].id == "dem"
    base = baseline_for(load_baseline_file(bn.build_va_baseline(tmp_path)), final)
    assert base is not None and base.matched(final) == len(final.units) == 2360
    # The night names its baseline, so `backtest NIGHT` finds it and `--baseline none` drops it.
    with NightFile.open(path) as night:
        found = load_baselines(night)
    assert baseline_for(found, final) == base
    assert backtest_night(path, orders=("recorded",), baseline=NO_BASELINE).baseline is False
    assert backtest_night(path, orders=("recorded",)).baseline is True


def test_ga06_2016_baseline_equals_the_county_totals(shared_data: Path, tmp_path: Path):
    """Precincts × every vote-type column (DeKalb and Fulton have a third advance bucket) add up to
    the files' own county-total rows, which the baseline leaves out."""
    totals: dict[str, int] = {}
    for p in sorted((shared_data / bn.GA06_2016).glob("*.csv")):
        with p.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["office"] == "U.S. Representative" and row["district"] == "6" and not row["precinct"]:
                    totals[row["candidate"]] = totals.get(row["candidate"], 0) + int(row["votes"])
    assert totals == {"TOM PRICE": 201_088, "RODNEY STOOKSBURY": 124_917}
    baselines = load_baseline_file(bn.build_ga06_baseline(tmp_path))
    house = baselines["u.s. house, district 6 (2016)"]
    by_name = {}
    for key, unit in house.units.items():
        if key.startswith("/"):  # a county's own total, rolled up for county-level feeds
            continue
        for name, share in unit.shares.items():
            by_name[name] = by_name.get(name, 0) + round(share * unit.total)
    assert by_name == {"tom price": 201_088, "rodney stooksbury": 124_917}
    with NightFile.open(bn.paths.resources_dir() / "nights" / "ga06-2017-04-18.night") as night:
        versions = night.versions()
        april = night.snapshot(versions[-1]).contests[0]
    top = baseline_for(baselines, april)
    assert top is not None and top.label.endswith("President of the United States (2016)")
    assert top.matched(april) >= 200  # a few precincts were split or renamed since November


def test_ga_2021_runoff_keeps_the_recorded_order(shared_data: Path, tmp_path: Path):
    built = bn.build_ga2021(tmp_path)
    assert built is not None
    meta, versions, _final, contests = _night(built[0])
    assert meta["kind"] == "recorded"
    assert len(versions) == 108
    times = [v.fetched_at for v in versions]
    assert times == sorted(times)
    # The served version went backwards for a moment (a stale cache): the counts did too, and the
    # night keeps them where they were recorded.
    counted = [c.total_votes for c in contests]
    assert any(b < a for a, b in itertools.pairwise(counted))
    assert not (tmp_path / "times.csv").exists()
    # ALL.json carries no date: the night is dated by its first file, so that the runoff's turnout
    # prior (a special election against November 2020) applies, not today's date
    import datetime as dt

    from tracker.archive.night import NightFile
    from tracker.archive.projections import night_date

    with NightFile.open(built[0]) as night:
        assert night_date(night) == dt.date(2021, 1, 5)


def test_ga_2021_in_an_ap_shape_is_labelled_reconstructed_and_keeps_the_counts(
    shared_data: Path, tmp_path: Path
):
    """The AP-shaped night invents expected votes and precinct counts: it says so in its kind,
    label and meta, and its counts are the recording's, version by version."""
    built = bn.build_ga2021(tmp_path)
    assert built is not None
    path = bn.build_ga2021_ap_shape(tmp_path, built[0])
    assert "reconstructed" in path.name
    meta, versions, final, contests = _night(path)
    assert meta["kind"] == "reconstructed" and "reconstructed" in meta["label"]
    assert "invented" in meta["label"] and meta["invented"] == "expected_votes, precincts"
    with NightFile.open(built[0]) as night:
        chain = VersionChain(night, night.versions())
        recorded = [chain.snapshot(i).contest("10000") for i in range(len(versions))]
    assert [c.total_votes for c in contests] == [c.total_votes for c in recorded]
    assert {u.id: u.total() for u in final.units} == {u.id: u.total() for u in recorded[-1].units}
    # every county complete at the end, its expected vote within the invented spread of its count
    for u in final.units:
        assert u.reporting is Reporting.COMPLETE and u.precincts_reporting == bn.AP_SHAPE_PRECINCTS
        assert abs(u.expected_votes - u.total()) <= 5 * bn.AP_SHAPE_SPREAD * u.total() + 1
    # early on, counties with votes and no precinct in: the early and mail ballots
    early = next(c for c in contests if c.total_votes > 0)
    assert any(u.total() > 0 and u.precincts_reporting == 0 for u in early.units)


@pytest.mark.parametrize(
    "key, state, state_name, file, title", bn.OTHER_STATES, ids=[o[0] for o in bn.OTHER_STATES]
)
def test_other_states_final_files_are_one_version_matched_to_their_2016_counties(
    shared_data: Path, tmp_path: Path, key: str, state: str, state_name: str, file: str, title: str
):
    """Each other state's file is one real version (the backtest reorders it, it has no recorded
    order), its President race equal to the file's, and its state's 2016 counties match every
    county of it."""
    from tracker.archive.projections import pick_contest
    from tracker.feeds.registry import parse_payload

    path = bn.build_final_night(tmp_path, key, file, title)
    with NightFile.open(path) as night:
        versions = night.versions()
        final = pick_contest(VersionChain(night, versions).snapshot(0), "President")
    assert len(versions) == 1
    direct = pick_contest(parse_payload((shared_data / file).read_bytes(), "auto", source=file), "President")
    assert final.totals == direct.totals and final.total_votes > 0
    base = baseline_for(load_baseline_file(bn.build_state_baseline(tmp_path, state, state_name)), final)
    assert base is not None and base.matched(final) == len(final.units)
