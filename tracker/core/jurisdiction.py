"""Which rule decides a race: the feed's word, else the jurisdiction table, else plurality.

The table (``resources/rules/contest_rules.csv``) has one row per state × election type ×
office pattern, each with the statute or official page it rests on; the first row that matches
wins, so specific rows come before a state's catch-all and the ``*`` defaults come last. It is
data, not code, so a newsroom can add its state without touching the parser.

Feed parsers call :func:`rule_for` with what they know (a state, the election's name or type,
the office, vote-for, the choices' names, and any threshold the feed itself states). A rule the
feed states always wins; the table comes next; a user's override (kept in the store) is applied
later, by whoever shows the race (:func:`tracker.store.Store.rule_overrides`).
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from fractions import Fraction
from pathlib import Path

from tracker import paths
from tracker.core.threshold import ThresholdRule

__all__ = [
    "STATE_CODES",
    "JurisdictionRow",
    "election_kind",
    "election_year",
    "is_measure",
    "load_table",
    "presidential_stake",
    "rule_for",
    "state_from",
]

ELECTION_KINDS = ("primary", "runoff", "general", "special", "any")

_STATES = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
        "PR",
        "GU",
        "VI",
        "AS",
        "MP",
    ]
)
_YES_NO = re.compile(
    r"^\s*(yes|no|for|against|approve[ds]?|reject(ed)?|retain|not retain|do not retain|si|sí)\b", re.I
)


@dataclass(frozen=True)
class JurisdictionRow:
    state: str
    election: str
    office: re.Pattern[str] | None  # None: any office
    rule: ThresholdRule
    #: The first year the row's law applies ("primary from 2022": Alaska's top four); 0: always.
    #: An election whose name states no year is read under the law of today.
    since: int = 0

    def matches(self, state: str, election: str, office: str, measure: bool, year: int = 0) -> bool:
        if self.rule.measure != measure:
            return False
        if self.state not in ("*", state):
            return False
        if self.election != "any" and self.election != election:
            return False
        if self.since and year and year < self.since:
            return False
        return self.office is None or bool(self.office.search(office))


def _yes(text: str) -> bool:
    return text.strip().lower() in ("yes", "y", "true", "1")


_TOP = re.compile(r"top-(\d+)")
_SINCE = re.compile(r"(\w+)\s+from\s+(\d{4})")


def _row(raw: dict[str, str], where: str) -> JurisdictionRow:
    kind = raw["rule"].strip()
    # "top-2": a primary whose two most-voted advance (a plurality rule that elects nobody).
    top = _TOP.fullmatch(kind)
    advance = int(top.group(1)) if top else 0
    kind = "plurality" if top else kind
    # A share is a decimal (0.55) or a fraction ("2/3": New Hampshire's amendments, which no
    # decimal states exactly); ThresholdRule.fraction reads the float back as 2/3.
    share = float(Fraction(raw["share"].strip())) if (raw.get("share") or "").strip() else 0.5
    election = raw["election"].strip().lower()
    since = _SINCE.fullmatch(election)
    election = since.group(1) if since else election
    if election not in ELECTION_KINDS:
        raise ValueError(
            f"{where}: election must be one of {', '.join(ELECTION_KINDS)}, optionally followed "
            "by 'from YEAR'"
        )
    office = raw["office"].strip()
    source = raw["source"].strip()
    if not source:
        raise ValueError(f"{where}: every row names its statute or official source")
    rule = ThresholdRule(
        kind,
        share,
        runoff=raw["runoff"].strip() or "none",
        measure=_yes(raw.get("measure", "")),
        at_least=_yes(raw.get("at_least", "")),
        advance=advance,
        # An optional last column: the question also passes with a majority of all ballots cast.
        or_ballots_majority=_yes(raw.get("or_ballots_majority") or ""),
        # The "*" rows at the end are the defaults; a "*" row for one office (presidential
        # primaries) is the table's own rule.
        source="table" if raw["state"].strip() != "*" or office not in ("", "*") else "default",
        basis=source,
    )
    return JurisdictionRow(
        raw["state"].strip().upper(),
        election,
        None if office in ("", "*") else re.compile(office, re.I),
        rule,
        int(since.group(2)) if since else 0,
    )


def table_path() -> Path:
    return paths.resources_dir() / "rules" / "contest_rules.csv"


@functools.lru_cache(maxsize=4)
def load_table(path: Path | None = None) -> tuple[JurisdictionRow, ...]:
    """The rows, in file order (first match wins). Cached: parsers call :func:`rule_for` once per
    contest."""
    path = path or table_path()
    with path.open(newline="", encoding="utf-8") as fh:
        return tuple(_row(raw, f"{path.name} row {i}") for i, raw in enumerate(csv.DictReader(fh), start=2))


def election_kind(name: str) -> str:
    """The election type from a feed's name or type ("2014 Primary Election" → "primary",
    "January 5, 2021 Federal Runoff" → "runoff"); "any" when the name does not say. A caucus is
    a nominating contest like a primary (AP's "Caucus" races: the presidential-primary row, not
    the default rows, says what they allot)."""
    text = name.casefold()
    for kind, pattern in (
        ("runoff", r"runoff|run-off|second primary"),
        ("primary", r"primary|preferential|caucus"),
        ("general", r"general"),
        ("special", r"special"),
    ):
        if re.search(pattern, text):
            return kind
    return "any"


def election_year(name: str) -> int:
    """The year an election's name states ("August 16, 2022 Primary" → 2022); 0 when none."""
    years = re.findall(r"(?<!\d)((?:19|20)\d\d)(?!\d)", name)
    return int(years[0]) if years else 0


