"""A Clarity ``summary.json`` shown ahead of its detail, in the detail's names.

The poller fetches a site's small ``summary.json`` before its big ``detailxml.zip``, so a new
version's contest totals are on screen while the zip downloads (docs/feeds.md). The two files do
not name candidates alike: the detail XML keys each choice with Clarity's choice key, while
summary.json carries no key at all (our parser numbers its choices 1, 2, …). Shown as parsed, a
summary after a detail would look as if every candidate had vanished and another had come
(corrections, alerts, the timeline and the projections all follow candidate ids), and again when
the detail came back. So a summary that follows a detail is *laid over* it (:func:`lay_summary`):
each race keeps the detail's election, candidates, ids and rule, with the summary's numbers.

The recorder does this live and :class:`tracker.archive.chain.VersionChain` when a night is read
back (:func:`lays_over` says which versions), so a replay shows what the live window showed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from tracker.core.merge import normalize_name
from tracker.core.model import Contest, Snapshot

#: Registry format names (``tracker.feeds.registry``), repeated here so the registry's imports
#: stay one way.
SUMMARY = "clarity-summary-json"
DETAILS = frozenset({"clarity-detail-xml", "clarity-detail-zip"})


def lays_over(fmt_at: Callable[[int], str], index: int) -> bool:
    """True when version ``index`` is a summary.json that follows a detail (directly, or through
    other summaries laid over it): it is shown over that detail. ``fmt_at(i)`` is version ``i``'s
    format. A night of summaries only (a site without a zip) has none."""
    if fmt_at(index) != SUMMARY:
        return False
    i = index - 1
    while i >= 0 and fmt_at(i) == SUMMARY:
        i -= 1
    return i >= 0 and fmt_at(i) in DETAILS


def lay_summary(base: Snapshot, summary: Snapshot) -> Snapshot:
    """``summary``'s numbers in ``base``'s terms: every race of the summary whose key and
    candidate names match a race of ``base`` keeps ``base``'s candidates (ids, parties, order),
    rule and call, with the summary's totals and precinct counts (the summary has no vote types
    and no units but the whole race: so has the result); a race whose names do not match is the
    summary's own; a race the summary lacks keeps ``base``'s numbers. The election is ``base``'s
    (its id, name and "reconstructed" label); the version, times and notes the summary's."""
    by_id = {c.id: c for c in summary.contests}
    contests: list[Contest] = []
    for old in base.contests:
        new = by_id.pop(old.id, None)
        contests.append(old if new is None else _laid(old, new))
    contests += by_id.values()  # races only the summary has
    return replace(summary, election=base.election, contests=tuple(contests))


def _laid(old: Contest, new: Contest) -> Contest:
    """``new``'s numbers with ``old``'s candidate ids, when every name matches exactly once."""
    ids: dict[str, str] = {}
    known = {normalize_name(c.name): c.id for c in old.candidates}
    if len(known) != len(old.candidates) or len(new.candidates) != len(old.candidates):
        return new
    for cand in new.candidates:
        cid = known.get(normalize_name(cand.name))
        if cid is None or cid in ids.values():
            return new
        ids[cand.id] = cid
    units = tuple(
        replace(u, votes={ids.get(cid, cid): by_type for cid, by_type in u.votes.items()}) for u in new.units
    )
    threshold = new.threshold if new.threshold.source == "feed" else old.threshold
    return replace(
        old,
        units=units,
        vote_types=new.vote_types,
        threshold=threshold,
        reported_totals=None,
        reported_precincts=new.reported_precincts,
        feed_warnings=new.feed_warnings,
    )
