"""The Clarity, NIST and AP parsers were each one file; they are now a few modules with one job
each (docs/architecture.md). Code, tests, benchmarks and other branches import their public names
from the original modules, so every name those modules defined must still import from there — and
be the one object its new module defines, not a copy that could drift from it."""

from __future__ import annotations

import importlib

import pytest

#: module → the public names it defined when it was one file, and where each now lives.
MOVED = {
    "tracker.feeds.clarity": {
        "TZ_OFFSETS": "clarity_checks",
        "PRECINCTS_FOR_RACE": "clarity_checks",
        "PRECINCTS_REPORTING": "clarity_checks",
        "RECONSTRUCTED_MARK": "clarity_checks",
        "precinct_reporting": "clarity_checks",
        "county_reporting": "clarity_checks",
        "parse_timestamp": "clarity_checks",
        "election_id": "clarity_checks",
        "pseudo_contest_reason": "clarity_checks",
        "RuleOf": "clarity_checks",
        "parse_detail_xml": "clarity",
    },
    "tracker.feeds.nist": {
        "NS": "nist_nodes",
        "XSI_TYPE": "nist_nodes",
        "TRACKER_PREFIX": "nist_contest",
        "count_item_type": "nist_contest",
        "vote_type_of": "nist_contest",
        "parse_nist": "nist",
        "_TALLY_LINE": "nist_contest",  # tests/test_nist.py imports it
    },
    "tracker.feeds.ap": {
        "TOTAL": "ap_values",
        "TEST_PREFIX": "ap",
        "TEST_NOTE": "ap",
        "RECONSTRUCTED_KEY": "ap",
        "VOTE_TYPE_NAMES": "ap_values",
        "UNSPLIT": "ap_values",
        "MAX_VOTES": "ap_values",
        "split_vote_types": "ap_values",
        "expected_from_eevp": "ap_values",
        "parse_ap": "ap",
        "parse_ap_v2": "ap",
        "parse_ap_v3": "ap",
        "DELTA_PARAM": "ap",
        "is_delta_url": "ap",
        "ap_next_request": "ap",
    },
}


@pytest.mark.parametrize(
    ("module", "name", "home"),
    [(m, n, h) for m, names in MOVED.items() for n, h in names.items()],
)
def test_a_name_still_imports_from_its_old_module_as_the_new_modules_object(
    module: str, name: str, home: str
) -> None:
    old = importlib.import_module(module)
    new = importlib.import_module(f"tracker.feeds.{home}")
    assert getattr(old, name) is getattr(new, name)


@pytest.mark.parametrize("module", sorted(MOVED))
def test_every_name_in_all_resolves(module: str) -> None:
    mod = importlib.import_module(module)
    assert [n for n in mod.__all__ if not hasattr(mod, n)] == []
    assert set(mod.__all__) <= set(MOVED[module])
