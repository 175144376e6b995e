"""Mutation fuzzing of every result parser, at volume: ``python -m benchmarks fuzz [N]``.

Hypothesis (in the tests) explores *shapes*; this explores *volume*: a plain loop of deterministic
mutations of real payloads from ../shared/data, fast enough for 100,000 inputs per parser. Every
input is derived from ``(seed, target, index)`` alone, so a failure is reproduced with
:func:`mutated_input` and nothing else.

Mutations (one to three stacked): bit flips, bytes overwritten with syntax characters, truncation,
a range deleted or duplicated, a splice from another real payload (of any format), an inserted
token from the format's hostile dictionary (XML entities, DTDs, character references, encodings;
JSON ``NaN``/``1e999``/lone surrogates/5,000-digit integers/deep nesting), and a number or string
in the document replaced by a hostile value (so much of the input stays well-formed and the
parser's own checks, not only the decoder, are exercised). Zip targets also get their central
directory rewritten: member names (``../``, absolute, backslashes, NUL), sizes, methods and flags.

The contract checked: a parser returns a Snapshot or raises ``FeedError``; anything else that
escapes is a bug, and so is a hang. Each target runs in a child process (spawned, so nothing from
the caller — Qt in a test session — is inherited) that publishes the index it is working on; the
parent kills it when that index stays the same for ``hang_seconds`` and reports the input. The
child also reports its slowest input.

The test suite (``tests/test_fuzz_mutations.py``, slow-marked) runs a reduced count; this script
runs the full 100,000 per parser and prints inputs/s against a baseline measured in the same run
(parsing the unmutated seeds).
"""

from __future__ import annotations

import multiprocessing as mp
import random
import re
import struct
import sys
import time
import traceback
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from io import BytesIO
from pathlib import Path

#: Real payloads (paths under ../shared/data) each parser is fuzzed from: small ones, so the loop
#: is fast, and more than one where the format varies (precinct and county files, v2 shapes).
SEEDS: dict[str, tuple[str, ...]] = {
    "clarity-detail-xml": (
        "clarity/wapo-elex-clarity_hist_atkinson_precincts_2020-11-03_GA_G_P.xml",
        "clarity/openelections-clarify_precinct.xml",
    ),
    "clarity-detail-zip": ("clarity/wapo-elex-clarity_hist_atkinson_precincts_2020-11-03_GA_G_P.xml",),
    "clarity-summary-json": ("clarity/wapo-elex-clarity_GA_105369_v271066_summary.json",),
    "clarity-all-json": (
        "recordings/clarity-GA-107556-2021-01-05-runoff_ALLjson/"
        "20210105T224741Z_ver273729_d5fc057799_ALL.json",
    ),
    "ga-sos-json": ("ga06-2017-06-20/export-2017JunSpecRun.json",),
    "ap-v2": ("ap/newsdev-elex_20121106_ak_prez.json", "ap/newsdev-elex_20160201_district_results.json"),
    "ap-v3": ("tests/data/constructed_ap_v3_live.json", "tests/data/constructed_ap_v3_votetypes.json"),
    "enhanced-voting-json": ("tests/data/constructed_enhanced_voting_data.json",),
    "tracker-feed/1": ("ga06-2017-06-20/export-2017JunSpecRun.json",),
    "nc-sbe": (
        "nc-sbe/nc_2024-11-05_general_results_0_statewide.json",
        "tests/data/nc_results_pct_20181106_excerpt.txt",
    ),
    "nist-v2-xml": ("nist/nist_v2_wy20g.xml",),
    "nist-v2-json": ("nist/nist_v2_wy20g.xml",),
    "nyt-timeseries-csv": ("tests/data/nyt_timeseries_nc_2020_camden_excerpt.csv",),
    "precinct-totals-csv": ("nights/allegheny-2022/HD30/2022-11-08T21-09-22-05-00.csv",),
}
TARGETS = tuple(SEEDS)

