"""Per-party feeds: which entries of the log each party may read, and its stream carries.

An entry is put on the feed of each party in its audience when it is recorded (the audience is
decided once, by :meth:`deconfliction.engine.detection.roster.Roster.audience`); an entry for
every party (parties, lines) is put on the feed :data:`EVERYONE`, which every party reads,
including parties that join later.  A party may read an item, and get its ledger entry and
receipt, exactly when the item's entry is on its feed: one table answers both.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from deconfliction.engine.detection.roster import EVERYONE
from deconfliction.store.driver import driver_executemany
from deconfliction.store.events import StoredEvent
from deconfliction.store.schema import events, feed

__all__ = [
    "EVERYONE",
    "add_to_feeds",
    "feed_between",
    "feed_since",
    "grant",
    "on_feed",
    "readers",
]

_PARTIES_PER_QUERY = 500
"""Parties named in one query (SQLite limits the number of bound parameters)."""

# Built once: their compiled form is reused.
_INSERT = "INSERT INTO feed (party_id, seq) VALUES (?, ?)"
"""The hot insert, given to the driver directly (see ``driver_executemany``)."""
_BETWEEN = (
    sa.select(feed.c.party_id, events)
    .join(events, events.c.seq == feed.c.seq)
    .where(
        feed.c.party_id.in_(sa.bindparam("parties", expanding=True)),
        feed.c.seq > sa.bindparam("after"),
        feed.c.seq <= sa.bindparam("upto"),
    )
)


def readers(party: str) -> list[str]:
    """The feeds ``party`` reads: its own and the one for every party."""
    return [party, EVERYONE]


def on_feed(seq: sa.ColumnElement[int], party: str) -> sa.ColumnElement[bool]:
    """A condition: the entry ``seq`` is on ``party``'s feed."""
    return sa.exists().where(feed.c.seq == seq, feed.c.party_id.in_(readers(party)))


def add_to_feeds(connection: Connection, entries: Iterable[tuple[int, Iterable[str]]]) -> None:
    """Put each event ``seq`` on the feed of each of its ``parties`` (one statement)."""
    pairs = [(p, seq) for seq, parties in entries for p in sorted(set(parties))]
    if not pairs:
        return
    driver_executemany(connection, _INSERT, pairs)


def grant(connection: Connection, seq: int, parties: Iterable[str]) -> list[str]:
    """Put an entry already recorded on the feeds of ``parties`` that lack it (a party that
    becomes entitled to an item later, e.g. by a new agreement with a site's owner); returns
    the parties it was added for."""
    wanted = set(parties)
    if not wanted:
        return []
    present = set(
        connection.execute(
            sa.select(feed.c.party_id).where(feed.c.seq == seq, feed.c.party_id.in_(wanted))
        ).scalars()
    )
    missing = sorted(wanted - present)
    add_to_feeds(connection, [(seq, missing)])
    return missing


def _event(r: sa.Row[object]) -> StoredEvent:
    return StoredEvent(r.seq, r.recorded_at, r.type, r.subject, r.body)


def feed_since(
    connection: Connection, party: str, after: int, limit: int = 1000
) -> Sequence[StoredEvent]:
    """Events of ``party``'s feed (its own and :data:`EVERYONE`'s) after sequence ``after``,
    oldest first."""
    rows = connection.execute(
        sa.select(events)
        .where(events.c.seq > after, on_feed(events.c.seq, party))
        .order_by(events.c.seq)
        .limit(limit)
    )
    return [_event(r) for r in rows]


def feed_between(
    connection: Connection, parties: Collection[str], after: int, upto: int
) -> list[tuple[str, StoredEvent]]:
    """``(party, event)`` for every event of the feeds of ``parties`` with a sequence number in
    ``(after, upto]``, in sequence order (an event on several feeds comes once per party; name
    :data:`EVERYONE` among ``parties`` to have the events for every party).

    Each query walks the feed's primary key (party, seq): one short range per party.
    """
    out: list[tuple[str, StoredEvent]] = []
    if not parties or upto <= after:
        return out
    names = sorted(parties)
    for start in range(0, len(names), _PARTIES_PER_QUERY):
        chunk = names[start : start + _PARTIES_PER_QUERY]
        rows = connection.execute(_BETWEEN, {"parties": chunk, "after": after, "upto": upto})
        out.extend((r.party_id, _event(r)) for r in rows)
    out.sort(key=lambda pair: pair[1].seq)
    return out
