"""Xvfb smoke test: Qt's xcb platform plugin, its system libraries and the fonts work on this machine.

A tiny PySide6 program (in a subprocess, on the xcb platform under the session's Xvfb) shows a label
"50 %", grabs the whole X screen with ``QScreen.grabWindow(0)`` and saves it as PNG. The test reads the
PNG back and checks that the screen is not one flat colour and that the label's area holds dark,
antialiased text on its white background (a broken plugin gives a blank or flat grab; a missing font
gives empty boxes, which the glyph check and the colour count catch).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

APP = r"""
import json
import sys
import time

import numpy as np
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QFontDatabase, QFontInfo, QFontMetrics, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLabel

out = sys.argv[1]
app = QApplication(sys.argv[:1])
label = QLabel("50 %")
label.setAlignment(Qt.AlignmentFlag.AlignCenter)
label.setStyleSheet("QLabel { background: white; color: black; font-size: 72px; }")
label.setGeometry(100, 100, 400, 200)
label.show()
if not QTest.qWaitForWindowExposed(label, 60_000):
    sys.exit("label window was never exposed")

# The first paint reaches the X server some time after the expose: wait for the label's area on
# the screen to hold dark pixels (or give up after a minute and let the test judge what is there).
screen = app.primaryScreen()
top_left = label.mapToGlobal(QPoint(0, 0))
deadline = time.monotonic() + 60
while time.monotonic() < deadline:
    area = screen.grabWindow(0, top_left.x(), top_left.y(), label.width(), label.height()).toImage()
    area = area.convertToFormat(QImage.Format.Format_Grayscale8)
    rows = np.frombuffer(area.constBits(), dtype=np.uint8).reshape(area.height(), area.bytesPerLine())
    if (rows[:, : area.width()] < 80).sum() > 500:
        break
    QTest.qWait(50)

if not screen.grabWindow(0).save(out, "PNG"):
    sys.exit("could not save the screen grab")
print(json.dumps({
    "platform": app.platformName(),
    "screen": [screen.geometry().width(), screen.geometry().height()],
    "label": [top_left.x(), top_left.y(), label.width(), label.height()],
    "fonts": len(QFontDatabase.families()),
    "family": QFontInfo(label.font()).family(),
    "glyphs": all(QFontMetrics(label.font()).inFontUcs4(ord(c)) for c in "50%"),
}))
"""


def test_label_renders_on_xvfb(xvfb_display: dict[str, str], tmp_path: Path) -> None:
    png = tmp_path / "screen.png"
    proc = subprocess.run(
        [sys.executable, "-c", APP, str(png)],
        env=xvfb_display,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,  # (a bound: the app itself waits up to a minute each for expose and paint)
    )
    assert proc.returncode == 0, f"rc {proc.returncode}\n{proc.stdout}\n{proc.stderr[-4000:]}"
    info = json.loads(proc.stdout.strip().splitlines()[-1])
    assert info["platform"] == "xcb", info
    assert info["fonts"] > 0, f"Qt sees no font families: {info}\n{proc.stderr[-2000:]}"
    # Without a real font Qt still "draws", as empty boxes; make sure "5", "0", "%" have glyphs.
    assert info["glyphs"], f"the label's font has no glyphs for '50 %' (fonts-dejavu-core missing?): {info}"
    assert info["screen"] == [1280, 800], info

    from PySide6.QtGui import QImage

    image = QImage(str(png))
    assert not image.isNull(), f"{png} is not a readable PNG"
    image = image.convertToFormat(QImage.Format.Format_RGB32)
    w, h = image.width(), image.height()
    rows = np.frombuffer(image.constBits(), dtype=np.uint8).reshape(h, image.bytesPerLine())
    pixels = rows[:, : w * 4].view(np.uint32).reshape(h, w) & 0xFFFFFF

    assert np.unique(pixels).size > 1, "the screen grab is one flat colour"

    x, y, lw, lh = info["label"]
    area = pixels[y : y + lh, x : x + lw]
    assert area.shape == (lh, lw), (area.shape, info)
    grey = ((area >> 16 & 0xFF) + (area >> 8 & 0xFF) + (area & 0xFF)) / 3
    white, dark = int((grey > 240).sum()), int((grey < 80).sum())
    assert white > area.size // 2, f"label background is not white ({white} of {area.size} pixels)"
    # "50 %" at 72 px covers thousands of pixels; a few hundred rules out a stray cursor or border.
    assert dark > 500, f"no text drawn in the label ({dark} dark pixels): fonts or xcb rendering broken"
    # Antialiased glyphs bring many grey levels; missing-glyph boxes are drawn in pure black and white.
    levels = np.unique(area).size
    assert levels > 2, f"only {levels} colours in the label: text drawn as boxes, not glyphs"
