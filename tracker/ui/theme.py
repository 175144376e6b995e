"""Light and dark: the charts' colours from the window's palette, and a way to force either.

The charts (pyqtgraph) do not follow the Qt palette by themselves. ``ChartTheme.from_palette``
picks the tuned light or dark set by the palette's own lightness, takes the plot background from
the palette's Base colour (so the charts sit in the window like any text view) and keeps every
text colour readable on it (WCAG contrast ≥ 4.5, else the palette's own Text colour). The views
call it again on every ``QEvent.PaletteChange``, which Qt sends when the system switches scheme
or when View ▸ Theme sets one.

Forcing a scheme (``--theme``, ``$TRACKER_THEME``, View ▸ Theme) sets the Fusion style with its
own light or dark palette: the same on every platform, offscreen included, so screenshots and
tests can show both. "system" gives the platform back its style and palette.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QMainWindow, QMenu

THEMES = ("system", "light", "dark")
ENV_THEME = "TRACKER_THEME"


def _luminance(colour: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF()) + 0.7152 * channel(colour.greenF()) + 0.0722 * channel(colour.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    """WCAG contrast ratio of two colours (1 … 21; 4.5 is readable body text)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def readable_on(background: QColor) -> QColor:
    """Near-black or white, whichever reads better on ``background`` (text inside a bar)."""
    dark, light = QColor("#1F2328"), QColor("#FFFFFF")
    return light if contrast(light, background) > contrast(dark, background) else dark


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


@dataclass(frozen=True)
class ChartTheme:
    """Every colour a chart draws with, except the data's own (bars, series)."""

    dark: bool
    background: QColor
    text: QColor
    muted: QColor
    grid: QColor
    axis: QColor
    line: QColor
    #: The 90 % interval's whisker (over bar ends) and its mark's outline.
    band: QColor
    band_outline: QColor
    #: The timeline's instant-on-screen marker and its threshold line.
    now: QColor
    timeline_line: QColor
    #: The timeline's two series (leader, runner-up).
    series: tuple[QColor, QColor]
    #: The bar colours when ranked (no party known): leader, runner-up, the field.
    leader: QColor
    runner_up: QColor
    field: QColor
    leader_outline: QColor
    warning: QColor
    #: A pinned card's empty 0-100 % track behind each bar, and its fill under the mouse.
    track: QColor
    hover: QColor

    def fill(self, alpha: int) -> QColor:
        """The background, translucent: behind a text that crosses a line."""
        colour = QColor(self.background)
        colour.setAlpha(alpha)
        return colour

    def legible(self, colour: QColor) -> QColor:
        """``colour`` as text on this background: its own hue, lightened (dark) or darkened
        (light) until it reads (contrast ≥ 4.5). A red or orange tuned for white stays itself in
        the light theme and gets lighter in the dark one."""
        out = QColor(colour)
        step = 0.04 if self.dark else -0.04
        for _ in range(25):
            if contrast(out, self.background) >= 4.5:
                return out
            hue, sat, light, alpha = out.getHslF()
            out = QColor.fromHslF(hue, sat, min(max(light + step, 0.0), 1.0), alpha)
        return QColor(self.text)

    @classmethod
    def from_palette(cls, palette: QPalette) -> ChartTheme:
        base = DARK if is_dark(palette) else LIGHT
        background = palette.color(QPalette.ColorRole.Base)
        if (background.lightness() < 128) != base.dark:  # a palette whose Base contradicts its Window
            background = base.background
        theme = replace(base, background=background)
        fallback = palette.color(QPalette.ColorRole.Text)
        fixes = {}
        for name in ("text", "muted", "line"):
            colour = getattr(theme, name)
            if contrast(colour, background) < 4.5 and contrast(fallback, background) > contrast(
                colour, background
            ):
                fixes[name] = fallback
        return replace(theme, **fixes) if fixes else theme


#: The light set: exactly the colours the charts always had (the end-to-end screenshot test finds
#: bars, grid and threshold line by them).
LIGHT = ChartTheme(
    dark=False,
    background=QColor("#FFFFFF"),
    text=QColor("#1F2328"),
    muted=QColor("#57606A"),
    grid=QColor("#EAEEF2"),
    axis=QColor("#D0D7DE"),
    line=QColor("#1F2328"),
    band=QColor("#24292F"),
    band_outline=QColor("#FFFFFF"),
    now=QColor("#A0A8B0"),
    timeline_line=QColor("#57606A"),
    series=(QColor("#005C8F"), QColor("#B87F00")),
    leader=QColor("#0072B2"),
    runner_up=QColor("#E69F00"),
    field=QColor("#AEB6BF"),
    leader_outline=QColor("#003A5C"),
    warning=QColor("#B3261E"),
    track=QColor("#F0F2F5"),
    hover=QColor("#F6F8FA"),
)

