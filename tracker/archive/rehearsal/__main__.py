"""``python -m tracker.archive.rehearsal NAME [--data DIR] [-o OUT] [--seed N]`` (see ``cli.main``)."""

from tracker.archive.rehearsal.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
