"""The comparison table: each press figure beside what the reconstruction shows at that moment
(stored in the night's meta under "calibration" and printed by the CLI)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tracker.archive.rehearsal.cells import _Prepared
from tracker.archive.rehearsal.clock import _minute
from tracker.archive.rehearsal.materialise import _version_minutes
from tracker.archive.rehearsal.press import PressRow
from tracker.archive.rehearsal.scoring import _Scorer
from tracker.archive.rehearsal.search import _Timing
from tracker.archive.rehearsal.sources import _JUNE, _NightSpec


@dataclass(frozen=True)
class ComparisonRow:
    """One press figure beside what the reconstruction shows at that moment."""

    time: str  # "HH:MM" Eastern, or "final"
    reported_ossoff_pct: float | None
    our_ossoff_pct: float | None
    fitted: bool
    reported_handel_pct: float | None
    our_handel_pct: float | None
    reported_precincts: str
    our_precincts: str
    reported_votes: str
    our_votes: str
    remark: str = ""

    @property
    def diff(self) -> float | None:
        if self.reported_ossoff_pct is None or self.our_ossoff_pct is None:
            return None
        return round(self.our_ossoff_pct - self.reported_ossoff_pct, 2)

    def to_json(self) -> dict[str, Any]:
        return {
            "time": self.time,
            "reported_ossoff_pct": self.reported_ossoff_pct,
            "our_ossoff_pct": self.our_ossoff_pct,
            "diff": self.diff,
            "fitted": self.fitted,
            "reported_handel_pct": self.reported_handel_pct,
            "our_handel_pct": self.our_handel_pct,
            "reported_precincts": self.reported_precincts,
            "our_precincts": self.our_precincts,
            "reported_votes": self.reported_votes,
            "our_votes": self.our_votes,
            "remark": self.remark,
        }


def _comparison(
    prep: _Prepared, spec: _NightSpec, rows: Sequence[PressRow], timing: _Timing
) -> list[ComparisonRow]:
    scorer = _Scorer(prep, [])
    last = max(_version_minutes(timing))
    n_total = len(prep.precincts)
    first = int(timing.minutes.min())
    out = []
    for row in rows:
        minute = last if row.when is None else _minute(row.when, spec.date)
        s = scorer.state(timing.minutes, minute)
        share = round(100 * s["ossoff"] / s["total"], 2) if s["total"] else None
        handel = round(100 * s["handel"] / s["total"], 2) if s["total"] else None
        # Fitted = the search scored it: a share, a time, not excluded, and (June) at least one
        # precinct in by then — before that the press saw early-vote batches we cannot show.
        fitted = (
            row.ossoff_pct is not None
            and row.when is not None
            and row.label not in spec.excluded
            and minute >= first
        )
        rep_votes, our_votes = [], []
        for key, value in (
            ("Ossoff", row.ossoff_votes),
            ("Handel", row.handel_votes),
            ("total", row.total_votes),
        ):
            if value is not None:
                rep_votes.append(f"{key} {value:,}")
                our_votes.append(f"{key} {int(s[key.lower()]):,}")
        if row.label in spec.note_targets:
            kind, value, _why = spec.note_targets[row.label]
            rep_votes.append(f"{kind} ~{value:,}")
            our_votes.append(f"{kind} {int(s[kind]):,}")
        remark = spec.excluded.get(row.label, spec.remarks.get(row.label, ""))
        if row.label in spec.note_targets:
            remark = "; ".join(x for x in (remark, spec.note_targets[row.label][2]) if x)
        if row.when is None:
            remark = "; ".join(x for x in (remark, "vs our last version (certified)", row.note) if x)
        elif share is None and row.ossoff_pct is not None and not remark:
            remark = "no precinct in yet in the reconstruction"
        if spec is _JUNE and row.label == "21:30":
            split = ", ".join(
                f"{c} {int(s['county:' + c])}/{len(prep.precincts_of(c))}" for c in prep.counties
            )
            remark = f"{remark}; ours: {split}"
        if not remark:
            remark = f"press: {row.note}" if row.note else ""
        out.append(
            ComparisonRow(
                time=row.label,
                reported_ossoff_pct=row.ossoff_pct,
                our_ossoff_pct=share,
                fitted=fitted and share is not None,
                reported_handel_pct=row.handel_pct,
                our_handel_pct=handel if row.handel_pct is not None else None,
                reported_precincts=row.precincts,
                our_precincts=f"{int(s['precincts'])}/{n_total}"
                + (f" (+{int(s['partial'])} partial)" if s["partial"] else ""),
                reported_votes=" · ".join(rep_votes),
                our_votes=" · ".join(our_votes),
                remark=remark,
            )
        )
    return out


def format_table(rows: Sequence[ComparisonRow], title: str = "") -> str:
    """The comparison as fixed-width text (what the CLI prints)."""
    head = (
        "time",
        "press O%",
        "ours O%",
        "diff",
        "fit",
        "press H%",
        "ours H%",
        "press prec.",
        "our prec.",
        "press votes",
        "our votes",
    )
    body = [
        (
            r.time,
            "" if r.reported_ossoff_pct is None else f"{r.reported_ossoff_pct:g}",
            "—" if r.our_ossoff_pct is None else f"{r.our_ossoff_pct:.2f}",
            "" if r.diff is None else f"{r.diff:+.2f}",
            "yes" if r.fitted else "",
            "" if r.reported_handel_pct is None else f"{r.reported_handel_pct:g}",
            "" if r.our_handel_pct is None else f"{r.our_handel_pct:.2f}",
            r.reported_precincts,
            r.our_precincts,
            r.reported_votes,
            r.our_votes,
        )
        for r in rows
    ]
    widths = [max(len(h), *(len(b[i]) for b in body)) for i, h in enumerate(head)]
    lines = [title] if title else []
    lines.append("  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip())
    lines.append("  ".join("-" * w for w in widths))
    for b in body:
        lines.append("  ".join(v.ljust(w) for v, w in zip(b, widths, strict=True)).rstrip())
    notes = [(r.time, r.remark) for r in rows if r.remark]
    if notes:
        lines.append("")
        lines.extend(f"  {t}: {remark}" for t, remark in notes)
    return "\n".join(lines)
