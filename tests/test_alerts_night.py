"""The alerts of the bundled GA-06 night (real, reconstructed from certified precinct results),
with Ossoff's race pinned: derived here from the night's own numbers, then compared with what the
scanner raises -- once each, however the replay seeks -- and with what the store keeps."""

from __future__ import annotations

import csv
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tracker import paths
from tracker.archive.alerts import NightAlerts, scan_night
from tracker.archive.chain import VersionChain
from tracker.archive.night import NightFile
from tracker.archive.recorder import current_versions
from tracker.core.alerts import AlertKind
from tracker.core.model import Snapshot
from tracker.core.projection import ContestProjection
from tracker.store import Store

NEW_YORK = ZoneInfo("America/New_York")  # the night's own zone
OSSOFF_RACE = "10"  # "U.S. Representative, District 6"


@pytest.fixture(scope="module")
def night() -> Path:
    return paths.resources_dir() / "nights" / "ga06-2017-04-18.night"


@pytest.fixture(scope="module")
def snapshots(night: Path) -> list[Snapshot]:
    with NightFile.open(night, readonly=True) as nf:
        versions = current_versions(nf.versions())
        chain = VersionChain(nf, versions)
        return [chain.snapshot(i) for i in range(len(versions))]


@pytest.fixture(scope="module")
def projections(night: Path, snapshots: list[Snapshot]) -> list[dict[str, ContestProjection]]:
    """Ossoff's race projected at every version, with the night's baseline and the versions before
    it (as the window does)."""
    from tracker.archive.projections import baseline_for, load_baselines
    from tracker.core.arrival import arrival_point
    from tracker.core.projection import project_contest

    with NightFile.open(night, readonly=True) as nf:
        baselines = load_baselines(nf)
    out = []
    history: list = []
    for snap in snapshots:
        race = snap.contest(OSSOFF_RACE)
        out.append({OSSOFF_RACE: project_contest(race, baseline_for(baselines, race), list(history))})
        history.append(arrival_point(race))
    return out


@pytest.fixture(scope="module")
def expected(snapshots: list[Snapshot], projections) -> list[tuple[str, str, int]]:
    """What happened in Ossoff's race, from the night's numbers: who led, when the leader's share
    went strictly over half and back, when the projection's P(clear) first summed to
    ≤ 5 % (or one reached 95 %), when all precincts were in."""
    out: list[tuple[str, str, int]] = []
    leader = None
    over: set[str] = set()
    for i, snap in enumerate(snapshots):
        race = snap.contest(OSSOFF_RACE)
        totals, counted = race.totals, race.total_votes
        if counted:
            top = sorted(totals.values(), reverse=True)
            now = max(totals, key=totals.get) if top[0] != top[1] else leader
            if leader is not None and now != leader:
                out.append(("lead change", now, i))
            leader = now
        now_over = {cid for cid, v in totals.items() if counted and 2 * v > counted}
        out += [("crossed the line", cid, i) for cid in now_over - over]
        out += [("fell below the line", cid, i) for cid in over - now_over]
        over = now_over
    announced = None
    for i, projected in enumerate(projections):
        ps = {c.candidate_id: c.p_clear for c in projected[OSSOFF_RACE].candidates if c.p_clear is not None}
        if not ps:
            continue
        best = max(ps, key=ps.get)
        outcome = best if ps[best] >= 0.95 else ("" if sum(ps.values()) <= 0.05 else None)
        if outcome is not None and outcome != announced:
            out.append(("projection confident", outcome, i))
            announced = outcome
    done = next(i for i, s in enumerate(snapshots) if s.contest(OSSOFF_RACE).precincts[0] == 208)
    out.append(("fully reported", "", done))
    return sorted(out, key=lambda x: x[2])


