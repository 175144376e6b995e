"""Projections over a night file: its baseline, every version projected, the backtest.

A night carries its baseline in its meta key ``baseline``: either the file name of another night
(``"ga06-2017-04-18.night"``) or JSON ``{"night": "ga06-2017-04-18.night"}``. The name is looked up
beside the night, then among the bundled nights (``resources/nights``). The baseline is that
night's *last* version (its final result); each of its contests is the baseline of the contest of
the same name in this night, and precincts are matched by county and name
(``baseline.unit_key``: "Mount Bethel 01" = "Mt Bethel 01", "CHAMBLEE " = "CHAMBLEE").

The bundled June 2017 runoff was built before baselines existed, so the nights the rehearsal
builds are also mapped here by their ``night`` meta key (``BUNDLED_BASELINES``): June's baseline
is April's first round, the same 208 precincts. A night without either has no baseline; the model
then works from the night alone.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path

from tracker import paths
from tracker.archive.chain import VersionChain
from tracker.archive.night import NightFile
from tracker.core.arrival import MAX_POINTS, Point, arrival_point
from tracker.core.backtest import ORDERS, BacktestResult, run_backtest
from tracker.core.baseline import Baseline, name_key, unit_match_key
from tracker.core.coverage import is_statewide
from tracker.core.errors import TrackerError
from tracker.core.expected_vote import short_label
from tracker.core.lookup import find_contests, no_such_contest
from tracker.core.model import Contest, Snapshot
from tracker.core.projection import project_contest, projection_records
from tracker.core.turnout_prior import turnout_prior
from tracker.core.words import count
from tracker.store import ProjectionRecord

log = logging.getLogger(__name__)

#: Reconstructed nights (their ``night`` meta value) → the bundled night that is their baseline.
BUNDLED_BASELINES = {
    "ga06-2017-06-20": "ga06-2017-04-18.night",
    # April's special election: the same precincts in November 2016 (President by precinct and
    # vote type; resources/baselines/PROVENANCE.md).
    "ga06-2017-04-18": "ga06-2016-11-08.json",
}


def baseline_file(night: NightFile) -> Path | None:
    """The baseline night's path for ``night``, or None."""
    meta = night.meta
    value = meta.get("baseline", "").strip()
    name = ""
    if value.startswith("{"):
        try:
            name = str(json.loads(value).get("night", ""))
        except (ValueError, AttributeError):
            name = ""
    elif value:
        name = value
    if not name:
        name = BUNDLED_BASELINES.get(meta.get("night", ""), "")
    if not name:
        return None
    for folder in (night.path.parent, paths.resources_dir() / "nights", paths.resources_dir() / "baselines"):
        candidate = folder / name
        if candidate.is_file() and candidate.resolve() != night.path.resolve():
            return candidate
    log.warning("%s names the baseline %s, which is not there", night.path.name, name)
    return None


#: The key under which ``load_baselines`` also files the baseline's biggest contest: the top of
#: the ticket, used for a contest with no same-named contest in the baseline (a January runoff for
#: the Senate against November's presidential vote).
TOP_OF_TICKET = "*"


class Baselines(dict[str, Baseline]):
    """Contest name key → Baseline, plus what ``baseline_for`` may do for a contest with none:
    use the shipped US presidential result by county (``auto``), as of the night's ``date``."""

    def __init__(
        self, items: Mapping[str, Baseline] | None = None, *, auto: bool = True, date: dt.date | None = None
    ) -> None:
        super().__init__(items or {})
        self.auto = auto
        self.date = date


#: ``--baseline none`` (``backtest_night(baseline=NO_BASELINE)``, ``load_baselines(night,
#: NO_BASELINE)``): no baseline at all, not even the shipped county table.
NO_BASELINE = "none"

#: The command line's ``--baseline FILE|none`` for the window (read when a night opens).
_override: str | None = None


def set_baseline_override(choice: str | None) -> None:
    """``--baseline`` of the window commands: a file, ``"none"``, or None for the night's own."""
    global _override
    _override = choice


def night_date(night: NightFile) -> dt.date | None:
    """The night's election date (from its meta), else the day of its first fetch (in the night's
    time zone), else the day it was created, else None.

    Why the first fetch before the creation: a night imported from a recording of 2021 is created
    today, and the shipped baseline chosen by that day was the 2024 presidential result (with the
    turnout band of a year after a presidential election) for a runoff two months after 2020's."""
    meta = night.meta
    try:
        text = json.loads(meta.get("election", "") or "{}").get("date") or ""
        if text:
            return dt.date.fromisoformat(str(text))
    except (ValueError, AttributeError):
        pass
    first = night.first_fetch()
    if first is not None:
        return first.astimezone(night.timezone).date()  # checked when the night was opened
    try:
        return dt.datetime.fromisoformat(meta.get("created_at", "")).date()
    except ValueError:
        return None


