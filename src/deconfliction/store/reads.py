"""Who read what, and when: every read of another party's item is recorded."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from deconfliction.store.schema import reads

__all__ = ["Read", "log_reads", "reads_of"]


@dataclass(frozen=True, slots=True)
class Read:
    """One party (through one token) read one item of another party, at a time."""

    party: str
    item_type: str
    item_id: str
    read_at: datetime
    owner: str | None = None
    token_id: str | None = None


def log_reads(connection: Connection, found: Iterable[Read]) -> None:
    rows = [
        {
            "party_id": r.party,
            "token_id": r.token_id,
            "item_type": r.item_type,
            "item_id": r.item_id,
            "owner": r.owner,
            "read_at": r.read_at,
        }
        for r in found
    ]
    if rows:
        connection.execute(sa.insert(reads), rows)


def reads_of(connection: Connection, item_type: str, item_ids: Sequence[str]) -> list[Read]:
    rows = connection.execute(
        sa.select(reads)
        .where(reads.c.item_type == item_type, reads.c.item_id.in_(list(item_ids)))
        .order_by(reads.c.read_at, reads.c.id)
    )
    return [Read(r.party_id, r.item_type, r.item_id, r.read_at, r.owner, r.token_id) for r in rows]
