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
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from deconfliction.engine.alerts import Alert
from deconfliction.engine.detection.findings import AlertKind
from deconfliction.engine.detection.zones import CompiledZone
from deconfliction.engine.geodesy.lines import densify
from deconfliction.engine.geodesy.rendering import shape_rings
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
Ring = list[list[float]] | np.ndarray[Any, Any]
"""A closed ring of longitude, latitude pairs: a list of pairs or an ``(n, 2)`` array."""

_RENDER_SEGMENT_M = 2_000.0

DRAWING_TOLERANCE_M = 20.0
"""How closely a drawn outline follows the exact one: under a screen pixel down to 1:100,000
(zoom 12, where a pixel covers about 30 m at 35 degrees of latitude)."""

_DRAWN_RENDER_M = DRAWING_TOLERANCE_M * 0.7
"""Asked of the renderer for drawn outlines: a corridor's buffer takes a quarter of a circle's
arc steps rounded down, which can leave chords up to 41 % beyond the tolerance asked."""

_DRAWN_DECIMALS = 5
"""Drawn coordinates are given to 1e-5 degrees (at most 0.6 m from the rendered vertex)."""


_Frozen = tuple[str, Any]
"""A rendering as it is kept: the geometry's type and its coordinates, each list of positions
an ``(n, 2)`` array.  Kept as lists, a circle's rendering was a hundred lists of two floats, all
tracked by the cycle collector as long as the rendering was kept (most of what a filed notice
left behind for the collector to walk, pass after pass); an array is one object, not tracked."""


def _thawed(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    return [_thawed(v) for v in value]


def _thaw(frozen: _Frozen) -> Geometry:
    """The GeoJSON geometry of a kept rendering: new lists every time (nothing a caller does
    to them reaches the cache)."""
    kind, coordinates = frozen
    return {"type": kind, "coordinates": _thawed(coordinates)}


class _Renderings:
    """A small cache of renderings, least recently used first out (thread-safe)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.found: OrderedDict[str, _Frozen] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str, render: Callable[[], _Frozen]) -> Geometry:
        with self.lock:
            found = self.found.get(key)
            if found is not None:
                self.found.move_to_end(key)
                return _thaw(found)
        frozen = render()
        with self.lock:
            self.found[key] = frozen
            while len(self.found) > self.size:
                self.found.popitem(last=False)
        return _thaw(frozen)


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


def _ring(coords: Ring, counter_clockwise: bool, decimals: int | None) -> np.ndarray[Any, Any]:
    ring = np.asarray(coords, dtype=float)
    if not np.array_equal(ring[0], ring[-1]):
        ring = np.vstack([ring, ring[:1]])
    area = _signed_area(ring)
    keep = area >= 0 if counter_clockwise else area <= 0
    oriented = ring if keep else ring[::-1]
    return oriented if decimals is None else np.round(oriented, decimals)


def _polygons(coords: Sequence[Sequence[Ring]], decimals: int | None = None) -> _Frozen:
    """:func:`multipolygon`, kept as arrays."""
    polygons = [
        [_ring(ring, i == 0, decimals) for i, ring in enumerate(polygon)] for polygon in coords
    ]
    if len(polygons) == 1:
        return "Polygon", polygons[0]
    return "MultiPolygon", polygons


def multipolygon(coords: Sequence[Sequence[Ring]], decimals: int | None = None) -> Geometry:
    """A Polygon (one part) or MultiPolygon from MultiPolygon coordinates, oriented: exterior
    rings counter-clockwise, holes clockwise (as shapely's ``orient(sign=1.0)``; in NumPy,
    since building shapely geometries from lists walks every coordinate in Python).  A ring
    is a list of pairs or an ``(n, 2)`` array (no list of pairs built only to be read back
    into an array: :func:`~deconfliction.engine.geodesy.rendering.shape_rings`).

    >>> multipolygon([[[[0, 0], [0, 1], [1, 1], [1, 0], [0, 0]]]])["coordinates"]
    [[[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.0, 0.0]]]
    """
    return _thaw(_polygons(coords, decimals))


def point(position: Position) -> Geometry:
    return {"type": "Point", "coordinates": [position.lon, position.lat]}


def outline_geometry(outline: Outline) -> Geometry:
    """A volume's outline as a Polygon (a circle or corridor rendered to about a metre)."""
    return _exact.get(
        "outline:" + outline.model_dump_json(), lambda: _polygons(shape_rings(outline.shape))
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
        lambda: _polygons(shape_rings(outline.shape, _DRAWN_RENDER_M), decimals=_DRAWN_DECIMALS),
    )


def site_geometry(site: ProtectedSite) -> Geometry:
    location = site.location
    if isinstance(location, PolygonOutline):
        return outline_geometry(location)
    return point(location.position)


def line_geometry(line: Line) -> Geometry:
    """A LineString following the geodesics between the line's vertices."""

    def render() -> _Frozen:
        lons, lats, _ = densify(
            [p.lon for p in line.vertices], [p.lat for p in line.vertices], _RENDER_SEGMENT_M
        )
        return "LineString", np.column_stack([lons, lats])

    return _exact.get("line:" + line.model_dump_json(), render)


def zone_geometry(zone: CompiledZone, lines: Mapping[str, Line]) -> Geometry:
    """A zone's area (a band is rendered from its line, so the line is part of the key)."""
    line_id = getattr(zone.zone.area, "line", None)
    line = lines.get(line_id) if isinstance(line_id, str) else None
    key = "zone:" + zone.zone.model_dump_json() + (line.model_dump_json() if line else "")
    return _exact.get(key, lambda: _polygons(zone.area.render()))


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
