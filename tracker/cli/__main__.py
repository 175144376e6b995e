"""``python -m tracker.cli``: the ``election-tracker`` command, as ``python -m tracker`` is (the single
``tracker/cli.py`` ran itself the same way)."""

import sys

from tracker.cli.entry import main

sys.exit(main())
