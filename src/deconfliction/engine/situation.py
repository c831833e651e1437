"""The current situation: everything recorded so far, and what each new item changes.

:class:`Situation` holds parties, agreements, lines, zones, sites, notices (every version) and
observations, with spatial and temporal indexes, and the alerts derived from them.  Each new
item goes through two steps:

* ``assess_*`` checks the item against the situation (references, version chains) and computes
  every alert change it causes, **without changing anything**;
* :meth:`Situation.apply` records the item and its alert changes.

The split lets a store commit an item and its alerts atomically before the in-memory situation
moves; if the commit fails, the situation is unchanged.  Times come from the items
(``filed_at``, ``observed_at``, ``valid_from``): nothing here reads a clock.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import cast

import numpy as np

from deconfliction.engine.alerts import Alert, AlertChange, AlertStatus, ChangeAction
from deconfliction.engine.detection.findings import AlertKind, Finding, finding_key
from deconfliction.engine.detection.lateness import late_notice
from deconfliction.engine.detection.overlap import CandidateVolumes, epoch_us, overlaps_among
from deconfliction.engine.detection.roster import Roster
from deconfliction.engine.detection.sites import duplicate_sites, site_coverage
from deconfliction.engine.detection.vertical import band_terms
from deconfliction.engine.detection.zone_areas import compile_area
from deconfliction.engine.detection.zones import (
    CompiledZone,
    NamedLine,
    cap_violation,
    observation_violations,
    slice_bounds,
    zone_entries,
)
from deconfliction.engine.errors import ConflictingRecord, InvalidInput, Problem
from deconfliction.engine.geodesy.lines import GeodesicPolyline
from deconfliction.engine.geodesy.shapes import Shape
from deconfliction.engine.geodesy.validity import check_extent
from deconfliction.engine.index import IndexEntry, SpatioTemporalIndex
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

__all__ = ["Assessment", "Item", "Situation"]

Item = Party | Agreement | Line | ZoneAgreement | ProtectedSite | Notice | Observation

_NOTICE_ALERTS = frozenset(
    {
        AlertKind.notice_overlap,
        AlertKind.protected_site,
        AlertKind.late_notice,
        AlertKind.zone_entry,
    }
)
_SITE_ALERTS = frozenset({AlertKind.protected_site, AlertKind.site_duplicate})


def _epoch(t: datetime) -> float:
    return t.timestamp()


@dataclass(frozen=True, slots=True)
class Assessment:
    """What recording ``item`` would change.  ``duplicate`` means the same item is already
    recorded exactly so: recording it again changes nothing."""

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
        self.lines: dict[str, Line] = {}
        self.line_geometry: dict[str, NamedLine] = {}
        self.zones: dict[str, CompiledZone] = {}
        self.sites: dict[str, ProtectedSite] = {}
        self.notices: dict[str, Notice] = {}
        self.series: dict[str, str] = {}
        self.current: dict[str, str | None] = {}
        self.superseded_by: dict[str, str] = {}
        self.observations: dict[str, Observation] = {}
        self._obs_by_time: list[tuple[datetime, str]] = []
        self.alerts: dict[str, Alert] = {}
        self.history: list[AlertChange] = []
        self._open_by_anchor: dict[str, set[str]] = {}
        self._notice_index = SpatioTemporalIndex()
        """Volumes of current notices: payload the series; values the volume count of the
        notice, the volume's index, start and end (microseconds) and band terms."""
        self._site_index = SpatioTemporalIndex(bucket_s=30 * 86400.0)

    # -- configuration: parties, agreements, lines, zones ------------------------------------

    def _known(self, item: Item, existing: Item | None) -> bool:
        return existing is not None and existing == item

    def assess_party(self, party: Party) -> Assessment:
        return Assessment(party, duplicate=self._known(party, self.roster.parties.get(party.id)))

    def _require_parties(self, item: Item, *fields: str) -> None:
        """Refuse an item that names parties not recorded, each at its place."""
        problems = [
            Problem((name, i), f"no party '{p}'")
            for name in fields
            for i, p in enumerate(getattr(item, name))
            if p not in self.roster.parties
        ]
        if problems:
            raise InvalidInput(problems)

    def assess_agreement(self, agreement: Agreement) -> Assessment:
        self._require_parties(agreement, "parties", "monitors")
        existing = self.roster.agreements.get(agreement.id)
        return Assessment(agreement, duplicate=self._known(agreement, existing))

    def assess_line(self, line: Line) -> Assessment:
        return Assessment(line, duplicate=self._known(line, self.lines.get(line.id)))

    def assess_zone(self, zone: ZoneAgreement) -> Assessment:
        self._require_parties(zone, "signatories", "monitors")
        compile_area(zone, self.lines)
        existing = self.zones.get(zone.id)
        return Assessment(zone, duplicate=existing is not None and existing.zone == zone)

    # -- notices -------------------------------------------------------------------------------

    def series_of(self, notice_id: str) -> str:
        return self.series.get(notice_id, notice_id)

    def current_notices(self) -> list[Notice]:
        return [self.notices[n] for n in self.current.values() if n is not None]

    def _check_reach(self, path: tuple[str | int, ...], shape: Shape) -> None:
        """Refuse a shape whose widest margin reaches across 180 degrees or a pole.

        The indexes work in degrees and do not wrap: such a shape would silently miss what
        lies just across the antimeridian, so it is refused instead.
        """
        margin = self.roster.widest_lateral_margin()
        try:
            check_extent(shape, margin)
        except ValueError as exc:
            raise InvalidInput.at(path, f"{exc} (with the {margin:,.0f} m margin)") from None

    def _check_notice(self, notice: Notice) -> str:
        """Problems with a notice's references; returns its series."""
        if notice.author not in self.roster.parties:
            raise InvalidInput.at(("author",), f"no party '{notice.author}'")
        for i, volume in enumerate(notice.volumes):
            self._check_reach(("volumes", i, "outline"), volume.outline.shape)
        if notice.action is NoticeAction.new:
            return notice.id
        assert notice.replaces is not None
        earlier = self.notices.get(notice.replaces)
        if earlier is None:
            raise InvalidInput.at(("replaces",), f"no notice '{notice.replaces}'")
        if earlier.author != notice.author:
            raise InvalidInput.at(
                ("replaces",),
                f"'{earlier.id}' is a notice of '{earlier.author}': only its author may "
                f"{notice.action.value} it",
            )
        if earlier.id in self.superseded_by:
            raise InvalidInput.at(
                ("replaces",),
                f"'{earlier.id}' was already replaced or cancelled by "
                f"'{self.superseded_by[earlier.id]}'",
            )
        if earlier.action is NoticeAction.cancel:
            raise InvalidInput.at(("replaces",), f"'{earlier.id}' is a cancellation")
        if notice.filed_at <= earlier.filed_at:
            raise InvalidInput.at(
                ("filed_at",),
                f"must be after '{earlier.id}' was filed ({earlier.filed_at.isoformat()})",
            )
        return self.series_of(earlier.id)

    def notice_candidates(self, notice: Notice, series: str) -> list[Notice]:
        """Current notices of the other series that may come near ``notice`` (from the index)."""
        margin = self.roster.widest_lateral_margin()
        slack = self.roster.widest_time_margin()
        found: dict[str, None] = {}
        for volume in notice.volumes:
            west, south, east, north = volume.outline.shape.bbox(margin)
            for s in self._notice_index.query(
                west,
                south,
                east,
                north,
                _epoch(volume.window.start) - slack,
                _epoch(volume.window.end) + slack,
            ):
                found.setdefault(str(s), None)
        found.pop(series, None)
        out = []
        for s in found:
            current = self.current.get(s)
            if current is not None:
                out.append(self.notices[current])
        return out

    def candidate_volumes(self, notice: Notice, series: str) -> CandidateVolumes:
        """The :meth:`notice_candidates` as a :class:`CandidateVolumes` table, built from the
        numbers the index keeps for every volume (window in microseconds, band, position in
        its notice), so that a check against a million notices handles one Python object per
        candidate notice, not per volume, and none per index entry.
        """
        index = self._notice_index
        margin = self.roster.widest_lateral_margin()
        slack = self.roster.widest_time_margin()
        parts = []
        for volume in notice.volumes:
            west, south, east, north = volume.outline.shape.bbox(margin)
            parts.append(
                index.query_slots(
                    west,
                    south,
                    east,
                    north,
                    _epoch(volume.window.start) - slack,
                    _epoch(volume.window.end) + slack,
                )
            )
        slots = np.unique(np.concatenate(parts)) if len(parts) > 1 else parts[0]
        own = index.slots_of(series)
        if own and slots.size:
            slots = slots[~np.isin(slots, own)]
        if not slots.size:
            return CandidateVolumes.of([])
        values = index.values(slots)
        if (values[:, 0] > 1).any():
            # A candidate with several volumes is paired through all of them.
            extra = [
                other
                for slot in slots[values[:, 0] > 1].tolist()
                for other in index.slots_of(index.payload_of(slot))
            ]
            slots = np.unique(np.concatenate([slots, np.asarray(extra, np.int64)]))
            values = index.values(slots)
        # Each entry keeps its (current) notice and outline: no lookup by series needed.
        items = cast(list[tuple[Notice, Shape]], index.items(slots))
        owners: dict[int, int] = {}
        notices: list[Notice] = []
        rank = []
        for item in items:
            code = owners.get(id(item[0]))
            if code is None:
                code = owners[id(item[0])] = len(notices)
                notices.append(item[0])
            rank.append(code)
        if float(np.abs(values[:, 2:4]).max()) >= 2.0**53:
            return CandidateVolumes.of(notices)  # windows beyond 1685-2255: exact in Python
        owner = np.array(rank, np.int64)
        order = np.lexsort((values[:, 1], owner))
        values = values[order]
        return CandidateVolumes(
            notices,
            owner[order],
            values[:, 1].astype(np.int64),
            values[:, 2].astype(np.int64),
            values[:, 3].astype(np.int64),
            values[:, 4].copy(),
            values[:, 5].copy(),
            values[:, 6].astype(np.int64),
            [items[i][1] for i in order.tolist()],
        )

    def _sites_near(self, notice: Notice) -> list[ProtectedSite]:
        margin = self.roster.widest_lateral_margin()
        found: dict[str, None] = {}
        for volume in notice.volumes:
            west, south, east, north = volume.outline.shape.bbox(margin)
            for s in self._site_index.query(
                west, south, east, north, _epoch(volume.window.start), _epoch(volume.window.end)
            ):
                found.setdefault(str(s), None)
        return [self.sites[s] for s in found]

    def notice_findings(self, notice: Notice, series: str) -> list[Finding]:
        """Every finding for one notice version against the situation."""
        if notice.action is NoticeAction.cancel:
            return []
        series_of = self._series_for(notice, series)
        findings = overlaps_among(
            notice, self.candidate_volumes(notice, series), self.roster, series_of
        )
        for site in self._sites_near(notice):
            found = site_coverage(notice, site, self.roster, series_of)
            if found is not None:
                findings.append(found)
        late = late_notice(notice, self.roster)
        if late is not None:
            findings.append(late)
        findings.extend(zone_entries(notice, list(self.zones.values()), self.roster, series_of))
        return findings

    def _series_for(self, notice: Notice, series: str) -> Callable[[str], str]:
        def series_of(notice_id: str) -> str:
            return series if notice_id == notice.id else self.series_of(notice_id)

        return series_of

    def assess_notice(self, notice: Notice) -> Assessment:
        existing = self.notices.get(notice.id)
        if existing is not None:
            if existing == notice:
                return Assessment(notice, duplicate=True, series=self.series_of(notice.id))
            raise ConflictingRecord(
                f"notice '{notice.id}' is already recorded with different content; the record "
                "is append-only: file a replacement instead"
            )
        series = self._check_notice(notice)
        findings = self.notice_findings(notice, series)
        if notice.action is NoticeAction.cancel:
            reason = f"notice {notice.replaces} cancelled by {notice.id}"
        else:
            reason = f"no longer found after {notice.replaces} was replaced by {notice.id}"
        previous = {
            aid
            for aid in self._open_by_anchor.get(series, set())
            if self.alerts[aid].kind in _NOTICE_ALERTS
        }
        changes = self._diff(findings, previous, notice.filed_at, reason)
        return Assessment(notice, tuple(changes), series=series)

    # -- sites -----------------------------------------------------------------------------------

    def assess_site(self, site: ProtectedSite) -> Assessment:
        if site.owner not in self.roster.parties:
            raise InvalidInput.at(("owner",), f"no party '{site.owner}'")
        self._check_reach(("location",), site.location.shape)
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
        west, south, east, north = site.location.shape.bbox(margin)
        for s in self._notice_index.query(
            west, south, east, north, _epoch(site.valid_from), _epoch(site.valid_until)
        ):
            current = self.current.get(str(s))
            if current is None:
                continue
            found = site_coverage(self.notices[current], site, self.roster, self.series_of)
            if found is not None:
                findings.append(found)
        threshold = self.limits.duplicate_site_distance_m
        west, south, east, north = site.location.shape.bbox(threshold)
        near = [
            self.sites[str(s)]
            for s in self._site_index.query(
                west, south, east, north, _epoch(site.valid_from), _epoch(site.valid_until)
            )
        ]
        findings.extend(duplicate_sites(site, near, self.roster, threshold))
        at = site.valid_from
        findings = [f if f.raised_at >= at else _at(f, at) for f in findings]
        previous = {
            aid
            for aid in self._open_by_anchor.get(site.id, set())
            if self.alerts[aid].kind in _SITE_ALERTS
        }
        changes = self._diff(findings, previous, at, f"site {site.id} updated: no longer applies")
        return Assessment(site, tuple(changes))

    # -- observations ----------------------------------------------------------------------------

    def observations_between(self, start: datetime, end: datetime) -> list[Observation]:
        lo = bisect.bisect_left(self._obs_by_time, (start, ""))
        hi = bisect.bisect_left(self._obs_by_time, (end, ""))
        return [self.observations[oid] for _, oid in self._obs_by_time[lo:hi]]

    def assess_observation(self, obs: Observation) -> Assessment:
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
        cap_keys: dict[str, str | None] = {}
        for cz in self.zones.values():
            findings.extend(
                observation_violations(cz, obs, self.roster, self.line_geometry, self.zones)
            )
            for ri, rule in enumerate(cz.zone.rules):
                if not isinstance(rule, CapRule):
                    continue
                start, end = slice_bounds(obs.observed_at, rule.slice.seconds)
                in_slice = [*self.observations_between(start, end), obs]
                found = cap_violation(cz, ri, start, in_slice, self.roster)
                key = finding_key(AlertKind.zone_violation, cz.zone.id, str(ri), start.isoformat())
                cap_keys[key] = None
                if found is not None:
                    findings.append(found)
        previous = {
            key
            for key in cap_keys
            if key in self.alerts and self.alerts[key].status is AlertStatus.open
        }
        changes = self._diff(
            findings, previous, obs.observed_at, f"counts back within the cap after {obs.id}"
        )
        return Assessment(obs, tuple(changes))

    # -- the alert diff --------------------------------------------------------------------------

    def _diff(
        self, findings: Iterable[Finding], previous_open: set[str], at: datetime, reason: str
    ) -> list[AlertChange]:
        changes: list[AlertChange] = []
        keys: set[str] = set()
        for finding in findings:
            if finding.key in keys:
                continue
            keys.add(finding.key)
            existing = self.alerts.get(finding.key)
            if existing is None or existing.status is AlertStatus.closed:
                changes.append(
                    AlertChange(ChangeAction.opened, Alert.from_finding(finding, at), at)
                )
            elif not existing.same_content(finding):
                updated = Alert(
                    id=existing.id,
                    kind=existing.kind,
                    status=AlertStatus.open,
                    parties=finding.parties,
                    subjects=finding.subjects,
                    explanation=finding.explanation,
                    raised_at=existing.raised_at,
                    updated_at=at,
                    figures=dict(finding.figures),
                )
                changes.append(AlertChange(ChangeAction.updated, updated, at))
        for aid in sorted(previous_open - keys):
            old = self.alerts[aid]
            closed = Alert(
                id=old.id,
                kind=old.kind,
                status=AlertStatus.closed,
                parties=old.parties,
                subjects=old.subjects,
                explanation=old.explanation,
                raised_at=old.raised_at,
                updated_at=at,
                figures=old.figures,
                closed_at=at,
                closed_reason=reason,
            )
            changes.append(AlertChange(ChangeAction.closed, closed, at))
        return changes

    # -- applying ----------------------------------------------------------------------------------

    def assess(self, item: Item) -> Assessment:
        """Assess any item (dispatch on its type)."""
        if isinstance(item, Notice):
            return self.assess_notice(item)
        if isinstance(item, Observation):
            return self.assess_observation(item)
        if isinstance(item, ProtectedSite):
            return self.assess_site(item)
        if isinstance(item, Party):
            return self.assess_party(item)
        if isinstance(item, Agreement):
            return self.assess_agreement(item)
        if isinstance(item, Line):
            return self.assess_line(item)
        return self.assess_zone(item)

    def apply(self, assessment: Assessment) -> None:
        """Record an item and its alert changes.  Recording a duplicate changes nothing."""
        if assessment.duplicate:
            return
        item = assessment.item
        if isinstance(item, Party):
            self.roster.with_party(item)
        elif isinstance(item, Agreement):
            self.roster.with_agreement(item)
        elif isinstance(item, Line):
            self.lines[item.id] = item
            self.line_geometry[item.id] = NamedLine(
                item.name,
                GeodesicPolyline([p.lon for p in item.vertices], [p.lat for p in item.vertices]),
            )
            for zid, cz in list(self.zones.items()):
                self.zones[zid] = CompiledZone(cz.zone, compile_area(cz.zone, self.lines))
        elif isinstance(item, ZoneAgreement):
            self.zones[item.id] = CompiledZone(item, compile_area(item, self.lines))
        elif isinstance(item, ProtectedSite):
            self._site_index.remove(item.id)
            self.sites[item.id] = item
            west, south, east, north = item.location.shape.bbox()
            self._site_index.add(
                IndexEntry(
                    west,
                    south,
                    east,
                    north,
                    _epoch(item.valid_from),
                    _epoch(item.valid_until),
                    item.id,
                )
            )
        elif isinstance(item, Notice):
            self._record_notice(item)
        elif isinstance(item, Observation):
            self.observations[item.id] = item
            bisect.insort(self._obs_by_time, (item.observed_at, item.id))
        for change in assessment.changes:
            self.record_change(change)

    def file(self, item: Item) -> Assessment:
        """Assess and apply in one step (for tools and tests that hold no store)."""
        assessment = self.assess(item)
        self.apply(assessment)
        return assessment

    def _record_notice(self, notice: Notice) -> None:
        series = notice.id if notice.replaces is None else self.series_of(notice.replaces)
        self.roster.remember_audience(notice)
        self.notices[notice.id] = notice
        self.series[notice.id] = series
        if notice.replaces is not None:
            self.superseded_by[notice.replaces] = notice.id
        self._notice_index.remove(series)
        if notice.action is NoticeAction.cancel:
            self.current[series] = None
            return
        self.current[series] = notice.id
        count = float(len(notice.volumes))
        for vi, volume in enumerate(notice.volumes):
            west, south, east, north = volume.outline.shape.bbox()
            lower, upper, datums = band_terms(volume.altitude)
            self._notice_index.add(
                IndexEntry(
                    west,
                    south,
                    east,
                    north,
                    _epoch(volume.window.start),
                    _epoch(volume.window.end),
                    series,
                    (
                        count,
                        float(vi),
                        float(epoch_us(volume.window.start)),
                        float(epoch_us(volume.window.end)),
                        lower,
                        upper,
                        float(datums),
                    ),
                    (notice, volume.outline.shape),
                )
            )

    def _anchors(self, alert: Alert) -> set[str]:
        return {self.series_of(s) if s in self.notices else s for s in alert.subjects}

    def restore(self, item: Item) -> None:
        """Record an item from a trusted log, without assessing it (its alert changes follow
        in the log and are restored with :meth:`record_change`)."""
        self.apply(Assessment(item))

    def record_change(self, change: AlertChange) -> None:
        """Record one alert change (from :meth:`apply`, or from a trusted log)."""
        alert = change.alert
        previous = self.alerts.get(alert.id)
        if previous is not None:
            for anchor in self._anchors(previous):
                self._open_by_anchor.get(anchor, set()).discard(alert.id)
        self.alerts[alert.id] = alert
        if alert.status is AlertStatus.open:
            for anchor in self._anchors(alert):
                self._open_by_anchor.setdefault(anchor, set()).add(alert.id)
        self.history.append(change)

    # -- queries ------------------------------------------------------------------------------------

    def alerts_at(self, instant: datetime) -> list[Alert]:
        """Alerts as they stood at ``instant``: the last change at or before it, if open."""
        state: dict[str, AlertChange] = {}
        for change in self.history:
            if change.at <= instant:
                state[change.alert.id] = change
        return sorted(
            (c.alert for c in state.values() if c.alert.status is AlertStatus.open),
            key=lambda a: (a.raised_at, a.id),
        )


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