#: The dark set: light text and lines, a quiet grid, the same Okabe-Ito hues (the field's grey
#: darker, the timeline's series lighter so they read on a dark plot).
DARK = ChartTheme(
    dark=True,
    background=QColor("#1E2227"),
    text=QColor("#E6EDF3"),
    muted=QColor("#A8B1BB"),
    grid=QColor("#343A42"),
    axis=QColor("#4A525C"),
    line=QColor("#E6EDF3"),
    band=QColor("#F0F3F6"),
    band_outline=QColor("#1E2227"),
    now=QColor("#6E7781"),
    timeline_line=QColor("#A8B1BB"),
    series=(QColor("#56B4E9"), QColor("#F5C04A")),
    leader=QColor("#0072B2"),
    runner_up=QColor("#E69F00"),
    field=QColor("#7D8590"),
    leader_outline=QColor("#9CCBEA"),
    warning=QColor("#FF8A80"),
    track=QColor("#2D333B"),
    hover=QColor("#262B31"),
)


#: Okabe-Ito colours for the parties feeds name (AP: "Dem", "GOP", "Lib", "Grn", "Ind"; Clarity
#: and the native format: free text), with the letter drawn on the bar. Blue and vermillion are
#: told apart with every common colour-vision deficiency; the letter says it without colour.
PARTY_COLOURS: dict[str, tuple[str, QColor]] = {
    "dem": ("D", QColor("#0072B2")),
    "democrat": ("D", QColor("#0072B2")),
    "democratic": ("D", QColor("#0072B2")),
    "d": ("D", QColor("#0072B2")),
    "gop": ("R", QColor("#D55E00")),
    "rep": ("R", QColor("#D55E00")),
    "republican": ("R", QColor("#D55E00")),
    "r": ("R", QColor("#D55E00")),
    "lib": ("L", QColor("#F0E442")),
    "libertarian": ("L", QColor("#F0E442")),
    "l": ("L", QColor("#F0E442")),
    "grn": ("G", QColor("#009E73")),
    "green": ("G", QColor("#009E73")),
    "g": ("G", QColor("#009E73")),
    "ind": ("I", QColor("#CC79A7")),
    "independent": ("I", QColor("#CC79A7")),
    "i": ("I", QColor("#CC79A7")),
}
# Real feeds' other spellings of the same parties: NIST SP 1500-100's full names come without
# "Party" here ("Republican Party" → "republican"); Minnesota's Democrats; Clarity's codes in
# Colorado (LBR), West Virginia (LBN) and North Carolina's board file (GRE).
PARTY_COLOURS.update(
    {
        "democratic-farmer-labor": PARTY_COLOURS["dem"],
        "dfl": PARTY_COLOURS["dem"],
        "lbr": PARTY_COLOURS["lib"],
        "lbn": PARTY_COLOURS["lib"],
        "gre": PARTY_COLOURS["grn"],
    }
)
#: Any other named party: sky blue, with the party's first letter.
OTHER_PARTY = QColor("#56B4E9")
#: Names that mean "no party": AP's nonpartisan races, ballot questions' Yes/No (Clarity gives
#: their choices the parties "Y" and "N"), Clarity's "NON" on a write-in line, NIST's "none or
#: unknown", the unaffiliated (North Carolina's UNA, Colorado's UAF).
NO_PARTY = {
    "",
    "np",
    "npa",
    "non",
    "nonpartisan",
    "non-partisan",
    "none",
    "none or unknown",
    "unknown",
    "no party",
    "no party affiliation",
    "unaffiliated",
    "una",
    "uaf",
    "yes",
    "no",
    "y",
    "n",
}
_PARTY_WORD = re.compile(r"\s+party$")


def party_style(party: str) -> tuple[str, QColor] | None:
    """The letter and colour of ``party`` as a feed spells it; None when it names no party.
    Why the spellings matter: a party we do not recognise is drawn sky blue, so NIST's
    "Republican Party" beside "Democratic Party" once drew Trump and Biden in the same blue."""
    key = _PARTY_WORD.sub("", party.strip().casefold().rstrip("."))
    if key in NO_PARTY:
        return None
    if key in PARTY_COLOURS:
        return PARTY_COLOURS[key]
    text = party.strip()
    # A cross-filed candidate (Pennsylvania's "D/R") is neither party's: the letters say both.
    return (text.upper() if "/" in text and len(text) <= 5 else text[0].upper(), OTHER_PARTY)


