"""A spatio-temporal index of volumes: which may come near this one?

Finding what a new notice may conflict with must not scan every active notice.  The index
hashes every entry's box (degrees, already grown by the widest margin) and time span into
cells of ``cell_deg`` degrees by ``bucket_s`` seconds.  A query visits only the cells its own
box and span touch, then tests the candidates' exact boxes and spans with NumPy in one pass.
Entries that would touch more than ``max_keys`` cells (a very large or very long volume) go to
an overflow list that every query tests, so one huge notice cannot bloat the table.

Why a grid and not S2, H3 or an R-tree: volumes are small against the region and arrive one at
a time; a hash grid inserts and deletes in constant time with no rebalancing, needs no extra
dependency, and the exact box test vectorises.  The design note ``docs/design/spatial-index.md``
gives the measurements.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = ["IndexEntry", "SpatioTemporalIndex"]

IntArray = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """A box in degrees (west, south, east, north) and a time span in seconds since the
    epoch, with a payload returned by queries."""

    west: float
    south: float
    east: float
    north: float
    t0: float
    t1: float
    payload: Hashable


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

    def __init__(self, cell_deg: float = 0.5, bucket_s: float = 6 * 3600.0, max_keys: int = 64):
        if cell_deg <= 0 or bucket_s <= 0 or max_keys < 1:
            raise ValueError("cell size, bucket length and max_keys must be positive")
        self.cell_deg = cell_deg
        self.bucket_s = bucket_s
        self.max_keys = max_keys
        self._cells: dict[tuple[int, int, int], array[int]] = {}
        self._overflow: array[int] = array("q")
        self._cap = 1024
        self._box = np.empty((self._cap, 6), np.float64)
        self._alive = np.zeros(self._cap, bool)
        self._payloads: list[Hashable] = []
        self._slots: dict[Hashable, list[int]] = {}
        self._count = 0

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
        slot = len(self._payloads)
        if slot == self._cap:
            self._cap *= 2
            self._box = np.resize(self._box, (self._cap, 6))
            alive = np.zeros(self._cap, bool)
            alive[:slot] = self._alive[:slot]
            self._alive = alive
        self._box[slot] = (entry.west, entry.south, entry.east, entry.north, entry.t0, entry.t1)
        self._alive[slot] = True
        self._payloads.append(entry.payload)
        self._slots.setdefault(entry.payload, []).append(slot)
        self._count += 1
        xs, ys, ts = self._keys(
            entry.west, entry.south, entry.east, entry.north, entry.t0, entry.t1
        )
        if len(xs) * len(ys) * len(ts) > self.max_keys:
            self._overflow.append(slot)
            return
        cells = self._cells
        for x in xs:
            for y in ys:
                for t in ts:
                    bucket = cells.get((x, y, t))
                    if bucket is None:
                        cells[(x, y, t)] = array("q", (slot,))
                    else:
                        bucket.append(slot)

    def remove(self, payload: Hashable) -> None:
        """Remove every entry with this payload (lazily: slots are skipped until rebuilt)."""
        for slot in self._slots.pop(payload, []):
            if self._alive[slot]:
                self._alive[slot] = False
                self._count -= 1

    def query(
        self, west: float, south: float, east: float, north: float, t0: float, t1: float
    ) -> list[Hashable]:
        """Payloads whose box and span intersect the query's (each payload once)."""
        xs, ys, ts = self._keys(west, south, east, north, t0, t1)
        chunks: list[IntArray] = []
        cells = self._cells
        for x in xs:
            for y in ys:
                for t in ts:
                    bucket = cells.get((x, y, t))
                    if bucket is not None:
                        chunks.append(np.frombuffer(bucket, dtype=np.int64))
        if self._overflow:
            chunks.append(np.frombuffer(self._overflow, dtype=np.int64))
        if not chunks:
            return []
        slots = np.unique(np.concatenate(chunks))
        box = self._box[slots]
        hit = (
            self._alive[slots]
            & (box[:, 0] <= east)
            & (box[:, 2] >= west)
            & (box[:, 1] <= north)
            & (box[:, 3] >= south)
            & (box[:, 4] <= t1)
            & (box[:, 5] >= t0)
        )
        seen: dict[Hashable, None] = {}
        payloads = self._payloads
        for slot in slots[hit].tolist():
            seen.setdefault(payloads[slot], None)
        return list(seen)

    def payloads(self) -> Iterable[Hashable]:
        return iter(self._slots)
