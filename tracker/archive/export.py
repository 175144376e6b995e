"""A night's contest at one instant, as the export CSV: what ``election-tracker export`` runs.

The instant is found the way the window finds it: the versions a viewer sees (a stale cache's
payloads left out, ``current_versions``), AP deltas merged (``VersionChain``), ``--at HH:MM`` read
in the night's own timezone (``parse_clock_time``), and the version current then. So a headless
export at 22:40 has the numbers the window shows at 22:40.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, replace
from pathlib import Path

from tracker.archive.chain import VersionChain
from tracker.archive.night import NightFile, Version
from tracker.archive.projections import pick_contest
from tracker.archive.recorder import current_versions, version_times
from tracker.archive.replay import Timeline, parse_clock_time, version_number
from tracker.core.errors import TrackerError
from tracker.core.export import Level, Provenance, contest_rows, provenance_lines, write_contest_csv
from tracker.core.untimed import is_untimed


def _instant(at: str, start: dt.datetime, end: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """``at`` as the window reads it (after midnight belongs to the night), except that a time
    past the night's end that is nearer its start is read as before the start: ``--at 18:00``
    on a night whose first update came at 19:00 means "before the results", not 18:00 next day."""
    when = parse_clock_time(at, start, tz)
    if when > end:
        before = when - dt.timedelta(days=1)
        if before < start and (start - before) < (when - end):
            return before
    return when


@dataclass(frozen=True)
class ContestExport:
    """The CSV text of one contest at one version, and what it is of (for the CLI's summary)."""

    text: str
    rows: int
    contest_id: str
    contest_name: str
    version_index: int
    version_count: int
    #: The version's time in the night's zone, "HH:MM TZ"; "" when the night's files had no times.
    at: str


def _version_at(
    night: NightFile, path: str | Path, at: str | None
) -> tuple[list[Version], list[dt.datetime], int, dt.tzinfo]:
    """(current versions, their times, the index of the one current at ``at`` — "HH:MM" in the
    night's zone, None for the last — and the zone): how every export finds its version, so a CSV
    and a NIST report of the same instant hold the same numbers."""
    versions = current_versions(night.versions())
    if not versions:
        raise TrackerError(f"{Path(path).name} holds no versions")
    tz = night.timezone
    times = version_times(versions)
    index = len(versions) - 1
    number = version_number(at) if at is not None else None
    if number is not None:
        if not 1 <= number <= len(times):
            raise TrackerError(
                f"{Path(path).name} has versions 1 to {len(times)}; there is no version {number}"
            )
        index = number - 1
    elif at is not None and is_untimed(night.meta):
        raise TrackerError(
            f"{Path(path).name} was imported from files with no times, so it has no {at}: "
            f'give its version instead, --at "v N" (1 to {len(times)})'
        )
    elif at is not None:
        found = Timeline(times).index_at(_instant(at, times[0], times[-1], tz))
        if found is None:
            first = times[0].astimezone(tz)
            raise TrackerError(
                f"no results yet at {at} in {Path(path).name}: the first update came at {first:%H:%M}"
            )
        index = found
    return versions, times, index, tz


def export_contest(
    path: Path, *, contest: str | None = None, at: str | None = None, level: Level | str = Level.UNIT
) -> ContestExport:
    """The CSV of ``contest`` (id or part of its name; None: the most votes) in the night at
    ``path`` at ``at`` ("HH:MM", the night's zone; None: its last version), one row per unit (or
    county) and vote type, with its provenance as ``#`` comment lines."""
    level = Level(level)
    with NightFile.open(path) as night:
        versions, times, index, tz = _version_at(night, path, at)
        chain = VersionChain(night, versions)
        final = chain.snapshot(len(versions) - 1)
        wanted = pick_contest(final, contest)
        snapshot = final if index == len(versions) - 1 else chain.snapshot(index)
        try:
            chosen = snapshot.contest(wanted.id)
        except KeyError:
            raise TrackerError(f"{wanted.name} is not in the feed at {at}") from None
        prov = Provenance(
            night_label=night.label,
            night_kind=night.kind,
            source=str(Path(path).resolve()),
            version_index=index,
            version_count=len(versions),
            version_time=times[index],
            timezone=tz,
            untimed=is_untimed(night.meta),
        )
        rows = contest_rows(chosen, level)
        buf = io.StringIO()
        n = write_contest_csv(rows, buf, header=provenance_lines(snapshot, chosen, prov, level=level))
        at_text = _at_text(times[index], tz, prov.untimed)
    return ContestExport(
        text=buf.getvalue(),
        rows=n,
        contest_id=chosen.id,
        contest_name=chosen.name,
        version_index=index,
        version_count=len(versions),
        at=at_text,
    )


def _at_text(when: dt.datetime, tz: dt.tzinfo, untimed: bool) -> str:
    """ "22:40 EDT", or "" on a night whose files had no times: its placeholder clock is no time
    anybody saw (``tracker.core.untimed``); the version's number says which it is."""
    if untimed:
        return ""
    local = when.astimezone(tz)
    return f"{local:%H:%M} {local.tzname() or ''}".strip()


@dataclass(frozen=True)
class NistExport:
    """A night's version as a NIST SP 1500-100 v2 report, and which version it is (for the CLI)."""

    data: bytes
    contests: int
    version_index: int
    version_count: int
    #: The version's time in the night's zone, "HH:MM TZ"; "" when the night's files had no times.
    at: str


def export_nist(path: Path, *, at: str | None = None, form: str = "xml") -> NistExport:
    """Every contest of the night at ``path`` at ``at`` ("HH:MM", the night's zone; None: its last
    version) as a NIST v2 report, ``form`` "xml" or "json" (:mod:`tracker.feeds.nist_writer`): the
    standard way out for a night of any format. The version is found as ``export_contest`` finds
    it, so the report holds what the window shows at that time."""
    from tracker.feeds.nist_writer import snapshot_to_nist

    with NightFile.open(path) as night:
        versions, times, index, tz = _version_at(night, path, at)
        snapshot = VersionChain(night, versions).snapshot(index)
        untimed = is_untimed(night.meta)
    if untimed and snapshot.published_at is None:
        # The placeholder time is no GeneratedDate: the report is generated now.
        snapshot = replace(snapshot, fetched_at=None)
    return NistExport(
        data=snapshot_to_nist(snapshot, form=form),
        contests=len(snapshot.contests),
        version_index=index,
        version_count=len(versions),
        at=_at_text(times[index], tz, untimed),
    )
