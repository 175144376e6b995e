"""The user's own rule for a race (Race ▸ Contest rule…), kept in the store per election.

A feed may state no rule and the jurisdiction table may not know the state (a county file named
only "Fulton"), or a local race may follow a charter the table does not list: the user then says
how the race is decided. The choice is stored (``Store.set_rule_override``, on the worker's
thread like every store job) and applied to the race wherever the window shows it, marked
"set by you"; choosing "as the feed or the table says" forgets it.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import TYPE_CHECKING, Protocol

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
)

from tracker.core.model import Contest
from tracker.core.projection_rule import under_rule
from tracker.core.race_facts import RaceFacts, race_facts, snapshot_facts
from tracker.core.threshold import ThresholdRule
from tracker.store import Store

if TYPE_CHECKING:
    from collections.abc import Sequence

    from tracker.core.model import Snapshot
    from tracker.core.projection import ContestProjection
    from tracker.ui.workers import Worker


class _Window(Protocol):
    """What the overrides use of the main window: its worker, what it shows, its error line and
    the widget the dialog belongs to. Narrow on purpose: the window installs this module, so it
    must not import the window back (docs/architecture.md, "Layers")."""

    @property
    def worker(self) -> Worker: ...
    @property
    def snapshot(self) -> Snapshot | None: ...
    @property
    def selected_contest(self) -> str | None: ...
    def report_error(self, message: str) -> None: ...


#: The choices the dialog offers, in order: (label, kind). ``kind`` None forgets the override.
CHOICES: tuple[tuple[str, str | None], ...] = (
    ("As the feed or the jurisdiction table says", None),
    ("Plurality: the most votes win (N seats: the N most), no runoff", "plurality"),
    ("Majority (over 50 %), else the top two go to a runoff", "majority-runoff"),
    ("Majority (over 50 %), else the most votes win", "majority"),
    (
        "Ranked choice: a majority of first choices wins outright, else the rounds decide",
        "ranked-choice",
    ),
    ("More than a share, else the top two go to a runoff", "share-runoff"),
    ("More than a share, else the runner-up may ask for a runoff", "share-request"),
    ("Ballot question: passes with more than a share of yes", "measure"),
    ("Ballot question: passes with at least two-thirds yes (exactly 2/3)", "measure-two-thirds"),
    (
        "Ballot question: passes with a share of yes, or yes from a majority of all ballots cast",
        "measure-or-ballots",
    ),
    ("Top two advance to the general election (a top-two primary: nobody is elected)", "top-2"),
    ("Top four advance to the general election (Alaska's primary: nobody is elected)", "top-4"),
)


def rule_of_choice(kind: str | None, percent: float = 50.0, at_least: bool = False) -> ThresholdRule | None:
    """The rule a dialog choice stands for (None: no override). ``percent`` is the share for the
    share and ballot-question choices; 50 % becomes a majority."""
    if kind is None:
        return None
    if kind == "plurality":
        return ThresholdRule.plurality(source="user")
    if kind.startswith("top-"):
        return ThresholdRule.top(int(kind.removeprefix("top-")), source="user")
    if kind == "majority-runoff":
        return ThresholdRule.majority(source="user")
    if kind == "majority":
        return ThresholdRule.majority(runoff="none", source="user")
    if kind == "ranked-choice":
        return ThresholdRule.ranked_choice(source="user")
    if kind == "measure-two-thirds":
        # A float share of 66.7 % would fail 200 yes of 300: the rule keeps two-thirds exactly.
        return ThresholdRule("share", 2 / 3, runoff="none", measure=True, at_least=True, source="user")
    share = round(percent / 100, 6)
    runoff = {"share-runoff": "top-two", "share-request": "on-request"}.get(kind, "none")
    measure = kind in ("measure", "measure-or-ballots")
    ballots = kind == "measure-or-ballots"
    if share == 0.5 and not at_least:
        return ThresholdRule.majority(
            runoff=runoff, measure=measure, or_ballots_majority=ballots, source="user"
        )
    return ThresholdRule(
        "share",
        share,
        runoff=runoff,
        measure=measure,
        at_least=at_least,
        or_ballots_majority=ballots,
        source="user",
    )


def choice_of_rule(rule: ThresholdRule | None) -> tuple[str | None, float, bool]:
    """The dialog's (kind, percent, at least) for an override, to open the dialog where it was."""
    if rule is None:
        return None, 50.0, False
    if rule.advance in (2, 4):
        return f"top-{rule.advance}", 50.0, False
    if not rule.has_line:
        return "plurality", 50.0, False
    if rule.measure and rule.or_ballots_majority:
        return "measure-or-ballots", rule.share * 100, rule.at_least
    if rule.measure and rule.at_least and rule.fraction == Fraction(2, 3):
        return "measure-two-thirds", rule.share * 100, True
    if rule.measure:
        return "measure", rule.share * 100, rule.at_least
    if rule.is_ranked_choice:
        return "ranked-choice", 50.0, False
    if rule.rule == "majority":
        return ("majority-runoff" if rule.runoff != "none" else "majority"), 50.0, False
    return (
        ("share-request" if rule.runoff == "on-request" else "share-runoff"),
        rule.share * 100,
        rule.at_least,
    )


