"""What bears on an incident: the record searched in space and time, each link explained.

Linking is a set of small strategies, each chosen by name in :data:`LINKERS` and each
returning :class:`Link` s with the relation found, the numbers behind it and a sentence for a
duty officer.  The place-and-time linkers run first; ``alerts`` runs last, on what they found.
A new kind of record adds its linker here.  Live tracks are linked from what the record holds
of them: the aircraft reports kept as the evidence of tactical alerts (:class:`Sighting`; a
position nobody was alerted about is not recorded, so it cannot be cited).

Everything here is pure: the situation comes in, nothing is read from a clock or a store.

Examples
--------
>>> sorted(LINKERS)
['alerts', 'notices', 'observations', 'red_lines', 'sites', 'tracks', 'zones']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from pydantic import Field

from deconfliction.engine.alerts import Record
from deconfliction.engine.detection.band_geometry import band_entry
from deconfliction.engine.detection.explain import km, label, when
from deconfliction.engine.detection.zone_areas import CompiledArea
from deconfliction.engine.geodesy.measures import format_position
from deconfliction.engine.geodesy.shapes import Shape, separation, separations
from deconfliction.engine.model.incidents import Incident
from deconfliction.engine.situation import Situation
from deconfliction.engine.units import format_duration

__all__ = ["LINKERS", "Link", "Linker", "Search", "Sighting", "link_incident"]


class Link(Record):
    """One thing the record holds that bears on an incident, and why."""

    kind: str = Field(description="notice, site, zone, red_line, observation, track or alert")
    id: str
    relation: str = Field(
        description=(
            "notice: covers, near, cancels; site: valid, expired, not_yet_valid; zone and "
            "red_line: inside, near; observation: near, in_range; track: near; alert: "
            "raised_before"
        )
    )
    via: str | None = Field(
        default=None,
        description="track: the tactical alert whose recorded evidence holds the sighting.",
    )
    distance_m: float | None = Field(
        default=None, description="From the place (0 where they meet)."
    )
    gap_s: float | None = Field(
        default=None,
        description="Time between the incident and the linked item's time (0 where they meet).",
    )
    explanation: str


def _altitude_text(value: Mapping[str, Any] | None) -> str:
    """An aircraft report's altitude as the format gave it (never converted).

    >>> _altitude_text({"value": 350, "unit": "FL", "datum": "baro"})
    'FL350 baro'
    >>> _altitude_text({"value": 10668.0, "unit": "m", "datum": "geom"})
    '10668 m geom'
    """
    if not value:
        return "no altitude"
    number = f"{float(value['value']):g}"
    if value["unit"] == "FL":
        return f"FL{number} {value['datum']}"
    return f"{number} {value['unit']} {value['datum']}"


@dataclass(frozen=True, slots=True)
class Sighting:
    """An aircraft where the record places it: one report in the evidence of a tactical alert
    (live positions go into no entry otherwise), and the alert whose evidence it is."""

    alert: str
    key: str
    callsign: str
    at: datetime
    lon: float
    lat: float
    altitude: str
    source: str

    @classmethod
    def from_evidence(cls, evidence: Mapping[str, Any]) -> list[Sighting]:
        """The sightings of one ``track.evidence`` entry (its ``evidence`` member); reports
        without a position place nothing (a callsign may come in a report of its own)."""
        reports = evidence.get("reports", ())
        signs = {r["key"]: r["callsign"] for r in reports if r.get("callsign")}
        out = []
        for r in reports:
            if r.get("lon") is None or r.get("lat") is None:
                continue
            height = r.get("baro") or r.get("geom")
            out.append(
                cls(
                    alert=evidence["alert"],
                    key=r["key"],
                    callsign=r.get("callsign") or signs.get(r["key"], ""),
                    at=datetime.fromtimestamp(r["t"], UTC),
                    lon=float(r["lon"]),
                    lat=float(r["lat"]),
                    altitude=_altitude_text(height),
                    source=r.get("source", ""),
                )
            )
        return out


@dataclass(frozen=True, slots=True)
class Search:
    """An incident's place and its search period, computed once for every linker."""

    incident: Incident
    shape: Shape
    radius_m: float
    start: datetime
    end: datetime
    earliest: datetime
    latest: datetime
    sightings: tuple[Sighting, ...] = ()

    @classmethod
    def of(cls, incident: Incident, sightings: Iterable[Sighting] = ()) -> Search:
        terms = incident.search
        return cls(
            incident,
            incident.place.shape,
            terms.radius.metres,
            incident.started_at,
            incident.end,
            incident.started_at - timedelta(seconds=terms.before.seconds),
            incident.end + timedelta(seconds=terms.after.seconds),
            tuple(sightings),
        )

    def gap_s(self, start: datetime, end: datetime) -> float:
        """Seconds between ``[start, end)`` and the incident's time (0 when they meet)."""
        if end <= self.start:
            return (self.start - end).total_seconds()
        if start > self.end:
            return (start - self.end).total_seconds()
        return 0.0

    def in_period(self, start: datetime, end: datetime) -> bool:
        return start <= self.latest and self.earliest < end

    def box(self) -> tuple[float, float, float, float]:
        return self.shape.bbox(self.radius_m)


