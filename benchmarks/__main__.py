"""``python -m benchmarks [NAME ...]``: run the named benchmarks (default: all), each printing its table."""

import importlib
import sys

ALL = ("startup", "replay", "parse", "backtest", "live", "many_races", "overview", "drilldown")

names = sys.argv[1:] or list(ALL)
for name in names:
    if name not in ALL:
        raise SystemExit(f"unknown benchmark {name!r}; known: {', '.join(ALL)}")
    importlib.import_module(f"benchmarks.{name}").main()
