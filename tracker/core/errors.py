"""The error types users can meet. Anything else escaping a parser or reader is a bug.

Each carries one sentence a user can act on; the CLI prints it on stderr (exit 2) and the window
shows it, without a traceback.
"""


class TrackerError(Exception):
    """Base of every error the tracker reports to a user."""


class FeedError(TrackerError, ValueError):
    """A payload that is not a valid feed document of the expected format (malformed, truncated,
    wrong format, inconsistent)."""


class NightFileError(TrackerError):
    """A night file that is missing, corrupt, or not a night file at all."""