Linker = Callable[[Search, Situation, Sequence[Link]], list[Link]]
"""A strategy: the search, the situation, and the links found by the linkers before it."""


def _meets(
    box: tuple[float, float, float, float], other: tuple[float, float, float, float]
) -> bool:
    return not (other[2] < box[0] or other[0] > box[2] or other[3] < box[1] or other[1] > box[3])


def _distance_text(metres: float) -> str:
    """
    >>> _distance_text(43.46), _distance_text(3111.1)
    ('43 m', '3.1 km')
    """
    return f"{metres:,.0f} m" if metres < 1000 else km(metres)


def _gap_text(gap_s: float) -> str:
    return "at the incident's time" if gap_s == 0 else f"{format_duration(gap_s)} from it"


def _notice_links(search: Search, situation: Situation, found: Sequence[Link]) -> list[Link]:
    box = search.box()
    roster = situation.roster
    out: list[Link] = []
    linked_series: set[str] = set()
    book = situation.notices
    # The versions whose volumes' box and span may meet the search, from the book's columns:
    # only those are rebuilt (a walk over every version would rebuild a million).
    near = book.versions_near(box, search.earliest.timestamp(), search.latest.timestamp())
    for notice in near:
        volumes = [
            (i, v)
            for i, v in enumerate(notice.volumes)
            if search.in_period(v.window.start, v.window.end)
            and _meets(box, v.outline.shape.bbox())
        ]
        if not volumes:
            continue
        seps = separations(search.shape, [v.outline.shape for _, v in volumes])
        best: tuple[tuple[int, float, float], str, int] | None = None
        for (i, volume), sep in zip(volumes, seps, strict=True):
            distance = 0.0 if sep.overlap else sep.distance
            if distance > search.radius_m:
                continue
            gap = search.gap_s(volume.window.start, volume.window.end)
            relation = "covers" if distance == 0.0 and gap == 0.0 else "near"
            rank = (0 if relation == "covers" else 1, distance, gap)
            if best is None or rank < best[0]:
                best = (rank, relation, i)
        if best is None:
            continue
        (_, distance, gap), relation, vi = best
        volume = notice.volumes[vi]
        where = (
            "covers the place"
            if distance == 0.0
            else f"comes within {_distance_text(distance)} of it"
        )
        kind = label(notice.kind.value)
        out.append(
            Link(
                kind="notice",
                id=notice.id,
                relation=relation,
                distance_m=round(distance, 1),
                gap_s=round(gap, 3),
                explanation=(
                    f"{roster.name(notice.author)} {kind} {notice.id} ({notice.action.value}, "
                    f"filed {when(notice.filed_at)}): volume {vi + 1} "
                    f"({volume.outline.describe()}, {volume.altitude}, {volume.window}) {where}, "
                    f"{_gap_text(gap)}"
                ),
            )
        )
        linked_series.add(book.series_of(notice.id))
    for cancelled in book.cancellations:
        if book.series_of(cancelled) in linked_series:
            notice = book[cancelled]
            out.append(
                Link(
                    kind="notice",
                    id=notice.id,
                    relation="cancels",
                    explanation=(
                        f"{roster.name(notice.author)} cancelled {notice.replaces} with "
                        f"{notice.id}, filed {when(notice.filed_at)}"
                    ),
                )
            )
    return out


