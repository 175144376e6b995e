"""An imported night keeps the state its payloads name (found by the eighth documentation walk).

Allegheny County's 2022 poller files were imported in Eastern time (their county names PA), but
the night forgot the state: ``serve --as clarity`` then served Pennsylvania's State Senate race as
Georgia's, and the window read it back with Georgia's majority-and-runoff line. Clarity files
whose Region names the state (Georgia's, South Carolina's, Arkansas') and Wyoming's NIST report
were shown in UTC although ``import --timezone`` promises the file's state's zone."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.archive.importer import import_payloads
from tracker.archive.night import NightFile
from tracker.archive.night_state import night_state
from tracker.archive.serve import FeedServer
from tracker.feeds.registry import parse_payload


@pytest.mark.parametrize(
    ("rel", "state", "zone"),
    [
        ("nights/allegheny-2022/SD38", "PA", "America/New_York"),
        ("clarity/wapo-elex-clarity_ga_counties_11-3.xml", "GA", "America/New_York"),  # Region GA
        ("clarity/openelections-clarify_county.xml", "AR", "America/Chicago"),  # Region AR
        ("clarity/wapo-elex-clarity_hist_gwinnett_precincts_11-3.xml", "GA", "America/New_York"),
        ("nist/nist_v2_wy20g.xml", "WY", "America/Denver"),
        ("ga-sos/2023-05-16_HD68_special.json", "GA", "America/New_York"),
        ("nc-sbe/nc_2024-11-05_general_results_0_statewide.json", "NC", "America/New_York"),
        ("ap/newsdev-elex_20160301_super_tuesday.json", "MA", "America/New_York"),  # one statePostal
        ("ap/newsdev-elex_20121106_ak_prez.json", "AK", "America/Anchorage"),
    ],
)
def test_an_import_keeps_its_payloads_state_and_zone(
    shared_data: Path, tmp_path: Path, rel: str, state: str, zone: str
) -> None:
    night_path = tmp_path / "n.night"
    import_payloads([shared_data / rel], out=night_path)
    with NightFile.open(night_path, readonly=True) as night:
        assert night_state(night) == state
        assert str(night.timezone) == zone


def test_an_ap_file_of_several_states_keeps_none(shared_data: Path, tmp_path: Path) -> None:
    night_path = tmp_path / "me-fl.night"
    import_payloads([shared_data / "ap" / "newsdev-elex_20121106_me_fl_senate.json"], out=night_path)
    with NightFile.open(night_path, readonly=True) as night:
        assert night_state(night) == "" and str(night.timezone) == "UTC"


def test_payloads_of_two_states_keep_none(shared_data: Path, tmp_path: Path) -> None:
    files = [
        shared_data / "clarity" / "openelections-clarify_county.xml",  # Arkansas
        shared_data / "clarity" / "wapo-elex-clarity_wv_counties_11-3.xml",  # West Virginia
    ]
    night_path = tmp_path / "two.night"
    import_payloads(files, out=night_path)
    with NightFile.open(night_path, readonly=True) as night:
        assert night.meta.get("state", "") == ""
        assert str(night.timezone) == "UTC"


def test_allegheny_served_as_clarity_is_pennsylvanias_with_its_rule(
    shared_data: Path, tmp_path: Path
) -> None:
    night_path = tmp_path / "sd38.night"
    import_payloads([shared_data / "nights" / "allegheny-2022" / "SD38"], out=night_path)
    with NightFile.open(night_path, readonly=True) as night:
        last = night.versions()[-1]
        final = parse_payload(night.payload(last.payload_id), "auto", source=last.url)
    assert final.contests[0].threshold.rule == "plurality"
    with FeedServer(night_path, fmt="clarity", speed=1000) as server:
        assert "/PA/" in server.url and "/GA/" not in server.url


def test_names_for_files_that_are_not_all_json_are_refused_in_one_sentence(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`import colorado.xml --names wyoming.xml` wrote a night and said nothing of --names."""
    from tracker.cli import main

    code = main(
        [
            "import",
            str(shared_data / "clarity" / "co_2020_general_statewide_detail_20201123.xml"),
            "--names",
            str(shared_data / "clarity" / "napervillpol-ga2022_detail.xml"),
            "-o",
            str(tmp_path / "co.night"),
        ]
    )
    assert code == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert "--names names the races of Clarity ALL.json files" in line
    assert not (tmp_path / "co.night").exists()
