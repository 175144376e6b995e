"""``serve --as``: a served file never passes a night off as another state's. North Carolina's
results file and Georgia's export are one state's own, so they serve only that state's nights;
Clarity, AP and Enhanced Voting name a state, and carry the night's own. The bundled GA-06 night
is real (reconstructed from certified results); the other nights here are synthetic and say so.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.request
from pathlib import Path

import pytest

from tracker import paths
from tracker.archive.night import NightFile
from tracker.archive.night_state import night_state
from tracker.archive.serve import FeedServer
from tracker.cli import main
from tracker.core.errors import TrackerError
from tracker.core.model import Candidate, Contest, Election, Reporting, ReportingUnit, Snapshot
from tracker.feeds.native import FORMAT as NATIVE
from tracker.feeds.native import dump_native
from tracker.feeds.registry import parse_payload

APRIL = paths.resources_dir() / "nights" / "ga06-2017-04-18.night"
T0 = dt.datetime(2024, 11, 5, 23, tzinfo=dt.UTC)


def _synthetic_night(path: Path, label: str) -> Path:
    """Synthetic: two versions of one race, under ``label`` (which may name a state)."""
    with NightFile.create(path, kind="recorded", label=label, timezone="America/New_York") as night:
        for i, votes in enumerate((60, 90)):
            snap = Snapshot(
                Election(id="synthetic-state", name="Synthetic election"),
                (
                    Contest(
                        id="c1",
                        name="Synthetic race",
                        candidates=(Candidate("a", "Synthetic A"), Candidate("b", "Synthetic B")),
                        units=(
                            ReportingUnit(
                                id="u1",
                                name="Synthetic unit",
                                reporting=Reporting.PARTIAL,
                                votes={"a": {"Total": votes}, "b": {"Total": 40}},
                            ),
                        ),
                    ),
                ),
                version=f"v{i}",
                published_at=T0 + dt.timedelta(minutes=i),
            )
            night.add_payload(dump_native(snap), fetched_at=T0 + dt.timedelta(minutes=i), fmt=NATIVE)
    return path


def test_the_bundled_nights_are_georgias() -> None:
    with NightFile.open(APRIL, readonly=True) as night:
        assert night_state(night) == "GA"


def test_serve_as_nc_refuses_a_georgia_night_in_one_sentence(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", str(APRIL), "--as", "nc", "--port", "0", "--exit-at-end"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    (line,) = captured.err.splitlines()
    assert line.startswith("election-tracker: ga06-2017-04-18.night is a Georgia night, ")
    assert "names no state but North Carolina" in line and "--as native or nist" in line


def test_serve_as_gasos_refuses_a_north_carolina_night(tmp_path: Path) -> None:
    nc = _synthetic_night(tmp_path / "nc.night", "Synthetic North Carolina night (constructed)")
    with pytest.raises(TrackerError, match="is a North Carolina night, and Georgia's results export"):
        FeedServer(nc, fmt="gasos")


def test_a_night_that_names_no_state_is_not_served_as_one_states_file(tmp_path: Path) -> None:
    plain = _synthetic_night(tmp_path / "plain.night", "Synthetic night (constructed)")
    for fmt in ("nc", "gasos"):
        with pytest.raises(TrackerError, match="does not say which state it is of"):
            FeedServer(plain, fmt=fmt)


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as answer:
        return answer.read()


def test_a_north_carolina_night_is_served_as_north_carolinas(tmp_path: Path) -> None:
    nc = _synthetic_night(tmp_path / "nc.night", "Synthetic North Carolina night (constructed)")
    with FeedServer(nc, fmt="nc", speed=1000) as server:
        snap = parse_payload(_get(server.url), source=server.url)
    assert snap.election.name.startswith("North Carolina")
    with FeedServer(nc, fmt="clarity", speed=1000) as server:
        assert "/NC/" in server.url
    with FeedServer(nc, fmt="ap", speed=1000) as server:
        doc = json.loads(_get(server.url + "?apiKey=synthetic"))
        assert {ru["statePostal"] for race in doc["races"] for ru in race["reportingUnits"]} == {"NC"}
    with FeedServer(nc, fmt="ev", speed=1000) as server:
        doc = json.loads(_get(server.base_url + server.ev_api_path))
        assert doc["jurisdiction"]["name"] == "North Carolina"


def test_serving_a_night_of_no_state_as_clarity_says_whose_it_becomes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = _synthetic_night(tmp_path / "plain.night", "Synthetic night (constructed)")
    assert (
        main(["serve", str(plain), "--as", "clarity", "--speed", "1000", "--port", "0", "--exit-at-end"]) == 0
    )
    err = capsys.readouterr().err
    assert "plain.night does not say which state it is of" in err and "Georgia's (GA)" in err
