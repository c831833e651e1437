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

import numpy as np

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
    "DRAWING_TOLERANCE_M",
    "alert_geometry",
    "clean",
    "drawn_outline_geometry",
    "line_geometry",
    "multipolygon",
    "outline_geometry",
    "point",
    "site_geometry",
    "zone_geometry",
]

Geometry = dict[str, Any]

_RENDER_SEGMENT_M = 2_000.0

DRAWING_TOLERANCE_M = 20.0
"""How closely a drawn outline follows the exact one: under a screen pixel down to 1:100,000
(zoom 12, where a pixel covers about 30 m at 35 degrees of latitude)."""

_DRAWN_RENDER_M = DRAWING_TOLERANCE_M * 0.7
"""Asked of the renderer for drawn outlines: a corridor's buffer takes a quarter of a circle's
arc steps rounded down, which can leave chords up to 41 % beyond the tolerance asked."""

_DRAWN_DECIMALS = 5
"""Drawn coordinates are given to 1e-5 degrees (at most 0.6 m from the rendered vertex)."""


class _Renderings:
    """A small cache of renderings, least recently used first out (thread-safe)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.found: OrderedDict[str, Geometry] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str, render: Callable[[], Geometry]) -> Geometry:
        with self.lock:
            found = self.found.get(key)
            if found is not None:
                self.found.move_to_end(key)
                return found
        geometry = render()
        with self.lock:
            self.found[key] = geometry
            while len(self.found) > self.size:
                self.found.popitem(last=False)
        return geometry


_exact = _Renderings(4096)
# Drawn outlines are small (tens of vertices): enough of them for a console's whole record.
_drawn = _Renderings(65_536)


def _lists(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    return value


def clean(geometry: Geometry) -> Geometry:
    """Plain lists (shapely's mapping gives tuples), for JSON and for equality in tests."""
    return {"type": geometry["type"], "coordinates": _lists(geometry["coordinates"])}


def _signed_area(ring: np.ndarray[Any, Any]) -> float:
    """Twice the signed area of a closed ring (positive counter-clockwise), as shapely's
    ``orient`` measures it (the shoelace over the plane of longitude and latitude)."""
    x, y = ring[:, 0], ring[:, 1]
    return float(np.dot(x[:-1], y[1:]) - np.dot(x[1:], y[:-1]))


def _ring(
    coords: list[list[float]], counter_clockwise: bool, decimals: int | None
) -> list[list[float]]:
    ring = np.asarray(coords, dtype=float)
    if not np.array_equal(ring[0], ring[-1]):
        ring = np.vstack([ring, ring[:1]])
    area = _signed_area(ring)
    keep = area >= 0 if counter_clockwise else area <= 0
    oriented = ring if keep else ring[::-1]
    out: list[list[float]] = (
        oriented if decimals is None else np.round(oriented, decimals)
    ).tolist()
    return out


def multipolygon(coords: list[list[list[list[float]]]], decimals: int | None = None) -> Geometry:
    """A Polygon (one part) or MultiPolygon from MultiPolygon coordinates, oriented: exterior
    rings counter-clockwise, holes clockwise (as shapely's ``orient(sign=1.0)``; in NumPy,
    since building shapely geometries from lists walks every coordinate in Python).

    >>> multipolygon([[[[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]]]])["coordinates"]
    [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]]
    """
    polygons = [
        [_ring(ring, i == 0, decimals) for i, ring in enumerate(polygon)] for polygon in coords
    ]
    if len(polygons) == 1:
        return {"type": "Polygon", "coordinates": polygons[0]}
    return {"type": "MultiPolygon", "coordinates": polygons}


def point(position: Position) -> Geometry:
    return {"type": "Point", "coordinates": [position.lon, position.lat]}


def outline_geometry(outline: Outline) -> Geometry:
    """A volume's outline as a Polygon (a circle or corridor rendered to about a metre)."""
    return _exact.get(
        "outline:" + outline.model_dump_json(), lambda: multipolygon(shape_polygon(outline.shape))
    )


def drawn_outline_geometry(outline: Outline) -> Geometry:
    """A volume's outline for drawing on a map: rendered to :data:`DRAWING_TOLERANCE_M`, its
    coordinates rounded to 1e-5 degrees.  A circle of 3 km has 33 vertices instead of 122.

    >>> from deconfliction.engine.model import CircleOutline
    >>> circle = CircleOutline.model_validate(
    ...     {"type": "circle", "center": "33.5N 36.9E", "radius": "3 km"})
    >>> len(drawn_outline_geometry(circle)["coordinates"][0])
    34
    >>> len(outline_geometry(circle)["coordinates"][0])
    123
    """
    return _drawn.get(
        outline.model_dump_json(),
        lambda: multipolygon(
            shape_polygon(outline.shape, _DRAWN_RENDER_M), decimals=_DRAWN_DECIMALS
        ),
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

    return _exact.get("line:" + line.model_dump_json(), render)


def zone_geometry(zone: CompiledZone, lines: Mapping[str, Line]) -> Geometry:
    """A zone's area (a band is rendered from its line, so the line is part of the key)."""
    line_id = getattr(zone.zone.area, "line", None)
    line = lines.get(line_id) if isinstance(line_id, str) else None
    key = "zone:" + zone.zone.model_dump_json() + (line.model_dump_json() if line else "")
    return _exact.get(key, lambda: multipolygon(zone.area.render()))


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
