"""Projection of final shares with 90 % intervals and P(clear the threshold), from one Snapshot.

The unit of the model is a *cell*: a reporting unit × canonical vote type (``election_day``,
``early``, ``mail``, ``provisional``, ``other``, ``total``). A precinct that is ``partial`` has
some cells in and others not; Cobb's "Advance in Person 1" and "2" are one ``early`` cell. A cell
is *complete* when its unit is complete (a precinct, or a county whose precincts are all in), or
when every feed vote type of that canonical type that its county reports is present; otherwise it
is a *target*: its final votes are predicted and what it has counted so far is subtracted.

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
  many-candidate first round whose losing side was split (``_two_way_features``).
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

A last variance term is *model risk*: the outstanding vote's share may differ from the model's
by ``TAU`` (sd), whatever the residuals say — a skewed reporting order without a baseline shows
nothing in the residuals. With a baseline the skew is visible, and the term is measured from it
(``TAU_BASELINE``, ``SKEW_FACTOR``). ``TAU`` was chosen on the April 2017 GA-06 night only (no other
night without a baseline exists in the shared data, so it is not validated elsewhere); the baseline
pair on June only and checked on GA 2021 (README, "Projections"). The other hyper-parameters
(``KAPPA``, ``SHRINK``, ``RIDGE``, ``MIN_CELLS``, ``MIN_TYPE_CELLS``) were set by hand before any
backtest and not tuned.
Pure and deterministic (no randomness), Qt-free, numpy only.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tracker.core.model import Contest, Reporting, ReportingUnit, Snapshot, UnitKind, canonical_vote_type
from tracker.core.threshold import Outstanding, votes_to_clear

MODEL_VERSION = "cells-ridge-2"

#: Complete cells with votes needed before any projection is made.
MIN_CELLS = 8
#: Complete cells of a type (with the feature) needed to fit a regression on that feature.
MIN_TRAIN = 6
#: Shrinkage of county ratios/effects towards the type-wide value, in pseudo-cells.
SHRINK = 4.0
#: Ridge penalty on the slopes (shares are 0..1, their variance across units ~0.01).
RIDGE = 2e-3
#: Correlated ("systematic") error per type, as a fraction of the per-cell residual sd: what the
#: complete cells cannot show about the unreported ones.
KAPPA = 0.25
#: Same for the turnout ratio.
KAPPA_TURNOUT = 0.25
#: Model risk: sd of the outstanding vote's share beyond the model's (see ``project_contest``).
TAU = 0.25
#: With a baseline the model risk is measured instead: ``TAU_BASELINE + SKEW_FACTOR × skew``
#: (at most ``TAU``), where skew is how far the baseline winner's share in the units counted so far
#: is from the share in all units — a skewed order shows itself in the baseline. Chosen on the June
#: night only (the smallest on a grid with no wrong call and ≥ 85 % coverage in every order there),
#: checked on the held-out GA 2021 night. (A constant instead, chosen the same way on June, 0.03,
#: failed there: 40 wrong calls in the skewed order.)
TAU_BASELINE = 0.0
SKEW_FACTOR = 0.5
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

    @property
    def too_early(self) -> bool:
        return self.status == "too early"

    def candidate(self, candidate_id: str) -> CandidateProjection:
        for c in self.candidates:
            if c.candidate_id == candidate_id:
                return c
        raise KeyError(candidate_id)

    def ranked(self) -> list[CandidateProjection]:
        """By projected share (running share when too early), highest first."""
        return sorted(self.candidates, key=lambda c: -(c.share if c.share is not None else c.share_now))


# ----------------------------------------------------------------------------------------------
# Baselines
# ----------------------------------------------------------------------------------------------

_MOUNT = re.compile(r"\bmount\b")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def unit_key(county: str | None, name: str) -> str:
    """The key that matches a precinct across elections: county and name, case, spacing and
    punctuation ignored, "Mount" as "Mt" (Cobb's "Mount Bethel 01" in April is "Mt Bethel 01" in
    June; DeKalb's "CHAMBLEE " has a trailing space)."""

    def norm(text: str) -> str:
        text = _MOUNT.sub("mt", text.casefold())
        return " ".join(_NON_WORD.sub(" ", text).split())

    return f"{norm(county or '')}/{norm(name)}"


def _key(unit: ReportingUnit) -> str:
    """A precinct by county and name; a county or state unit by its own name (feeds disagree on
    whether a county unit's ``county`` is itself)."""
    return unit_key(unit.county if unit.kind is UnitKind.PRECINCT else "", unit.name)


def name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


@dataclass(frozen=True)
class BaselineUnit:
    total: int
    #: Votes per canonical vote type.
    by_type: Mapping[str, int]
    #: Share per candidate (name key) of the unit's total.
    shares: Mapping[str, float]


@dataclass(frozen=True)
class Baseline:
    """The same units' final result in an earlier election (e.g. April's first round for June's
    runoff): turnout per vote type and each candidate's share, by ``unit_key``."""

    label: str
    units: Mapping[str, BaselineUnit]
    #: Name key of the baseline's overall winner (the reference candidate of the regression).
    leader: str

    @classmethod
    def from_contest(cls, contest: Contest, label: str = "") -> Baseline:
        names = {c.id: name_key(c.name) for c in contest.candidates}
        units: dict[str, BaselineUnit] = {}
        for unit in contest.units:
            total = unit.total()
            by_type: dict[str, int] = {}
            for by in unit.votes.values():
                for vt, n in by.items():
                    ct = canonical_vote_type(vt)
                    by_type[ct] = by_type.get(ct, 0) + n
            shares = {
                names.get(cid, name_key(cid)): (sum(by.values()) / total if total else 0.0)
                for cid, by in unit.votes.items()
            }
            units[_key(unit)] = BaselineUnit(total, by_type, shares)
        ranked = contest.ranked()
        leader = name_key(ranked[0].name) if ranked else ""
        return cls(label=label or contest.name, units=units, leader=leader)

    def matched(self, contest: Contest) -> int:
        """How many of ``contest``'s units this baseline has."""
        return sum(_key(u) in self.units for u in contest.units)


# ----------------------------------------------------------------------------------------------
# Cells
# ----------------------------------------------------------------------------------------------


@dataclass
class _Cells:
    """The contest cut into cells, as arrays (n cells × k candidates)."""

    unit: list[int] = field(default_factory=list)
    ctype: list[str] = field(default_factory=list)
    county: list[str] = field(default_factory=list)
    complete: list[bool] = field(default_factory=list)
    counted: list[list[int]] = field(default_factory=list)
    #: Final votes of the cell extrapolated from the county unit's own precincts (or -1).
    extrapolated: list[float] = field(default_factory=list)


def _is_complete_unit(unit: ReportingUnit) -> bool:
    if unit.reporting is Reporting.COMPLETE:
        return True
    if unit.kind is not UnitKind.PRECINCT and unit.precincts_total:
        return (unit.precincts_reporting or 0) >= unit.precincts_total
    return False


def _cells(contest: Contest, ids: Sequence[str]) -> _Cells:
    index = {cid: i for i, cid in enumerate(ids)}
    k = len(ids)
    canon: dict[str, str] = {vt.name: vt.canonical for vt in contest.vote_types}

    def canonical(name: str) -> str:
        ct = canon.get(name)
        if ct is None:
            ct = canon[name] = canonical_vote_type(name)
        return ct

    declared = set(canon.values())
    seen_types: set[str] = set()
    # Feed vote-type names of each canonical type that each county reports (Cobb's two advance
    # buckets): a canonical cell is complete only when all of them are in.
    county_names: dict[tuple[str, str], set[str]] = {}
    per_unit: list[tuple[dict[str, list[int]], dict[str, set[str]]]] = []
    for unit in contest.units:
        county = unit.county or unit.name
        names: set[str] = set()
        per_type: dict[str, list[int]] = {}
        for cid, by in unit.votes.items():
            names.update(by)
            j = index.get(cid)
            if j is None:
                continue
            for vt, n in by.items():
                if n:
                    ct = canonical(vt)
                    row = per_type.get(ct)
                    if row is None:
                        row = per_type[ct] = [0] * k
                    row[j] += n
        present: dict[str, set[str]] = {}
        for vt in names:
            ct = canonical(vt)
            present.setdefault(ct, set()).add(vt)
            county_names.setdefault((county, ct), set()).add(vt)
        seen_types.update(present)
        per_unit.append((per_type, present))
    expected = sorted(declared or seen_types)
    if not expected:
        expected = ["total"]
    cells = _Cells()
    zero = [0] * k
    for u, unit in enumerate(contest.units):
        county = unit.county or unit.name
        unit_done = _is_complete_unit(unit)
        per_type, present = per_unit[u]
        types = list(expected) + [t for t in present if t not in expected]
        share_of_precincts = None
        if unit.kind is not UnitKind.PRECINCT and unit.precincts_total and unit.precincts_reporting:
            share_of_precincts = unit.precincts_reporting / unit.precincts_total
        for ct in types:
            row = per_type.get(ct, zero)
            if unit_done:
                done = True
            elif ct in present and unit.kind is UnitKind.PRECINCT:
                done = present[ct] >= county_names.get((county, ct), set())
            else:
                done = False
            extrapolated = -1.0
            if not done and share_of_precincts and ct in present:
                extrapolated = sum(row) / share_of_precincts
            cells.unit.append(u)
            cells.ctype.append(ct)
            cells.county.append(county)
            cells.complete.append(done)
            cells.counted.append(row)
            cells.extrapolated.append(extrapolated)
    return cells


# ----------------------------------------------------------------------------------------------
# Fitting
# ----------------------------------------------------------------------------------------------


def _shrunk_group_means(
    values: np.ndarray, weights: np.ndarray, groups: np.ndarray, n_groups: int, prior: np.ndarray
) -> np.ndarray:
    """Per group (rows) weighted means of ``values`` (n × k), shrunk towards ``prior`` (k) by
    ``SHRINK`` pseudo-cells of mean weight."""
    wsum = np.bincount(groups, weights=weights, minlength=n_groups)
    mean_w = weights.mean() if weights.size else 1.0
    out = np.empty((n_groups, values.shape[1]))
    for j in range(values.shape[1]):
        num = np.bincount(groups, weights=weights * values[:, j], minlength=n_groups)
        out[:, j] = (num + SHRINK * mean_w * prior[j]) / (wsum + SHRINK * mean_w)
    return out


def _ridge(
    x: np.ndarray, y: np.ndarray, w: np.ndarray, prior: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted ridge fit of each candidate's share on its own design, the slopes shrunk towards
    ``prior`` (p,) — a uniform swing (own feature's slope 1) — not towards 0: when the reported
    cells span a narrow range of the feature (a skewed order), the fit falls back on the swing
    instead of on the reported cells' mean.

    ``x``: (n, k, p) designs (column 0 the intercept, unpenalised), ``y``: (n, k) shares,
    ``w``: (n,) weights (mean 1). Returns coefficients (k, p), leave-one-out residuals (n, k)
    (exact for a linear smoother: r / (1 − h)) and the inverse normal matrices (k, p, p)."""
    n, _k, p = x.shape
    penalty = np.eye(p) * RIDGE * n
    penalty[0, 0] = 0.0
    xw = x * w[:, None, None]
    a = np.einsum("nkp,nkq->kpq", xw, x) + penalty  # (k, p, p)
    b = np.einsum("nkp,nk->kp", xw, y) + (penalty @ prior)[None, :]
    a_inv = np.linalg.pinv(a)
    coef = np.einsum("kpq,kq->kp", a_inv, b)
    fitted = np.einsum("nkp,kp->nk", x, coef)
    hat = np.einsum("nkp,kpq,nkq->nk", x, a_inv, x) * w[:, None]
    resid = (y - fitted) / np.clip(1.0 - hat, 0.05, None)
    return coef, resid, a_inv


def _two_way_features(
    contest: Contest,
    baseline: Baseline | None,
    base_ref: np.ndarray,
    known: np.ndarray,
    counted: np.ndarray,
    totals_cell: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """A two-candidate race's baseline feature: each candidate's side of the baseline's two-way
    lean — the baseline winner's share for the candidate on that side, one minus it for the other
    — so the prior is a uniform swing for both. (A candidate's *own* share in a many-candidate
    first round is the wrong feature: Handel had 20 % of April's vote in GA-06 and 52 % of June's,
    because the Republican vote she won in June was split eleven ways in April.)

    The side comes from the names (a candidate named like the baseline's winner is on its side),
    else from the sign of the share's correlation with the baseline winner's share over the
    complete cells (a runoff feed without names, a general election after a primary). Returns the
    (n, 2) feature and a zero reference column (the feature already carries it)."""
    assert baseline is not None
    names = [name_key(c.name) for c in contest.candidates]
    if baseline.leader in names:
        side = 1.0 if names[0] == baseline.leader else -1.0
    else:
        w = totals_cell[known]
        y = counted[known, 0] / np.maximum(w, 1.0)
        x = base_ref[known]
        if w.sum() <= 0 or len(y) < 2:
            side = 1.0
        else:
            xm = w @ x / w.sum()
            ym = w @ y / w.sum()
            side = 1.0 if w @ ((x - xm) * (y - ym)) >= 0 else -1.0
    first = base_ref if side > 0 else 1.0 - base_ref
    return np.stack([first, 1.0 - first], axis=1), np.zeros_like(base_ref)


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


def _too_early(contest: Contest, reason: str, cells: int = 0, complete: int = 0, baseline: bool = False):
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
    )


def project_contest(contest: Contest, baseline: Baseline | None = None) -> ContestProjection:
    """Project ``contest`` (see the module docstring). Never raises on thin data: returns a
    "too early" result instead."""
    ids = [c.id for c in contest.candidates]
    k = len(ids)
    if k == 0 or not contest.units:
        return _too_early(contest, "no candidates or units")
    cells = _cells(contest, ids)
    n = len(cells.unit)
    counted = np.asarray(cells.counted, dtype=float).reshape(n, k)
    totals_cell = counted.sum(axis=1)
    complete = np.asarray(cells.complete, dtype=bool)
    ctype = np.asarray(cells.ctype)
    extrap = np.asarray(cells.extrapolated, dtype=float)
    n_complete = int((complete & (totals_cell > 0)).sum())
    use_baseline = baseline is not None and baseline.matched(contest) > 0
    V = float(counted.sum())
    votes_now = counted.sum(axis=0)

    targets = ~complete
    if not targets.any():
        return _final(contest, ids, votes_now, n, n_complete, use_baseline)
    if V <= 0:
        return _too_early(contest, "no votes counted yet", n, n_complete, use_baseline)
    if n_complete < MIN_CELLS:
        return _too_early(contest, f"fewer than {MIN_CELLS} units fully counted", n, n_complete, use_baseline)
    for t in MAJOR_TYPES:
        if (targets & (ctype == t)).any() and (complete & (ctype == t) & (totals_cell > 0)).sum() < min(
            MIN_TYPE_CELLS, int((ctype == t).sum())
        ):
            label = _TYPE_LABEL[t]
            return _too_early(
                contest,
                f"no {label + ' ' if label else ''}votes fully counted yet",
                n,
                n_complete,
                use_baseline,
            )

    units = contest.units
    counties = sorted(set(cells.county))
    county_ix = np.asarray([counties.index(c) for c in cells.county], dtype=np.int64)
    unit_ix = np.asarray(cells.unit, dtype=np.int64)
    n_units = len(units)

    # Unit-level features -------------------------------------------------------------------
    registered = np.asarray([u.registered or 0 for u in units], dtype=float)
    # own: the unit's counted votes per candidate, and per cell the same minus the cell itself
    unit_votes = np.zeros((n_units, k))
    np.add.at(unit_votes, unit_ix, counted)
    own_votes = unit_votes[unit_ix] - counted
    own_total = own_votes.sum(axis=1)
    has_own = own_total > 0
    own_share = np.divide(own_votes, own_total[:, None], out=np.zeros_like(own_votes), where=has_own[:, None])
    leader_j = int(np.argmax(votes_now))

    base_share = np.zeros((n, k))
    base_ref = np.zeros(n)
    base_votes = np.zeros(n)
    has_base = np.zeros(n, dtype=bool)
    if use_baseline:
        assert baseline is not None
        names = [name_key(c.name) for c in contest.candidates]
        keyed = [baseline.units.get(_key(u)) for u in units]
        for i in range(n):
            bu = keyed[cells.unit[i]]
            if bu is None or bu.total <= 0:
                continue
            has_base[i] = True
            base_share[i] = [bu.shares.get(nm, 0.0) for nm in names]
            base_ref[i] = bu.shares.get(baseline.leader, 0.0)
            t = cells.ctype[i]
            base_votes[i] = bu.by_type.get(t, 0) if t != "total" else bu.total
            if t != "total" and t not in bu.by_type:
                base_votes[i] = 0.0

    base_x, base_r = base_share, base_ref
    if use_baseline and k == 2:
        base_x, base_r = _two_way_features(
            contest, baseline, base_ref, has_base & complete, counted, totals_cell
        )

    pred_final = np.zeros(n)  # predicted final votes of each target cell
    pred_share = np.zeros((n, k))
    var_cell_share = np.zeros((n, k))  # independent per-cell share error variance
    var_cell_turn = np.zeros(n)  # independent per-cell relative turnout error variance
    sys_groups: list[tuple[np.ndarray, np.ndarray, np.ndarray, float]] = []
    min_train = math.inf

    for t in sorted(set(cells.ctype)):
        in_t = ctype == t
        tgt = in_t & targets
        if not tgt.any():
            continue
        train = in_t & complete
        train_v = train & (totals_cell > 0)
        # Turnout ------------------------------------------------------------------------
        base_sets = []
        if use_baseline:
            base_sets.append(("baseline", has_base & (base_votes > 0), base_votes))
        base_sets.append(("registered", registered[unit_ix] > 0, registered[unit_ix]))
        base_sets.append(("cell", np.ones(n, dtype=bool), np.ones(n)))
        remaining_t = tgt.copy()
        turn_pred = np.zeros(n)
        turn_var = np.zeros(n)
        turn_sys = 0.0
        for _name, avail, base in base_sets:
            tr = train & avail
            use = remaining_t & avail
            if not use.any() or tr.sum() < 2:
                continue
            a = totals_cell[tr]
            b = base[tr]
            ratio_all = a.sum() / b.sum() if b.sum() > 0 else 0.0
            g = county_ix[tr]
            num = np.bincount(g, weights=a, minlength=len(counties))
            den = np.bincount(g, weights=b, minlength=len(counties))
            mean_b = b.mean()
            ratio_c = (num + SHRINK * mean_b * ratio_all) / (den + SHRINK * mean_b)
            # leave-one-out relative errors of the complete cells
            loo_num = num[g] - a
            loo_den = den[g] - b
            loo_ratio = (loo_num + SHRINK * mean_b * ratio_all) / (loo_den + SHRINK * mean_b)
            pred_tr = loo_ratio * b
            rel = np.divide(a - pred_tr, pred_tr, out=np.zeros_like(a), where=pred_tr > 0)
            wt = np.maximum(pred_tr, 1e-9)
            rel_var = float(np.sum(wt * rel**2) / np.sum(wt)) if wt.sum() > 0 else 1.0
            turn_pred[use] = ratio_c[county_ix[use]] * base[use]
            turn_var[use] = rel_var
            turn_sys = max(turn_sys, rel_var * (1.0 / max(tr.sum(), 1) + KAPPA_TURNOUT**2))
            remaining_t &= ~use
        if remaining_t.any():  # no complete cell to learn from (provisional, other): nothing more
            turn_pred[remaining_t] = 0.0
        # County units that report precincts in/total extrapolate themselves.
        ex = tgt & (extrap >= 0)
        turn_pred[ex] = extrap[ex]
        final_t = np.maximum(turn_pred, totals_cell)
        pred_final[tgt] = final_t[tgt]
        var_cell_turn[tgt] = turn_var[tgt]

        # Shares -------------------------------------------------------------------------
        remaining_s = tgt.copy()
        if not train_v.any():
            # nothing to learn from: the remaining votes split like the contest so far
            pred_share[tgt] = votes_now / V
            var_cell_share[tgt] = 0.01
            continue
        y_all = np.divide(
            counted, totals_cell[:, None], out=np.zeros_like(counted), where=totals_cell[:, None] > 0
        )
        feature_sets: list[tuple[np.ndarray, np.ndarray | None, np.ndarray | None]] = [
            (has_own, own_share, own_share[:, leader_j]),
        ]
        if use_baseline:
            feature_sets.append((has_base, base_x, base_r))
        feature_sets.append((np.ones(n, dtype=bool), None, None))
        for avail, xs, ref in feature_sets:
            tr = train_v & avail
            use = remaining_s & avail
            if not use.any():
                continue
            ntr = int(tr.sum())
            if xs is not None and ntr < MIN_TRAIN:
                continue
            if ntr == 0:
                continue
            w = totals_cell[tr]
            w = w / w.mean()
            y = y_all[tr]
            if xs is None:
                design = np.ones((ntr, k, 1))
                design_use = np.ones((int(use.sum()), k, 1))
            else:
                assert ref is not None
                design = np.stack(
                    [np.ones((ntr, k)), xs[tr], np.broadcast_to(ref[tr][:, None], (ntr, k))], axis=2
                )
                nu = int(use.sum())
                design_use = np.stack(
                    [np.ones((nu, k)), xs[use], np.broadcast_to(ref[use][:, None], (nu, k))], axis=2
                )
            prior = np.zeros(design.shape[2])
            if xs is not None:
                prior[1] = 1.0
            coef, loo, a_inv = _ridge(design, y, w, prior)
            # county effect on the residuals, shrunk; its own leave-one-out
            g = county_ix[tr]
            zero = np.zeros(k)
            effect = _shrunk_group_means(loo, w, g, len(counties), zero)
            wsum = np.bincount(g, weights=w, minlength=len(counties))
            num = np.stack(
                [np.bincount(g, weights=w * loo[:, j], minlength=len(counties)) for j in range(k)], 1
            )
            loo_eff = (num[g] - w[:, None] * loo) / (wsum[g] - w + SHRINK)[:, None]
            resid = loo - loo_eff
            s_var = np.sum(w[:, None] * resid**2, axis=0) / w.sum()
            pred = np.einsum("nkp,kp->nk", design_use, coef) + effect[county_ix[use]]
            pred_share[use] = pred
            var_cell_share[use] = s_var
            p = design.shape[2] + 1
            min_train = min(min_train, max(ntr - p, 1))
            # The fitted mean's own error where the targets are (x̄ᵀ A⁻¹ x̄: 1/n for a mean, more
            # when the targets lie outside the reported cells' range), plus KAPPA² for the rest.
            rem_use = np.maximum(pred_final[use] - totals_cell[use], 0.0)
            weights_use = (
                rem_use / rem_use.sum() if rem_use.sum() > 0 else np.full(len(rem_use), 1 / len(rem_use))
            )
            centre = np.einsum("n,nkp->kp", weights_use, design_use)
            lever = np.einsum("kp,kpq,kq->k", centre, a_inv, centre)
            sys_groups.append((use, s_var, lever + KAPPA**2, turn_sys))
            remaining_s &= ~use
        if remaining_s.any():
            pred_share[remaining_s] = votes_now / V
            var_cell_share[remaining_s] = 0.01

    # Partial county cells: the rest of the county splits like its count so far.
    part = targets & (extrap >= 0) & (totals_cell > 0)
    if part.any():
        pred_share[part] = counted[part] / totals_cell[part, None]

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
    var += np.sum(((remaining**2) * var_cell_turn)[:, None] * dev**2, axis=0)
    var_r = float(np.sum(remaining**2 * var_cell_turn))
    for use, s_var, sys_factor, turn_sys in sys_groups:
        r_g = remaining[use]
        var += r_g.sum() ** 2 * s_var * sys_factor
        var += turn_sys * (r_g @ dev[use]) ** 2
        var_r += turn_sys * r_g.sum() ** 2
    # Model risk: what no residual of the reported cells can show (an order skewed by party, a
    # county whose unreported precincts differ from its reported ones). The outstanding vote's
    # share may differ by TAU (scaled by sqrt(4·F(1−F)), so 1 % candidates get less) from the
    # model's, so no call is confident while much is out.
    tau = TAU
    if use_baseline and has_base.any():
        # How unlike the whole are the units counted so far, by the baseline's winner's share?
        w = np.where(has_base, np.maximum(base_votes, 0.0), 0.0)
        done = complete & has_base
        if w[done].sum() > 0 and w.sum() > 0:
            skew = abs(float(w[done] @ base_ref[done] / w[done].sum() - w @ base_ref / w.sum()))
            tau = min(TAU, TAU_BASELINE + SKEW_FACTOR * skew)
    var += (tau * R) ** 2 * np.clip(4 * F * (1 - F), 0.0, 1.0)
    factor = _t_factor(min_train if math.isfinite(min_train) else 1.0)
    sd = np.sqrt(var) / D * factor
    sd_r = math.sqrt(var_r) * factor

    r_lo = max(R - Z90 * sd_r, 0.0)
    r_hi = R + Z90 * sd_r
    outstanding = Outstanding(expected=round(R), lo=min(round(r_lo), round(R)), hi=max(round(r_hi), round(R)))
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
    )


def _final(
    contest: Contest, ids: Sequence[str], votes_now: np.ndarray, n: int, n_complete: int, baseline: bool
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
        complete_cells=n_complete,
        cells=n,
        baseline=baseline,
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
) -> list[Any]:
    """The projection log's rows (``tracker.store.ProjectionRecord``) for ``projections`` of
    ``snapshot``: one per candidate of every contest."""
    from tracker.store import ProjectionRecord

    when = snapshot.fetched_at or snapshot.published_at
    out = []
    for proj in projections.values():
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
