"""Backtest the projection on a real night, replayed in several reporting orders.

A night's last version is its final result. Its *cells* (a unit × one of the feed's vote types, as
the unit reports them) are released one at a time in an order; at the moments when 10 %, 20 % …
90 % of the final vote is counted, the contest as it stands is projected and scored against the
final result, next to the naive forecast "the final share is the current share".

Orders (``ORDERS``):

* ``recorded`` — the night's own versions, as they happened (for a reconstructed night, the order
  the rehearsal chose to match press-reported shares: *not* neutral evidence);
* ``random`` — cells shuffled (seeded);
* ``early-first`` — early and mail cells first (shuffled), then election day, then the rest; on a
  night without a vote-type split it is the same as ``random``;
* ``county-late`` — one county (seed ``s`` picks county ``s mod n``, so every county has its
  turn) comes entirely last, the rest shuffled;
* ``skewed`` — partisan-skewed: cells by the final winner's share in the cell (plus seeded noise of
  5 points), the winner's best first on even seeds and worst first on odd ones.

A unit is ``complete`` once all its cells are in, ``partial`` while some are, else ``none``.

Scores per order (the JSON keys are stable, see ``BacktestResult.to_json``):
``mae_pt[checkpoint]`` — mean absolute error of the final winner's projected share, in points
(when the model says "too early", the running share stands in for it: that is what the window
shows; ``too_early[checkpoint]`` counts those runs); ``naive_mae_pt[checkpoint]`` — the same for
the running share; ``coverage90`` — the share of 90 % intervals (all candidates, all checkpoints
with a projection) that contain the final share; ``wrong_calls`` — projections that gave a
candidate P(clear) ≥ 0.95 who did not clear, or ≤ 0.05 one who did; in a plurality contest (no
line), a call is P(win) ≥ 0.95 for the projected leader, read from the two leaders' intervals
(``plurality_p_win``), and it is wrong when that candidate did not win; ``width90_pt[checkpoint]``
— the mean width of the final winner's 90 % interval, in points, over the runs with a
projection; ``outstanding_coverage90`` — the share of scored versions whose "vote still out" range
(the projection's whenever it has one, else ``estimate_outstanding``: what the window shows) holds
the true remainder (the final count minus the count then); a version showing no range does not
hold it, and ``outstanding_shown`` says how many showed one; ``outstanding_error_pct`` — the mean
distance of the expected outstanding vote from the true remainder, in % of the final vote, over the
versions showing a range (a range of 0 to ten times the electorate holds the truth but says
nothing: this says how far off its centre was).
"""

from __future__ import annotations

import dataclasses
import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tracker.core import arrival
from tracker.core.arrival import Group, History, arrival_point
from tracker.core.baseline import Baseline
from tracker.core.model import Contest, Reporting, ReportingUnit, UnitKind, canonical_vote_type
from tracker.core.outstanding import estimate_outstanding
from tracker.core.projection import MODEL_VERSION, ContestProjection, project_contest
from tracker.core.threshold import Outstanding, votes_to_clear

ORDERS = ("recorded", "random", "early-first", "county-late", "skewed")
CHECKPOINTS = tuple(round(0.1 * i, 1) for i in range(1, 10))
CALL_LEVEL = 0.95
#: Reordered runs publish a version every this share of the final vote (the projection's history:
#: the trend of the arriving vote, ``tracker.core.arrival``), as a feed updating through the night.
VERSION_STEP = 0.05

Projector = Callable[[Contest, Baseline | None], ContestProjection]


@dataclass(frozen=True)
class _Cell:
    unit: int
    vote_type: str
    canonical: str
    county: str
    total: int
    winner_votes: int


def _cells(final: Contest, winner_id: str) -> list[_Cell]:
    out = []
    for u, unit in enumerate(final.units):
        for vt in sorted(unit.reported_vote_types()):
            total = sum(by.get(vt, 0) for by in unit.votes.values())
            out.append(
                _Cell(
                    unit=u,
                    vote_type=vt,
                    canonical=canonical_vote_type(vt),
                    county=unit.county or unit.name,
                    total=total,
                    winner_votes=unit.votes.get(winner_id, {}).get(vt, 0),
                )
            )
    return out


def order_cells(cells: Sequence[_Cell], order: str, seed: int) -> list[int]:
    """Indices of ``cells`` in release order for ``order`` (not ``recorded``)."""
    rng = random.Random(f"{order}:{seed}")
    idx = list(range(len(cells)))
    rng.shuffle(idx)
    if order == "random":
        return idx
    if order == "early-first":
        rank = {"early": 0, "mail": 0, "election_day": 1}
        return sorted(idx, key=lambda i: rank.get(cells[i].canonical, 2))  # stable: shuffled within
    if order == "county-late":
        counties = sorted({c.county for c in cells})
        late = counties[seed % len(counties)]
        return sorted(idx, key=lambda i: cells[i].county == late)
    if order == "skewed":
        sign = -1.0 if seed % 2 == 0 else 1.0
        noise = {i: rng.gauss(0.0, 0.05) for i in idx}

        def key(i: int) -> float:
            c = cells[i]
            share = c.winner_votes / c.total if c.total else 0.5
            return sign * (share + noise[i])

        return sorted(idx, key=key)
    raise ValueError(f"unknown order {order!r}; known: {', '.join(ORDERS)}")


