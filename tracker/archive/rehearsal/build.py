"""Building a reconstructed night: the certified data and the press timeline in, a seeded search
for the timing, one snapshot per version, out as a night file whose every payload is a
``tracker-feed/1`` document labelled ``reconstructed``, with the comparison and the provenance of
every input in its meta."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tracker.archive.rehearsal.april import _search_april
from tracker.archive.rehearsal.cells import _Prepared
from tracker.archive.rehearsal.certified import _load_april, _load_june, _require
from tracker.archive.rehearsal.clock import ET
from tracker.archive.rehearsal.comparison import ComparisonRow, _comparison, format_table
from tracker.archive.rehearsal.june import _search_june
from tracker.archive.rehearsal.materialise import _materialise
from tracker.archive.rehearsal.press import read_press_rows
from tracker.archive.rehearsal.scoring import _W_HANDEL, _W_SHARE, _W_VOTES
from tracker.archive.rehearsal.search import _EARLY_STARTS, _ED_CANDIDATES, _ED_POLISH, _FINAL_POLISH
from tracker.archive.rehearsal.sources import _APRIL, KNOWN_NIGHTS, NIGHTS, NOTE, PRESS_FILE, _NightSpec
from tracker.core.errors import NightFileError
from tracker.core.model import Snapshot

NATIVE_FORMAT = "tracker-feed/1"


@dataclass(frozen=True)
class RehearsalReport:
    """What ``build_night`` made: where, how many versions over what span, and how close the
    reconstruction comes to what the press reported."""

    name: str
    path: Path
    versions: int
    first_time: dt.datetime  # aware UTC
    last_time: dt.datetime  # aware UTC
    rows: tuple[ComparisonRow, ...]
    seed: int
    payload_sha256: tuple[str, ...]

    def comparison(self) -> list[dict[str, Any]]:
        """The comparison rows as plain data (what the night's meta stores under "calibration")."""
        return [r.to_json() for r in self.rows]

    @property
    def max_abs_diff(self) -> float:
        """Largest |ours − press| Ossoff share (points) over the rows the calibration fits."""
        diffs = [abs(r.diff) for r in self.rows if r.fitted and r.diff is not None]
        return max(diffs) if diffs else 0.0

    def format_table(self) -> str:
        first = self.first_time.astimezone(ET)
        last = self.last_time.astimezone(ET)
        title = (
            f"{self.name}: RECONSTRUCTED night ({NOTE[:-1].lower()}), seed {self.seed}, "
            f"{self.versions} versions {first:%Y-%m-%d %H:%M} – {last:%Y-%m-%d %H:%M} ET\n"
            f"Ossoff share: press vs reconstruction (max |diff| over fitted rows "
            f"{self.max_abs_diff:.2f} pts)\n"
        )
        return format_table(self.rows, title)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_night(
    name: str, *, data_dir: Path, out: Path, seed: int = 2017, overwrite: bool = False
) -> RehearsalReport:
    """Build the reconstructed night ``name`` from the certified files in ``data_dir`` into the
    night file ``out``. Deterministic: the same data and seed give the same payloads (and the
    same logical file). Raises ValueError for an unknown name and TrackerError for missing data."""
    if name not in NIGHTS:
        raise ValueError(f"unknown night {name!r}; known nights: {', '.join(KNOWN_NIGHTS)}")
    spec = NIGHTS[name]
    data_dir = Path(data_dir)
    if Path(out).exists() and not overwrite:
        # Fail before a few seconds of work; NightFile.create would refuse too.
        raise NightFileError(f"{out} already exists; choose another name or allow overwriting")
    for src in spec.sources:
        _require(data_dir, src.path)
    rows = read_press_rows(data_dir / PRESS_FILE, spec.date)
    final = _load_april(data_dir) if spec is _APRIL else _load_june(data_dir)
    prep = _Prepared(final)
    timing = (_search_april if spec is _APRIL else _search_june)(prep, spec, rows, seed)
    snapshots = _materialise(prep, spec, timing)
    table = _comparison(prep, spec, rows, timing)

    from tracker.feeds.native import dump_native

    payloads = [dump_native(s) for s in snapshots]
    hashes = tuple(hashlib.sha256(p).hexdigest() for p in payloads)
    first_time = snapshots[0].fetched_at
    last_time = snapshots[-1].fetched_at
    assert first_time is not None and last_time is not None
    max_diff = max((abs(r.diff) for r in table if r.fitted and r.diff is not None), default=0.0)
    source_files = [src.to_json(_sha256(data_dir / src.path)) for src in spec.sources]
    # Night-file meta values are strings; structured values are JSON with sorted keys so the
    # file's logical content is identical on every build.
    meta = {
        "reconstructed": "true",
        "builder": "tracker.archive.rehearsal",
        "night": name,
        "election": _json(
            {"id": spec.election.id, "name": spec.election.name, "date": spec.date.isoformat()}
        ),
        "seed": str(seed),
        "search": _json(
            {
                "chosen_candidate": timing.params.get("candidate"),
                "early_starts": _EARLY_STARTS if spec is _APRIL else 0,
                "candidates": _ED_CANDIDATES,
                "polish_swaps": _ED_POLISH,
                "final_polish_swaps": _FINAL_POLISH,
                "weights": {"ossoff_share": _W_SHARE, "handel_share": _W_HANDEL, "votes": _W_VOTES},
            }
        ),
        "calibration": _json([r.to_json() for r in table]),
        "calibration_max_abs_diff": f"{max_diff:.2f}",
        "source_files": _json(source_files),
        "payload_sha256": _json(list(hashes)),
    }
    sources = [
        f"{f['path']} (sha256 {f['sha256']}) from {f['repository']} {f['repository_path']} @ {f['commit']}"
        if f["repository"]
        else f"{f['path']} (sha256 {f['sha256']}): {f['what']}"
        for f in source_files
    ]
    _write(out, spec, snapshots, payloads, meta, sources, created_at=last_time, overwrite=overwrite)
    return RehearsalReport(
        name=name,
        path=Path(out),
        versions=len(snapshots),
        first_time=first_time,
        last_time=last_time,
        rows=tuple(table),
        seed=seed,
        payload_sha256=hashes,
    )


def _write(
    out: Path,
    spec: _NightSpec,
    snapshots: Sequence[Snapshot],
    payloads: Sequence[bytes],
    meta: dict[str, str],
    sources: Sequence[str],
    *,
    created_at: dt.datetime,
    overwrite: bool,
) -> None:
    """Write the night. ``created_at`` is the reconstructed night's last version, not the wall
    clock, so two builds have the same logical content."""
    from tracker.archive.night import NightFile

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with NightFile.create(
        out,
        kind="reconstructed",
        label=spec.label,
        note=NOTE,
        sources=sources,
        timezone="America/New_York",
        meta=meta,
        overwrite=overwrite,
        created_at=created_at,
    ) as nf:
        for snap, payload in zip(snapshots, payloads, strict=True):
            assert snap.fetched_at is not None
            nf.add_payload(
                payload,
                fetched_at=snap.fetched_at,
                fmt=NATIVE_FORMAT,
                url=f"reconstructed:{spec.name}",
                status=200,
                version=snap.version,
                published_at=snap.published_at,
            )
