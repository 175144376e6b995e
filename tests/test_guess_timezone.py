"""A live night is shown in its election's zone for every feed that says where it is, not only
Clarity (issue 18: an NC, AP or state-site feed opened live showed UTC)."""

from __future__ import annotations

import pytest

from tracker.feeds.discovery import discover, guess_timezone


@pytest.mark.parametrize(
    ("url", "zone"),
    [
        ("https://er.ncsbe.gov/enr/20241105/data/results_0.txt", "America/New_York"),
        ("https://results.sos.ms.gov/feed.json", "America/Chicago"),
        ("https://elections.state.ny.us/results.json", "America/New_York"),
        ("https://vote.sos.ca.gov/returns/feed.json", "America/Los_Angeles"),
        ("https://example.org/results.json", "UTC"),
        ("https://results.enr.clarityelections.com/AZ/Maricopa/12345/", "America/Phoenix"),
    ],
)
def test_a_states_results_site_is_shown_in_that_states_zone(url: str, zone: str) -> None:
    assert guess_timezone(discover(url)) == zone


def test_ncs_board_file_served_from_anywhere_is_eastern() -> None:
    target = discover("http://127.0.0.1:8000/results_0.txt")
    assert guess_timezone(target) == "UTC"  # the address alone says nothing
    assert guess_timezone(target, ["nc-sbe"]) == "America/New_York"


@pytest.mark.parametrize(
    ("query", "zone"),
    [
        ("statepostal=CO&level=ru", "America/Denver"),
        ("statePostal=wi", "America/Chicago"),
        ("statepostal=GA,AZ", "UTC"),  # several states: no one zone
        ("level=state", "America/New_York"),
    ],
)
def test_ap_is_shown_in_its_states_zone_eastern_for_a_national_night_utc_for_several(
    query: str, zone: str
) -> None:
    target = discover(f"https://api.ap.org/v2/elections/2024-11-05?{query}", api_key="k")
    assert target.kind == "ap"
    assert guess_timezone(target) == zone
