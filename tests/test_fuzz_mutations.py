"""Mutation fuzzing of every result parser (the engine is ``benchmarks/fuzz.py``).

The slow test runs the issue's full 100,000 mutated real payloads per parser inside the suite, so
CI runs them (twelve parsers, two at a time: 233 s beside the rest of the suite on the shared
2-core machine, 7 Dec 2026; tests/conftest.py starts this file first so that the rest of the suite
runs beside it); ``python -m benchmarks fuzz`` runs the same engine and prints its table
(docs/reliability.md). The fast tests pin the
bugs the fuzzer found and show the watchdog itself can fail: a parser that hangs or raises
something else is reported, with the input.
"""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import pytest

from benchmarks import fuzz
from tracker.core.errors import FeedError
from tracker.feeds.clarity import parse_detail_xml
from tracker.feeds.clarity_zip import parse_detail_zip

SUITE_COUNT = 100_000
ATKINSON = "clarity/wapo-elex-clarity_hist_atkinson_precincts_2020-11-03_GA_G_P.xml"


def test_inputs_are_reproducible_from_seed_and_index(shared_data: Path) -> None:
    a = [fuzz.mutated_input("ap-v2", 7, i) for i in range(50)]
    assert a == [fuzz.mutated_input("ap-v2", 7, i) for i in range(50)]
    assert len(set(a)) > 40  # and they differ from each other
    assert all(m not in fuzz.seeds("ap-v2") for m in a[:10])


def test_every_registry_format_is_fuzzed() -> None:
    from tracker.feeds.registry import FORMATS

    assert set(fuzz.TARGETS) == set(FORMATS)


def test_the_seeds_are_real_payloads_that_parse(shared_data: Path) -> None:
    for target in fuzz.TARGETS:
        for data in fuzz.seeds(target):
            fuzz.parser(target)(data)  # no FeedError on the unmutated bytes


@pytest.mark.parametrize(("target", "kind"), [("selftest-hang", "hang"), ("selftest-error", "KeyError")])
def test_the_watchdog_reports_a_hang_or_a_foreign_exception_with_its_input(
    shared_data: Path, target: str, kind: str
) -> None:
    (result,) = fuzz.fuzz_targets([target], 200, hang_seconds=3, processes=1)
    assert result.failures, "a parser that breaks the contract must be reported"
    failure = result.failures[0]
    assert failure.kind == kind
    data = fuzz.mutated_input(target, failure.seed, failure.index)
    assert len(data) % 7 == 3  # the reported input is the one that triggers it
    assert "reproduce with" in failure.describe()


# --- what the fuzzer found (fixed) ---------------------------------------------------------------


def test_xml_error_with_a_nul_character_is_one_line(shared_data: Path) -> None:
    data = (shared_data / ATKINSON).read_bytes()
    broken = data[:500] + b"\x00" + data[500:]
    with pytest.raises(FeedError) as info:
        parse_detail_xml(broken)
    assert "\n" not in str(info.value) and "line" in str(info.value)


def test_a_5000_digit_vote_count_is_a_feed_error(shared_data: Path) -> None:
    data = (shared_data / ATKINSON).read_bytes()
    at = data.index(b'votes="', data.index(b"<Choice")) + len(b'votes="')
    end = data.index(b'"', at)
    with pytest.raises(FeedError, match="digits"):
        parse_detail_xml(data[:at] + b"9" * 5000 + data[end:])


def test_a_zip_asking_for_an_unknown_zip_version_is_a_feed_error(shared_data: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("detail.xml", (shared_data / ATKINSON).read_bytes())
    data = bytearray(buf.getvalue())
    central = data.index(b"PK\x01\x02")
    struct.pack_into("<H", data, central + 6, 92)  # "version needed to extract": 9.2
    with pytest.raises(FeedError, match="zip"):
        parse_detail_zip(bytes(data))


# --- the volume run -----------------------------------------------------------------------------


@pytest.mark.slow
def test_mutated_real_payloads_only_raise_feed_error_and_never_hang(shared_data: Path) -> None:
    results = fuzz.fuzz_targets(fuzz.TARGETS, SUITE_COUNT, seed=20260418)
    failures = [f.describe() for r in results for f in r.failures]
    assert not failures, "\n".join(failures)
    for r in results:
        assert r.inputs == SUITE_COUNT, r
        assert r.refused > 0  # the mutations do break documents
        assert r.parsed > 0  # and some stay readable, so the parsers' own checks are reached too
