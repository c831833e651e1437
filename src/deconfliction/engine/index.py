"""A spatio-temporal index of volumes: which may come near this one?

Finding what a new notice may conflict with must not scan every active notice.  The index
hashes every entry's box (degrees) and time span into cells of ``cell_deg`` degrees by
``bucket_s`` seconds; the querying side grows its own box by the widest margin.  Each cell keeps
its entries' slots and boxes (as single floats: 32 bytes a row) side by side in one buffer, so a
query joins a few short contiguous buffers (no random access into a table of a million boxes)
and tests them with one NumPy comparison, then tests the exact boxes of the few rows found; an
entry found in several cells is reported once.  Entries that would touch
more than ``max_keys`` cells (a very large or very long volume) go to an overflow list that
every query tests, so one huge notice cannot bloat the table.

Removal is lazy: a removed entry's slot is marked dead and skipped by queries; when dead slots
outnumber live ones, the table is rebuilt from the live entries, so memory and query time
follow the live entries, not the history.

Why a grid and not S2, H3 or an R-tree: volumes are small against the region and arrive one at
a time; a hash grid inserts and deletes in constant time with no rebalancing, needs no extra
dependency, and the exact box test vectorises.  The design note ``docs/design/spatial-index.md``
gives the measurements.
"""

from __future__ import annotations

import math
import struct
from array import array
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["IndexEntry", "SpatioTemporalIndex", "boxes_meet"]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

_ROW = 8
"""Single floats per slot in a cell: the slot (its bits), west, south, t0, -east, -north, -t1,
and 0 as padding."""
_ALL_TRUE = np.uint64(0x0101010101010101)
_SINGLES = struct.Struct("=i7f")
"""A cell's row: the slot as an integer (its bits read as a single float), then singles
(``struct`` rounds each to the nearest)."""
_MAX_SLOT = 0x7F7FFFFF
"""The largest slot whose bits read as a finite single float (at most the query's +inf)."""


def boxes_meet(
    boxes: FloatArray,
    west: float,
    south: float,
    east: float,
    north: float,
    t0: float,
    t1: float,
) -> NDArray[np.bool_]:
    """Which rows of ``boxes`` (west, south, east, north, start, end) meet the query's box
    and span, ends included."""
    return (
        (boxes[:, 0] <= east)
        & (boxes[:, 2] >= west)
        & (boxes[:, 1] <= north)
        & (boxes[:, 3] >= south)
        & (boxes[:, 4] <= t1)
        & (boxes[:, 5] >= t0)
    )


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """A box in degrees (west, south, east, north) and a time span in seconds since the
    epoch, with a payload returned by queries, and optionally a few numbers (``values``, the
    same count for every entry of an index) that :meth:`SpatioTemporalIndex.values` returns
    for found slots without touching a Python object per entry, and an ``item``."""

    west: float
    south: float
    east: float
    north: float
    t0: float
    t1: float
    payload: Hashable
    values: tuple[float, ...] = ()
    item: object = None
    """Any object to keep with the entry (returned by :meth:`SpatioTemporalIndex.items`)."""
    flat: FloatArray | None = None
    """Numbers of any count kept side by side with every entry's in one flat array
    (:meth:`SpatioTemporalIndex.flat`), so that many entries' are gathered in one step."""


