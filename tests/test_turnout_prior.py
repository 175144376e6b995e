"""The turnout prior (tracker.core.turnout_prior) and the expected vote it sizes where a feed marks
nothing complete and gives no precinct counts (North Carolina's 2020 county timeseries, Clarity's
ALL.json summary).

The contests here are SYNTHETIC (made-up counties and counts, named so)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np

from tracker.archive.projections import baseline_for
from tracker.archive.us_counties import county_baseline
from tracker.core.baseline import Baseline, BaselineUnit, unit_key
from tracker.core.expected_vote import expected_vote, prior_band
from tracker.core.model import Candidate, Contest, Reporting, ReportingUnit, UnitKind, VoteType
from tracker.core.projection import project_contest
from tracker.core.turnout_prior import (
    MIDTERM,
    PRESIDENTIAL,
    SPECIAL,
    presidential_election_day,
    turnout_prior,
)

CANDS = (Candidate("a", "Synthetic A", ballot_order=0), Candidate("b", "Synthetic B", ballot_order=1))
NOV_2020 = dt.date(2020, 11, 3)


def county(name: str, a: int, b: int) -> ReportingUnit:
    """A county the feed calls partial, with no precinct counts and no expected vote."""
    return ReportingUnit(
        id=name,
        name=name,
        kind=UnitKind.COUNTY,
        county=name,
        reporting=Reporting.PARTIAL if a + b else Reporting.NONE,
        votes={"a": {"Total": a}, "b": {"Total": b}} if a + b else {},
    )


def contest(units) -> Contest:
    return Contest(
        id="synthetic",
        name="Synthetic race",
        candidates=CANDS,
        units=tuple(units),
        vote_types=(VoteType.from_name("Total"),),
    )


def baseline(sizes: dict[str, int], date=NOV_2020, prior=None) -> Baseline:
    units = {
        unit_key("", n): BaselineUnit(total, {"total": total}, {"synthetic a": 0.5, "synthetic b": 0.5})
        for n, total in sizes.items()
    }
    return Baseline(label="synthetic 2020", units=units, leader="synthetic a", date=date, prior=prior)


SIZES = {f"Synthetic {i}": 10_000 * (i + 1) for i in range(6)}


def test_the_prior_band_follows_the_election_type():
    assert turnout_prior(dt.date(2024, 11, 5), NOV_2020) is PRESIDENTIAL
    assert turnout_prior(dt.date(2022, 11, 8), NOV_2020) is MIDTERM
    assert turnout_prior(dt.date(2021, 1, 5), NOV_2020) is SPECIAL  # Georgia's Senate runoffs
    # no band without both dates, against a baseline that is not a presidential general, or one
    # older than the last presidential election
    assert turnout_prior(None, NOV_2020) is None
    assert turnout_prior(dt.date(2021, 1, 5), None) is None
    assert turnout_prior(dt.date(2023, 1, 5), dt.date(2022, 11, 8)) is None
    assert turnout_prior(dt.date(2025, 1, 5), NOV_2020) is None
    assert presidential_election_day(2016) == dt.date(2016, 11, 8)
    assert presidential_election_day(2020) == NOV_2020


def test_the_count_narrows_the_band_from_below_and_a_count_past_the_top_moves_it():
    base = np.array([100.0, 100.0])
    assert prior_band(np.array([10.0, 10.0]), base, SPECIAL) == (SPECIAL.lo, SPECIAL.mid, SPECIAL.hi)
    lo, mid, hi = prior_band(np.array([80.0, 80.0]), base, SPECIAL)  # 0.8 counted: a floor
    assert lo == mid == 0.8 and hi == SPECIAL.hi
    lo, mid, hi = prior_band(np.array([120.0, 120.0]), base, SPECIAL)  # past the prior's top
    assert lo == mid == 1.2 and hi > 1.2


def test_a_county_night_without_completeness_is_sized_by_the_prior_not_too_early():
    """No county complete, no precinct counts: without the prior nothing says how much is out
    ("too early" all night); with it the vote still out has a wide range that holds the truth,
    and the evidence says where it comes from."""
    # tonight: every county at 0.6 of its baseline in the end, 60 % of that counted so far
    units = [county(n, int(0.6 * 0.6 * s * 0.55), int(0.6 * 0.6 * s * 0.45)) for n, s in SIZES.items()]
    truth_out = sum(0.6 * s for s in SIZES.values()) - sum(u.total() for u in units)
    c = contest(units)
    without = expected_vote(c, baseline(SIZES))
    assert without.outstanding is None and project_contest(c, baseline(SIZES)).too_early
    base = baseline(SIZES, prior=SPECIAL)
    ev = expected_vote(c, base)
    assert ev.source == "prior"
    assert ev.evidence == "from synthetic 2020 turnout, no unit complete yet: wide"
    assert ev.outstanding is not None and ev.outstanding.lo <= truth_out <= ev.outstanding.hi
    proj = project_contest(c, base)
    assert proj.status == "projected" and proj.evidence == ev.evidence
    a = proj.candidate("a")
    assert a.lo is not None and a.hi is not None and a.lo <= 0.55 <= a.hi


def test_a_county_that_has_counted_nothing_is_sized_too_and_splits_like_the_contest():
    units = [county(n, 3000, 2000) for n in list(SIZES)[:-1]] + [county(list(SIZES)[-1], 0, 0)]
    base = baseline(SIZES, prior=SPECIAL)
    ev = expected_vote(contest(units), base)
    last = next(u for u in ev.units if u.name == list(SIZES)[-1])
    assert last.source == "prior" and last.lo <= 0.25 * 60_000 and last.hi == 60_000
    assert project_contest(contest(units), base).status == "projected"


def test_the_archive_attaches_the_prior_from_both_dates():
    """The shipped county table knows its election's date; ``baseline_for`` with tonight's date
    attaches the band (a runoff against the presidential general before it)."""
    units = [county(n, 10, 10) for n in ("Fulton", "DeKalb", "Cobb", "Gwinnett")]
    c = contest(units)
    table, _ = county_baseline(c, dt.date(2021, 1, 5))
    assert table is not None and table.date == NOV_2020
    assert baseline_for({}, c, dt.date(2021, 1, 5)).prior is SPECIAL
    own = baseline(SIZES)
    assert baseline_for({"synthetic race": own}, c, dt.date(2022, 11, 8)).prior is MIDTERM
    assert (
        baseline_for({"synthetic race": dataclasses.replace(own, date=None)}, c, dt.date(2022, 11, 8)).prior
        is None
    )


def test_a_county_not_yet_counting_takes_its_baseline_lean_swung_like_the_counted_ones():
    """Georgia's 2021 runoffs at 36 % counted: the 55 counties with nothing in were rural and
    Republican. Split like the count so far they moved the projection away from the truth; their
    baseline shares, swung like the counties that have counted, move it towards it."""

    def base_with(leans: dict[str, float]) -> Baseline:
        units = {
            unit_key("", n): BaselineUnit(10_000, {"total": 10_000}, {"synthetic a": s, "synthetic b": 1 - s})
            for n, s in leans.items()
        }
        return Baseline("synthetic 2020", units, "synthetic a", date=NOV_2020, prior=SPECIAL)

    leans = {f"Synthetic {i}": 0.7 for i in range(3)} | {f"Synthetic Rural {i}": 0.2 for i in range(3)}
    # counted so far: the three counties that leaned A, still at their lean; the rural ones nothing
    units = [county(f"Synthetic {i}", 2100, 900) for i in range(3)]
    units += [county(f"Synthetic Rural {i}", 0, 0) for i in range(3)]
    proj = project_contest(contest(units), base_with(leans))
    a = proj.candidate("a")
    assert proj.status == "projected" and a.share is not None
    assert a.share < a.share_now - 0.1  # the rural counties' lean, not A's 70 % so far


def test_a_night_imported_today_from_an_old_recording_is_dated_by_its_first_fetch(tmp_path):
    """ALL.json carries no date and ``import`` creates the night today: the shipped baseline chosen
    by the creation day was 2024's (and the turnout band of the year after a presidential one) for
    Georgia's January 2021 runoff; the day of the first fetch, in the night's zone, names 2020's."""
    from tracker.archive.night import NightFile
    from tracker.archive.projections import load_baselines, night_date
    from tracker.core.model import Election, Snapshot
    from tracker.feeds.native import dump_native

    c = contest([county(n, 10, 10) for n in ("Fulton", "DeKalb", "Cobb", "Gwinnett")])
    snap = Snapshot(election=Election(id="synthetic", name="Synthetic runoff"), contests=(c,))
    path = tmp_path / "imported-today.night"
    # 04:30 UTC on the 6th is still the 5th in Georgia
    fetched = dt.datetime(2021, 1, 6, 4, 30, tzinfo=dt.UTC)
    with NightFile.create(
        path, kind="recorded", label="Synthetic runoff", timezone="America/New_York"
    ) as night:
        night.add_payload(dump_native(snap), fetched_at=fetched, fmt="tracker-feed/1", url="")
    with NightFile.open(path) as night:
        assert night_date(night) == dt.date(2021, 1, 5)
        chosen = baseline_for(load_baselines(night), c, night_date(night))
    assert chosen is not None and chosen.date == NOV_2020 and chosen.prior is SPECIAL
