"""A NIST report's reporting units (GpUnits): what each is made of and part of, its kind,
name, county and reporting state.

Counts may be given at several levels at once, so the contest mapping
(:mod:`tracker.feeds.nist_contest`) asks which units lie below which; names written with their
parents (``"Wyoming;Albany County"``) lose the scope's prefix here.
"""

from __future__ import annotations

from tracker.core.model import Reporting, UnitKind
from tracker.feeds.nist_nodes import _clean, _Node

_PRECINCT_TYPES = {
    "precinct",
    "split-precinct",
    "combined-precinct",
    "polling-place",
    "vote-center",
    "ballot-batch",
    "ballot-style-area",
    "drop-box",
    "ward",
}
_STATE_TYPES = {"state", "country"}


class _Units:
    """The report's GpUnits, their parts and parents."""

    def __init__(self, root: _Node, scope_id: str, notes: list[str]) -> None:
        self.nodes: dict[str, _Node] = {}
        for gp in root.children("GpUnit"):
            oid = gp.oid()
            if oid:
                self.nodes[oid] = gp
        self.parts = {
            oid: [p for p in gp.ids("ComposingGpUnitIds") if p in self.nodes]
            for oid, gp in self.nodes.items()
        }
        self.parents: dict[str, list[str]] = {}
        for oid, parts in self.parts.items():
            for p in parts:
                self.parents.setdefault(p, []).append(oid)
        scope = self.nodes.get(scope_id)
        self.prefix = ""
        if scope is not None:
            scope_name = _clean(scope.intl("Name"))
            self.prefix = f"{scope_name};" if scope_name else ""
        self._below: dict[str, frozenset[str]] = {}
        self._types: dict[str, str] = {}
        self._names: dict[str, str] = {}
        self.notes = notes

    def type_of(self, oid: str) -> str:
        found = self._types.get(oid)
        if found is None:
            found = _clean(self.nodes[oid].text("Type")).lower() if oid in self.nodes else ""
            self._types[oid] = found
        return found

    def kind(self, oid: str) -> UnitKind:
        t = self.type_of(oid)
        if t in _PRECINCT_TYPES:
            return UnitKind.PRECINCT
        if t in _STATE_TYPES:
            return UnitKind.STATE
        return UnitKind.COUNTY

    def name(self, oid: str) -> str:
        found = self._names.get(oid)
        if found is None:
            found = self._names[oid] = self._name(oid)
        return found

    def _name(self, oid: str) -> str:
        node = self.nodes.get(oid)
        if node is None:
            return oid
        name = _clean(node.intl("Name"))
        if self.prefix and name.startswith(self.prefix) and len(name) > len(self.prefix):
            name = name[len(self.prefix) :].strip()
        return name or oid

    def below(self, oid: str) -> frozenset[str]:
        """Every unit ``oid`` is made of, through any depth (cycles are cut)."""
        if oid in self._below:
            return self._below[oid]
        seen: set[str] = set()
        stack = list(self.parts.get(oid, ()))
        while stack:
            cur = stack.pop()
            if cur in seen or cur == oid:
                continue
            seen.add(cur)
            stack.extend(self.parts.get(cur, ()))
        self._below[oid] = frozenset(seen)
        return self._below[oid]

    def county(self, oid: str) -> str | None:
        """The name of the nearest county composed of ``oid`` (breadth first), else its own name
        when it is a county, else None."""
        frontier, seen = list(self.parents.get(oid, ())), {oid}
        while frontier:
            nxt = []
            for p in frontier:
                if p in seen:
                    continue
                seen.add(p)
                if self.type_of(p) == "county":
                    return self.name(p)
                nxt.extend(self.parents.get(p, ()))
            frontier = nxt
        return self.name(oid) if self.type_of(oid) == "county" else None


def _reporting(node: _Node | None, has_votes: bool) -> Reporting:
    if node is not None:
        for cs in node.children("CountStatus"):
            if _clean(cs.text("Type")).lower() in ("total", ""):
                status = _clean(cs.text("Status")).lower()
                if status == "completed":
                    return Reporting.COMPLETE
                if status == "in-process":
                    return Reporting.PARTIAL
                if status == "not-processed":
                    return Reporting.NONE
    return Reporting.PARTIAL if has_votes else Reporting.NONE
