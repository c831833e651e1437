"""The projection of deliveries: each inbox item in its current state.

The row keeps the columns the inbox and the escalation timer query, derived from the delivery's
own fields (:func:`~deconfliction.store.rows.row_of`), and its canonical JSON (``body``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from deconfliction.engine.hotline import Delivery
from deconfliction.store.driver import driver_insert
from deconfliction.store.rows import row_of, rows_of
from deconfliction.store.schema import deliveries

__all__ = [
    "deliveries_of_item",
    "delivery",
    "due_deliveries",
    "inbox",
    "insert_deliveries",
    "stored_delivery_ids",
    "write_delivery",
]

_IDS_PER_QUERY = 500
"""Identifiers named in one query (SQLite limits the number of bound parameters)."""

# Statements on the hot path of filing, built once (their compiled form is then reused).
_STORED_IDS = sa.select(deliveries.c.id).where(
    deliveries.c.id.in_(sa.bindparam("ids", expanding=True))
)
_INSERT = sa.insert(deliveries)


def write_delivery(connection: Connection, d: Delivery, body: str, seq: int) -> None:
    """Project a delivery's new state, from its canonical ``body``."""
    values = row_of(d, deliveries, body=body, seq=seq)
    values.pop("id")
    updated = connection.execute(
        sa.update(deliveries).where(deliveries.c.id == sa.bindparam("_key")),
        {"_key": d.id, **values},
    )
    if updated.rowcount == 0:
        connection.execute(_INSERT, {"id": d.id, **values})


def insert_deliveries(connection: Connection, new: Iterable[tuple[Delivery, str, int]]) -> None:
    """Insert ``(delivery, body, seq)`` for deliveries not stored yet, with one statement."""
    made = list(new)
    driver_insert(
        connection,
        deliveries,
        rows_of([d for d, _, _ in made], deliveries, [{"body": b, "seq": s} for _, b, s in made]),
    )


def stored_delivery_ids(connection: Connection, ids: Iterable[str]) -> set[str]:
    """Which of ``ids`` are stored deliveries."""
    wanted = sorted(set(ids))
    found: set[str] = set()
    for start in range(0, len(wanted), _IDS_PER_QUERY):
        chunk = wanted[start : start + _IDS_PER_QUERY]
        found.update(connection.execute(_STORED_IDS, {"ids": chunk}).scalars())
    return found


def _read(connection: Connection, query: sa.Select[str]) -> list[Delivery]:
    return [Delivery.model_validate_json(body) for body in connection.execute(query).scalars()]


def delivery(connection: Connection, delivery_id: str) -> Delivery | None:
    found = _read(connection, sa.select(deliveries.c.body).where(deliveries.c.id == delivery_id))
    return found[0] if found else None


def inbox(
    connection: Connection,
    party: str,
    *,
    status: str | None = None,
    after: datetime | None = None,
    limit: int = 500,
) -> list[Delivery]:
    """A party's deliveries, newest first."""
    query = sa.select(deliveries.c.body).where(deliveries.c.recipient == party)
    if status is not None:
        query = query.where(deliveries.c.status == status)
    if after is not None:
        query = query.where(deliveries.c.delivered_at > after)
    return _read(
        connection, query.order_by(deliveries.c.delivered_at.desc(), deliveries.c.id).limit(limit)
    )


def deliveries_of_item(connection: Connection, item_type: str, item_id: str) -> list[Delivery]:
    return _read(
        connection,
        sa.select(deliveries.c.body)
        .where(deliveries.c.item_type == item_type, deliveries.c.item_id == item_id)
        .order_by(deliveries.c.recipient),
    )


def due_deliveries(connection: Connection, now: datetime, limit: int = 1000) -> list[Delivery]:
    """Deliveries with an escalation step due by ``now``."""
    return _read(
        connection,
        sa.select(deliveries.c.body)
        .where(deliveries.c.next_at.is_not(None), deliveries.c.next_at <= now)
        .order_by(deliveries.c.next_at)
        .limit(limit),
    )
