"""What a band area needs beyond classifying points: whether a volume enters it (and how deep),
and how far a point is from it (for range rules).

A band is every point between ``inner`` and ``outer`` metres of a line (``inner < d <= outer``,
or ``0 <= d`` from the line itself), on one side or both.  A one-sided band stops square at the
line's ends (at the geodesics perpendicular to the line there); a two-sided band has round
ends.

**Entry.**  A volume enters a band when some point of it lies in the band: for each side the
band covers, the smallest distance from the line over the part of the volume on that side
(within the line's ends, for a one-sided band) is at most ``outer`` and the largest is more
than ``inner``.  Both are decided exactly (:func:`~deconfliction.engine.geodesy.extremes.extreme`
over the volume's boundary, with exact distances wherever the samples leave the answer
open): a volume that reaches a millimetre past the inner edge enters, one that stops a
millimetre short does not.  Whether it touches the line, and whether it crosses a square end
between the band's edges (a part across too thin for any sample), are exact separations.  Two limits, stated in docs/design/geometry.md: the part of the
volume on one side is taken as one piece (a corridor that weaves across the line beyond a
band's end could join pieces that each miss it), and a polygon's farthest point is sought on
its edges (a line bent around a polygon could put it inside).

**Distance.**  From a point outside the band: to the outer edge, ``d - outer``; to the inner
edge, ``inner - d``, measured along the perpendicular through the point; across the line
(one-sided bands), ``d + inner``; past a square end, the distance to the end's edge (the
perpendicular there, from ``inner`` to ``outer``).  Each is exact, checked by finding the point
it measures to on the band's edge; where the line bends too sharply for that point to be on
the edge (inside a bend tighter than ``inner``), the figure is a lower bound, and
:class:`Reach` says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from deconfliction.engine.geodesy.exact import TOLERANCE, polyline_feet, segment_feet
from deconfliction.engine.geodesy.extremes import extreme, outline_pieces, sample
from deconfliction.engine.geodesy.lines import GeodesicPolyline, LineMeasure
from deconfliction.engine.geodesy.measures import forward, inverse
from deconfliction.engine.geodesy.shapes import CoreKind, Shape, separation
from deconfliction.engine.units import Metres

__all__ = ["Entry", "Reach", "band_distance", "band_entry"]

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True, slots=True)
class Entry:
    """How a volume enters an area: ``depth_m`` how far inside it reaches (from the edge of a
    polygon, or past the band's near boundary), ``closest_m`` its least distance from the band's
    line (bands only)."""

    depth_m: float
    closest_m: float | None


@dataclass(frozen=True, slots=True)
class Reach:
    """The distance from a point to an area; ``exact`` is false when it is only a lower bound
    (the point is inside a bend of the line tighter than the band's inner distance)."""

    distance: Metres
    exact: bool = True


def _counted(m: LineMeasure, want: int, square: bool) -> BoolArray:
    """Points on side ``want`` of the line (or on it), within its ends for a square band."""
    on = (m.side == want) | (m.distance == 0.0)
    return np.asarray(on & ~m.beyond if square else on, bool)


def _farthest_bound(line: GeodesicPolyline, shape: Shape) -> Metres:
    """A distance from the line that no point of ``shape`` exceeds (its core's vertices, plus
    half its longest piece, plus its radius)."""
    m = line.measure(shape.dense_lons, shape.dense_lats)
    most = float(np.max(m.distance + line.error_bounds(m.distance)))
    if shape.kind is not CoreKind.point:
        x, y = line.frame.forward(shape.dense_lons, shape.dense_lats)
        most += float(np.max(np.hypot(np.diff(x), np.diff(y)))) * 0.5 * 1.01 + 1.0
    return most + shape.radius


def band_entry(
    line: GeodesicPolyline, inner: Metres, outer: Metres, side: int, shape: Shape
) -> Entry | None:
    """Whether the volume with outline ``shape`` enters the band (see the module's
    docstring); ``side`` is +1 (left), -1 (right) or 0 (both)."""
    line_shape = Shape(CoreKind.line, line.lons, line.lats)
    near = separation(shape, line_shape, outer)  # exact near the outer edge
    if not near.overlap and near.distance > outer:
        return None
    near = separation(shape, line_shape, 0.0)  # then exact near the line itself
    if inner > 0.0 and _farthest_bound(line, shape) <= inner:
        return None
    pieces = outline_pieces(
        shape.kind.value, shape.lons, shape.lats, shape.dense_lons, shape.dense_lats, shape.radius
    )
    samples = sample(pieces)
    thresholds = [outer, inner] if inner > 0.0 else [outer]
    m = line.measure(samples.lons, samples.lats, thresholds=thresholds)
    bounds = line.error_bounds(m.distance)
    touches = near.overlap or near.distance == 0.0
    best: Entry | None = None
    for want in (1, -1) if side == 0 else (side,):

        def measure(
            lons: FloatArray, lats: FloatArray, exact: bool, want: int = want
        ) -> tuple[FloatArray, BoolArray, FloatArray]:
            mm = line.measure(lons, lats, thresholds=thresholds, exact=exact)
            errors = np.zeros(lons.shape[0]) if exact else line.error_bounds(mm.distance)
            return mm.distance, _counted(mm, want, side != 0), errors

        sampled = (m.distance, _counted(m, want, side != 0), bounds)
        far = extreme(pieces, samples, sampled, measure, inner, largest=True, strict=inner > 0.0)
        if not far.found and not touches:
            continue
        farthest = far.value if far.found else 0.0
        if inner > 0.0 and not far.passes:
            continue
        closest = 0.0
        if not touches:
            close = extreme(pieces, samples, sampled, measure, outer, largest=False, strict=False)
            if not close.passes:
                continue
            closest = close.value
        depth = min(farthest, outer) - max(closest, inner)
        if best is None or depth > best.depth_m:
            best = Entry(max(depth, 0.0), closest)
    if best is None and side != 0:
        best = _across_an_end(line, inner, outer, side, shape)
    return best


def _foot(
    line: GeodesicPolyline, lon: float, lat: float
) -> tuple[float, float, float, float, float, bool]:
    """The exact foot of a point on the line: distance, side, foot's position and the line's
    azimuth there, and whether the point lies past an end."""
    feet = polyline_feet([lon], [lat], line.dense_lons, line.dense_lats)
    k = int(feet.segment[0])
    a = (float(line.dense_lons[k]), float(line.dense_lats[k]))
    b = (float(line.dense_lons[k + 1]), float(line.dense_lats[k + 1]))
    az, _, _ = inverse(*a, *b)
    f_lon, f_lat = forward(*a, az, float(feet.along[0]))
    _, line_az, _ = inverse(*a, f_lon, f_lat) if feet.along[0] > 0.0 else (0.0, az, 0.0)
    last = line.segment_count - 1
    past = int(feet.past[0])
    beyond = (k == 0 and past < 0) or (k == last and past > 0)
    return float(feet.distance[0]), float(feet.side[0]), f_lon, f_lat, line_az, beyond


def _on_edge(
    line: GeodesicPolyline, lon: float, lat: float, want: int, at: Metres, square: bool
) -> bool:
    """Whether a point lies ``at`` metres from the line on side ``want`` (within its ends for
    a square band): on that edge of the band."""
    feet = polyline_feet([lon], [lat], line.dense_lons, line.dense_lats)
    last = line.segment_count - 1
    k, past = int(feet.segment[0]), int(feet.past[0])
    if square and ((k == 0 and past < 0) or (k == last and past > 0)):
        return False
    if want and at > 0.0 and float(feet.side[0]) != want:
        return False
    return abs(float(feet.distance[0]) - at) <= TOLERANCE


def _end_faces(
    line: GeodesicPolyline, inner: Metres, outer: Metres, side: int
) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """The square ends of a one-sided band: on the perpendicular at each end of the line, on
    the band's side, the geodesic segment from ``inner`` to ``outer``."""
    faces = []
    for e, n, turn in ((0, 1, 0.0), (-1, -2, 180.0)):
        e_lon, e_lat = float(line.dense_lons[e]), float(line.dense_lats[e])
        az, _, _ = inverse(e_lon, e_lat, float(line.dense_lons[n]), float(line.dense_lats[n]))
        # The line's direction at this end, then a quarter turn to the band's side.
        direction = az + turn
        across = direction - 90.0 if side > 0 else direction + 90.0
        faces.append((forward(e_lon, e_lat, across, inner), forward(e_lon, e_lat, across, outer)))
    return faces


def _end_edges(
    line: GeodesicPolyline, inner: Metres, outer: Metres, side: int, lon: float, lat: float
) -> Metres:
    """The distance from a point to the square ends of a one-sided band."""
    return min(
        float(segment_feet([lon], [lat], *a, *b).distance[0])
        for a, b in _end_faces(line, inner, outer, side)
    )


def _across_an_end(
    line: GeodesicPolyline, inner: Metres, outer: Metres, side: int, shape: Shape
) -> Entry | None:
    """A volume that crosses a square end of a one-sided band between its edges enters it,
    however little: the end is a geodesic segment, and whether the volume meets it is an
    exact separation."""
    for a, b in _end_faces(line, inner, outer, side):
        face = Shape.corridor([a[0], b[0]], [a[1], b[1]], 0.0)
        met = separation(shape, face, 0.0)
        if met.overlap:
            d = float(line.measure([met.lon], [met.lat]).distance[0])
            return Entry(0.0, max(d, inner))
    return None


def band_distance(
    line: GeodesicPolyline, inner: Metres, outer: Metres, side: int, lon: float, lat: float
) -> Reach:
    """The distance from a point to the band (zero inside it); see the module's docstring."""
    d, point_side, f_lon, f_lat, line_az, beyond = _foot(line, lon, lat)
    square = side != 0
    same = not square or point_side == side or d == 0.0
    if not (square and beyond) and same and (inner < d <= outer or (inner == 0.0 and d <= outer)):
        return Reach(0.0)
    if not square:
        if d > outer:
            return Reach(d - outer)
        return _through(line, inner, 0, (f_lon, f_lat, line_az), (lon, lat, d), across=False)
    faces = _end_edges(line, inner, outer, side, lon, lat)
    if beyond:
        return Reach(faces)
    if same:
        if d > outer:
            return Reach(min(d - outer, faces))
        found = _through(line, inner, side, (f_lon, f_lat, line_az), (lon, lat, d), across=False)
    else:
        found = _through(line, inner, side, (f_lon, f_lat, line_az), (lon, lat, d), across=True)
    # Every way into the band crosses the line (at least ``found``, when it is a bound) or an
    # end's edge: when that is nearer, it is the distance.
    return Reach(min(found.distance, faces), found.exact or faces <= found.distance)


def _through(
    line: GeodesicPolyline,
    inner: Metres,
    side: int,
    foot: tuple[float, float, float],
    point: tuple[float, float, Metres],
    *,
    across: bool,
) -> Reach:
    """The distance to the inner edge along the perpendicular through the point: ``inner - d``
    away from the line on the band's side, ``d + inner`` through it from the other side.  It
    is a lower bound (a band's point is at least ``inner`` from the line); it is exact when the
    point it reaches, ``inner`` from the foot on the same geodesic, is on the band's edge."""
    f_lon, f_lat, line_az = foot
    lon, lat, d = point
    distance = d + inner if across else inner - d
    if inner == 0.0:
        return Reach(max(distance, 0.0))
    if d > 0.0:
        az, _, _ = inverse(f_lon, f_lat, lon, lat)
        az += 180.0 if across else 0.0
    else:  # on the line: straight across it, to the band's side
        az = line_az + 90.0 if side < 0 else line_az - 90.0
    e_lon, e_lat = forward(f_lon, f_lat, az, inner)
    return Reach(max(distance, 0.0), _on_edge(line, e_lon, e_lat, side, inner, side != 0))