def contest_at(final: Contest, cells: Sequence[_Cell], released: Sequence[int]) -> Contest:
    """``final`` with only the ``released`` cells counted."""
    by_unit: dict[int, set[str]] = {}
    for i in released:
        by_unit.setdefault(cells[i].unit, set()).add(cells[i].vote_type)
    units: list[ReportingUnit] = []
    for u, unit in enumerate(final.units):
        shown = by_unit.get(u)
        if not shown:
            state, votes = Reporting.NONE, {}
        else:
            votes = {cid: {vt: n for vt, n in by.items() if vt in shown} for cid, by in unit.votes.items()}
            state = Reporting.COMPLETE if shown >= unit.reported_vote_types() else Reporting.PARTIAL
        precincts_reporting = unit.precincts_reporting
        if unit.kind is not UnitKind.PRECINCT and unit.precincts_total is not None:
            precincts_reporting = unit.precincts_total if state is Reporting.COMPLETE else None
        units.append(
            dataclasses.replace(
                unit,
                reporting=state,
                votes=votes,
                ballots_cast=unit.ballots_cast if state is Reporting.COMPLETE else None,
                precincts_reporting=precincts_reporting,
            )
        )
    return dataclasses.replace(
        final, units=tuple(units), reported_totals=None, reported_precincts=None, feed_warnings=()
    )


@dataclass
class OrderScore:
    """Scores of one order, accumulated over its runs (seeds)."""

    runs: int = 0
    errors: dict[float, list[float]] = field(default_factory=dict)
    naive: dict[float, list[float]] = field(default_factory=dict)
    too_early: dict[float, int] = field(default_factory=dict)
    covered: int = 0
    intervals: int = 0
    wrong_calls: int = 0
    calls: int = 0
    #: Width of the final winner's 90 % interval (points), per checkpoint, runs with a projection.
    widths: dict[float, list[float]] = field(default_factory=dict)
    #: Scored versions; of them, those showing a "vote still out" range, and those whose range held.
    versions: int = 0
    outstanding_shown: int = 0
    outstanding_held: int = 0
    #: |expected outstanding − true remainder| / final vote, in %, of the versions showing a range.
    outstanding_errors: list[float] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        def mean(values: list[float]) -> float | None:
            return round(sum(values) / len(values), 4) if values else None

        return {
            "runs": self.runs,
            "mae_pt": {f"{q:.1f}": mean(self.errors.get(q, [])) for q in CHECKPOINTS},
            "naive_mae_pt": {f"{q:.1f}": mean(self.naive.get(q, [])) for q in CHECKPOINTS},
            "too_early": {f"{q:.1f}": self.too_early.get(q, 0) for q in CHECKPOINTS},
            "coverage90": round(self.covered / self.intervals, 4) if self.intervals else None,
            "intervals": self.intervals,
            "wrong_calls": self.wrong_calls,
            "confident_calls": self.calls,
            "width90_pt": {f"{q:.1f}": mean(self.widths.get(q, [])) for q in CHECKPOINTS},
            "outstanding_coverage90": (
                round(self.outstanding_held / self.versions, 4) if self.versions else None
            ),
            "outstanding_shown": self.outstanding_shown,
            "outstanding_error_pct": mean(self.outstanding_errors),
            "versions": self.versions,
        }


