"""Answers remembered under an idempotency key, so that a retried write runs once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from deconfliction.store.schema import idempotency

__all__ = ["Remembered", "remember", "remembered"]


@dataclass(frozen=True, slots=True)
class Remembered:
    """The first answer to a keyed write: what was asked (its hash), by which role, the
    status and the body."""

    request_hash: str
    status: int
    response: str


def remembered(connection: Connection, party: str, key: str) -> Remembered | None:
    row = connection.execute(
        sa.select(idempotency.c.request_hash, idempotency.c.status, idempotency.c.response).where(
            idempotency.c.party_id == party, idempotency.c.key == key
        )
    ).first()
    return None if row is None else Remembered(row.request_hash, row.status, row.response)


def remember(
    connection: Connection,
    party: str,
    key: str,
    answer: Remembered,
    at: datetime,
) -> None:
    connection.execute(
        sa.insert(idempotency).values(
            party_id=party,
            key=key,
            request_hash=answer.request_hash,
            status=answer.status,
            response=answer.response,
            created_at=at,
        )
    )
