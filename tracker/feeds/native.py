"""The native feed format ``tracker-feed/1``: one JSON document per feed version.

It exists so that anyone can publish results the tracker reads (a spreadsheet export, a script),
and so that reconstructed nights have a format whose every field maps onto the model. The shape is
pinned by ``resources/schema/tracker-feed-1.schema.json``; this module checks it by hand instead of
with jsonschema because jsonschema is only a test dependency and because hand checks can also catch
what a schema cannot express (unknown candidate ids, duplicate ids, reporting > total) with a
message that names the exact path.

The writer is deterministic (fixed key order, compact separators, UTF-8) so that a night rebuilt
from the same inputs is byte-identical, which keeps payload hashes, and therefore night files and
anything keyed on them, stable across builds.

Not carried by the format (dropped by the writer, absent after parsing): ``Contest.reported_totals``,
``Contest.reported_precincts``, ``Snapshot.fetched_at`` and ``Snapshot.payload_id`` (the last two
belong to the recording, not to the feed).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from typing import Any, NoReturn

from tracker.core.errors import FeedError
from tracker.core.model import (
    Candidate,
    Contest,
    Election,
    Reporting,
    ReportingUnit,
    Snapshot,
    UnitKind,
    VoteType,
)
from tracker.core.threshold import CHOOSES, RUNOFF_KINDS, ThresholdRule

FORMAT = "tracker-feed/1"

#: RFC 3339 date-time with a mandatory offset; ASCII digits only (Python's ``\d`` is Unicode).
_DATETIME_RE = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})"
)
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

_KINDS = {k.value: k for k in UnitKind}
_REPORTING = {r.value: r for r in Reporting}


class _JSONObject(dict):  # type: ignore[type-arg]
    """A decoded JSON object that remembers keys it saw twice: ``json`` silently keeps the last
    one, which would hide a copy-paste error in a hand-made feed."""

    __slots__ = ("duplicates",)

    duplicates: tuple[str, ...]


def _object_pairs(pairs: list[tuple[str, Any]]) -> _JSONObject:
    obj = _JSONObject()
    dups: list[str] = []
    for key, value in pairs:
        if key in obj:
            dups.append(key)
        obj[key] = value
    obj.duplicates = tuple(dups)
    return obj


def _reject_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not valid JSON")


class _Checker:
    """Validates a decoded document while building the model, so each rule lives in one place
    and every message carries the path of the offending value."""

    def __init__(self, source: str) -> None:
        self._prefix = f"{source}: " if source else ""

    def fail(self, path: str, message: str) -> NoReturn:
        raise FeedError(f"{self._prefix}{path}: {message}")

    # -- primitives -------------------------------------------------------------------------

    def as_obj(
        self, value: Any, path: str, *, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> Mapping[str, Any]:
        if not isinstance(value, dict):
            self.fail(path, f"expected a JSON object, got {_json_type(value)}")
        dups = getattr(value, "duplicates", ())
        if dups:
            self.fail(path, f"key {dups[0]!r} appears more than once")
        for key in required:
            if key not in value:
                self.fail(path, f"missing required key {key!r}")
        allowed = set(required) | set(optional)
        for key in value:
            if key not in allowed and not key.startswith("x-"):
                self.fail(path, f"unknown key {key!r} (extension keys must start with 'x-')")
        return value

    def as_map(self, value: Any, path: str) -> Mapping[str, Any]:
        """A JSON object used as a dictionary (keys are data, not property names)."""
        if not isinstance(value, dict):
            self.fail(path, f"expected a JSON object, got {_json_type(value)}")
        dups = getattr(value, "duplicates", ())
        if dups:
            self.fail(path, f"key {dups[0]!r} appears more than once")
        for key in value:
            if not key:
                self.fail(path, "keys must not be empty strings")
        return value

    def as_list(self, value: Any, path: str, *, min_items: int = 0) -> list[Any]:
        if not isinstance(value, list):
            self.fail(path, f"expected a JSON array, got {_json_type(value)}")
        if len(value) < min_items:
            self.fail(path, f"needs at least {min_items} item{'s' if min_items != 1 else ''}")
        return value

    def as_str(self, value: Any, path: str, *, nonempty: bool = False) -> str:
        if not isinstance(value, str):
            self.fail(path, f"expected a string, got {_json_type(value)}")
        if nonempty and not value:
            self.fail(path, "must not be an empty string")
        return value

    def as_int(self, value: Any, path: str, *, minimum: int) -> int:
        # bool is an int subclass in Python; JSON true/false must never count as 1/0 votes.
        if isinstance(value, bool):
            self.fail(path, f"expected a whole number, got {_json_type(value)}")
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            value = int(value)  # spreadsheet exports write 12.0; JSON Schema counts it as an integer
        if not isinstance(value, int):
            self.fail(path, f"expected a whole number, got {_json_type(value)}")
        if value < minimum:
            self.fail(path, f"must be at least {minimum}, got {value}")
        return value

    def as_bool(self, value: Any, path: str) -> bool:
        if not isinstance(value, bool):
            self.fail(path, f"expected true or false, got {_json_type(value)}")
        return value

    def as_datetime(self, value: Any, path: str) -> dt.datetime:
        text = self.as_str(value, path)
        if not _DATETIME_RE.fullmatch(text):
            self.fail(path, f"expected an ISO-8601 date-time with a UTC offset, got {text!r}")
        try:
            return dt.datetime.fromisoformat(text)
        except ValueError:
            self.fail(path, f"{text!r} is not a real date and time")

    def as_date(self, value: Any, path: str) -> dt.date:
        text = self.as_str(value, path)
        if not _DATE_RE.fullmatch(text):
            self.fail(path, f"expected an ISO-8601 date (YYYY-MM-DD), got {text!r}")
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            self.fail(path, f"{text!r} is not a real date")

    def as_enum(self, value: Any, path: str, choices: Mapping[str, Any]) -> Any:
        text = self.as_str(value, path)
        if text not in choices:
            self.fail(path, f"expected one of {', '.join(map(repr, choices))}, got {text!r}")
        return choices[text]

    # -- the document -----------------------------------------------------------------------

    def snapshot(self, doc: Any) -> Snapshot:
        doc = self.as_obj(
            doc,
            "the document",
            required=("format", "election", "version", "contests"),
            optional=("published_at",),
        )
        fmt = doc["format"]
        if fmt != FORMAT:
            self.fail("format", f"expected {FORMAT!r}, got {fmt!r}")
        version = doc["version"]
        if isinstance(version, bool) or not isinstance(version, (str, int)):
            self.fail("version", f"expected a string or a whole number, got {_json_type(version)}")
        election = self.election(doc["election"], "election")
        published_at = (
            self.as_datetime(doc["published_at"], "published_at") if "published_at" in doc else None
        )
        contests = self.as_list(doc["contests"], "contests", min_items=1)
        seen: set[str] = set()
        parsed: list[Contest] = []
        for i, raw in enumerate(contests):
            contest = self.contest(raw, f"contests[{i}]")
            if contest.id in seen:
                self.fail(f"contests[{i}].id", f"duplicate contest id {contest.id!r}")
            seen.add(contest.id)
            parsed.append(contest)
        return Snapshot(
            election=election,
            contests=tuple(parsed),
            version=str(version),
            published_at=published_at,
        )

    def election(self, raw: Any, path: str) -> Election:
        e = self.as_obj(
            raw,
            path,
            required=("id", "name"),
            optional=("date", "source", "reconstructed", "note", "test"),
        )
        return Election(
            id=self.as_str(e["id"], f"{path}.id", nonempty=True),
            name=self.as_str(e["name"], f"{path}.name"),
            date=self.as_date(e["date"], f"{path}.date") if "date" in e else None,
            source=self.as_str(e.get("source", ""), f"{path}.source"),
            reconstructed=self.as_bool(e.get("reconstructed", False), f"{path}.reconstructed"),
            note=self.as_str(e.get("note", ""), f"{path}.note"),
            test=self.as_bool(e.get("test", False), f"{path}.test"),
        )

    def threshold(self, raw: Any, path: str) -> ThresholdRule:
        """The rule the publisher states: it wins over the jurisdiction table (source "feed")."""
        t = self.as_obj(
            raw,
            path,
            required=("rule",),
            optional=(
                "share",
                "runoff",
                "measure",
                "at_least",
                "advance",
                "or_ballots_majority",
                "chooses",
                "basis",
            ),
        )
        rule = self.as_str(t["rule"], f"{path}.rule")
        extra: dict[str, Any] = {"source": "feed"}
        if "runoff" in t:
            runoff = self.as_str(t["runoff"], f"{path}.runoff")
            if runoff not in RUNOFF_KINDS:
                self.fail(
                    f"{path}.runoff", f"expected one of {', '.join(map(repr, RUNOFF_KINDS))}, got {runoff!r}"
                )
            extra["runoff"] = runoff
        if "measure" in t:
            extra["measure"] = self.as_bool(t["measure"], f"{path}.measure")
        if "at_least" in t:
            extra["at_least"] = self.as_bool(t["at_least"], f"{path}.at_least")
        extra["basis"] = self.as_str(t["basis"], f"{path}.basis") if "basis" in t else _STATED
        # A document this tracker wrote (an import's conversion, ``serve``) says where its rule came
        # from: the jurisdiction table's or the default is not the feed's word (an NYT CSV states
        # no rule; its conversion only carries what the table gave it).
        for source, prefix in _ORIGIN_PREFIXES.items():
            if extra["basis"].startswith(prefix):
                extra["source"], extra["basis"] = source, extra["basis"].removeprefix(prefix)
                break
        if extra.get("runoff") == "ranked-choice" and (rule != "majority" or extra.get("measure")):
            # The rounds follow a majority line of first choices, and a ballot question has none.
            self.fail(f"{path}.runoff", "ranked-choice goes with a majority rule for candidates only")
        if "or_ballots_majority" in t:
            # Illinois's amendments: or a majority of all ballots cast in the election.
            extra["or_ballots_majority"] = self.as_bool(
                t["or_ballots_majority"], f"{path}.or_ballots_majority"
            )
            if extra["or_ballots_majority"] and not extra.get("measure"):
                self.fail(
                    f"{path}.or_ballots_majority",
                    "only a ballot question passes by a majority of all ballots cast",
                )
        if "advance" in t:
            # A top-two (top-four) primary: the N most-voted go on to the general election.
            if rule != "plurality" or extra.get("measure"):
                self.fail(f"{path}.advance", "only a plurality race (not a ballot question) advances places")
            extra["advance"] = self.as_int(t["advance"], f"{path}.advance", minimum=1)
        if "chooses" in t:
            # A presidential race: what its count chooses (a state's electors, delegates, …).
            chooses = self.as_str(t["chooses"], f"{path}.chooses")
            if chooses not in CHOOSES[1:] or extra.get("measure"):
                self.fail(
                    f"{path}.chooses",
                    f"expected one of {', '.join(map(repr, CHOOSES[1:]))} on a candidate race, "
                    f"got {chooses!r}",
                )
            extra["chooses"] = chooses
        if rule in ("majority", "plurality"):
            if "share" in t:
                self.fail(path, f"a {rule} rule takes no share (use rule 'share' for a custom line)")
            if rule == "plurality" and extra.pop("runoff", "none") != "none":
                self.fail(f"{path}.runoff", "a plurality rule has no runoff")
            return ThresholdRule.majority(**extra) if rule == "majority" else ThresholdRule.plurality(**extra)
        if rule != "share":
            self.fail(f"{path}.rule", f"expected 'majority', 'plurality' or 'share', got {rule!r}")
        if "share" not in t:
            self.fail(path, "a share rule needs a 'share' between 0 and 1")
        share = t["share"]
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share < 1:
            self.fail(f"{path}.share", f"expected a number strictly between 0 and 1, got {share!r}")
        return ThresholdRule("share", float(share), **extra)

    def contest(self, raw: Any, path: str) -> Contest:
        c = self.as_obj(
            raw,
            path,
            required=("id", "name", "candidates", "units"),
            optional=("vote_for", "threshold", "vote_types", "threshold_source", "call"),
        )
        contest_id = self.as_str(c["id"], f"{path}.id", nonempty=True)
        name = self.as_str(c["name"], f"{path}.name")
        vote_for = self.as_int(c.get("vote_for", 1), f"{path}.vote_for", minimum=1)
        threshold = (
            self.threshold(c["threshold"], f"{path}.threshold")
            if "threshold" in c
            else ThresholdRule.majority(source="default", basis=_DEFAULT_BASIS)
        )

        candidates: list[Candidate] = []
        candidate_ids: set[str] = set()
        for i, raw_cand in enumerate(self.as_list(c["candidates"], f"{path}.candidates", min_items=1)):
            cpath = f"{path}.candidates[{i}]"
            cand = self.as_obj(raw_cand, cpath, required=("id", "name"), optional=("party",))
            cid = self.as_str(cand["id"], f"{cpath}.id", nonempty=True)
            if cid in candidate_ids:
                self.fail(f"{cpath}.id", f"duplicate candidate id {cid!r}")
            candidate_ids.add(cid)
            candidates.append(
                Candidate(
                    id=cid,
                    name=self.as_str(cand["name"], f"{cpath}.name"),
                    party=self.as_str(cand.get("party", ""), f"{cpath}.party"),
                    ballot_order=i,
                )
            )

        declared: list[str] | None = None
        if "vote_types" in c:
            declared = []
            for i, vt in enumerate(self.as_list(c["vote_types"], f"{path}.vote_types")):
                name_ = self.as_str(vt, f"{path}.vote_types[{i}]", nonempty=True)
                if name_ in declared:
                    self.fail(f"{path}.vote_types[{i}]", f"duplicate vote type {name_!r}")
                declared.append(name_)
        declared_set = set(declared or ())
        seen_types: dict[str, None] = {}

        units: list[ReportingUnit] = []
        unit_ids: set[str] = set()
        for i, raw_unit in enumerate(self.as_list(c["units"], f"{path}.units")):
            upath = f"{path}.units[{i}]"
            unit = self.unit(raw_unit, upath, candidate_ids, declared_set if declared is not None else None)
            if unit.id in unit_ids:
                self.fail(f"{upath}.id", f"duplicate unit id {unit.id!r}")
            unit_ids.add(unit.id)
            for by_type in unit.votes.values():
                for vt in by_type:
                    seen_types.setdefault(vt)
            units.append(unit)

        names = declared if declared is not None else list(seen_types)
        winners, advancing, called_by = (
            self.call(c["call"], f"{path}.call", candidate_ids) if "call" in c else ((), (), "")
        )
        return Contest(
            id=contest_id,
            name=name,
            candidates=tuple(candidates),
            units=tuple(units),
            vote_for=vote_for,
            threshold=threshold,
            vote_types=tuple(VoteType.from_name(n) for n in names),
            winners=winners,
            advancing=advancing,
            called_by=called_by,
            threshold_source=self.as_str(c.get("threshold_source", ""), f"{path}.threshold_source"),
        )

    def call(
        self, raw: Any, path: str, candidate_ids: set[str]
    ) -> tuple[tuple[str, ...], tuple[str, ...], str]:
        """The publisher's race call (AP's ``winner``, a results site's ``isWinner``): carried so a
        night served ``--as native`` still shows it as the publisher's, never as the tracker's."""
        call = self.as_obj(raw, path, required=("by",), optional=("winners", "advancing"))
        by = self.as_str(call["by"], f"{path}.by", nonempty=True)
        picked: dict[str, tuple[str, ...]] = {}
        for key in ("winners", "advancing"):
            ids: list[str] = []
            for i, cid in enumerate(self.as_list(call.get(key, []), f"{path}.{key}")):
                cid = self.as_str(cid, f"{path}.{key}[{i}]", nonempty=True)
                if cid not in candidate_ids:
                    self.fail(f"{path}.{key}[{i}]", f"{cid!r} is not one of the contest's candidate ids")
                if cid in ids or cid in picked.get("winners", ()):
                    self.fail(f"{path}.{key}[{i}]", f"candidate {cid!r} is named twice in the call")
                ids.append(cid)
            picked[key] = tuple(ids)
        if not picked["winners"] and not picked["advancing"]:
            self.fail(path, "a call names at least one winner or one candidate advancing to a runoff")
        return picked["winners"], picked["advancing"], by

    def unit(self, raw: Any, path: str, candidate_ids: set[str], declared: set[str] | None) -> ReportingUnit:
        u = self.as_obj(
            raw,
            path,
            required=("id", "name", "kind", "reporting", "votes"),
            optional=("county", "registered", "ballots_cast", "precincts", "expected_votes", "fips"),
        )
        county = u.get("county")
        if county is not None:
            county = self.as_str(county, f"{path}.county")
        votes: dict[str, dict[str, int]] = {}
        vpath = f"{path}.votes"
        for cid, raw_types in self.as_map(u["votes"], vpath).items():
            if cid not in candidate_ids:
                self.fail(vpath, f"candidate {cid!r} is not in the contest's candidates")
            by_type: dict[str, int] = {}
            for vt, n in self.as_map(raw_types, f"{vpath}[{cid!r}]").items():
                if declared is not None and vt not in declared:
                    self.fail(f"{vpath}[{cid!r}]", f"vote type {vt!r} is not in the contest's vote_types")
                by_type[vt] = self.as_int(n, f"{vpath}[{cid!r}][{vt!r}]", minimum=0)
            votes[cid] = by_type
        precincts_reporting = precincts_total = None
        if "precincts" in u:
            ppath = f"{path}.precincts"
            p = self.as_obj(u["precincts"], ppath, required=("reporting", "total"))
            precincts_reporting = self.as_int(p["reporting"], f"{ppath}.reporting", minimum=0)
            precincts_total = self.as_int(p["total"], f"{ppath}.total", minimum=0)
            if precincts_reporting > precincts_total:
                self.fail(
                    ppath,
                    f"{precincts_reporting} precincts reporting is more than the {precincts_total} in total",
                )
        return ReportingUnit(
            id=self.as_str(u["id"], f"{path}.id", nonempty=True),
            name=self.as_str(u["name"], f"{path}.name"),
            kind=self.as_enum(u["kind"], f"{path}.kind", _KINDS),
            county=county,
            reporting=self.as_enum(u["reporting"], f"{path}.reporting", _REPORTING),
            votes=votes,
            registered=(
                self.as_int(u["registered"], f"{path}.registered", minimum=0) if "registered" in u else None
            ),
            ballots_cast=(
                self.as_int(u["ballots_cast"], f"{path}.ballots_cast", minimum=0)
                if "ballots_cast" in u
                else None
            ),
            precincts_reporting=precincts_reporting,
            precincts_total=precincts_total,
            expected_votes=(
                self.as_int(u["expected_votes"], f"{path}.expected_votes", minimum=0)
                if "expected_votes" in u
                else None
            ),
            fips=self._fips(u["fips"], f"{path}.fips") if "fips" in u else None,
        )

    def _fips(self, value: Any, path: str) -> str:
        text = self.as_str(value, path)
        if len(text) != 5 or not text.isdigit():
            self.fail(path, f"expected a 5-digit county FIPS code, got {text!r}")
        return text


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the string {value!r}" if len(value) <= 40 else "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def parse_native(data: bytes, *, source: str = "") -> Snapshot:
    """Parse one ``tracker-feed/1`` document.

    Strict on purpose: a published feed that is subtly wrong (a typo'd candidate id, a vote
    type nobody declared, a boolean where a count belongs) would otherwise show wrong totals on
    election night without anyone noticing. Every problem raises FeedError naming its path.
    """
    prefix = f"{source}: " if source else ""
    try:
        doc = json.loads(data, object_pairs_hook=_object_pairs, parse_constant=_reject_constant)
    except RecursionError:
        raise FeedError(f"{prefix}the document is nested too deeply to be a {FORMAT} feed") from None
    except UnicodeDecodeError as exc:
        raise FeedError(f"{prefix}the document is not valid UTF-8 text ({exc.reason})") from None
    except ValueError as exc:  # JSONDecodeError and NaN/Infinity
        raise FeedError(f"{prefix}the document is not valid JSON ({exc})") from None
    return _Checker(source).snapshot(doc)


def _format_datetime(value: dt.datetime) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{FORMAT} times need a UTC offset; got naive {value!r}")
    offset = value.utcoffset()
    assert offset is not None
    if offset.seconds % 60 or offset.microseconds:
        value = value.astimezone(dt.UTC)  # RFC 3339 offsets are whole minutes
    return value.isoformat()


def _unit_to_native(unit: ReportingUnit, cand_order: list[str], type_order: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": unit.id,
        "name": unit.name,
        "kind": str(unit.kind),
        "reporting": str(unit.reporting),
    }
    if unit.county is not None:
        out["county"] = unit.county
    if unit.precincts_total is not None:
        # The model reads a missing "reporting" as 0 (Contest.precincts), so the writer does too.
        out["precincts"] = {"reporting": unit.precincts_reporting or 0, "total": unit.precincts_total}
    if unit.registered is not None:
        out["registered"] = unit.registered
    if unit.ballots_cast is not None:
        out["ballots_cast"] = unit.ballots_cast
    if unit.expected_votes is not None:
        out["expected_votes"] = unit.expected_votes
    if unit.fips is not None:
        out["fips"] = unit.fips
    # Candidates in ballot order, then any the contest does not know (so validation reports
    # them instead of the writer dropping them); vote types in the contest's order.
    rank = {name: i for i, name in enumerate(type_order)}
    ids = [cid for cid in cand_order if cid in unit.votes]
    ids += [cid for cid in unit.votes if cid not in set(cand_order)]
    out["votes"] = {
        cid: {vt: unit.votes[cid][vt] for vt in sorted(unit.votes[cid], key=lambda t: rank.get(t, len(rank)))}
        for cid in ids
    }
    return out


_STATED = "stated by the tracker-feed/1 document"
_DEFAULT_BASIS = "tracker-feed/1 without a threshold: the format's default, a majority"
#: How a written rule's ``basis`` says where it came from when that was not a feed; the reader
#: takes the source back from it. A user's rule stays the document's word ("set by the user: …"):
#: read elsewhere, "set by you" would be false.
_ORIGIN_PREFIXES = {
    "table": "jurisdiction table: ",
    "default": "default, no row of the jurisdiction table: ",
}


def _threshold_to_native(rule: ThresholdRule) -> dict[str, Any]:
    """The rule, stated, with where it came from before in ``basis`` (the jurisdiction table, the
    default, a user's override): a reader takes the table's and the default's back as such, not as
    the feed's word."""
    out = rule.to_json()
    out.pop("source", None)
    if rule.source != "feed" or out.get("basis") in (_STATED, _DEFAULT_BASIS):
        out.pop("basis", None)
    if rule.source == "user" and rule.basis:
        out["basis"] = f"set by the user: {rule.basis}"
    elif rule.source in _ORIGIN_PREFIXES and rule.basis and rule.basis not in (_STATED, _DEFAULT_BASIS):
        # (A rule with no basis, a contest made without one, or a document without a threshold
        # read back and written again: as before, written out plain.)
        out["basis"] = _ORIGIN_PREFIXES[rule.source] + rule.basis
    return out


def _contest_to_native(contest: Contest) -> dict[str, Any]:
    order = sorted(range(len(contest.candidates)), key=lambda i: (contest.candidates[i].ballot_order, i))
    candidates = [contest.candidates[i] for i in order]
    cand_order = [c.id for c in candidates]
    # Types the contest does not list are appended in the order a reader meets them in the
    # written document (units, then candidates in ballot order), so the order survives a read.
    type_order = [vt.name for vt in contest.vote_types]
    for unit in contest.units:
        for cid in [*(c for c in cand_order if c in unit.votes), *unit.votes]:
            for vt in unit.votes[cid]:
                if vt not in type_order:
                    type_order.append(vt)
    out: dict[str, Any] = {
        "id": contest.id,
        "name": contest.name,
        "vote_for": contest.vote_for,
        "threshold": _threshold_to_native(contest.threshold),
        "candidates": [
            {"id": c.id, "name": c.name, **({"party": c.party} if c.party else {})} for c in candidates
        ],
        "vote_types": type_order,
        "units": [_unit_to_native(u, cand_order, type_order) for u in contest.units],
    }
    # Written only when present, so documents without a call keep their exact bytes.
    if contest.threshold_source:
        out["threshold_source"] = contest.threshold_source
    if contest.winners or contest.advancing or contest.called_by:
        call: dict[str, Any] = {"by": contest.called_by}
        if contest.winners:
            call["winners"] = list(contest.winners)
        if contest.advancing:
            call["advancing"] = list(contest.advancing)
        out["call"] = call
    return out


def snapshot_to_native(snapshot: Snapshot) -> dict[str, Any]:
    """The ``tracker-feed/1`` document for ``snapshot``, checked by the same rules as the parser,
    so the writer can never publish a document the reader would refuse.

    Raises ValueError when the snapshot cannot be expressed (e.g. votes for a candidate the
    contest does not list, or a naive ``published_at``).
    """
    e = snapshot.election
    election: dict[str, Any] = {"id": e.id, "name": e.name}
    if e.date is not None:
        election["date"] = e.date.isoformat()
    if e.source:
        election["source"] = e.source
    election["reconstructed"] = e.reconstructed
    if e.note:
        election["note"] = e.note
    if e.test:  # written only when set, so documents without test data keep their exact bytes
        election["test"] = True
    doc: dict[str, Any] = {"format": FORMAT, "election": election, "version": snapshot.version}
    if snapshot.published_at is not None:
        doc["published_at"] = _format_datetime(snapshot.published_at)
    doc["contests"] = [_contest_to_native(c) for c in snapshot.contests]
    try:
        _Checker("").snapshot(doc)
    except FeedError as exc:
        raise ValueError(f"this snapshot cannot be written as {FORMAT}: {exc}") from None
    return doc


def dump_native(snapshot: Snapshot) -> bytes:
    """Serialize ``snapshot`` as compact UTF-8 JSON with a fixed key order, so the same snapshot
    always gives the same bytes: night files deduplicate payloads by hash, and reconstructed
    nights must rebuild bit for bit."""
    doc = snapshot_to_native(snapshot)
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")
