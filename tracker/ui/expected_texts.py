"""The words the window uses for the expected vote: where the "vote still out" comes from, and
what the projection line says about its baseline and evidence.

Text only (no widgets), apart from the race view so the view keeps its plot and this stays easy
to test: a desk reading "Projected final: Ossoff 48.3 %" must also read what it rests on — "from
2016 turnout" is worth acting on, "from precincts only: wide" is not.
"""

from __future__ import annotations

from tracker.core.expected_vote import short_label
from tracker.core.projection import ONE_VERSION, ContestProjection


def outstanding_source(projection: ContestProjection | None) -> str:
    """What the "About N votes still out … estimated from …" line names."""
    if projection is None or projection.expected is None:
        return "comparable precincts already in"
    source = projection.expected.source
    if source == "feed":
        return "the feed's own expected vote"
    if source == "baseline":
        return f"{short_label(projection.baseline_label) or 'the baseline'} turnout"
    if source == "registered":
        return "registered voters"
    if source == "precincts":
        return "precincts only (a wide range)"
    if source == "peers":
        return "the units counted so far (a wide range)"
    if source == "prior":
        label = short_label(projection.baseline_label) or "the baseline"
        return f"{label} turnout, no unit complete yet (a wide range)"
    return "comparable precincts already in"


def basis_text(projection: ContestProjection | None) -> str:
    """ " · baseline X · expected vote from Y" for the projection line ("" when there is nothing to
    say: no projection, or everything counted)."""
    if projection is None or projection.status == "final":
        return ""
    parts = []
    label = short_label(projection.baseline_label)
    parts.append(f"baseline {label}" if label else "no baseline")
    if projection.expected is not None and projection.expected.source not in ("counted", "unknown"):
        evidence = projection.evidence
        parts.append(evidence if evidence.startswith("expected vote") else f"expected vote {evidence}")
    if projection.model_version.endswith(ONE_VERSION):
        parts.append("from this version alone until the night's earlier versions are read")
    return " · " + " · ".join(parts)


__all__ = ["basis_text", "outstanding_source"]
