"""The outlines' numbers kept in the index's flat store and gathered as columns: the same
columns, bit for bit, as read from the shapes themselves, through removals and rebuilds, and
the same separations whichever way they were read."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given
from hypothesis import strategies as st

from deconfliction.engine.geodesy.frames import frame_around
from deconfliction.engine.geodesy.gathered import ShapeColumns, shape_numbers
from deconfliction.engine.geodesy.planar import core_geometries
from deconfliction.engine.geodesy.shapes import Shape, separation_columns
from deconfliction.engine.index import IndexEntry, SpatioTemporalIndex
from tests.engine.thresholds import cases

lon = st.floats(35.0, 36.0)
lat = st.floats(33.0, 34.0)


@st.composite
def shapes(draw: st.DrawFn) -> Shape:
    kind = draw(st.sampled_from(["circle", "corridor", "polygon"]))
    x, y = draw(lon), draw(lat)
    if kind == "circle":
        return Shape.circle(x, y, draw(st.floats(0.0, 20_000.0)))
    size = draw(st.floats(0.01, 0.4))
    if kind == "corridor":
        return Shape.corridor([x, x + size, x + size], [y, y, y + size], draw(st.floats(1, 3000)))
    return Shape.polygon([x, x + size, x + size / 2], [y, y, y + size])


def _same(a: ShapeColumns, b: ShapeColumns) -> None:
    for name in ("codes", "radii", "counts", "lons", "lats"):
        assert getattr(a, name).tobytes() == getattr(b, name).tobytes(), name
        assert getattr(a, name).dtype == getattr(b, name).dtype, name


def _index(stored: list[Shape]) -> SpatioTemporalIndex:
    index = SpatioTemporalIndex()
    for i, shape in enumerate(stored):
        west, south, east, north = shape.bbox()
        numbers = shape_numbers(shape)
        index.add(IndexEntry(west, south, east, north, 0.0, 60.0, f"n-{i}", (), shape, numbers))
    return index


def _stored(index: SpatioTemporalIndex, slots: np.ndarray) -> ShapeColumns:
    return ShapeColumns.stored(*index.flat(slots), lambda i: index.items(slots[i : i + 1])[0])


@cases(60)
@given(st.lists(shapes(), min_size=1, max_size=12), st.data())
def test_stored_columns_are_the_shapes_columns(stored, data):
    """Gathered from the flat store, any slots in any order, and after some entries are
    removed and the index rebuilt: the columns read from the shapes themselves, and each
    slot's shape fetched when asked."""
    index = _index(stored)
    slots = np.array(data.draw(st.permutations(range(len(stored)))), np.int64)
    _same(_stored(index, slots), ShapeColumns.of([stored[i] for i in slots.tolist()]))
    # Remove some, force the rebuild, and read again (slots renumbered in order).
    gone = set(data.draw(st.lists(st.sampled_from(range(len(stored))), max_size=len(stored))))
    for i in gone:
        index.remove(f"n-{i}")
    index._rebuild()
    kept = [s for i, s in enumerate(stored) if i not in gone]
    live = np.arange(len(kept), dtype=np.int64)
    columns = _stored(index, live)
    _same(columns, ShapeColumns.of(kept))
    assert all(columns[i] is kept[i] for i in range(len(kept)))


@cases(40)
@given(st.lists(shapes(), min_size=2, max_size=10), st.data())
def test_taken_columns_are_the_subset_columns(stored, data):
    """``take`` gives the columns of the shapes chosen, in the order chosen."""
    columns = ShapeColumns.of(stored)
    which = data.draw(st.lists(st.sampled_from(range(len(stored))), min_size=1, max_size=10))
    taken = columns.take(np.array(which, np.intp))
    _same(taken, ShapeColumns.of([stored[i] for i in which]))
    assert all(taken[k] is stored[i] for k, i in enumerate(which))


@cases(40)
@given(shapes(), st.lists(shapes(), min_size=1, max_size=10), st.floats(0.0, 20_000.0))
def test_separations_are_the_same_from_the_store(a, others, margin):
    """Measured from the gathered columns, every separation is the one measured from the
    shapes, bit for bit (the exact solve near the margin fetches the shapes it needs)."""
    index = _index(others)
    slots = np.arange(len(others), dtype=np.int64)
    thresholds = np.full(len(others), margin)
    from_store = separation_columns(a, _stored(index, slots), thresholds)
    from_shapes = separation_columns(a, others, thresholds)
    for got, expected in zip(from_store, from_shapes, strict=True):
        assert got.tobytes() == expected.tobytes()


@cases(40)
@given(st.lists(shapes(), min_size=1, max_size=10))
def test_cores_are_the_geometries_made_one_by_one(stored):
    """The cores' geometries built per kind in bulk (polygons from their closed dense rings in
    one call) are, coordinate for coordinate, those made for each shape on its own."""
    columns = ShapeColumns.of(stored)
    frame = frame_around(columns.lons, columns.lats)
    x, y = frame.forward(columns.lons, columns.lats)
    made = core_geometries(columns.codes, columns.counts, x, y)
    for shape, geometry in zip(stored, made, strict=True):
        assert shapely.to_wkb(geometry) == shapely.to_wkb(shape.planar(frame))