def load_baselines(night: NightFile, choice: str | None = None) -> Baselines:
    """Contest name key → Baseline for ``night`` (empty without one). ``choice`` (else the window's
    ``--baseline``) overrides it: ``"none"`` for no baseline at all, or a file."""
    choice = choice if choice is not None else _override
    date = night_date(night)
    if choice is not None and choice.strip().casefold() == NO_BASELINE:
        return Baselines(auto=False, date=date)
    if choice:
        return Baselines(load_baseline_file(Path(choice)), auto=False, date=date)
    path = baseline_file(night)
    return Baselines(None if path is None else load_baseline_file(path), date=date)


#: Hex digits of a baseline file's hash kept in the projection log beside its name.
SOURCE_ID_LENGTH = 8


def load_baseline_file(path: Path) -> dict[str, Baseline]:
    """Baselines from a night file (its last version) or a single results payload (any format
    the registry parses, e.g. a Clarity detail XML), by contest name key, plus ``TOP_OF_TICKET``."""
    path = Path(path)
    if path.suffix == ".night":
        with NightFile.open(path) as base:
            versions = base.versions()
            if not versions:
                return {}
            final = VersionChain(base, versions).snapshot(len(versions) - 1)
        # The payloads it is made of, by their hashes (read already: no second pass over the file).
        digest = hashlib.sha256("".join(v.sha256 for v in versions).encode("ascii"))
    else:
        from tracker.feeds.registry import parse_payload

        try:
            data = path.read_bytes()
        except OSError as exc:
            raise TrackerError(f"cannot read the baseline {path}: {exc.strerror or exc}") from None
        final = parse_payload(data, "auto", source=str(path))
        digest = hashlib.sha256(data)
    # The label is the file's name, what people read; the hash tells two files of one name apart
    # in the projection log (``tracker.core.projection_log.baseline_key``).
    label, source_id = path.stem, digest.hexdigest()[:SOURCE_ID_LENGTH]
    when = final.election.date
    out = {
        name_key(c.name): dataclasses.replace(
            Baseline.from_contest(c, f"{label}: {c.name}"), date=when, source_id=source_id
        )
        for c in final.contests
    }
    if final.contests:
        top = max(final.contests, key=lambda c: c.total_votes)
        out[TOP_OF_TICKET] = out[name_key(top.name)]
    return out


def baseline_for(
    baselines: Mapping[str, Baseline], contest: Contest, date: dt.date | None = None
) -> Baseline | None:
    """The contest's own baseline, else the top of the ticket, else (a US county-level contest,
    unless the baselines were turned off) the shipped presidential result by county."""
    when = date or getattr(baselines, "date", None)
    own = baselines.get(name_key(contest.name))
    if own is None:
        own = baselines.get(TOP_OF_TICKET)
        if own is not None and not is_statewide(contest.name):
            # Another race's counties say nothing of a race that may cover part of each.
            own = dataclasses.replace(own, sizes_counties=False)
    if own is None and getattr(baselines, "auto", True):
        from tracker.archive.us_counties import county_baseline

        own, _report = county_baseline(contest, when)
    return with_prior(own, when)


def with_prior(base: Baseline | None, date: dt.date | None) -> Baseline | None:
    """``base`` with tonight's turnout prior against it (``tracker.core.turnout_prior``) when both
    elections' dates say which band applies; unchanged otherwise."""
    if base is None:
        return None
    prior = turnout_prior(date, base.date)
    if prior == base.prior:
        return base
    return dataclasses.replace(base, prior=prior)


