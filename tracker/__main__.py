"""``python -m tracker`` does what the ``election-tracker`` command does."""

import sys

from tracker.cli import main

sys.exit(main())
