"""Hostile XML and hostile archives, as a feed could serve them: refused, without reading a local
file, without a network request, without inflating a bomb, without writing anything.

The XML attacks are real, complete documents (a valid-looking Clarity ``ElectionResult`` around
the attack); the archives wrap the real Atkinson County detail XML (../shared/data) unless the
attack needs other content. Every attack also goes in through the registry (format detection,
``parse_payload``), the path a recorded payload takes.
"""

from __future__ import annotations

import http.server
import io
import os
import struct
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tracker.core.errors import FeedError
from tracker.feeds.clarity import parse_detail_xml
from tracker.feeds.clarity_zip import MAX_MEMBERS, parse_detail_zip, read_detail_zip
from tracker.feeds.registry import parse_payload

ATKINSON = "clarity/wapo-elex-clarity_hist_atkinson_precincts_2020-11-03_GA_G_P.xml"
HEAD = b'<?xml version="1.0" encoding="utf-8"?>\n'
BODY = (
    b"<ElectionResult><Timestamp>11/3/2020 11:00:00 PM EST</Timestamp>"
    b"<ElectionName>%s</ElectionName><ElectionDate>11/3/2020</ElectionDate><Region>GA</Region>"
    b'<Contest key="1" text="%s" voteFor="1"><Choice key="1" text="A" totalVotes="1">'
    b'<VoteType name="Election Day" votes="1"><Precinct name="P" votes="1"/></VoteType>'
    b"</Choice></Contest></ElectionResult>"
)


