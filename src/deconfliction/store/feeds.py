"""Per-party live feeds: which events of the log each party's stream carries."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from deconfliction.store.events import StoredEvent
from deconfliction.store.schema import events, feed

__all__ = ["add_to_feed", "feed_since"]


def add_to_feed(connection: Connection, seq: int, parties: Iterable[str]) -> None:
    rows = [{"party_id": p, "seq": seq} for p in sorted(set(parties))]
    if rows:
        connection.execute(sa.insert(feed), rows)


def feed_since(
    connection: Connection, party: str, after: int, limit: int = 1000
) -> Sequence[StoredEvent]:
    """Events of ``party``'s feed after sequence ``after``, oldest first."""
    rows = connection.execute(
        sa.select(events)
        .join(feed, feed.c.seq == events.c.seq)
        .where(feed.c.party_id == party, feed.c.seq > after)
        .order_by(feed.c.seq)
        .limit(limit)
    )
    return [StoredEvent(r.seq, r.recorded_at, r.type, r.subject, r.body) for r in rows]
