"""A county sized by the turnout prior: what kind of vote it still owes, how that splits, and how
big the night is (``tracker.core.prior_rest``, ``turnout_prior.shared_ratio``, party matching of
an earlier election's shares). Every contest here is synthetic and named so."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from tracker.core.baseline import Baseline, BaselineUnit, candidate_share_keys, party_key, unit_key
from tracker.core.expected_vote import expected_vote
from tracker.core.model import Candidate, Contest, Reporting, ReportingUnit, UnitKind, VoteType
from tracker.core.prior_rest import (
    COUNTY_SWING_SD,
    DEFAULT_SIZE_SD,
    REST_SPREAD,
    split_waiting,
    spread_rest,
    type_offsets,
)
from tracker.core.projection import project_contest
from tracker.core.turnout_prior import PRESIDENTIAL, SPECIAL, conditional_middle, place_middle, shared_ratio

NOV_2016 = dt.date(2016, 11, 8)
TYPES = ("Early Voting", "Absentee by Mail", "Election Day", "Provisional")
CANDS = (
    Candidate("d", "Synthetic Democrat", party="DEM", ballot_order=0),
    Candidate("r", "Synthetic Republican", party="REP", ballot_order=1),
)


def county(name: str, votes: dict[str, tuple[int, int]]) -> ReportingUnit:
    """A county the feed calls partial (no flags, no precinct counts); votes by type: (d, r)."""
    return ReportingUnit(
        id=name,
        name=name,
        kind=UnitKind.COUNTY,
        county=name,
        reporting=Reporting.PARTIAL if votes else Reporting.NONE,
        votes={
            "d": {t: d for t, (d, _r) in votes.items()},
            "r": {t: r for t, (_d, r) in votes.items()},
        }
        if votes
        else {},
    )


def contest(units: list[ReportingUnit]) -> Contest:
    return Contest(
        id="synthetic-president",
        name="Synthetic President",
        candidates=CANDS,
        units=tuple(units),
        vote_types=tuple(VoteType.from_name(t) for t in TYPES),
    )


def baseline(leans: dict[str, tuple[int, float]]) -> Baseline:
    """An earlier election by county whose candidates are not tonight's: matched by party only."""
    units = {
        unit_key("", name): BaselineUnit(
            total, {"total": total}, {"party:democratic": lean, "party:republican": 1.0 - lean}
        )
        for name, (total, lean) in leans.items()
    }
    return Baseline("synthetic 2016 by county", units, "party:republican", date=NOV_2016, prior=PRESIDENTIAL)


# ---------------------------------------------------------------------------------------------
# What each vote type still owes
# ---------------------------------------------------------------------------------------------


def test_a_county_that_sent_only_its_early_and_mail_ballots_owes_election_day_votes():
    """North Carolina 2020 at 60 % counted: 59 counties had reported their early and mail
    ballots and almost no election-day vote. Split like the count so far, their rest was early
    and mail votes (Biden's); it was election-day votes (Trump's 65 %)."""
    types = ["early", "mail", "election_day", "provisional"]
    counts = np.array([700.0, 200.0, 0.0, 0.0])
    shown = {"early": 5e5, "mail": 2e5, "election_day": 1e3, "provisional": 0.0}
    owed = spread_rest(types, counts, 300.0, shown)
    assert owed.sum() == pytest.approx(300.0)
    assert owed[2] == pytest.approx(300.0)  # all of it election day
    assert owed[3] == 0.0  # a minor type nothing has shown owes nothing


def test_once_election_day_has_begun_mail_may_still_owe_some():
    types = ["early", "mail", "election_day"]
    owed = spread_rest(
        types, np.array([700.0, 200.0, 50.0]), 300.0, {"early": 1, "mail": 1, "election_day": 1}
    )
    assert owed.sum() == pytest.approx(300.0)
    assert owed[0] == 0.0  # early in-person votes are reported whole
    assert 0.0 < owed[1] < owed[2]  # mail keeps the counted-first middle: 200 · 0.25 = 50
    assert owed[1] == pytest.approx(50.0)


def test_a_feed_without_vote_types_spreads_the_rest_like_its_count():
    owed = spread_rest(["total"], np.array([500.0]), 100.0, {"total": 500.0})
    assert owed.tolist() == [100.0]


