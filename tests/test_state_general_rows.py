"""The jurisdiction table's general-election rows for North Carolina, Colorado, West Virginia and
Wyoming: their real results files name the table as the rule's source, not the default.

Before these rows every race of these files said "default: the jurisdiction table has no row for
this race" (docs/doc-walk.md, eighth session), though plurality was right.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.core.jurisdiction import load_table, rule_for
from tracker.core.threshold import ThresholdRule
from tracker.feeds.registry import parse_file

FILES = {
    "NC": "nc-sbe/nc_2024-11-05_general_results_0_statewide.json",
    "CO": "clarity/co_2020_general_statewide_detail_20201123.xml",
    "WV": "clarity/wapo-elex-clarity_wv_counties_11-3.xml",
    "WY": "nist/nist_v2_wy20g.xml",
}


def _parse(path: Path):
    """As ``parse`` reads it: the file's name tells North Carolina's parser the election's kind."""
    return parse_file(path, source=path.name)


@pytest.mark.parametrize("state", sorted(FILES))
def test_every_candidate_race_of_a_general_election_is_the_tables(shared_data: Path, state: str):
    snap = _parse(shared_data / FILES[state])
    races = [c for c in snap.contests if not c.threshold.measure]
    assert races
    for contest in races:
        rule = contest.threshold
        assert rule.rule == "plurality" and not rule.has_runoff, contest.name
        assert rule.source == "table", (contest.name, rule.basis)
        assert rule.origin() == "from the jurisdiction table"
    # Each row cites its state's constitution or code.
    cites = {"NC": "§ 147-4", "CO": "art. IV, § 3", "WV": "art. VII, § 3", "WY": "art. 4, § 3"}[state]
    assert all(cites in c.threshold.basis for c in races if c.vote_for == 1)


def test_colorado_retention_and_north_carolina_amendments_are_the_tables(shared_data: Path):
    co = _parse(shared_data / FILES["CO"])
    judges = [c for c in co.contests if c.threshold.measure and "Judge" in c.name]
    assert len(judges) > 50
    assert all(c.threshold.source == "table" and "art. VI, § 25" in c.threshold.basis for c in judges)
    assert all(c.threshold == ThresholdRule.majority(runoff="none", measure=True) for c in judges)
    nc = _parse(shared_data / FILES["NC"])
    (amendment,) = [c for c in nc.contests if c.name.startswith("CONSTITUTIONAL AMENDMENT")]
    assert amendment.threshold.source == "table" and "art. XIII, § 4" in amendment.threshold.basis
    # A town's bonds referendum is not a constitutional amendment: the default majority, as before.
    bonds = [c for c in nc.contests if "BONDS REFERENDUM" in c.name]
    assert bonds and all(c.threshold.source == "default" for c in bonds)


def test_the_exceptions_stay():
    """North Carolina's primaries keep their 30 % line, Georgia its majority, Louisiana its open
    primary; the new rows are for general elections only."""
    assert rule_for("NC", "primary", "US SENATE").share == 0.3
    assert rule_for("GA", "general", "Governor").rule == "majority"
    assert rule_for("LA", "primary", "Governor").rule == "majority"
    assert rule_for("CO", "general", "Amendment B", choices=["Yes/For", "No/Against"]).share == 0.55
    assert rule_for("SC", "general", "Governor").source == "default"  # no row we can cite yet
    for state in ("NC", "CO", "WV", "WY"):
        assert rule_for(state, "general", "County Commissioner").source == "table"
        assert rule_for(state, "special", "County Commissioner").source == "default"
    # Every row still names its source (load_table refuses a row without one).
    assert all(row.rule.basis for row in load_table())
