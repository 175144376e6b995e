"""A feed that states each county's expected vote but neither marks a county complete nor gives its
precincts (``tracker-feed/1`` with ``expected_votes``, an AP feed without precinct counts): with a
baseline the projection reads each county's rest from its size and its lean; without one it stays
"too early" rather than follow the early ballots. Constructed counties (named so), counts chosen
like Georgia's 2021 runoff: metros send their early ballots first."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pytest

from tracker.core.baseline import Baseline, BaselineUnit, unit_key
from tracker.core.cells import cut_cells
from tracker.core.expected_vote import expect_cells
from tracker.core.model import Candidate, Contest, Reporting, ReportingUnit, UnitKind, VoteType
from tracker.core.projection import project_contest
from tracker.core.turnout_prior import SPECIAL

CANDS = (
    Candidate("d", "Synthetic Democrat", party="DEM", ballot_order=0),
    Candidate("r", "Synthetic Republican", party="REP", ballot_order=1),
)
#: name → (expected final vote, lean D in the baseline, final D share tonight): a uniform swing of
#: +1 point, the metros' first reports their early ballots at 12 points more D than their final.
PLACES = {f"Synthetic Metro {i}": (100_000, 0.60, 0.61) for i in range(3)} | {
    f"Synthetic Town {i}": (10_000, 0.35, 0.36) for i in range(12)
}


def unit(name: str, d: int, r: int, expected: int) -> ReportingUnit:
    return ReportingUnit(
        id=name,
        name=name,
        kind=UnitKind.COUNTY,
        county=name,
        reporting=Reporting.PARTIAL if d + r else Reporting.NONE,
        votes={"d": {"Total": d}, "r": {"Total": r}} if d + r else {},
        expected_votes=expected,
    )


def night() -> tuple[Contest, float]:
    """The metros half counted (their early ballots, 73 % D), the towns finished at their final
    share; and the true final D share."""
    units = []
    final_d = final = 0.0
    for name, (size, _lean, share) in PLACES.items():
        final_d += size * share
        final += size
        if name.startswith("Synthetic Metro"):
            n = size // 2
            d = round(n * (share + 0.12))
        else:
            n = size
            d = round(n * share)
        units.append(unit(name, d, n - d, size))
    contest = Contest(
        id="synthetic-runoff",
        name="Synthetic runoff",
        candidates=CANDS,
        units=tuple(units),
        vote_types=(VoteType.from_name("Total"),),
    )
    return contest, final_d / final


def baseline() -> Baseline:
    return Baseline(
        "synthetic 2020 by county",
        {
            unit_key("", name): BaselineUnit(
                round(size * 1.2),
                {"total": round(size * 1.2)},
                {"party:democratic": lean, "party:republican": 1 - lean},
            )
            for name, (size, lean, _share) in PLACES.items()
        },
        "party:democratic",
        date=dt.date(2020, 11, 3),
        prior=SPECIAL,
    )


def test_with_a_baseline_the_stated_sizes_give_a_projection_near_the_truth():
    contest, truth = night()
    proj = project_contest(contest, baseline(), history=[])
    assert proj.status == "projected", proj.reason
    assert proj.evidence == "expected vote from the feed"
    d = proj.candidate("d")
    running = sum(sum(u.votes["d"].values()) for u in contest.units) / sum(u.total() for u in contest.units)
    # the running share (and the metros' rest read like their count) is 2.7 points high
    assert running - truth > 0.025
    # the metros' rest read from their lean: 1.2 points off (the lean's own sd weighs in)
    assert abs(d.share - truth) < (running - truth) / 2
    assert d.lo <= truth <= d.hi


def test_without_a_baseline_it_stays_too_early():
    contest, _truth = night()
    proj = project_contest(contest, None, history=[])
    assert proj.status == "too early"
    # the vote still out is the feed's, all the same
    assert proj.expected.outstanding is not None
    assert proj.expected.outstanding.expected == 150_000


def test_a_county_whose_count_reached_the_feed_expectation_reads_as_finished():
    contest, _truth = night()
    cells = cut_cells(contest, ["d", "r"])
    totals = [sum(row) for row in cells.counted]
    complete = np.zeros(len(totals), dtype=bool)
    exp = expect_cells(contest, cells, np.asarray(totals, dtype=float), complete, None, 0.0, frozenset())
    done = {contest.units[u].name: float(f) for u, f in zip(cells.unit, exp.finished, strict=True)}
    assert done["Synthetic Town 0"] == 1.0
    assert done["Synthetic Metro 0"] == 0.0


def test_an_ap_county_feed_reads_a_county_with_its_early_ballots_in_by_its_lean():
    """AP's county results: each county with its precinct counts and the towns complete, the metros
    with their early ballots in and no precinct yet (Fulton, 8 Nov 2022: 13 of 439 precincts, 63 %
    of its expected vote). Read like their count the metros' rest put the projection where the
    running share is, 2.7 points off; read so that the metros end near their lean swung as the
    complete towns swung, within half of that."""
    contest, truth = night()
    units = []
    for u in contest.units:
        town = u.name.startswith("Synthetic Town")
        units.append(
            dataclasses.replace(
                u,
                precincts_total=40,
                precincts_reporting=40 if town else 0,
                reporting=Reporting.COMPLETE if town else Reporting.PARTIAL,
            )
        )
    ap = dataclasses.replace(contest, units=tuple(units))
    proj = project_contest(ap, baseline(), history=[])
    assert proj.status == "projected", proj.reason
    d = proj.candidate("d")
    running = sum(sum(u.votes["d"].values()) for u in ap.units) / sum(u.total() for u in ap.units)
    assert abs(d.share - truth) < (running - truth) / 2
    assert d.lo <= truth <= d.hi
    # the model risk follows how unlike the whole the vote counted is (13 pt wide), not how unlike
    # it the complete counties are: the towns lean 25 points from the metros (33 pt wide)
    assert d.hi - d.lo < 0.2


def test_invariants_of_county_feeds_with_stated_sizes_under_random_states():
    """SYNTHETIC counties, 150 seeded states: each county with nothing in, part of its vote (with or
    without precinct counts) or all of it, its expected vote stated or not and off by up to 20 %
    either way, some with a count above it, three or four candidates (some without a baseline
    share), with and without a baseline. The projection never raises and keeps lo ≤ share ≤ hi,
    shares summing to 1, 0 ≤ P ≤ 1, and an ordered vote-still-out range."""
    import random

    rng = random.Random(11)
    base = baseline()
    projected = 0
    for trial in range(150):
        k = 3 + trial % 2
        cands = (*CANDS, Candidate("g", "Synthetic Green", party="GRN", ballot_order=2))[:3]
        if k == 4:
            cands = (*cands, Candidate("i", "Synthetic Independent", ballot_order=3))
        units = []
        for name, (size, lean, _share) in PLACES.items():
            r = rng.random()
            frac = 0.0 if r < 0.25 else 1.0 if r > 0.8 else rng.uniform(0.05, 0.98)
            n = round(size * frac)
            d = round(n * min(max(lean + rng.gauss(0.05, 0.08), 0.0), 1.0))
            rest = n - d
            g = round(rest * rng.uniform(0.0, 0.05))
            votes = {"d": {"Total": d}, "r": {"Total": rest - g}, "g": {"Total": g}}
            if k == 4:
                votes["i"] = {"Total": 0}
            stated = rng.random() < 0.8
            with_precincts = rng.random() < 0.5
            state = Reporting.PARTIAL if n else Reporting.NONE
            if frac == 1.0 and with_precincts:
                state = Reporting.COMPLETE
            in_precincts = 40 if frac == 1.0 else round(40 * frac * 0.5)
            units.append(
                ReportingUnit(
                    id=name,
                    name=name,
                    kind=UnitKind.COUNTY,
                    county=name,
                    reporting=state,
                    votes=votes if n else {},
                    expected_votes=max(1, round(size * rng.uniform(0.8, 1.2))) if stated else None,
                    precincts_total=40 if with_precincts else None,
                    precincts_reporting=in_precincts if with_precincts else None,
                )
            )
        contest = Contest(
            id="synthetic-race",
            name="Synthetic race",
            candidates=cands,
            units=tuple(units),
            vote_types=(VoteType.from_name("Total"),),
        )
        for b in (base, None):
            p = project_contest(contest, b, history=[])
            if p.too_early or p.status != "projected":
                continue
            projected += 1
            out = p.outstanding
            assert out is not None and out.lo <= out.expected <= out.hi
            assert sum(c.share for c in p.candidates) == pytest.approx(1.0)
            for c in p.candidates:
                assert 0.0 <= c.lo <= c.share <= c.hi <= 1.0
                assert c.p_clear is None or 0.0 <= c.p_clear <= 1.0
    assert projected >= 25  # the states reach the projection, not only "too early"


def test_with_only_complete_counties_counted_the_risk_follows_how_unlike_the_whole_they_are():
    """AP's county feed early in a night: some counties complete, the others (sized by the feed)
    not begun. The model risk is read from how unlike the whole (by expected vote) the vote counted
    is; with nothing counted in the feed-sized counties it stood at its cap (63 pt wide here) even
    when the complete counties were a fair sample of the state (a metro and half the towns)."""
    contest, _truth = night()
    done = {"Synthetic Metro 0"} | {f"Synthetic Town {i}" for i in range(6)}
    units = []
    for u in contest.units:
        size = PLACES[u.name][0]
        share = PLACES[u.name][2]
        if u.name in done:
            d = round(size * share)
            units.append(
                dataclasses.replace(
                    u,
                    votes={"d": {"Total": d}, "r": {"Total": size - d}},
                    reporting=Reporting.COMPLETE,
                    precincts_total=40,
                    precincts_reporting=40,
                )
            )
        else:
            units.append(
                dataclasses.replace(
                    u, votes={}, reporting=Reporting.NONE, precincts_total=40, precincts_reporting=0
                )
            )
    ap = dataclasses.replace(contest, units=tuple(units))
    proj = project_contest(ap, baseline(), history=[])
    assert proj.status == "projected", proj.reason
    d = proj.candidate("d")
    assert d.hi - d.lo < 0.25
