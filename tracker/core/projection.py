"""Projection of final shares with 90 % intervals and P(clear the threshold), from one Snapshot.

The unit of the model is a *cell*: a reporting unit × canonical vote type (``election_day``,
``early``, ``mail``, ``provisional``, ``other``, ``total``; ``tracker.core.cells``). A complete
cell is known; any other is a *target*: its final votes are predicted and what it has counted so
far is subtracted. The two fits below live in ``tracker.core.fit``, baselines in
``tracker.core.baseline``; this module runs them per vote type and turns them into shares,
intervals and P(clear).

For each canonical vote type ``t`` the model is fitted on the complete cells of type ``t``:

* **turnout**: final votes = base × ratio, where base is the unit's votes of type ``t`` in the
  baseline election (when the night ships one), else its registered voters, else 1 (the county's
  mean cell); the ratio is Σ votes / Σ base of the county's complete cells, shrunk towards the
  type's district-wide ratio (``SHRINK`` pseudo-cells). A county unit that reports precincts
  in/total extrapolates its own count instead.
* **shares**: each candidate's share in the cell is a weighted ridge regression on the features
  the target has — its *own* share in the unit's other vote types of this night (a partial
  precinct's early vote predicts its election-day vote), else the unit's *baseline* shares (the
  same precinct in an earlier election), else nothing (the stratum's mean) — plus a county effect
  shrunk towards zero. Each regression has an intercept, the candidate's own feature and the
  reference candidate's (the current leader's own share, or the baseline's winner's share). In a
  two-candidate race the baseline feature is each candidate's *side* of the baseline's two-way lean
  instead (the baseline winner's share, or one minus it), so a runoff swings uniformly from a
  many-candidate first round whose losing side was split (``fit.two_way_features``).
* **intervals**: out-of-sample (leave-one-out, exact for the ridge fit) residuals of the complete
  cells give each type's per-cell share and turnout errors; the projected final share's variance
  adds an independent part per target cell and a shared part per type (the fitted mean's own
  error, 1/n, plus ``KAPPA``² for what the reported cells cannot show about the unreported ones).
  The 90 % interval is ± a Student-t quantile (few complete cells → wider); P(clear) is the normal
  tail beyond the line. With nothing outstanding the interval has width 0 and P(clear) is exactly
  0 or 1, decided with the integer rule of ``threshold.py``.

"Too early" (no projection, only the running share) when fewer than ``MIN_CELLS`` cells with
votes are complete, or when a major vote type (election day, early, mail, total) is expected but
none of its cells is complete yet: the reported cells then say nothing about it.

A last variance term is *model risk*: the outstanding vote's share may differ from the model's by
``TAU`` (sd), whatever the residuals say — a skewed reporting order without a baseline shows nothing
in the residuals. With a baseline the skew is visible, and the term is measured from it
(``TAU_BASELINE``, ``SKEW_FACTOR``). Given the night's earlier versions (``history``) the risk is
measured instead from the trend of the arriving vote in each county × vote type
(``tracker.core.arrival``), never above the fixed one. ``TAU`` was chosen on the April 2017 GA-06
night only (no other night without a baseline exists in the shared data, so it is not validated
elsewhere); the baseline pair on June only and checked on GA 2021 (README, "Projections"). The other
hyper-parameters (``KAPPA``, ``SHRINK``, ``RIDGE``, ``MIN_CELLS``, ``MIN_TYPE_CELLS``) were set by
hand before any backtest and not tuned.
Pure and deterministic (no randomness), Qt-free, numpy only.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from tracker.core import arrival
from tracker.core.arrival import ArrivalPoint, History, arrival_risk
from tracker.core.baseline import Baseline, BaselineUnit, name_key, unit_key
from tracker.core.cells import Cells, cut_cells
from tracker.core.county_evidence import SETTLE_VERSIONS, settled, stalled_places
from tracker.core.expected_vote import ExpectedVote, expect_cells, outstanding_range, summarise
from tracker.core.fit import cell_data, fit_shares
from tracker.core.model import Contest, Snapshot, UnitKind
from tracker.core.pause_points import pause_point
from tracker.core.prior_rest import ON_THE_DAY, blend_first_reports, split_waiting
from tracker.core.projection_log import ProjectionRecord, baseline_key
from tracker.core.threshold import Outstanding, votes_to_clear

MODEL_VERSION = "expected-vote-9"
#: Appended to the model version of a projection made from one version alone, without the night's
#: earlier versions (``project_contest(history=None)``): its model risk is the fixed ``TAU``.
ONE_VERSION = "/one-version"

#: Complete cells with votes needed before any projection is made.
MIN_CELLS = 8
#: The fits' own hyper-parameters (``SHRINK``, ``RIDGE``, ``KAPPA`` …) are in ``tracker.core.fit``.
#: Model risk: sd of the outstanding vote's share beyond the model's (see ``project_contest``).
TAU = 0.25
#: With a baseline the model risk is measured instead: ``TAU_BASELINE + SKEW_FACTOR × skew``
#: (at most ``TAU``), where skew is how far the baseline winner's share in the units counted so far
#: is from the share in all units — a skewed order shows itself in the baseline. Chosen on the June
#: night only (the smallest on a grid with no wrong call and ≥ 85 % coverage in every order there),
#: checked on the held-out GA 2021 night. (A constant instead, chosen the same way on June, 0.03,
#: failed there: 40 wrong calls in the skewed order.)
TAU_BASELINE = 0.0
SKEW_FACTOR = 2.5
#: Where nothing is complete and the places are sized by the turnout prior, the measured risk
#: never falls below this: no complete place shows how the rest of a partial one differs from its
#: count. 0.05 (a fifth of ``TAU``) was set by hand; 0.03 is the smallest of {0.05, 0.03, 0.02}
#: with no new wrong call and no coverage lost on any shared night in any order (0.02: a wrong
#: call on North Carolina by county, early votes first, and Georgia 2021's Warnock race recorded
#: covered 89 %). Where it binds, the outstanding vote's share was off by 1.5–3 points (Georgia
#: 2021 recorded, 23–85 % counted): an sd of 3 points is not narrower than what was seen.
TAU_PRIOR = 0.03
#: Complete cells (with votes) of a major vote type needed before its outstanding cells are
#: predicted (or all of its cells, if it has fewer).
MIN_TYPE_CELLS = 5
#: Two-sided 90 % interval.
Z90 = 1.6448536269514722
#: Vote types whose absence from the complete cells makes a projection impossible.
MAJOR_TYPES = ("election_day", "early", "mail", "total")

_TYPE_LABEL = {
    "election_day": "election-day",
    "early": "early",
    "mail": "mail",
    "total": "",
    "provisional": "provisional",
    "other": "other",
}


# ----------------------------------------------------------------------------------------------
# Results
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateProjection:
    candidate_id: str
    name: str
    votes: int
    #: Share of the votes counted now (0..1).
    share_now: float
    #: Projected final share (0..1) and its 90 % interval; None when too early.
    share: float | None = None
    lo: float | None = None
    hi: float | None = None
    #: Probability of finishing over the contest's line; None when too early or no line.
    p_clear: float | None = None


@dataclass(frozen=True)
class ContestProjection:
    contest_id: str
    contest_name: str
    #: "projected", "final" (nothing outstanding) or "too early".
    status: str
    #: Why it is too early (one phrase), else "".
    reason: str
    counted: int
    candidates: tuple[CandidateProjection, ...]
    #: Projected outstanding vote with its 90 % range; None when too early.
    outstanding: Outstanding | None = None
    complete_cells: int = 0
    cells: int = 0
    baseline: bool = False
    model_version: str = MODEL_VERSION
    #: Which baseline the projection used ("" without one), e.g. "ga06-2016-11-08: President …".
    baseline_label: str = ""
    #: Which file that baseline came from (``Baseline.source_id``; "" for none or a shipped one).
    baseline_id: str = ""
    #: The expected vote it rests on: the outstanding vote per unit and county, and its evidence.
    expected: ExpectedVote | None = None

    @property
    def evidence(self) -> str:
        """How the window names what the projection knows about the vote still out."""
        if self.expected is None:
            return ""
        return self.expected.evidence

    @property
    def too_early(self) -> bool:
        return self.status == "too early"

    @cached_property
    def _by_id(self) -> dict[str, CandidateProjection]:
        index: dict[str, CandidateProjection] = {}
        for c in self.candidates:
            index.setdefault(c.candidate_id, c)
        return index

    def candidate(self, candidate_id: str) -> CandidateProjection:
        """By id, in constant time (a scan per candidate was quadratic; issue 19)."""
        try:
            return self._by_id[candidate_id]
        except KeyError:
            raise KeyError(candidate_id) from None

    def ranked(self) -> list[CandidateProjection]:
        """By projected share (running share when too early), highest first."""
        return sorted(self.candidates, key=lambda c: -(c.share if c.share is not None else c.share_now))


# ----------------------------------------------------------------------------------------------
# Intervals
# ----------------------------------------------------------------------------------------------


def _t_factor(dof: float) -> float:
    """Student-t 95 % quantile over the normal one (Cornish–Fisher), for ``dof`` degrees."""
    if dof <= 1:
        return 6.314 / Z90
    z = Z90
    t = z + (z**3 + z) / (4 * dof) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * dof**2)
    return t / z


def _normal_sf(x: float) -> float:
    return 0.5 * math.erfc(x / math.sqrt(2.0))


# ----------------------------------------------------------------------------------------------
# The projection
# ----------------------------------------------------------------------------------------------


def _too_early(
    contest: Contest,
    reason: str,
    *,
    cells: int = 0,
    complete: int = 0,
    baseline: bool = False,
    label: str = "",
    baseline_id: str = "",
    expected: ExpectedVote | None = None,
) -> ContestProjection:
    counted = contest.total_votes
    totals = contest.totals
    return ContestProjection(
        contest_id=contest.id,
        contest_name=contest.name,
        status="too early",
        reason=reason,
        counted=counted,
        candidates=tuple(
            CandidateProjection(
                c.id, c.name, totals.get(c.id, 0), totals.get(c.id, 0) / counted if counted else 0.0
            )
            for c in contest.candidates
        ),
        complete_cells=complete,
        cells=cells,
        baseline=baseline,
        baseline_label=label,
        baseline_id=baseline_id,
        expected=expected,
    )


def project_contest(
    contest: Contest, baseline: Baseline | None = None, history: History | None = None
) -> ContestProjection:
    """Project ``contest`` (see the module docstring). Never raises on thin data: returns a
    "too early" result instead. ``history``: the contest's earlier versions of the night, oldest
    first (``arrival.arrival_point`` of each; ``[]`` for the night's first version); with enough
    of them the model risk is measured from the trend of the arriving vote
    (``tracker.core.arrival``) instead of the fixed ``TAU``. Without it (None: the caller does not
    know the night before this version) the projection says so in its ``model_version``
    (``MODEL_VERSION`` + ``ONE_VERSION``): it is wider, and logged apart."""
    made = _project_contest(contest, baseline, history)
    if history is None:
        return replace(made, model_version=MODEL_VERSION + ONE_VERSION)
    return made


def _project_contest(
    contest: Contest, baseline: Baseline | None, history: History | None
) -> ContestProjection:
    ids = [c.id for c in contest.candidates]
    k = len(ids)
    if k == 0 or not contest.units:
        return _too_early(contest, "no candidates or units")
    cells = cut_cells(contest, ids)
    n = len(cells.unit)
    counted = np.asarray(cells.counted, dtype=float).reshape(n, k)
    totals_cell = counted.sum(axis=1)
    complete = np.asarray(cells.complete, dtype=bool)
    ctype = np.asarray(cells.ctype)
    county_partial = np.asarray(cells.county_partial, dtype=bool)
    n_complete = int((complete & (totals_cell > 0)).sum())
    use_baseline = baseline is not None and baseline.applies_to(contest)
    base = baseline if use_baseline else None
    label = base.label if base is not None else ""
    baseline_id = base.source_id if base is not None else ""
    V = float(counted.sum())
    votes_now = counted.sum(axis=0)

    # The expected vote: how much is out, cell by cell, and on what evidence (one estimate for
    # the projection, the "vote still out" line and the drill-down).
    targets = ~complete
    settle = (
        settled([ArrivalPoint.of(p).total for p in history[-SETTLE_VERSIONS:]], int(V)) if history else 0.0
    )
    stalled = stalled_places(history, cells.county, totals_cell) if history else frozenset()
    exp = expect_cells(contest, cells, totals_cell, complete, base, settle, stalled)
    rng = outstanding_range(exp, totals_cell, targets)
    expected = summarise(contest, cells, totals_cell, exp, rng, label, counted)
    facts = {
        "cells": n,
        "complete": n_complete,
        "baseline": use_baseline,
        "label": label,
        "baseline_id": baseline_id,
        "expected": expected,
    }

    if not targets.any():
        return _final(contest, ids, votes_now, **facts)
    if V <= 0:
        return _too_early(contest, "no votes counted yet", **facts)
    # A night reported by county has few complete counties for hours; when every county still
    # out has shown some of each vote type it still owes, the rest of it splits like its own
    # count so far (wide: the model risk has nothing to be measured against).
    owed = targets & (exp.final - totals_cell > 0.5)
    # A county sized by the turnout prior (no unit complete, no precinct counts) that has counted
    # some of a cell is read the same way: its rest splits like its count so far.
    # A county sized so that has counted nothing yet splits like the contest so far (the model
    # risk, nothing else, covers how it may differ).
    prior = np.asarray([src == "prior" for src in exp.source], dtype=bool)
    # So is a place sized by the feed's own expected vote (AP's, ``expected_votes`` in
    # ``tracker-feed/1``) when a baseline says how its rest may split: its size is stated, its
    # split is not. (A feed that never marks a place complete stayed "too early" to its last
    # version; an AP county feed until eight counties were complete. Without a baseline it still
    # does: read like its count, a county's rest followed its early ballots, 4 points off at half
    # counted where the running share was 0.9.)
    fed = _fed_places(contest, cells, exp.source) & targets if use_baseline else np.zeros(n, dtype=bool)
    prior |= fed
    county_partial = county_partial | (prior & (totals_cell > 0))
    by_county = not any(u.kind is UnitKind.PRECINCT for u in contest.units) and bool(
        (county_partial | prior | ~owed).all()
    )
    if n_complete < MIN_CELLS and not by_county:
        return _too_early(contest, f"fewer than {MIN_CELLS} units fully counted", **facts)
    for t in MAJOR_TYPES if not by_county else ():
        if (targets & (ctype == t)).any() and (complete & (ctype == t) & (totals_cell > 0)).sum() < min(
            MIN_TYPE_CELLS, int((ctype == t).sum())
        ):
            type_label = _TYPE_LABEL[t]
            return _too_early(
                contest, f"no {type_label + ' ' if type_label else ''}votes fully counted yet", **facts
            )

    if expected.source == "unknown":
        return _too_early(contest, "nothing yet says how much vote is still out", **facts)

    data = cell_data(contest, cells, counted, complete, base)

    pred_final = exp.final
    pred_share = np.zeros((n, k))
    var_cell_share = np.zeros((n, k))  # independent per-cell share error variance
    sys_groups: list[tuple[np.ndarray, np.ndarray, np.ndarray, float]] = []
    min_train = math.inf

    for t in sorted(set(cells.ctype)):
        in_t = ctype == t
        tgt = in_t & targets
        if not tgt.any():
            continue
        fit = fit_shares(data, in_t, tgt, pred_final, votes_now / V, 0.0)
        pred_share[tgt] = fit.pred[tgt]
        var_cell_share[tgt] = fit.var[tgt]
        sys_groups.extend(fit.groups)
        min_train = min(min_train, fit.min_train)

    # Partial county cells: the rest of the county splits like its count so far.
    part = targets & county_partial & (totals_cell > 0)
    if part.any():
        pred_share[part] = counted[part] / totals_cell[part, None]
    places = np.asarray([contest.units[u].kind is not UnitKind.PRECINCT for u in cells.unit], dtype=bool)
    size_sd = np.maximum(exp.hi - exp.lo, 0.0) / (2 * Z90 * np.maximum(pred_final, 1.0))
    # In a feed with one total per place the places that have counted part of their vote (by
    # their precinct counts, or sized by the prior or the feed) split their rest so that they
    # end near their baseline lean swung as the night swings, not like their early ballots
    # (``prior_rest.blend_first_reports``); the swing is read from the places complete or
    # finished. The prior-sized ones are read so inside ``split_waiting``.
    first = part & ~prior & places & (ctype == "total") & data.has_base
    if first.any():
        blend_first_reports(
            pred_share,
            first,
            ctype,
            counted,
            totals_cell,
            pred_final,
            data.has_base,
            data.base_x,
            np.maximum(exp.finished, complete.astype(float)),
            size_sd,
            places,
            swing_pool=first | (complete & (totals_cell > 0)),
        )

    # Cells sized by the turnout prior that have counted nothing: like their county's count of
    # the type, else its other types moved by how the type differs, else the baseline's lean
    # swung like the places counted so far (``prior_rest.split_waiting``).
    inferred = split_waiting(
        pred_share,
        targets & prior,
        cells.county,
        ctype,
        counted,
        pred_final,
        data.has_base,
        data.base_x,
        np.maximum(exp.finished, complete.astype(float)),
        size_sd=size_sd,
        places=places,
        swing_pool=(targets & prior) | (complete & (totals_cell > 0)),
    )

    pred_share = np.clip(pred_share, 0.0, 1.0)
    sums = pred_share.sum(axis=1, keepdims=True)
    pred_share = np.divide(pred_share, sums, out=np.full_like(pred_share, 1.0 / k), where=sums > 0)

    remaining = np.where(targets, np.maximum(pred_final - totals_cell, 0.0), 0.0)
    R = float(remaining.sum())
    D = V + R
    final_votes = votes_now + remaining @ pred_share
    F = final_votes / D

    # Variance of the projected shares.
    dev = pred_share - F[None, :]  # how each cell's votes pull the share when turnout is off
    var = np.sum((remaining**2)[:, None] * var_cell_share, axis=0)
    scale = np.where(targets, exp.scale, 0.0)  # what the turnout errors apply to
    var += np.sum(((scale**2) * exp.rel_var)[:, None] * dev**2, axis=0)
    for use, s_var, sys_factor, _turn in sys_groups:
        var += remaining[use].sum() ** 2 * s_var * sys_factor
    for use, t_var in exp.groups:
        var += t_var * (scale[use] @ dev[use]) ** 2
    # The precinct-only cells' wide band (one unknown shared by all): as a shared turnout error.
    band = targets & exp.band_cells
    if band.any():
        half = np.maximum(exp.hi - exp.lo, 0.0) / (2 * Z90)
        var += (half[band] @ dev[band]) ** 2
    # Model risk: what no residual of the reported cells can show (an order skewed by party, a
    # county whose unreported precincts differ from its reported ones). The outstanding vote's
    # share may differ by TAU (scaled by sqrt(4·F(1−F)), so 1 % candidates get less) from the
    # model's, so no call is confident while much is out.
    tau = TAU
    skew_read = False
    if use_baseline and data.has_base.any() and not fed.any():
        # How unlike the whole are the units counted so far, by the baseline's winner's share?
        w = np.where(data.has_base, np.maximum(data.base_votes, 0.0), 0.0)
        done = complete & data.has_base
        if w[done].sum() > 0 and w.sum() > 0:
            winner = data.base_winner
            skew = abs(float(w[done] @ winner[done] / w[done].sum() - w @ winner / w.sum()))
            tau = min(TAU, TAU_BASELINE + SKEW_FACTOR * skew)
            skew_read = True
    read_from = prior | (complete if fed.any() else np.zeros(n, dtype=bool))
    if not skew_read and (read_from & data.has_base & (totals_cell > 0)).any():
        # Places sized by the turnout prior (a feed that marks nothing complete): how unlike the
        # whole (by its expected final vote) is the vote counted so far, by the baseline winner's
        # share? (Not where complete places exist but the baseline lacks them, a baseline by county
        # for a night by precinct: a county's lean says nothing of an order sorted within it —
        # North Carolina by precinct, skewed: two wrong calls.)
        # Places sized by the feed are read the same way, the complete ones with them: each
        # county's rest is read from its own size and lean, not from the complete counties, so
        # what matters is how unlike the whole the vote counted is, not the complete counties
        # (the small rural ones first: an AP-shaped Georgia 2021 was 40 pt wide at half counted).
        has = read_from & data.has_base
        seen_w, whole_w = np.where(has, totals_cell, 0.0), np.where(has, np.maximum(pred_final, 0.0), 0.0)
        winner = data.base_winner
        skew = abs(float(seen_w @ winner / seen_w.sum() - whole_w @ winner / max(whole_w.sum(), 1e-9)))
        tau = min(TAU, max(TAU_PRIOR, TAU_BASELINE + SKEW_FACTOR * skew))
    # With the night's earlier versions, each county × vote type's risk is measured from the
    # trend of its arriving vote instead (tracker.core.arrival), never above the fixed one; the
    # risks add up linearly (one night, one order).
    binomial = np.sqrt(np.clip(4 * F * (1 - F), 0.0, 1.0))
    cap = tau * binomial
    # Counties with nothing counted and nothing to size them but the counties counted so far
    # (``county_evidence._county_band``): the risk applies to as much vote as they may hold.
    peers_band = targets & exp.county_band()
    unsized = max(
        float(np.maximum(exp.hi - totals_cell, 0.0)[peers_band].sum() - remaining[peers_band].sum()), 0.0
    )
    # Cells whose split is read from the county's other vote types (``split_waiting``: the
    # election-day votes of a county that has reported only its early and mail ballots) keep the
    # fixed risk: how one type differs from another is one offset read from a few counties, and no
    # lean of the places counted shows whether it holds (North Carolina 2020 by county, early
    # votes first: eleven wrong calls when their risk was the measured skew's).
    # So do the election-day cells of places sized by the prior: that their county's rest is
    # election-day votes rests on early and mail ballots being counted first, which holds in North
    # Carolina and Georgia and not where mail is counted last (Pennsylvania 2020).
    full = TAU * binomial
    inferred = inferred | (targets & prior & np.isin(ctype, list(ON_THE_DAY)))
    r_inferred = float(remaining[inferred].sum())
    risk_votes = cap * (R - r_inferred + unsized) + full * r_inferred
    if history and R > 0:
        history = history[-arrival.MAX_POINTS :]
        county = cells.county if arrival.BY_COUNTY else [""] * n
        groups = arrival.group_totals(county, cells.ctype, counted, remaining)
        measured = arrival_risk(history, ids, groups)
        if measured is not None:
            drift, uncovered = measured
            fixed = sum(groups[g].remaining for g in uncovered)
            fixed = max(fixed - r_inferred, 0.0)
            risk_votes = (
                np.minimum(cap * max(R - fixed - r_inferred, 0.0), drift)
                + cap * (fixed + unsized)
                + full * r_inferred
            )
    var += risk_votes**2
    if not math.isfinite(min_train) and prior.any():
        # No cell complete, so no fit ran: the shares of the vote still out come from the places
        # that have counted some (``split_waiting``), and the interval's width from the model risk
        # and the sizes' band above. Their number is what the estimate learned from.
        seen = len({cells.county[i] for i in np.flatnonzero(prior & (totals_cell > 0))})
        min_train = max(seen - 2, 1)
    factor = _t_factor(min_train if math.isfinite(min_train) else 1.0)
    sd = np.sqrt(var) / D * factor

    r_mid, r_lo, r_hi = rng if rng is not None else (R, R, R)
    # Hard only when the expected vote's top is (``Outstanding.hard``): the same cells, the same evidence.
    hard = expected.outstanding is not None and expected.outstanding.hard
    outstanding = Outstanding(expected=round(r_mid), lo=round(r_lo), hi=round(r_hi), hard=hard)
    # Hard bounds: a candidate keeps what is counted and can at most win all that is left.
    floor = votes_now / (V + r_hi)
    ceiling = (votes_now + r_hi) / (V + r_hi)
    lo = np.clip(F - Z90 * sd, floor, None)
    hi = np.clip(F + Z90 * sd, None, ceiling)
    lo = np.minimum(lo, F)
    hi = np.maximum(hi, F)

    rule = contest.threshold
    out = []
    for j, cand in enumerate(contest.candidates):
        p_clear = None
        if rule.has_line:
            if sd[j] <= 0:
                p_clear = 1.0 if F[j] > rule.share else 0.0
            else:
                p_clear = _normal_sf((rule.share - F[j]) / sd[j])
        out.append(
            CandidateProjection(
                cand.id,
                cand.name,
                int(votes_now[j]),
                float(votes_now[j] / V),
                float(F[j]),
                float(lo[j]),
                float(hi[j]),
                None if p_clear is None else float(p_clear),
            )
        )
    return ContestProjection(
        contest_id=contest.id,
        contest_name=contest.name,
        status="projected",
        reason="",
        counted=int(V),
        candidates=tuple(out),
        outstanding=outstanding,
        complete_cells=n_complete,
        cells=n,
        baseline=use_baseline,
        baseline_label=label,
        baseline_id=baseline_id,
        expected=expected,
    )


def _fed_places(contest: Contest, cells: Cells, source: Sequence[str]) -> np.ndarray:
    """The cells sized by the feed's expected vote whose unit is a place (a county, a town, the
    state), not a precinct."""
    place = [u.kind is not UnitKind.PRECINCT for u in contest.units]
    return np.asarray(
        [src == "feed" and place[u] for src, u in zip(source, cells.unit, strict=True)], dtype=bool
    )


def _final(
    contest: Contest,
    ids: Sequence[str],
    votes_now: np.ndarray,
    *,
    cells: int,
    complete: int,
    baseline: bool,
    label: str = "",
    baseline_id: str = "",
    expected: ExpectedVote | None = None,
) -> ContestProjection:
    """Everything is in: the projection is the count, exactly (integer threshold rule)."""
    V = int(votes_now.sum())
    rule = contest.threshold
    out = []
    for j, cand in enumerate(contest.candidates):
        v = int(votes_now[j])
        share = v / V if V else 0.0
        p = None
        if rule.has_line:
            p = 1.0 if V and votes_to_clear(v, V, rule) <= 0 else 0.0
        out.append(CandidateProjection(cand.id, cand.name, v, share, share, share, share, p))
    return ContestProjection(
        contest_id=contest.id,
        contest_name=contest.name,
        status="final",
        reason="",
        counted=V,
        candidates=tuple(out),
        outstanding=Outstanding.none(),
        complete_cells=complete,
        cells=cells,
        baseline=baseline,
        baseline_label=label,
        baseline_id=baseline_id,
        expected=expected,
    )


def project_snapshot(
    snapshot: Snapshot, baselines: Mapping[str, Baseline] | None = None
) -> dict[str, ContestProjection]:
    """Every contest of ``snapshot`` projected; ``baselines`` maps a contest *name key*
    (``name_key(contest.name)``) to its baseline."""
    out: dict[str, ContestProjection] = {}
    for contest in snapshot.contests:
        base = (baselines or {}).get(name_key(contest.name))
        out[contest.id] = project_contest(contest, base)
    return out


def projection_records(
    snapshot: Snapshot,
    projections: Mapping[str, ContestProjection],
    *,
    source: str,
    made_at: str,
) -> list[ProjectionRecord]:
    """The projection log's rows (``tracker.core.projection_log.ProjectionRecord``) for
    ``projections`` of ``snapshot``: one per candidate of every contest (a statewide version's
    ~30,000 take ~100 ms: a pause point between contests lets a window run; issue 21)."""
    when = snapshot.fetched_at or snapshot.published_at
    out = []
    for proj in projections.values():
        pause_point()
        o = proj.outstanding
        for c in proj.candidates:
            out.append(
                ProjectionRecord(
                    made_at=made_at,
                    source=source,
                    election_id=snapshot.election.id,
                    version=snapshot.version,
                    payload_id=snapshot.payload_id or "",
                    snapshot_time=when.isoformat() if when else None,
                    contest_id=proj.contest_id,
                    contest_name=proj.contest_name,
                    candidate_id=c.candidate_id,
                    candidate=c.name,
                    status=proj.status,
                    votes=c.votes,
                    share_now=round(c.share_now, 6),
                    share=None if c.share is None else round(c.share, 6),
                    lo=None if c.lo is None else round(c.lo, 6),
                    hi=None if c.hi is None else round(c.hi, 6),
                    p_clear=None if c.p_clear is None else round(c.p_clear, 6),
                    outstanding=None if o is None else o.expected,
                    outstanding_lo=None if o is None else o.lo,
                    outstanding_hi=None if o is None else o.hi,
                    model_version=proj.model_version,
                    baseline=baseline_key(proj.baseline_label, proj.baseline_id),
                    evidence=proj.evidence,
                )
            )
    return out


__all__ = [
    "MODEL_VERSION",
    "Baseline",
    "BaselineUnit",
    "CandidateProjection",
    "ContestProjection",
    "name_key",
    "project_contest",
    "project_snapshot",
    "projection_records",
    "unit_key",
]
