"""The largest or smallest value of a measure over an outline, decided against a threshold.

"Does this volume reach 10 km from the line?" is "is the largest distance from the line, over
the volume, more than 10 km?".  The largest (and smallest) of a distance over an outline lie on
its boundary, so the boundary is walked as :class:`Piece` s whose every point lies in the
outline, built exactly with GeographicLib: the circle of a circle; for a corridor the curves
parallel to each piece of its route, at its half-width, and the circle around each vertex;
the geodesic edges of a polygon.

:func:`extreme` samples the pieces (every :data:`SPACING` metres at most), measures the
samples on the fast path, and decides with bounds: a distance changes by at most the length
walked, so between two samples ``f_a`` and ``f_b`` that are ``l`` apart (along the piece) it
is at most ``(f_a + f_b + l) / 2``.  When a sample settles the question beyond the fast path's
error, or every bound stays on the near side of the threshold, that is the answer.  Only when
a bound straddles the threshold is the piece between those samples searched (golden section)
with exact measures, all such pieces at once.  The answer is then exact to the measure's
micrometre, provided the measure has a single extreme within each sample spacing (a line
with features of that size, seen from the outline, could hide a second one).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from deconfliction.engine.geodesy.ellipsoid import geod
from deconfliction.engine.units import Metres

__all__ = ["SPACING", "Extreme", "Measure", "Piece", "extreme", "outline_pieces", "sample"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

SPACING: Metres = 250.0
"""The longest walk between two samples of an outline's boundary (longer for outlines whose
boundary would need more than :data:`_MAX_SAMPLES`)."""
_MAX_SAMPLES = 4096
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0
_SEARCH_STEPS = 48
"""Golden-section steps: a bracket shrinks by 0.618 per step, from a few kilometres to well
under a micrometre in 48."""

Measure = Callable[[FloatArray, FloatArray, bool], tuple[FloatArray, BoolArray, FloatArray]]
"""``measure(lons, lats, exact)``: the values at points, which points count (the others are
ignored, as outside the region of interest), and a bound on each value's error (zero when
``exact``)."""


@dataclass(frozen=True, slots=True)
class Piece:
    """A curve ``t in [0, 1] -> point`` all of whose points lie in an outline.

    ``arc``: the circle of ``radius`` around ``(lon, lat)`` from ``azimuth`` over ``sweep``
    degrees; ``edge``: the geodesic of ``length`` from ``(lon, lat)`` along ``azimuth``;
    ``offset``: the curve ``radius`` metres to the right (left for a negative ``radius``) of
    that geodesic.  ``span`` bounds the curve's length: a circle's circumference is less than
    ``2 pi r`` and a parallel curve no longer than its geodesic on a surface of positive
    curvature.
    """

    kind: str
    lon: float
    lat: float
    azimuth: float
    length: Metres = 0.0
    radius: Metres = 0.0
    sweep: float = 360.0

    @property
    def span(self) -> Metres:
        if self.kind == "arc":
            return abs(self.radius) * math.radians(abs(self.sweep))
        return self.length

    def at(self, t: FloatArray) -> tuple[FloatArray, FloatArray]:
        """The points at parameters ``t``."""
        g = geod()
        n = t.shape[0]
        lon = np.full(n, self.lon)
        lat = np.full(n, self.lat)
        if self.kind == "arc":
            plon, plat, _ = g.fwd(
                lon, lat, self.azimuth + t * self.sweep, np.full(n, abs(self.radius))
            )
            return np.asarray(plon, np.float64), np.asarray(plat, np.float64)
        flon, flat, back = g.fwd(lon, lat, np.full(n, self.azimuth), t * self.length)
        if self.kind == "edge":
            return np.asarray(flon, np.float64), np.asarray(flat, np.float64)
        turn = 90.0 if self.radius > 0 else -90.0
        plon, plat, _ = g.fwd(
            flon, flat, np.asarray(back) + 180.0 + turn, np.full(n, abs(self.radius))
        )
        return np.asarray(plon, np.float64), np.asarray(plat, np.float64)


def _geodesics(lons: FloatArray, lats: FloatArray) -> list[tuple[float, float, float, float]]:
    """(lon, lat, azimuth, length) of each geodesic piece of a polyline."""
    az, _, length = geod().inv(lons[:-1], lats[:-1], lons[1:], lats[1:])
    return list(
        zip(
            lons[:-1].tolist(),
            lats[:-1].tolist(),
            np.asarray(az).tolist(),
            np.asarray(length).tolist(),
            strict=True,
        )
    )


def outline_pieces(
    kind: str,
    lons: FloatArray,
    lats: FloatArray,
    dense_lons: FloatArray,
    dense_lats: FloatArray,
    radius: Metres,
) -> list[Piece]:
    """Pieces that cover the boundary of the outline with a ``kind`` core (``point``,
    ``line`` or ``polygon``: vertices as given, and densified) grown by ``radius``."""
    if kind == "point":
        return [Piece("arc", float(lons[0]), float(lats[0]), 0.0, radius=radius)]
    if kind == "polygon":
        dense_lons = np.append(dense_lons, dense_lons[0])
        dense_lats = np.append(dense_lats, dense_lats[0])
    geodesics = _geodesics(dense_lons, dense_lats)
    if radius <= 0.0:
        return [Piece("edge", lo, la, az, length) for lo, la, az, length in geodesics]
    pieces = [
        Piece("offset", lo, la, az, length, side * radius)
        for lo, la, az, length in geodesics
        for side in (1.0, -1.0)
    ]
    pieces += [
        Piece("arc", lo, la, 0.0, radius=radius)
        for lo, la in zip(lons.tolist(), lats.tolist(), strict=True)
    ]
    return pieces


@dataclass(frozen=True, slots=True)
class Samples:
    """Points along pieces: the piece of each, its parameter, and the point."""

    piece: NDArray[np.intp]
    t: FloatArray
    lons: FloatArray
    lats: FloatArray
    step: FloatArray
    """For each sample, the walk to the next sample on its piece (0 for a piece's last)."""


def sample(pieces: Sequence[Piece], spacing: Metres = SPACING) -> Samples:
    """Points along every piece, at most ``spacing`` apart (or further apart for outlines
    whose boundary is long: at most about :data:`_MAX_SAMPLES` points in all)."""
    total = sum(p.span for p in pieces)
    spacing = max(spacing, total / _MAX_SAMPLES)
    owner, ts, lons, lats, steps = [], [], [], [], []
    for i, piece in enumerate(pieces):
        count = max(2, math.ceil(piece.span / spacing) + 1)
        t = np.linspace(0.0, 1.0, count)
        lon, lat = piece.at(t)
        owner.append(np.full(count, i, np.intp))
        ts.append(t)
        lons.append(lon)
        lats.append(lat)
        step = np.full(count, piece.span / (count - 1))
        step[-1] = 0.0
        steps.append(step)
    return Samples(
        np.concatenate(owner),
        np.concatenate(ts),
        np.concatenate(lons),
        np.concatenate(lats),
        np.concatenate(steps),
    )


@dataclass(frozen=True, slots=True)
class Extreme:
    """The answer of :func:`extreme`: whether any point counted (``found``), the extreme
    value met (exact where it decided), and whether it passes the threshold."""

    found: bool
    value: float
    passes: bool


def extreme(
    pieces: Sequence[Piece],
    samples: Samples,
    sampled: tuple[FloatArray, BoolArray, FloatArray],
    measure: Measure,
    threshold: float,
    *,
    largest: bool,
    strict: bool,
) -> Extreme:
    """The largest (or smallest) value of ``measure`` over the counted points of ``pieces``,
    and whether it passes ``threshold``: above it (``strict``) or at least it, for the
    largest; below it (``strict``) or at most it, for the smallest.

    ``samples`` are :func:`sample` of the pieces and ``sampled`` the fast ``measure`` of them.
    ``value`` is exact when the search decided; otherwise it is the best of the samples,
    improved by measuring again, closely spaced, around it (a figure, good to the fast path's
    centimetres).
    """
    sign = 1.0 if largest else -1.0
    limit = sign * threshold
    values, counted, bounds = sampled
    signed = sign * values
    g = np.where(counted, signed, -np.inf)

    def passing(x: float) -> bool:
        # max v > T; max v >= T; min v < T (-v > -T); min v <= T (-v >= -T)
        return bool(x > limit if strict else x >= limit)

    if not counted.any():
        return Extreme(False, math.nan, False)
    best = int(np.argmax(g))
    # A certain bound (the samples are points of the outline), then the most the measure can
    # reach between consecutive samples of a piece (either end counted).
    certain = passing(float(np.max(g - bounds)))
    a = np.flatnonzero(samples.step[:-1] > 0.0)
    a = a[counted[a] | counted[a + 1]]
    b = a + 1
    # The measure over a whole interval bounds it over the interval's counted part.
    upper = (signed[a] + signed[b] + samples.step[a]) * 0.5 + np.maximum(bounds[a], bounds[b])
    if not certain:
        open_ = upper > limit if strict else upper >= limit
        if open_.any():
            found = _search(pieces, samples, a[open_], b[open_], measure, sign)
            found = max(found, float(np.max(g - bounds)))
            return Extreme(True, sign * found, passing(found))
    # Decided by the samples: improve the figure around the best one.
    around = a[(a == best) | (b == best)]
    figure = float(g[best])
    if around.size:
        lo = around.min()
        hi = around.max() + 1
        piece = pieces[int(samples.piece[best])]
        t = np.linspace(samples.t[lo], samples.t[hi], 257)
        lons, lats = piece.at(t)
        v, ok, _ = measure(lons, lats, False)
        if ok.any():
            figure = max(figure, float(np.max(np.where(ok, sign * v, -np.inf))))
    return Extreme(True, sign * figure, certain)


def _search(
    pieces: Sequence[Piece],
    samples: Samples,
    a: NDArray[np.intp],
    b: NDArray[np.intp],
    measure: Measure,
    sign: float,
) -> float:
    """The largest of ``sign * measure`` found by golden-section search, exactly, between
    samples ``a`` and ``b`` (all brackets at once); points that do not count are ignored."""
    owner = samples.piece[a]
    lo = samples.t[a].copy()
    hi = samples.t[b].copy()

    def value(t: FloatArray) -> FloatArray:
        lons = np.empty(t.shape[0])
        lats = np.empty(t.shape[0])
        for i in np.unique(owner).tolist():
            mask = owner == i
            lons[mask], lats[mask] = pieces[i].at(t[mask])
        v, counted, _ = measure(lons, lats, True)
        return np.where(counted, sign * v, -np.inf)

    flo, fhi = value(lo), value(hi)
    best = float(np.max(np.maximum(flo, fhi)))
    c = hi - _GOLDEN * (hi - lo)
    d = lo + _GOLDEN * (hi - lo)
    fc, fd = value(c), value(d)
    for _ in range(_SEARCH_STEPS):
        best = max(best, float(np.max(np.maximum(fc, fd))))
        # Keep the better inner point; between equals (two points that do not count), go
        # towards the end that counts.
        left = (fc > fd) | ((fc == fd) & (flo >= fhi))
        fhi = np.where(left, fd, fhi)
        flo = np.where(left, flo, fc)
        hi = np.where(left, d, hi)
        lo = np.where(left, lo, c)
        # One new point per bracket: reuse the surviving inner point.
        new_c = hi - _GOLDEN * (hi - lo)
        new_d = lo + _GOLDEN * (hi - lo)
        probe = np.where(left, new_c, new_d)
        fp = value(probe)
        fc, fd = np.where(left, fp, fd), np.where(left, fc, fp)
        c, d = np.where(left, new_c, d), np.where(left, c, new_d)
    return max(best, float(np.max(np.maximum(fc, fd))))
