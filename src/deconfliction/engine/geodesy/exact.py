"""Exact answers on the ellipsoid, for what lies near a threshold.

The fast paths (:mod:`.frames`, :mod:`.lines`, :mod:`.shapes`) decide everything that lies
farther from a threshold than their error bound; whatever lies closer is solved here, with
GeographicLib's geodesics (pyproj's ``Geod``) and nothing planar:

* :func:`segment_feet`: the foot of the perpendicular from points to geodesic segments, with
  the distance, the side of the segment and whether the point lies past an end;
* :func:`polyline_feet`: the same against a polyline, its nearest segment found without any
  frame (candidate segments are pruned with the triangle inequality, so a point hundreds of
  kilometres away is as exact as a near one);
* :func:`ring_inside`: whether points lie inside a polygon, from the side of the nearest
  edge (or the turn at the nearest vertex).

Every distance is good to :data:`TOLERANCE` (a micrometre): GeographicLib solves geodesics to
15 nanometres, and the foot of a perpendicular is iterated until its step is under 0.1 µm.  A
side or an inside is exact for any point farther than that from the line.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from deconfliction.engine.geodesy.ellipsoid import gaussian_radius, geod
from deconfliction.engine.units import Metres

__all__ = [
    "TOLERANCE",
    "Feet",
    "exact_segment_distance",
    "polyline_feet",
    "ring_inside",
    "segment_feet",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]
BoolArray = NDArray[np.bool_]

TOLERANCE: Metres = 1e-6
"""What an exact distance may be off by, in metres (a micrometre)."""


@dataclass(frozen=True, slots=True)
class Feet:
    """Where points stand against geodesic segments, one row per point.

    ``distance`` to the segment; ``along`` the foot's distance from the segment's start (on
    the segment); ``side`` +1 on the left of the segment's direction (or of its extension past
    an end), -1 on the right, 0 on it; ``past`` -1 where the foot is the start and the point
    lies behind it (outside the strip swept by the perpendiculars), +1 likewise past the end,
    0 between; ``segment`` the segment's index (for :func:`polyline_feet`).
    """

    distance: FloatArray
    along: FloatArray
    side: FloatArray
    past: IntArray
    segment: IntArray


def _columns(n: int, *values: ArrayLike) -> list[FloatArray]:
    return [np.broadcast_to(np.asarray(v, np.float64), (n,)).copy() for v in values]


def segment_feet(
    plon: ArrayLike,
    plat: ArrayLike,
    alon: ArrayLike,
    alat: ArrayLike,
    blon: ArrayLike,
    blat: ArrayLike,
    start: ArrayLike | None = None,
) -> Feet:
    """Exact feet of points P on geodesic segments AB (one segment per point, or one for all).

    Iterates on the along-track distance ``s`` of the foot: at the current foot F, the
    spherical along-track formula applied to the exact distance and azimuth F->P gives the
    correction.  The error shrinks by about the flattening (1/300) each step, so a few steps
    reach the nanometre.  ``start`` is an initial ``s`` (the planar foot, say).  Meant for
    segments of up to a few hundred kilometres and points up to a few thousand away.

    The side and the end are read at the final foot, from the angle between the segment and
    the geodesic F->P: its sine gives the side, and at an end its cosine says whether P lies
    past the perpendicular there.

    Examples
    --------
    >>> feet = segment_feet([35.9], [33.1], 35.8, 33.0, 35.8, 33.3)
    >>> round(float(feet.distance[0]), 2), int(feet.side[0]), int(feet.past[0])
    (9334.76, -1, 0)
    """
    g = geod()
    p_lon = np.atleast_1d(np.asarray(plon, np.float64))
    p_lat = np.atleast_1d(np.asarray(plat, np.float64))
    n = p_lon.shape[0]
    a_lon, a_lat, b_lon, b_lat = _columns(n, alon, alat, blon, blat)
    az_ab, _, length = g.inv(a_lon, a_lat, b_lon, b_lat)
    az_ab = np.asarray(az_ab, np.float64)
    length = np.asarray(length, np.float64)
    radius = np.vectorize(gaussian_radius, otypes=[np.float64])(p_lat)
    if start is None:
        az_ap, _, d_ap = g.inv(a_lon, a_lat, p_lon, p_lat)
        s = radius * np.arctan(
            np.tan(np.asarray(d_ap) / radius) * np.cos(np.radians(np.asarray(az_ap) - az_ab))
        )
    else:
        (s,) = _columns(n, start)
    # Each point iterates until its own step is below 0.1 micrometre, so that its result does
    # not depend on the other points solved with it.
    active = np.arange(n)
    for _ in range(10):
        if not active.size:
            break
        s_a = np.clip(s[active], 0.0, length[active])
        f_lon, f_lat, back = g.fwd(a_lon[active], a_lat[active], az_ab[active], s_a)
        az_fp, _, dist = g.inv(f_lon, f_lat, p_lon[active], p_lat[active])
        dist = np.asarray(dist, np.float64)
        line_az = np.asarray(back, np.float64) + 180.0
        r = radius[active]
        step = r * np.arctan(
            np.tan(dist / r) * np.cos(np.radians(np.asarray(az_fp, np.float64) - line_az))
        )
        # A foot pinned at an end with the step pointing outward has converged.
        pinned = ((s_a <= 0.0) & (step <= 0.0)) | ((s_a >= length[active]) & (step >= 0.0))
        step = np.where(pinned, 0.0, step)
        s[active] = s_a + step
        active = active[np.abs(step) >= 1e-7]
    s = np.clip(s, 0.0, length)
    f_lon, f_lat, back = g.fwd(a_lon, a_lat, az_ab, s)
    az_fp, _, dist = g.inv(f_lon, f_lat, p_lon, p_lat)
    dist = np.asarray(dist, np.float64)
    angle = np.radians(np.asarray(az_fp, np.float64) - (np.asarray(back, np.float64) + 180.0))
    # Azimuths turn clockwise: a positive sine is on the right.
    side = np.where(dist > 0.0, -np.sign(np.sin(angle)), 0.0)
    cos = np.cos(angle)
    behind = (s <= 0.0) & ((cos <= 0.0) | (dist == 0.0))
    ahead = (s >= length) & ((cos >= 0.0) | (dist == 0.0)) & ~behind
    past = np.where(behind, -1, np.where(ahead, 1, 0)).astype(np.intp)
    return Feet(dist, s, side, past, np.zeros(n, np.intp))


def exact_segment_distance(
    plon: ArrayLike, plat: ArrayLike, *segment: ArrayLike
) -> tuple[FloatArray, FloatArray]:
    """The distance from points to geodesic segments ``alon, alat, blon, blat[, start]`` and
    the foot's position along them (:func:`segment_feet` without the side)."""
    feet = segment_feet(plon, plat, *segment)
    return feet.distance, feet.along


