"""Which earlier election a night's projection may lean on, and loading it.

A night carries its baseline in its meta key ``baseline``: either the file name of another night
(``"ga06-2017-04-18.night"``) or JSON ``{"night": "ga06-2017-04-18.night"}``. The name is looked up
beside the night, then among the bundled nights (``resources/nights``). The baseline is that
night's *last* version (its final result); each of its contests is the baseline of the contest of
the same name in this night, and precincts are matched by county and name
(``projection.unit_key``: "Mount Bethel 01" = "Mt Bethel 01", "CHAMBLEE " = "CHAMBLEE").

The bundled June 2017 runoff was built before baselines existed, so the nights the rehearsal
builds are also mapped here by their ``night`` meta key (``BUNDLED_BASELINES``): June's baseline
is April's first round, the same 208 precincts. A night without either has no baseline; the model
then works from the night alone.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from tracker import paths
from tracker.archive.night import NightFile
from tracker.core.projection import Baseline, name_key

log = logging.getLogger(__name__)

#: Reconstructed nights (their ``night`` meta value) → the bundled night that is their baseline.
BUNDLED_BASELINES = {"ga06-2017-06-20": "ga06-2017-04-18.night"}


def baseline_file(night: NightFile) -> Path | None:
    """The baseline night's path for ``night``, or None."""
    meta = night.meta
    value = meta.get("baseline", "").strip()
    name = ""
    if value.startswith("{"):
        try:
            name = str(json.loads(value).get("night", ""))
        except (ValueError, AttributeError):
            name = ""
    elif value:
        name = value
    if not name:
        name = BUNDLED_BASELINES.get(meta.get("night", ""), "")
    if not name:
        return None
    for folder in (night.path.parent, paths.resources_dir() / "nights"):
        candidate = folder / name
        if candidate.is_file() and candidate.resolve() != night.path.resolve():
            return candidate
    log.warning("%s names the baseline %s, which is not there", night.path.name, name)
    return None


def load_baselines(night: NightFile) -> dict[str, Baseline]:
    """Contest name key → Baseline for ``night`` (empty without one)."""
    path = baseline_file(night)
    if path is None:
        return {}
    with NightFile.open(path) as base:
        versions = base.versions()
        if not versions:
            return {}
        final = base.snapshot(versions[-1])
    label = path.stem
    return {name_key(c.name): Baseline.from_contest(c, f"{label}: {c.name}") for c in final.contests}


__all__ = ["BUNDLED_BASELINES", "baseline_file", "load_baselines"]
