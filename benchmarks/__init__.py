"""Benchmarks: one module per measure, each printing a table with ratios against a baseline
measured in the same run. Run all with ``python -m benchmarks`` (or one: ``python -m
benchmarks startup``). They measure; they never assert (speed targets are read off the table)."""
