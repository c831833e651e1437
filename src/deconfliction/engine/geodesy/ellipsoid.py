"""The WGS84 ellipsoid and its geodesic solver."""

from __future__ import annotations

import functools
import math
from typing import Final

import pyproj

__all__ = ["FLATTENING", "SEMI_MAJOR_AXIS", "gaussian_radius", "geod"]

SEMI_MAJOR_AXIS: Final = 6378137.0
"""WGS84 equatorial radius, metres."""
FLATTENING: Final = 1 / 298.257223563
_E2: Final = FLATTENING * (2 - FLATTENING)


@functools.cache
def geod() -> pyproj.Geod:
    """The WGS84 geodesic solver (GeographicLib inside PROJ), created on first use."""
    return pyproj.Geod(ellps="WGS84")


def gaussian_radius(lat_deg: float) -> float:
    """Gaussian mean radius of curvature ``sqrt(M N)`` at a latitude, in metres.

    It is the radius of the sphere that best fits the ellipsoid around that latitude, used for
    the scale factor of a local Transverse Mercator frame.

    Examples
    --------
    >>> round(gaussian_radius(0.0))
    6356752
    >>> round(gaussian_radius(33.0))
    6369400
    """
    s = math.sin(math.radians(lat_deg))
    return SEMI_MAJOR_AXIS * math.sqrt(1 - _E2) / (1 - _E2 * s * s)
