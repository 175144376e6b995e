"""Format detection and dispatch over every real payload in ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracker.core.errors import FeedError
from tracker.core.model import Snapshot
from tracker.feeds import registry

#: Every real file by its detected format (file name → format), from PROVENANCE's descriptions.
EXPECTED = {
    "clarity/napervillpol-ga2022_detail.xml": registry.CLARITY_DETAIL_XML,
    "clarity/napervillpol-ga2022_detailxml.zip": registry.CLARITY_DETAIL_ZIP,
    "clarity/wapo-elex-clarity_GA_105369_v271066_summary.json": registry.CLARITY_SUMMARY_JSON,
    "clarity/wapo-elex-clarity_GA_105369_v271927_electionsettings.json": registry.CLARITY_ELECTIONSETTINGS,
    "clarity/wapo-elex-clarity_GA_105369_current_ver_271066.txt": registry.CLARITY_CURRENT_VER,
    "ga06-2017-04-18/export-2017AprSpec.json": registry.GA_SOS_JSON,
    "ga06-2017-06-20/export-2017JunSpecRun.json": registry.GA_SOS_JSON,
    "ap/newsdev-elex_20160301_super_tuesday.json": registry.AP_V2,
    "recordings/clarity-GA-107556-2021-01-05-runoff_ALLjson/20210119T004017Z_ver275237_875c8ccd30_ALL.json": (
        registry.CLARITY_ALL_JSON
    ),
    "nc-sbe/nc_2024-11-05_general_results_0_statewide.json": registry.NC_SBE,
    "nist/nist_v2_wy20g.xml": registry.NIST_XML,
}


@pytest.mark.parametrize("rel", sorted(EXPECTED))
def test_detection_from_content_alone(rel: str, shared_data: Path) -> None:
    data = (shared_data / rel).read_bytes()
    assert registry.detect_format(data) == EXPECTED[rel]  # no file name needed
    assert registry.detect_format(data, "misleading.xml") == EXPECTED[rel]  # content wins
    fmt = EXPECTED[rel]
    if fmt in registry.FORMATS:
        assert isinstance(registry.parse_payload(data), Snapshot)
    else:
        assert fmt in registry.METADATA_FORMATS
        registry.parse_metadata(data)
        with pytest.raises(FeedError, match="holds no results"):
            registry.parse_payload(data)


def test_every_real_file_is_detected_or_refused_in_one_sentence(shared_data: Path) -> None:
    files = [p for p in shared_data.rglob("*") if p.is_file() and p.name != "PROVENANCE.md"]
    assert len(files) > 180
    for path in files:
        data = path.read_bytes()
        try:
            fmt = registry.detect_format(data, path.name)
        except FeedError as exc:
            # Results files of formats we do not read (CSV, compressed CSV nights, JS) and the
            # data folder's own notes may be refused, but only in one sentence.
            assert "\n" not in str(exc) and path.suffix in (".csv", ".gz", ".js", ".json", ".md"), path
            continue
        assert fmt in registry.ALL_FORMATS
        try:
            result = (
                registry.parse_payload(data, fmt, source=str(path))
                if fmt in registry.FORMATS
                else registry.parse_metadata(data, fmt)
            )
        except FeedError as exc:
            assert "\n" not in str(exc)
            continue
        assert result is not None


def test_format_lists() -> None:
    assert registry.FORMATS[:2] == (registry.CLARITY_DETAIL_XML, registry.NATIVE)  # night files name these
    assert set(registry.FORMATS).isdisjoint(registry.METADATA_FORMATS)
    assert registry.ALL_FORMATS == registry.FORMATS + registry.METADATA_FORMATS
    for fmt in registry.FORMATS:
        with pytest.raises(FeedError):
            registry.parse_payload(b"", fmt)
    with pytest.raises(FeedError, match="unknown format 'nope'"):
        registry.parse_payload(b"{}", "nope")
    with pytest.raises(FeedError, match="holds results"):
        registry.parse_metadata(b"{}", registry.AP_V2)


@pytest.mark.parametrize(
    ("payload", "match"),
    [
        (b"", "is empty"),
        (b"<!DOCTYPE html><html><body>404</body></html>", "HTML page"),
        (b"module.exports = {}", "JavaScript"),
        (b"col1,col2\n1,2\n", "cannot tell the format"),
        (b'{"some": "json"}', "cannot tell the format"),
    ],
)
def test_unknown_payloads_are_one_sentence(payload: bytes, match: str) -> None:
    with pytest.raises(FeedError, match=match) as err:
        registry.detect_format(payload, "thing.dat")
    assert "\n" not in str(err.value)


def test_file_name_breaks_ties(shared_data: Path) -> None:
    # Clarity's 404 page served as ALL.json: the name says which parser gives the clear message.
    page = next(
        p
        for p in (shared_data / "recordings/clarity-GA-107556-2021-01-05-runoff_ALLjson").iterdir()
        if p.stat().st_size == 2616
    ).read_bytes()
    assert registry.detect_format(page, "ALL.json") == registry.CLARITY_ALL_JSON
    with pytest.raises(FeedError, match="404"):
        registry.parse_payload(
            page, source="https://results.enr.clarityelections.com/GA/107556/274503/json/ALL.json"
        )
    with pytest.raises(FeedError, match="HTML page"):
        registry.detect_format(page, "")


@settings(max_examples=300, deadline=None)
@given(
    st.binary(max_size=300),
    st.sampled_from(["", "ALL.json", "summary.json", "detailxml.zip", "x.xml", "current_ver.txt"]),
)
def test_fuzz_detect_and_parse_only_raise_feed_error(data: bytes, name: str) -> None:
    try:
        fmt = registry.detect_format(data, name)
        if fmt in registry.FORMATS:
            registry.parse_payload(data, fmt)
        else:
            registry.parse_metadata(data, fmt)
    except FeedError as exc:
        assert str(exc)