def describe_baseline(baselines: Mapping[str, Baseline], snapshot: Snapshot) -> tuple[str, str]:
    """(short name, one sentence) of the baseline the biggest contest of ``snapshot`` uses: what
    the window's status bar and the night's info say, including what could not be matched."""
    if not snapshot.contests:
        return "", ""
    top = max(snapshot.contests, key=lambda c: c.total_votes)
    base = baseline_for(baselines, top, snapshot.election.date)
    if base is None:
        turned_off = not getattr(baselines, "auto", True)
        return "none", "none (turned off)" if turned_off else "none: the projections use this night alone"
    matched = base.matched(top)
    note = f"{base.label}: {matched} of {count(len(top.units), 'unit')} of {top.name} matched"
    missing = [u.name for u in top.units if unit_match_key(u) not in base.units]
    whole = base.county_totals(top) if not matched else {}
    if whole:  # a baseline by county for a night by precinct: it sizes counties, not precincts
        counties = sorted({u.county for u in top.units if u.county})
        missing = [c for c in counties if c not in whole]
        note = (
            f"{base.label}: {len(whole)} of {count(len(counties), 'county', 'counties')} of {top.name} "
            "matched "
            "(it sizes each county's vote, not its precincts')"
        )
        matched = len(whole)
    if base.note:
        note = base.note
    elif missing:
        shown = ", ".join(missing[:8]) + (" …" if len(missing) > 8 else "")
        note += f"; not matched: {shown}"
    if not matched:  # named, but the projections cannot use it: say so where the name is shown
        return f"{short_label(base.label)} (no unit matched: not used)", note
    return short_label(base.label), note


def pick_contest(snapshot: Snapshot, contest: str | None) -> Contest:
    """The contest a command line names: its id, else the first whose name contains it; None
    means the one with the most votes. An unknown name is an error listing the contests."""
    if not snapshot.contests:
        raise TrackerError("the night's last version has no contests")
    if contest is None:
        return max(snapshot.contests, key=lambda c: c.total_votes)
    matches = find_contests(snapshot.contests, contest)
    if not matches:
        raise TrackerError(no_such_contest(contest, snapshot.contests))
    return matches[0]


def project_night(
    path: Path, *, contest: str | None = None, made_at: str | None = None, baseline: str | None = None
) -> list[ProjectionRecord]:
    """Project every version of the night at ``path`` (one contest, or all when ``contest`` is
    None) with its baseline (``baseline``: a file or "none" instead): the projection log's rows,
    in version order."""
    made = made_at or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    source = str(Path(path).resolve())
    out: list[ProjectionRecord] = []
    with NightFile.open(path) as night:
        baselines = load_baselines(night, baseline)
        versions = night.versions()
        if not versions:
            raise TrackerError(f"{Path(path).name} holds no versions")
        chain = VersionChain(night, versions)  # AP deltas merged, as the window shows them
        wanted = None if contest is None else pick_contest(chain.snapshot(len(versions) - 1), contest).id
        histories: dict[str, list[Point]] = {}  # per contest, its earlier versions (the trend)
        for i in range(len(versions)):
            snap = chain.snapshot(i)
            projections = {}
            for c in snap.contests:
                if wanted is not None and c.id != wanted:
                    continue
                history = histories.setdefault(c.id, [])
                projections[c.id] = project_contest(
                    c, baseline_for(baselines, c, snap.election.date), history
                )
                history.append(arrival_point(c, history[-1] if history else None))
                del history[:-MAX_POINTS]
            out.extend(projection_records(snap, projections, source=source, made_at=made))
    return out


#: ``backtest_night(baseline=NO_BASELINE)`` (``backtest --baseline none``): no baseline at all,
#: even where the night names one or one would be found.
NO_BASELINE = "none"


def backtest_night(
    path: Path,
    *,
    contest: str | None = None,
    orders: Sequence[str] = ORDERS,
    seeds: int = 10,
    baseline: Path | str | None = None,
) -> BacktestResult:
    """Backtest the projection on one contest (default: the most votes) of the night at ``path``;
    ``baseline`` (a night or payload file, or "none") replaces the night's own baseline."""
    with NightFile.open(path) as night:
        baselines = load_baselines(night, None if baseline is None else str(baseline))
        versions = night.versions()
        if not versions:
            raise TrackerError(f"{Path(path).name} holds no versions")
        chain = VersionChain(night, versions)  # AP deltas merged, as the window shows them
        final_snap = chain.snapshot(len(versions) - 1)
        final = pick_contest(final_snap, contest)
        recorded: list[Contest] = []
        if "recorded" in orders:
            for i in range(len(versions)):
                snap = chain.snapshot(i)
                try:
                    recorded.append(snap.contest(final.id))
                except KeyError:
                    continue
    return run_backtest(
        final,
        recorded=recorded,
        orders=orders,
        seeds=seeds,
        baseline=baseline_for(baselines, final, final_snap.election.date),
        night=Path(path).stem,
    )


__all__ = [
    "BUNDLED_BASELINES",
    "NO_BASELINE",
    "TOP_OF_TICKET",
    "Baselines",
    "backtest_night",
    "baseline_file",
    "baseline_for",
    "describe_baseline",
    "load_baseline_file",
    "load_baselines",
    "night_date",
    "pick_contest",
    "project_night",
    "set_baseline_override",
    "with_prior",
]
