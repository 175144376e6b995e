"""Election Night Tracker: watch precinct counts arrive against the line a candidate must cross."""

__version__ = "0.1.0"

#: The reverse-DNS application id: the desktop entry's and AppStream component's name
#: (packaging/), the icon's name, and what the window tells the desktop (setDesktopFileName).
APP_ID = "org.electiontracker.ElectionTracker"
