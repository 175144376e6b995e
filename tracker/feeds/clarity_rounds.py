"""A Clarity site's round of requests: ``current_ver.txt``, then only what a new version needs.

Clarity is the one feed whose round is more than one GET, and the one with the most state between
rounds, so it has a module of its own beside the loop (:class:`ClarityRounds` is mixed into
:class:`~tracker.feeds.poller.Poller`). A round polls the tiny ``current_ver.txt`` and fetches the
big ``detailxml.zip`` only when the version changes (a version *lower* than one already fetched
that we have is a stale cache, not fetched again). For a version to fetch it also reads the
version's ``electionsettings.json`` (the site's own runoff rule travels with the payload), and on
the first version it sees, the versions a late start missed, oldest first; a state site's county
sub-sites are followed at their own versions. After the first version, a new one's small
``summary.json`` comes first, in a report of its own (``PollReport.more``), and its detail in the
next call, at once (:meth:`ClarityRounds._fast_path`).
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from tracker.core.errors import FeedError
from tracker.feeds.fetch import Validators
from tracker.feeds.poll_reports import FetchEvent
from tracker.feeds.poll_schedule import Outcome
from tracker.feeds.version_rules import clarity_action, parse_clarity_version

if TYPE_CHECKING:
    import httpx

    from tracker.feeds.clarity_json import ClaritySettings
    from tracker.feeds.clarity_sites import CountyStatus
    from tracker.feeds.discovery import FeedTarget

#: Missed versions answered 404 in a row after which a late start stops asking for older ones.
BACKFILL_GIVE_UP = 5
#: The most county sub-sites of one Clarity state site followed (GA has 159).
MAX_COUNTY_SITES = 300
#: A Clarity site's summary.json answered 404 this many times in a row: it publishes none, and
#: the fast path is no longer tried (the detail alone is fetched, as before).
SUMMARY_GIVE_UP = 3


@dataclass(frozen=True)
class _PendingDetail:
    """A Clarity version whose summary.json was shown and whose detail is fetched next."""

    version: int
    #: ``current_ver.txt``'s validators, kept only once the detail is in.
    validators: Validators
    settings: ClaritySettings | None = None


class ClarityRounds:
    """The Clarity half of :class:`~tracker.feeds.poller.Poller`, mixed into it.

    Its state is its own (:meth:`_init_clarity`); it makes its requests with the poller's
    ``_get``, ``_fetch_document`` and ``_event``, and keeps the poller's validators and target.
    """

    #: What the poller provides.
    target: FeedTarget
    _validators: dict[str, Validators]
    _more: bool

    if TYPE_CHECKING:

        def _get(
            self, url: str, *, conditional: bool = True
        ) -> tuple[httpx.Response | None, bytes, str | None]: ...

        def _event(
            self, url: str, kind: str, response: httpx.Response | None, **extra: object
        ) -> FetchEvent: ...

        def _fetch_document(
            self, url: str, *, version: str | None = None, slot: str = "document"
        ) -> tuple[list[FetchEvent], Outcome]: ...

        def _error_outcome(self, response: httpx.Response | None, error: str | None) -> Outcome: ...

    def _init_clarity(self) -> None:
        """The Clarity state of a new poller (called by its ``__init__``)."""
        self._summary_misses = 0
        self._pending: _PendingDetail | None = None
        self._clarity_version: int | None = None
        self._clarity_previous: int | None = None
        self._clarity_have: set[int] = set()
        self._clarity_file = 0
        #: The newest Clarity electionsettings.json read (raw), attached to the payload it decides.
        self._settings_body: bytes | None = None
        #: County sub-sites of a Clarity state site: their own versions, and how each stands.
        self._county_versions: dict[str, str] = {}
        self.county_status: tuple[CountyStatus, ...] = ()

    # Clarity: current_ver.txt, then summary.json (fast path), then detailxml.zip -----------------
    def _clarity_round(self) -> tuple[list[FetchEvent], Outcome]:
        """One Clarity round: ``current_ver.txt``; for a version to fetch, its settings (and,
        after a late start, the versions missed); then its files. A new version after the first
        comes in two reports: its ``summary.json`` at once (:attr:`PollReport.more`), then, in
        the next call without reading ``current_ver.txt`` again, its ``detailxml.zip``."""
        target = self.target
        if self._pending is not None:  # the detail of the version whose summary was just shown
            pending, self._pending = self._pending, None
            version = pending.version
            events, outcome = self._fetch_document(target.clarity_payload_url(version), version=str(version))
            return self._clarity_fetched(pending, events, outcome)
        ver_url = target.clarity_version_url()
        response, body, error = self._get(ver_url)
        if response is None or error is not None or response.status_code >= 400:
            outcome = self._error_outcome(response, error)
            return [self._event(ver_url, "error", response, error=outcome.error)], outcome
        if response.status_code == 304:
            return [self._event(ver_url, "not-modified", response)], Outcome(ok=True)
        # kept only once the version is dealt with: a version whose file failed (a 503, or a
        # version announced but not there yet) must be asked for again, not answered 304
        ver_validators = Validators(response.headers.get("ETag"), response.headers.get("Last-Modified"))
        try:
            version = parse_clarity_version(body)
        except FeedError as exc:
            return [self._event(ver_url, "error", response, error=str(exc))], Outcome(
                ok=False, error=str(exc)
            )
        action = clarity_action(version, self._clarity_version, self._clarity_have)
        if action != "fetch":
            self._validators[ver_url] = ver_validators
        if action == "stale":
            note = f"stale version {version} (newest fetched {self._clarity_version}); already recorded"
            return [self._event(ver_url, "stale", response, version=str(version), error=note)], Outcome(
                ok=True
            )
        if action == "same":
            return [self._event(ver_url, "version", response, version=str(version))], Outcome(ok=True)
        events = [self._event(ver_url, "version", response, version=str(version))]
        settings, got = self._clarity_settings(version)
        events += got
        if settings is not None and self._clarity_version is None:
            events += self._clarity_backfill(settings.versions, version)  # a late start
        pending = _PendingDetail(version, ver_validators, settings)
        if self._fast_path(version):
            got, _ = self._fetch_document(
                target.clarity_summary_url(version), version=str(version), slot="summary"
            )
            events += got
            status = got[-1].status
            self._summary_misses = self._summary_misses + 1 if status == 404 else 0
            if got[-1].kind == "new":  # shown now; the detail follows at once, in the next call
                if settings is not None:
                    events[-1] = replace(events[-1], settings=self._settings_body)
                self._pending, self._more = pending, True
                return events, Outcome(ok=True)
        urls = target.clarity_payload_urls(version)
        fetched: list[FetchEvent] = []
        outcome = Outcome(ok=False, error="no file to fetch")
        for i in range(self._clarity_file, len(urls)):
            fetched, outcome = self._fetch_document(urls[i], version=str(version))
            events += fetched
            if outcome.ok:
                self._clarity_file = i  # the file this site publishes: ask for it first next time
            if outcome.ok or fetched[-1].status != 404:
                break  # a 404 means this site does not publish that file: try the next one
        done, outcome = self._clarity_fetched(pending, fetched, outcome)
        return events[: len(events) - len(fetched)] + done, outcome

    def _fast_path(self, version: int) -> bool:
        """Whether to fetch ``version``'s summary.json before its detail: only on a site that
        publishes the zip, for a version above the newest detail fetched (a stale cache's older
        version is judged by its detail's own time, never shown from a summary that has none),
        never for the first version (a summary is shown in the names of the detail before it),
        and not on a site that answered 404 for its summaries :data:`SUMMARY_GIVE_UP` times in
        a row. A forced format (``--format``) names one file, not both."""
        return (
            self.target.fmt == "auto"
            and self._clarity_file == 0
            and self._clarity_version is not None
            and version > self._clarity_version
            and self._summary_misses < SUMMARY_GIVE_UP
        )

    def _clarity_fetched(
        self, pending: _PendingDetail, events: list[FetchEvent], outcome: Outcome
    ) -> tuple[list[FetchEvent], Outcome]:
        """After a version's file was fetched: its settings travel with it, and a success makes
        it the version fetched (its ``current_ver.txt`` validators kept, its counties read)."""
        settings, version = pending.settings, pending.version
        if outcome.ok and settings is not None and events and events[-1].kind == "new":
            # the site's own rule (runoffthreshold) travels with the payload it decides
            events[-1] = replace(events[-1], settings=self._settings_body)
        if outcome.ok:  # the last version fetched is the high-water mark, even a lower one
            self._validators[self.target.clarity_version_url()] = pending.validators
            self._clarity_previous = self._clarity_version
            self._clarity_version = version
            self._clarity_have.add(version)
            if (
                settings is not None
                and settings.counties
                and self.target.clarity
                and not self.target.clarity[1]
            ):
                events = events + self._follow_counties(settings)
        return events, outcome

    # Clarity state sites: settings, county sub-sites, versions missed ------------------------------
    def _clarity_settings(self, version: int) -> tuple[ClaritySettings | None, list[FetchEvent]]:
        """The version's ``electionsettings.json`` (its versions and county sub-sites), or None
        when the site publishes none readable: that is no error of the feed's, only less to know."""
        from tracker.feeds.clarity_json import parse_electionsettings
        from tracker.feeds.clarity_sites import settings_path

        url = self.target.url + settings_path(version)
        response, body, error = self._get(url, conditional=False)
        if response is None or error is not None or response.status_code != 200:
            return None, []
        try:
            settings = parse_electionsettings(body, source=url)
        except FeedError:
            return None, []  # not a settings file we read: the site is followed without it
        self._settings_body = bytes(body)
        return settings, [self._event(url, "version", response, version=str(version))]

    def _clarity_backfill(self, listed: tuple[str, ...], current: int) -> list[FetchEvent]:
        """After a late start, the versions the site lists but we never saw, oldest first, while
        it still serves them (a 404 is noted and skipped; it is not the feed failing)."""
        from tracker.feeds.clarity_sites import missed_versions

        events: list[FetchEvent] = []
        gone = 0
        for old in missed_versions(listed, current, self._clarity_have):
            url = self.target.clarity_payload_urls(old)[self._clarity_file]
            got, outcome = self._fetch_document(url, version=str(old))
            if outcome.ok:
                self._clarity_have.add(old)
                events += [replace(e, history=True) if e.kind == "new" else e for e in got]
                gone = 0
            elif got and got[-1].status == 404:
                events.append(replace(got[-1], kind="version", error=f"version {old} is no longer served"))
                gone += 1
                if gone >= BACKFILL_GIVE_UP:
                    break  # this site keeps no old versions (or not this file): stop asking
            else:
                events += got
                break  # the site is failing: the current version comes first
        return events

    def _follow_counties(self, settings: ClaritySettings) -> list[FetchEvent]:
        """Each county sub-site's own ``current_ver.txt`` (conditional GETs), so every county is
        followed at its own version and one whose site serves an older version than the state
        lists is shown as behind (``county_status``)."""
        from tracker.feeds.clarity_sites import county_statuses

        base = urllib.parse.urlsplit(self.target.url)
        events: list[FetchEvent] = []
        for county in settings.counties[:MAX_COUNTY_SITES]:
            url = urllib.parse.urlunsplit(
                (base.scheme, base.netloc, county.base_path(settings.state or self.target.clarity[0]), "", "")
            )
            url += "current_ver.txt"
            response, body, error = self._get(url)
            if response is not None and error is None and response.status_code == 200:
                self._validators[url] = Validators(
                    response.headers.get("ETag"), response.headers.get("Last-Modified")
                )
                try:
                    self._county_versions[county.name] = str(parse_clarity_version(body))
                except FeedError:
                    continue
                events.append(
                    self._event(url, "version", response, version=self._county_versions[county.name])
                )
        self.county_status = county_statuses(settings.counties, self._county_versions)
        return events

    def _forget_clarity_version(self, version: int) -> None:
        """The recorder could not read ``version``'s file: ask for it again (its
        ``current_ver.txt`` not answered 304), and fall back to the version fetched before it."""
        self._validators.pop(self.target.clarity_version_url(), None)
        self._clarity_have.discard(version)
        if self._clarity_version == version:
            self._clarity_version = self._clarity_previous