def test_a_vote_type_splits_unlike_the_others_where_counties_show_both():
    ctype = np.array(["early", "election_day"] * 3)
    unit_ix = np.repeat(np.arange(3), 2)
    counted = np.array([[60, 40], [30, 70]] * 3, dtype=float)  # early 60 % D, election day 30 % D
    totals = counted.sum(axis=1)
    offsets = type_offsets(ctype, unit_ix, counted, totals, np.ones(6, dtype=bool))
    assert offsets["election_day"] == pytest.approx([-0.3, 0.3])
    # two counties are not enough to read it
    assert type_offsets(ctype[:4], unit_ix[:4], counted[:4], totals[:4], np.ones(4, dtype=bool)) == {}


# ---------------------------------------------------------------------------------------------
# How big the night is
# ---------------------------------------------------------------------------------------------


def test_the_band_cut_at_a_floor_keeps_its_middle_for_a_low_floor_and_rises_for_a_high_one():
    assert conditional_middle(0.9, 1.05, 1.35, 0.0) == pytest.approx(1.05, abs=1e-6)
    assert conditional_middle(0.9, 1.05, 1.35, 0.5) == pytest.approx(1.05, abs=1e-4)
    high = conditional_middle(0.9, 1.05, 1.35, 1.05)
    assert 1.1 < high < 1.35
    assert conditional_middle(0.9, 1.05, 1.35, 1.6) >= 1.6  # never below what the count proves


def test_the_shared_ratio_follows_the_places_most_counted_not_every_floor():
    assert shared_ratio([], SPECIAL) == SPECIAL.mid
    # places far below the middle say nothing
    assert shared_ratio([0.1] * 50, SPECIAL) == pytest.approx(SPECIAL.mid, abs=0.01)
    # a fifth of the places already past the middle: the night is bigger than the prior thought
    floors = [0.3] * 35 + [0.85] * 15
    assert 0.85 < shared_ratio(floors, SPECIAL) < SPECIAL.hi
    # a place near the shared ratio expects a little more than it has; one far below, the ratio
    assert place_middle(1.1, 1.08, 0.09) > 1.1
    assert place_middle(1.1, 0.3, 0.09) == pytest.approx(1.1, abs=1e-6)


# ---------------------------------------------------------------------------------------------
# Together: a night like North Carolina's first report
# ---------------------------------------------------------------------------------------------


def synthetic_night() -> tuple[Contest, Baseline, float, float]:
    """Six urban counties have reported their early and mail ballots (D-leaning) and nothing of
    election day; four rural ones nothing. Tonight is 1.15 × the baseline; election day is 20 %
    of each county's vote and splits 35 % D where the early vote split 55 %. Three counties have
    begun election day. Returns the contest, the baseline, the true final D share, and the truth
    of the vote still out."""
    leans = {f"Synthetic Urban {i}": (100_000, 0.55) for i in range(6)}
    leans |= {f"Synthetic Rural {i}": (40_000, 0.30) for i in range(4)}
    units, final_d, final_all, counted = [], 0.0, 0.0, 0
    for i, (name, (total, lean)) in enumerate(leans.items()):
        size = 1.15 * total
        early, day = 0.8 * size, 0.2 * size
        d_early, d_day = lean, lean - 0.2
        final_d += early * d_early + day * d_day
        final_all += size
        if name.startswith("Synthetic Urban"):
            votes = {
                "Early Voting": (int(0.6 * early * d_early), int(0.6 * early * (1 - d_early))),
                "Absentee by Mail": (int(0.4 * early * d_early), int(0.4 * early * (1 - d_early))),
            }
            if i < 3:  # three counties have begun election day: a sample of its split
                votes["Election Day"] = (int(0.1 * day * d_day), int(0.1 * day * (1 - d_day)))
            units.append(county(name, votes))
            counted += sum(d + r for d, r in votes.values())
        else:
            units.append(county(name, {}))
    return contest(units), baseline(leans), final_d / final_all, final_all - counted