@dataclass(frozen=True)
class BacktestResult:
    night: str
    contest_id: str
    contest_name: str
    winner: str
    final_share: float
    baseline: bool
    seeds: int
    summary: Mapping[str, OrderScore]
    #: For the plot: order -> checkpoint -> (model errors, naive errors) in points, signed.
    traces: Mapping[str, Mapping[float, tuple[tuple[float, ...], tuple[float, ...]]]]
    #: What the baseline is, as the window names it ("" without one): a score means little without
    #: knowing which earlier election it leaned on (the shipped table is matched automatically).
    baseline_label: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "night": self.night,
            "contest": {"id": self.contest_id, "name": self.contest_name},
            "winner": self.winner,
            "final_share": round(self.final_share, 6),
            "baseline": self.baseline,
            "baseline_label": self.baseline_label,
            "model_version": MODEL_VERSION,
            "seeds": self.seeds,
            "checkpoints": [f"{q:.1f}" for q in CHECKPOINTS],
            "summary": {order: score.to_json() for order, score in self.summary.items()},
        }

    def _baseline_words(self) -> str:
        if not self.baseline:
            return " (no baseline)"
        return f" (baseline: {self.baseline_label})" if self.baseline_label else " (with baseline)"

    def format_table(self) -> str:
        head = [
            "order",
            "runs",
            *[f"{q:.0%}" for q in CHECKPOINTS],
            "cover90",
            "width50",
            "still-out",
            "wrong",
        ]
        lines = [
            f"{self.night}: {self.contest_name} — {self.winner} final {self.final_share * 100:.2f} %"
            f"{self._baseline_words()}, model {MODEL_VERSION}",
            "MAE of the winner's projected final share, points; in brackets the naive running share's;"
            " * = at least one run 'too early' (running share used); width50 = mean width of the"
            " winner's 90 % interval at 50 % counted; still-out = share of versions whose 'vote still"
            " out' range held the true remainder",
        ]
        rows = []
        for order, score in self.summary.items():
            js = score.to_json()
            cells = []
            for q in CHECKPOINTS:
                key = f"{q:.1f}"
                m, nv = js["mae_pt"][key], js["naive_mae_pt"][key]
                star = "*" if js["too_early"][key] else ""
                cells.append("—" if m is None else f"{m:.2f}{star} ({nv:.2f})")
            cover = "—" if js["coverage90"] is None else f"{js['coverage90'] * 100:.0f} %"
            w50 = js["width90_pt"]["0.5"]
            out = js["outstanding_coverage90"]
            rows.append(
                [
                    order,
                    str(score.runs),
                    *cells,
                    cover,
                    "—" if w50 is None else f"{w50:.1f}",
                    "—" if out is None else f"{out * 100:.0f} %",
                    str(score.wrong_calls),
                ]
            )
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
        lines.append("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)))
        lines.append("  ".join("-" * w for w in widths))
        for r in rows:
            lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))
        return "\n".join(lines)


def plurality_p_win(proj: ContestProjection) -> tuple[str, float] | None:
    """The projected leader and its probability of finishing first, read from the intervals of
    the two leading candidates: each one's wider 90 % half-width as its normal sd, and the margin's
    sd their sum (in a two-way race the shares move in exact opposition). None without intervals.

    The wider side, because the model clips an interval at what a candidate can still reach (it
    keeps its count; it can win at most all that is left): the clipped side is narrower than the
    model's sd, and the mean of the two half-widths read a share of 20 % in [1 %, 54 %] (sd 21
    points, clipped at 1 %) as sd 16 — a 97 % "call" the model never made."""
    ranked = [c for c in proj.ranked() if c.share is not None and c.lo is not None and c.hi is not None]
    if len(ranked) < 2:
        return None
    a, b = ranked[0], ranked[1]
    margin = a.share - b.share  # type: ignore[operator]
    half_a = max(a.hi - a.share, a.share - a.lo)  # type: ignore[operator]
    half_b = max(b.hi - b.share, b.share - b.lo)  # type: ignore[operator]
    sd = (half_a + half_b) / 1.6448536269514722
    if sd <= 0:
        return a.candidate_id, 1.0 if margin > 0 else 0.5
    return a.candidate_id, 0.5 * math.erfc(-margin / sd / math.sqrt(2.0))


def shown_outstanding(contest: Contest, proj: ContestProjection) -> Outstanding | None:
    """The "vote still out" range the window shows: the projection's whenever it has one (it
    projects, or says final), else the core's own estimate (None when it has none)."""
    if proj.outstanding is not None:
        return proj.outstanding
    return estimate_outstanding(contest)


def _score(
    score: OrderScore,
    q: float,
    contest: Contest,
    proj: ContestProjection,
    final: Contest,
    winner_id: str,
    traces: dict[float, tuple[list[float], list[float]]],
) -> None:
    total = final.total_votes
    final_share = final.totals[winner_id] / total
    naive = contest.share(winner_id)
    cand = proj.candidate(winner_id)
    point = cand.share if cand.share is not None else naive
    if proj.too_early:
        score.too_early[q] = score.too_early.get(q, 0) + 1
    score.errors.setdefault(q, []).append(abs(point - final_share) * 100)
    score.naive.setdefault(q, []).append(abs(naive - final_share) * 100)
    model_err, naive_err = traces.setdefault(q, ([], []))
    model_err.append((point - final_share) * 100)
    naive_err.append((naive - final_share) * 100)
    score.versions += 1
    shown = shown_outstanding(contest, proj)
    if shown is not None:
        score.outstanding_shown += 1
        remainder = max(total - contest.total_votes, 0)
        score.outstanding_held += shown.lo <= remainder <= shown.hi
        score.outstanding_errors.append(abs(shown.expected - remainder) / total * 100)
    if proj.too_early:
        return
    if cand.lo is not None and cand.hi is not None:
        score.widths.setdefault(q, []).append((cand.hi - cand.lo) * 100)
    rule = final.threshold
    for c in proj.candidates:
        truth = final.totals.get(c.candidate_id, 0) / total
        if c.lo is not None and c.hi is not None:
            score.intervals += 1
            score.covered += c.lo - 1e-9 <= truth <= c.hi + 1e-9
        if c.p_clear is not None and rule.has_line:
            cleared = votes_to_clear(final.totals.get(c.candidate_id, 0), total, rule) <= 0
            if c.p_clear >= CALL_LEVEL or c.p_clear <= 1 - CALL_LEVEL:
                score.calls += 1
                if (c.p_clear >= CALL_LEVEL) != cleared:
                    score.wrong_calls += 1
    if not rule.has_line:
        call = plurality_p_win(proj)
        if call is not None and call[1] >= CALL_LEVEL:
            score.calls += 1
            score.wrong_calls += call[0] != winner_id


