"""Aircraft states in a local plane: positions projected, velocities turned to grid north.

Positions go through a :class:`~deconfliction.engine.geodesy.frames.LocalFrame` (PROJ's exact
ellipsoidal Transverse Mercator).  A true track becomes a grid bearing by subtracting the
meridian convergence ``γ = Δλ sin φ (1 + (Δλ cos φ)² (1 + 3η²) / 3)`` (Δλ from the central
meridian, ``η² = e'² cos² φ``; the next term is of order Δλ⁵, below 1e-9 rad within 5° of
the central meridian), and a ground speed becomes a grid speed by the point scale factor ``k``.
The tests check both against GeographicLib.

Examples
--------
>>> import numpy as np
>>> from deconfliction.engine.geodesy.frames import LocalFrame
>>> s = to_plane(LocalFrame(35.0, 33.0), np.array([35.0]), np.array([33.0]),
...              np.array([200.0]), np.array([90.0]))
>>> [round(float(a[0]), 6) for a in (s.x, s.y, s.vx, s.vy, s.k)]
[0.0, 0.0, 200.0, 0.0, 1.0]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from deconfliction.engine.geodesy.ellipsoid import FLATTENING
from deconfliction.engine.geodesy.frames import LocalFrame

__all__ = ["PlaneState", "convergence", "to_plane"]

FloatArray = NDArray[np.float64]
_E2 = FLATTENING * (2 - FLATTENING)
_EP2 = _E2 / (1 - _E2)


def convergence(frame: LocalFrame, lon: FloatArray, lat: FloatArray) -> FloatArray:
    """The meridian convergence (radians) at each point: grid bearing = true bearing − γ."""
    dl = np.radians(lon - frame.lon0)
    phi = np.radians(lat)
    cos_phi = np.cos(phi)
    eta2 = _EP2 * cos_phi * cos_phi
    out: FloatArray = dl * np.sin(phi) * (1 + (dl * cos_phi) ** 2 * (1 + 3 * eta2) / 3)
    return out


@dataclass(frozen=True, slots=True)
class PlaneState:
    x: FloatArray
    y: FloatArray
    vx: FloatArray
    vy: FloatArray
    k: FloatArray


def to_plane(
    frame: LocalFrame,
    lon: FloatArray,
    lat: FloatArray,
    speed_mps: FloatArray,
    track_deg: FloatArray,
) -> PlaneState:
    """Positions and ground velocities as plane metres and plane metres per second."""
    x, y = frame.forward(lon, lat)
    k = frame.scale(x)
    bearing = np.radians(track_deg) - convergence(frame, lon, lat)
    grid_speed = speed_mps * k
    return PlaneState(x, y, grid_speed * np.sin(bearing), grid_speed * np.cos(bearing), k)
