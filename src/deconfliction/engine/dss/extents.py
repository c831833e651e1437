"""Volume4D extents as exact geometry: parse, bound, intersect, cover.

An entity's 4D footprint is the union of its extents' outlines (geodesic polygons and circles,
as utm.yaml defines them) over its overall altitude and time bounds, like the reference DSS
(which rounds the outlines up to S2 cells; here they are exact).  A subscription may have no
outline: it then intersects nothing in space.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import shapely

from deconfliction.engine.dss.errors import AreaTooLarge
from deconfliction.engine.dss.wire import TimeIn, Volume4DIn
from deconfliction.engine.errors import InvalidInput
from deconfliction.engine.geodesy.frames import frame_around
from deconfliction.engine.geodesy.measures import polygon_area
from deconfliction.engine.geodesy.shapes import Shape, separations
from deconfliction.engine.geodesy.validity import check_polygon
from deconfliction.engine.model.common import parse_utc

__all__ = ["Footprint", "footprint", "parse_time"]

_COVER_TOLERANCE_M = 1.0


def parse_time(value: TimeIn, where: str) -> datetime:
    try:
        return parse_utc(value.value)
    except ValueError as exc:
        raise InvalidInput.at((where,), str(exc)) from None


@dataclass(frozen=True, slots=True)
class Footprint:
    """The union of some extents: outlines, altitude bounds (metres W84) and time bounds
    (None: unbounded)."""

    shapes: tuple[Shape, ...]
    areas_km2: float
    alt_lo: float | None
    alt_hi: float | None
    t0: datetime | None
    t1: datetime | None

    def bbox(self) -> tuple[float, float, float, float]:
        if not self.shapes:
            return (0.0, 0.0, 0.0, 0.0)
        boxes = [s.bbox() for s in self.shapes]
        return (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )

    def meets_in_time_and_height(self, other: Footprint) -> bool:
        if self.t0 is not None and other.t1 is not None and other.t1 < self.t0:
            return False
        if self.t1 is not None and other.t0 is not None and other.t0 > self.t1:
            return False
        if self.alt_lo is not None and other.alt_hi is not None and other.alt_hi < self.alt_lo:
            return False
        return not (
            self.alt_hi is not None and other.alt_lo is not None and other.alt_lo > self.alt_hi
        )

    def intersects(self, other: Footprint) -> bool:
        """Whether the two footprints share a point of space and time."""
        if not self.shapes or not other.shapes or not self.meets_in_time_and_height(other):
            return False
        for shape in self.shapes:
            if any(s.distance == 0.0 for s in separations(shape, list(other.shapes))):
                return True
        return False

    def covers(self, other: Footprint) -> bool:
        """Whether every outline of ``other`` lies within this union (to a metre)."""
        if not self.shapes:
            return False
        shapes = [*self.shapes, *other.shapes]
        frame = frame_around(
            [float(x) for s in shapes for x in s.dense_lons],
            [float(y) for s in shapes for y in s.dense_lats],
        )
        mine = shapely.union_all([_planar(s, frame) for s in self.shapes]).buffer(
            _COVER_TOLERANCE_M
        )
        return all(mine.contains(_planar(s, frame)) for s in other.shapes)

    def to_json(self) -> dict[str, Any]:
        return {"alt_lo": self.alt_lo, "alt_hi": self.alt_hi}


def _planar(shape: Shape, frame: Any) -> shapely.Geometry:
    core = shape.planar(frame)
    return core.buffer(shape.radius, quad_segs=32) if shape.radius > 0 else core


def _shape(volume: Volume4DIn, where: str) -> tuple[Shape, float] | None:
    v = volume.volume
    if v.outline_circle is not None and v.outline_polygon is not None:
        raise InvalidInput.at((where,), "both a circle and a polygon: give exactly one outline")
    if v.outline_circle is not None:
        c = v.outline_circle
        radius = c.radius.value
        return Shape.circle(c.center.lng, c.center.lat, radius), math.pi * (radius / 1000) ** 2
    if v.outline_polygon is not None:
        lons = [p.lng for p in v.outline_polygon.vertices]
        lats = [p.lat for p in v.outline_polygon.vertices]
        try:
            check_polygon(lons, lats)
        except ValueError as exc:
            raise InvalidInput.at((where,), str(exc)) from None
        return Shape.polygon(lons, lats), polygon_area(lons, lats) / 1e6
    return None


def footprint(
    extents: Sequence[Volume4DIn],
    *,
    max_area_km2: float,
    require_outline: bool = True,
    require_bounds: bool = False,
    where: str = "extents",
) -> Footprint:
    """The footprint of ``extents``; InvalidInput or AreaTooLarge (400) when malformed.

    ``require_bounds``: times and altitudes are required in each extent (references)."""
    shapes: list[Shape] = []
    area = 0.0
    lows: list[float] = []
    highs: list[float] = []
    starts: list[datetime] = []
    ends: list[datetime] = []
    for i, volume in enumerate(extents):
        place = f"{where}[{i}]" if len(extents) > 1 or where == "extents" else where
        found = _shape(volume, place)
        if found is None:
            if require_outline:
                raise InvalidInput.at(
                    (place,), "no outline: give outline_polygon or outline_circle"
                )
        else:
            shapes.append(found[0])
            area += found[1]
        v = volume.volume
        lo = v.altitude_lower.value if v.altitude_lower else None
        hi = v.altitude_upper.value if v.altitude_upper else None
        start = parse_time(volume.time_start, f"{place}.time_start") if volume.time_start else None
        end = parse_time(volume.time_end, f"{place}.time_end") if volume.time_end else None
        if require_bounds:
            for name, value in (
                ("time_start", start),
                ("time_end", end),
                ("altitude_lower", lo),
                ("altitude_upper", hi),
            ):
                if value is None:
                    raise InvalidInput.at((place,), f"{name} is required")
        if lo is not None and hi is not None and lo > hi:
            raise InvalidInput.at((place,), "altitude_lower is above altitude_upper")
        if start is not None and end is not None and start > end:
            raise InvalidInput.at((place,), "time_start is after time_end")
        for value, into in ((lo, lows), (hi, highs)):
            if value is not None:
                into.append(value)
        if start is not None:
            starts.append(start)
        if end is not None:
            ends.append(end)
    if area > max_area_km2:
        raise AreaTooLarge(
            f"the area covers {area:,.0f} km², more than the {max_area_km2:,.0f} km² allowed"
        )
    for shape in shapes:
        west, _south, east, _north = shape.bbox()
        if east - west > 180 or west < -180 or east > 180:
            raise InvalidInput.at((where,), "an outline may not cross the antimeridian")
    return Footprint(
        tuple(shapes),
        area,
        min(lows) if lows else None,
        max(highs) if highs else None,
        min(starts) if starts else None,
        max(ends) if ends else None,
    )
