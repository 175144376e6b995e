"""Outstanding-vote estimate. Tiny synthetic contests (made up here, labelled so) pin the
arithmetic; the real GA-06 night checks it against what was actually still out."""

from tracker.core.model import Candidate, Contest, Reporting, ReportingUnit, UnitKind
from tracker.core.outstanding import estimate_outstanding
from tracker.core.threshold import Outstanding

CANDS = (Candidate("a", "A", ballot_order=0), Candidate("b", "B", ballot_order=1))


def unit(i, county, registered, votes=None, reporting=Reporting.COMPLETE):
    return ReportingUnit(
        id=f"{county}/{i}",
        name=str(i),
        county=county,
        reporting=reporting,
        registered=registered,
        votes=votes or {},
    )


def synthetic_contest(units):
    return Contest(id="c", name="Synthetic", candidates=CANDS, units=tuple(units))


def test_all_in_means_nothing_outstanding():
    c = synthetic_contest([unit(i, "X", 100, {"a": {"ED": 30}, "b": {"ED": 20}}) for i in range(4)])
    assert estimate_outstanding(c) == Outstanding.none()


def test_unreported_precinct_turns_out_like_its_county():
    done = [unit(i, "X", 100, {"a": {"ED": 30}, "b": {"ED": 20}}) for i in range(4)]  # 50 % turnout
    waiting = unit(9, "X", 200, reporting=Reporting.NONE)
    est = estimate_outstanding(synthetic_contest([*done, waiting]))
    assert est is not None
    assert est.expected == 100
    assert est.lo <= 100 <= est.hi


def test_partial_precinct_counts_only_what_is_missing():
    done = [unit(i, "X", 100, {"a": {"ED": 30, "EV": 10}, "b": {"ED": 10, "EV": 10}}) for i in range(4)]
    partial = unit(9, "X", 100, {"a": {"EV": 15}, "b": {"EV": 5}}, reporting=Reporting.PARTIAL)
    est = estimate_outstanding(synthetic_contest([*done, partial]))
    assert est is not None and est.expected == 40  # 60 expected in all, 20 already counted


def test_nothing_comparable_in_yet_is_unknown():
    waiting = [unit(i, "X", 100, reporting=Reporting.NONE) for i in range(3)]
    assert estimate_outstanding(synthetic_contest(waiting)) is None


def test_thin_county_borrows_district_rates_with_a_wider_range():
    done = [unit(i, "X", 100, {"a": {"ED": 25 + i}, "b": {"ED": 25}}) for i in range(5)]
    waiting = unit(9, "Y", 100, reporting=Reporting.NONE)
    est = estimate_outstanding(synthetic_contest([*done, waiting]))
    assert est is not None
    assert est.lo < est.expected < est.hi


def test_county_units_with_precinct_counts_are_not_extrapolated_by_precincts():
    """A county's count is evidence that it is at least that far along, not a sample of its
    precincts: 1,000 votes with 10 of 15 precincts in is not 1,500 (early and mail ballots are
    counted first). The range spans "all but the precincts' election-day vote is in" to "the
    count is mostly precinct votes", and stays below the old multiplier's 500."""
    county = ReportingUnit(
        id="X",
        name="X",
        kind=UnitKind.COUNTY,
        reporting=Reporting.PARTIAL,
        votes={"a": {"total": 600}, "b": {"total": 400}},
        precincts_reporting=10,
        precincts_total=15,
    )
    est = estimate_outstanding(synthetic_contest([county]))
    assert est is not None
    assert 0 < est.lo < est.expected < est.hi < 500


def test_ga06_nights_estimate_brackets_what_was_really_still_out():
    """On both reconstructed GA-06 nights, while precincts are still out, the estimate's range
    contains the votes that were in fact still to come (final total minus counted)."""
    from tracker import paths
    from tracker.archive.night import NightFile

    for name in ("ga06-2017-04-18", "ga06-2017-06-20"):
        with NightFile.open(paths.resources_dir() / "nights" / f"{name}.night") as night:
            snapshots = [night.snapshot(v) for v in night.versions()]
        house = [
            next(c for c in s.contests if c.name == "U.S. Representative, District 6") for s in snapshots
        ]
        final = house[-1].total_votes
        checked = 0
        for contest in house:
            reporting, total = contest.precincts
            est = estimate_outstanding(contest)
            if est is None or reporting == total:
                continue  # before any precinct is complete / provisional ballots after the last one
            truth = final - contest.total_votes
            assert est.lo <= truth <= est.hi, (name, contest.precincts, truth, est)
            checked += 1
        assert checked >= 40
