"""Snapshot → NIST SP 1500-100 v2 Election Results Reporting (XML or JSON): the standard way out.

``election-tracker export NIGHT --nist FILE [--json]`` writes any version of any night this way,
whatever format it was recorded from, and ``serve --as nist`` serves it. The report is the
standard's own shape (see :mod:`tracker.feeds.nist`):

- one ``ReportingUnit`` per reporting unit (precinct, county or state), with its registered voters
  (``VotersRegistered``), ballots cast (``VotersParticipated``), precinct counts
  (``SubUnitsReported``/``TotalSubUnits``) and reporting state (``CountStatus`` of type total:
  completed / in-process / not-processed); a county ``ReportingUnit`` composed of its precincts;
  a scope unit composed of the counties; per contest, its district composed of its units in order;
- one ``CandidateContest`` per contest with ``VotesAllowed``, one ``CandidateSelection`` and
  ``Candidate`` per candidate (``SequenceOrder`` = ballot order), parties as ``Party`` objects;
  a publisher's race call as each called candidate's ``PostElectionStatus`` (``projected-winner``
  — a call on the night is a projection, not a certified ``winner`` — or ``advanced-to-runoff``);
- ``VoteCounts`` per unit and vote type: ``Type`` is the CountItemType of the vote type's canonical
  bucket (election-day, early, absentee-mail, provisional, total, other) and ``OtherType`` keeps its
  own name ("Advance in Person 1"). A vote type a unit has not reported is not written (a reported
  zero is). The feed's own totals, when the night has them, are counts at the contest's district
  (a summary level, which readers check, never add);
- ``ExternalIdentifier`` entries typed ``other`` / ``tracker-…`` (on the report, the election, its
  contests, candidates and reporting units: the objects the schema lets carry them) keep what the
  standard has no place for — our ids, the threshold rule, the vote types in order, the version,
  the reconstructed label — so that the export of a night reads back as the same snapshot
  (``tests/test_nist.py``).

A reconstructed night says so in the report's ``Notes`` and its election's name is unchanged; a
test (AP test mode) night carries ``IsTest``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from lxml import etree

from tracker import __version__
from tracker.core.model import (
    Contest,
    Reporting,
    ReportingUnit,
    Snapshot,
    UnitKind,
    canonical_vote_type,
    count_precincts,
)
from tracker.feeds.nist import NS, TRACKER_PREFIX, count_item_type

XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = "https://github.com/usnistgov/ElectionResultsReporting/raw/version2/NIST_V2_election_results_reporting.xsd"
_KIND_TYPE = {UnitKind.PRECINCT: "precinct", UnitKind.COUNTY: "county", UnitKind.STATE: "state"}
_STATUS = {Reporting.COMPLETE: "completed", Reporting.PARTIAL: "in-process", Reporting.NONE: "not-processed"}
#: Elements whose JSON ``@type`` becomes an ``xsi:type`` in XML (the standard's polymorphic ones).
_XSI_TYPED = {"GpUnit", "Contest", "ContestSelection"}
#: JSON name → XML name, where the two forms differ.
_XML_NAMES = {"BallotSelection": "ContestSelection", "ElectoralDistrictId": "ElectionDistrictId"}
#: Lists of ids: one element with the ids space-separated in XML.
_ID_LISTS = {"ComposingGpUnitIds", "CandidateIds", "PartyIds"}


def _t(name: str) -> str:
    return f"ElectionResults.{name}"


def _intl(text: str) -> dict[str, Any]:
    return {
        "@type": _t("InternationalizedText"),
        "Text": [{"@type": _t("LanguageString"), "Content": text, "Language": "en"}],
    }


def _ext(pairs: Iterable[tuple[str, str]]) -> list[dict[str, Any]]:
    return [
        {"@type": _t("ExternalIdentifier"), "Type": "other", "OtherType": TRACKER_PREFIX + k, "Value": v}
        for k, v in pairs
    ]


def _unit_key(u: ReportingUnit) -> tuple[object, ...]:
    return (
        u.id,
        u.name,
        u.kind,
        u.county,
        u.reporting,
        u.registered,
        u.ballots_cast,
        u.precincts_reporting,
        u.precincts_total,
    )


def _threshold(contest: Contest) -> str | None:
    rule = contest.threshold
    if rule.rule == "plurality":
        return "plurality"
    if rule.rule == "share":
        return f"share:{rule.share!r}"
    if rule.is_ranked_choice:
        return "ranked-choice"  # a majority of first choices, else the rounds (never a runoff)
    return None


def _vote_type_order(contest: Contest) -> list[tuple[str, str]]:
    order = [(vt.name, vt.canonical) for vt in contest.vote_types]
    known = {n for n, _ in order}
    for unit in contest.units:
        for by_type in unit.votes.values():
            for name in by_type:
                if name not in known:
                    order.append((name, canonical_vote_type(name)))
                    known.add(name)
    return order


def snapshot_to_report(snapshot: Snapshot) -> dict[str, Any]:
    """The report as the JSON form's object (the XML form is written from it)."""
    e = snapshot.election
    gp_units: list[dict[str, Any]] = []
    unit_ids: dict[tuple[object, ...], str] = {}
    county_members: dict[str, list[str]] = {}
    top_members: list[str] = []
    for contest in snapshot.contests:
        for u in contest.units:
            key = _unit_key(u)
            if key in unit_ids:
                continue
            oid = f"ru-{len(unit_ids) + 1}"
            unit_ids[key] = oid
            ext = [("id", u.id)] + ([("county", u.county)] if u.county is not None else [])
            gp: dict[str, Any] = {"@type": _t("ReportingUnit"), "@id": oid}
            gp["CountStatus"] = [
                {"@type": _t("CountStatus"), "Status": _STATUS[u.reporting], "Type": "total"}
            ]
            gp["ExternalIdentifier"] = _ext(ext)
            gp["Name"] = u.name
            if u.precincts_reporting is not None:
                gp["SubUnitsReported"] = u.precincts_reporting
            if u.precincts_total is not None:
                gp["TotalSubUnits"] = u.precincts_total
            gp["Type"] = _KIND_TYPE[u.kind]
            if u.ballots_cast is not None:
                gp["VotersParticipated"] = u.ballots_cast
            if u.registered is not None:
                gp["VotersRegistered"] = u.registered
            gp_units.append(gp)
            if u.county is not None and not (u.kind is UnitKind.COUNTY and u.county == u.name):
                county_members.setdefault(u.county, []).append(oid)
            else:
                top_members.append(oid)
    counties = []
    for n, (county, members) in enumerate(county_members.items(), start=1):
        counties.append(
            {
                "@type": _t("ReportingUnit"),
                "@id": f"county-{n}",
                "ComposingGpUnitIds": members,
                "Name": county,
                "Type": "county",
            }
        )
        top_members.append(f"county-{n}")
    scope = {
        "@type": _t("ReportingUnit"),
        "@id": "scope",
        "ComposingGpUnitIds": top_members,
        "Name": e.name,
        "OtherType": "election scope",
        "Type": "other",
    }
    parties: dict[str, str] = {}
    candidates: list[dict[str, Any]] = []
    contests: list[dict[str, Any]] = []
    districts: list[dict[str, Any]] = []
    for cn, contest in enumerate(snapshot.contests, start=1):
        district = f"district-{cn}"
        districts.append(
            {
                "@type": _t("ReportingUnit"),
                "@id": district,
                "ComposingGpUnitIds": [unit_ids[_unit_key(u)] for u in contest.units],
                "Name": contest.name,
                "OtherType": "contest district",
                "Type": "other",
            }
        )
        order = _vote_type_order(contest)
        selections = []
        for sn, cand in enumerate(contest.candidates, start=1):
            cand_oid = f"cand-{cn}-{sn}"
            c: dict[str, Any] = {
                "@type": _t("Candidate"),
                "@id": cand_oid,
                "BallotName": _intl(cand.name),
                "ExternalIdentifier": _ext([("id", cand.id)]),
            }
            if cand.party:
                pid = parties.setdefault(cand.party, f"party-{len(parties) + 1}")
                c["PartyId"] = pid
            # The publisher's call has the standard's own place (CandidatePostElectionStatus): an
            # election-night call is a projection, and who made it goes in a contest identifier.
            if not contest.called_by:
                pass  # a call nobody made is not written as anyone's
            elif cand.id in contest.winners:
                c["PostElectionStatus"] = "projected-winner"
            elif cand.id in contest.advancing:
                c["PostElectionStatus"] = "advanced-to-runoff"
            candidates.append(c)
            counts = []
            for u in contest.units:
                by_type = u.votes.get(cand.id)
                if not by_type:
                    continue
                for name, canon in order:
                    if name in by_type:
                        counts.append(
                            {
                                "@type": _t("VoteCounts"),
                                "Count": by_type[name],
                                "GpUnitId": unit_ids[_unit_key(u)],
                                "OtherType": name,
                                "Type": count_item_type(canon),
                            }
                        )
            if contest.reported_totals is not None and cand.id in contest.reported_totals:
                counts.append(
                    {
                        "@type": _t("VoteCounts"),
                        "Count": contest.reported_totals[cand.id],
                        "GpUnitId": district,
                        "Type": "total",
                    }
                )
            selections.append(
                {
                    "@type": _t("CandidateSelection"),
                    "@id": f"sel-{cn}-{sn}",
                    "SequenceOrder": cand.ballot_order,
                    "VoteCounts": counts,
                    "CandidateIds": [cand_oid],
                }
            )
        ext = [("id", contest.id), ("vote-types", json.dumps(order, ensure_ascii=False))]
        rule = _threshold(contest)
        if rule is not None:
            ext.append(("threshold", rule))
        if contest.threshold_source:
            ext.append(("threshold-source", contest.threshold_source))
        if contest.called_by and (contest.winners or contest.advancing):
            ext.append(("called-by", contest.called_by))
        entry: dict[str, Any] = {
            "@type": _t("CandidateContest"),
            "@id": f"contest-{cn}",
            "BallotSelection": selections,
            "ElectoralDistrictId": district,
            "ExternalIdentifier": _ext(ext),
            "Name": contest.name,
        }
        if contest.reported_precincts is not None:
            entry["SubUnitsReported"], entry["TotalSubUnits"] = contest.reported_precincts
        entry["VotesAllowed"] = contest.vote_for
        contests.append(entry)
    when = snapshot.published_at or snapshot.fetched_at or dt.datetime.now(dt.UTC)
    day = e.date or when.date()
    all_units = [u for c in snapshot.contests for u in c.units]
    done, total = count_precincts(all_units)
    election_ext = [("id", e.id)] + ([("reconstructed", "true")] if e.reconstructed else [])
    report: dict[str, Any] = {
        "@type": _t("ElectionReport"),
        "Election": [
            {
                "@type": _t("Election"),
                "Candidate": candidates,
                "Contest": contests,
                "ElectionScopeId": "scope",
                "EndDate": day.isoformat(),
                "ExternalIdentifier": _ext(election_ext),
                "Name": _intl(e.name),
                "StartDate": day.isoformat(),
                "Type": "other",
            }
        ],
        "ExternalIdentifier": _ext([("version", snapshot.version)] if snapshot.version else []),
        "Format": "precinct-level"
        if any(u.kind is UnitKind.PRECINCT for u in all_units)
        else "summary-contest",
        "GeneratedDate": when.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "GpUnit": gp_units + counties + [scope] + districts,
        "Issuer": "election-tracker",
        "IssuerAbbreviation": "election-tracker",
    }
    if e.test:
        report["IsTest"] = True
    if e.note:
        report["Notes"] = e.note
    report["Party"] = [
        {"@type": _t("Party"), "@id": pid, "Abbreviation": name, "Name": _intl(name)}
        for name, pid in parties.items()
    ]
    report["SequenceEnd"] = 1
    report["SequenceStart"] = 1
    report["Status"] = "unofficial-complete" if total and done >= total else "unofficial-partial"
    report["VendorApplicationId"] = f"election-tracker {__version__}"
    if not report["ExternalIdentifier"]:
        del report["ExternalIdentifier"]
    return report


