"""Alerts and corrections on synthetic version sequences (every case built with the model's
constructors; every name says "Synthetic"), and feed alerts in fake time."""

from __future__ import annotations

import datetime as dt

import pytest

from tracker.core.alerts import (
    AlertKind,
    AlertScanner,
    VersionRef,
    alerts_between,
    confident_outcome,
    night_alerts,
    summary_snapshot,
)
from tracker.core.corrections import find_corrections, flags
from tracker.core.feed_alerts import (
    DEFAULT_STALL_MINUTES,
    FAILING_AFTER,
    FeedWatch,
    feed_alerts,
    stall_minutes,
)
from tracker.core.model import Candidate, Contest, Election, Reporting, ReportingUnit, Snapshot
from tracker.core.projection import CandidateProjection, ContestProjection
from tracker.core.threshold import ThresholdRule

ELECTION = Election(id="synthetic-alerts", name="Synthetic alerts election")
T0 = dt.datetime(2024, 11, 5, 0, 0, tzinfo=dt.UTC)
CANDS = (Candidate("a", "Synthetic ADA", ballot_order=1), Candidate("b", "Synthetic BO", ballot_order=2))


def synthetic_contest(
    votes: dict[str, int],
    *,
    reporting: int = 1,
    precincts: int = 4,
    cid: str = "race",
    candidates: tuple[Candidate, ...] = CANDS,
    rule: ThresholdRule | None = None,
) -> Contest:
    """Synthetic: one county unit carrying all votes and a precinct count."""
    unit = ReportingUnit(
        id="synthetic-county",
        name="Synthetic County",
        kind="county",  # type: ignore[arg-type]
        reporting=Reporting.PARTIAL,
        votes={k: {"Election Day": n} for k, n in votes.items()},
        precincts_reporting=reporting,
        precincts_total=precincts,
    )
    return Contest(
        id=cid,
        name=f"Synthetic {cid}",
        candidates=candidates,
        units=(unit,),
        threshold=rule or ThresholdRule.majority(),
    )


def synthetic_snapshot(*contests: Contest, minute: int = 0) -> Snapshot:
    return Snapshot(
        ELECTION, tuple(contests), version=f"v{minute}", fetched_at=T0 + dt.timedelta(minutes=minute)
    )


def synthetic_projection(
    p: dict[str, float | None], cid: str = "race", status: str = "projected"
) -> ContestProjection:
    cands = tuple(CandidateProjection(k, f"Synthetic {k}", 0, 0.0, 0.5, 0.4, 0.6, v) for k, v in p.items())
    return ContestProjection(cid, f"Synthetic {cid}", status, "", 0, cands)


def kinds(alerts) -> list[tuple[str, str, int]]:
    return [(str(a.kind), a.subject, a.version_index) for a in alerts]


def test_synthetic_lead_change_ties_keep_the_last_leader() -> None:
    seq = [
        synthetic_snapshot(synthetic_contest({"a": 0, "b": 0})),  # nothing counted: no leader
        synthetic_snapshot(synthetic_contest({"a": 10, "b": 5})),  # a leads: first leader, no change
        synthetic_snapshot(synthetic_contest({"a": 20, "b": 20})),  # tie
        synthetic_snapshot(synthetic_contest({"a": 21, "b": 20})),  # a again: no change
        synthetic_snapshot(synthetic_contest({"a": 21, "b": 30})),  # b takes it
    ]
    alerts = [a for a in night_alerts((s, None) for s in seq) if a.kind is AlertKind.LEAD_CHANGE]
    assert kinds(alerts) == [("lead change", "b", 4)]
    assert "Synthetic BO takes the lead from Synthetic ADA: 30 to 21 (by 9)" in alerts[0].message