XML_TOKENS = (
    b"&xxe;",
    b'<!DOCTYPE ElectionResult [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    b'<!DOCTYPE ElectionResult SYSTEM "http://127.0.0.1:9/evil.dtd">',
    b'<!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    b'<!ENTITY % p SYSTEM "http://127.0.0.1:9/p">%p;',
    b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd"/>',
    b"&#0;",
    b"&#x110000;",
    b"&#xD800;",
    b"&amp;",
    b"<![CDATA[x]]>",
    b"<?xml version='1.0' encoding='UTF-16'?>",
    b"<?xml version='1.0' encoding='EBCDIC'?>",
    b"<?php ?>",
    b"<!-- -->",
    b' votes="-1"',
    b' votes="99999999999999999999999999"',
    b' totalVotes="1e309"',
    b' precinctsReported="9" totalVoters="-5"',
    b"<Contest/>",
    b"<Choice/>",
    b"<VoteType/>",
    b'<Precinct name="" votes=""/>',
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\x00",
)
JSON_TOKENS = (
    b"NaN",
    b"Infinity",
    b"-Infinity",
    b"1e309",
    b"-1",
    b"-0",
    b"0.5",
    b"null",
    b"true",
    b"[]",
    b"{}",
    b'""',
    b'"\\ud800"',
    b'"\\u0000"',
    b"9" * 5000,
    b"[" * 5000,
    b"{" * 2000,
    b'{"a":' * 2000,
    b'"x":1,',
    b",",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\x00",
)
HOSTILE_NUMBERS = (
    b"-1",
    b"0",
    b"-0",
    b"1e309",
    b"1.5",
    b"NaN",
    b"99999999999999999999999999",
    b"9" * 5000,
    b'"12"',
    b"null",
    b"true",
    b"[]",
    b"{}",
)
HOSTILE_TEXT = (
    b"",
    b" ",
    b"\\u0000",
    b"\\ud800",
    b"../../etc/passwd",
    b"&xxe;",
    b"x" * 10_000,
    b"\xe2\x80\xae",
    b"\xff",
)
SYNTAX = b'<>/="{}[],:-.0123456789 \n\t\\&;!?'
_NUMBER = re.compile(rb"-?[0-9][0-9.eE+-]*")
_STRING = re.compile(rb'"[^"\\\n]{0,40}"')
_STRUCTURAL = re.compile(rb"[<:,\[]")


def _spans(pattern: re.Pattern[bytes], data: bytes | bytearray, limit: int) -> list[tuple[int, int]]:
    """Where ``pattern`` matches in the first ``limit`` bytes (the spots op 7-9 pick from)."""
    return [m.span() for m in pattern.finditer(data[:limit])]


@cache
def _seed_spans(pattern: re.Pattern[bytes], seed: bytes, limit: int) -> list[tuple[int, int]]:
    """:func:`_spans` of an unmutated seed, computed once per process. Scanning a 37 KB payload for
    every number was most of a mutation's cost, and the first of an input's stacked mutations
    always works on the unmutated seed; the spans are the same, so every input keeps its bytes."""
    return _spans(pattern, seed, limit)


@dataclass(frozen=True)
class Failure:
    target: str
    seed: int
    index: int
    kind: str  # exception type name, or "hang"
    message: str
    where: str = ""

    def describe(self) -> str:
        return (
            f"{self.target} input #{self.index} (seed {self.seed}): {self.kind}: {self.message[:300]}"
            f"{' at ' + self.where if self.where else ''}; reproduce with "
            f"benchmarks.fuzz.mutated_input({self.target!r}, {self.seed}, {self.index})"
        )


@dataclass
class Result:
    target: str
    inputs: int = 0
    parsed: int = 0  # returned a Snapshot
    refused: int = 0  # raised FeedError
    seconds: float = 0.0
    slowest_seconds: float = 0.0
    slowest_index: int = -1
    failures: list[Failure] = field(default_factory=list)


