"""The append-only log of events: the record every projection derives from."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from deconfliction.store.codec import canonical
from deconfliction.store.schema import events

__all__ = ["StoredEvent", "append", "last_seq", "since"]


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


def append(
    connection: Connection,
    *,
    type: str,
    subject: str,
    payload: dict[str, Any],
    recorded_at: datetime,
) -> int:
    """Append one event; returns its sequence number."""
    result = connection.execute(
        sa.insert(events).values(
            recorded_at=recorded_at, type=type, subject=subject, body=canonical(payload)
        )
    )
    seq = result.inserted_primary_key
    assert seq is not None
    return int(seq[0])


def since(connection: Connection, seq: int) -> Iterator[StoredEvent]:
    """Events after ``seq``, in order."""
    rows = connection.execute(sa.select(events).where(events.c.seq > seq).order_by(events.c.seq))
    for row in rows:
        yield StoredEvent(row.seq, row.recorded_at, row.type, row.subject, row.body)


def last_seq(connection: Connection) -> int:
    return int(
        connection.execute(sa.select(sa.func.coalesce(sa.func.max(events.c.seq), 0))).scalar_one()
    )
