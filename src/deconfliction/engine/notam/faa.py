"""NOTAM proposals in the shape of the FAA NOTAM API's GeoJSON response.

The response of the FAA's NOTAM API (``responseFormat=geoJson``) is a page of GeoJSON Features:
``{pageSize, pageNum, totalCount, totalPages, items: [Feature]}``, each Feature's
``properties.coreNOTAMData`` holding ``notam`` (the items as fields), ``notamEvent`` and
``notamTranslation`` (the ICAO text).  Tools that read that API can read a notice's proposals
without another parser.  Everything is written from the :class:`Proposal` items (the ICAO text
is one of them) and the notice's volumes; nothing is computed twice.

Geometry: a ``GeometryCollection`` per proposal with the outline as a ``Polygon`` (longitude,
latitude): a polygon's own vertices exactly, a circle or corridor rendered with chords within
:data:`RENDER_RESOLUTION_M` of the true boundary (GeoJSON has no circle).  The exact values the
text rounds (the band in its own unit and datum, the windows to the microsecond) are in
``properties.deconfliction`` (our extension; the FAA fields are kept as that API spells them).

A proposal for an aeronautical information service, never a publication.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Final

from deconfliction.engine.geodesy.rendering import shape_polygon
from deconfliction.engine.model import Notice, PolygonOutline, Volume
from deconfliction.engine.model.volumes import Outline
from deconfliction.engine.notam.proposal import Proposal
from deconfliction.engine.times import format_time
from deconfliction.engine.units import Altitude

__all__ = [
    "PROPOSAL_NOTE",
    "RENDER_RESOLUTION_M",
    "RENDER_TOLERANCE_M",
    "faa_geojson",
    "outline_ring",
]

RENDER_TOLERANCE_M: Final = 1.0
"""The chord tolerance a circle or corridor is rendered with."""
RENDER_RESOLUTION_M: Final = 2.0
"""How far a rendered circle's or corridor's boundary may lie from the true one: the chords'
tolerance, and the local plane the rendering is made in (its distortion over a few tens of
kilometres is well under a metre)."""

PROPOSAL_NOTE: Final = (
    "A proposal for an aeronautical information service, never a publication: the series "
    "and number are placeholders the AIS replaces."
)


def outline_ring(outline: Outline) -> list[list[float]]:
    """The outer ring of ``outline`` as closed (longitude, latitude) pairs: a polygon's own
    vertices, a circle or corridor rendered within :data:`RENDER_RESOLUTION_M`."""
    if isinstance(outline, PolygonOutline):
        ring = [[p.lon, p.lat] for p in outline.vertices]
        return ring if ring[0] == ring[-1] else [*ring, ring[0]]
    return [list(map(float, xy)) for xy in shape_polygon(outline.shape, RENDER_TOLERANCE_M)[0][0]]


def _stamp(t: datetime) -> str:
    """The API's time form: UTC with milliseconds (``2026-11-24T06:00:00.000Z``)."""
    t = t.astimezone(UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


def _altitude(a: Altitude) -> dict[str, Any]:
    return {"value": a.value, "unit": a.unit.value, "reference": a.reference.value}


def _volume(index: int, v: Volume) -> dict[str, Any]:
    return {
        "index": index,
        "lower": _altitude(v.altitude.lower),
        "upper": _altitude(v.altitude.upper),
        "start": format_time(v.window.start),
        "end": format_time(v.window.end),
    }


def _feature(notice: Notice, p: Proposal, issued: datetime) -> dict[str, Any]:
    q = p.q
    notam: dict[str, Any] = {
        "id": p.id,
        "series": p.series,
        "number": f"{p.number:04d}/{p.year:02d}",
        "type": "N",
        "issued": _stamp(issued),
        "affectedFIR": q.fir,
        "selectionCode": q.code,
        "traffic": q.traffic,
        "purpose": q.purpose,
        "scope": q.scope,
        "minimumFL": f"{q.lower_fl:03d}",
        "maximumFL": f"{q.upper_fl:03d}",
        "location": p.locations[0],
        "icaoLocation": p.locations[0],
        "effectiveStart": _stamp(p.periods[0][0]),
        "effectiveEnd": _stamp(p.periods[-1][1]),
        "text": p.item_e,
        "classification": "INTL",
        "lowerLimit": p.lower,
        "upperLimit": p.upper,
    }
    where = q.text().rsplit("/", 1)[1]
    if where:
        notam["coordinates"], notam["radius"] = where[:-3], where[-3:]
    if p.schedule is not None:
        notam["schedule"] = p.schedule
    outline = notice.volumes[p.volumes[0]].outline
    return {
        "type": "Feature",
        "id": p.id,
        "geometry": {
            "type": "GeometryCollection",
            "geometries": [{"type": "Polygon", "coordinates": [outline_ring(outline)]}],
        },
        "properties": {
            "coreNOTAMData": {
                "notamEvent": {"scenario": "SAA.NEW"},
                "notam": notam,
                "notamTranslation": [{"type": "ICAO", "formattedText": p.text}],
            },
            "deconfliction": {
                "notice": notice.id,
                "author": notice.author,
                "proposal": True,
                "note": PROPOSAL_NOTE,
                "volumes": [_volume(i, notice.volumes[i]) for i in p.volumes],
                "notes": list(p.notes),
            },
        },
    }


def faa_geojson(notice: Notice, proposals: Sequence[Proposal]) -> dict[str, Any]:
    """``proposals`` (of ``notice``) as one page of the FAA NOTAM API's GeoJSON response;
    ``issued`` is when the notice was filed."""
    items = [_feature(notice, p, notice.filed_at) for p in proposals]
    return {
        "pageSize": len(items),
        "pageNum": 1,
        "totalCount": len(items),
        "totalPages": 1,
        "items": items,
    }