def test_synthetic_threshold_crossing_up_and_down_is_strict() -> None:
    seq = [
        synthetic_snapshot(synthetic_contest({"a": 50, "b": 50})),  # exactly half: not over
        synthetic_snapshot(synthetic_contest({"a": 51, "b": 50})),  # over
        synthetic_snapshot(synthetic_contest({"a": 60, "b": 50})),  # still over: nothing
        synthetic_snapshot(synthetic_contest({"a": 60, "b": 60})),  # half again: under
    ]
    alerts = night_alerts((s, None) for s in seq)
    crossings = [a for a in alerts if a.kind in (AlertKind.CROSSED_UP, AlertKind.CROSSED_DOWN)]
    assert kinds(crossings) == [("crossed the line", "a", 1), ("fell below the line", "a", 3)]
    assert crossings[0].message == "Synthetic ADA crossed 50 %: 50.50 % (51 of 101 votes counted)"
    assert crossings[0].time == T0 and crossings[0].version == "v0"


def test_synthetic_plurality_race_has_no_line_to_cross() -> None:
    rule = ThresholdRule("plurality")
    seq = [synthetic_snapshot(synthetic_contest({"a": 90, "b": 10}, rule=rule))]
    assert [a for a in night_alerts((s, None) for s in seq) if a.kind is AlertKind.CROSSED_UP] == []


def test_synthetic_custom_share_line() -> None:
    rule = ThresholdRule("share", 0.4)
    seq = [
        synthetic_snapshot(synthetic_contest({"a": 40, "b": 60}, rule=rule)),
        synthetic_snapshot(synthetic_contest({"a": 41, "b": 60}, rule=rule)),
    ]
    ups = [a for a in night_alerts((s, None) for s in seq) if a.kind is AlertKind.CROSSED_UP]
    assert kinds(ups) == [("crossed the line", "b", 0), ("crossed the line", "a", 1)]
    assert "crossed 40 %" in ups[1].message


def test_synthetic_projection_becomes_confident_once_per_outcome() -> None:
    snap = synthetic_snapshot(synthetic_contest({"a": 10, "b": 9}))
    projections = [
        None,
        synthetic_projection({"a": None, "b": None}, status="too early"),
        synthetic_projection({"a": 0.90, "b": 0.01}),
        synthetic_projection({"a": 0.96, "b": 0.0}),  # confident: a clears
        synthetic_projection({"a": 0.94, "b": 0.0}),  # wobbles under
        synthetic_projection({"a": 0.97, "b": 0.0}),  # same outcome again: not re-announced
        synthetic_projection({"a": 0.03, "b": 0.01}),  # sum 0.04: nobody clears
    ]
    seq = [(snap, None if p is None else {"race": p}) for p in projections]
    confident = [a for a in night_alerts(seq) if a.kind is AlertKind.CONFIDENT]
    assert kinds(confident) == [("projection confident", "a", 3), ("projection confident", "", 6)]
    assert "Synthetic ADA clears 50 % (P = 96.00 %)" in confident[0].message
    assert "nobody clears 50 %" in confident[1].message


def test_synthetic_confident_outcome_uses_the_sum_for_nobody() -> None:
    # 0.03 + 0.03 = 0.06 > 0.05: P(nobody clears) might be below 0.95, so not confident.
    assert confident_outcome(synthetic_projection({"a": 0.03, "b": 0.03})) is None
    assert confident_outcome(synthetic_projection({"a": 0.03, "b": 0.02})) == ""
    assert confident_outcome(synthetic_projection({"a": 0.95, "b": 0.0})) == "a"


def test_synthetic_fully_reported_once() -> None:
    seq = [
        synthetic_snapshot(synthetic_contest({"a": 10, "b": 9}, reporting=3)),
        synthetic_snapshot(synthetic_contest({"a": 20, "b": 9}, reporting=4)),
        synthetic_snapshot(synthetic_contest({"a": 21, "b": 9}, reporting=4)),
    ]
    done = [a for a in night_alerts((s, None) for s in seq) if a.kind is AlertKind.FULLY_REPORTED]
    assert kinds(done) == [("fully reported", "", 1)]
    assert done[0].message == "all 4 precincts reporting: Synthetic ADA 68.97 %, Synthetic BO 31.03 %"


def test_synthetic_only_the_contests_asked_for() -> None:
    seq = [
        synthetic_snapshot(
            synthetic_contest({"a": 9, "b": 1}), synthetic_contest({"a": 9, "b": 1}, cid="other")
        )
    ]
    assert {a.contest_id for a in night_alerts(((s, None) for s in seq), {"other"})} == {"other"}