def test_party_matching_and_owed_types_bring_the_projection_to_the_truth():
    c, base, truth, out = synthetic_night()
    proj = project_contest(c, base, history=[])
    d = proj.candidate("d")
    assert proj.status == "projected" and d.share is not None and d.lo is not None and d.hi is not None
    assert d.share_now > truth + 0.08  # the running share is far off
    assert abs(d.share - truth) < 0.03
    assert d.lo <= truth <= d.hi
    ev = expected_vote(c, base)
    assert ev.outstanding is not None and ev.outstanding.lo <= out <= ev.outstanding.hi
    owed = {}
    for u in ev.units:
        owed[u.vote_type] = owed.get(u.vote_type, 0) + u.outstanding
    assert owed.get("provisional", 0) == 0
    # the urban counties owe election-day votes, not more early ones
    urban_day = sum(u.outstanding for u in ev.units if "Urban" in u.name and u.vote_type == "election_day")
    urban_early = sum(u.outstanding for u in ev.units if "Urban" in u.name and u.vote_type == "early")
    assert urban_day > 10 * max(urban_early, 1)


def test_a_baseline_share_is_matched_by_party_only_when_the_party_has_one_candidate_tonight():
    assert party_key("DEM") == party_key("Democratic Party") == "party:democratic"
    assert party_key("GOP") == party_key("rep") == "party:republican"
    assert party_key("Nonpartisan") == ""
    primary = Contest(
        id="synthetic-special",
        name="Synthetic special election",
        candidates=(
            Candidate("a", "Synthetic A", party="REP"),
            Candidate("b", "Synthetic B", party="REP"),
            Candidate("c", "Synthetic C", party="DEM"),
        ),
        units=(),
    )
    keys = candidate_share_keys(primary)
    assert keys[0] == ("synthetic a",) and keys[1] == ("synthetic b",)  # two Republicans: by name
    assert keys[2] == ("synthetic c", "party:democratic")


def test_a_precinct_night_sized_by_county_takes_each_county_lean():
    """North Carolina 2020 by precinct against 2016 by county: the baseline matched none of the
    precincts, so the precincts of the counties not yet counting split like the precincts counted
    so far (urban and early). They now take their county's earlier lean, swung like the counted
    counties; their size stays the county's (``Baseline.county_totals``)."""

    def precinct(name: str, county_name: str, votes: dict[str, tuple[int, int]]) -> ReportingUnit:
        return ReportingUnit(
            id=f"{county_name}:{name}",
            name=name,
            kind=UnitKind.PRECINCT,
            county=county_name,
            reporting=Reporting.PARTIAL if votes else Reporting.NONE,
            votes={"d": {t: d for t, (d, _r) in votes.items()}, "r": {t: r for t, (_d, r) in votes.items()}}
            if votes
            else {},
        )

    shown = {"Early Voting": (600, 400), "Absentee by Mail": (200, 100), "Election Day": (450, 550)}
    units = []
    for c in ("Synthetic Urban", "Synthetic Suburb"):
        units += [precinct(f"P{i}", c, shown) for i in range(5)]
        units += [precinct(f"P{i}", c, {}) for i in range(5, 7)]
    units += [precinct(f"R{i}", "Synthetic Rural", {}) for i in range(7)]
    night = contest(units)
    leans = {
        "Synthetic Urban": (15_000, 0.60),
        "Synthetic Suburb": (15_000, 0.60),
        "Synthetic Rural": (30_000, 0.25),
    }
    proj = project_contest(night, baseline(leans), history=[])
    d = proj.candidate("d")
    assert proj.status == "projected" and d.share is not None, proj.reason
    assert d.share_now > 0.54
    # the rural county, half the baseline's vote, leaned 25 % D: the projection follows it
    assert d.share < 0.45


def test_a_small_first_report_in_a_feed_without_vote_types_says_little_about_the_rest():
    """One total per county (Clarity's ALL.json): a county that has sent a fifth of its vote, all
    early ballots at 80 % D, splits its other four fifths mostly like its earlier lean (55 %)
    swung as the counted places swung, not like those early ballots."""

    def total_county(name: str, d: int, r: int) -> ReportingUnit:
        return ReportingUnit(
            id=name,
            name=name,
            kind=UnitKind.COUNTY,
            county=name,
            reporting=Reporting.PARTIAL,
            votes={"d": {"Total": d}, "r": {"Total": r}},
        )

    units = [total_county("Synthetic Metro", 16_000, 4_000)]  # a fifth of ~100,000, 80 % D
    units += [total_county(f"Synthetic Town {i}", 4_500, 5_500) for i in range(5)]  # about done, 45 % D
    night = Contest(
        id="synthetic-runoff",
        name="Synthetic runoff",
        candidates=CANDS,
        units=tuple(units),
        vote_types=(VoteType.from_name("Total"),),
    )
    leans = {"Synthetic Metro": (100_000, 0.55)} | {f"Synthetic Town {i}": (10_000, 0.45) for i in range(5)}
    base = Baseline(
        "synthetic 2020 by county",
        {
            unit_key("", n): BaselineUnit(t, {"total": t}, {"party:democratic": s, "party:republican": 1 - s})
            for n, (t, s) in leans.items()
        },
        "party:democratic",
        date=dt.date(2020, 11, 3),
        prior=SPECIAL,
    )
    proj = project_contest(night, base, history=[])
    d = proj.candidate("d")
    assert proj.status == "projected" and d.share is not None
    # like its count, the metro's rest would carry the projection past 70 %
    assert d.share < 0.65


