"""The race view's header: its lines of text and the label that elides them.

Why apart from the view: the header says in words what the chart draws (counts, the vote still
out, the projection, the feed's own call, the rule), and those words are the part users quote and
tests read; the chart's geometry is the rest of ``tracker.ui.race_view``. Every name and number
from a feed is escaped here before it reaches a rich-text label.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from operator import attrgetter

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent, QTextDocument
from PySide6.QtWidgets import QLabel, QSizePolicy

from tracker.core.model import Contest
from tracker.core.projection import ContestProjection
from tracker.core.threshold import OF_FIRST_CHOICES, Outstanding, number_word
from tracker.core.words import count
from tracker.core.write_ins import first_named
from tracker.ui.bar_texts import BarInfo, display_name, percent_text, round_votes
from tracker.ui.expected_texts import basis_text
from tracker.ui.plain_text import esc


def plain(markup: str) -> str:
    """What a rich-text label shows, as text (entities decoded: "&lt;1 %" reads "<1 %")."""
    doc = QTextDocument()
    doc.setHtml(markup)
    return doc.toPlainText()


class ElidedLabel(QLabel):
    """One line of plain text, elided at the right when its row is short; ``text()`` is whole.

    With ``shorter`` wordings (``setText``) it shows the longest one that fits whole before it
    elides anything; with an ``overflow`` callback it shows nothing rather than a stub when even
    the shortest does not fit, and tells the callback (True), which shows the text elsewhere.
    The audit of real files found AP's called races reading "Rule: pl…" beside their counts."""

    def __init__(self, overflow: Callable[[bool], None] | None = None) -> None:
        super().__init__("")
        self._full = ""
        self._shorter: tuple[str, ...] = ()
        self._overflow = overflow
        self._overflowing = False
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        policy = self.sizePolicy()
        policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)  # the counts beside it keep theirs
        self.setSizePolicy(policy)

    def setText(self, text: str, shorter: Sequence[str] = ()) -> None:
        self._full = text
        self._shorter = tuple(shorter)
        self._elide()

    def text(self) -> str:
        return self._full

    def shown(self) -> str:
        """What the label shows now (a shorter wording, elided, or nothing)."""
        return super().text()

    def overflowing(self) -> bool:
        return self._overflowing

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        width = max(self.width(), 0)
        metrics = self.fontMetrics()
        for wording in (self._full, *self._shorter):
            if metrics.horizontalAdvance(wording) <= width:
                super().setText(wording)
                self._set_overflow(False)
                return
        if self._overflow is not None:
            super().setText("")
            self._set_overflow(True)
            return
        last = self._shorter[-1] if self._shorter else self._full
        super().setText(metrics.elidedText(last, Qt.TextElideMode.ElideRight, width))

    def _set_overflow(self, overflowing: bool) -> None:
        if overflowing != self._overflowing:
            self._overflowing = overflowing
            if self._overflow is not None:
                self._overflow(overflowing)


def terse_rule(contest: Contest) -> str:
    """The rule in as few words as say it ("majority, runoff", "top 3 win"), for a header whose
    counts leave the full wording no room."""
    rule = contest.threshold
    if rule.measure:
        return f"Rule: {rule.label()} to pass"
    if rule.advance:
        return f"Rule: top {number_word(rule.advance)} advance"
    if rule.is_ranked_choice:
        return "Rule: ranked choice (a majority of first choices wins outright)"
    if not rule.has_line:
        seats = max(contest.vote_for, 1)
        return "Rule: plurality" if seats <= 1 else f"Rule: top {seats} win"
    head = "majority" if rule.rule == "majority" else rule.over_words()
    return f"Rule: {head}, runoff" if rule.has_runoff else f"Rule: {head}"