def test_expected_alerts_of_the_night_are_what_the_press_saw(expected, snapshots) -> None:
    """A sanity check on the derivation itself: Ossoff led all night, was over 50 % from the first
    votes until 22:58 (49.99 %), the projection gave up on a majority (with the November 2016
    baseline the night ships with, already while he was still over the line: at 31.8 % counted
    his interval was 42.5–50.5 %), and the last of the 208 precincts came in at 01:18."""
    ossoff = next(c.id for c in snapshots[-1].contest(OSSOFF_RACE).candidates if "OSSOFF" in c.name)
    kinds = {k: (s, i) for k, s, i in expected}
    assert sorted(kinds) == sorted(
        ["crossed the line", "fell below the line", "projection confident", "fully reported"]
    )
    assert len(expected) == 4
    assert kinds["crossed the line"][0] == kinds["fell below the line"][0] == ossoff
    assert kinds["projection confident"][0] == ""  # nobody clears: the runoff
    assert kinds["crossed the line"][1] < kinds["projection confident"][1] < kinds["fully reported"][1]

    def when(kind: str) -> str:
        return f"{snapshots[kinds[kind][1]].fetched_at.astimezone(NEW_YORK):%H:%M}"

    assert when("fell below the line") == "22:58" and when("fully reported") == "01:18"


def test_scan_raises_exactly_what_happened_once_each(night: Path, expected) -> None:
    alerts, final = scan_night(night, {OSSOFF_RACE})
    assert final.contest(OSSOFF_RACE).name == "U.S. Representative, District 6"
    assert [(str(a.kind), a.subject, a.version_index) for a in alerts] == expected
    assert len({a.key for a in alerts}) == len(alerts)
    assert all(a.contest_id == OSSOFF_RACE for a in alerts)  # no corrections: the count only grew


def test_seeking_back_and_forth_raises_nothing_twice(
    night: Path, snapshots, projections, expected, tmp_path
) -> None:
    def projections_at(i: int, wanted) -> dict[str, ContestProjection]:
        return {cid: p for cid, p in projections[i].items() if cid in wanted}

    scan = NightAlerts({OSSOFF_RACE})
    raised = []
    with Store(tmp_path / "store.sqlite") as store:
        for position in (40, 10, 0, 72, 30, 72, 50):  # a replay seeking back and forth
            found = scan.advance(position, snapshots.__getitem__, projections_at)
            raised += store.append_alerts("ga06", found)
        assert [(str(a.kind), a.subject, a.version_index) for a in raised] == expected
        assert scan.known == raised
        # A second session on the same night scans again from the start: nothing is new to the store.
        again = NightAlerts({OSSOFF_RACE})
        assert store.append_alerts("ga06", again.advance(72, snapshots.__getitem__, projections_at)) == []
        assert store.alerts("ga06") == raised


def test_pinning_later_brings_the_race_history_without_news(night: Path, snapshots, expected) -> None:
    def no_projections(i: int, wanted) -> dict[str, ContestProjection]:
        return {}

    scan = NightAlerts()
    assert scan.advance(72, snapshots.__getitem__, no_projections) == []
    history = scan.set_pins({OSSOFF_RACE}, snapshots.__getitem__, no_projections)
    assert [(str(a.kind), a.version_index) for a in history] == [
        (k, i) for k, _, i in expected if k != "projection confident"
    ]
    scan.set_pins(set(), snapshots.__getitem__, no_projections)
    assert scan.known == []
    assert AlertKind.FULLY_REPORTED not in {a.kind for a in scan.known}


def test_alerts_command_prints_logs_once_and_writes_csv(
    night: Path, expected, tmp_path, capsys, tracker_home
) -> None:
    from tracker.cli import main

    out = tmp_path / "alerts.csv"
    assert main(["alerts", str(night), "--contest", "ossoff", "--csv", str(out)]) == 0
    with out.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["kind"], r["subject"], int(r["version"]) - 1) for r in rows] == expected
    fell = next(r for r in rows if r["kind"] == "fell below the line")
    assert fell["time"] == "2017-04-18T22:58:00-04:00"  # the night's own zone
    assert fell["what happened"].startswith("fell below the line: JON OSSOFF fell below 50 %: 49.99 %")
    capsys.readouterr()
    assert main(["alerts", str(night), "--contest", "10"]) == 0
    assert "4 alerts on U.S. Representative, District 6; 0 new to the store's log" in capsys.readouterr().out
    assert main(["alerts", str(night), "--contest", "no such race"]) == 2
    assert "no contest 'no such race' in this night" in capsys.readouterr().err
