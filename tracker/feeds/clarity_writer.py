"""Snapshot → Clarity detail XML (and the ``detailxml.zip`` Clarity serves it in).

``election-tracker serve NIGHT --as clarity`` serves any night with Clarity's URL layout, so the
real poller and parser can be exercised end to end on loopback. The XML is what
:func:`tracker.feeds.clarity.parse_detail_xml` reads back to the same totals:

* a night whose precincts all lie in one county is written as a **county site's precinct file**
  (``Region`` = the county, ``VoterTurnout/Precincts``, ``Choice/VoteType/Precinct`` rows, and a
  contest-level "Number of Precincts Reporting" row saying which precincts are in);
* anything else (several counties, county units) as a **state site's county file**, the layout of
  Georgia's statewide ``/GA/{id}/`` site: ``ElectionVoterTurnout/Counties``, ``ParticipatingCounties``
  with precincts participating/reported, ``Choice/VoteType/County`` rows summed per county. Per
  candidate, county and vote type the numbers are exact; precinct detail is not in such a file (on
  a real state site it lives on each county's own site).

A vote type a unit has not reported yet is written as 0 (Clarity lists every unit under every vote
type), so totals are identical but "not yet" and "zero" are no longer told apart.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import replace

from lxml import etree

from tracker.core.model import Contest, Reporting, ReportingUnit, Snapshot, UnitKind, count_precincts
from tracker.feeds.clarity import RECONSTRUCTED_MARK

#: UTC offset (hours) → the abbreviation Clarity would write (the parser maps them back).
_ABBREVIATIONS = {-4: "EDT", -5: "EST", -6: "CST", -7: "MST", -8: "PST", -9: "AKST", -10: "HST"}
#: A fixed time for the zip member, so the same snapshot always gives the same bytes.
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def clarity_timestamp(when: dt.datetime | None, tz: dt.tzinfo | None = None) -> str:
    """``"4/18/2017 9:37:00 PM EDT"`` in ``tz`` (or ``when``'s own zone); a zone Clarity has no
    abbreviation for is written in Eastern Standard Time."""
    when = when or dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    local = when.astimezone(tz) if tz is not None else when
    offset = local.utcoffset()
    hours = None if offset is None else offset.total_seconds() / 3600
    if hours is None or hours not in _ABBREVIATIONS:
        local = when.astimezone(dt.timezone(dt.timedelta(hours=-5)))
        hours = -5
    abbrev = _ABBREVIATIONS[int(hours)]
    hour12 = local.hour % 12 or 12
    half = "AM" if local.hour < 12 else "PM"
    clock = f"{hour12}:{local.minute:02d}:{local.second:02d} {half}"
    return f"{local.month}/{local.day}/{local.year} {clock} {abbrev}"


def _sub(parent: etree._Element, tag: str, **attrs: object) -> etree._Element:
    return etree.SubElement(parent, tag, {k: str(v) for k, v in attrs.items() if v is not None})


def _vote_type_names(contest: Contest) -> list[str]:
    names = [vt.name for vt in contest.vote_types]
    for unit in contest.units:
        for by_type in unit.votes.values():
            for name in by_type:
                if name not in names:
                    names.append(name)
    return names or ["Total"]


def _counties(snapshot: Snapshot) -> list[str]:
    out: dict[str, None] = {}
    for contest in snapshot.contests:
        for unit in contest.units:
            out[unit.county or unit.name] = None
    return list(out)


def precinct_level(snapshot: Snapshot) -> bool:
    """Whether ``snapshot`` can be written as one county's precinct file."""
    units = [u for c in snapshot.contests for u in c.units]
    return bool(units) and all(u.kind is UnitKind.PRECINCT for u in units) and len(_counties(snapshot)) == 1


def _raw_precinct_name(unit: ReportingUnit, county: str) -> str:
    prefix = f"{county}/"
    return unit.id[len(prefix) :] if unit.id.startswith(prefix) else unit.name


def snapshot_to_detail_xml(snapshot: Snapshot, *, tz: dt.tzinfo | None = None, region: str = "GA") -> bytes:
    """The Clarity ``detail.xml`` of ``snapshot`` (see the module docstring for the two layouts).
    ``region`` names the state for a multi-county file; ``tz`` the zone of the Timestamp."""
    root = etree.Element("ElectionResult")
    _sub(root, "Timestamp").text = clarity_timestamp(snapshot.published_at or snapshot.fetched_at, tz)
    name = snapshot.election.name
    if snapshot.election.reconstructed and RECONSTRUCTED_MARK not in name.casefold():
        name = f"{name} — {RECONSTRUCTED_MARK}"  # Clarity has no such field; the parser reads this
    _sub(root, "ElectionName").text = name
    date = snapshot.election.date
    _sub(root, "ElectionDate").text = f"{date.month}/{date.day}/{date.year}" if date else ""
    if precinct_level(snapshot):
        _write_precinct_file(root, snapshot)
    else:
        _write_county_file(root, snapshot, region)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _write_precinct_file(root: etree._Element, snapshot: Snapshot) -> None:
    county = _counties(snapshot)[0]
    _sub(root, "Region").text = county
    turnout = _sub(root, "VoterTurnout")
    precincts = _sub(turnout, "Precincts")
    listed: dict[str, ReportingUnit] = {}
    for contest in snapshot.contests:
        for unit in contest.units:
            raw = _raw_precinct_name(unit, county)
            known = listed.get(raw)
            if known is None or (known.registered is None and unit.registered is not None):
                listed[raw] = unit
    for raw, unit in listed.items():
        # No percentReporting: reporting differs per contest, so each contest says it itself.
        _sub(
            precincts,
            "Precinct",
            name=raw,
            totalVoters=unit.registered or 0,
            ballotsCast=unit.ballots_cast or 0,
        )
    for contest in snapshot.contests:
        el = _contest_element(root, contest)
        names = [_raw_precinct_name(u, county) for u in contest.units]
        complete = sum(u.reporting is Reporting.COMPLETE for u in contest.units)
        el.set("precinctsReported", str(complete))
        el.set("precinctsReporting", str(len(contest.units)))  # county files: the total, confusingly
        row = _sub(el, "VoteType", name="Number of Precincts Reporting", votes=complete)
        for raw, unit in zip(names, contest.units, strict=True):
            _sub(row, "Precinct", name=raw, votes=1 if unit.reporting is Reporting.COMPLETE else 0)
        _choices(el, contest, "Precinct", [(raw, [u]) for raw, u in zip(names, contest.units, strict=True)])


def _write_county_file(root: etree._Element, snapshot: Snapshot, region: str) -> None:
    _sub(root, "Region").text = region
    turnout = _sub(root, "ElectionVoterTurnout")
    counties_el = _sub(turnout, "Counties")
    per_county: dict[str, list[ReportingUnit]] = {}
    for contest in snapshot.contests:
        for unit in contest.units:
            per_county.setdefault(unit.county or unit.name, [])
    for name in per_county:
        _sub(counties_el, "County", name=name)
    for contest in snapshot.contests:
        groups: dict[str, list[ReportingUnit]] = {}
        for unit in contest.units:
            groups.setdefault(unit.county or unit.name, []).append(unit)
        el = _contest_element(root, contest)
        done_total = [count_precincts(units) for units in groups.values()]
        el.set("precinctsParticipating", str(sum(t for _, t in done_total)))
        el.set("precinctsReported", str(sum(d for d, _ in done_total)))
        part = _sub(el, "ParticipatingCounties")
        for (name, _units), (done, total) in zip(groups.items(), done_total, strict=True):
            _sub(part, "County", name=name, precinctsParticipating=total, precinctsReported=done)
        _choices(el, contest, "County", list(groups.items()))


def _contest_element(root: etree._Element, contest: Contest) -> etree._Element:
    return _sub(
        root, "Contest", key=contest.id, text=contest.name, voteFor=contest.vote_for, isQuestion="false"
    )


def _choices(
    el: etree._Element, contest: Contest, tag: str, rows: list[tuple[str, list[ReportingUnit]]]
) -> None:
    vote_types = _vote_type_names(contest)
    for cand in contest.candidates:
        totals = [
            [sum(u.votes.get(cand.id, {}).get(vt, 0) for u in units) for vt in vote_types]
            for _, units in rows
        ]
        choice = _sub(
            el,
            "Choice",
            key=cand.id,
            text=cand.name,
            party=cand.party or None,
            totalVotes=sum(sum(t) for t in totals),
        )
        for j, vt in enumerate(vote_types):
            column = [t[j] for t in totals]
            vt_el = _sub(choice, "VoteType", name=vt, votes=sum(column))
            for (name, _units), n in zip(rows, column, strict=True):
                _sub(vt_el, tag, name=name, votes=n)


def county_snapshot(snapshot: Snapshot, county: str) -> Snapshot:
    """What ``county``'s own Clarity site would publish: its units of every contest it takes part
    in (a county site's precinct file), nothing of the other counties."""
    contests = []
    for contest in snapshot.contests:
        units = tuple(u for u in contest.units if (u.county or u.name) == county)
        if units:
            contests.append(replace(contest, units=units, reported_totals=None, reported_precincts=None))
    return replace(snapshot, contests=tuple(contests))


def counties_of(snapshot: Snapshot) -> list[str]:
    """The counties a snapshot's units lie in, in order of first appearance."""
    return _counties(snapshot)


def detail_zip(xml: bytes) -> bytes:
    """``detailxml.zip`` as Clarity serves it: one ``detail.xml`` member, deflated; the same bytes
    for the same XML."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        info = zipfile.ZipInfo("detail.xml", date_time=_ZIP_TIME)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        zf.writestr(info, xml)
    return buffer.getvalue()


def snapshot_to_summary_json(snapshot: Snapshot) -> bytes:
    """A Clarity site's ``json/en/summary.json`` for ``snapshot``: one object per contest with
    Clarity's keys (``K`` the contest key, ``C`` its name, ``CH``/``P``/``V`` each choice's name,
    party and total votes, ``VF`` vote for, ``TP``/``PR`` precincts and precincts reported), as
    :func:`tracker.feeds.clarity_json.parse_summary_json` reads it. Totals only, as Clarity's
    own: no units, no vote types."""
    import json

    rows = []
    for contest in snapshot.contests:
        totals = contest.totals
        done, total = contest.precincts
        rows.append(
            {
                "C": contest.name,
                "K": contest.id,
                "VF": contest.vote_for,
                "TP": total,
                "PR": done,
                "CH": [c.name for c in contest.candidates],
                "P": [c.party or "NP" for c in contest.candidates],
                "V": [totals.get(c.id, 0) for c in contest.candidates],
            }
        )
    return json.dumps(rows, ensure_ascii=False).encode("utf-8")
