"""Cores in a local frame, many at once: shapely geometries built per kind in one call, and
the shortest lines between one core and many, with point pairs done in NumPy.

Kinds are codes here (:data:`POINT`, :data:`LINE`, :data:`POLYGON`), in the order of their
values, the first member of a shape's order key (:mod:`.shapes`).
"""

from __future__ import annotations

import numpy as np
import shapely
from numpy.typing import NDArray

__all__ = ["LINE", "POINT", "POLYGON", "core_geometries", "shortest_lines"]

FloatArray = NDArray[np.float64]

LINE, POINT, POLYGON = 0, 1, 2


def core_geometries(
    codes: NDArray[np.int8], counts: NDArray[np.intp], x: FloatArray, y: FloatArray
) -> NDArray[np.object_]:
    """Shapely geometries of cores (kinds ``codes``) whose projected vertices ``x, y`` follow
    one another (``counts`` vertices each), built per kind in one call."""
    n = codes.shape[0]
    out = np.empty(n, dtype=object)
    xy = np.column_stack([x, y])
    points = (codes == POINT).nonzero()[0]
    if points.shape[0] == n:
        out[:] = shapely.points(xy)
        return out
    starts = np.cumsum(counts) - counts
    if points.size:
        out[points] = shapely.points(xy[starts[points]])
    for code in (LINE, POLYGON):
        mask = codes == code
        which = mask.nonzero()[0]
        if not which.size:
            continue
        coords = xy if which.shape[0] == n else xy[np.repeat(mask, counts)]
        if code == POLYGON and _closed(coords, counts[which]):
            out[which] = _polygons(coords, counts[which])
            continue
        local = np.repeat(np.arange(which.shape[0]), counts[which])
        if code == LINE:
            out[which] = shapely.linestrings(coords, indices=local)
        else:
            out[which] = shapely.polygons(shapely.linearrings(coords, indices=local))
    return out


def _closed(coords: FloatArray, counts: NDArray[np.intp]) -> bool:
    """Whether every ring (``counts`` vertices each of ``coords``) ends where it starts, as a
    polygon's dense ring does (:func:`~.lines.densify` closes it)."""
    ends = counts.cumsum()
    return bool((counts >= 4).all() and (coords[ends - counts] == coords[ends - 1]).all())


def _polygons(coords: FloatArray, counts: NDArray[np.intp]) -> NDArray[np.object_]:
    """Polygons of closed rings, in one ``from_ragged_array`` (the same coordinates that
    ``linearrings`` then ``polygons`` would give them, in less than half the time: those
    make each ring and then copy it into its polygon)."""
    rings = np.concatenate(([0], counts.cumsum()))
    made = shapely.from_ragged_array(
        shapely.GeometryType.POLYGON, coords, (rings, np.arange(counts.shape[0] + 1))
    )
    return np.asarray(made, dtype=object)


def shortest_lines(
    codes: NDArray[np.int8],
    counts: NDArray[np.intp],
    x: FloatArray,
    y: FloatArray,
    swap: NDArray[np.bool_],
) -> tuple[FloatArray, NDArray[np.bool_], NDArray[np.object_] | None]:
    """The shortest line from the first core to each of the others (``codes``, ``counts``,
    ``x``, ``y`` as for :func:`core_geometries`, the first core first), from the other to the
    first where ``swap``: their ends as ``(n, 2, 2)`` (line, end, x/y); which pairs are two
    points; and the geometries of the first core and of the others that are not paired
    point to point (None when every pair is).

    Between two points the shortest line is the two points themselves, which GEOS returns
    as given: they are taken from the columns, with no geometry built, and the ends are
    the same numbers GEOS would give (a test compares them).  Every other pair goes through
    one ``shapely.shortest_line`` call per direction."""
    n = codes.shape[0] - 1
    starts = np.cumsum(counts) - counts
    ends = np.empty((n, 2, 2), np.float64)
    plain = (codes[1:] == POINT) & (codes[0] == POINT)
    if plain.any():
        first = starts[1:][plain]
        a = np.broadcast_to(np.array([x[0], y[0]]), (first.shape[0], 2))
        b = np.column_stack([x[first], y[first]])
        turned = swap[plain][:, None]
        ends[plain, 0] = np.where(turned, b, a)
        ends[plain, 1] = np.where(turned, a, b)
    rest = ~plain
    if not rest.any():
        return ends, plain, None
    if plain.any():
        keep = np.concatenate(([True], rest))
        vertices = np.repeat(keep, counts)
        planar = core_geometries(codes[keep], counts[keep], x[vertices], y[vertices])
    else:  # no pair of points (the core checked is no point): every core, as they are
        planar = core_geometries(codes, counts, x, y)
    geom_a, geoms = planar[0], planar[1:]
    turned = swap[rest]
    lines = np.empty(geoms.shape[0], dtype=object)
    if turned.any():
        lines[~turned] = shapely.shortest_line(geom_a, geoms[~turned])
        lines[turned] = shapely.shortest_line(geoms[turned], geom_a)
    else:
        lines[:] = shapely.shortest_line(geom_a, geoms)
    ends[rest] = shapely.get_coordinates(lines).reshape(-1, 2, 2)
    return ends, plain, planar
