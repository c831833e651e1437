"""The footprints of the stored DSS entities, indexed in space and time, kept by the writer.

A 4D search (the key check of every PUT, the subscriptions a change triggers, the queries)
used to scan the entity table on its box and time columns and parse every candidate's extents
again: its cost grew with the number of stored references.  Here each kind's footprints live
in a :class:`~deconfliction.engine.index.SpatioTemporalIndex` (a hash grid: constant time to
add, remove and query), parsed once when the entity is written; a search asks the grid for
candidates, tests them exactly on the cached footprints, and reads only the rows it returns,
by primary key.

The table stays the record; the index follows it:

* built from the tables when the server starts (:func:`build`) or on first use (per
  coordinator: the writer's thread is its only user);
* told of every row this process writes or deletes (:func:`put`, :func:`delete`), journaled
  in the transaction, so a command that fails leaves it as it was;
* caught up from the log before each use when something else appended to it (another process
  on the same store): every ``dss.<kind>.*`` event since the index's position names an entity
  whose row is read again.  The position is the log's, so a transaction that rolls back takes
  the position back with it.
"""

from __future__ import annotations

import json
import math
import weakref
from typing import Any

import sqlalchemy as sa

from deconfliction.engine.dss import Footprint, footprint
from deconfliction.engine.dss.wire import Volume4DIn
from deconfliction.engine.index import IndexEntry, SpatioTemporalIndex
from deconfliction.service.coordinator import Coordinator, Tx
from deconfliction.store import dss as store
from deconfliction.store.schema import events

__all__ = ["build", "delete", "find_ids", "footprint_of", "put", "row_footprint"]

CELL_DEG = 0.1
"""Grid cells of 0.1° (about 11 km of latitude): UTM volumes are a few kilometres across."""
BUCKET_S = 3600.0
"""Time buckets of an hour: operational intents last minutes to hours."""
MAX_KEYS = 512
"""Cells an entity may occupy before it goes to the overflow list every query tests."""


def row_footprint(row: dict[str, Any]) -> Footprint:
    """The footprint of a stored entity: its extents as recorded, within its stored bounds
    (authoritative: a subscription's times are adjusted when recorded)."""
    extents = [Volume4DIn.model_validate(e) for e in json.loads(row["extents"])]
    found = footprint(extents, max_area_km2=math.inf, require_outline=False)
    return Footprint(
        found.shapes, found.areas_km2, row["alt_lo"], row["alt_hi"], row["t0"], row["t1"]
    )


_SINCE = sa.select(events.c.type, events.c.subject).where(
    events.c.seq > sa.bindparam("seq"), events.c.type.like("dss.%")
)
"""The DSS events after a position of the log (a range of its primary key)."""


class _Kind:
    """One kind's footprints by id, and the grid over those that have an outline."""

    def __init__(self) -> None:
        self.grid = SpatioTemporalIndex(cell_deg=CELL_DEG, bucket_s=BUCKET_S, max_keys=MAX_KEYS)
        self.footprints: dict[str, Footprint] = {}
        self.first = math.inf
        self.last = -math.inf
        """The earliest start and latest end ever indexed: an unbounded query's time span."""

    def set(self, entity_id: str, fp: Footprint | None) -> None:
        if entity_id in self.footprints:
            del self.footprints[entity_id]
            self.grid.remove(entity_id)
        if fp is None or not fp.shapes:
            return  # an entity without an outline intersects nothing in space
        assert fp.t0 is not None
        assert fp.t1 is not None
        t0, t1 = fp.t0.timestamp(), fp.t1.timestamp()
        west, south, east, north = fp.bbox()
        self.grid.add(IndexEntry(west, south, east, north, t0, t1, entity_id))
        self.footprints[entity_id] = fp
        self.first = min(self.first, t0)
        self.last = max(self.last, t1)

    def candidates(self, fp: Footprint) -> list[str]:
        """Ids whose box and time span meet ``fp``'s (the exact test is the caller's)."""
        if not self.footprints:
            return []
        west, south, east, north = fp.bbox()
        t0 = max(fp.t0.timestamp(), self.first) if fp.t0 is not None else self.first
        t1 = min(fp.t1.timestamp(), self.last) if fp.t1 is not None else self.last
        if t1 < t0:
            return []
        return [str(p) for p in self.grid.query(west, south, east, north, t0, t1)]


