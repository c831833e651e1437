"""Point measures on the ellipsoid: distance, azimuth, forward position, area; and formatting."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike, NDArray

from deconfliction.engine.geodesy.ellipsoid import geod
from deconfliction.engine.units import Metres

__all__ = [
    "distance",
    "distances",
    "format_position",
    "forward",
    "inverse",
    "polygon_area",
]

FloatArray = NDArray[np.float64]


def distance(lon1: float, lat1: float, lon2: float, lat2: float) -> Metres:
    """Geodesic distance between two points, in metres.

    Examples
    --------
    >>> round(distance(35.0, 33.0, 36.0, 33.0), 3)
    93452.863
    """
    return float(geod().inv(lon1, lat1, lon2, lat2)[2])


def distances(lon1: ArrayLike, lat1: ArrayLike, lon2: ArrayLike, lat2: ArrayLike) -> FloatArray:
    """Vectorised geodesic distances, in metres."""
    return np.asarray(geod().inv(lon1, lat1, lon2, lat2)[2], dtype=np.float64)


def inverse(lon1: float, lat1: float, lon2: float, lat2: float) -> tuple[float, float, Metres]:
    """Forward azimuth at 1, forward azimuth at 2 (degrees), and distance (metres)."""
    az12, az21, dist = geod().inv(lon1, lat1, lon2, lat2)
    # pyproj returns the back azimuth at point 2; the forward azimuth there is opposite.
    return float(az12), float((az21 + 180.0 + 180.0) % 360.0 - 180.0), float(dist)


def forward(lon: float, lat: float, azimuth: float, dist: Metres) -> tuple[float, float]:
    """The point reached from (lon, lat) along ``azimuth`` (degrees) after ``dist`` metres.

    Examples
    --------
    >>> lon, lat = forward(35.0, 33.0, 90.0, 10_000.0)
    >>> round(distance(35.0, 33.0, lon, lat), 6)
    10000.0
    """
    lon2, lat2, _ = geod().fwd(lon, lat, azimuth, dist)
    return float(lon2), float(lat2)


def polygon_area(lons: Sequence[float] | FloatArray, lats: Sequence[float] | FloatArray) -> float:
    """Area of a polygon with geodesic edges, in square metres (orientation ignored).

    Examples
    --------
    >>> a = polygon_area([35.0, 35.1, 35.1, 35.0], [33.0, 33.0, 33.1, 33.1])
    >>> round(a / 1e6, 2)
    103.59
    """
    area, _ = geod().polygon_area_perimeter(lons, lats)
    return abs(float(area))


def format_position(lon: float, lat: float, digits: int = 2) -> str:
    """Write a position with hemisphere letters, latitude first, as duty officers read it.

    Examples
    --------
    >>> format_position(35.8123, 33.1234)
    '33.12N 35.81E'
    >>> format_position(-0.5, -12.25, digits=3)
    '12.250S 0.500W'
    """
    ns = "N" if lat >= 0 else "S"
    ew = "E" if lon >= 0 else "W"
    return f"{abs(lat):.{digits}f}{ns} {abs(lon):.{digits}f}{ew}"
