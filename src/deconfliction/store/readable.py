"""Reading many entries at once, as a party may read them (for reports)."""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from deconfliction.engine.ledger.entries import Entry
from deconfliction.store.feeds import on_feed
from deconfliction.store.schema import events

__all__ = ["readable_entries"]


def readable_entries(
    connection: Connection, party: str | None, below: int, types: Collection[str]
) -> Iterator[Entry]:
    """The entries of ``types`` with an index below ``below`` that ``party`` may read (every
    one for ``None``), in index order, parsed."""
    query = (
        sa.select(
            events.c.idx, events.c.recorded_at, events.c.type, events.c.subject, events.c.body
        )
        .where(events.c.idx < below, events.c.type.in_(sorted(types)))
        .order_by(events.c.idx)
    )
    if party is not None:
        query = query.where(on_feed(events.c.seq, party))
    loads = json.loads
    for index, recorded_at, kind, subject, body in connection.execution_options(
        yield_per=10_000
    ).execute(query):
        yield Entry(int(index), recorded_at, kind, subject, loads(body))