def polyline_feet(plon: ArrayLike, plat: ArrayLike, lons: ArrayLike, lats: ArrayLike) -> Feet:
    """Exact feet of points on the polyline through ``lons, lats`` (geodesic edges; pass a
    ring closed), each on its nearest segment.

    No frame is involved, so the answer holds at any distance.  The nearest segment is found
    by bounds: from the exact distances to the vertices, a segment of length ``l`` whose ends
    are ``da`` and ``db`` away is at least ``(da + db - l) / 2`` away (triangle inequality),
    and at most ``min(da, db)``.  Only segments whose lower bound does not exceed the best upper
    bound are solved.  Where two segments are equally near (at a vertex), the first is kept.

    Examples
    --------
    >>> feet = polyline_feet([35.9], [33.1], [35.8, 35.8, 36.0], [33.0, 33.3, 33.3])
    >>> round(float(feet.distance[0]), 2), int(feet.segment[0])
    (9334.76, 0)
    """
    g = geod()
    p_lon = np.atleast_1d(np.asarray(plon, np.float64))
    p_lat = np.atleast_1d(np.asarray(plat, np.float64))
    v_lon = np.asarray(lons, np.float64)
    v_lat = np.asarray(lats, np.float64)
    n, m = p_lon.shape[0], v_lon.shape[0]
    if m < 2:
        raise ValueError("a polyline needs at least two vertices")
    seg_len = np.asarray(g.inv(v_lon[:-1], v_lat[:-1], v_lon[1:], v_lat[1:])[2], np.float64)
    to_vertex = np.asarray(
        g.inv(np.repeat(p_lon, m), np.repeat(p_lat, m), np.tile(v_lon, n), np.tile(v_lat, n))[2],
        np.float64,
    ).reshape(n, m)
    lower = (to_vertex[:, :-1] + to_vertex[:, 1:] - seg_len) * 0.5
    upper = to_vertex.min(axis=1)
    rows, segs = np.nonzero(lower <= upper[:, None] + TOLERANCE)
    feet = segment_feet(
        p_lon[rows], p_lat[rows], v_lon[segs], v_lat[segs], v_lon[segs + 1], v_lat[segs + 1]
    )
    # The nearest per point; the first segment among equals.
    order = np.lexsort((segs, feet.distance, rows))
    first = order[np.r_[True, rows[order][1:] != rows[order][:-1]]]
    return Feet(
        feet.distance[first],
        feet.along[first],
        feet.side[first],
        feet.past[first],
        segs[first].astype(np.intp),
    )


