"""A precinct that Georgia's export or an Enhanced Voting page lists as "Not Reported", with zeros
in every vote method, has reported nothing: its zeros are the page's placeholders.

Found walking the user documentation: the bundled night served as `gasos` or `ev` (docs/feeds.md)
opened at its first version with "All precincts reporting: nothing outstanding" over 0 of 208
precincts and 0 votes, because every listed zero read as a finished vote type."""

from __future__ import annotations

import pytest

from tracker import paths
from tracker.archive.night import NightFile
from tracker.archive.serve import FeedServer
from tracker.core.expected_vote import expected_vote
from tracker.core.model import Reporting
from tracker.feeds.registry import parse_payload

NIGHT = paths.resources_dir() / "nights" / "ga06-2017-04-18.night"
HOUSE = "U.S. Representative, District 6"


def _served(fmt: str, index: int):
    with FeedServer(NIGHT, fmt=fmt, speed=1000.0, clock=lambda: 0.0) as server:
        body = server.document(index, fmt).body
    return next(c for c in parse_payload(body).contests if c.name == HOUSE)


@pytest.mark.parametrize("fmt", ["gasos", "ev"])
def test_a_not_reported_precinct_has_no_vote_type_in_and_nothing_looks_final(fmt: str) -> None:
    first = _served(fmt, 0)
    assert first.total_votes == 0 and first.precincts == (0, 208)
    assert all(u.reporting is Reporting.NONE for u in first.units)
    assert all(not by for u in first.units for by in u.votes.values()), "no vote type is in"
    assert expected_vote(first).outstanding is None, "nothing says how much is out: not 'nothing'"


@pytest.mark.parametrize("fmt", ["gasos", "ev"])
def test_reported_precincts_keep_their_counts_to_the_last_vote(fmt: str) -> None:
    """Mid-night, precincts in keep every vote (zeros included) and the totals are the night's."""
    with NightFile.open(NIGHT) as night:
        versions = night.versions()
        middle, last = night.snapshot(versions[40]), night.snapshot(versions[-1])
    for index, source in ((40, middle), (len(versions) - 1, last)):
        served = _served(fmt, index)
        truth = next(c for c in source.contests if c.name == HOUSE)
        assert served.totals == truth.totals
        assert served.precincts == truth.precincts
        for unit in served.units:
            if unit.reporting is not Reporting.NONE:
                assert all(by for by in unit.votes.values()), unit.name
    final = _served(fmt, len(versions) - 1)
    out = expected_vote(final).outstanding
    assert out is not None and out.hi == 0, "every precinct in: nothing outstanding"


def test_a_clarity_precinct_not_in_yet_lists_zeros_that_are_no_count(shared_data, tmp_path) -> None:
    """The eighth doc walk: Allegheny 2022's SD38 (one undivided total per precinct) served as
    Clarity opened its pre-election version with "All precincts reporting: nothing outstanding"
    at 0 of 249 precincts: Clarity lists every precinct's vote types as zeros before its results,
    and each zero read as a finished cell. A precinct whose status says nothing is in has none."""
    from tracker.archive.importer import import_payloads

    night = tmp_path / "sd38.night"
    import_payloads([shared_data / "nights" / "allegheny-2022" / "SD38"], out=night)
    with FeedServer(night, fmt="clarity", speed=1000.0, clock=lambda: 0.0) as server:
        body = server.document(1, "clarity").body  # the second zero-count version
    (race,) = parse_payload(body, "auto", source="detailxml.zip").contests
    assert race.total_votes == 0 and race.precincts == (0, 249)
    assert all(u.reporting is Reporting.NONE for u in race.units)
    assert any(by for u in race.units for by in u.votes.values()), "the zeros are listed"
    assert expected_vote(race).outstanding is None, "nothing says how much is out: not 'nothing'"


def test_a_precinct_with_votes_and_no_stated_status_keeps_its_complete_cells() -> None:
    """``Reporting.NONE`` is also the model's default: a feed that states no status per precinct
    (a precinct-totals CSV, a constructed night) leaves it on precincts that have counted, and
    their listed vote types stay complete cells; only a precinct with nothing in has none."""
    from tracker.core.cells import cut_cells
    from tracker.core.model import Candidate, Contest, ReportingUnit, UnitKind, VoteType

    def precinct(name: str, votes: dict) -> ReportingUnit:
        return ReportingUnit(id=name, name=name, kind=UnitKind.PRECINCT, county="Synthetic", votes=votes)

    race = Contest(
        id="synthetic",
        name="Synthetic race",
        candidates=(
            Candidate("a", "Synthetic A", ballot_order=0),
            Candidate("b", "Synthetic B", ballot_order=1),
        ),
        units=(
            precinct("Synthetic 1", {"a": {"Total": 10}, "b": {"Total": 5}}),
            precinct("Synthetic 2", {"a": {"Total": 0}, "b": {"Total": 0}}),
        ),
        vote_types=(VoteType.from_name("Total"),),
    )
    assert all(u.reporting is Reporting.NONE for u in race.units)
    cells = cut_cells(race, ["a", "b"])
    assert list(cells.complete) == [True, False]