def _xml(parent: etree._Element, key: str, value: Any) -> None:
    name = _XML_NAMES.get(key, key)
    if isinstance(value, list) and key in _ID_LISTS:
        etree.SubElement(parent, f"{{{NS}}}{name}").text = " ".join(value)
        return
    if isinstance(value, list):
        for item in value:
            _xml(parent, key, item)
        return
    el = etree.SubElement(parent, f"{{{NS}}}{name}")
    if isinstance(value, dict):
        if "Text" in value and value.get("@type") == _t("InternationalizedText"):
            for text in value["Text"]:
                t = etree.SubElement(el, f"{{{NS}}}Text", Language=text["Language"])
                t.text = text["Content"]
            return
        if "@id" in value:
            el.set("ObjectId", value["@id"])
        if name in _XSI_TYPED and "@type" in value:
            el.set(f"{{{XSI}}}type", value["@type"].rsplit(".", 1)[-1])
        for k, v in value.items():
            if not k.startswith("@"):
                _xml(el, k, v)
        return
    el.text = ("true" if value else "false") if isinstance(value, bool) else str(value)


def snapshot_to_nist(snapshot: Snapshot, *, form: str = "xml") -> bytes:
    """``snapshot`` as a NIST SP 1500-100 v2 report: ``form`` "xml" (the default) or "json"."""
    report = snapshot_to_report(snapshot)
    if form == "json":
        return json.dumps(report, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"
    if form != "xml":
        raise ValueError(f"unknown NIST form {form!r}")
    root = etree.Element(f"{{{NS}}}ElectionReport", nsmap={None: NS, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{NS} {SCHEMA_LOCATION}")
    for k, v in report.items():
        if not k.startswith("@"):
            _xml(root, k, v)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
