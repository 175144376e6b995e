"""Scoring a timing against the press: the press figures a search fits (targets) and the weighted
squared error of a candidate timing against them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from tracker.archive.rehearsal.cells import _Prepared
from tracker.archive.rehearsal.clock import Minute, _minute
from tracker.archive.rehearsal.press import PressRow
from tracker.archive.rehearsal.sources import _NightSpec


@dataclass(frozen=True)
class _Target:
    minute: Minute
    kind: str  # "share", "handel_share", "ossoff", "handel", "total"
    value: float
    weight: float


#: Weights of the objective. An Ossoff share miss costs its square in points (Handel's, a
#: secondary check on the mix of the counted vote, half that); a vote-count miss its
#: relative error in percent, squared, times 0.25 (1 % of 72k ≈ 0.5 pt of share). Precinct
#: counts are not in the objective: the timings meet them exactly by construction.
_W_SHARE = 1.0
_W_HANDEL = 0.5
_W_VOTES = 0.25


class _Scorer:
    def __init__(self, prep: _Prepared, targets: Sequence[_Target]) -> None:
        self.prep = prep
        self.targets = list(targets)

    def state(self, minutes: np.ndarray, at: Minute) -> dict[str, float]:
        """What the reconstruction shows at ``at``: House-race counts and complete precincts."""
        released = minutes <= at
        out = {
            "ossoff": float(self.prep.ossoff[released].sum()),
            "handel": float(self.prep.handel[released].sum()),
            "total": float(self.prep.total[released].sum()),
        }
        done = self.completion(minutes) <= at
        out["precincts"] = float(done.sum())
        touched = np.zeros(len(self.prep.precincts), dtype=bool)
        touched[self.prep.cell_precinct[released]] = True
        out["partial"] = float((touched & ~done).sum())
        for k, county in enumerate(self.prep.counties):
            out[f"county:{county}"] = float((done & (self.prep.precinct_county_arr == k)).sum())
        return out

    def completion(self, minutes: np.ndarray) -> np.ndarray:
        """Minute at which each precinct becomes complete (its last completing cell)."""
        return np.maximum.reduceat(minutes[self.prep.completing_flat], self.prep.completing_starts)

    def score(self, minutes: np.ndarray) -> float:
        """Weighted squared error against the targets (lower is better). Counts are cumulated on
        the minute axis itself (a night is a few hundred minutes), which keeps one evaluation in
        the tens of microseconds: the local search calls this thousands of times."""
        length = int(minutes.max()) + 1
        cum_o = np.bincount(minutes, weights=self.prep.ossoff, minlength=length).cumsum()
        cum_h = np.bincount(minutes, weights=self.prep.handel, minlength=length).cumsum()
        cum_t = np.bincount(minutes, weights=self.prep.total, minlength=length).cumsum()
        total = 0.0
        for t in self.targets:
            k = min(t.minute, length - 1)
            o, h, tot = (cum_o[k], cum_h[k], cum_t[k]) if k >= 0 else (0.0, 0.0, 0.0)
            if t.kind in ("share", "handel_share"):
                ours = 100.0 * (o if t.kind == "share" else h) / tot if tot else 0.0
                total += t.weight * (ours - t.value) ** 2
            else:
                ours = {"ossoff": o, "handel": h, "total": tot}[t.kind]
                total += t.weight * (100.0 * (ours - t.value) / t.value) ** 2
        return total


def _targets(spec: _NightSpec, rows: Sequence[PressRow]) -> list[_Target]:
    """The press figures the search fits: Ossoff and Handel shares (minus the excluded rows) and
    vote counts."""
    out: list[_Target] = []
    for row in rows:
        if row.when is None:
            continue
        m = _minute(row.when, spec.date)
        if row.ossoff_pct is not None and row.label not in spec.excluded:
            out.append(_Target(m, "share", row.ossoff_pct, _W_SHARE))
            if row.handel_pct is not None:
                out.append(_Target(m, "handel_share", row.handel_pct, _W_HANDEL))
        for kind, value in (("ossoff", row.ossoff_votes), ("handel", row.handel_votes)):
            if value is not None:
                out.append(_Target(m, kind, value, _W_VOTES))
        if row.total_votes is not None:
            out.append(_Target(m, "total", row.total_votes, _W_VOTES))
        if row.label in spec.note_targets:
            kind, value, _why = spec.note_targets[row.label]
            out.append(_Target(m, kind, value, _W_VOTES))
    return out
