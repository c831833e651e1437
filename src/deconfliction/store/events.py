"""The append-only log of events: the record every projection derives from."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from deconfliction.store.database import driver_executemany, driver_query
from deconfliction.store.schema import events
from deconfliction.store.types import UtcTimestamp

__all__ = [
    "NewEvent",
    "StoredEvent",
    "append",
    "append_many",
    "last_seq",
    "since",
    "to_follow",
]

_INSERT = (
    "INSERT INTO events (seq, recorded_at, type, subject, body, idx, leaf_hash) "
    "VALUES (?, ?, ?, ?, ?, ?, ?)"
)
"""The log's hot insert, given to the driver directly (see ``driver_executemany``)."""
_TIME = UtcTimestamp()
"""How ``recorded_at`` is bound (text on SQLite, a UTC ``datetime`` for psycopg)."""
_LAST_SEQ = sa.select(sa.func.coalesce(sa.func.max(events.c.seq), 0))


@dataclass(frozen=True, slots=True)
class StoredEvent:
    seq: int
    recorded_at: datetime
    type: str
    subject: str
    body: str

    def payload(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.body)
        return data


@dataclass(frozen=True, slots=True)
class NewEvent:
    """An event ready to append: its canonical body and its place in the ledger."""

    type: str
    subject: str
    body: str
    index: int
    leaf_hash: bytes


def append(connection: Connection, event: NewEvent, *, recorded_at: datetime) -> int:
    """Append one event; returns its sequence number."""
    return append_many(connection, [event], recorded_at=recorded_at)[0]


def append_many(
    connection: Connection,
    entries: Sequence[NewEvent],
    *,
    recorded_at: datetime,
    first_seq: int | None = None,
) -> list[int]:
    """Append events with one statement; returns their sequence numbers, in the order given
    (ascending).  Only inside a write transaction (it holds the single writer's place).

    ``first_seq``, when the caller knows it, is the next sequence number (one more than the
    newest stored event); SQLite uses it instead of asking (PostgreSQL's sequence numbers the
    rows).  A number already taken fails the insert (it is the primary key)."""
    if not entries:
        return []
    # The writer's place makes the next numbers known, on both stores: the rows are then held
    # with the batch's other rows and written with them (store/deferred.py), rather than
    # inserted at once for the database to number them.  On PostgreSQL that insert (it must
    # hand the numbers back) flushed the rows held so far and took the command's savepoint, a
    # few round trips per filing with the lock held (bench/RESULTS.md, "PostgreSQL, two
    # workers").  The column's own sequence is no longer drawn from: no writer of this
    # version inserts without a number.
    first = last_seq(connection) + 1 if first_seq is None else first_seq
    stamp = _TIME.process_bind_param(recorded_at, connection.dialect)
    driver_executemany(
        connection,
        _INSERT,
        [
            (first + n, stamp, e.type, e.subject, e.body, e.index, e.leaf_hash.hex())
            for n, e in enumerate(entries)
        ],
        first=True,  # the feeds, projections and deliveries refer to them
    )
    return list(range(first, first + len(entries)))


def since(connection: Connection, seq: int) -> Iterator[StoredEvent]:
    """Events after ``seq``, in order."""
    rows = connection.execute(sa.select(events).where(events.c.seq > seq).order_by(events.c.seq))
    for row in rows:
        yield StoredEvent(row.seq, row.recorded_at, row.type, row.subject, row.body)


_TO_FOLLOW = "SELECT seq, idx, leaf_hash, body FROM events WHERE seq > ? ORDER BY seq"


def to_follow(connection: Connection, seq: int) -> Sequence[tuple[int, int, str, str]]:
    """``(seq, ledger index, leaf hash hex, body)`` of the events after ``seq``, in order: what
    a node needs to follow the others' writes (its tree and its situation), in one query.

    Every write transaction begins with it, and with one process it finds nothing: on the
    driver's cursor (``driver_query``) it costs a fifth of what it did through SQLAlchemy."""
    return driver_query(connection, _TO_FOLLOW, (seq,))


def last_seq(connection: Connection) -> int:
    return int(connection.execute(_LAST_SEQ).scalar_one())
