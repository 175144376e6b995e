"""The watch layer: what the user is watching -- the open night, the live feed, alerts and logs.

Qt-free jobs that decide what runs on which thread and which results are still wanted, between
the shell (tracker.ui, which owns the threads: see ports.py) and the archive below. The map:
docs/architecture.md.
"""