def test_with_nothing_complete_the_model_risk_follows_how_unlike_the_whole_the_counted_places_are():
    """Places sized by the prior and nothing complete: the model risk is read from how far the
    counted vote's places lean from all places' (by the baseline winner's share), never below
    ``TAU_PRIOR`` — not the fixed 25 points whatever the count shows."""

    def night(rural_in: bool) -> Contest:
        units = [county(f"Synthetic Urban {i}", {"Total": (5500, 4500)}) for i in range(6)]
        rural = {"Total": (3000, 7000)} if rural_in else {}
        units += [county(f"Synthetic Rural {i}", rural) for i in range(6)]
        return Contest(
            id="synthetic-runoff",
            name="Synthetic runoff",
            candidates=CANDS,
            units=tuple(units),
            vote_types=(VoteType.from_name("Total"),),
        )

    leans = {f"Synthetic Urban {i}": (20_000, 0.55) for i in range(6)}
    leans |= {f"Synthetic Rural {i}": (20_000, 0.30) for i in range(6)}
    widths = {}
    for rural_in in (False, True):
        d = project_contest(night(rural_in), baseline(leans), history=[]).candidate("d")
        assert d.lo is not None and d.hi is not None
        widths[rural_in] = d.hi - d.lo
    # every county has sent a report like its whole: the fixed risk made this 47 points wide
    assert 0.02 < widths[True] < 0.2
    assert widths[True] < widths[False]


def test_once_the_count_stops_growing_the_prior_stops_expecting_more():
    """The end of North Carolina's 2020 night by county: no county is ever marked complete, and
    the turnout prior kept expecting each one to reach the night's shared ratio (610,000 votes
    "still out" when 13,000 were). Six versions without growth settle the middle on the count;
    the range keeps its top (a late batch can still come)."""
    from tracker.core.arrival import arrival_point
    from tracker.core.county_evidence import SETTLE_VERSIONS, settled

    assert settled([], 100) == 0.0
    assert settled([100] * SETTLE_VERSIONS, 100) == 1.0
    assert settled([90] + [100] * (SETTLE_VERSIONS - 1), 100) == 0.0  # 10 % in six versions
    c, base, _truth, _out = synthetic_night()
    running = project_contest(c, base, history=[])
    flat = project_contest(c, base, history=[arrival_point(c)] * SETTLE_VERSIONS)
    assert running.outstanding is not None and flat.outstanding is not None
    assert flat.outstanding.expected < running.outstanding.expected / 4
    assert flat.outstanding.hi >= running.outstanding.hi * 0.9


def test_election_day_votes_read_from_other_types_keep_the_full_model_risk():
    """Every county has reported its early ballots and none its election-day vote: how the day's
    votes will split is read from the early ones and one offset, which no lean of the places shows
    to be right. The interval stays wide (North Carolina 2020, early votes first: eleven wrong
    calls when it narrowed)."""
    leans = {f"Synthetic County {i}": (20_000, 0.5) for i in range(8)}
    units = [county(name, {"Early Voting": (9000, 7000)}) for name in leans]
    proj = project_contest(contest(units), baseline(leans), history=[])
    d = proj.candidate("d")
    assert d.lo is not None and d.hi is not None
    assert d.hi - d.lo > 0.15  # the measured skew (none here) would make it 4 points


