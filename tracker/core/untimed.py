"""Which version, said instead of a time, on a night whose versions have no times of their own.

A night imported from files with no times (``tracker.archive.importer``) is placed in file order,
one minute apart from 2000-01-01, and its meta says ``times: file order``. Those times only keep
the versions in order; shown as a clock ("00:04", "2000-01-01T00:04:00+00:00") they would be
times nobody recorded. Every place that would show a version's time (the replay bar, the chart,
the race list, the alert log and its CSV, the projection log and its CSV, presentation mode, the
``alerts`` command) says which version instead: "v 5", counted from 1 as ``--at "v 5"`` takes it.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Mapping, Sequence

__all__ = ["FILE_ORDER", "is_untimed", "version_at", "version_label"]

#: The night meta's ``times`` when the versions' times are placeholders in file order.
FILE_ORDER = "file order"


def is_untimed(meta: Mapping[str, str]) -> bool:
    """Whether a night's meta says its versions have no times of their own."""
    return meta.get("times", "") == FILE_ORDER


def version_label(index: int) -> str:
    """ "v 5" for the version at ``index`` (from 0): what the user reads and types."""
    return f"v {index + 1}"


def version_at(when: dt.datetime, times: Sequence[dt.datetime]) -> str:
    """The label of the version current at ``when`` among the night's ``times`` (in order): the
    last at or before it, the first when ``when`` is before them all; "" for a night with none."""
    if not times:
        return ""
    return version_label(max(bisect.bisect_right(times, when) - 1, 0))