def _data_dir() -> Path:
    from tracker import paths

    path = paths.shared_data_dir()
    if path is None:
        raise FileNotFoundError("shared data folder not found (../shared/data or TRACKER_SHARED_DATA)")
    return path


@cache
def seeds(target: str) -> tuple[bytes, ...]:
    """The real payloads ``target`` is fuzzed from (its own format's bytes)."""
    out = []
    if target.startswith("selftest-"):
        return (b"<ElectionResult/>", b'{"format": "tracker-feed/1"}')
    for rel in SEEDS[target]:
        if rel.startswith("tests/"):
            data = (Path(__file__).resolve().parents[1] / rel).read_bytes()
        else:
            data = (_data_dir() / rel).read_bytes()
        if target == "clarity-detail-zip":
            data = _zipped(data)
        elif target == "tracker-feed/1":
            data = _as_native(data)
        elif target in ("clarity-summary-json", "clarity-all-json"):
            data = _first_contests(data, 6)
        elif target == "nc-sbe" and data.lstrip().startswith(b"["):
            data = _first_contests(data, 40)  # the first 40 real records (the file has 738)
        elif target.startswith("nist-"):
            data = _nist_trimmed(data, json_form=target == "nist-v2-json")
        out.append(data)
        if target == "nc-sbe" and rel.endswith(".txt"):  # the Board's precinct ZIP around it too
            out.append(_zipped(data, "results_pct_20181106.txt"))
    return tuple(out)


