"""What an outline may not be, with a message that says where.

The product refuses, rather than silently mis-computes, geometry it cannot handle exactly:

* positions outside the valid ranges;
* outlines reaching beyond 85 degrees of latitude (polar geometry is out of scope: local frames
  and boxes in degrees both degrade there);
* outlines crossing the antimeridian (split them into one outline per side);
* polygons with fewer than three distinct vertices, no area, or edges that cross.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence

import numpy as np
import shapely

from deconfliction.engine.geodesy.frames import frame_around
from deconfliction.engine.geodesy.lines import densify
from deconfliction.engine.geodesy.measures import format_position, polygon_area
from deconfliction.engine.geodesy.shapes import Shape
from deconfliction.engine.units import Metres

__all__ = [
    "MAX_ABS_LATITUDE",
    "check_extent",
    "check_line",
    "check_polygon",
    "check_position",
]

MAX_ABS_LATITUDE = 85.0

_MIN_AREA_M2 = 1.0
"""Vertices on one geodesic enclose a few square millimetres of rounding (at most 0.01 m² over
1000 km); any real outline encloses far more than a square metre."""

_POINT_IN_REASON = re.compile(r"\[\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)")


def check_position(lon: float, lat: float) -> None:
    """Refuse a position outside [-180, 180] x [-90, 90] or beyond the polar limit.

    Examples
    --------
    >>> check_position(35.8, 95.0)
    Traceback (most recent call last):
    ...
    ValueError: latitude 95.0 is out of range [-90, 90]
    """
    if not -90.0 <= lat <= 90.0:
        raise ValueError(f"latitude {lat} is out of range [-90, 90]")
    if not -180.0 <= lon <= 180.0:
        raise ValueError(f"longitude {lon} is out of range [-180, 180]")
    if abs(lat) > MAX_ABS_LATITUDE:
        raise ValueError(
            f"latitude {lat} is beyond {MAX_ABS_LATITUDE:g} degrees: polar geometry is not "
            "supported"
        )


def _check_no_antimeridian(lons: Sequence[float], closed: bool) -> None:
    ring = list(lons) + ([lons[0]] if closed else [])
    for a, b in itertools.pairwise(ring):
        if abs(b - a) > 180.0:
            raise ValueError(
                "outline crosses the antimeridian (180 degrees): split it into two outlines, "
                "one on each side"
            )


def _distinct(lons: Sequence[float], lats: Sequence[float]) -> int:
    return len({(round(lo, 9), round(la, 9)) for lo, la in zip(lons, lats, strict=True)})


def check_line(lons: Sequence[float], lats: Sequence[float], what: str = "route") -> None:
    """Refuse a line with fewer than two distinct vertices or repeated consecutive vertices."""
    for lo, la in zip(lons, lats, strict=True):
        check_position(lo, la)
    if _distinct(lons, lats) < 2:
        raise ValueError(f"a {what} needs at least two distinct points")
    for i in range(len(lons) - 1):
        if (lons[i], lats[i]) == (lons[i + 1], lats[i + 1]):
            raise ValueError(
                f"{what} repeats point {i} ({format_position(lons[i], lats[i], 4)}) immediately"
            )
    _check_no_antimeridian(lons, closed=False)


def check_polygon(lons: Sequence[float], lats: Sequence[float]) -> None:
    """Refuse a polygon that is degenerate or whose edges cross.

    The polygon's edges are geodesics; crossing is tested on the densified edges in a local
    frame, and the message gives the place of the crossing.

    Examples
    --------
    >>> check_polygon([35.8, 35.9, 35.8, 35.9], [33.1, 33.2, 33.2, 33.1])
    Traceback (most recent call last):
    ...
    ValueError: polygon crosses itself near 33.15N 35.85E
    """
    for lo, la in zip(lons, lats, strict=True):
        check_position(lo, la)
    if _distinct(lons, lats) < 3:
        raise ValueError("a polygon needs at least three distinct vertices")
    _check_no_antimeridian(lons, closed=True)
    dense_lons, dense_lats, _ = densify(lons, lats, closed=True)
    frame = frame_around(dense_lons, dense_lats)
    x, y = frame.forward(dense_lons, dense_lats)
    polygon = shapely.polygons(np.column_stack([x, y]))
    if polygon.area <= 0.0:
        raise ValueError("polygon has no area: its vertices lie on one line")
    if shapely.is_valid(polygon):
        # Vertices on one geodesic that is not a meridian bend slightly in the plane and pass
        # as a simple sliver: the ellipsoidal area decides.
        if polygon_area(lons, lats) < _MIN_AREA_M2:
            raise ValueError("polygon has no area: its vertices lie on one line")
        return
    reason = shapely.is_valid_reason(polygon)
    match = _POINT_IN_REASON.search(reason)
    where = ""
    if match:
        lon, lat = frame.inverse([float(match.group(1))], [float(match.group(2))])
        where = f" near {format_position(float(lon[0]), float(lat[0]))}"
    if "elf-intersection" in reason or "Ring" in reason:
        raise ValueError(f"polygon crosses itself{where}")
    raise ValueError(f"polygon is not valid{where}: {reason.split('[')[0].strip().lower()}")


def check_extent(shape: Shape, margin: Metres = 0.0) -> None:
    """Refuse a shape whose extent (grown by ``margin``) reaches a pole or crosses 180 degrees."""
    west, south, east, north = shape.bbox(margin)
    if south < -MAX_ABS_LATITUDE or north > MAX_ABS_LATITUDE:
        raise ValueError(
            f"outline reaches beyond {MAX_ABS_LATITUDE:g} degrees of latitude: polar geometry "
            "is not supported"
        )
    if west < -180.0 or east > 180.0:
        raise ValueError(
            "outline reaches across the antimeridian (180 degrees): split it into two "
            "outlines, one on each side"
        )
