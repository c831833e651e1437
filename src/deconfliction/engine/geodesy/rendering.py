"""Polygons in longitude and latitude for display and export.

Decisions never use these polygons: they use exact distances (:mod:`.shapes`, :mod:`.lines`).
Rendered outlines follow geodesics to within ``tolerance`` metres so that a GIS, which joins
vertices with straight lines in degrees, draws the same outline.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import shapely
from numpy.typing import NDArray

from deconfliction.engine.geodesy.ellipsoid import geod
from deconfliction.engine.geodesy.frames import frame_around
from deconfliction.engine.geodesy.lines import GeodesicPolyline, densify
from deconfliction.engine.geodesy.shapes import CoreKind, Shape
from deconfliction.engine.units import Metres

__all__ = ["band_polygon", "shape_polygon", "shape_rings"]

FloatArray = NDArray[np.float64]

_RENDER_SEGMENT: Metres = 2_000.0


def _arc_steps(radius: Metres, tolerance: Metres) -> int:
    """Vertices for a full circle whose chords stay within ``tolerance`` of the arc."""
    if radius <= tolerance:
        return 16
    step = 2.0 * math.acos(1.0 - tolerance / radius)
    return max(16, min(2048, math.ceil(2.0 * math.pi / step)))


@functools.lru_cache(maxsize=64)
def _azimuths(n: int) -> FloatArray:
    """``n`` azimuths evenly around the circle from north, the values of ``np.linspace(0, 360,
    n, endpoint=False)``, kept: a circle's rendering asks for the same few ``n`` every time,
    and building them was a tenth of its cost."""
    azimuths = np.arange(n, dtype=np.float64) * (360.0 / n)
    azimuths.flags.writeable = False
    return azimuths


def _to_lonlat(geom: shapely.Geometry, frame_inverse: object) -> list[list[FloatArray]]:
    """Planar (multi)polygon back to longitudes and latitudes: polygons of rings, each ring an
    ``(n, 2)`` array."""

    def ring(coords: object) -> FloatArray:
        xy = np.asarray(coords)
        lon, lat = frame_inverse(xy[:, 0], xy[:, 1])  # type: ignore[operator]
        return np.column_stack([lon, lat]).astype(np.float64, copy=False)

    polys = list(geom.geoms) if hasattr(geom, "geoms") else [geom]
    return [
        [ring(p.exterior.coords), *(ring(hole.coords) for hole in p.interiors)]
        for p in polys
        if not p.is_empty and p.geom_type == "Polygon"
    ]


def _lists(polygons: list[list[FloatArray]]) -> list[list[list[list[float]]]]:
    return [[ring.tolist() for ring in polygon] for polygon in polygons]


def shape_polygon(shape: Shape, tolerance: Metres = 1.0) -> list[list[list[list[float]]]]:
    """A shape as GeoJSON MultiPolygon coordinates (a list of polygons of rings)."""
    return _lists(shape_rings(shape, tolerance))


def shape_rings(shape: Shape, tolerance: Metres = 1.0) -> list[list[FloatArray]]:
    """:func:`shape_polygon`'s polygons with each ring an ``(n, 2)`` array of longitude,
    latitude (closed): the same numbers, for a caller that goes on in NumPy (GeoJSON's
    orientation) rather than through a list of pairs."""
    if shape.kind is CoreKind.point:
        n = _arc_steps(shape.radius, tolerance)
        lon, lat, _ = geod().fwd(
            np.full(n, shape.lons[0]),
            np.full(n, shape.lats[0]),
            _azimuths(n),
            np.full(n, shape.radius),
        )
        ring = np.empty((n + 1, 2))
        ring[:n, 0], ring[:n, 1] = lon, lat
        ring[n] = ring[0]
        return [[ring]]
    if shape.kind is CoreKind.polygon and shape.radius == 0.0:
        lon, lat, _ = densify(shape.lons, shape.lats, _RENDER_SEGMENT, closed=True)
        return [[np.column_stack([lon, lat])]]
    lon, lat, _ = densify(
        shape.lons, shape.lats, _RENDER_SEGMENT, closed=shape.kind is CoreKind.polygon
    )
    frame = frame_around(lon, lat)
    x, y = frame.forward(lon, lat)
    core = (
        shapely.polygons(np.column_stack([x, y]))
        if shape.kind is CoreKind.polygon
        else shapely.linestrings(x, y)
    )
    quad = max(4, _arc_steps(shape.radius, tolerance) // 4)
    grown = shapely.buffer(core, shape.radius, quad_segs=quad)
    return _to_lonlat(grown, frame.inverse)


def band_polygon(
    line: GeodesicPolyline, inner: Metres, outer: Metres, side: int, tolerance: Metres = 5.0
) -> list[list[list[list[float]]]]:
    """The band between ``inner`` and ``outer`` metres of ``line`` on one side (+1 left, -1
    right) or both (0), as GeoJSON MultiPolygon coordinates.

    One-sided bands end square at the line's ends; two-sided bands have round ends, matching
    how :mod:`deconfliction.engine.zones` classifies points.
    """
    frame = line.frame
    x, y = frame.forward(line.dense_lons, line.dense_lats)
    core = shapely.linestrings(x, y)
    quad = max(4, _arc_steps(max(outer, 1.0), tolerance) // 4)

    def grow(distance: Metres) -> shapely.Geometry:
        if distance <= 0.0:
            return shapely.Polygon()
        if side == 0:
            return shapely.buffer(core, distance, quad_segs=quad)
        return shapely.buffer(core, side * distance, quad_segs=quad, single_sided=True)

    band = shapely.difference(grow(outer), grow(inner)) if inner > 0 else grow(outer)
    return _lists(_to_lonlat(band, frame.inverse))