def _zipped(xml: bytes, member: str = "detail.xml") -> bytes:
    """A real detail.xml in a zip as Clarity serves it (the real 29.6 KB zip holds 300 KB of XML,
    too slow for 100,000 rounds; the same structure around a 6 KB real file is not).

    The member's date is fixed: ``writestr`` with a name stamps the clock's time, which made every
    input that holds a zip (or a splice of one) differ from run to run, so a reported input could
    not be reproduced from its seed and index."""
    buf = BytesIO()
    info = zipfile.ZipInfo(member, date_time=(2020, 11, 3, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16  # as writestr gives a member named by a string
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(info, xml)
    return buf.getvalue()


def _first_contests(data: bytes, n: int) -> bytes:
    """The first ``n`` real rows of a summary.json (contests; the file is 166 KB) or of an
    ALL.json's ``Contests`` (areas), so a round is fast."""
    import json

    doc = json.loads(data)
    if isinstance(doc, dict):
        doc["Contests"] = doc["Contests"][:n]
    else:
        doc = doc[:n]
    return json.dumps(doc).encode()


def _nist_trimmed(data: bytes, *, json_form: bool) -> bytes:
    """Wyoming's real NIST report cut to its first two contests (President, Senate) (548 KB is too slow for
    100,000 rounds); the JSON target gets the same report written in the JSON form by our writer
    (no real NIST JSON export is public; the counts are Wyoming's)."""
    from lxml import etree

    from tracker.feeds.nist import NS

    root = etree.fromstring(data)
    election = root.find(f"{{{NS}}}Election")
    for contest in election.findall(f"{{{NS}}}Contest")[2:]:
        election.remove(contest)
    used = {t for e in election.iter(f"{{{NS}}}CandidateIds") for t in (e.text or "").split()}
    for cand in election.findall(f"{{{NS}}}Candidate"):
        if cand.get("ObjectId") not in used:
            election.remove(cand)
    for unit in root.findall(f"{{{NS}}}GpUnit"):  # the state-house and -senate districts: unused
        if unit.findtext(f"{{{NS}}}Type") in ("state-house", "state-senate"):
            root.remove(unit)
    xml = etree.tostring(root)
    if not json_form:
        return xml
    import json

    from tracker.feeds.nist import parse_nist
    from tracker.feeds.nist_writer import snapshot_to_nist

    compact = json.loads(snapshot_to_nist(parse_nist(xml), form="json"))
    return json.dumps(compact, ensure_ascii=False, separators=(",", ":")).encode()


def _as_native(data: bytes) -> bytes:
    """A real Georgia SOS payload written as ``tracker-feed/1`` (the native format has no real
    third-party payloads; this one carries real counts)."""
    from tracker.feeds.native import dump_native
    from tracker.feeds.registry import parse_payload

    return dump_native(parse_payload(data))


def _selftest_parser(target: str) -> Callable[[bytes], object]:
    """Parsers that break the contract on purpose, so a test can show the watchdog catches them."""

    def parse(data: bytes) -> object:
        if len(data) % 7 == 3:
            if target == "selftest-hang":
                while True:
                    time.sleep(1)
            raise KeyError("selftest")
        from tracker.core.errors import FeedError

        raise FeedError("selftest refusal")

    return parse


@cache
def parser(target: str) -> Callable[[bytes], object]:
    from tracker.feeds.registry import parse_payload

    if target.startswith("selftest-"):
        return _selftest_parser(target)

    if target == "clarity-all-json":
        from tracker.feeds.clarity_json import parse_all_json

        return parse_all_json
    return lambda data: parse_payload(data, target, source="fuzz")


def _zip_mutation(rng: random.Random, data: bytearray) -> None:
    """Rewrite one field of a central-directory or local header in place."""
    heads = [m.start() for m in re.finditer(rb"PK\x01\x02|PK\x03\x04", data)]
    if not heads:
        return
    at = rng.choice(heads)
    central = data[at + 2 : at + 4] == b"\x01\x02"
    # (offset, struct format) of flags, method, crc, compressed size, size, name length
    fields = (
        [(8, "<H"), (10, "<H"), (16, "<I"), (20, "<I"), (24, "<I"), (28, "<H")]
        if central
        else [(6, "<H"), (8, "<H"), (14, "<I"), (18, "<I"), (22, "<I"), (26, "<H")]
    )
    choice = rng.randrange(len(fields) + 1)
    if choice == len(fields):  # the member's name
        name_at = at + (46 if central else 30)
        if name_at > len(data):  # a header cut short by an earlier mutation: nothing to rename
            return
        (length,) = struct.unpack_from("<H", data, at + (28 if central else 26))
        new = rng.choice(
            [b"../detail.xml", b"/etc/detail.xml", b"a\\..\\detail.xml", b"detail.xml\x00.txt", b"DETAIL.XML"]
        )
        data[name_at : name_at + length] = new
        struct.pack_into("<H", data, at + (28 if central else 26), len(new))
        return
    offset, fmt = fields[choice]
    if at + offset + struct.calcsize(fmt) > len(data):
        return
    limit = 0xFFFF if fmt == "<H" else 0xFFFFFFFF
    value = rng.choice([0, 1, 8, 12, 14, 99, limit, rng.randrange(limit + 1)])
    struct.pack_into(fmt, data, at + offset, value)


def _mutate_once(rng: random.Random, data: bytearray, target: str, pristine: bytes | None = None) -> None:
    """One mutation of ``data`` in place; ``pristine`` is the seed ``data`` still equals, if it does."""

    def spans(pattern: re.Pattern[bytes], limit: int) -> list[tuple[int, int]]:
        return _spans(pattern, data, limit) if pristine is None else _seed_spans(pattern, pristine, limit)

    n = len(data)
    op = rng.randrange(10 if target != "clarity-detail-zip" else 11)
    i = rng.randrange(n + 1) if n else 0
    if op == 0:  # bit flips
        for _ in range(rng.randint(1, 8)):
            if data:
                j = rng.randrange(len(data))
                data[j] ^= 1 << rng.randrange(8)
    elif op == 1:  # syntax characters
        for _ in range(rng.randint(1, 4)):
            if data:
                data[rng.randrange(len(data))] = rng.choice(SYNTAX)
    elif op == 2:  # truncate
        del data[i:]
    elif op == 3:  # delete a range
        del data[i : i + rng.choice([1, 2, 8, 64, 512, 4096])]
    elif op == 4:  # duplicate a range
        j = rng.randrange(n + 1) if n else 0
        data[j:j] = data[i : i + rng.choice([1, 8, 64, 512, 4096])]
    elif op == 5:  # splice from another real payload, of any format
        other = rng.choice(seeds(rng.choice(TARGETS)))
        k = rng.randrange(len(other))
        data[i : i + rng.randrange(256)] = other[k : k + rng.randrange(1, 1024)]
    elif op in (6, 7):  # a token from the format's hostile dictionary
        tokens = (
            XML_TOKENS
            if target in ("clarity-detail-xml", "clarity-detail-zip", "nist-v2-xml")
            else JSON_TOKENS
        )
        if op == 7:  # at a structural place: after a tag start, or after a colon/comma
            spots = spans(_STRUCTURAL, 20000)
            i = rng.choice(spots)[1] if spots else i
        data[i:i] = rng.choice(tokens)
    elif op == 8:  # a number replaced by a hostile value (the document stays mostly well-formed)
        numbers = spans(_NUMBER, 50000)
        if numbers:
            a, b = rng.choice(numbers)
            data[a:b] = rng.choice(HOSTILE_NUMBERS)
    elif op == 9:  # a string replaced by a hostile one
        strings = spans(_STRING, 50000)
        if strings:
            a, b = rng.choice(strings)
            data[a + 1 : b - 1] = rng.choice(HOSTILE_TEXT)
    else:
        _zip_mutation(rng, data)


def mutated_input(target: str, seed: int, index: int) -> bytes:
    """Input number ``index`` of a run with ``seed``: the same bytes on every machine and run."""
    rng = random.Random(f"{seed}:{target}:{index}")
    if target == "clarity-detail-zip" and rng.random() < 0.5:
        # Half the zip inputs mutate the XML inside a well-formed archive (CRC and sizes right),
        # so the XML parser behind the zip is reached too.
        seed_xml = rng.choice(seeds("clarity-detail-xml"))
        xml = bytearray(seed_xml)
        for k in range(rng.randint(1, 3)):
            _mutate_once(rng, xml, "clarity-detail-xml", seed_xml if k == 0 else None)
        data = bytearray(_zipped(bytes(xml)))
        if rng.random() < 0.5:
            _mutate_once(rng, data, target)
        return bytes(data)
    seed_data = rng.choice(seeds(target))
    data = bytearray(seed_data)
    for k in range(rng.choice((1, 1, 1, 2, 3))):
        _mutate_once(rng, data, target, seed_data if k == 0 else None)
    return bytes(data)


def _where(exc: BaseException) -> str:
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if "tracker" in f.filename] or frames
    if not ours:
        return ""
    last = ours[-1]
    return f"{Path(last.filename).name}:{last.lineno}"


def _work(target: str, seed: int, start: int, count: int, progress: object, out: object) -> None:
    """The child: parse inputs ``start``..``start+count``; publish each index before parsing it."""
    from tracker.core.errors import FeedError

    result = Result(target)
    parse = parser(target)
    seeds(target)
    t0 = time.perf_counter()
    for index in range(start, start + count):
        data = mutated_input(target, seed, index)
        progress.value = index  # type: ignore[attr-defined]
        t = time.perf_counter()
        try:
            parse(data)
            result.parsed += 1
        except FeedError as exc:
            result.refused += 1
            text = str(exc)
            if (not text.strip() or "\n" in text) and len(result.failures) < 20:
                result.failures.append(
                    Failure(target, seed, index, "FeedError", f"not one line: {text!r}", _where(exc))
                )
        except Exception as exc:  # the point: anything else escaping is a finding
            if len(result.failures) < 20:
                result.failures.append(
                    Failure(target, seed, index, type(exc).__name__, str(exc), _where(exc))
                )
        dt_ = time.perf_counter() - t
        if dt_ > result.slowest_seconds:
            result.slowest_seconds, result.slowest_index = dt_, index
        result.inputs += 1
    result.seconds = time.perf_counter() - t0
    out.send(result)  # type: ignore[attr-defined]


def fuzz_targets(
    targets: Sequence[str],
    count: int,
    *,
    seed: int = 0,
    hang_seconds: float = 20.0,
    processes: int = 2,
) -> list[Result]:
    """Fuzz each target with ``count`` inputs, ``processes`` targets at a time, each in a spawned
    child watched for hangs. Returns one Result per target, in order."""
    ctx = mp.get_context("spawn")
    pending = list(targets)
    running: dict[str, tuple[mp.process.BaseProcess, object, object, list[float]]] = {}
    results: dict[str, Result] = {}
    while pending or running:
        while pending and len(running) < processes:
            target = pending.pop(0)
            progress = ctx.Value("q", -1, lock=False)
            receive, send = ctx.Pipe(duplex=False)
            proc = ctx.Process(target=_work, args=(target, seed, 0, count, progress, send), daemon=True)
            proc.start()
            send.close()
            running[target] = (proc, progress, receive, [time.monotonic(), -1.0, time.monotonic()])
        time.sleep(0.2)
        for target, (proc, progress, receive, watch) in list(running.items()):
            started, last_index, last_change = watch
            if receive.poll():  # type: ignore[attr-defined]
                results[target] = receive.recv()  # type: ignore[attr-defined]
                proc.join(10)
                del running[target]
                continue
            index = progress.value  # type: ignore[attr-defined]
            now = time.monotonic()
            if index != last_index:
                watch[1], watch[2] = index, now
            elif now - last_change > hang_seconds or not proc.is_alive():
                alive = proc.is_alive()
                proc.kill()
                proc.join(10)
                kind = "hang" if alive else f"child died (exit {proc.exitcode})"
                message = (
                    f"no progress for {hang_seconds:g} s" if alive else "the process ended without a result"
                )
                results[target] = Result(
                    target,
                    inputs=max(index, 0),
                    seconds=now - started,
                    failures=[Failure(target, seed, max(index, 0), kind, message)],
                )
                del running[target]
    return [results[t] for t in targets]


def _baseline_rate(target: str, seconds: float = 1.0) -> float:
    """Unmutated seeds parsed per second (the same parser on the real bytes)."""
    parse = parser(target)
    data = seeds(target)
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        parse(data[n % len(data)])
        n += 1
    return n / (time.perf_counter() - t0)


def main(argv: Sequence[str] | None = None) -> None:
    from benchmarks.common import print_table

    args = [a for a in (sys.argv[1:] if argv is None else argv) if a.isdigit()]
    count = int(args[0]) if args else 100_000
    t0 = time.perf_counter()
    results = fuzz_targets(TARGETS, count)
    wall = time.perf_counter() - t0
    rows = []
    for r in results:
        rate = r.inputs / r.seconds if r.seconds else 0.0
        base = _baseline_rate(r.target)
        rows.append(
            [
                r.target,
                f"{r.inputs:,}",
                f"{r.parsed:,}",
                f"{r.refused:,}",
                len(r.failures),
                f"{r.seconds:.1f}",
                f"{rate:,.0f}",
                f"{base:,.0f}",
                f"{rate / base:.2f}" if base else "-",
                f"{r.slowest_seconds * 1000:.1f}",
            ]
        )
    print_table(
        f"Mutation fuzzing, {count:,} inputs per parser (2 parsers at a time; wall {wall:.0f} s)",
        [
            "parser",
            "inputs",
            "parsed",
            "FeedError",
            "other errors/hangs",
            "s",
            "inputs/s",
            "seeds/s (baseline)",
            "ratio",
            "slowest input ms",
        ],
        rows,
    )
    failures = [f for r in results for f in r.failures]
    for f in failures:
        print(f.describe())
    if failures:
        raise SystemExit(1)


if __name__ == "__main__":
    main(sys.argv[1:])