def projection_line(projection: ContestProjection | None, bars: list[BarInfo], line: str) -> str:
    """One line under the header: the leader's projected final share, its interval, P(clear)."""
    if projection is None:
        return ""
    if projection.too_early:
        return (
            html.escape(f"Projection: too early ({projection.reason}){basis_text(projection)}")
            if projection.counted
            else ""
        )
    if projection.status == "final":
        return ""
    # The leader among the names: a write-in line is many names' votes, never the leader.
    top = first_named(projection.ranked(), attrgetter("name"))
    if top is None or top.share is None or top.lo is None or top.hi is None:
        return ""
    name = esc(display_name(top.name))
    # A ranked-choice race's line is of first choices: so is what the projection projects.
    what = "Projected final first choices" if line.endswith(OF_FIRST_CHOICES) else "Projected final"
    text = (
        f"{what}: <b>{name} {top.share * 100:.1f} %</b> "
        f"(90 % interval {top.lo * 100:.1f}–{top.hi * 100:.1f} %)"
    )
    if top.p_clear is not None and line:
        text += f" · P({name} over {html.escape(line)}) <b>{html.escape(percent_text(top.p_clear))}</b>"
    return text + html.escape(basis_text(projection))


def call_text(contest: Contest) -> str:
    """The feed publisher's own race call (AP's), said to be theirs: " · AP called: NAME"
    (names escaped: the label is rich text, a name from a feed is plain text)."""
    import html

    if not contest.call_label:
        return ""
    names = {c.id: c.name for c in contest.candidates}
    by = html.escape(contest.called_by)
    if contest.winners:
        return f" · <b>{by} called</b>: " + ", ".join(html.escape(names.get(i, i)) for i in contest.winners)
    return f" · <b>{by}: runoff</b> between " + ", ".join(
        html.escape(names.get(i, i)) for i in contest.advancing
    )


def outstanding_line(
    outstanding: Outstanding | None,
    counted: int,
    source: str,
    why: str = "",
    *,
    bounded: bool = False,
    precincts: tuple[int, int] | None = None,
    stated: str = "",
) -> str:
    """``why``: the projection's reason for "too early", the same words as its line.
    ``bounded``: the range's top is a bound (counties not in yet may be as big as the largest
    counted), not a likely value, and is not called "likely". ``precincts``: (fully in, of) as
    the header says them; nothing out says "all precincts reporting" only when they all are.
    ``stated``: what the feed says, or lacks, of a final count (``Contest.completeness``: a
    Georgia export read as the final count from its own date), said with the verdict."""
    if outstanding is None:
        why = why or "no comparable precinct is fully in yet"
        return (
            f"Outstanding vote: too early to estimate ({why}{'; ' + stated if stated else ''})"
            if counted
            else "No votes counted yet"
        )
    if outstanding.hi == 0:
        if stated and outstanding.hard:  # every place complete, on the evidence stated
            return f"Nothing outstanding: {stated}"
        reporting, total = precincts if precincts is not None else (1, 1)
        if not total:  # a feed with no precinct counts: not "all precincts"
            return (
                "Nothing outstanding: every place in the feed is complete"
                if outstanding.hard
                else "Nothing estimated to be still out" + (f" ({stated})" if stated else "")
            )
        if reporting < total:
            # Greenup County's 2014 primary: 32 of 33 precincts, the 33rd (absentee, "AB") with a
            # status code nobody documents, but each vote type the file lists is in.
            return "Nothing estimated to be still out, though not every precinct is marked complete"
        return "All precincts reporting: nothing outstanding"
    lo, mid, hi = (round_votes(n) for n in (outstanding.lo, outstanding.expected, outstanding.hi))
    if bounded:
        spread = f" ({lo:,} to at most {hi:,}: a county not in yet may be as big as the largest counted)"
    else:
        spread = f" (likely {lo:,}–{hi:,})" if lo != hi else ""
    return f"About {count(mid, 'vote')} still out{spread}, estimated from {source}"


__all__ = ["ElidedLabel", "call_text", "outstanding_line", "plain", "projection_line", "terse_rule"]
