"""Reconstructed election nights, built from certified precinct results.

Why this exists: the tracker needs a night to show on first start, to rehearse with before a real
election, and to backtest projections on. No raw feed of the GA-06 nights of 2017 survives, but
the certified per-precinct results do (see ``../shared/data/PROVENANCE.md``), and so do the
numbers the press reported during the night. This package replays the certified cells in an order
and at a pace that reproduces what the press saw, and writes the result as a night file whose
every payload is a ``tracker-feed/1`` document labelled ``reconstructed``.

What is real and what is not — say it everywhere:

* every vote count in every version is a real certified count of one precinct × vote type (a
  *cell*); a cell, once released, never changes; the last version equals the certified files;
* the *timing* (which cell appears when) is invented, chosen by a seeded search so that the
  running Ossoff share, precinct counts and vote counts come close to the press-reported ones.
  The night, its meta and every payload say so (``reconstructed: true`` plus a note).

The package, one job per module (each module's docstring says more):

* ``sources`` — the nights, their input files and where those were copied from;
* ``press`` — the press-reported timeline, the targets of the timing;
* ``certified`` — the certified files, loaded as the final snapshot;
* ``cells`` — that snapshot cut into cells, the atoms a night releases;
* ``clock`` — Eastern time and the night's minutes since 19:00;
* ``scoring`` — how far a timing is from the press;
* ``search`` — the seeded search both nights share; ``april`` and ``june`` — each night's own;
* ``materialise`` — from a timing to one snapshot per version;
* ``comparison`` — the press beside the reconstruction, as rows and as a table;
* ``build`` — ``build_night``: all of the above, written as a night file;
* ``cli`` — ``python -m tracker.archive.rehearsal``.
"""

from __future__ import annotations

from tracker.archive.rehearsal.build import NATIVE_FORMAT, RehearsalReport, build_night
from tracker.archive.rehearsal.cli import main
from tracker.archive.rehearsal.clock import ET, Minute
from tracker.archive.rehearsal.comparison import ComparisonRow, format_table
from tracker.archive.rehearsal.press import PressRow, precinct_anchor, read_press_rows
from tracker.archive.rehearsal.sources import (
    HOUSE_CONTEST,
    KNOWN_NIGHTS,
    NIGHTS,
    NOTE,
    PRESS_FILE,
    SourceFile,
)

__all__ = [
    "ET",
    "HOUSE_CONTEST",
    "KNOWN_NIGHTS",
    "NATIVE_FORMAT",
    "NIGHTS",
    "NOTE",
    "PRESS_FILE",
    "ComparisonRow",
    "Minute",
    "PressRow",
    "RehearsalReport",
    "SourceFile",
    "build_night",
    "format_table",
    "main",
    "precinct_anchor",
    "read_press_rows",
]
