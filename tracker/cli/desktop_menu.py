"""``install-desktop`` and ``uninstall-desktop``: the app's entry in the user's desktop menu.

A thin door onto :mod:`tracker.desktop`, which does the work; here only what is printed.
"""

from __future__ import annotations

import argparse


def cmd_install_desktop(args: argparse.Namespace) -> int:
    from tracker import desktop

    command = desktop.launcher()
    for path in desktop.install(command=command):
        print(f"wrote {path}")
    print(f"the menu entry runs {command}; `election-tracker uninstall-desktop` removes it")
    return 0


def cmd_uninstall_desktop(args: argparse.Namespace) -> int:
    from tracker import desktop

    removed = desktop.uninstall()
    for path in removed:
        print(f"removed {path}")
    if not removed:
        print(f"nothing to remove: no {desktop.DESKTOP_FILE} files under {desktop.data_home()}")
    return 0