def test_synthetic_scanning_is_deterministic_and_keys_are_stable() -> None:
    """The alerts of a night depend on the version sequence only: scanning it again (as a
    replay that seeks back does) gives the same alerts with the same keys, in the same order."""
    seq = [
        synthetic_snapshot(synthetic_contest({"a": a, "b": b}, reporting=r), minute=i)
        for i, (a, b, r) in enumerate([(5, 1, 1), (6, 9, 2), (20, 9, 3), (20, 21, 4)])
    ]
    first = night_alerts((s, None) for s in seq)
    again = night_alerts((s, None) for s in seq)
    assert first == again
    assert len({a.key for a in first}) == len(first)
    # Stepping through versions one at a time gives the same as the whole scan.
    scanner = AlertScanner()
    stepped = [a for i, s in enumerate(seq) for a in scanner.step(s, i)]
    assert stepped == first


def test_synthetic_summaries_raise_the_same_alerts_and_corrections() -> None:
    """The worker scans unit-less summaries of the versions it parsed anyway: same answers."""
    votes = [{"a": 30, "b": 10}, {"a": 5, "b": 25}, {"a": 20, "b": 21}, {"a": 9, "b": 1}]

    def synthetic_precincts(reported: int) -> Snapshot:
        units = tuple(
            ReportingUnit(
                id=f"P{i}",
                name=f"Synthetic precinct {i}",
                county="Synthetic County",
                reporting=Reporting.COMPLETE if i < reported else Reporting.NONE,
                votes={k: {"Election Day": n, "Advance in Person": n // 2} for k, n in v.items()}
                if i < reported
                else {},
            )
            for i, v in enumerate(votes)
        )
        return synthetic_snapshot(Contest(id="race", name="Synthetic race", candidates=CANDS, units=units))

    seq = [synthetic_precincts(n) for n in (0, 1, 3, 2, 4)]  # one precinct taken back at the 4th
    summaries = [summary_snapshot(s) for s in seq]
    assert night_alerts((s, None) for s in summaries) == night_alerts((s, None) for s in seq)
    for i in range(1, len(seq)):
        ref = VersionRef(i)
        assert find_corrections(summaries[i - 1], summaries[i], ref) == find_corrections(
            seq[i - 1], seq[i], ref
        )
    assert find_corrections(seq[2], seq[3], VersionRef(3))  # the case is not empty


def test_synthetic_alerts_between_two_versions() -> None:
    before = synthetic_snapshot(synthetic_contest({"a": 10, "b": 5}))
    after = synthetic_snapshot(synthetic_contest({"a": 10, "b": 15}, reporting=4), minute=3)
    alerts = alerts_between(before, after, 7)
    assert kinds(alerts) == [
        ("lead change", "b", 7),
        ("crossed the line", "b", 7),
        ("fell below the line", "a", 7),
        ("fully reported", "", 7),
    ]
    assert all(a.time == T0 + dt.timedelta(minutes=3) for a in alerts)
    assert alerts_between(after, after, 8) == []


# corrections ---------------------------------------------------------------------------------------
def test_synthetic_correction_count_down() -> None:
    before = synthetic_snapshot(synthetic_contest({"a": 100, "b": 80}))
    after = synthetic_snapshot(synthetic_contest({"a": 90, "b": 85}))
    found = find_corrections(before, after, VersionRef(5, "v9"))
    assert list(found) == ["race"]
    (c,) = found["race"]
    assert (c.kind, c.subject, c.version_index) == (AlertKind.COUNT_DOWN, "a", 5)
    assert c.message == "Synthetic ADA's count went down: 100 → 90 (-10)"


def test_synthetic_correction_candidate_gone() -> None:
    third = Candidate("c", "Synthetic CY", ballot_order=3)
    before = synthetic_snapshot(synthetic_contest({"a": 10, "b": 8, "c": 3}, candidates=(*CANDS, third)))
    after = synthetic_snapshot(synthetic_contest({"a": 11, "b": 8}))
    (c,) = find_corrections(before, after, VersionRef(1))["race"]
    assert (c.kind, c.subject) == (AlertKind.CANDIDATE_GONE, "c")
    assert c.message == "Synthetic CY is no longer listed (had 3 votes → gone)"


def test_synthetic_correction_precincts_fell() -> None:
    before = synthetic_snapshot(synthetic_contest({"a": 10, "b": 8}, reporting=3))
    after = synthetic_snapshot(synthetic_contest({"a": 10, "b": 8}, reporting=2))
    (c,) = find_corrections(before, after, VersionRef(2))["race"]
    assert c.kind is AlertKind.PRECINCTS_DOWN
    assert c.message == "precincts reporting fell: 3 of 4 → 2 of 4"


def test_synthetic_growing_counts_are_no_correction() -> None:
    before = synthetic_snapshot(synthetic_contest({"a": 10, "b": 8}, reporting=2))
    after = synthetic_snapshot(synthetic_contest({"a": 12, "b": 8}, reporting=3))
    assert find_corrections(before, after, VersionRef(1)) == {}


def test_synthetic_flags_only_up_to_the_version_shown() -> None:
    before = synthetic_snapshot(synthetic_contest({"a": 100, "b": 80}, reporting=3))
    after = synthetic_snapshot(synthetic_contest({"a": 90, "b": 80}, reporting=2))
    alerts = find_corrections(before, after, VersionRef(4))["race"]
    assert flags(alerts, upto=3) == {}
    text = flags(alerts, upto=4)["race"]
    assert text.splitlines() == [
        "corrected in version 5: Synthetic ADA's count went down: 100 → 90 (-10)",
        "corrected in version 5: precincts reporting fell: 3 of 4 → 2 of 4",
    ]


# feed alerts in fake time --------------------------------------------------------------------------
def test_stall_alert_in_fake_time_once_per_stall() -> None:
    last = T0
    stall = dt.timedelta(minutes=10)
    watch = FeedWatch()
    raised = []
    for minute in range(0, 31):  # a poll every minute, nothing new after T0 until minute 25
        now = T0 + dt.timedelta(minutes=minute)
        if minute == 25:
            last = now
        watch, alerts = feed_alerts(
            watch, now=now, last_new_at=last, error=None, failures=0, stall_after=stall, version_index=3
        )
        raised.extend((minute, str(a.kind), a.message) for a in alerts)
    # Stalled at 10 (once, not every minute after); the new version at 25 starts a fresh wait.
    assert raised == [(10, "feed stalled", "no new version for 10 min (stall alert after 10 min)")]
    watch, alerts = feed_alerts(
        watch,
        now=T0 + dt.timedelta(minutes=35),
        last_new_at=last,
        error=None,
        failures=0,
        stall_after=stall,
        version_index=4,
    )
    assert [a.kind for a in alerts] == [AlertKind.FEED_STALLED]
    assert alerts[0].subject == last.isoformat()


def test_failing_alert_after_consecutive_failures_once_per_streak() -> None:
    watch = FeedWatch()
    raised = []
    pattern = [
        None,
        "timed out",
        None,
        "HTTP 500",
        "HTTP 500",
        "HTTP 500",
        "HTTP 500",
        None,
        "HTTP 502",
        "HTTP 502",
        "HTTP 502",
    ]
    failures = 0
    for minute, error in enumerate(pattern):
        failures = 0 if error is None else failures + 1
        watch, alerts = feed_alerts(
            watch,
            now=T0 + dt.timedelta(minutes=minute),
            last_new_at=T0 + dt.timedelta(minutes=minute),
            error=error,
            failures=failures,
            stall_after=dt.timedelta(minutes=10),
            version_index=0,
        )
        raised.extend((minute, a.subject) for a in alerts)
    assert FAILING_AFTER == 3
    start_1 = (T0 + dt.timedelta(minutes=3)).isoformat()
    start_2 = (T0 + dt.timedelta(minutes=8)).isoformat()
    assert raised == [(5, start_1), (10, start_2)]


@pytest.mark.parametrize(
    ("text", "minutes"), [(None, DEFAULT_STALL_MINUTES), ("5", 5), ("x", DEFAULT_STALL_MINUTES), ("0", 10)]
)
def test_stall_minutes_setting(text: str | None, minutes: int) -> None:
    assert stall_minutes(text) == minutes