def is_measure(choices: Iterable[str]) -> bool:
    """A ballot question: two or more choices, every one a Yes/No, For/Against or Retain answer."""
    names = [c for c in choices if c.strip()]
    return len(names) >= 2 and all(_YES_NO.match(c) for c in names)


@functools.lru_cache(maxsize=1)
def unique_counties() -> dict[str, str]:
    """County name (casefolded, without "County"/"Parish") → state, for the 1,489 names that only
    one state uses (US Census Bureau 2020 county list; see resources/rules/README.md). A county
    Clarity site's Region is the county's name ("Gwinnett"), and its file may come without the URL
    that names the state."""
    path = paths.resources_dir() / "rules" / "unique_counties.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        return {row["county"].casefold(): row["state"] for row in csv.DictReader(fh)}


_COUNTY_WORDS = re.compile(r"\s+(county|parish|borough)$", re.I)


#: A state's name, as results sites and reports spell their jurisdiction ("Georgia", "Wyoming"),
#: casefolded → its two-letter code.
STATE_CODES: dict[str, str] = {
    "alabama": "AL",
    "alaska": "AK",
    "arizona": "AZ",
    "arkansas": "AR",
    "california": "CA",
    "colorado": "CO",
    "connecticut": "CT",
    "delaware": "DE",
    "florida": "FL",
    "georgia": "GA",
    "hawaii": "HI",
    "idaho": "ID",
    "illinois": "IL",
    "indiana": "IN",
    "iowa": "IA",
    "kansas": "KS",
    "kentucky": "KY",
    "louisiana": "LA",
    "maine": "ME",
    "maryland": "MD",
    "massachusetts": "MA",
    "michigan": "MI",
    "minnesota": "MN",
    "mississippi": "MS",
    "missouri": "MO",
    "montana": "MT",
    "nebraska": "NE",
    "nevada": "NV",
    "new hampshire": "NH",
    "new jersey": "NJ",
    "new mexico": "NM",
    "new york": "NY",
    "north carolina": "NC",
    "north dakota": "ND",
    "ohio": "OH",
    "oklahoma": "OK",
    "oregon": "OR",
    "pennsylvania": "PA",
    "rhode island": "RI",
    "south carolina": "SC",
    "south dakota": "SD",
    "tennessee": "TN",
    "texas": "TX",
    "utah": "UT",
    "vermont": "VT",
    "virginia": "VA",
    "washington": "WA",
    "west virginia": "WV",
    "wisconsin": "WI",
    "wyoming": "WY",
    "district of columbia": "DC",
}