class RuleDialog(QDialog):
    """Pick a race's rule: a kind, and a share where the kind has one."""

    def __init__(self, contest: Contest, current: ThresholdRule | None, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Contest rule")
        form = QFormLayout(self)
        title = QLabel(contest.name)
        title.setTextFormat(Qt.TextFormat.PlainText)
        form.addRow("Race:", title)
        now = QLabel(f"{contest.threshold.describe(contest.vote_for)} ({contest.threshold.origin()})")
        now.setTextFormat(title.textFormat())
        now.setWordWrap(True)
        form.addRow("Now:", now)
        self.kind = QComboBox()
        for label, kind in CHOICES:
            self.kind.addItem(label, kind)
        self.share = QDoubleSpinBox()
        self.share.setRange(1.0, 99.0)
        self.share.setDecimals(1)
        self.share.setSuffix(" %")
        self.at_least = QCheckBox("reached at exactly the share (at least, not more than)")
        form.addRow("Decided by:", self.kind)
        form.addRow("Share:", self.share)
        form.addRow("", self.at_least)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        kind, percent, at_least = choice_of_rule(current)
        self.kind.setCurrentIndex(max(self.kind.findData(kind), 0))
        self.share.setValue(percent)
        self.at_least.setChecked(at_least)
        self.kind.currentIndexChanged.connect(self._sync)
        self._sync()

    def _sync(self) -> None:
        kind = self.kind.currentData()
        has_share = kind in ("share-runoff", "share-request", "measure", "measure-or-ballots")
        self.share.setEnabled(has_share)
        self.at_least.setEnabled(has_share)

    def rule(self) -> ThresholdRule | None:
        return rule_of_choice(self.kind.currentData(), self.share.value(), self.at_least.isChecked())


class RuleOverrides(QObject):
    """The current election's overrides, loaded from the store when an election opens."""

    #: The overrides changed (loaded, set or forgotten): the window redraws the race.
    changed = Signal()

    def __init__(self, window: _Window) -> None:
        super().__init__(window)  # type: ignore[arg-type]
        self._window = window
        self._election = ""
        self._rules: dict[str, ThresholdRule] = {}
        self.action = QAction("Contest &rule…", window)
        self.action.setObjectName("contest_rule")
        self.action.setToolTip(
            "Say how the selected race is decided, when the feed and the table do not know"
        )
        self.action.triggered.connect(self.choose)

    @property
    def rules(self) -> dict[str, ThresholdRule]:
        return dict(self._rules)

    def follow(self, election_id: str) -> None:
        """The window shows ``election_id``: load its overrides (once per election)."""
        if election_id == self._election:
            return
        self._election = election_id
        self._rules = {}

        def job(store: Store) -> dict[str, ThresholdRule]:
            return store.rule_overrides(election_id)

        self._window.worker.run_store_job(job, lambda rules: self._loaded(election_id, rules))  # type: ignore[arg-type]

    def _loaded(self, election_id: str, rules: object) -> None:
        if election_id != self._election or not isinstance(rules, dict):
            return
        self._rules = rules
        if rules:
            self.changed.emit()

    def apply(self, contest: Contest) -> Contest:
        """``contest`` under the user's rule for it, when there is one."""
        rule = self._rules.get(contest.id)
        if rule is None:
            return contest
        # What a presidential race's count chooses is the race's, not the rule's choice: kept.
        chooses = "" if rule.measure else rule.chooses or contest.threshold.chooses
        return replace(contest, threshold=replace(rule, chooses=chooses))

    def facts(self, snapshot: Snapshot, facts: Sequence[RaceFacts] | None) -> Sequence[RaceFacts] | None:
        """The race list's facts with the user's rules applied: the "Over line" filter and the
        margin follow an override (the worker made ``facts`` under the feed's or table's rule)."""
        if not self._rules:
            return facts
        if facts is None or len(facts) != len(snapshot.contests):
            facts = snapshot_facts(snapshot)
        return tuple(
            race_facts(self.apply(c)) if c.id in self._rules else f
            for c, f in zip(snapshot.contests, facts, strict=True)
        )

    def apply_snapshot(self, snapshot: Snapshot) -> Snapshot:
        """``snapshot`` with every overridden race under the user's rule (the overview's cards)."""
        if not self._rules:
            return snapshot
        return replace(snapshot, contests=tuple(self.apply(c) for c in snapshot.contests))

    def projection(self, projection: ContestProjection | None, contest: Contest) -> ContestProjection | None:
        """The race's projection with P(clear) under the user's rule when there is one."""
        if contest.id not in self._rules:
            return projection
        return under_rule(projection, contest)

    def set_rule(self, contest_id: str, rule: ThresholdRule | None) -> None:
        """Keep (or forget, None) the user's rule for a race of the current election."""
        election = self._election
        if rule is None:
            self._rules.pop(contest_id, None)
        else:
            self._rules[contest_id] = rule.with_source("user", "set in the window")

        def job(store: Store) -> None:
            store.set_rule_override(election, contest_id, rule)

        self._window.worker.run_store_job(job, lambda _none: None)
        self.changed.emit()

    def choose(self) -> None:
        snapshot, cid = self._window.snapshot, self._window.selected_contest
        if snapshot is None or cid is None:
            self._window.report_error("pick a race first: its rule is set race by race")
            return
        try:
            contest = snapshot.contest(cid)
        except KeyError:
            return
        dialog = RuleDialog(self.apply(contest), self._rules.get(cid), self._window)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.set_rule(cid, dialog.rule())
