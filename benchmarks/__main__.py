"""``python -m benchmarks [NAME ...]``: run the named benchmarks (default: all), each printing its table.

A number after the names is passed on (``python -m benchmarks fuzz 5000``: inputs per parser)."""

import importlib
import sys

ALL = (
    "startup",
    "replay",
    "parse",
    "big_night",
    "backtest",
    "live",
    "many_races",
    "overview",
    "drilldown",
    "fuzz",
    "load_run",
    "projection_cost",
    "import_nights",
)

names = [a for a in sys.argv[1:] if not a.isdigit()] or list(ALL)
for name in names:
    if name not in ALL:
        raise SystemExit(f"unknown benchmark {name!r}; known: {', '.join(ALL)}")
    importlib.import_module(f"benchmarks.{name}").main()
