"""A night in the order a stale cache serves it, built from real payloads of the bundled night.

Georgia's 2021 runoff feed went back a version for a few seconds (PROVENANCE.md, recordings/);
tests of the recorder, the server and the live window replay that fault with these payloads.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from tracker import paths
from tracker.archive.night import NightFile

BUNDLED = paths.resources_dir() / "nights" / "ga06-2017-04-18.night"


def write_stale_cache_night(path: Path, first: int) -> list[str]:
    """Versions ``first`` .. ``first + 3`` of the bundled night as v1, v2, v3, v2 again (stale), v3,
    v4, recorded 5 s apart into ``path``. Returns the payloads' SHA-256 in that order."""
    with NightFile.open(BUNDLED) as source:
        vs = source.versions()
        picks = [vs[first], vs[first + 1], vs[first + 2], vs[first + 1], vs[first + 2], vs[first + 3]]
        start = dt.datetime(2021, 1, 6, 2, 50, tzinfo=dt.UTC)
        with NightFile.create(
            path, kind="recorded", label="Stale cache test (real bundled Georgia payloads)"
        ) as night:
            for i, v in enumerate(picks):
                night.add_payload(
                    source.payload(v.payload_id),
                    fetched_at=start + dt.timedelta(seconds=5 * i),
                    fmt=v.fmt,
                    url="http://127.0.0.1/feed.json",
                    version=v.version,
                    published_at=v.published_at,
                )
        return [v.sha256 for v in picks]
