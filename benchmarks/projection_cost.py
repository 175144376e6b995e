"""What the night's history costs a projection: ``python -m benchmarks projection_cost``.

The projection of one version with the night's earlier versions (``project_contest(contest,
baseline, history)``: the model risk measured from the trend of the arriving vote,
``tracker.core.arrival``) runs per version of every changed race on the night thread. One table:
per night, the median time of ``project_contest`` without history (the baseline, same run), with
history as the per-group loop computed it before (``reference_arrival_risk`` and
``reference_group_totals`` below, fed the dict history the ledger used to rebuild per projection)
and as it is now (all groups in one pass, fed the ledger's arrays), their ratios to the baseline;
the model-risk step alone, before (the ledger's dicts rebuilt, the cells grouped one mask per
group, the risk fitted group by group) and now (``group_totals`` + ``arrival_risk``), which a
busy machine blurs less than the whole projection; and the largest difference between the two
projections (shares, interval ends, P(clear)).

Nights: the bundled GA-06 April night (House race, 208 precincts in three counties), Georgia's
2021 Senate runoff as recorded from ALL.json (159 counties), North Carolina 2020 President by
precinct (2,758 precincts, about 400 county × vote-type groups); the last two are built by
``benchmarks.backtest_nights`` from ../shared/data and skipped when it is missing. Each is
projected as the window does (the night's baseline, else the shipped result by county) at
``VERSIONS`` versions spread over those the history changes; the three variants run interleaved,
``RUNS`` times each, so that a busy machine slows all three alike.

The reference functions are the code as it was before the vectorisation, kept verbatim: the
tests (tests/test_arrival_vectorised.py) compare the new code against them.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import tracker.core.projection as projection
from benchmarks.common import bundled_night, print_table
from tracker.archive.chain import VersionChain
from tracker.archive.night import NightFile
from tracker.archive.projections import baseline_for, load_baselines, pick_contest
from tracker.core import arrival
from tracker.core.arrival import (
    CURVE,
    DRIFT_FACTOR,
    DRIFT_FLOOR,
    MAX_POINTS,
    MIN_BATCHES,
    MIN_VERSIONS,
    Group,
    GroupNow,
    History,
    _slope_posterior,
    arrival_point,
)
from tracker.core.baseline import Baseline
from tracker.core.model import Contest
from tracker.core.projection import ContestProjection, project_contest

#: Versions timed per night (spread over those projected with a measured trend) and runs each.
VERSIONS = 6
RUNS = 7


# --- the reference: the per-group loop as it was ------------------------------------------------
def _reference_versions_with_votes(history: History, groups: Mapping[Group, GroupNow]) -> int:
    count, last = 0, 0
    totals = [sum(sum(row.values()) for row in point.values()) for point in history]
    totals.append(int(sum(float(now.counted.sum()) for now in groups.values())))
    for total in totals:
        if total > last:
            count, last = count + 1, total
    return count


def reference_arrival_risk(
    history: History, ids: Sequence[str], groups: Mapping[Group, GroupNow]
) -> tuple[np.ndarray, set[Group]] | None:
    """``arrival.arrival_risk`` before the vectorisation: one small array and fit per group."""
    k = len(ids)
    if _reference_versions_with_votes(history, groups) < MIN_VERSIONS:
        return None
    rows: list[tuple[Group, np.ndarray, np.ndarray, float, float]] = []  # group, cum, w, D, V
    for group, now in groups.items():
        if now.remaining <= 0:
            continue
        rows_g = [h.get(group) for h in history]
        points = np.array(
            [[0.0] * k]
            + [[float(r.get(c, 0)) for c in ids] if r else [0.0] * k for r in rows_g]
            + [list(np.asarray(now.counted, dtype=float))]
        )
        totals = points.sum(axis=1)
        keep = totals > np.maximum.accumulate(np.concatenate([[-1.0], totals[:-1]]))
        keep[0] = True
        cum = points[keep]
        V = float(cum[-1].sum())
        if V <= 0:
            continue
        rows.append((group, cum, np.diff(cum.sum(axis=1)), V + now.remaining, V))
    batches = sum(len(w) for _, _, w, _, _ in rows)
    if batches - len(rows) < MIN_BATCHES:
        return None
    sxx = 0.0
    sxy = np.zeros(k)
    fits = []
    for group, cum, w, D, V in rows:
        tot = cum.sum(axis=1)
        x = (tot[:-1] + tot[1:]) / 2 / D
        share = np.diff(cum, axis=0) / w[:, None]
        xbar = float(w @ x / V)
        level = cum[-1] / V
        sxx += float(w @ (x - xbar) ** 2)
        sxy += (w * (x - xbar)) @ (share - level)
        fits.append((group, x, share, w, xbar, level, D, V))
    if sxx <= 0:
        return None
    b = sxy / sxx
    ss = np.zeros(k)
    for _, x, share, w, xbar, level, _, _ in fits:
        resid = share - level - np.outer(x - xbar, b)
        ss += w @ resid**2
    phi = ss / max(batches - len(rows) - 1, 1)
    slope, slope_var = _slope_posterior(b, phi / sxx)
    systematic = np.zeros(k)
    shared = np.zeros(k)
    noise = np.zeros(k)
    for group, _, _, _, xbar, _, D, V in fits:
        now = groups[group]
        r = now.remaining
        reach = (V + r / 2) / D - xbar
        systematic += (1 + CURVE) * np.abs(slope * reach) * r
        shared += np.sqrt(slope_var) * reach * r
        noise += (phi / V + phi / r) * r**2
    risk = DRIFT_FACTOR * np.sqrt((systematic + shared) ** 2 + noise)
    floor = DRIFT_FLOOR * sum(groups[g].remaining for g, *_ in fits)
    covered = {g for g, *_ in fits}
    return np.maximum(risk, floor), set(g for g, now in groups.items() if now.remaining > 0) - covered


def reference_group_totals(
    county: Sequence[str], ctype: Sequence[str], counted: np.ndarray, remaining: np.ndarray
) -> dict[Group, GroupNow]:
    """The groups as ``projection`` built them before: one mask over all cells per group."""
    county_a = np.asarray(county)
    ctype_a = np.asarray(ctype)
    groups: dict[Group, GroupNow] = {}
    for group in sorted(set(zip(county_a.tolist(), ctype, strict=True))):
        in_g = (county_a == group[0]) & (ctype_a == group[1])
        groups[group] = GroupNow(counted[in_g].sum(axis=0), float(remaining[in_g].sum()))
    return groups


def as_dicts(history: History) -> list[dict[Group, dict[str, int]]]:
    """The history as the ledger handed it out before: a dict of dicts per version."""
    return [{g: dict(row) for g, row in point.items()} for point in history]


@contextmanager
def reference_model():
    """``project_contest`` with the reference loop in place of the vectorised one."""
    saved = projection.arrival_risk, arrival.group_totals
    projection.arrival_risk, arrival.group_totals = reference_arrival_risk, reference_group_totals
    try:
        yield
    finally:
        projection.arrival_risk, arrival.group_totals = saved


def projection_numbers(p: ContestProjection) -> np.ndarray:
    """Every number a projection shows, as one array (None as NaN)."""

    def num(x: float | None) -> float:
        return np.nan if x is None else float(x)

    rows = [[c.share_now, num(c.share), num(c.lo), num(c.hi), num(c.p_clear)] for c in p.candidates]
    return np.asarray(rows, dtype=float)


def max_difference(a: ContestProjection, b: ContestProjection) -> float:
    if a.status != b.status or a.outstanding != b.outstanding:
        return float("inf")
    x, y = projection_numbers(a), projection_numbers(b)
    if not np.array_equal(np.isnan(x), np.isnan(y)):
        return float("inf")
    both = ~np.isnan(x)
    return float(np.max(np.abs(x[both] - y[both]), initial=0.0))


# --- the nights -----------------------------------------------------------------------------------
@dataclass
class Case:
    contest: Contest
    baseline: Baseline | None
    history: list[arrival.ArrivalPoint]


def night_cases(path: Path, contest: str | None = None) -> tuple[str, list[Case]]:
    """Every version of the night's race (the most votes, or ``contest``) with its baseline and
    history as the window reads them (the ledger's arrays, at most ``MAX_POINTS``)."""
    cases: list[Case] = []
    with NightFile.open(path) as night:
        versions = night.versions()
        chain = VersionChain(night, versions)
        baselines = load_baselines(night)
        cid = pick_contest(chain.snapshot(len(versions) - 1), contest).id
        history: list[arrival.ArrivalPoint] = []
        name = ""
        for i in range(len(versions)):
            snap = chain.snapshot(i)
            c = next((c for c in snap.contests if c.id == cid), None)
            if c is None:
                continue
            name = c.name
            cases.append(Case(c, baseline_for(baselines, c, snap.election.date), list(history)))
            history.append(arrival_point(c, history[-1] if history else None))
            del history[:-MAX_POINTS]
    return name, cases


@dataclass
class Step:
    """What the projection of one version handed the model-risk step (None: it read no trend)."""

    cells: tuple  # group_totals' arguments: county, vote type, counted, remaining
    history: list[arrival.ArrivalPoint]
    ids: list[str]
    groups: dict[Group, GroupNow]


def risk_step(case: Case) -> Step | None:
    """The model-risk step's inputs when the version's projection reads a trend from its history
    (else the history costs nothing)."""
    seen: dict[str, tuple] = {}
    real_totals, real_risk = arrival.group_totals, projection.arrival_risk

    def totals_spy(*args):
        seen["cells"] = args
        return real_totals(*args)

    def risk_spy(*args):
        got = real_risk(*args)
        if got is not None:
            seen["risk"] = args
        return got

    arrival.group_totals, projection.arrival_risk = totals_spy, risk_spy
    try:
        project_contest(case.contest, case.baseline, case.history)
    finally:
        arrival.group_totals, projection.arrival_risk = real_totals, real_risk
    if "risk" not in seen:
        return None
    history, ids, groups = seen["risk"]
    return Step(seen["cells"], list(history), list(ids), dict(groups))


def step_before(step: Step) -> object:
    """The step as the window ran it before: the ledger rebuilt each point as a dict of dicts, the
    cells were grouped one mask per group, the risk fitted one group at a time."""
    history = as_dicts(step.history)
    return reference_arrival_risk(history, step.ids, reference_group_totals(*step.cells))


def step_now(step: Step) -> object:
    return arrival.arrival_risk(step.history, step.ids, arrival.group_totals(*step.cells))


def _time(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def time_night(label: str, path: Path, contest: str | None = None) -> list[str]:
    _name, cases = night_cases(path, contest)
    steps = [(c, s) for c in cases if (s := risk_step(c)) is not None]
    if not steps:
        return [label, "no version reads a trend", *["-"] * 11]
    pick = sorted({round(i * (len(steps) - 1) / max(VERSIONS - 1, 1)) for i in range(VERSIONS)})
    chosen = [steps[i] for i in pick]
    plain, before, after, s_before, s_now, diff = [], [], [], [], [], 0.0
    groups = 0
    for case, step in chosen:
        old_history = as_dicts(case.history)
        with reference_model():
            ref = project_contest(case.contest, case.baseline, old_history)
        new = project_contest(case.contest, case.baseline, case.history)
        diff = max(diff, max_difference(ref, new))
        groups = max(groups, sum(now.remaining > 0 for now in step.groups.values()))
        p, b, a, sb, sn = [], [], [], [], []
        for _ in range(RUNS):
            p.append(_time(lambda c=case: project_contest(c.contest, c.baseline, None)))
            with reference_model():
                b.append(_time(lambda c=case, h=old_history: project_contest(c.contest, c.baseline, h)))
            a.append(_time(lambda c=case: project_contest(c.contest, c.baseline, c.history)))
            sb.append(_time(lambda s=step: step_before(s)))
            sn.append(_time(lambda s=step: step_now(s)))
        for out, samples in ((plain, p), (before, b), (after, a), (s_before, sb), (s_now, sn)):
            out.append(statistics.median(samples))
    p_ms, b_ms, a_ms, sb_ms, sn_ms = (
        statistics.median(v) * 1000 for v in (plain, before, after, s_before, s_now)
    )
    return [
        label,
        f"{len(cases[-1].contest.units)} units, {groups} groups out",
        f"{len(chosen)} of {len(steps)}",
        f"{p_ms:.1f} ms",
        "1.00×",
        f"{b_ms:.1f} ms",
        f"{b_ms / p_ms:.2f}×",
        f"{a_ms:.1f} ms",
        f"{a_ms / p_ms:.2f}×",
        f"{sb_ms:.1f} ms",
        f"{sn_ms:.1f} ms",
        f"{sb_ms / sn_ms:.1f}×",
        f"{diff:.1e}",
    ]


def nights() -> list[tuple[str, Path | None, str | None]]:
    """(label, night path or None when it cannot be built, contest)."""
    out: list[tuple[str, Path | None, str | None]] = [("GA-06 April 2017 (bundled)", bundled_night(), None)]
    try:
        from benchmarks.backtest_nights import build_ga2021, build_nc, cache_dir

        folder = cache_dir()
        ga = build_ga2021(folder)
        out.append(("GA 2021 Senate runoff (159 counties)", None if ga is None else ga[0], None))
        out.append(("NC 2020 President by precinct", build_nc(folder, "precincts"), None))
    except FileNotFoundError:
        out += [
            ("GA 2021 Senate runoff (159 counties)", None, None),
            ("NC 2020 President by precinct", None, None),
        ]
    return out


def main() -> None:
    headers = [
        "night",
        "race",
        "versions",
        "no history",
        "ratio",
        "history, before",
        "ratio",
        "history, now",
        "ratio",
        "risk step, before",
        "now",
        "speed-up",
        "max |Δ|",
    ]
    rows = []
    for label, path, contest in nights():
        if path is None:
            rows.append([label, "not built: ../shared/data missing", *["-"] * (len(headers) - 2)])
            continue
        rows.append(time_night(label, path, contest))
    print_table(
        "Cost of the night's history in project_contest (median per version; ratios against the"
        f" projection without history, same run; {RUNS} interleaved runs per version)",
        headers,
        rows,
    )


if __name__ == "__main__":
    main()
