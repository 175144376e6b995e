"""Election Night Tracker: watch precinct counts arrive against the line a candidate must cross."""

__version__ = "0.1.0"
