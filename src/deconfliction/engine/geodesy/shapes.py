"""Outlines as a *core* and a *radius*, and the separation between them.

Every outline the product handles is the set of points within a radius of a core:

* a geodesic circle is a point core with its radius;
* a corridor is a route (a geodesic polyline) with its half-width;
* a polygon is a polygon core (geodesic edges) with radius zero.

This makes circles and corridors exact, with no polygon approximation: the separation of two
outlines is the distance between their cores minus both radii, by the triangle inequality on
the ellipsoid.  Margins add to the radii in the same way.  Core-to-core distances come from a
local frame centred between the two shapes (:mod:`.frames`), where a polygon's or a line's
pieces are at most :data:`~.frames.MAX_SEGMENT` long.

A caller that compares a separation with a threshold (a margin) passes it: a separation within
the frame's error bound of its threshold is then solved again on the ellipsoid
(:func:`exact_core_distance`), so that the comparison is exact to a micrometre however large
the outlines (a 400 km polygon is centimetres off in its frame).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import shapely
from numpy.typing import NDArray

from deconfliction.engine.geodesy.exact import TOLERANCE, polyline_feet, ring_inside, segment_feet
from deconfliction.engine.geodesy.frames import LocalFrame, frame_around
from deconfliction.engine.geodesy.gathered import ShapeColumns, kind_code
from deconfliction.engine.geodesy.lines import GeodesicPolyline, densify
from deconfliction.engine.geodesy.measures import distances
from deconfliction.engine.geodesy.planar import shortest_lines
from deconfliction.engine.units import Metres

__all__ = [
    "CoreKind",
    "Separation",
    "Shape",
    "exact_core_distance",
    "separation",
    "separation_columns",
    "separations",
]

FloatArray = NDArray[np.float64]

_METRES_PER_DEGREE_LAT_MIN = 110_574.0
"""Shortest meridian degree (at the equator); dividing by it over-estimates latitude spans."""
_METRES_PER_DEGREE_LON_EQ = 111_319.5
_BBOX_SLACK: Metres = 50.0
"""Added to every box so that a geodesic edge bulging past its vertices stays inside."""


class CoreKind(StrEnum):
    point = "point"
    line = "line"
    polygon = "polygon"


def _restored(kind: CoreKind, radius: Metres, xy: FloatArray, core: int) -> Shape:
    """A pickled :class:`Shape`, as it was (not densified again)."""
    shape = Shape.__new__(Shape)
    for name, value in (("kind", kind), ("radius", radius), ("_xy", xy), ("_core", core)):
        object.__setattr__(shape, name, value)
    return shape


class Shape:
    """A core (point, geodesic polyline or polygon) grown by ``radius`` metres.

    ``lons`` and ``lats`` are the core's vertices as given (a polygon ring without its closing
    vertex).  Construction densifies the geodesic edges once; frames and boxes derive from it.

    The four coordinate arrays are views into one buffer, made when read: a situation keeps a
    shape per active volume, and four arrays of their own cost about 340 bytes more a shape
    (an array's header is 112 bytes, its data a block of its own) than one buffer does.
    Immutable (``grown`` makes another).

    Examples
    --------
    >>> circle = Shape.circle(35.8, 33.1, 5_000)
    >>> box = Shape.polygon([35.9, 36.0, 36.0, 35.9], [33.0, 33.0, 33.2, 33.2])
    >>> round(separation(circle, box).distance, 1)
    4334.8
    >>> box.lons.tolist(), len(box.dense_lons) > 4
    ([35.9, 36.0, 36.0, 35.9], True)
    """

    __slots__ = ("_core", "_xy", "kind", "radius")

    kind: CoreKind
    radius: Metres
    _xy: FloatArray  # the core's longitudes and latitudes, then the densified ones
    _core: int

    def __init__(
        self, kind: CoreKind, lons: FloatArray, lats: FloatArray, radius: Metres = 0.0
    ) -> None:
        if radius < 0 or not math.isfinite(radius):
            raise ValueError("a shape's radius must be finite and non-negative")
        lons = np.asarray(lons, np.float64)
        lats = np.asarray(lats, np.float64)
        if kind is CoreKind.point:
            xy = np.concatenate((lons, lats, lons, lats))
        else:
            dense_lons, dense_lats, _ = densify(lons, lats, closed=kind is CoreKind.polygon)
            xy = np.concatenate((lons, lats, dense_lons, dense_lats))
        for name, value in (("kind", kind), ("radius", radius), ("_xy", xy), ("_core", len(lons))):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"a Shape is immutable: cannot set {name!r}")

    def __reduce__(self) -> tuple[object, ...]:
        return (_restored, (self.kind, self.radius, self._xy, self._core))

    @property
    def lons(self) -> FloatArray:
        return self._xy[: self._core]

    @property
    def lats(self) -> FloatArray:
        return self._xy[self._core : 2 * self._core]

    @property
    def dense_lons(self) -> FloatArray:
        dense = (self._xy.shape[0] - 2 * self._core) // 2
        return self._xy[2 * self._core : 2 * self._core + dense]

    @property
    def dense_lats(self) -> FloatArray:
        dense = (self._xy.shape[0] - 2 * self._core) // 2
        return self._xy[self._xy.shape[0] - dense :]

    @classmethod
    def circle(cls, lon: float, lat: float, radius: Metres) -> Shape:
        return cls(CoreKind.point, np.array([lon], float), np.array([lat], float), radius)

    @classmethod
    def point(cls, lon: float, lat: float) -> Shape:
        return cls.circle(lon, lat, 0.0)

    @classmethod
    def corridor(cls, lons: Sequence[float], lats: Sequence[float], half_width: Metres) -> Shape:
        return cls(CoreKind.line, np.asarray(lons, float), np.asarray(lats, float), half_width)

    @classmethod
    def polygon(cls, lons: Sequence[float], lats: Sequence[float]) -> Shape:
        return cls(CoreKind.polygon, np.asarray(lons, float), np.asarray(lats, float), 0.0)

    @property
    def _order(self) -> tuple[str, float, bytes, bytes]:
        """The shape's key in the total order of :func:`_order_key`.  Not cached: pairs are
        told apart by kind and radius first (:func:`_swapped`), and a cache would cost every
        shape a ``__dict__`` (a situation keeps one per active volume)."""
        return (self.kind.value, self.radius, self.lons.tobytes(), self.lats.tobytes())

    def grown(self, extra: Metres) -> Shape:
        """The same core with ``extra`` metres more radius (a margin)."""
        return Shape(self.kind, self.lons, self.lats, self.radius + extra)

    def bbox(self, margin: Metres = 0.0) -> tuple[float, float, float, float]:
        """A box in degrees (west, south, east, north) sure to contain the shape grown by
        ``margin``."""
        reach = self.radius + margin + _BBOX_SLACK
        south = float(self.dense_lats.min()) - reach / _METRES_PER_DEGREE_LAT_MIN
        north = float(self.dense_lats.max()) + reach / _METRES_PER_DEGREE_LAT_MIN
        widest = math.cos(math.radians(min(89.0, max(abs(south), abs(north)))))
        dlon = reach / (_METRES_PER_DEGREE_LON_EQ * widest)
        return (
            float(self.dense_lons.min()) - dlon,
            max(-90.0, south),
            float(self.dense_lons.max()) + dlon,
            min(90.0, north),
        )

    def planar(self, frame: LocalFrame) -> shapely.Geometry:
        """The core as a shapely geometry in ``frame``'s metres."""
        x, y = frame.forward(self.dense_lons, self.dense_lats)
        if self.kind is CoreKind.point:
            return shapely.points(x[0], y[0])
        if self.kind is CoreKind.line:
            return shapely.linestrings(x, y)
        return shapely.polygons(np.column_stack([x, y]))

    def boundary_line(self) -> GeodesicPolyline:
        """The core's edges as a polyline (a polygon's ring closed), for point distances."""
        if self.kind is CoreKind.point:
            raise ValueError("a point core has no edges")
        return GeodesicPolyline(self.lons, self.lats, closed=self.kind is CoreKind.polygon)

    def distance_to_points(
        self, lons: Sequence[float] | FloatArray, lats: Sequence[float] | FloatArray
    ) -> FloatArray:
        """Distance in metres from the shape (core grown by the radius) to each point; zero
        for points inside."""
        lon = np.asarray(lons, np.float64)
        lat = np.asarray(lats, np.float64)
        if self.kind is CoreKind.point:
            core = distances(
                np.full(lon.shape, self.lons[0]), np.full(lat.shape, self.lats[0]), lon, lat
            )
        else:
            line = self.boundary_line()
            core = line.distance(lon, lat)
            if self.kind is CoreKind.polygon:
                x, y = line.frame.forward(lon, lat)
                inside = shapely.contains_xy(self.planar(line.frame), x, y)
                core = np.where(inside, 0.0, core)
        return np.asarray(np.maximum(core - self.radius, 0.0), np.float64)


@dataclass(frozen=True, slots=True)
class Separation:
    """How far apart two shapes are.

    ``distance`` is the smallest distance between them in metres (zero when they touch or
    overlap); ``overlap`` is true when their interiors share points; ``lon, lat`` is a point
    between their nearest points, to say *where*.
    """

    distance: Metres
    overlap: bool
    lon: float
    lat: float


def separation(a: Shape, b: Shape, threshold: Metres | None = None) -> Separation:
    """The separation between two shapes (see :class:`Separation`), exact near
    ``threshold`` (see :func:`separations`)."""
    return separations(a, [b], None if threshold is None else [threshold])[0]


def _order_key(shape: Shape) -> tuple[str, float, bytes, bytes]:
    """A total order on shapes, to take pairs in the same order whichever comes first."""
    return shape._order


def _swapped(
    a: Shape,
    others: Sequence[Shape],
    codes: NDArray[np.int8],
    radii: FloatArray,
    firsts: FloatArray | None = None,
) -> NDArray[np.bool_]:
    """Whether each of ``others`` comes before ``a`` in the order of :func:`_order_key`
    (``codes`` and ``radii``: the kinds' codes and radii of ``a`` and then of ``others``;
    ``firsts``: each of the others' first longitude, read from the shapes when None):
    decided over kinds and radii in bulk (most pairs differ there), the vertices' bytes
    compared only for the pairs tied on both."""
    kind, radius = codes[0], radii[0]
    codes, radii = codes[1:], radii[1:]
    swap = (codes < kind) | ((codes == kind) & (radii < radius))
    tied = ((codes == kind) & (radii == radius)).nonzero()[0]
    if tied.size:
        # Most ties (polygons: all of radius zero) differ in the first byte-string compared,
        # the first longitude's 8 bytes: read as a big-endian integer, their order is that of
        # the bytes.  Only pairs whose first longitudes are equal compare the whole key.
        first = (
            np.fromiter((others[i]._xy[0] for i in tied.tolist()), np.float64)
            if firsts is None
            else firsts[tied]
        )
        theirs = np.frombuffer(first.tobytes(), ">u8")
        mine = np.frombuffer(a._xy[:1].tobytes(), ">u8")[0]
        swap[tied] = theirs < mine
        for i in tied[theirs == mine].tolist():
            swap[i] = others[i]._order < a._order
    return np.asarray(swap, bool)


def separations(
    a: Shape, others: Sequence[Shape], thresholds: Sequence[Metres] | None = None
) -> list[Separation]:
    """Separations between one shape and many, computed together in one frame
    (:func:`separation_columns`, as objects)."""
    gap, overlap, lon, lat = separation_columns(a, others, thresholds)
    return [
        Separation(g, o, lo, la)
        for g, o, lo, la in zip(
            gap.tolist(), overlap.tolist(), lon.tolist(), lat.tolist(), strict=True
        )
    ]


def separation_columns(
    a: Shape, others: Sequence[Shape], thresholds: Sequence[Metres] | FloatArray | None = None
) -> tuple[FloatArray, NDArray[np.bool_], FloatArray, FloatArray]:
    """Separations between one shape and many, computed together in one frame, as columns:
    each :class:`Separation`'s ``distance``, ``overlap``, ``lon`` and ``lat``.

    The frame is centred on all the shapes; callers pass shapes near ``a`` (candidates from
    an index), so that every piece stays well inside the frame's accurate reach.  Every vertex
    is projected in one call, every geometry built per kind in one call and every shortest
    line found in one call (:func:`~.planar.shortest_lines`; point pairs in NumPy), so the
    cost per shape is a few microseconds of GEOS work, not Python.

    ``thresholds`` (one per other shape) are the distances the caller will compare each
    separation with (``overlap or distance < threshold``; 0 for "do they overlap").  A pair
    whose separation lies within twice the frame's error bound of its threshold is solved
    exactly (:func:`exact_core_distance`): its ``distance`` is then good to a micrometre and
    ``overlap`` exact.  The others keep the fast path's centimetres.
    """
    if not len(others):
        empty = np.empty(0, np.float64)
        return empty, np.empty(0, bool), empty, empty
    # The others' columns as given (gathered from a store), or read from the shapes.
    theirs = others if isinstance(others, ShapeColumns) else ShapeColumns.of(others)
    codes = np.concatenate((np.array([kind_code(a)], np.int8), theirs.codes))
    own = np.concatenate((np.array([a.radius], np.float64), theirs.radii))
    counts = np.concatenate((np.array([a.dense_lons.shape[0]], np.intp), theirs.counts))
    all_lons = np.concatenate((a.dense_lons, theirs.lons))
    all_lats = np.concatenate((a.dense_lats, theirs.lats))
    frame = frame_around(all_lons, all_lats)
    x, y = frame.forward(all_lons, all_lats)
    radii = own[1:] + a.radius
    # Where several pairs of points are nearest (shapes that touch or overlap), the line GEOS
    # returns depends on the order of its arguments: take each pair in one canonical order so
    # that the place named is the same whichever shape was filed first.
    # A core's first dense vertex is its first vertex (densifying keeps every vertex).
    swap = _swapped(a, others, codes, own, theirs.lons[theirs.counts.cumsum() - theirs.counts])
    coords, plain, planar = shortest_lines(codes, counts, x, y, swap)
    core = frame.ground_lengths(coords[:, 0, 0], coords[:, 0, 1], coords[:, 1, 0], coords[:, 1, 1])
    # The cores meet where the shortest line has no length: GEOS finds both ends with the
    # distance itself (one DistanceOp), and gives a point of contact as both ends when they
    # meet, so asking ``shapely.distance`` as well would only repeat the search.
    touching = (coords[:, 0, 0] == coords[:, 1, 0]) & (coords[:, 0, 1] == coords[:, 1, 1])
    core = np.where(touching, 0.0, core)
    gap = core - radii
    # Whether interiors meet matters only for cores that touch with no radius between them
    # (two points that coincide: their interiors meet, as shapely's ``touches`` says).
    interiors = plain.copy()
    bare = touching & (radii <= 0.0) & ~plain
    if bare.any():
        assert planar is not None
        interiors[bare] = ~shapely.touches(planar[0], planar[1:][bare[~plain]])
    # The midpoint, as the mean of the two ends (exactly: halving is exact).
    mid_lon, mid_lat = frame.inverse(
        (coords[:, 0, 0] + coords[:, 1, 0]) * 0.5, (coords[:, 0, 1] + coords[:, 1, 1]) * 0.5
    )
    overlap = (gap < 0.0) | (touching & ((radii > 0.0) | interiors))
    if thresholds is not None:
        _settle(a, others, thresholds, (frame, x, counts), (core, gap, radii, overlap))
    # ``max(0.0, g)`` as Python gives it (0.0 for -0.0), not NumPy's maximum.
    return np.where(gap > 0.0, gap, 0.0), overlap, mid_lon, mid_lat


def _settle(
    a: Shape,
    others: Sequence[Shape],
    thresholds: Sequence[Metres] | FloatArray,
    projected: tuple[LocalFrame, FloatArray, NDArray[np.intp]],
    found: tuple[FloatArray, FloatArray, FloatArray, NDArray[np.bool_]],
) -> None:
    """Solve exactly, in place, the separations that lie within the fast path's bound of
    their thresholds.  The bound is the frame's for the farthest vertex of each pair, twice
    (both cores' pieces bend away from their chords), plus that of choosing the nearest pair
    in the frame; one bound for all pairs (the largest) rules most of them out at once."""
    frame, x, counts = projected
    core, gap, radii, overlap = found
    limit = np.asarray(thresholds, np.float64)
    off = np.abs(gap - limit)
    widest = float(np.abs(x).max())
    most = 2.0 * frame.error_bound(widest) + frame.choice_bound(max(float(core.max()), 0.0), widest)
    if not (off <= most).any():
        return
    reach = np.maximum.reduceat(np.abs(x), np.cumsum(counts) - counts)
    pair_reach = np.asarray(np.maximum(reach[0], reach[1:]), np.float64)
    apart = np.asarray(np.maximum(core, 0.0), np.float64)
    bound = 2.0 * frame.error_bounds(pair_reach) + frame.choice_bound(apart, pair_reach)
    for i in (off <= bound).nonzero()[0].tolist():
        core_i, meets = exact_core_distance(a, others[i], float(bound[i]))
        gap[i] = core_i - radii[i]
        overlap[i] = gap[i] < 0.0 or (core_i == 0.0 and (radii[i] > 0.0 or meets))


def _vertices(shape: Shape) -> tuple[FloatArray, FloatArray]:
    """The core's dense vertices, a polygon's ring closed."""
    if shape.kind is CoreKind.polygon:
        return np.append(shape.dense_lons, shape.dense_lons[0]), np.append(
            shape.dense_lats, shape.dense_lats[0]
        )
    return shape.dense_lons, shape.dense_lats


def _inside(shape: Shape, lons: FloatArray, lats: FloatArray) -> NDArray[np.bool_]:
    """Which points lie strictly inside ``shape``'s core (a polygon), exactly."""
    if shape.kind is not CoreKind.polygon:
        return np.zeros(lons.shape[0], bool)
    inside, distance = ring_inside(lons, lats, shape.lons, shape.lats)
    return np.asarray(inside & (distance > TOLERANCE), bool)


def _crossing(a: Shape, b: Shape, bound: Metres) -> bool:
    """Whether an edge of ``a``'s core crosses one of ``b``'s properly (each edge's ends
    strictly either side of the other), tested exactly on the pieces that come within
    ``bound`` of each other in a common frame."""
    alon, alat = _vertices(a)
    blon, blat = _vertices(b)
    frame = frame_around(np.concatenate([alon, blon]), np.concatenate([alat, blat]))
    ax, ay = frame.forward(alon, alat)
    bx, by = frame.forward(blon, blat)
    pieces_a = shapely.linestrings(
        np.stack([np.column_stack([ax[:-1], ay[:-1]]), np.column_stack([ax[1:], ay[1:]])], axis=1)
    )
    pieces_b = shapely.linestrings(
        np.stack([np.column_stack([bx[:-1], by[:-1]]), np.column_stack([bx[1:], by[1:]])], axis=1)
    )
    i, j = shapely.STRtree(pieces_b).query(pieces_a, predicate="dwithin", distance=bound)
    if not i.size:
        return False

    def sides(
        plon: FloatArray, plat: FloatArray, lon: FloatArray, lat: FloatArray, k: NDArray[np.intp]
    ) -> FloatArray:
        feet = segment_feet(plon, plat, lon[k], lat[k], lon[k + 1], lat[k + 1])
        return np.where(feet.distance > TOLERANCE, feet.side, 0.0)

    a_ends = sides(alon[i], alat[i], blon, blat, j) * sides(alon[i + 1], alat[i + 1], blon, blat, j)
    b_ends = sides(blon[j], blat[j], alon, alat, i) * sides(blon[j + 1], blat[j + 1], alon, alat, i)
    return bool(np.any((a_ends < 0.0) & (b_ends < 0.0)))


def exact_core_distance(a: Shape, b: Shape, bound: Metres) -> tuple[Metres, bool]:
    """The distance between two cores on the ellipsoid (zero where they meet), and whether
    their interiors meet (a point inside a polygon, polygons that overlap).  ``bound`` is the
    fast path's error bound (where the cores may touch, their edges are tested for crossings
    within it).

    Solved without any frame: point to point by GeographicLib's inverse problem; a point to a
    line or a polygon's ring by :func:`~.exact.polyline_feet`; two lines or rings, when their
    edges do not cross, from each one's vertices to the other's edges (two geodesic segments
    that do not cross are nearest at an end of one of them, on a surface of positive
    curvature).  Polygons contain what has a vertex strictly inside them and no crossing.
    Good to a micrometre (:data:`~.exact.TOLERANCE`); a distance within it of zero is zero.
    """
    if a.kind is CoreKind.point and b.kind is CoreKind.point:
        d = float(distances(a.lons, a.lats, b.lons, b.lats)[0])
        return (0.0, True) if d <= TOLERANCE else (d, False)
    if b.kind is CoreKind.point:
        a, b = b, a
    if a.kind is CoreKind.point:
        if b.kind is CoreKind.polygon:
            inside, dist = ring_inside(a.lons, a.lats, b.lons, b.lats)
            d = float(dist[0])
            if bool(inside[0]) or d <= TOLERANCE:
                return 0.0, bool(inside[0])
            return d, False
        d = float(polyline_feet(a.lons, a.lats, *_vertices(b)).distance[0])
        return (0.0, False) if d <= TOLERANCE else (d, False)
    if _crossing(a, b, bound):
        return 0.0, True
    d = min(
        float(polyline_feet(a.lons, a.lats, *_vertices(b)).distance.min()),
        float(polyline_feet(b.lons, b.lats, *_vertices(a)).distance.min()),
    )
    # With no crossing, one contains the other when a test point of it lies strictly inside:
    # a vertex, or the middle of an edge (two rings may share vertices and overlap).
    for inner, outer in ((a, b), (b, a)):
        lon, lat = _vertices(inner)
        mid_lon, mid_lat = _midpoints(lon, lat)
        test_lon = np.concatenate([inner.lons, mid_lon])
        test_lat = np.concatenate([inner.lats, mid_lat])
        if _inside(outer, test_lon, test_lat).any():
            return 0.0, True
    return (0.0, False) if d <= TOLERANCE else (d, False)


def _midpoints(lons: FloatArray, lats: FloatArray) -> tuple[FloatArray, FloatArray]:
    """The middle of each geodesic piece of a polyline."""
    from deconfliction.engine.geodesy.ellipsoid import geod

    g = geod()
    az, _, length = g.inv(lons[:-1], lats[:-1], lons[1:], lats[1:])
    mid_lon, mid_lat, _ = g.fwd(lons[:-1], lats[:-1], az, np.asarray(length) * 0.5)
    return np.asarray(mid_lon, np.float64), np.asarray(mid_lat, np.float64)
