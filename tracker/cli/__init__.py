"""The command line: launch the window, or run a headless job (parse, import, rehearse).

Every failure a user can cause (missing file, wrong format, corrupt night) ends as one line on
stderr and exit code 2 — never a traceback. Qt is imported only by the GUI commands, so the
headless ones start fast and run on machines without a display.

One module per job, so that none grows into a thousand lines again:

* :mod:`~tracker.cli.entry` — ``main``, the ``election-tracker`` command (pyproject's entry point);
* :mod:`~tracker.cli.parser` — the grammar: every command and option;
* :mod:`~tracker.cli.checks` — the checks every command makes on its inputs;
* one module per group of commands: :mod:`~tracker.cli.window` (open, replay),
  :mod:`~tracker.cli.payloads` (parse, import, rehearse), :mod:`~tracker.cli.analysis`
  (projections, alerts, backtest), :mod:`~tracker.cli.exports` (export), :mod:`~tracker.cli.live`
  (record, serve), :mod:`~tracker.cli.pins` (pins), :mod:`~tracker.cli.desktop_menu`
  (install-desktop, uninstall-desktop).

This package re-exports the names the single ``tracker/cli.py`` had, so ``tracker.cli:main`` and
code written against that module (the tests' ``from tracker.cli import main, classify_open``) work
unchanged.
"""

from __future__ import annotations

from tracker.cli.analysis import cmd_alerts, cmd_backtest, cmd_projections
from tracker.cli.checks import MAX_INPUT_BYTES, check_baseline, check_night, read_input
from tracker.cli.desktop_menu import cmd_install_desktop, cmd_uninstall_desktop
from tracker.cli.entry import EXIT_USAGE, main
from tracker.cli.exports import cmd_export
from tracker.cli.live import cmd_record, cmd_serve
from tracker.cli.parser import FEED_KINDS, SERVE_AS, build_parser
from tracker.cli.payloads import _print_summary, cmd_import, cmd_parse, cmd_rehearse
from tracker.cli.pins import cmd_pins
from tracker.cli.window import BUNDLED_DEFAULT, _payload_night, classify_open, cmd_launch, cmd_replay

# The single module's names for these helpers, for code written against it.
_check_night = check_night
_check_baseline = check_baseline
_read = read_input

__all__ = [
    "BUNDLED_DEFAULT",
    "EXIT_USAGE",
    "FEED_KINDS",
    "MAX_INPUT_BYTES",
    "SERVE_AS",
    "_payload_night",
    "_print_summary",
    "build_parser",
    "check_baseline",
    "check_night",
    "classify_open",
    "cmd_alerts",
    "cmd_backtest",
    "cmd_export",
    "cmd_import",
    "cmd_install_desktop",
    "cmd_launch",
    "cmd_parse",
    "cmd_pins",
    "cmd_projections",
    "cmd_record",
    "cmd_rehearse",
    "cmd_replay",
    "cmd_serve",
    "cmd_uninstall_desktop",
    "main",
    "read_input",
]