class _Recorder(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.hits.append(self.path)  # type: ignore[attr-defined]
        body = b'<!ENTITY leak "FETCHED-OVER-THE-NETWORK">'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[http.server.HTTPServer]:
    """A loopback server that records every request: any hit means a document made us fetch."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    server.hits = []  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def secret(tmp_path: Path) -> tuple[Path, str]:
    token = "SECRET-" + os.urandom(8).hex()
    path = tmp_path / "secret.txt"
    path.write_text(token)
    return path, token


def _attacks(secret_uri: str, url: str) -> dict[str, bytes]:
    def doc(dtd: bytes, name: bytes = b"x", text: bytes = b"y") -> bytes:
        return HEAD + dtd + BODY % (name, text)

    laughs = b"".join(
        b'<!ENTITY l%d "%s">' % (i, b"&l%d;" % (i - 1) * 10 if i else b"lol") for i in range(10)
    )
    big = b"A" * 100_000
    return {
        "external entity (file)": doc(
            b'<!DOCTYPE ElectionResult [<!ENTITY x SYSTEM "%s">]>' % secret_uri.encode(), b"&x;", b"&x;"
        ),
        "external entity (http)": doc(
            b'<!DOCTYPE ElectionResult [<!ENTITY x SYSTEM "%s/entity">]>' % url.encode(), b"&x;"
        ),
        "external DTD": doc(b'<!DOCTYPE ElectionResult SYSTEM "%s/evil.dtd">' % url.encode(), b"&leak;"),
        "public DTD": doc(b'<!DOCTYPE ElectionResult PUBLIC "-//X//Y" "%s/public.dtd">' % url.encode()),
        "parameter entity": doc(
            b'<!DOCTYPE ElectionResult [<!ENTITY %% p SYSTEM "%s/param">%%p;]>' % url.encode(), b"&leak;"
        ),
        "billion laughs": doc(b"<!DOCTYPE ElectionResult [" + laughs + b"]>", b"&l9;"),
        "quadratic blowup": doc(b'<!DOCTYPE ElectionResult [<!ENTITY a "' + big + b'">]>', b"&a;" * 10_000),
        "XInclude": HEAD
        + (BODY % (b"x", b"y")).replace(
            b"<Region>GA</Region>",
            b'<Region><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="%s"/></Region>'
            % secret_uri.encode(),
        ),
        "schema location": HEAD
        + (BODY % (b"x", b"y")).replace(
            b"<ElectionResult>",
            b'<ElectionResult xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            b'xsi:noNamespaceSchemaLocation="%s/schema.xsd">' % url.encode(),
        ),
    }


ATTACKS = list(_attacks("file:///x", "http://x"))


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize("wrapped", ["xml", "zip", "auto"])
def test_hostile_xml_reads_no_file_fetches_nothing_and_expands_nothing(
    attack: str, wrapped: str, listener: http.server.HTTPServer, secret: tuple[Path, str]
) -> None:
    path, token = secret
    url = f"http://127.0.0.1:{listener.server_address[1]}"
    data = _attacks(path.as_uri(), url)[attack]
    if wrapped == "zip":
        data = _zip({"detail.xml": data})
    try:
        if wrapped == "auto":
            snap = parse_payload(data, source="attack.xml")
        elif wrapped == "zip":
            snap = parse_detail_zip(data)
        else:
            snap = parse_detail_xml(data)
    except FeedError as exc:
        text = str(exc)
        assert token not in text and "FETCHED" not in text and "\n" not in text
    else:  # read without its attack (XInclude and schemaLocation are inert): nothing leaked in
        assert attack in ("XInclude", "schema location"), f"{attack} was accepted"
        shown = repr(snap)
        assert token not in shown and "FETCHED" not in shown
        assert len(shown) < 100_000  # no expansion
    assert listener.hits == []  # type: ignore[attr-defined]


def test_every_dtd_is_refused_even_a_harmless_one() -> None:
    with pytest.raises(FeedError, match="refusing XML with a DTD"):
        parse_detail_xml(HEAD + b"<!DOCTYPE ElectionResult []>" + BODY % (b"x", b"y"))


# --- archives -----------------------------------------------------------------------------------


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    return buf.getvalue()


def _symlink_zip(name: str, target: bytes, others: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for other, body in (others or {}).items():
            zf.writestr(other, body)
        info = zipfile.ZipInfo(name)
        info.create_system = 3  # unix
        info.external_attr = (0o120777 << 16) & 0xFFFF0000
        zf.writestr(info, target)
    return buf.getvalue()


def _nul_name_zip(inner: bytes) -> bytes:
    """A member stored as ``detail.xml\\0.exe``: tools that stop at the NUL see detail.xml."""
    data = bytearray(_zip({"detail.xml_.exe": inner}))
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        at = data.find(sig)
        start = at + (30 if sig == b"PK\x03\x04" else 46)
        assert data[start : start + 15] == b"detail.xml_.exe"
        data[start + 10] = 0
    return bytes(data)


@pytest.fixture(scope="module")
def inner(shared_data: Path) -> bytes:
    return (shared_data / ATKINSON).read_bytes()


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("../detail.xml", "climbs out"),
        ("GA/../../detail.xml", "climbs out"),
        ("..\\..\\detail.xml", "climbs out"),
        ("/etc/detail.xml", "absolute"),
        ("\\\\server\\share\\detail.xml", "absolute"),
        ("C:\\results\\detail.xml", "absolute"),
    ],
)
def test_hostile_member_names_refuse_the_archive(
    inner: bytes, name: str, why: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for data in (_zip({name: inner}), _zip({"detail.xml": inner, name: b"x"})):
        with pytest.raises(FeedError, match=why):
            read_detail_zip(data)
        with pytest.raises(FeedError, match="refusing the archive"):
            parse_payload(data, source="detailxml.zip")
    assert list(tmp_path.iterdir()) == []  # nothing was written anywhere near


def test_a_symlink_member_refuses_the_archive(inner: bytes) -> None:
    with pytest.raises(FeedError, match="symbolic link"):
        read_detail_zip(_symlink_zip("detail.xml", b"/etc/passwd"))
    with pytest.raises(FeedError, match="symbolic link"):
        read_detail_zip(_symlink_zip("GA/link", b"../../x", {"detail.xml": inner}))


def test_a_nul_in_a_member_name_refuses_the_archive(inner: bytes) -> None:
    data = _nul_name_zip(inner)
    assert zipfile.ZipFile(io.BytesIO(data)).namelist() == ["detail.xml"]  # what zipfile shows
    with pytest.raises(FeedError, match="NUL"):
        read_detail_zip(data)


def test_an_honest_archive_still_reads(inner: bytes) -> None:
    assert read_detail_zip(_zip({"detail.xml": inner})) == inner
    assert read_detail_zip(_zip({"GA/107556/detail.xml": inner, "summary.json": b"[]"})) == inner


def test_zip_bombs_are_refused_before_or_while_inflating(inner: bytes) -> None:
    zeros = 64 * 1024 * 1024
    bomb = _zip({"detail.xml": b"\0" * zeros})  # 64 MB of zeros in ~64 KB: ratio ~1000
    assert len(bomb) < zeros // 500
    with pytest.raises(FeedError, match="zip bomb"):
        read_detail_zip(bomb)
    many = _zip({f"part{i}.txt": b"x" for i in range(MAX_MEMBERS + 1)} | {"detail.xml": inner})
    with pytest.raises(FeedError, match="entries"):
        read_detail_zip(many)
    # a central directory that declares 4 GB for a member
    declared = bytearray(_zip({"detail.xml": inner, "big.bin": b"y" * 100}))
    central = declared.find(b"big.bin", declared.find(b"PK\x01\x02")) - 46
    assert declared[central : central + 4] == b"PK\x01\x02"
    struct.pack_into("<I", declared, central + 24, 0xFFFFFFFF)
    with pytest.raises(FeedError, match="declares over"):
        read_detail_zip(bytes(declared))
    # a zip inside the zip is not XML, and is not opened
    with pytest.raises(FeedError):
        parse_detail_zip(_zip({"detail.xml": bomb}))