def state_from(*hints: str) -> str:
    """A two-letter state from what a feed says about itself, first that tells: a Region that is
    a state code ("GA"), a Clarity URL (``.../GA/Gwinnett/105369/...``), a Region that is a county
    name only one state has ("Gwinnett", "Allegheny County"), or a file name that starts with a
    state code (``pa_allegheny_...``) or holds one in capitals (``..._GA_2020_...``); "" when none
    says (then the default rule applies and the window says the state is unknown)."""
    texts = [h.strip() for h in hints if h and h.strip()]
    for text in texts:
        if len(text) == 2 and text.upper() in _STATES:
            return text.upper()
    for text in texts:
        m = re.search(r"clarityelections\.com/([A-Za-z]{2})/", text)
        if m and m.group(1).upper() in _STATES:
            return m.group(1).upper()
    counties = unique_counties()
    for text in texts:
        state = counties.get(_COUNTY_WORDS.sub("", text).casefold())
        if state:
            return state
    for text in texts:
        name = Path(text.replace("\\", "/")).name
        m = re.match(r"([A-Za-z]{2})[_-]", name)
        if m and m.group(1).upper() in _STATES:
            return m.group(1).upper()
        # An upper-case code between separators ("wapo-elex-clarity_GA_2020_summary.json"); lower
        # case only at the start, where "co_", "in_" or "or-" cannot be a word of the name.
        for code in re.findall(r"(?<=[_\-.])([A-Z]{2})(?=[_\-.])", name):
            if code in _STATES:
                return code
    return ""


#: A presidential race, as feeds name it: "US PRESIDENT (VOTE FOR 1)", "President and Vice
#: President", "Presidential Electors", "Electors for President", "DEM US PRESIDENT", AP's "CT
#: President" (a state code first), "Presidential Preference - REP". Not an office called
#: president: "Council President", "Borough President", "President of the Board", "President
#: Judge", "Presidente de la Comisión del Condado", "Baltimore City Council, President".
_PRESIDENTIAL = re.compile(
    r"^(?:[a-z]{2,3}\s*[-:,]?\s+|democratic\s+|republican\s+|libertarian\s+)?"
    r"(?:for\s+)?(?:(?:u\.?\s?s\.?|united\s+states)\s+)?"
    r"(?:president(?:ial)?\b|electors?\s+for\s+president\b)"
    r"(?!.*\b(?:council|board|commission|comisi[oó]n|borough|village|town|city|school|aldermen|judge|"
    r"senate|pro\s+tem|club|society)\b)",
    re.I,
)
#: A race for a congressional district's presidential elector ("President - CD 2", "President
#: District 2", "Presidential Electors, 2nd Congressional District").
_ELECTOR_DISTRICT = re.compile(
    r"\b(?:cd|congressional\s+district|district)\s*[-#]?\s*\d|\b\d+(?:st|nd|rd|th)\s+"
    r"(?:congressional\s+)?district\b",
    re.I,
)
#: A primary's or caucus's presidential race named so ("President, Dem Caucus", "REP President").
_NOMINATING = re.compile(
    r"\b(?:primary|caucus(?:es)?|preference|dem|rep|gop|democratic|republican|lib|libertarian)\b", re.I
)
#: States that choose one presidential elector per congressional district and two at large, and
#: the first year they did: Maine (21-A M.R.S. § 802, first used in 1972) and Nebraska (LB 115
#: of 1991, first used in 1992). A district's race carries that district's elector only there.
_SPLIT_ELECTORS = {"ME": 1972, "NE": 1992}
#: Territories choose no presidential electors (Puerto Rico's presidential vote is a straw poll).
_TERRITORIES = frozenset({"PR", "GU", "VI", "AS", "MP"})


