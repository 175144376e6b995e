"""What the race view writes beside each bar: names as people read them, the share and votes, and
the need phrase at three levels of detail, all from the core's states (``threshold``). Pure
text and markup, no widgets: the view only decides where each piece fits.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from PySide6.QtGui import QColor

from tracker.core.threshold import OVER_NOT_CLINCHED_COMPACT, OVER_NOT_CLINCHED_TINY, Need, State, in_runoff
from tracker.ui.plain_text import clean
from tracker.ui.theme import LIGHT, ChartTheme

_ROMAN = re.compile(r"^(I{1,3}|IV|V|VI{1,3}|IX|X)[.,]?$")


def display_name(name: str) -> str:
    """Feeds like Clarity shout names ("JON OSSOFF"); title case reads faster in a list of 18.
    Names that already have mixed case are the feed's own spelling and are kept. A name is feed
    text: bidi overrides dropped and a very long one elided, so it cannot turn our texts around
    or push the bars off the chart (issue 19)."""
    name = clean(name)
    if not name.isupper():
        return name
    words = []
    for word in name.split(" "):
        if _ROMAN.match(word):
            words.append(word)
            continue
        titled = word.title()
        if titled.startswith("Mc") and len(titled) > 2:
            titled = "Mc" + titled[2:].capitalize()
        words.append(titled)
    return " ".join(words)


def round_votes(n: int) -> int:
    """Outstanding-vote estimates are rough: three significant figures, no false precision."""
    if n < 1000:
        return n
    digits = len(str(n)) - 3
    return round(n, -digits)


#: The last level of detail: the share alone. Where not even share and votes fit beside or inside
#: a bar (a narrow race pane beside a dock, two candidates near 50 %), the votes go: clipped at
#: the chart's edge, "2,189,562" read "2,189,56", another number.
SHARE_ONLY = 4


@dataclass(frozen=True)
class BarInfo:
    """What one bar shows (for the tests and the tooltips)."""

    name: str
    votes: int
    share: float  # percent
    rank: int
    need: Need
    text: str
    #: The text's pieces: share, votes, phrase (the phrase may be empty).
    parts: tuple[str, ...] = ()
    #: A shorter phrase, for when the full one does not fit (a leader near the line, a narrow window).
    compact_phrase: str = ""
    #: The shortest ("needs 49.0 %"), for a narrow window: better than no need at all.
    tiny_phrase: str = ""
    #: The projection (percent): final share and its 90 % interval; None without one.
    projected: float | None = None
    lo: float | None = None
    hi: float | None = None
    #: P(finishing over the line), 0..1; None without a projection.
    p_clear: float | None = None
    #: The party as the feed spells it ("" when it gives none).
    party: str = ""
    #: Place among the named candidates (``write_ins.named_places``: -1 for a write-in line),
    #: which the leader's and runner-up's colours go by; None: the rank.
    place: int | None = None

    @property
    def end(self) -> float:
        """Rightmost x (percent) the bar and its whisker reach: texts go beyond it."""
        return max(self.share, self.hi if self.hi is not None else 0.0)

    def phrase(self, level: int = 0) -> str:
        """The need phrase at a level of detail: 0 full, 1 shorter, 2 shortest, 3 none (and at
        ``SHARE_ONLY``, none and no votes)."""
        if level >= 3 or len(self.parts) < 3:
            return ""
        if level == 2:
            return self.tiny_phrase or self.compact_phrase or self.parts[2]
        return (self.compact_phrase or self.parts[2]) if level == 1 else self.parts[2]

    def main_html(self, colour: QColor = LIGHT.text, level: int = 0) -> str:
        """Share (bold) and votes; the share alone at ``SHARE_ONLY``."""
        pieces = [html.escape(p) for p in self.parts[: 1 if level >= SHARE_ONLY else 2]]
        if not pieces:
            return ""
        rest = f" · {pieces[1]}" if len(pieces) > 1 else ""
        return f'<span style="color:{colour.name()}"><b>{pieces[0]}</b>{rest}</span>'

    def note_html(self, level: int = 0, muted: QColor = LIGHT.muted) -> str:
        """The need phrase alone (muted), drawn beside a bar whose numbers sit inside it."""
        phrase = self.phrase(level)
        return f'<span style="color:{muted.name()}">{html.escape(phrase)}</span>' if phrase else ""

    def full_html(self, level: int = 0, colour: QColor | None = None, theme: ChartTheme = LIGHT) -> str:
        """Numbers and phrase in one text: the phrase muted beside the bar, one colour inside it."""
        main = self.main_html(colour or theme.text, level)
        phrase = html.escape(self.phrase(level))
        if not main or not phrase:
            return main
        phrase_colour = (colour or theme.muted).name()
        return f'{main}<span style="color:{phrase_colour}"> · {phrase}</span>'


def compact_need_text(need: Need, phrase: str) -> str:
    """A shorter "needs" phrase for a crowded bar (a leader near the line in a narrow window)."""
    if need.over_as_expected:
        return OVER_NOT_CLINCHED_COMPACT
    if need.state is State.NEEDS and need.share_of_outstanding is not None:
        return f"needs {need.share_of_outstanding * 100:.1f} % of what is left"
    return phrase


def tiny_need_text(need: Need, phrase: str) -> str:
    """The shortest "needs" phrase ("needs 49.0 %"): what a narrow window can still say; the
    header carries P(clear) and what is left."""
    if need.over_as_expected:
        return OVER_NOT_CLINCHED_TINY
    if need.state is State.NEEDS and need.share_of_outstanding is not None:
        return f"needs {need.share_of_outstanding * 100:.1f} %"
    return phrase


def percent_text(p: float) -> str:
    """A probability as people read it: never a false 0 % or 100 % while votes are out."""
    if p >= 1.0:
        return "100 %"
    if p <= 0.0:
        return "0 %"
    if p < 0.01:
        return "<1 %"
    if p > 0.99:
        return ">99 %"
    return f"{p * 100:.0f} %"


def p_clear_text(p: float | None, line: str) -> str:
    """ "P(>50 %) 4 %" beside the need phrase."""
    if p is None or not line:
        return ""
    return f"P(>{line}) {percent_text(p)}"


def need_text(need: Need, rank: int, counted: int, *, decided: bool = False, line: str = "") -> str:
    """The phrase beside a bar, from the core's state.

    Once everything is counted: the candidate over the line is "over 50 % · final" and, when
    someone is (``decided``), everyone else is simply "final". When nobody is, the top two go to
    the runoff and the rest are final ("runoff" beside the fifth-placed candidate would read as if
    they were in it). Votes counted but no estimate of what is left: "too early to say" (the core's
    "waiting for votes" would be wrong once votes are in)."""
    if need.state is State.WAITING:
        return "too early to say" if counted else ""
    if need.state is State.RUNOFF:
        return "runoff" if in_runoff(rank, decided=decided) else "final"
    if need.state is State.CLEARED:
        return f"over {line} · final" if line else "final"
    return need.describe()
