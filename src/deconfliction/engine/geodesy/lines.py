"""Distance from points to a polyline whose vertices are joined by geodesics.

:class:`GeodesicPolyline` answers "how far is each of these points from the line, and on which
side" for millions of points at once.  The fast path works in a local frame
(:mod:`.frames`); :func:`exact_segment_distance` solves the same question on the ellipsoid with
GeographicLib to a nanometre, and :meth:`GeodesicPolyline.distance` uses it to refine any
point whose fast distance lies within the frame's error bound of a threshold the caller cares
about.  Written here rather than taken from a library because neither pyproj nor GeographicLib's
Python port offers a point-to-geodesic distance; the method is the along-track iteration on the
geodesic, started from the planar foot.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from deconfliction.engine.geodesy.ellipsoid import gaussian_radius, geod
from deconfliction.engine.geodesy.frames import MAX_SEGMENT, LocalFrame, frame_around
from deconfliction.engine.units import Metres

__all__ = ["GeodesicPolyline", "LineMeasure", "densify", "exact_segment_distance"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

_CHUNK = 262_144
"""Points handled per vectorised pass: keeps temporaries inside the CPU caches."""


def densify(
    lons: Sequence[float] | FloatArray,
    lats: Sequence[float] | FloatArray,
    max_segment: Metres = MAX_SEGMENT,
    *,
    closed: bool = False,
) -> tuple[FloatArray, FloatArray, IntArray]:
    """Insert points along each geodesic edge so that no piece is longer than ``max_segment``.

    Returns the new longitudes and latitudes and, for every new piece, the index of the
    original edge it lies on.  The inserted points lie exactly on the geodesics, so the
    densified line is the same line.

    Examples
    --------
    >>> lo, la, src = densify([35.0, 35.0], [33.0, 33.3], 10_000)
    >>> len(lo), src.tolist()
    (5, [0, 0, 0, 0])
    """
    lon_in = list(map(float, lons))
    lat_in = list(map(float, lats))
    if closed:
        lon_in.append(lon_in[0])
        lat_in.append(lat_in[0])
    g = geod()
    out_lon = [lon_in[0]]
    out_lat = [lat_in[0]]
    origin: list[int] = []
    for i in range(len(lon_in) - 1):
        _, _, length = g.inv(lon_in[i], lat_in[i], lon_in[i + 1], lat_in[i + 1])
        pieces = max(1, int(np.ceil(length / max_segment)))
        if pieces > 1:
            for lo, la in g.npts(lon_in[i], lat_in[i], lon_in[i + 1], lat_in[i + 1], pieces - 1):
                out_lon.append(lo)
                out_lat.append(la)
        out_lon.append(lon_in[i + 1])
        out_lat.append(lat_in[i + 1])
        origin.extend([i] * pieces)
    return (
        np.asarray(out_lon, np.float64),
        np.asarray(out_lat, np.float64),
        np.asarray(origin, np.intp),
    )


def exact_segment_distance(
    plon: ArrayLike,
    plat: ArrayLike,
    alon: ArrayLike,
    alat: ArrayLike,
    blon: ArrayLike,
    blat: ArrayLike,
    start: ArrayLike | None = None,
) -> tuple[FloatArray, FloatArray]:
    """Exact distance from points P to geodesic segments AB, and the along-track position.

    Iterates on the along-track distance ``s`` of the foot of the perpendicular: at the
    current foot F, the spherical along-track formula applied to the exact distance and
    azimuths F->P gives the correction.  The error shrinks by about the flattening (1/300) each
    step, so a few steps reach the nanometre.  ``start`` is an initial ``s`` (for example the
    planar foot); the foot is kept on the segment, so a point beyond an end is measured to that
    end.  Meant for distances up to a few thousand kilometres.

    Returns (distance in metres, along-track position of the foot in metres from A).
    """
    g = geod()
    p_lon = np.atleast_1d(np.asarray(plon, np.float64))
    p_lat = np.atleast_1d(np.asarray(plat, np.float64))
    n = p_lon.shape[0]
    a_lon = np.broadcast_to(np.asarray(alon, np.float64), (n,)).copy()
    a_lat = np.broadcast_to(np.asarray(alat, np.float64), (n,)).copy()
    b_lon = np.broadcast_to(np.asarray(blon, np.float64), (n,)).copy()
    b_lat = np.broadcast_to(np.asarray(blat, np.float64), (n,)).copy()
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
        s = np.broadcast_to(np.asarray(start, np.float64), (n,)).copy()
    dist = np.zeros(n)
    for _ in range(8):
        s = np.clip(s, 0.0, length)
        f_lon, f_lat, back = g.fwd(a_lon, a_lat, az_ab, s)
        az_fp, _, dist = g.inv(f_lon, f_lat, p_lon, p_lat)
        dist = np.asarray(dist, np.float64)
        line_az = np.asarray(back, np.float64) + 180.0
        step = radius * np.arctan(
            np.tan(dist / radius) * np.cos(np.radians(np.asarray(az_fp, np.float64) - line_az))
        )
        # A foot pinned at an end with the step pointing outward has converged.
        pinned = ((s <= 0.0) & (step <= 0.0)) | ((s >= length) & (step >= 0.0))
        step = np.where(pinned, 0.0, step)
        s = s + step
        if float(np.max(np.abs(step), initial=0.0)) < 1e-7:
            break
    s = np.clip(s, 0.0, length)
    f_lon, f_lat, _ = g.fwd(a_lon, a_lat, az_ab, s)
    dist = np.asarray(g.inv(f_lon, f_lat, p_lon, p_lat)[2], np.float64)
    return dist, s


@dataclass(frozen=True, slots=True)
class LineMeasure:
    """Where points stand relative to a line.

    ``distance`` in metres; ``side`` +1 on the left of the direction of travel, -1 on the
    right; ``beyond`` true where the nearest point of the line is an end and the point lies past
    it (outside the strip swept by the perpendiculars).
    """

    distance: FloatArray
    side: FloatArray
    beyond: NDArray[np.bool_]

    @property
    def signed(self) -> FloatArray:
        return np.asarray(self.distance * self.side, np.float64)


class GeodesicPolyline:
    """A polyline on the ellipsoid; distances and sides of points relative to it.

    ``signed_distance`` is positive on the left of the direction of travel (from the first
    vertex to the last) and negative on the right.  Beyond an end, a point is measured to that
    end and takes the side of the end segment extended.

    Examples
    --------
    >>> line = GeodesicPolyline([35.8, 35.8], [33.0, 33.3])
    >>> d = line.distance([35.9], [33.1])
    >>> round(float(d[0]), 2)
    9334.76
    >>> float(line.signed_distance([35.9], [33.1])[0]) < 0   # east of a line drawn north
    True
    """

    __slots__ = (
        "_ax",
        "_ay",
        "_dx",
        "_dy",
        "_len2",
        "dense_lats",
        "dense_lons",
        "frame",
        "lats",
        "lons",
        "reach",
    )

    def __init__(
        self,
        lons: Sequence[float] | FloatArray,
        lats: Sequence[float] | FloatArray,
        *,
        closed: bool = False,
        frame: LocalFrame | None = None,
    ) -> None:
        if len(lons) < 2 or len(lons) != len(lats):
            raise ValueError("a polyline needs at least two vertices")
        self.lons = np.asarray(lons, np.float64)
        self.lats = np.asarray(lats, np.float64)
        self.dense_lons, self.dense_lats, _ = densify(self.lons, self.lats, closed=closed)
        self.frame = frame or frame_around(self.dense_lons, self.dense_lats)
        x, y = self.frame.forward(self.dense_lons, self.dense_lats)
        self._ax = x[:-1]
        self._ay = y[:-1]
        self._dx = x[1:] - x[:-1]
        self._dy = y[1:] - y[:-1]
        self._len2 = np.maximum(self._dx * self._dx + self._dy * self._dy, 1e-18)
        self.reach: Metres = float(np.max(np.abs(x)))

    @property
    def segment_count(self) -> int:
        return int(self._ax.shape[0])

    def error_bound(self, distance: Metres) -> Metres:
        """Bound on the fast path's error for a point ``distance`` metres from the line."""
        return self.frame.error_bound(self.reach + distance)

    def _fast(
        self, x: FloatArray, y: FloatArray
    ) -> tuple[FloatArray, IntArray, FloatArray, FloatArray, FloatArray]:
        """Fast distance, nearest segment, its parameter t, and the foot, for frame points."""
        n = x.shape[0]
        best = np.full(n, np.inf)
        seg = np.zeros(n, np.intp)
        tbest = np.zeros(n)
        for i in range(self.segment_count):
            ax, ay, dx, dy = self._ax[i], self._ay[i], self._dx[i], self._dy[i]
            px = x - ax
            py = y - ay
            t = np.clip((px * dx + py * dy) / self._len2[i], 0.0, 1.0)
            ex = px - t * dx
            ey = py - t * dy
            d2 = ex * ex + ey * ey
            better = d2 < best
            best = np.where(better, d2, best)
            seg = np.where(better, i, seg)
            tbest = np.where(better, t, tbest)
        fx = self._ax[seg] + tbest * self._dx[seg]
        fy = self._ay[seg] + tbest * self._dy[seg]
        ground = self.frame.ground_lengths(x, y, fx, fy)
        return ground, seg, tbest, fx, fy

    def _side(self, x: FloatArray, y: FloatArray, seg: IntArray, t: FloatArray) -> FloatArray:
        """+1 on the left, -1 on the right; the bisector decides at interior vertices."""
        nx = -self._dy
        ny = self._dx
        norm = np.hypot(nx, ny)
        nx = nx / norm
        ny = ny / norm
        last = self.segment_count - 1
        at_start = (t <= 0.0) & (seg > 0)
        at_end = (t >= 1.0) & (seg < last)
        vx = np.where(at_end, nx[np.minimum(seg + 1, last)], nx[seg])
        vy = np.where(at_end, ny[np.minimum(seg + 1, last)], ny[seg])
        vx = np.where(at_start, nx[np.maximum(seg - 1, 0)], vx)
        vy = np.where(at_start, ny[np.maximum(seg - 1, 0)], vy)
        bx = np.where(at_start | at_end, nx[seg] + vx, nx[seg])
        by = np.where(at_start | at_end, ny[seg] + vy, ny[seg])
        vertex_x = np.where(t >= 1.0, self._ax[seg] + self._dx[seg], self._ax[seg])
        vertex_y = np.where(t >= 1.0, self._ay[seg] + self._dy[seg], self._ay[seg])
        on_vertex = at_start | at_end
        rx = np.where(on_vertex, x - vertex_x, x - self._ax[seg])
        ry = np.where(on_vertex, y - vertex_y, y - self._ay[seg])
        dot = rx * bx + ry * by
        return np.where(dot >= 0.0, 1.0, -1.0)

    def _refine(self, lon: FloatArray, lat: FloatArray, seg: IntArray, t: FloatArray) -> FloatArray:
        """Exact distances for points whose nearest segment may be ``seg`` or a neighbour."""
        last = self.segment_count - 1
        best = np.full(lon.shape[0], np.inf)
        for shift in (-1, 0, 1):
            s_idx = np.clip(seg + shift, 0, last)
            a_lon = self.dense_lons[s_idx]
            a_lat = self.dense_lats[s_idx]
            b_lon = self.dense_lons[s_idx + 1]
            b_lat = self.dense_lats[s_idx + 1]
            seg_len = np.sqrt(self._len2[s_idx])
            start = np.where(shift == 0, t * seg_len, np.where(shift < 0, seg_len, 0.0))
            d, _ = exact_segment_distance(lon, lat, a_lon, a_lat, b_lon, b_lat, start)
            best = np.minimum(best, d)
        return best

    def measure(
        self,
        lons: ArrayLike,
        lats: ArrayLike,
        *,
        thresholds: Sequence[Metres] = (),
        exact: bool = False,
    ) -> LineMeasure:
        """Distances, sides and end flags of points relative to the line.

        With ``exact``, every distance is solved on the ellipsoid.  Otherwise distances come
        from the fast path, except those within the error bound of any of ``thresholds``,
        which are solved exactly, so that comparing a result with a threshold is always right.
        """
        lon = np.atleast_1d(np.asarray(lons, np.float64))
        lat = np.atleast_1d(np.asarray(lats, np.float64))
        dist = np.empty(lon.shape[0])
        side = np.empty(lon.shape[0])
        beyond = np.empty(lon.shape[0], bool)
        last = self.segment_count - 1
        limits = np.asarray(sorted(thresholds), np.float64)
        for lo in range(0, lon.shape[0], _CHUNK):
            hi = min(lo + _CHUNK, lon.shape[0])
            x, y = self.frame.forward(lon[lo:hi], lat[lo:hi])
            d, seg, t, _, _ = self._fast(x, y)
            side[lo:hi] = self._side(x, y, seg, t)
            beyond[lo:hi] = ((seg == 0) & (t <= 0.0)) | ((seg == last) & (t >= 1.0))
            if exact:
                need = np.ones(d.shape[0], bool)
            elif limits.size:
                bound = self.frame.error_bound(self.reach + float(limits[-1]))
                gap = np.min(np.abs(d[:, None] - limits[None, :]), axis=1)
                need = gap <= bound
            else:
                need = np.zeros(d.shape[0], bool)
            if need.any():
                idx = np.flatnonzero(need)
                d[idx] = self._refine(lon[lo:hi][idx], lat[lo:hi][idx], seg[idx], t[idx])
            dist[lo:hi] = d
        return LineMeasure(dist, side, beyond)

    def distance(self, lons: ArrayLike, lats: ArrayLike, *, exact: bool = False) -> FloatArray:
        """Distances of points from the line, in metres."""
        return self.measure(lons, lats, exact=exact).distance

    def signed_distance(
        self, lons: ArrayLike, lats: ArrayLike, *, exact: bool = False
    ) -> FloatArray:
        """Distances of points from the line, positive on its left, negative on its right."""
        return self.measure(lons, lats, exact=exact).signed