def presidential_stake(state: str, election: str, office: str) -> str:
    """What a presidential race's count chooses (``threshold.CHOOSES``), "" for any other race.

    A state's general election carries its presidential electors (Maine's and Nebraska's statewide
    count their two at-large electors, a district's count its one); a primary or caucus allots
    delegates by each party's rules; "nobody" where the file does not let us say more (no state, a
    territory, a presidential count by district elsewhere, or an election whose kind the name does
    not give and whose race is not named for a party). Whichever it is, nobody is elected."""
    if not _PRESIDENTIAL.search(office):
        return ""
    kind = election if election in ELECTION_KINDS else election_kind(election)
    year = 0 if election in ELECTION_KINDS else election_year(election)
    if kind == "primary" or (kind != "general" and _NOMINATING.search(f"{election} {office}")):
        return "delegates"
    state = state.strip().upper()
    if kind != "general" or not state or state in _TERRITORIES:
        return "nobody"
    district = bool(_ELECTOR_DISTRICT.search(office))
    since = _SPLIT_ELECTORS.get(state)
    if since and (not year or year >= since):
        return "district-elector" if district else "at-large-electors"
    if district:
        return "nobody"
    return "dc-electors" if state == "DC" else "electors"


def rule_for(
    state: str,
    election: str,
    office: str,
    *,
    vote_for: int = 1,
    choices: Sequence[str] = (),
    stated: ThresholdRule | None = None,
    measure: bool | None = None,
) -> ThresholdRule:
    """The rule for one race, from the best source that says.

    ``election`` is a kind (:data:`ELECTION_KINDS`) or an election's name; ``stated`` is a rule
    the feed itself gives (Clarity's electionsettings thresholds, AP's winThreshold, a
    tracker-feed/1 file's ``threshold``): it wins, marked ``source="feed"``. ``measure`` says the
    race is a ballot question when the feed knows (AP's "Ballot Issue"); else the choices tell.
    A table row's line rule for a race with several seats (``vote_for`` > 1) becomes top-N
    plurality, said so in its basis: the tracker does not model a multi-seat majority test. A
    presidential race's rule says what its count chooses (:func:`presidential_stake`), whichever
    source gave the rule.
    """
    rule = _rule_for(state, election, office, vote_for, choices, stated, measure)
    if rule.measure or rule.chooses:
        return rule
    stake = presidential_stake(state, election, office)
    return replace(rule, chooses=stake) if stake else rule


def _rule_for(
    state: str,
    election: str,
    office: str,
    vote_for: int,
    choices: Sequence[str],
    stated: ThresholdRule | None,
    measure: bool | None,
) -> ThresholdRule:
    if stated is not None:
        return (
            stated
            if stated.source == "feed"
            else stated.with_source("feed", stated.basis or "stated by the feed")
        )
    kind = election if election in ELECTION_KINDS else election_kind(election)
    year = 0 if election in ELECTION_KINDS else election_year(election)
    question = is_measure(choices) if measure is None else measure
    state = state.strip().upper()
    for row in load_table():
        if row.matches(state, kind, office, question, year):
            rule = row.rule
            if vote_for > 1 and rule.has_line and not rule.measure:
                rule = ThresholdRule.plurality(
                    source=rule.source,
                    basis=f"{vote_for} seats: the {vote_for} with the most votes win (a multi-seat "
                    f"majority test is not modelled). Single-seat rule: {rule.basis}",
                )
            if row.state == "*" and not state:
                return rule.with_source("default", rule.basis + " (the feed does not say which state)")
            return rule
    return ThresholdRule.plurality(source="default", basis="no rule in the table matched")
