"""The alert log's CSV rows: one alert as the window's log and the exported CSV show it.

Pure formatting of :class:`~tracker.core.alerts.Alert` (the store keeps the alerts, the window's
log dock, the ``alerts`` command and the export all write them the same way). A module of its own,
not part of :mod:`tracker.core.alerts`, so the projection's log rows and the alerts' never import
each other.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TextIO

from tracker.core.alerts import Alert
from tracker.core.csv_safe import SafeWriter
from tracker.core.untimed import version_label

__all__ = ["ALERT_CSV_FIELDS", "alert_csv_row", "write_alerts_csv"]


#: The alert log's CSV columns (the dock's, plus what a spreadsheet needs to tell rows apart).
ALERT_CSV_FIELDS = ("time", "race", "what happened", "version", "kind", "contest_id", "subject", "version_id")


def alert_csv_row(alert: Alert, tz: dt.tzinfo | None = None, *, untimed: bool = False) -> list[str]:
    """One alert as the CSV (and the window's log) shows it: the version's time in ``tz`` (the
    night's own zone; ISO 8601 with its offset), the race, the message, the version number (1-based).
    ``untimed``: the night's versions have no times of their own, so the time says which version
    ("v 5", ``tracker.core.untimed``), never the placeholder."""
    if untimed:
        when = version_label(alert.version_index)
    else:
        when = alert.time.astimezone(tz).isoformat(timespec="seconds") if alert.time is not None else ""
    race = alert.contest_name or alert.contest_id
    what = f"{alert.kind}: {alert.message}"
    return [
        when,
        race,
        what,
        str(alert.version_index + 1),
        str(alert.kind),
        alert.contest_id,
        alert.subject,
        alert.version,
    ]


def write_alerts_csv(
    alerts: Iterable[Alert], out: TextIO, tz: dt.tzinfo | None = None, *, untimed: bool = False
) -> int:
    """Write ``alerts`` as CSV with a header (``ALERT_CSV_FIELDS``); returns rows. ``untimed``: see
    :func:`alert_csv_row`."""
    writer = SafeWriter(out, lineterminator="\n")  # no formulas (issue 19)
    writer.writerow(ALERT_CSV_FIELDS)
    n = 0
    for a in alerts:
        writer.writerow(alert_csv_row(a, tz, untimed=untimed))
        n += 1
    return n