class _Indexes:
    """Every kind's index for one coordinator, and the log position they reflect."""

    def __init__(self) -> None:
        self.kinds = {kind: _Kind() for kind in store.TABLES}
        self.seq: int | None = None

    def set(self, tx: Tx, kind: str, entity_id: str, fp: Footprint | None) -> None:
        index = self.kinds[kind]
        old = index.footprints.get(entity_id)
        index.set(entity_id, fp)
        tx.journal.on_undo(lambda: index.set(entity_id, old))

    def move(self, tx: Tx, seq: int | None) -> None:
        old = self.seq
        self.seq = seq

        def back() -> None:
            self.seq = old

        tx.journal.on_undo(back)

    def sync(self, tx: Tx, *, skip: tuple[str, str] | None = None) -> None:
        """Bring the index up to the log as this transaction sees it (``skip``: the entity the
        caller is about to set itself)."""
        if self.seq == tx.last_seq:
            return
        if self.seq is None:
            self._build(tx)
        else:
            changed: dict[str, set[str]] = {}
            rows = tx.connection.execute(_SINCE, {"seq": self.seq})
            for type_, subject in rows:
                kind = type_.split(".")[1]
                if kind in self.kinds and (kind, subject) != skip:
                    changed.setdefault(kind, set()).add(subject)
            for kind, ids in changed.items():
                found = {r["id"]: r for r in store.get_many(tx.connection, kind, ids)}
                for entity_id in ids:
                    row = found.get(entity_id)
                    self.set(tx, kind, entity_id, None if row is None else row_footprint(row))
        self.move(tx, tx.last_seq)

    def _build(self, tx: Tx) -> None:
        fresh = {kind: _Kind() for kind in store.TABLES}
        for kind, index in fresh.items():
            for row in store.all_rows(tx.connection, kind):
                index.set(row["id"], row_footprint(row))
        old = self.kinds
        self.kinds = fresh

        def back() -> None:
            self.kinds = old

        tx.journal.on_undo(back)


_BY_COORDINATOR: weakref.WeakKeyDictionary[Coordinator, _Indexes] = weakref.WeakKeyDictionary()


def _indexes(tx: Tx) -> _Indexes:
    found = _BY_COORDINATOR.get(tx.coordinator)
    if found is None:
        found = _BY_COORDINATOR[tx.coordinator] = _Indexes()
    return found


def build(tx: Tx) -> None:
    """Build (or catch up) the index now, rather than on the first search: a server submits
    this to its writer when it starts, so that no request waits for the tables to be read."""
    _indexes(tx).sync(tx)


def find_ids(tx: Tx, kind: str, fp: Footprint) -> list[str]:
    """Ids of the stored entities of ``kind`` whose footprint intersects ``fp`` exactly,
    ascending."""
    indexes = _indexes(tx)
    indexes.sync(tx)
    index = indexes.kinds[kind]
    return sorted(
        entity_id
        for entity_id in index.candidates(fp)
        if index.footprints[entity_id].intersects(fp)
    )


def footprint_of(tx: Tx, kind: str, row: dict[str, Any]) -> Footprint:
    """The footprint of a stored row of ``kind`` (the indexed one: not parsed again)."""
    indexes = _indexes(tx)
    indexes.sync(tx)
    found = indexes.kinds[kind].footprints.get(row["id"])
    return row_footprint(row) if found is None else found


def put(tx: Tx, kind: str, row: dict[str, Any], fp: Footprint | None = None) -> None:
    """Write the row of an entity (insert or replace) and index its footprint (``fp``, with
    the row's bounds, when the caller has it parsed already)."""
    store.put(tx.connection, kind, row)
    indexes = _indexes(tx)
    indexes.sync(tx, skip=(kind, row["id"]))
    found = (
        row_footprint(row)
        if fp is None
        else Footprint(fp.shapes, fp.areas_km2, row["alt_lo"], row["alt_hi"], row["t0"], row["t1"])
    )
    indexes.set(tx, kind, row["id"], found)


def delete(tx: Tx, kind: str, entity_id: str) -> None:
    """Delete the row of an entity and its footprint."""
    store.delete(tx.connection, kind, entity_id)
    indexes = _indexes(tx)
    indexes.sync(tx, skip=(kind, entity_id))
    indexes.set(tx, kind, entity_id, None)