# forcing a scheme ------------------------------------------------------------------------------------
def fusion_palette(dark: bool) -> QPalette:
    """Fusion's light palette, or a dark one built on the same roles."""
    if not dark:
        from PySide6.QtWidgets import QStyleFactory

        style = QStyleFactory.create("Fusion")
        return style.standardPalette()
    p = QPalette()
    role = QPalette.ColorRole
    colours = {
        role.Window: "#24292F",
        role.WindowText: "#E6EDF3",
        role.Base: "#1E2227",
        role.AlternateBase: "#2A3038",
        role.ToolTipBase: "#2A3038",
        role.ToolTipText: "#E6EDF3",
        role.PlaceholderText: "#8B949E",
        role.Text: "#E6EDF3",
        role.Button: "#2D333B",
        role.ButtonText: "#E6EDF3",
        role.BrightText: "#FF7B72",
        role.Light: "#3D444D",
        role.Midlight: "#343A42",
        role.Mid: "#2A3038",
        role.Dark: "#161B22",
        role.Shadow: "#0D1117",
        role.Highlight: "#1F6FEB",
        role.HighlightedText: "#FFFFFF",
        role.Link: "#58A6FF",
        role.LinkVisited: "#BC8CFF",
    }
    for r, c in colours.items():
        p.setColor(r, QColor(c))
    disabled = QPalette.ColorGroup.Disabled
    for r in (role.WindowText, role.Text, role.ButtonText):
        p.setColor(disabled, r, QColor("#6E7681"))
    return p


_system_style: str | None = None


def apply_theme(name: str) -> str:
    """Set the application's scheme: "light", "dark" or "system". Returns the name applied.
    Every widget gets a PaletteChange and the charts recolour themselves."""
    global _system_style
    from PySide6.QtWidgets import QStyleFactory

    if name not in THEMES:
        raise ValueError(f"unknown theme {name!r}: choose one of {', '.join(THEMES)}")
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return name
    app.setProperty("trackerTheme", name)
    if _system_style is None:
        _system_style = app.style().name()
    hints = app.styleHints()
    if name == "system":
        if hasattr(hints, "unsetColorScheme"):
            hints.unsetColorScheme()
        style = QStyleFactory.create(_system_style)
        if style is not None:
            app.setStyle(style)
        app.setPalette(app.style().standardPalette())
        return name
    dark = name == "dark"
    if hasattr(hints, "setColorScheme"):
        hints.setColorScheme(Qt.ColorScheme.Dark if dark else Qt.ColorScheme.Light)
    app.setStyle("Fusion")
    app.setPalette(fusion_palette(dark))
    return name


def initial_theme(cli: str | None = None, *, saved: bool = True) -> str:
    """The scheme to start with: ``--theme``, else ``$TRACKER_THEME``, else the one saved from
    View ▸ Theme (when ``saved``), else "system"."""
    for candidate in (cli, os.environ.get(ENV_THEME)):
        if candidate:
            if candidate not in THEMES:
                raise ValueError(f"unknown theme {candidate!r}: choose one of {', '.join(THEMES)}")
            return candidate
    if not saved:
        return "system"
    from PySide6.QtCore import QSettings

    from tracker import paths

    saved = str(
        QSettings(str(paths.settings_path()), QSettings.Format.IniFormat).value("view/theme", "system")
    )
    return saved if saved in THEMES else "system"


def current_theme() -> ChartTheme:
    """The chart colours for the application's palette now."""
    return ChartTheme.from_palette(QGuiApplication.palette())


def install_theme_menu(window: QMainWindow) -> QMenu:
    """View ▸ Theme: System / Light / Dark, remembered for the next launch."""
    from PySide6.QtGui import QAction, QActionGroup

    from tracker.ui.settings import settings

    bar = window.menuBar()
    view = next(
        (
            a.menu()
            for a in bar.actions()
            if isinstance(a.menu(), QMenu) and a.text().replace("&", "") == "View"
        ),
        None,
    )
    menu = (view or bar.addMenu("&View")).addMenu("&Theme")
    menu.setObjectName("themeMenu")
    group = QActionGroup(menu)
    group.setExclusive(True)
    applied = QApplication.instance().property("trackerTheme") or "system"

    def choose(name: str) -> None:
        apply_theme(name)
        store = settings()
        store.setValue("view/theme", name)
        store.sync()

    for name in THEMES:
        act = QAction(name.capitalize(), menu)
        act.setObjectName(f"theme_{name}")
        act.setCheckable(True)
        act.setChecked(name == applied)
        act.triggered.connect(lambda _checked=False, n=name: choose(n))
        group.addAction(act)
        menu.addAction(act)
    return menu
