"""The projections of items: one row per item (its latest version), and reading them back.

Each kind of item has a table (:data:`~deconfliction.store.schema.ITEM_TABLES`) holding the
item's canonical JSON (``body``), the entry that recorded it (``seq``) and the columns queries
filter on, derived from the item's own fields (:func:`~deconfliction.store.rows.row_of`).

Reading an item back means validating its JSON again, which for an outline costs a geometry
check; items are immutable per entry, so each one read is kept in a small cache keyed by its
entry, and the writer puts in the objects it already holds.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from deconfliction.engine.items import Item, ItemKind, kind_of
from deconfliction.engine.model import Notice, Observation
from deconfliction.store import schema
from deconfliction.store.driver import driver_insert
from deconfliction.store.feeds import on_feed
from deconfliction.store.rows import row_of

__all__ = ["ItemCache", "Stored", "load", "load_one", "select_items", "seqs_of", "write_item"]

ItemT = TypeVar("ItemT", bound=Item)


class ItemCache:
    """Items already validated, by (kind, id, seq): a bounded, thread-safe LRU."""

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, str, int], Item] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, kind: ItemKind, ident: str, seq: int, body: str) -> Item:
        key = (kind.name, ident, seq)
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        item = kind.model.model_validate_json(body)
        self.put(item, seq)
        return item

    def discard(self, item: Item, seq: int) -> None:
        """Forget an item (its transaction did not commit)."""
        with self._lock:
            self._items.pop((kind_of(item).name, item.id, seq), None)

    def put(self, item: Item, seq: int) -> None:
        key = (kind_of(item).name, item.id, seq)
        with self._lock:
            self._items[key] = item
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)


@dataclass(frozen=True, slots=True)
class Stored(Generic[ItemT]):
    """An item as its projection holds it: the item, the entry that recorded this version,
    and the row's other columns (a notice's ``series``, ``superseded_by``, ...)."""

    item: ItemT
    seq: int
    columns: dict[str, Any]


def write_item(connection: Connection, item: Item, body: str, seq: int, **computed: Any) -> None:
    """Project one recorded item (its latest version), from its canonical ``body``.
    ``computed`` gives the columns that are not fields of the item (a notice's series)."""
    kind = kind_of(item)
    table = schema.ITEM_TABLES[kind.name]
    if isinstance(item, Notice):
        computed = {"starts_at": item.start, "ends_at": item.end, **computed}
        if item.replaces is not None:
            connection.execute(
                sa.update(table).where(table.c.id == item.replaces).values(superseded_by=item.id)
            )
    values = row_of(item, table, body=body, seq=seq, **computed)
    if isinstance(item, Notice | Observation):
        # Recorded once: the situation refuses the same id with other content, and a new
        # version has an id of its own.
        driver_insert(connection, table, [values])  # one per filing: the lean path
        return
    values.pop("id")
    # Values go as parameters, not .values(): the statement's compiled form is then reused.
    updated = connection.execute(
        sa.update(table).where(table.c.id == sa.bindparam("_key")), {"_key": item.id, **values}
    )
    if updated.rowcount == 0:
        connection.execute(sa.insert(table), {"id": item.id, **values})


def select_items(kind: ItemKind, party: str | None, *columns: Any) -> sa.Select[Any]:
    """The rows of ``kind``'s projection that ``party`` may read (every row for ``None``,
    whoever runs the server), with ``columns`` beside the table's own."""
    table = schema.ITEM_TABLES[kind.name]
    query = sa.select(table, *columns)
    if party is not None:
        query = query.where(on_feed(table.c.seq, party))
    return query


def load(
    connection: Connection, cache: ItemCache, kind: ItemKind, query: sa.Select[Any]
) -> list[Stored[Any]]:
    """The items a query built on :func:`select_items` finds, in its order."""
    out: list[Stored[Any]] = []
    for row in connection.execute(query):
        columns = dict(row._mapping)
        body = columns.pop("body")
        item = cache.get(kind, columns["id"], columns["seq"], body)
        out.append(Stored(item, columns.pop("seq"), columns))
    return out


def load_one(
    connection: Connection, cache: ItemCache, kind: ItemKind, party: str | None, ident: str
) -> Stored[Any] | None:
    """One item ``party`` may read, or None (missing and hidden answer alike)."""
    table = schema.ITEM_TABLES[kind.name]
    found = load(connection, cache, kind, select_items(kind, party).where(table.c.id == ident))
    return found[0] if found else None


def seqs_of(connection: Connection, kind: ItemKind, ids: Iterable[str]) -> dict[str, int]:
    """The entry of the latest version of each of ``ids``."""
    table = schema.ITEM_TABLES[kind.name]
    wanted: Sequence[str] = sorted(set(ids))
    if not wanted:
        return {}
    rows = connection.execute(sa.select(table.c.id, table.c.seq).where(table.c.id.in_(wanted)))
    return {r.id: int(r.seq) for r in rows}
