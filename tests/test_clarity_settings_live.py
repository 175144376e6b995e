"""A live Clarity site's electionsettings.json decides its summary.json races, when recorded and
when the night is read again.

The settings served here are CONSTRUCTED: Georgia's real electionsettings.json (v271927) with its
runoffthreshold changed from 1 (a switch, which states no share) to 45, so that the feed states a
rule the jurisdiction table does not have. The summary.json is Georgia's real one (v271066).
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tracker.archive.recorder import Recorder, create_recording
from tracker.feeds.client import make_client
from tracker.feeds.discovery import discover
from tracker.feeds.poller import Poller
from tracker.feeds.registry import parse_payload


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _constructed_settings(shared_data: Path) -> bytes:
    doc = json.loads(
        (shared_data / "clarity" / "wapo-elex-clarity_GA_105369_v271927_electionsettings.json").read_bytes()
    )
    doc["settings"]["runoffthreshold"] = 45  # constructed: see the module docstring
    return json.dumps(doc).encode()


def test_the_sites_threshold_reaches_the_recorded_and_reread_races(shared_data: Path, tmp_path: Path) -> None:
    summary = (shared_data / "clarity" / "wapo-elex-clarity_GA_105369_v271066_summary.json").read_bytes()
    settings = _constructed_settings(shared_data)

    def handler(request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("current_ver.txt"):
            return httpx.Response(200, text="271066")
        if path.endswith("electionsettings.json"):
            return httpx.Response(200, content=settings)
        if path.endswith("summary.json"):
            return httpx.Response(200, content=summary)
        return httpx.Response(404, text="<html>Not found</html>")

    target = discover("http://127.0.0.1:9/GA/105369/", env={})
    with make_client(transport=httpx.MockTransport(handler)) as client:
        report = Poller(target, client=client, monotonic=_Clock()).poll_once()
    new = [e for e in report.events if e.kind == "new"]
    assert len(new) == 1 and new[0].settings == settings
    assert new[0].fmt == "clarity-summary-json"

    night = create_recording(tmp_path / "ga.night", url=target.url, kind="clarity")
    recorded = Recorder(night).record_report(report)
    (snap,) = recorded.snapshots
    rules = {c.threshold for c in snap.contests}
    assert {(r.rule, r.share, r.source) for r in rules} == {("share", 0.45, "feed")}
    assert all("runoffthreshold 45" in c.threshold.basis for c in snap.contests)
    # read again from the night (what the window shows): the same rule
    again = night.snapshot(night.versions()[0])
    assert {(c.threshold.rule, c.threshold.share, c.threshold.source) for c in again.contests} == {
        ("share", 0.45, "feed")
    }
    night.close()
    # without the settings the jurisdiction table decides (Georgia: majority)
    plain = parse_payload(summary, "clarity-summary-json", source=new[0].url)
    assert {c.threshold.source for c in plain.contests} <= {"table"}