class SpatioTemporalIndex:
    """Hash grid over longitude, latitude and time.

    Examples
    --------
    >>> index = SpatioTemporalIndex()
    >>> index.add(IndexEntry(35.7, 33.0, 35.9, 33.2, 0.0, 3600.0, "n-1"))
    >>> index.add(IndexEntry(38.0, 33.0, 38.2, 33.2, 0.0, 3600.0, "n-2"))
    >>> index.query(35.8, 33.1, 35.85, 33.15, 1800.0, 1900.0)
    ['n-1']
    >>> index.remove("n-1")
    >>> index.query(35.8, 33.1, 35.85, 33.15, 1800.0, 1900.0)
    []
    """

    _MIN_REBUILD = 4096
    """Dead slots tolerated before a rebuild is considered (then: more dead than live)."""

    def __init__(self, cell_deg: float = 0.5, bucket_s: float = 6 * 3600.0, max_keys: int = 64):
        if cell_deg <= 0 or bucket_s <= 0 or max_keys < 1:
            raise ValueError("cell size, bucket length and max_keys must be positive")
        self.cell_deg = cell_deg
        self.bucket_s = bucket_s
        self.max_keys = max_keys
        self._cells: dict[tuple[int, int, int], array[float]] = {}
        """Each cell's rows (:meth:`_file`), single floats."""
        self._overflow: array[int] = array("q")
        self._cap = 1024
        self._box = np.empty((self._cap, 6), np.float64)
        self._alive = np.zeros(self._cap, bool)
        self._payloads: list[Hashable] = []
        self._items: list[object] = []
        self._slots: dict[Hashable, int | list[int]] = {}
        """Each payload's slots: the slot itself when there is one (most payloads: a list
        would cost 88 bytes more an entry), a list when there are several."""
        self._values = np.empty((self._cap, 0), np.float64)
        self._flat = np.empty(0, np.float64)  # made when an entry first brings numbers
        self._flat_used = 0
        self._flat_where = np.zeros((self._cap, 2), np.int64)
        """Where each slot's flat numbers start and how many there are, side by side: a
        check reads both for a hundred random slots, one cache line each, not two."""
        self._count = 0
        self._dead = 0

    def __len__(self) -> int:
        return self._count

    def _span(self, lo: float, hi: float, step: float) -> range:
        return range(math.floor(lo / step), math.floor(hi / step) + 1)

    def _keys(
        self, west: float, south: float, east: float, north: float, t0: float, t1: float
    ) -> tuple[range, range, range]:
        return (
            self._span(west, east, self.cell_deg),
            self._span(south, north, self.cell_deg),
            self._span(t0, t1, self.bucket_s),
        )

    def add(self, entry: IndexEntry) -> None:
        """Add an entry; several entries may share a payload (a notice with many volumes)."""
        if entry.east < entry.west or entry.north < entry.south or entry.t1 < entry.t0:
            raise ValueError("an index entry's box and span must not be inverted")
        box = (entry.west, entry.south, entry.east, entry.north, entry.t0, entry.t1)
        slot = len(self._payloads)
        if slot == 0 and self._values.shape[1] != len(entry.values):
            self._values = np.empty((self._cap, len(entry.values)), np.float64)
        elif len(entry.values) != self._values.shape[1]:
            raise ValueError(f"every entry of this index has {self._values.shape[1]} values")
        if slot == self._cap:
            self._cap *= 2
            self._box = np.resize(self._box, (self._cap, 6))
            self._values = np.resize(self._values, (self._cap, self._values.shape[1]))
            alive = np.zeros(self._cap, bool)
            alive[:slot] = self._alive[:slot]
            self._alive = alive
            self._flat_where = np.resize(self._flat_where, (self._cap, 2))
        self._box[slot] = box
        self._keep_flat(slot, entry.flat)
        if entry.values:
            self._values[slot] = entry.values
        self._alive[slot] = True
        self._payloads.append(entry.payload)
        self._items.append(entry.item)
        self._hold(entry.payload, slot)
        self._count += 1
        self._file(slot, box)

    def _keep_flat(self, slot: int, flat: FloatArray | None) -> None:
        """Append ``slot``'s flat numbers to the store (grown by a quarter, not doubled: it
        is the index's largest array, about 100 bytes an entry of outlines' vertices)."""
        size = 0 if flat is None else flat.shape[0]
        used = self._flat_used
        if used + size > self._flat.shape[0]:
            grown = np.empty(max(used + size, self._flat.shape[0] * 5 // 4, 1024), np.float64)
            grown[:used] = self._flat[:used]
            self._flat = grown
        if size:
            self._flat[used : used + size] = flat
        self._flat_where[slot] = (used, size)
        self._flat_used = used + size

    def _hold(self, payload: Hashable, slot: int) -> None:
        """Note ``slot`` among ``payload``'s slots."""
        held = self._slots.get(payload)
        if held is None:
            self._slots[payload] = slot
        elif isinstance(held, int):
            self._slots[payload] = [held, slot]
        else:
            held.append(slot)

    def _file(self, slot: int, box: tuple[float, float, float, float, float, float]) -> None:
        """Put a slot in every cell its box and span touch, or in the overflow list.

        A cell stores one row of :data:`_ROW` single floats per slot: the slot's bits, then
        the box and span written so that "intersects the query" is "every column <= the
        query's row".  Rounding to the nearest single float never reverses an order
        (``a <= b`` gives ``single(a) <= single(b)``), so the cells find every entry a test in
        doubles would, and a few more (within a single's precision: about 4 µdeg, and a few minutes of time)
        that :meth:`query_slots` drops by testing the exact boxes of the rows found.
        """
        xs, ys, ts = self._keys(*box)
        if len(xs) * len(ys) * len(ts) > self.max_keys:
            self._overflow.append(slot)
            return
        if slot > _MAX_SLOT:
            raise ValueError("an index holds at most 2**31 - 2**23 slots")
        west, south, east, north, t0, t1 = box
        row = array("f", _SINGLES.pack(slot, west, south, t0, -east, -north, -t1, 0.0))
        cells = self._cells
        for x in xs:
            for y in ys:
                for t in ts:
                    cell = cells.get((x, y, t))
                    if cell is None:
                        cells[(x, y, t)] = array("f", row)
                    else:
                        cell.extend(row)

    def remove(self, payload: Hashable) -> None:
        """Remove every entry with this payload (lazily: slots are skipped until rebuilt)."""
        held = self._slots.pop(payload, [])
        for slot in [held] if isinstance(held, int) else held:
            if self._alive[slot]:
                self._alive[slot] = False
                self._count -= 1
                self._dead += 1
        if self._dead > self._MIN_REBUILD and self._dead > self._count:
            self._rebuild()

    def _rebuild(self) -> None:
        """Drop dead slots: renumber the live ones and file them again."""
        live = np.flatnonzero(self._alive[: len(self._payloads)])
        boxes = self._box[live]
        values = self._values[live]
        where = self._flat_where[live]
        at, sizes = where[:, 0], where[:, 1]
        ends = sizes.cumsum()
        flat = self._flat[
            (at - (ends - sizes)).repeat(sizes) + np.arange(int(ends[-1]) if ends.size else 0)
        ]
        payloads = [self._payloads[i] for i in live.tolist()]
        self._items = [self._items[i] for i in live.tolist()]
        self._cells = {}
        self._overflow = array("q")
        self._cap = max(1024, 1 << max(0, live.shape[0] - 1).bit_length())
        self._box = np.empty((self._cap, 6), np.float64)
        self._box[: live.shape[0]] = boxes
        self._values = np.empty((self._cap, values.shape[1]), np.float64)
        self._values[: live.shape[0]] = values
        self._alive = np.zeros(self._cap, bool)
        self._alive[: live.shape[0]] = True
        self._flat = np.empty(flat.shape[0] * 5 // 4, np.float64)
        self._flat[: flat.shape[0]] = flat
        self._flat_used = flat.shape[0]
        self._flat_where = np.zeros((self._cap, 2), np.int64)
        self._flat_where[: live.shape[0], 0] = ends - sizes
        self._flat_where[: live.shape[0], 1] = sizes
        self._payloads = payloads
        self._slots = {}
        for slot, payload in enumerate(payloads):
            self._hold(payload, slot)
        for slot, row in enumerate(boxes.tolist()):
            self._file(slot, (row[0], row[1], row[2], row[3], row[4], row[5]))
        self._dead = 0

    def query_slots(
        self, west: float, south: float, east: float, north: float, t0: float, t1: float
    ) -> IntArray:
        """Live slots whose box and span intersect the query's, ascending, each once."""
        xs, ys, ts = self._keys(west, south, east, north, t0, t1)
        cells = self._cells
        parts = [
            cell for x in xs for y in ys for t in ts if (cell := cells.get((x, y, t))) is not None
        ]
        found: list[IntArray] = []
        if parts:
            rows = np.frombuffer(b"".join(parts), np.float32).reshape(-1, _ROW)
            limit = np.array((math.inf, east, north, t1, -west, -south, -t0, math.inf), np.float32)
            # Eight booleans per row, read as one 64-bit word: all true is 0x0101...01.
            inside = (rows <= limit).view(np.uint64).ravel() == _ALL_TRUE
            kept = rows[inside]
            near = np.ascontiguousarray(kept[:, 0]).view(np.int32).astype(np.int64)
            # The singles found a superset (see _file), and a row strictly inside in singles
            # is inside in doubles too (``single(a) < single(b)`` gives ``a < b``): only the
            # rows tied with the query's row in some column read their exact box (one random
            # read each in a table of a million rows: most of the query's time at that size).
            tied = ((kept == limit).view(np.uint64).ravel() != 0).nonzero()[0]
            if tied.size:
                outside = ~boxes_meet(self._box[near[tied]], west, south, east, north, t0, t1)
                near = np.delete(near, tied[outside])
            found.append(near)
        if self._overflow:
            extra = np.frombuffer(self._overflow, dtype=np.int64)
            found.append(extra[boxes_meet(self._box[extra], west, south, east, north, t0, t1)])
        if not found:
            return np.empty(0, np.int64)
        out = np.concatenate(found) if len(found) > 1 else found[0]
        out.sort()
        if out.shape[0] > 1:
            out = out[np.concatenate(([True], out[1:] != out[:-1]))]
        return out[self._alive[out]]

    def query(
        self, west: float, south: float, east: float, north: float, t0: float, t1: float
    ) -> list[Hashable]:
        """Payloads whose box and span intersect the query's (each payload once)."""
        payloads = self._payloads
        return list(
            dict.fromkeys(
                [payloads[s] for s in self.query_slots(west, south, east, north, t0, t1).tolist()]
            )
        )

    def values(self, slots: IntArray) -> FloatArray:
        """The ``values`` of the entries in ``slots`` (one row each)."""
        return np.asarray(self._values[slots], np.float64)

    def flat(self, slots: IntArray) -> tuple[FloatArray, IntArray, IntArray]:
        """The flat store, and where the numbers of each of ``slots`` start in it and how
        many there are (:attr:`IndexEntry.flat`)."""
        where = self._flat_where[slots]
        return self._flat, where[:, 0], where[:, 1]

    def items(self, slots: IntArray) -> list[object]:
        """The ``item`` of the entries in ``slots``."""
        return list(map(self._items.__getitem__, slots.tolist()))

    def payload_of(self, slot: int) -> Hashable:
        """The payload of the entry in ``slot``."""
        return self._payloads[slot]

    def slots_of(self, payload: Hashable) -> list[int]:
        """The live slots holding entries with this payload."""
        held = self._slots.get(payload, [])
        return [held] if isinstance(held, int) else list(held)

    def payloads(self) -> Iterable[Hashable]:
        return iter(self._slots)