def _site_links(search: Search, situation: Situation, found: Sequence[Link]) -> list[Link]:
    box = search.box()
    sites = [s for s in situation.sites.values() if _meets(box, s.location.shape.bbox())]
    if not sites:
        return []
    out = []
    seps = separations(search.shape, [s.location.shape for s in sites])
    for site, sep in zip(sites, seps, strict=True):
        distance = 0.0 if sep.overlap else sep.distance
        if distance > search.radius_m:
            continue
        if site.valid_from > search.start:
            relation, validity = "not_yet_valid", f"valid only from {when(site.valid_from)}"
        elif site.valid_until <= search.start:
            relation, validity = "expired", f"expired at {when(site.valid_until)}"
        else:
            relation, validity = "valid", f"valid until {when(site.valid_until)}"
        where = "at the place" if distance == 0.0 else f"{_distance_text(distance)} from the place"
        out.append(
            Link(
                kind="site",
                id=site.id,
                relation=relation,
                distance_m=round(distance, 1),
                explanation=(
                    f"{site.name} ({label(site.category.value)}, registered by "
                    f"{situation.roster.name(site.owner)}) lies {where}; {validity}"
                ),
            )
        )
    return out


def _area_distance(shape: Shape, area: CompiledArea) -> float:
    """The distance from the place to the area, 0 where they meet.  Whether they meet is exact
    (the zone checks' own tests); the distance from a place outside is exact to a polygon, and
    to a band from the place's vertices (a polygon place's edge may pass nearer than its
    vertices: the figure is then an upper bound, which only ever understates a link)."""
    if area.line is None:
        assert area.polygon is not None
        sep = separation(shape, area.polygon, 0.0)
        return 0.0 if sep.overlap else float(sep.distance)
    if band_entry(area.line, area.inner_m, area.outer_m, area.side, shape) is not None:
        return 0.0
    nearest = min(
        area.reach(float(lon), float(lat)).distance
        for lon, lat in zip(shape.dense_lons, shape.dense_lats, strict=True)
    )
    return max(float(nearest) - shape.radius, 0.0)


def _area_link(search: Search, area: CompiledArea, kind: str, ident: str, text: str) -> Link | None:
    """Whether the place is inside ``area`` or within the radius of it."""
    distance = _area_distance(search.shape, area)
    if distance > search.radius_m:
        return None
    relation = "inside" if distance == 0.0 else "near"
    where = (
        "the place is inside"
        if distance == 0.0
        else f"the place is {_distance_text(distance)} from"
    )
    return Link(
        kind=kind,
        id=ident,
        relation=relation,
        distance_m=round(distance, 1),
        explanation=f"{where} {area.describe()} ({text})",
    )


def _zone_links(search: Search, situation: Situation, found: Sequence[Link]) -> list[Link]:
    out = []
    for cz in situation.geography.zones.values():
        link = _area_link(search, cz.area, "zone", cz.zone.id, cz.zone.name)
        if link is not None:
            out.append(link)
    return out


def _red_line_links(search: Search, situation: Situation, found: Sequence[Link]) -> list[Link]:
    out = []
    for crl in situation.red_lines.values():
        red_line = crl.red_line
        text = (
            f"red line '{red_line.name}' declared by {situation.roster.name(red_line.declared_by)}"
            + ("; ended" if red_line.ended else "")
        )
        link = _area_link(search, crl.zone.area, "red_line", red_line.id, text)
        if link is not None:
            out.append(link)
    return out


def _observation_links(search: Search, situation: Situation, found: Sequence[Link]) -> list[Link]:
    """Observations in the search period within the radius, and those farther whose declared
    weapon range reaches the place (range defeats distance: a SAM battery 25 km away bears
    on a shoot-down)."""
    seen = situation.observations.between(
        search.earliest, search.latest + timedelta(microseconds=1)
    )
    if not seen:
        return []
    lons = [o.position.lon for o in seen]
    lats = [o.position.lat for o in seen]
    distance = search.shape.distance_to_points(lons, lats)
    out = []
    for obs, d in zip(seen, distance.tolist(), strict=True):
        reach = max((w.range.metres for w in obs.weapons if w.range is not None), default=0.0)
        if d > search.radius_m and d > reach:
            continue
        gap = search.gap_s(obs.observed_at, obs.observed_at + timedelta(microseconds=1))
        what = obs.affiliation + (
            "" if obs.unit_category.value == "unknown" else f", {label(obs.unit_category.value)}"
        )
        in_range = d > search.radius_m
        out.append(
            Link(
                kind="observation",
                id=obs.id,
                relation="in_range" if in_range else "near",
                distance_m=round(d, 1),
                gap_s=round(gap, 3),
                explanation=(
                    f"{what} seen by {situation.roster.name(obs.reported_by)} at "
                    f"{when(obs.observed_at)}, {_distance_text(d)} from the place, "
                    f"{_gap_text(gap)}"
                    + (
                        f"; its declared range ({_distance_text(reach)}) reaches it"
                        if in_range
                        else ""
                    )
                ),
            )
        )
    return out


