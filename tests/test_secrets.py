"""The AP key never leaves the request: not in recordings (URLs, events, meta, payloads), the
store, exports (projection CSV), logs, or what the command line prints, errors and crashes included.

The commands run as a user runs them (subprocesses against ``serve --as ap`` on 127.0.0.1, with
their own ``TRACKER_HOME``) with a distinctive key, given in the URL and in ``$AP_API_KEY``; then
every byte they left behind is searched for it: every file (raw, and the night files' payloads
decompressed and every text column read back), stdout, stderr and the log records.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import urllib.parse
from pathlib import Path

import pytest
from fault_server import JUNE, SPEED, Fault, FaultyFeedServer, StepClock, wait_for
from loopback_ports import refused_port

from tracker.archive.night import NightFile

KEY = "K3y-7f3a9c1e-Distinctive-AP-Secret"
#: The forms a leak could take: as given, URL-quoted, and with its case folded.
FORMS = (KEY, urllib.parse.quote(KEY), KEY.lower())


def _leaks(data: bytes | str) -> list[str]:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return [form for form in FORMS if form in text or form in text.lower()]


def _night_texts(path: Path) -> str:
    """Everything a night file says once read back: meta, URLs, errors, versions, payloads."""
    parts: list[str] = []
    with NightFile.open(path) as night:
        parts += [f"{k}={v}" for k, v in night.meta.items()]
        parts += [night.label, night.note, *night.sources]
        for f in night.fetches():
            parts += [f.url, f.error or "", f.etag or "", f.last_modified or "", f.version or ""]
        for v in night.versions():
            parts.append(night.payload(v.payload_id).decode("utf-8", "replace"))
    return "\n".join(parts)


def _assert_nothing_leaked(folders: list[Path], *streams: str) -> int:
    """No form of the key in any file under ``folders`` (night files also read back) or stream."""
    checked = 0
    for folder in folders:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            assert not _leaks(path.read_bytes()), f"the key is in {path}"
            if path.suffix == ".night":
                assert not _leaks(_night_texts(path)), f"the key is in what {path} holds"
            checked += 1
    for stream in streams:
        assert not _leaks(stream), f"the key is in the output: {stream[-2000:]}"
    return checked


def _run(args: list[str], env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    home.mkdir()
    clean = {k: v for k, v in os.environ.items() if k != "AP_API_KEY"}
    return {**clean, "TRACKER_HOME": str(home), "PYTHONUNBUFFERED": "1"}


@pytest.mark.slow
def test_the_ap_key_is_in_no_recording_store_export_or_output_of_the_commands(
    tmp_path: Path, env: dict[str, str]
) -> None:
    serve = subprocess.Popen(
        [sys.executable, "-m", "tracker", "serve", str(JUNE), "--as", "ap", "--port", "0", "--speed", "1000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    outputs: list[str] = []
    try:
        assert serve.stdout is not None
        line = serve.stdout.readline()
        url = line.split(" at ", 1)[1].split(" ", 1)[0]
        assert "/v2/elections/" in url
        nights = tmp_path / "nights"
        nights.mkdir()
        # 1. the key in the URL, as AP documents it
        rec = _run(
            [
                "record",
                f"{url}?apiKey={KEY}&level=ru",
                "--interval",
                "0.05",
                "--max-polls",
                "8",
                "-o",
                str(nights / "url.night"),
            ],
            env,
        )
        assert rec.returncode == 0, rec.stderr
        assert "REDACTED" in rec.stdout or "apiKey" not in rec.stdout
        outputs += [rec.stdout, rec.stderr]
        # 2. the key in the environment
        rec = _run(
            [
                "record",
                url,
                "--kind",
                "ap",
                "--interval",
                "0.05",
                "--max-polls",
                "4",
                "-o",
                str(nights / "env.night"),
            ],
            {**env, "AP_API_KEY": KEY},
        )
        assert rec.returncode == 0, rec.stderr
        outputs += [rec.stdout, rec.stderr]
        # 3. exports: the projection log (store) and its CSV
        proj = _run(
            ["projections", str(nights / "url.night"), "--csv", str(tmp_path / "projections.csv")], env
        )
        assert proj.returncode == 0, proj.stderr
        outputs += [proj.stdout, proj.stderr]
        assert (tmp_path / "projections.csv").stat().st_size > 0
        # 4. errors: a URL that is no web address, and a server that is not there
        bad = _run(
            ["record", f"ftp://127.0.0.1/v2/elections?apiKey={KEY}", "-o", str(tmp_path / "x.night")], env
        )
        assert bad.returncode == 2 and "REDACTED" in bad.stderr
        outputs += [bad.stdout, bad.stderr]
        with refused_port() as port:  # held until the command is done: nobody else's meanwhile
            dead = f"http://127.0.0.1:{port}/v2/elections/2017-06-20?apiKey={KEY}"
            gone = _run(
                ["record", dead, "--interval", "0.05", "--max-polls", "2", "-o", str(nights / "dead.night")],
                env,
            )
        assert gone.returncode == 0 and "error" in gone.stdout
        outputs += [gone.stdout, gone.stderr]
        # 5. an unexpected exception mid-recording: polling goes on (issue 19) and its traceback
        #    is logged on stderr, every round
        crash = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys, tracker.archive.recorder as r\n"
                "def boom(self, events): raise RuntimeError('the disk caught fire')\n"
                "r.Recorder.record = boom\n"
                "from tracker.cli import main\n"
                "sys.exit(main(sys.argv[1:]))",
                "record",
                f"{url}?apiKey={KEY}",
                "--interval",
                "0.05",
                "--max-polls",
                "3",
                "-o",
                str(nights / "crash.night"),
            ],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert crash.returncode == 0 and "the disk caught fire" in crash.stderr, crash.stderr
        outputs += [crash.stdout, crash.stderr]
    finally:
        serve.terminate()
        out, err = serve.communicate(timeout=30)
        outputs += [out, err]
    checked = _assert_nothing_leaked([tmp_path], *outputs)
    assert checked >= 5  # the nights, the CSV, the store: really searched
    for name in ("url.night", "env.night"):
        with NightFile.open(nights / name) as night:
            assert len(night.versions()) >= 1  # recordings were made (the search had something to search)
            assert night.meta["feed_kind"] == "ap"


def _echo_key_in_nextrequest(body: bytes) -> bytes:
    """A server that writes the key back into its ``nextrequest`` (as an API echoing the query
    would): what the poller then requests, and records, must still not show it."""
    import json

    doc = json.loads(body)
    if isinstance(doc.get("nextrequest"), str):
        doc["nextrequest"] += f"&apiKey={KEY}"
    return json.dumps(doc).encode()


def test_the_key_is_in_no_log_line_or_error_even_when_the_server_echoes_it(
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In-process, every logger at DEBUG: the key in the URL, a server echoing it in nextrequest,
    then errors (503, reset, an unreadable payload) while recording; nothing printed, logged or
    recorded holds it."""
    import functools

    from tracker.cli import main
    from tracker.feeds import poller

    # `record` with its real policy but backoffs of a rehearsal (errors come one after another)
    short = functools.partial(poller.PollPolicy, backoff_base=0.05, backoff_cap=0.2, jitter=0.0)
    monkeypatch.setattr(poller, "PollPolicy", short)
    caplog.set_level(logging.DEBUG)
    step = StepClock(JUNE)
    out = tmp_path / "ap.night"
    with FaultyFeedServer(JUNE, fmt="ap", speed=SPEED, clock=step) as server:
        echo = Fault("body", transform=_echo_key_in_nextrequest)
        server.set_fault(echo)
        faults = [
            Fault("status", status=503),
            Fault("reset"),
            Fault("body", transform=lambda b: _echo_key_in_nextrequest(b)[: len(b) // 2]),
            echo,
        ]

        def next_fault() -> None:  # one fault after another while `record` runs in this thread
            wait_for(lambda: any(status == 200 for _path, status in server.requests))
            for i, fault in enumerate(faults, start=1):
                hit = len(server.faulted)
                server.set_fault(fault)
                step.release(i)
                wait_for(lambda n=hit: len(server.faulted) >= n + 2)  # the fault met twice

        changer = threading.Thread(target=next_fault, daemon=True)
        changer.start()
        rc = main(
            [
                "record",
                f"{server.url}?apiKey={KEY}",
                "--interval",
                "0.05",
                "--max-polls",
                "80",
                "-o",
                str(out),
            ]
        )
        changer.join(30)
        requested = [path for path, _status in server.requests]
    assert rc == 0
    assert any("minDateTime=" in p for p in requested)  # the echoed nextrequest was followed,
    assert not any(_leaks(p) for p in requested)  # without the key: it travels in a header only
    printed = capsys.readouterr()
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "unreadable payload" in printed.out and "HTTP 503" in printed.out  # errors were reported
    _assert_nothing_leaked([tmp_path], printed.out, printed.err, logged)
    with NightFile.open(out) as night:  # the echoed payloads were recorded, the key scrubbed from them
        assert any(b"apiKey=REDACTED" in night.payload(v.payload_id) for v in night.versions())


def test_an_echoed_key_is_dropped_from_nextrequest_and_scrubbed_from_payloads() -> None:
    from tracker.feeds.poller import ap_next_url, scrub_secret

    body = (
        b'{"nextrequest": "http://api.ap.org/v2/elections/2016-11-08?apiKey='
        + KEY.encode()
        + b'&minDateTime=x"}'
    )
    assert ap_next_url(body, "https://api.ap.org/v2/elections/2016-11-08?level=ru") == (
        "https://api.ap.org/v2/elections/2016-11-08?minDateTime=x"
    )
    assert scrub_secret(body, KEY) == body.replace(KEY.encode(), b"REDACTED")
    quoted = urllib.parse.quote(KEY + "/+", safe="").encode()
    assert scrub_secret(b"k=" + quoted, KEY + "/+") == b"k=REDACTED"
    assert scrub_secret(b'{"test": true}', "test") == b'{"test": true}'  # a short key is no key to hunt
    assert scrub_secret(body, None) == body


# -- a password in the feed's address, and redirects (issue 19, findings 4 and 5) -------------------

PASSWORD = "Pw-9d4e2b-Distinctive-Password"
USER = "constructed-user"


def _userinfo_leaks(data: bytes | str) -> list[str]:
    text = data.decode("utf-8", "replace") if isinstance(data, bytes) else data
    return [
        form
        for form in (PASSWORD, urllib.parse.quote(PASSWORD), PASSWORD.lower(), f"{USER}:", f"{USER}@")
        if form in text
    ]


def _with_userinfo(url: str) -> str:
    return url.replace("http://", f"http://{USER}:{PASSWORD}@", 1)


def test_a_password_in_the_feed_address_travels_only_in_its_header(
    tmp_path: Path, tracker_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``record http://user:pass@…``: the server gets Basic auth; stdout, the night's meta, every
    fetch row and the night's file name hold the address without it."""
    import base64

    from hostile_server import HostileServer

    from tracker.archive.recorder import default_night_path
    from tracker.cli import main
    from tracker.feeds.discovery import discover

    with HostileServer() as server:
        url = _with_userinfo(server.url)
        out = tmp_path / "recorded.night"
        rc = main(["record", url, "--interval", "0.05", "--max-polls", "3", "-o", str(out)])
        assert rc == 0
        bad = main(["record", url.replace("http://", "ftp://"), "-o", str(tmp_path / "x.night")])
    printed = capsys.readouterr()
    assert bad == 2
    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    assert server.requests and all(h.get("authorization") == expected for _p, h in server.requests)
    assert not _userinfo_leaks(printed.out) and not _userinfo_leaks(printed.err), printed
    assert server.url in printed.out  # the address, as shown: without its userinfo
    texts = _night_texts(out)
    assert server.url in texts and not _userinfo_leaks(texts)
    assert not _userinfo_leaks(out.read_bytes())
    name = default_night_path(discover(url).display_url).name  # the window's file name
    assert not _userinfo_leaks(name) and "pw-9d4e2b" not in name.lower()


def test_a_redirect_to_another_origin_drops_the_key_and_the_password() -> None:
    """Finding 5: httpx keeps ``x-api-key`` across a redirect to another host or port."""
    from hostile_server import HostileServer

    from tracker.feeds.client import make_client
    from tracker.feeds.discovery import discover
    from tracker.feeds.poller import Poller, PollPolicy

    with HostileServer() as other, HostileServer() as origin:

        def redirect(handler) -> bool:
            target = other.url if handler.path.startswith("/v2/elections/away") else "/feed.json"
            if handler.path.startswith("/v2/elections/"):
                handler.send_response(302)
                handler.send_header("Location", target)
                handler.send_header("Content-Length", "0")
                handler.end_headers()
                return True
            return False

        origin.respond = redirect
        for path in ("/v2/elections/away", "/v2/elections/home"):
            url = _with_userinfo(f"http://127.0.0.1:{origin.port}{path}?apiKey={KEY}")
            target = discover(url, kind="ap", fmt="tracker-feed/1")
            with make_client() as client:
                report = Poller(target, client=client, policy=PollPolicy(interval=0.01)).poll_once()
            assert report.state.error is None, report.state.error
    assert [p for p, _h in other.requests] == ["/feed.json"]
    away = other.requests[0][1]
    assert "x-api-key" not in away and "authorization" not in away and "cookie" not in away
    home = [h for p, h in origin.requests if p == "/feed.json"]
    assert home and home[0].get("x-api-key") == KEY and "authorization" in home[0]  # same origin: kept