def run_backtest(
    final: Contest,
    *,
    recorded: Sequence[Contest] = (),
    orders: Sequence[str] = ORDERS,
    seeds: int = 10,
    baseline: Baseline | None = None,
    night: str = "",
    projector: Projector | None = None,
) -> BacktestResult:
    """Score the projection on ``final`` (the night's last version of one contest) in each of
    ``orders`` (``recorded`` needs the night's versions of the contest, in order)."""
    if projector is None:
        project: Callable[[Contest, Baseline | None, History], ContestProjection] = project_contest
    else:
        given = projector

        def project(contest: Contest, base: Baseline | None, _history: History) -> ContestProjection:
            return given(contest, base)

    for order in orders:
        if order not in ORDERS:
            raise ValueError(f"unknown order {order!r}; known: {', '.join(ORDERS)}")
    total = final.total_votes
    if total <= 0:
        raise ValueError(f"{final.name} has no votes in the night's last version")
    winner = final.ranked()[0]
    cells = _cells(final, winner.id)
    ids = [c.id for c in final.candidates]
    votes = [
        (
            (c.county if arrival.BY_COUNTY else "", c.canonical),
            {cid: final.units[c.unit].votes.get(cid, {}).get(c.vote_type, 0) for cid in ids},
        )
        for c in cells
    ]
    summary: dict[str, OrderScore] = {}
    traces: dict[str, dict[float, tuple[list[float], list[float]]]] = {}
    for order in orders:
        score = summary[order] = OrderScore()
        trace = traces[order] = {}
        if order == "recorded":
            if not recorded:
                continue
            score.runs = 1
            counted = [c.total_votes for c in recorded]
            for q in CHECKPOINTS:
                i = next((i for i, n in enumerate(counted) if n >= q * total), None)
                if i is None:
                    continue
                contest = recorded[i]
                history = [arrival_point(c) for c in recorded[:i]]
                _score(score, q, contest, project(contest, baseline, history), final, winner.id, trace)
            continue
        for seed in range(seeds):
            idx = order_cells(cells, order, seed)
            cum = 0
            pos = 0
            score.runs += 1
            # The versions a feed would have published on the way: one every VERSION_STEP of the
            # final vote (their unit totals are the projection's history).
            history: list[dict[Group, dict[str, int]]] = []
            running: dict[Group, dict[str, int]] = {}
            step = VERSION_STEP
            for q in CHECKPOINTS:
                while pos < len(idx) and cum < q * total:
                    cum += cells[idx[pos]].total
                    ct, by = votes[idx[pos]]
                    row = running.setdefault(ct, dict.fromkeys(ids, 0))
                    for cid, n in by.items():
                        row[cid] += n
                    pos += 1
                    if cum >= step * total:  # a version published on the way
                        history.append({ct: dict(row) for ct, row in running.items()})
                        while step * total <= cum:
                            step += VERSION_STEP
                contest = contest_at(final, cells, idx[:pos])
                _score(score, q, contest, project(contest, baseline, history), final, winner.id, trace)
    frozen = {
        order: {q: (tuple(m), tuple(n)) for q, (m, n) in trace.items()} for order, trace in traces.items()
    }
    return BacktestResult(
        night=night,
        contest_id=final.id,
        contest_name=final.name,
        winner=winner.name,
        final_share=final.totals[winner.id] / total,
        baseline=baseline is not None,
        seeds=seeds,
        summary=summary,
        traces=frozen,
        baseline_label=baseline.label if baseline is not None else "",
    )


__all__ = [
    "CHECKPOINTS",
    "ORDERS",
    "BacktestResult",
    "OrderScore",
    "contest_at",
    "order_cells",
    "plurality_p_win",
    "run_backtest",
    "shown_outstanding",
]
