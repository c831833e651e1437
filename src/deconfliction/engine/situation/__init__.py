"""The current situation: everything recorded so far, and what each new item changes.

:class:`Situation` composes parts with one job each -- the roster (who is who, need to know),
the geography (lines and zones), the site book, the notice book (versions, chains and the
index of current volumes), the observation log and the alert book -- and dispatches each kind
of item to the part that assesses and records it (:mod:`deconfliction.engine.items`).

Each new item goes through two steps:

* :meth:`Situation.assess` checks the item against the situation (references, version chains)
  and computes every alert change it causes, **without changing anything**;
* :meth:`Situation.apply` records the item and its alert changes, each change journaled
  (:class:`~deconfliction.engine.journal.Journal`) so that a failed transaction can undo it.

Times come from the items (``filed_at``, ``observed_at``, ``valid_from``): nothing here reads
a clock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from deconfliction.engine.alerts import AlertChange
from deconfliction.engine.detection.conflicts import NoticeConflicts
from deconfliction.engine.detection.findings import AlertKind, Finding, finding_key
from deconfliction.engine.detection.lateness import late_notice
from deconfliction.engine.detection.red_lines import compile_red_line, crossings
from deconfliction.engine.detection.roster import Roster
from deconfliction.engine.detection.screen import overlap_conflicts
from deconfliction.engine.detection.sites import duplicate_sites, site_coverage
from deconfliction.engine.detection.zones import (
    cap_violation,
    observation_violations,
    slice_bounds,
    zone_entries,
)
from deconfliction.engine.errors import ConflictingRecord, InvalidInput, Problem
from deconfliction.engine.items import Item, kind_of
from deconfliction.engine.journal import Journal, NoJournal, or_no_journal
from deconfliction.engine.model import (
    Agreement,
    CapRule,
    Limits,
    Line,
    Notice,
    NoticeAction,
    Observation,
    Party,
    ProtectedSite,
    ZoneAgreement,
)
from deconfliction.engine.model.red_lines import RedLine
from deconfliction.engine.situation.alerts import AlertBook
from deconfliction.engine.situation.geography import Geography
from deconfliction.engine.situation.notices import NoticeBook
from deconfliction.engine.situation.observations import ObservationLog
from deconfliction.engine.situation.reach import check_reach, epoch_s
from deconfliction.engine.situation.red_lines import RedLineBook
from deconfliction.engine.situation.sites import SiteBook

__all__ = ["Assessment", "Item", "Situation"]

_NOTICE_ALERTS: Final = frozenset(
    {
        AlertKind.notice_overlap,
        AlertKind.protected_site,
        AlertKind.late_notice,
        AlertKind.zone_entry,
    }
)
_SITE_ALERTS: Final = frozenset({AlertKind.protected_site, AlertKind.site_duplicate})


@dataclass(frozen=True, slots=True)
class Assessment:
    """What recording ``item`` would change.  ``duplicate`` means the same item is already
    recorded exactly so: recording it again changes nothing.  ``series`` is a notice's
    chain."""

    item: Item
    changes: tuple[AlertChange, ...] = ()
    duplicate: bool = False
    series: str | None = None
    notes: tuple[str, ...] = field(default=())


class Situation:
    """See the module documentation."""

    def __init__(self, limits: Limits | None = None) -> None:
        self.limits = limits or Limits()
        self.roster = Roster()
        self.geography = Geography()
        self.sites = SiteBook()
        self.notices = NoticeBook()
        self.observations = ObservationLog()
        self.red_lines = RedLineBook()
        self.alerts = AlertBook(self.notices.series_of)
        self._assess: dict[str, Callable[[Any], Assessment]] = {
            "party": self._assess_party,
            "agreement": self._assess_agreement,
            "line": self._assess_line,
            "zone": self._assess_zone,
            "red_line": self._assess_red_line,
            "site": self._assess_site,
            "notice": self._assess_notice,
            "observation": self._assess_observation,
        }
        self._record: dict[str, Callable[[Any, Journal], None]] = {
            "party": self.roster.with_party,
            "agreement": self.roster.with_agreement,
            "line": self._record_line,
            "zone": self._record_zone,
            "red_line": self._record_red_line,
            "site": self.sites.record,
            "notice": self._record_notice,
            "observation": self.observations.record,
        }

    # -- the two steps ---------------------------------------------------------------------------

    def assess(self, item: Item) -> Assessment:
        """What recording ``item`` would change (nothing changes now)."""
        return self._assess[kind_of(item).name](item)

    def apply(self, assessment: Assessment, journal: Journal | None = None) -> None:
        """Record an item and its alert changes.  Recording a duplicate changes nothing."""
        if assessment.duplicate:
            return
        journal = or_no_journal(journal)
        item = assessment.item
        self._record[kind_of(item).name](item, journal)
        for change in assessment.changes:
            self.alerts.record(change, journal)

    def file(self, item: Item) -> Assessment:
        """Assess and apply in one step (for tools and tests that hold no store)."""
        assessment = self.assess(item)
        self.apply(assessment)
        return assessment

    def restore(self, item: Item) -> None:
        """Record an item from the trusted log, without assessing it (its alert changes follow
        in the log and are restored with :meth:`restore_change`)."""
        self._record[kind_of(item).name](item, NoJournal())

    def restore_change(self, change: AlertChange) -> None:
        """Record one alert change from the trusted log."""
        self.alerts.record(change, NoJournal())

    def audience(self, item: Item) -> frozenset[str]:
        """Who may read ``item`` and its ledger entry (see :meth:`Roster.audience`)."""
        return self.roster.audience(item)

    # -- configuration: parties, agreements, lines, zones ----------------------------------------

    def _require_parties(self, item: Agreement | ZoneAgreement, *fields: str) -> None:
        """Refuse an item that names parties not recorded, each at its place."""
        problems = [
            Problem((name, i), f"no party '{p}'")
            for name in fields
            for i, p in enumerate(getattr(item, name))
            if p not in self.roster.parties
        ]
        if problems:
            raise InvalidInput(problems)

    def _assess_party(self, party: Party) -> Assessment:
        return Assessment(party, duplicate=self.roster.parties.get(party.id) == party)

    def _assess_agreement(self, agreement: Agreement) -> Assessment:
        self._require_parties(agreement, "parties", "monitors")
        return Assessment(
            agreement, duplicate=self.roster.agreements.get(agreement.id) == agreement
        )

    def _assess_line(self, line: Line) -> Assessment:
        return Assessment(line, duplicate=self.geography.lines.get(line.id) == line)

    def _assess_zone(self, zone: ZoneAgreement) -> Assessment:
        self._require_parties(zone, "signatories", "monitors")
        self.geography.compile(zone)
        return Assessment(zone, duplicate=self.roster.zones.get(zone.id) == zone)

    def _record_zone(self, zone: ZoneAgreement, journal: Journal) -> None:
        self.roster.with_zone(zone, journal)
        self.geography.record_zone(zone, journal)

    def _record_line(self, line: Line, journal: Journal) -> None:
        self.geography.record_line(line, journal)
        self.red_lines.recompile(self.geography.lines, self.roster, journal)

    # -- red lines: declared by one party, watched, never applied to notices ----------------------

    def _assess_red_line(self, red_line: RedLine) -> Assessment:
        roster = self.roster
        problems = []
        if red_line.declared_by not in roster.parties:
            problems.append(Problem(("declared_by",), f"no party '{red_line.declared_by}'"))
        for i, p in enumerate(red_line.audience.parties):
            if p not in roster.parties:
                problems.append(Problem(("audience", "parties", i), f"no party '{p}'"))
        chosen = red_line.audience.agreement
        if chosen is not None and chosen not in roster.agreements:
            problems.append(Problem(("audience", "agreement"), f"no agreement '{chosen}'"))
        if problems:
            raise InvalidInput(problems)
        existing = self.red_lines.get(red_line.id)
        if existing is not None:
            if existing.red_line == red_line:
                return Assessment(red_line, duplicate=True)
            if existing.red_line.declared_by != red_line.declared_by:
                raise ConflictingRecord(
                    f"red line '{red_line.id}' was declared by '{existing.red_line.declared_by}': "
                    "only its declarer may change or end it"
                )
        compile_red_line(red_line, self.geography.lines, roster)  # its lines must exist
        return Assessment(red_line)

    def _record_red_line(self, red_line: RedLine, journal: Journal) -> None:
        compiled = compile_red_line(red_line, self.geography.lines, self.roster)
        self.red_lines.record(compiled, journal)

    # -- notices -------------------------------------------------------------------------------

    def notice_findings(self, notice: Notice, series: str) -> list[Finding]:
        """Every finding for one notice version against the situation, explained."""
        return self.notice_conflicts(notice, series).findings()

    def notice_conflicts(self, notice: Notice, series: str) -> NoticeConflicts:
        """Every conflict of one notice version against the situation: its overlaps with other
        notices as columns, no words written (:class:`OverlapConflicts`), the rarer findings
        (protected sites, lateness, zones) made."""
        if notice.action is NoticeAction.cancel:
            return NoticeConflicts(None, [])
        series_of = self._series_for(notice, series)
        # Screened in bulk over the index's columns (detection/screen.py).
        rows = self.notices.candidate_rows(notice, series, self.roster)
        overlaps = overlap_conflicts(notice, rows, self.roster, series_of)
        findings = []
        for site in self._sites_near(notice):
            found = site_coverage(notice, site, self.roster, series_of)
            if found is not None:
                findings.append(found)
        late = late_notice(notice, self.roster)
        if late is not None:
            findings.append(late)
        zones = list(self.geography.zones.values())
        findings.extend(zone_entries(notice, zones, self.roster, series_of))
        return NoticeConflicts(overlaps, findings)

    def _sites_near(self, notice: Notice) -> list[ProtectedSite]:
        if not self.sites:  # no box to work out (a tenth of a check with no site)
            return []
        margin = self.roster.widest_lateral_margin()
        found: dict[str, ProtectedSite] = {}
        for volume in notice.volumes:
            west, south, east, north = volume.outline.shape.bbox(margin)
            box = (
                west,
                south,
                east,
                north,
                epoch_s(volume.window.start),
                epoch_s(volume.window.end),
            )
            for site in self.sites.near(box):
                found.setdefault(site.id, site)
        return list(found.values())

    def _series_for(self, notice: Notice, series: str) -> Callable[[str], str]:
        def series_of(notice_id: str) -> str:
            return series if notice_id == notice.id else self.notices.series_of(notice_id)

        return series_of

    def _assess_notice(self, notice: Notice) -> Assessment:
        existing = self.notices.get(notice.id)
        if existing is not None:
            if existing == notice:
                return Assessment(notice, duplicate=True, series=self.notices.series_of(notice.id))
            raise ConflictingRecord(
                f"notice '{notice.id}' is already recorded with different content; the record "
                "is append-only: file a replacement instead"
            )
        series = self.notices.check(notice, self.roster)
        # Every conflict's words are made here: each becomes an alert opened or updated (its
        # explanation names this version, so none is ever unchanged in words).
        findings = self.notice_conflicts(notice, series).findings()
        if notice.action is NoticeAction.cancel:
            reason = f"notice {notice.replaces} cancelled by {notice.id}"
        else:
            reason = f"no longer found after {notice.replaces} was replaced by {notice.id}"
        previous = self.alerts.open_on(series, _NOTICE_ALERTS)
        changes = self.alerts.diff(findings, previous, notice.filed_at, reason)
        return Assessment(notice, tuple(changes), series=series)

    def _record_notice(self, notice: Notice, journal: Journal) -> None:
        self.roster.remember_audience(notice, journal)
        self.notices.record(notice, journal)

    # -- sites -----------------------------------------------------------------------------------

    def _assess_site(self, site: ProtectedSite) -> Assessment:
        if site.owner not in self.roster.parties:
            raise InvalidInput.at(("owner",), f"no party '{site.owner}'")
        check_reach(("location",), site.location.shape, self.roster)
        existing = self.sites.get(site.id)
        if existing is not None:
            if existing == site:
                return Assessment(site, duplicate=True)
            if existing.owner != site.owner:
                raise ConflictingRecord(
                    f"site '{site.id}' belongs to '{existing.owner}': only its owner may "
                    "update or recertify it"
                )
        findings: list[Finding] = []
        margin = self.roster.widest_lateral_margin()
        valid = (epoch_s(site.valid_from), epoch_s(site.valid_until))
        for notice in self.notices.current_near((*site.location.shape.bbox(margin), *valid)):
            found = site_coverage(notice, site, self.roster, self.notices.series_of)
            if found is not None:
                findings.append(found)
        threshold = self.limits.duplicate_site_distance_m
        near = self.sites.near((*site.location.shape.bbox(threshold), *valid))
        findings.extend(duplicate_sites(site, near, self.roster, threshold))
        at = site.valid_from
        findings = [f if f.raised_at >= at else _at(f, at) for f in findings]
        previous = self.alerts.open_on(site.id, _SITE_ALERTS)
        changes = self.alerts.diff(
            findings, previous, at, f"site {site.id} updated: no longer applies"
        )
        return Assessment(site, tuple(changes))

    # -- observations ----------------------------------------------------------------------------

    def _assess_observation(self, obs: Observation) -> Assessment:
        existing = self.observations.get(obs.id)
        if existing is not None:
            if existing == obs:
                return Assessment(obs, duplicate=True)
            raise ConflictingRecord(
                f"observation '{obs.id}' is already recorded with different content; file a "
                "new observation instead"
            )
        problems = []
        if obs.reported_by not in self.roster.parties:
            problems.append(Problem(("reported_by",), f"no party '{obs.reported_by}'"))
        if obs.party is not None and obs.party not in self.roster.parties:
            problems.append(Problem(("party",), f"no party '{obs.party}'"))
        if problems:
            raise InvalidInput(problems)
        findings: list[Finding] = []
        cap_keys: list[str] = []
        geography = self.geography
        for cz in geography.zones.values():
            findings.extend(
                observation_violations(
                    cz, obs, self.roster, geography.line_geometry, geography.zones
                )
            )
            for ri, rule in enumerate(cz.zone.rules):
                if not isinstance(rule, CapRule):
                    continue
                start, end = slice_bounds(obs.observed_at, rule.slice.seconds)
                in_slice = [*self.observations.between(start, end), obs]
                found = cap_violation(cz, ri, start, in_slice, self.roster)
                cap_keys.append(
                    finding_key(AlertKind.zone_violation, cz.zone.id, str(ri), start.isoformat())
                )
                if found is not None:
                    findings.append(found)
        crossed, red_cap_keys = crossings(
            obs,
            self.red_lines.watched(),
            self.roster,
            geography.line_geometry,
            geography.zones,
            self.observations.between,
        )
        findings.extend(crossed)
        cap_keys.extend(red_cap_keys)
        previous = self.alerts.open_among(cap_keys)
        changes = self.alerts.diff(
            findings, previous, obs.observed_at, f"counts back within the cap after {obs.id}"
        )
        return Assessment(obs, tuple(changes))


def _at(finding: Finding, at: datetime) -> Finding:
    return Finding(
        finding.kind,
        finding.key,
        finding.parties,
        finding.subjects,
        finding.explanation,
        at,
        finding.figures,
    )
