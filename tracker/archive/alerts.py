"""The alerts of a night, scanned version by version as far as the user has got.

:class:`NightAlerts` keeps a cursor: the last version scanned. Moving forward scans the versions
past it once, in order (alerts on the pinned races, corrections on every race); moving back scans
nothing, so a replay that seeks back and forth never raises an alert twice. Pinning a race later
scans the versions already passed for that race alone: its alerts join the log as known history,
not as news. The caller supplies versions and projections (the window's worker from its night and
projection history, the ``alerts`` command from the night file), so this module only decides.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from pathlib import Path

from tracker.core.alerts import Alert, AlertScanner, VersionRef
from tracker.core.corrections import find_corrections
from tracker.core.model import Snapshot
from tracker.core.projection import ContestProjection

SnapshotAt = Callable[[int], Snapshot]
#: Projections of version i for the contests asked for (a mapping without them when unknown).
ProjectionsAt = Callable[[int, Collection[str]], Mapping[str, ContestProjection]]


def _order(alert: Alert) -> tuple[int, int]:
    return (alert.version_index, 1 if alert.is_correction else 0)


class NightAlerts:
    """Alerts of one night (or live feed) for a set of pinned races, up to a cursor."""

    def __init__(self, pins: Collection[str] = ()) -> None:
        self.pins: set[str] = set(pins)
        self.cursor = -1
        self._scanner = AlertScanner(self.pins)
        self._previous: Snapshot | None = None
        self._known: list[Alert] = []

    @property
    def known(self) -> list[Alert]:
        """Every alert of the versions scanned so far, in version order."""
        return list(self._known)

    def advance(
        self,
        upto: int,
        snapshot_at: SnapshotAt,
        projections_at: ProjectionsAt,
        stop: Callable[[], bool] | None = None,
    ) -> list[Alert]:
        """Scan versions ``cursor + 1`` … ``upto``; returns the alerts they raise (news). ``stop``
        is asked before each version (the window closing): the cursor stays where it got to."""
        new: list[Alert] = []
        for index in range(self.cursor + 1, upto + 1):
            if stop is not None and stop():
                break
            snapshot = snapshot_at(index)
            present = {c.id for c in snapshot.contests}
            projections = projections_at(index, self.pins & present) if self.pins & present else {}
            found = self._scanner.step(snapshot, index, projections)
            if self._previous is not None:
                for corrections in find_corrections(
                    self._previous, snapshot, VersionRef.of(snapshot, index)
                ).values():
                    found.extend(corrections)
            self._previous = snapshot
            self.cursor = index
            new.extend(found)
        self._known.extend(new)
        return new

    def set_pins(
        self, pins: Collection[str], snapshot_at: SnapshotAt, projections_at: ProjectionsAt
    ) -> list[Alert]:
        """Follow a new set of pinned races: an unpinned race's alerts leave the log (its
        corrections stay), a newly pinned one's alerts up to the cursor join it (returned)."""
        pins = set(pins)
        added, removed = pins - self.pins, self.pins - pins
        self.pins.clear()
        self.pins.update(pins)  # the scanner holds the same set
        for cid in removed:
            self._scanner.states.pop(cid, None)
        self._known = [a for a in self._known if a.is_correction or a.contest_id not in removed]
        if not added or self.cursor < 0:
            return []
        catch_up = AlertScanner(added)
        found: list[Alert] = []
        for index in range(self.cursor + 1):
            snapshot = snapshot_at(index)
            present = added & {c.id for c in snapshot.contests}
            found.extend(catch_up.step(snapshot, index, projections_at(index, present) if present else {}))
        self._scanner.states.update(catch_up.states)
        self._known = sorted([*self._known, *found], key=_order)
        return found


def scan_night(
    path: Path, contest_ids: Collection[str] | Callable[[Snapshot], Collection[str]] | None = None
) -> tuple[list[Alert], Snapshot]:
    """Every alert of the night file at ``path`` on the races ``contest_ids`` (None: every race; a
    callable: asked with the night's last version), with every correction, in version order; and
    the night's last version."""
    from tracker.archive.chain import VersionChain
    from tracker.archive.night import NightFile
    from tracker.archive.projections import baseline_for, load_baselines
    from tracker.archive.recorder import current_versions
    from tracker.core.arrival import MAX_POINTS, Point, arrival_point
    from tracker.core.errors import TrackerError
    from tracker.core.projection import project_contest

    with NightFile.open(path, readonly=True) as night:
        versions = current_versions(night.versions())
        if not versions:
            raise TrackerError(f"{Path(path).name} holds no recorded versions")
        chain = VersionChain(night, versions)
        baselines = load_baselines(night)
        final = chain.snapshot(len(versions) - 1)
        if contest_ids is None:
            contest_ids = [c.id for c in final.contests]
        elif callable(contest_ids):
            contest_ids = contest_ids(final)
        scan = NightAlerts(contest_ids)
        snapshots: dict[int, Snapshot] = {}

        def snapshot_at(i: int) -> Snapshot:
            if i not in snapshots:
                snapshots.clear()  # one at a time: the scan goes forward
                snapshots[i] = chain.snapshot(i)  # the units: the projection needs them
            return snapshots[i]

        histories: dict[str, list[Point]] = {}  # per race, its earlier versions (the trend)

        def projections_at(i: int, wanted: Collection[str]) -> dict[str, ContestProjection]:
            """Called once per version, in order: each race projected with the versions before
            it, as the window and ``projections`` project it."""
            snap = snapshot_at(i)
            out = {}
            for c in snap.contests:
                if c.id not in wanted:
                    continue
                history = histories.setdefault(c.id, [])
                out[c.id] = project_contest(c, baseline_for(baselines, c, snap.election.date), history)
                history.append(arrival_point(c))
                del history[:-MAX_POINTS]
            return out

        scan.advance(len(versions) - 1, snapshot_at, projections_at)
    return scan.known, final
