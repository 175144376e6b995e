"""The projection's share fit per vote type (how the unreported cells will split), with the
leave-one-out errors the intervals are built from. How many votes each cell will have is the
expected vote's job (``tracker.core.expected_vote``).

It lives apart from ``projection.py``, which cuts the contest into cells, runs this per vote type
and turns the result into shares, intervals and P(clear). Numbers: numpy only, Qt-free, pure.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tracker.core.baseline import Baseline, candidate_share_keys, unit_match_key
from tracker.core.cells import Cells
from tracker.core.model import Contest, UnitKind

#: Complete cells of a type (with the feature) needed to fit a regression on that feature.
MIN_TRAIN = 6
#: Shrinkage of county ratios/effects towards the type-wide value, in pseudo-cells.
SHRINK = 4.0
#: Counties with complete cells needed before the county effect's shrinkage is read from the data
#: (``group_shrinkage``); fewer keep ``SHRINK``. ``MAX_SHRINK``: no county effect to speak of.
MIN_GROUPS_FOR_SHRINKAGE = 8
MAX_SHRINK = 1000.0
#: Ridge penalty on the slopes (shares are 0..1, their variance across units ~0.01).
RIDGE = 2e-3
#: Correlated ("systematic") error per type, as a fraction of the per-cell residual sd: what the
#: complete cells cannot show about the unreported ones.
KAPPA = 0.25

#: Cells a shared error applies to, its per-candidate variance, its factor, and the turnout's.
ShareGroup = tuple[np.ndarray, np.ndarray, np.ndarray, float]


@dataclass(frozen=True)
class CellData:
    """A contest's cells as arrays (n cells × k candidates) and what each cell's unit shows."""

    counted: np.ndarray
    totals: np.ndarray
    complete: np.ndarray
    county_ix: np.ndarray
    n_counties: int
    #: Registered voters of the cell's unit (0 when unknown).
    registered: np.ndarray
    #: The unit's share in its *other* vote types tonight, whether it has any, and the leader's.
    own_share: np.ndarray
    has_own: np.ndarray
    own_ref: np.ndarray
    use_baseline: bool
    has_base: np.ndarray
    #: Baseline feature per candidate (see ``two_way_features``), the baseline winner's share
    #: (zero in a two-way race, where the feature carries it), and the baseline's votes of the type.
    base_x: np.ndarray
    base_ref: np.ndarray
    base_votes: np.ndarray
    #: The baseline winner's share in the cell's unit (for the skew measure).
    base_winner: np.ndarray


@dataclass(frozen=True)
class ShareFit:
    pred: np.ndarray
    var: np.ndarray
    groups: list[ShareGroup]
    min_train: float


def cell_data(
    contest: Contest, cells: Cells, counted: np.ndarray, complete: np.ndarray, baseline: Baseline | None
) -> CellData:
    """The arrays and features the fits need, from the cut cells and the baseline (if matched)."""
    n, k = counted.shape
    totals = counted.sum(axis=1)
    units = contest.units
    counties = sorted(set(cells.county))
    county_ix = np.asarray([counties.index(c) for c in cells.county], dtype=np.int64)
    unit_ix = np.asarray(cells.unit, dtype=np.int64)
    registered = np.asarray([u.registered or 0 for u in units], dtype=float)
    # own: the unit's counted votes per candidate, and per cell the same minus the cell itself
    unit_votes = np.zeros((len(units), k))
    np.add.at(unit_votes, unit_ix, counted)
    own_votes = unit_votes[unit_ix] - counted
    own_total = own_votes.sum(axis=1)
    has_own = own_total > 0
    own_share = np.divide(own_votes, own_total[:, None], out=np.zeros_like(own_votes), where=has_own[:, None])
    leader_j = int(np.argmax(counted.sum(axis=0)))

    # A precinct the baseline lacks takes its county's lean when the baseline is by county (the
    # shipped table for a statewide night by precinct): the county's shares say more about its
    # precincts still out than the count so far, which early and urban votes lead. Its votes stay
    # unknown (0): the county's size is the expected vote's job (``Baseline.county_totals``).
    whole = baseline.county_totals(contest) if baseline is not None else {}
    use_baseline = baseline is not None and (baseline.matched(contest) > 0 or bool(whole))
    base_share = np.zeros((n, k))
    base_ref = np.zeros(n)
    base_votes = np.zeros(n)
    has_base = np.zeros(n, dtype=bool)
    if use_baseline:
        assert baseline is not None
        names = candidate_share_keys(contest)
        keyed = [baseline.units.get(unit_match_key(u)) for u in units]
        borrowed = [
            bu is None and u.kind is UnitKind.PRECINCT and u.county in whole
            for u, bu in zip(units, keyed, strict=True)
        ]
        # each unit's shares once (a statewide night has 11,000 cells of 2,758 precincts)
        of_unit: dict[int, tuple[list[float], float]] = {}
        for i in range(n):
            u = cells.unit[i]
            bu = whole[units[u].county] if borrowed[u] else keyed[u]
            if bu is None or bu.total <= 0:
                continue
            has_base[i] = True
            if u not in of_unit:
                of_unit[u] = ([bu.share_of(nm) for nm in names], bu.shares.get(baseline.leader, 0.0))
            base_share[i], base_ref[i] = of_unit[u]
            if borrowed[u]:
                continue
            # a baseline without vote types weighs each type by the unit's total, as the
            # expected vote sizes it: the skew of the complete cells is read from them
            base_votes[i] = bu.votes_of(cells.ctype[i])
    base_x, base_r = base_share, base_ref
    if use_baseline and k == 2:
        # which side each candidate is on: from the complete cells, else (a feed that marks nothing
        # complete) from the cells that have counted something
        known = has_base & complete
        if not known.any():
            known = has_base & (totals > 0)
        base_x, base_r = two_way_features(contest, baseline, base_ref, known, counted, totals)
    return CellData(
        counted=counted,
        totals=totals,
        complete=complete,
        county_ix=county_ix,
        n_counties=len(counties),
        registered=registered[unit_ix],
        own_share=own_share,
        has_own=has_own,
        own_ref=own_share[:, leader_j],
        use_baseline=use_baseline,
        has_base=has_base,
        base_x=base_x,
        base_ref=base_r,
        base_votes=base_votes,
        base_winner=base_ref,
    )


def group_shrinkage(values: np.ndarray, weights: np.ndarray, groups: np.ndarray, n_groups: int) -> np.ndarray:
    """Per candidate, the pseudo-weight a county's mean is shrunk by (in units of the mean cell's
    weight): ``SHRINK`` where there are too few counties to tell, else estimated from the data
    (within-county variance over between-county variance, a method-of-moments estimate). Virginia's
    counties differ by sixty points and a county's three precincts in say much about its rest; a
    fixed four pseudo-cells pulled every county halfway to the state's mean and made the projection
    worse than the running share in a random order."""
    k = values.shape[1]
    wsum = np.bincount(groups, weights=weights, minlength=n_groups)
    present = wsum > 0
    n_present = int(present.sum())
    mean_w = float(weights.mean()) if weights.size else 1.0
    if n_present < MIN_GROUPS_FOR_SHRINKAGE or values.shape[0] - n_present < 2:
        return np.full(k, SHRINK)
    out = np.empty(k)
    total = float(wsum.sum())
    for j in range(k):
        num = np.bincount(groups, weights=weights * values[:, j], minlength=n_groups)
        means = np.divide(num, wsum, out=np.zeros(n_groups), where=present)
        within = float(weights @ (values[:, j] - means[groups]) ** 2) / (values.shape[0] - n_present)
        grand = float(num.sum()) / total
        between = float(wsum[present] @ (means[present] - grand) ** 2)
        denom = total - float((wsum[present] ** 2).sum()) / total
        tau2 = max((between - (n_present - 1) * within) / denom, 0.0) if denom > 0 else 0.0
        out[j] = SHRINK if tau2 <= 0 else min(within / tau2 / mean_w, MAX_SHRINK)
    return out


def shrunk_group_means(
    values: np.ndarray,
    weights: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    prior: np.ndarray,
    shrink: np.ndarray | None = None,
) -> np.ndarray:
    """Per group (rows) weighted means of ``values`` (n × k), shrunk towards ``prior`` (k) by
    ``shrink`` (per candidate; default ``SHRINK``) pseudo-cells of mean weight."""
    wsum = np.bincount(groups, weights=weights, minlength=n_groups)
    mean_w = weights.mean() if weights.size else 1.0
    out = np.empty((n_groups, values.shape[1]))
    for j in range(values.shape[1]):
        lam = SHRINK if shrink is None else float(shrink[j])
        num = np.bincount(groups, weights=weights * values[:, j], minlength=n_groups)
        out[:, j] = (num + lam * mean_w * prior[j]) / (wsum + lam * mean_w)
    return out


def ridge(
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


def two_way_features(
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

    The side comes from the names or parties (a candidate named like the baseline's winner, or of
    its party, is on its side),
    else from the sign of the share's correlation with the baseline winner's share over the
    complete cells (a runoff feed without names, a general election after a primary). Returns the
    (n, 2) feature and a zero reference column (the feature already carries it)."""
    assert baseline is not None
    keys = candidate_share_keys(contest)
    on_side = [baseline.leader in k for k in keys]
    if any(on_side) and not all(on_side):
        side = 1.0 if on_side[0] else -1.0
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


