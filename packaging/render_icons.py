"""Render the app icon's PNG sizes from its SVG (QtSvg), into the hicolor theme layout.

    python packaging/render_icons.py          # rewrite resources/icons/hicolor/NxN/apps/*.png
    python packaging/render_icons.py --check  # exit 1 if a committed PNG differs from a fresh render

The PNGs are committed so that neither the app nor the bundle needs QtSvg at run time (the window
icon and the desktop's icon theme read PNGs); the SVG is what to edit. A test runs ``--check``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tracker import APP_ID  # noqa: E402

ICONS = ROOT / "resources" / "icons" / "hicolor"
SVG = ICONS / "scalable" / "apps" / f"{APP_ID}.svg"
SIZES = (16, 32, 48, 64, 128, 256)
#: A fresh render may differ from the committed one by this much per channel (antialiasing in
#: another Qt release) and still count as the same icon.
TOLERANCE = 8


def png_path(size: int) -> Path:
    return ICONS / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def render(size: int):  # -> QImage
    """The SVG drawn into a transparent ``size``×``size`` image."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"render_icons: {SVG} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def differs(a, b) -> bool:
    """True when two images differ in size or by more than TOLERANCE in any channel of any pixel."""
    from PySide6.QtGui import QImage

    a = a.convertToFormat(QImage.Format.Format_ARGB32)
    b = b.convertToFormat(QImage.Format.Format_ARGB32)
    if a.size() != b.size():
        return True
    for y in range(a.height()):
        for x in range(a.width()):
            pa, pb = a.pixel(x, y), b.pixel(x, y)
            if any(abs(((pa >> s) & 0xFF) - ((pb >> s) & 0xFF)) > TOLERANCE for s in (0, 8, 16, 24)):
                return True
    return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication, QImage

    _app = QGuiApplication.instance() or QGuiApplication([])
    stale = []
    for size in SIZES:
        image, path = render(size), png_path(size)
        if args.check:
            if not path.is_file() or differs(image, QImage(str(path))):
                stale.append(str(path.relative_to(ROOT)))
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(path), "PNG"):
            raise SystemExit(f"render_icons: cannot write {path}")
        print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print("render_icons: out of date (run python packaging/render_icons.py):", *stale, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