def _turns_left(lons: FloatArray, lats: FloatArray) -> BoolArray:
    """At each vertex of a closed ring (without its closing repeat), whether the ring turns
    left: the next vertex lies left of the incoming edge extended."""
    prev = np.roll(np.arange(lons.shape[0]), 1)
    nxt = np.roll(np.arange(lons.shape[0]), -1)
    feet = segment_feet(lons[nxt], lats[nxt], lons[prev], lats[prev], lons, lats)
    return np.asarray(feet.side > 0.0, bool)


def ring_inside(
    plon: ArrayLike, plat: ArrayLike, lons: ArrayLike, lats: ArrayLike
) -> tuple[BoolArray, FloatArray]:
    """Whether points lie inside the polygon whose ring is ``lons, lats`` (geodesic edges, the
    closing vertex not repeated), and their exact distance to its boundary.

    A point is inside when it lies on the interior side of its nearest edge; when its nearest
    point is a vertex, on the interior side of both edges there at a convex vertex, of either
    at a reflex one.  A point on the boundary is outside (the interior is open).

    Examples
    --------
    >>> inside, d = ring_inside([35.95, 36.05], [33.05, 33.05], [35.9, 36.0, 36.0, 35.9],
    ...                         [33.0, 33.0, 33.1, 33.1])
    >>> inside.tolist(), [round(float(x), 1) for x in d]
    ([True, False], [4670.0, 4670.0])
    """
    r_lon = np.asarray(lons, np.float64)
    r_lat = np.asarray(lats, np.float64)
    k = r_lon.shape[0]
    area, _ = geod().polygon_area_perimeter(r_lon, r_lat)
    interior = 1.0 if area > 0 else -1.0  # counter-clockwise rings have their inside left
    closed_lon = np.append(r_lon, r_lon[0])
    closed_lat = np.append(r_lat, r_lat[0])
    feet = polyline_feet(plon, plat, closed_lon, closed_lat)
    inside = (feet.side == interior) & (feet.distance > 0.0)
    seg_len = np.asarray(
        geod().inv(closed_lon[:-1], closed_lat[:-1], closed_lon[1:], closed_lat[1:])[2]
    )
    at_start = feet.along <= 0.0
    at_end = feet.along >= seg_len[feet.segment]
    corner = np.flatnonzero((at_start | at_end) & (feet.distance > 0.0))
    if corner.size:
        p_lon = np.atleast_1d(np.asarray(plon, np.float64))[corner]
        p_lat = np.atleast_1d(np.asarray(plat, np.float64))[corner]
        vertex = np.where(at_end[corner], feet.segment[corner] + 1, feet.segment[corner]) % k
        before = (vertex - 1) % k
        after = (vertex + 1) % k
        incoming = segment_feet(
            p_lon, p_lat, r_lon[before], r_lat[before], r_lon[vertex], r_lat[vertex]
        )
        outgoing = segment_feet(
            p_lon, p_lat, r_lon[vertex], r_lat[vertex], r_lon[after], r_lat[after]
        )
        convex = _turns_left(r_lon, r_lat)[vertex] == (interior > 0)
        a = incoming.side == interior
        b = outgoing.side == interior
        inside[corner] = np.where(convex, a & b, a | b)
    return np.asarray(inside, bool), feet.distance