def fit_shares(
    d: CellData,
    in_type: np.ndarray,
    tgt: np.ndarray,
    pred_final: np.ndarray,
    fallback: np.ndarray,
    turn_sys: float,
) -> ShareFit:
    """Each candidate's share in the target cells ``tgt`` of one vote type: a weighted ridge
    regression on the best feature each cell has (its unit's own share in its other vote types,
    else its baseline shares, else none), slopes shrunk towards a uniform swing, plus a shrunk
    county effect; cells with nothing to learn from split like the contest so far (``fallback``).
    Also the per-cell residual variance and, per feature set, the shared ("systematic") part."""
    n, k = d.counted.shape
    train_v = in_type & d.complete & (d.totals > 0)
    pred_share = np.zeros((n, k))
    var_cell_share = np.zeros((n, k))
    groups: list[ShareGroup] = []
    min_train = math.inf
    remaining_s = tgt.copy()
    if not train_v.any():
        # nothing to learn from: the remaining votes split like the contest so far
        pred_share[tgt] = fallback
        var_cell_share[tgt] = 0.01
        return ShareFit(pred_share, var_cell_share, groups, min_train)
    y_all = np.divide(d.counted, d.totals[:, None], out=np.zeros_like(d.counted), where=d.totals[:, None] > 0)
    feature_sets: list[tuple[np.ndarray, np.ndarray | None, np.ndarray | None]] = [
        (d.has_own, d.own_share, d.own_ref),
    ]
    if d.use_baseline:
        feature_sets.append((d.has_base, d.base_x, d.base_ref))
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
        w = d.totals[tr]
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
        coef, loo, a_inv = ridge(design, y, w, prior)
        # county effect on the residuals, shrunk; its own leave-one-out
        g = d.county_ix[tr]
        zero = np.zeros(k)
        lam = group_shrinkage(loo, w, g, d.n_counties)
        effect = shrunk_group_means(loo, w, g, d.n_counties, zero, lam)
        wsum = np.bincount(g, weights=w, minlength=d.n_counties)
        num = np.stack([np.bincount(g, weights=w * loo[:, j], minlength=d.n_counties) for j in range(k)], 1)
        loo_eff = (num[g] - w[:, None] * loo) / (wsum[g, None] - w[:, None] + lam[None, :])
        resid = loo - loo_eff
        s_var = np.sum(w[:, None] * resid**2, axis=0) / w.sum()
        pred = np.einsum("nkp,kp->nk", design_use, coef) + effect[d.county_ix[use]]
        pred_share[use] = pred
        var_cell_share[use] = s_var
        p = design.shape[2] + 1
        min_train = min(min_train, max(ntr - p, 1))
        # The fitted mean's own error where the targets are (x̄ᵀ A⁻¹ x̄: 1/n for a mean, more
        # when the targets lie outside the reported cells' range), plus KAPPA² for the rest.
        rem_use = np.maximum(pred_final[use] - d.totals[use], 0.0)
        weights_use = (
            rem_use / rem_use.sum() if rem_use.sum() > 0 else np.full(len(rem_use), 1 / len(rem_use))
        )
        centre = np.einsum("n,nkp->kp", weights_use, design_use)
        lever = np.einsum("kp,kpq,kq->k", centre, a_inv, centre)
        groups.append((use, s_var, lever + KAPPA**2, turn_sys))
        remaining_s &= ~use
    if remaining_s.any():
        pred_share[remaining_s] = fallback
        var_cell_share[remaining_s] = 0.01
    return ShareFit(pred_share, var_cell_share, groups, min_train)


__all__ = [
    "CellData",
    "ShareFit",
    "cell_data",
    "fit_shares",
    "ridge",
    "two_way_features",
]