def test_a_place_that_stands_still_where_a_finished_place_would_is_done():
    """A county whose count has not grown for three versions and stands where a finished county
    could (within 2.5 spreads below the night's ratio) is read as done; one that stands still at
    its early ballots alone (far below) is only pausing."""
    from tracker.core.arrival import arrival_point
    from tracker.core.county_evidence import STALL_VERSIONS, place_settled, stalled_places

    assert place_settled(0.0, True, 1.05, 1.15, 0.09) == 1.0
    assert place_settled(0.0, True, 0.60, 1.15, 0.09) == 0.0  # paused after its early vote
    assert place_settled(0.3, False, 1.10, 1.15, 0.09) == 0.3  # the whole count's settling
    c, _base, _truth, _out = synthetic_night()
    from tracker.core.cells import cut_cells

    cells = cut_cells(c, [x.id for x in c.candidates])
    totals = np.asarray(cells.counted, dtype=float).reshape(len(cells.unit), 2).sum(axis=1)
    still = stalled_places([arrival_point(c)] * STALL_VERSIONS, cells.county, totals)
    assert still == {u.name for u in c.units if u.total() > 0}
    assert stalled_places([arrival_point(c)] * (STALL_VERSIONS - 1), cells.county, totals) == frozenset()
    grown = stalled_places([arrival_point(contest([]))] + [arrival_point(c)] * 2, cells.county, totals)
    assert grown == frozenset()


def test_before_any_place_looks_finished_the_counted_swing_counts_only_as_far_as_it_is_of_the_whole():
    """One total per county, nothing finished: a metro that has sent a fifth of its vote (early
    ballots, 80 % D against a baseline of 55 %) and five towns about done at their baseline. The
    counted vote swung 25 points in a fifth of the metro: the swing its rest is moved by is
    that part of the places' whole vote (5,000 of 150,000 expected: 3.3 points), not of the count
    (5,000 of 70,000: 7.1 points)."""
    rest = _metro_rest((16_000.0, 4_000.0), finished=None, size_sd=None)
    swing = 5_000.0 / 150_000.0
    assert rest == pytest.approx(_rest_share(0.8, 0.55 + swing, 0.2, DEFAULT_SIZE_SD))


#: The five towns beside the metro have finished (each a probability of 1).
TOWNS_FINISHED = np.asarray([0.0] + [1.0] * 5)


def _rest_share(count_share: float, lean: float, done: float, size_sd: float) -> float:
    """The rest's share as the model reads it, written out: the algebra that lands the county on
    its lean, weighed against the lean itself by their variances."""
    algebra = lean + done / (1 - done) * (lean - count_share)
    var = (COUNTY_SWING_SD / (1 - done)) ** 2 + (
        abs(lean - count_share) * done * size_sd / (1 - done) ** 2
    ) ** 2
    weight = REST_SPREAD**2 / (REST_SPREAD**2 + var)
    return weight * algebra + (1 - weight) * lean


def _metro_rest(
    metro: tuple[float, float],
    *,
    base_x: np.ndarray | None = None,
    finished: np.ndarray | None = TOWNS_FINISHED,
    size_sd: float | None = 0.0,
    places: np.ndarray | None = None,
) -> float:
    """SYNTHETIC: a metro of 100,000 expected votes that has counted ``metro`` (D, R), beside
    five towns of 10,000 about done at 45 % D; the leans 55 % (metro) and 45 % (towns) unless
    ``base_x`` says otherwise. The metro's rest's D share as ``split_waiting`` reads it."""
    counted = np.asarray([list(metro)] + [[4_500.0, 5_500.0]] * 5)
    pred_final = np.asarray([100_000.0] + [10_000.0] * 5)
    if base_x is None:
        base_x = np.asarray([[0.55, 0.45]] + [[0.45, 0.55]] * 5)
    pred_share = counted / counted.sum(axis=1, keepdims=True)
    six = np.ones(6, dtype=bool)
    split_waiting(
        pred_share,
        six,
        [f"Synthetic {i}" for i in range(6)],
        np.asarray(["total"] * 6),
        counted,
        pred_final,
        six,
        base_x,
        finished=finished,
        size_sd=None if size_sd is None else np.full(6, size_sd),
        places=places,
    )
    return float(pred_share[0, 0])


def _one_first_report(count_share: float, done: float, size_sd: float) -> float:
    """The metro having counted ``done`` of its vote at ``count_share`` D, the towns finished
    exactly at their lean (no swing): its rest's D share."""
    n = 100_000.0 * done
    return _metro_rest((n * count_share, n * (1 - count_share)), size_sd=size_sd)


