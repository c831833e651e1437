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

from deconfliction.engine.geodesy.ellipsoid import geod
from deconfliction.engine.geodesy.exact import exact_segment_distance, polyline_feet
from deconfliction.engine.geodesy.frames import MAX_SEGMENT, LocalFrame, frame_around
from deconfliction.engine.units import Metres

__all__ = ["GeodesicPolyline", "LineMeasure", "densify", "exact_segment_distance"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

_CHUNK = 16_384
"""Points handled per vectorised pass: keeps the few temporaries (reused in place) inside the
CPU's L2 cache, which is worth more than the fewer NumPy calls of longer passes."""


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
        "_bend_x",
        "_bend_y",
        "_dx",
        "_dy",
        "_end_x",
        "_len2",
        "_nx",
        "_ny",
        "_segments",
        "_turn_x",
        "_turn_y",
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
        # Immutable per-segment terms of the side test, computed once.
        nx = -self._dy
        ny = self._dx
        norm = np.hypot(nx, ny)
        self._nx = nx / norm
        self._ny = ny / norm
        last = self._ax.shape[0] - 1
        after = np.minimum(np.arange(last + 1) + 1, last)
        before = np.maximum(np.arange(last + 1) - 1, 0)
        self._bend_x = self._nx + self._nx[after]
        self._bend_y = self._ny + self._ny[after]
        self._turn_x = self._nx + self._nx[before]
        self._turn_y = self._ny + self._ny[before]
        self._end_x = self._ax + self._dx
        self._segments = list(
            zip(
                self._ax.tolist(),
                self._ay.tolist(),
                self._dx.tolist(),
                self._dy.tolist(),
                self._len2.tolist(),
                strict=True,
            )
        )

    @property
    def segment_count(self) -> int:
        return int(self._ax.shape[0])

    def error_bound(self, distance: Metres) -> Metres:
        """Bound on the fast path's error for a point ``distance`` metres from the line: the
        frame's, and that of choosing, of two segments nearly as near, the one that is nearer
        in the frame (:meth:`~.frames.LocalFrame.choice_bound`)."""
        reach = self.reach + distance
        return self.frame.error_bound(reach) + self.frame.choice_bound(distance, reach)

    def error_bounds(self, distances: FloatArray) -> FloatArray:
        """:meth:`error_bound` for many distances at once."""
        reach = self.reach + distances
        return np.asarray(
            self.frame.error_bounds(reach) + self.frame.choice_bound(distances, reach), np.float64
        )

    def _fast(
        self, x: FloatArray, y: FloatArray
    ) -> tuple[FloatArray, IntArray, FloatArray, FloatArray, FloatArray]:
        """Fast distance, nearest segment, its parameter t, and the foot, for frame points.

        One pass per segment over every point, with every temporary reused in place; the
        nearest segment is the first with the smallest squared grid distance.
        """
        n = x.shape[0]
        best = np.full(n, np.inf)
        seg = np.zeros(n, np.intp)
        px = np.empty(n)
        py = np.empty(n)
        t = np.empty(n)
        w = np.empty(n)
        better = np.empty(n, bool)
        for i, (ax, ay, dx, dy, len2) in enumerate(self._segments):
            np.subtract(x, ax, out=px)
            np.subtract(y, ay, out=py)
            np.multiply(px, dx, out=t)
            np.multiply(py, dy, out=w)
            t += w
            t /= len2
            np.maximum(t, 0.0, out=t)
            np.minimum(t, 1.0, out=t)
            np.multiply(t, dx, out=w)
            px -= w
            np.multiply(t, dy, out=w)
            py -= w
            px *= px
            py *= py
            px += py
            np.less(px, best, out=better)
            np.copyto(best, px, where=better)
            np.copyto(seg, i, where=better)
        ax_s = self._ax[seg]
        ay_s = self._ay[seg]
        dx_s = self._dx[seg]
        dy_s = self._dy[seg]
        tbest = np.clip(((x - ax_s) * dx_s + (y - ay_s) * dy_s) / self._len2[seg], 0.0, 1.0)
        fx = ax_s + tbest * dx_s
        fy = ay_s + tbest * dy_s
        ground = self.frame.ground_lengths(x, y, fx, fy)
        return ground, seg, tbest, fx, fy

    def _side(self, x: FloatArray, y: FloatArray, seg: IntArray, t: FloatArray) -> FloatArray:
        """+1 on the left, -1 on the right; the bisector decides at interior vertices."""
        last = self.segment_count - 1
        at_start = (t <= 0.0) & (seg > 0)
        at_end = (t >= 1.0) & (seg < last)
        bx = np.where(at_end, self._bend_x[seg], self._nx[seg])
        by = np.where(at_end, self._bend_y[seg], self._ny[seg])
        bx = np.where(at_start, self._turn_x[seg], bx)
        by = np.where(at_start, self._turn_y[seg], by)
        # Measured from the vertex the point faces, or from the segment's start.
        rx = x - np.where(at_end, self._end_x[seg], self._ax[seg])
        ry = y - np.where(at_end, self._ay[seg] + self._dy[seg], self._ay[seg])
        dot = rx * bx + ry * by
        return np.where(dot >= 0.0, 1.0, -1.0)

    def _exact(
        self, lon: FloatArray, lat: FloatArray
    ) -> tuple[FloatArray, FloatArray, NDArray[np.bool_]]:
        """Exact distances, sides and end flags (:func:`~.exact.polyline_feet`: no frame, the
        nearest segment found by bounds, so that no segment is missed however far the point)."""
        feet = polyline_feet(lon, lat, self.dense_lons, self.dense_lats)
        last = self.segment_count - 1
        beyond = ((feet.segment == 0) & (feet.past < 0)) | (
            (feet.segment == last) & (feet.past > 0)
        )
        return feet.distance, feet.side, np.asarray(beyond, bool)

    def _uncertain(
        self, x: FloatArray, y: FloatArray, d: FloatArray, seg: IntArray, within: float
    ) -> NDArray[np.bool_]:
        """Points up to ``within`` metres from the line whose side or end the fast path may
        have wrong: within its error bound of the line or of its extension past either end, or
        of the perpendicular at either end (the square end of a one-sided band).

        The perpendicular at an end is a geodesic ``d`` long out to the point, and a geodesic
        bends away from a straight line in the frame by up to ``d**2 / 2 * x / R**2`` (``x``
        its distance from the central meridian): counted twice, over the frame's bound."""
        need = d <= self.frame.error_bound(self.reach)
        last = self.segment_count - 1
        near = d <= within
        for k, at in ((0, 0.0), (last, 1.0)):
            idx = np.flatnonzero((seg == k) & near)
            if not idx.size:
                continue
            length = float(np.sqrt(self._len2[k]))
            along = (
                (x[idx] - self._ax[k]) * self._dx[k] + (y[idx] - self._ay[k]) * self._dy[k]
            ) / length
            across = (x[idx] - self._ax[k]) * self._nx[k] + (y[idx] - self._ay[k]) * self._ny[k]
            off = np.minimum(np.abs(along - at * length), np.abs(across))
            # The bound grows with the distance: test against the largest first, then
            # against each point's own.
            radius = self.frame.radius
            far = float(d[idx].max())
            close = off <= self.error_bound(far) + far * far * (self.reach + far) / radius**2
            if not close.any():
                continue
            idx, off = idx[close], off[close]
            reach = self.reach + d[idx]
            bound = self.error_bounds(d[idx]) + d[idx] * d[idx] * reach / radius**2
            need[idx] |= off <= bound
        return need

    def measure_many(
        self, lons: ArrayLike, lats: ArrayLike, threshold_sets: Sequence[Sequence[Metres]]
    ) -> list[LineMeasure]:
        """:meth:`measure` of the same points for several sets of thresholds at once (bands
        on one line): one fast pass, and one exact solve for the points near any threshold.
        Result ``k`` equals ``measure(lons, lats, thresholds=threshold_sets[k])``."""
        lon = np.atleast_1d(np.asarray(lons, np.float64))
        lat = np.atleast_1d(np.asarray(lats, np.float64))
        n = lon.shape[0]
        dist = np.empty(n)
        side = np.empty(n)
        beyond = np.empty(n, bool)
        uncertain = np.empty(n, bool)
        last = self.segment_count - 1
        within = self._within([t for thresholds in threshold_sets for t in thresholds])
        for lo in range(0, n, _CHUNK):
            hi = min(lo + _CHUNK, n)
            x, y = self.frame.forward(lon[lo:hi], lat[lo:hi])
            d, sg, tt, _, _ = self._fast(x, y)
            side[lo:hi] = self._side(x, y, sg, tt)
            beyond[lo:hi] = ((sg == 0) & (tt <= 0.0)) | ((sg == last) & (tt >= 1.0))
            uncertain[lo:hi] = self._uncertain(x, y, d, sg, within)
            dist[lo:hi] = d
        needs = [self._near(dist, thresholds) for thresholds in threshold_sets]
        anywhere = uncertain.copy()
        for need in needs:
            anywhere |= need
        if not anywhere.any():
            return [LineMeasure(dist, side, beyond) for _ in needs]
        exact = dist.copy()
        idx = np.flatnonzero(anywhere)
        exact[idx], sides, ends = self._exact(lon[idx], lat[idx])
        side[idx] = np.where(uncertain[idx], sides, side[idx])
        beyond[idx] = np.where(uncertain[idx], ends, beyond[idx])
        return [
            LineMeasure(np.where(need | uncertain, exact, dist), side, beyond) for need in needs
        ]

    def _within(self, thresholds: Sequence[Metres]) -> float:
        """How far from the line sides and ends matter: past the largest threshold (and its
        bound) a point is outside any band, whichever its side; everywhere without one."""
        if not thresholds:
            return np.inf
        most = float(max(thresholds))
        return most + self.error_bound(most)

    def _near(self, dist: FloatArray, thresholds: Sequence[Metres]) -> NDArray[np.bool_]:
        """Distances within the fast path's error bound of a threshold."""
        need = np.zeros(dist.shape[0], bool)
        limits = sorted(thresholds)
        if limits:
            bound = self.error_bound(float(limits[-1]))
            for limit in limits:
                need |= np.abs(dist - limit) <= bound
        return need

    def measure(
        self,
        lons: ArrayLike,
        lats: ArrayLike,
        *,
        thresholds: Sequence[Metres] = (),
        exact: bool = False,
    ) -> LineMeasure:
        """Distances, sides and end flags of points relative to the line.

        With ``exact``, every point is solved on the ellipsoid (:func:`~.exact.polyline_feet`,
        good to a micrometre at any distance).  Otherwise distances come from the fast path,
        except those within its error bound of any of ``thresholds``, which are solved
        exactly, so that comparing a result with a threshold is always right; and so are the
        sides of points within the bound of the line (or its extensions) and the end flags of
        points within it of the perpendicular at either end, up to the largest threshold
        (everywhere without thresholds).
        """
        lon = np.atleast_1d(np.asarray(lons, np.float64))
        lat = np.atleast_1d(np.asarray(lats, np.float64))
        dist = np.empty(lon.shape[0])
        side = np.empty(lon.shape[0])
        beyond = np.empty(lon.shape[0], bool)
        last = self.segment_count - 1
        limits = sorted(thresholds)
        for lo in range(0, lon.shape[0], _CHUNK):
            hi = min(lo + _CHUNK, lon.shape[0])
            x, y = self.frame.forward(lon[lo:hi], lat[lo:hi])
            d, seg, t, _, _ = self._fast(x, y)
            side[lo:hi] = self._side(x, y, seg, t)
            beyond[lo:hi] = ((seg == 0) & (t <= 0.0)) | ((seg == last) & (t >= 1.0))
            uncertain = self._uncertain(x, y, d, seg, self._within(limits))
            need = np.ones(d.shape[0], bool) if exact else self._near(d, limits) | uncertain
            if need.any():
                idx = np.flatnonzero(need)
                d[idx], sides, ends = self._exact(lon[lo:hi][idx], lat[lo:hi][idx])
                if exact:
                    side[lo:hi], beyond[lo:hi] = sides, ends
                else:
                    chunk_side, chunk_beyond = side[lo:hi], beyond[lo:hi]
                    chunk_side[idx] = np.where(uncertain[idx], sides, chunk_side[idx])
                    chunk_beyond[idx] = np.where(uncertain[idx], ends, chunk_beyond[idx])
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
