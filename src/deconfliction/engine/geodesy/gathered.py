"""Many shapes' cores as columns: what the lateral measure reads of each shape (its kind's
code, its radius, its dense vertices), gathered in one step.

A check measures a new outline against a hundred or more stored ones.  Reading them from the
:class:`~.shapes.Shape` objects touches each object and its buffer, scattered over the heap
of a situation holding a million: at the density of a million active notices that was about
1 µs a shape of cache misses, a sixth of a slow check.  The situation's index therefore also
keeps each stored outline's numbers side by side in one flat array (:func:`shape_numbers`:
kind, radius, dense longitudes, dense latitudes), and :meth:`ShapeColumns.stored` gathers
many of them with a few NumPy calls, touching no Python object; the objects are asked for
only where a pair needs one (an exact solve near a margin, two cores tied in the order).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import attrgetter
from typing import TYPE_CHECKING, overload

import numpy as np
from numpy.typing import NDArray

from deconfliction.engine.geodesy.planar import LINE, POINT, POLYGON

if TYPE_CHECKING:
    from deconfliction.engine.geodesy.shapes import Shape

__all__ = ["ShapeColumns", "kind_code", "shape_numbers"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]

_CODES = {"point": POINT, "line": LINE, "polygon": POLYGON}
"""The kinds' codes (a :class:`~.shapes.CoreKind` is its value, as a string)."""
_KIND, _RADIUS, _XY, _CORE = map(attrgetter, ("kind", "radius", "_xy", "_core"))
_PARTS = np.tile(np.arange(4, dtype=np.int8), 1024)
"""A buffer's four parts in order (core longitudes, core latitudes, dense longitudes, dense
latitudes), once for each of 1,024 buffers (grown when more are joined)."""


def kind_code(shape: Shape) -> int:
    """The code of ``shape``'s kind (:data:`~.planar.POINT`, ...)."""
    return _CODES[shape.kind]


def shape_numbers(shape: Shape) -> FloatArray:
    """What the flat store keeps of a shape: its kind's code, its radius, its dense
    longitudes, then its dense latitudes (2 + 2 × dense vertices numbers)."""
    dense = shape.dense_lons.shape[0]
    out = np.empty(2 + 2 * dense, np.float64)
    out[0] = _CODES[shape.kind]
    out[1] = shape.radius
    out[2 : 2 + dense] = shape.dense_lons
    out[2 + dense :] = shape.dense_lats
    return out


def _local(counts: IntArray) -> IntArray:
    """Each vertex's place in its own shape, for shapes of ``counts`` vertices joined."""
    ends = counts.cumsum()
    return np.arange(int(ends[-1]) if ends.size else 0) - (ends - counts).repeat(counts)


class ShapeColumns(Sequence["Shape"]):
    """Shapes as columns (``codes``, ``radii``, dense vertex ``counts``, and every dense
    vertex one shape after another in ``lons``, ``lats``); ``shapes[i]`` is the ``i``-th
    :class:`~.shapes.Shape` itself, fetched when asked."""

    __slots__ = ("_fetch", "codes", "counts", "lats", "lons", "radii")

    def __init__(
        self,
        codes: NDArray[np.int8],
        radii: FloatArray,
        counts: IntArray,
        lons: FloatArray,
        lats: FloatArray,
        fetch: Callable[[int], Shape],
    ) -> None:
        self.codes, self.radii, self.counts = codes, radii, counts
        self.lons, self.lats, self._fetch = lons, lats, fetch

    @classmethod
    def of(cls, shapes: Sequence[Shape]) -> ShapeColumns:
        """Read from the shapes themselves, each step a ``map`` of a built-in."""
        n = len(shapes)
        buffers = list(map(_XY, shapes))
        codes = np.fromiter(map(_CODES.__getitem__, map(_KIND, shapes)), np.int8, n)
        radii = np.fromiter(map(_RADIUS, shapes), np.float64, n)
        core = np.fromiter(map(_CORE, shapes), np.intp, n)
        counts = (np.fromiter(map(len, buffers), np.intp, n) - 2 * core) // 2
        # Each buffer holds the core's longitudes and latitudes, then the dense ones: label
        # every number of the buffers joined with its part, and take parts 2 and 3.
        buffer = np.concatenate(buffers) if n else np.empty(0, np.float64)
        parts = _PARTS if 4 * n <= _PARTS.shape[0] else np.tile(_PARTS[:4], n)
        part = parts[: 4 * n].repeat(np.stack([core, core, counts, counts], axis=1).ravel())
        return cls(codes, radii, counts, buffer[part == 2], buffer[part == 3], shapes.__getitem__)

    @classmethod
    def stored(
        cls, store: FloatArray, at: IntArray, sizes: IntArray, fetch: Callable[[int], Shape]
    ) -> ShapeColumns:
        """Gathered from a flat store of :func:`shape_numbers` (``at``: where each shape's
        numbers start, ``sizes``: how many), with no Python object touched."""
        counts = (sizes - 2) // 2
        lons = (at + 2).repeat(counts) + _local(counts)
        return cls(
            store[at].astype(np.int8),
            store[at + 1],
            counts,
            store[lons],
            store[lons + counts.repeat(counts)],
            fetch,
        )

    def take(self, which: IntArray) -> ShapeColumns:
        """The shapes ``which``, in that order."""
        if which.shape[0] == self.codes.shape[0] and (which == np.arange(which.shape[0])).all():
            return self
        counts = self.counts[which]
        vertices = (self.counts.cumsum() - self.counts)[which].repeat(counts) + _local(counts)
        fetch, chosen = self._fetch, which.tolist()
        return ShapeColumns(
            self.codes[which],
            self.radii[which],
            counts,
            self.lons[vertices],
            self.lats[vertices],
            lambda i: fetch(chosen[i]),
        )

    def __len__(self) -> int:
        return int(self.codes.shape[0])

    @overload
    def __getitem__(self, i: int) -> Shape: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[Shape]: ...
    def __getitem__(self, i: int | slice) -> Shape | Sequence[Shape]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        return self._fetch(i % len(self))
