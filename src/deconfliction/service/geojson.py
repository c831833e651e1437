"""GeoJSON geometry (RFC 7946) of outlines, sites, lines, zones and alerts, for display.

Coordinates are longitude, latitude (WGS84); polygons follow the right-hand rule (exterior
rings counter-clockwise).  Geodesic edges, circles and corridors are rendered with enough
vertices that a GIS joining them with straight lines draws the same outline to about a metre.
Decisions never use these polygons: the exact outline is kept beside them.

Rendering a circle or a corridor costs a buffer; items are immutable, so each rendering is
kept in a small cache keyed by the item's own JSON.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from typing import Any

import shapely
from shapely.geometry import mapping
from shapely.geometry.polygon import orient

from deconfliction.engine.alerts import Alert
from deconfliction.engine.detection.findings import AlertKind
from deconfliction.engine.detection.zones import CompiledZone
from deconfliction.engine.geodesy.lines import densify
from deconfliction.engine.geodesy.rendering import shape_polygon
from deconfliction.engine.items import Item
from deconfliction.engine.model import (
    Line,
    Observation,
    Outline,
    PolygonOutline,
    Position,
    ProtectedSite,
)

__all__ = [
    "alert_geometry",
    "clean",
    "line_geometry",
    "multipolygon",
    "outline_geometry",
    "point",
    "site_geometry",
    "zone_geometry",
]

Geometry = dict[str, Any]

_RENDER_SEGMENT_M = 2_000.0
_CACHE_SIZE = 4096
_cache: OrderedDict[str, Geometry] = OrderedDict()
_cache_lock = threading.Lock()


def _cached(key: str, render: Callable[[], Geometry]) -> Geometry:
    with _cache_lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    geometry = render()
    with _cache_lock:
        _cache[key] = geometry
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return geometry


def _lists(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    return value


def clean(geometry: Geometry) -> Geometry:
    """Plain lists (shapely's mapping gives tuples), for JSON and for equality in tests."""
    return {"type": geometry["type"], "coordinates": _lists(geometry["coordinates"])}


def multipolygon(coords: list[list[list[list[float]]]]) -> Geometry:
    """A Polygon (one part) or MultiPolygon from MultiPolygon coordinates, oriented."""
    geom = shapely.MultiPolygon([shapely.Polygon(p[0], p[1:]) for p in coords])
    oriented = shapely.MultiPolygon([orient(p, sign=1.0) for p in geom.geoms])
    if len(oriented.geoms) == 1:
        return clean(dict(mapping(oriented.geoms[0])))
    return clean(dict(mapping(oriented)))


def point(position: Position) -> Geometry:
    return {"type": "Point", "coordinates": [position.lon, position.lat]}


def outline_geometry(outline: Outline) -> Geometry:
    """A volume's outline as a Polygon (a circle or corridor rendered to about a metre)."""
    return _cached(
        "outline:" + outline.model_dump_json(), lambda: multipolygon(shape_polygon(outline.shape))
    )


def site_geometry(site: ProtectedSite) -> Geometry:
    location = site.location
    if isinstance(location, PolygonOutline):
        return outline_geometry(location)
    return point(location.position)


def line_geometry(line: Line) -> Geometry:
    """A LineString following the geodesics between the line's vertices."""

    def render() -> Geometry:
        lons, lats, _ = densify(
            [p.lon for p in line.vertices], [p.lat for p in line.vertices], _RENDER_SEGMENT_M
        )
        return {
            "type": "LineString",
            "coordinates": [[a, b] for a, b in zip(lons.tolist(), lats.tolist(), strict=True)],
        }

    return _cached("line:" + line.model_dump_json(), render)


def zone_geometry(zone: CompiledZone, lines: Mapping[str, Line]) -> Geometry:
    """A zone's area (a band is rendered from its line, so the line is part of the key)."""
    line_id = getattr(zone.zone.area, "line", None)
    line = lines.get(line_id) if isinstance(line_id, str) else None
    key = "zone:" + zone.zone.model_dump_json() + (line.model_dump_json() if line else "")
    return _cached(key, lambda: multipolygon(zone.area.render()))


def alert_geometry(alert: Alert, subject: Callable[[str], Item | None]) -> Geometry | None:
    """Where an alert happens: the nearest point of two notices, the site, the observation;
    None when it has no single place (a late notice, a zone entry).  ``subject`` finds a
    subject of the alert by its id (from the situation, or from the store)."""
    figures = alert.figures
    near_lon, near_lat = figures.get("near_lon"), figures.get("near_lat")
    if (
        alert.kind is AlertKind.notice_overlap
        and isinstance(near_lon, int | float)
        and isinstance(near_lat, int | float)
    ):
        return {"type": "Point", "coordinates": [near_lon, near_lat]}
    if alert.kind in (AlertKind.protected_site, AlertKind.site_duplicate, AlertKind.zone_violation):
        for ident in alert.subjects:
            found = subject(ident)
            if isinstance(found, ProtectedSite) and alert.kind is not AlertKind.zone_violation:
                return site_geometry(found)
            if isinstance(found, Observation) and alert.kind is AlertKind.zone_violation:
                return point(found.position)
    return None