def test_the_rest_of_a_first_report_goes_where_the_county_ends_at_its_lean():
    """A county that has sent 40 % of its vote, early ballots at 70 % D, in a place that leans 55 %
    D (the finished places show no swing): if it ends near its lean its other 60 % must split
    *below* 55 %, not like its early ballots (the old reading: 61 %). Georgia 2021 at half
    counted: 1.1 points off → 0.1."""
    rest = _one_first_report(0.70, 0.40, 0.0)
    assert rest == pytest.approx(_rest_share(0.70, 0.55, 0.40, 0.0))
    assert rest < 0.50  # the algebra alone: 45 %
    county_final = 0.40 * 0.70 + 0.60 * rest
    assert abs(county_final - 0.55) < 0.02


def test_the_rest_of_a_county_nearly_counted_leans_on_its_lean_not_on_the_algebra():
    """At 98 % counted the algebra would put the last 2 % at -680 % D (its own swing of a point
    blown up fifty times): the plain lean takes over, and an unsure size pulls it further there."""
    rest = _one_first_report(0.70, 0.98, 0.0)
    assert 0.0 < rest < 0.55
    assert abs(rest - 0.55) < 0.05  # weight 0.4 %: 55 % moved 3 points
    assert abs(_one_first_report(0.70, 0.60, 0.10) - 0.55) < abs(_one_first_report(0.70, 0.60, 0.0) - 0.55)


def test_a_precinct_that_borrows_its_county_lean_is_not_driven_onto_it():
    """A precinct of a night whose baseline is by county carries its county's lean, not its own:
    precincts end anywhere around it. The algebra that lands a county on its lean would drive such
    a precinct's rest past it (a 70 % D precinct's rest at 45 %); it splits like its count as far
    as the count is of its whole, the rest of the way like the lean."""
    rest = _metro_rest((28_000.0, 12_000.0), places=np.zeros(6, dtype=bool))
    assert rest == pytest.approx(0.4 * 0.70 + 0.6 * 0.55)


def test_a_place_whose_baseline_gives_tonights_candidates_no_share_keeps_the_old_reading():
    """A primary against a general election by county: its candidates share a party, so the
    baseline gives none of them a share (base_x all 0). The place has no lean of its own, only the
    night's average: the algebra would land every county on it. Its rest splits like its count as
    far as the count is of its whole, the rest of the way like the night's average."""
    rest = _metro_rest((28_000.0, 12_000.0), base_x=np.zeros((6, 2)), places=np.ones(6, dtype=bool))
    average = 0.45  # the finished towns' share: the swing from a lean of 0
    assert rest == pytest.approx(0.4 * 0.70 + 0.6 * average)


def test_the_floor_of_the_model_risk_binds_where_the_counted_places_lean_like_the_whole(monkeypatch):
    """Every county has sent a report that leans like its whole: the measured skew is ~0, and the
    interval's width is the floor ``TAU_PRIOR`` on the vote still out (an sd of its share), not
    less: no complete place shows how a county's rest differs from its count."""
    from tracker.core import projection

    units = [county(f"Synthetic Urban {i}", {"Total": (5500, 4500)}) for i in range(6)]
    units += [county(f"Synthetic Rural {i}", {"Total": (3000, 7000)}) for i in range(6)]
    night = Contest(
        id="synthetic-runoff",
        name="Synthetic runoff",
        candidates=CANDS,
        units=tuple(units),
        vote_types=(VoteType.from_name("Total"),),
    )
    leans = {f"Synthetic Urban {i}": (20_000, 0.55) for i in range(6)}
    leans |= {f"Synthetic Rural {i}": (20_000, 0.30) for i in range(6)}

    def half_width(floor: float) -> tuple[float, float]:
        monkeypatch.setattr(projection, "TAU_PRIOR", floor)
        proj = project_contest(night, baseline(leans), history=[])
        d = proj.candidate("d")
        assert d.lo is not None and d.hi is not None and proj.outstanding is not None
        out = proj.outstanding.expected / (proj.counted + proj.outstanding.expected)
        return (d.hi - d.lo) / 2, out

    with_floor, out = half_width(projection.TAU_PRIOR)
    without, _ = half_width(0.0)
    assert without < with_floor
    # at least the floor's own part: Z90 × TAU_PRIOR × (share of the final vote still out)
    assert with_floor >= projection.Z90 * projection.TAU_PRIOR * out * 0.99