def _track_links(search: Search, situation: Situation, found: Sequence[Link]) -> list[Link]:
    """Aircraft the record places within the radius during the search period: for each, its
    sighting nearest the place (then nearest the incident's time), with the alert whose
    evidence holds it."""
    seen = [s for s in search.sightings if search.earliest <= s.at <= search.latest]
    if not seen:
        return []
    distance = search.shape.distance_to_points([s.lon for s in seen], [s.lat for s in seen])
    best: dict[str, tuple[float, float, str, Sighting]] = {}
    for sighting, d in zip(seen, distance.tolist(), strict=True):
        if d > search.radius_m:
            continue
        gap = search.gap_s(sighting.at, sighting.at + timedelta(microseconds=1))
        rank = (d, gap, sighting.alert, sighting)
        if sighting.key not in best or rank[:3] < best[sighting.key][:3]:
            best[sighting.key] = rank
    out = []
    for d, gap, _, s in best.values():
        name = f"{s.callsign} ({s.key})" if s.callsign else s.key
        out.append(
            Link(
                kind="track",
                id=s.key,
                relation="near",
                distance_m=round(d, 1),
                gap_s=round(gap, 3),
                via=s.alert,
                explanation=(
                    f"aircraft {name} reported by {s.source or 'a source'} at {when(s.at)} at "
                    f"{format_position(s.lon, s.lat)}, {s.altitude}, {_distance_text(d)} from "
                    f"the place, {_gap_text(gap)} (evidence of alert {s.alert})"
                ),
            )
        )
    return out


_ACTIVITY: Final = frozenset({"notice", "site", "observation", "track"})
"""Linked kinds whose alerts bear on the incident (an alert about a zone bears on it only
through a linked notice, observation or aircraft: a zone is wide)."""


def _alert_links(search: Search, situation: Situation, found: Sequence[Link]) -> list[Link]:
    """Alerts about a linked notice, site, observation or aircraft, raised in the search period and
    before the incident ended."""
    linked = {link.id for link in found if link.kind in _ACTIVITY}
    out = []
    for alert in situation.alerts.values():
        if not search.earliest <= alert.raised_at <= search.end:
            continue
        if not linked.intersection(alert.subjects):
            continue
        before = (search.start - alert.raised_at).total_seconds()
        timing = (
            f"{format_duration(before)} before the incident"
            if before > 0
            else "during the incident"
        )
        out.append(
            Link(
                kind="alert",
                id=alert.id,
                relation="raised_before",
                gap_s=round(max(before, 0.0), 3),
                explanation=(
                    f"{alert.kind.value} alert raised {when(alert.raised_at)} ({timing}) about "
                    f"{', '.join(alert.subjects)}"
                ),
            )
        )
    return out


LINKERS: Final[dict[str, Linker]] = {
    "notices": _notice_links,
    "sites": _site_links,
    "zones": _zone_links,
    "red_lines": _red_line_links,
    "observations": _observation_links,
    "tracks": _track_links,
    "alerts": _alert_links,
}
"""Every linker by name, in the order they run (``alerts`` last: it follows the others)."""


def link_incident(
    incident: Incident,
    situation: Situation,
    linkers: Iterable[str] | None = None,
    sightings: Iterable[Sighting] = (),
) -> list[Link]:
    """Every link of ``incident`` against ``situation`` (and the aircraft ``sightings`` the
    record holds), linker by linker, each list sorted (relation, distance, time, id) so that
    the same record gives the same links."""
    search = Search.of(incident, sightings)
    found: list[Link] = []
    for name in linkers if linkers is not None else LINKERS:
        links = LINKERS[name](search, situation, tuple(found))
        links.sort(key=lambda k: (k.relation, k.distance_m or 0.0, k.gap_s or 0.0, k.id))
        found.extend(links)
    return found
