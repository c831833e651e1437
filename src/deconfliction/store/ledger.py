"""The ledger's columns and tables: entry indexes and leaf hashes, signed tree heads."""

from __future__ import annotations

import base64
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from deconfliction.engine.ledger.entries import entry_bytes
from deconfliction.engine.ledger.heads import TreeHead
from deconfliction.store.database import driver_insert
from deconfliction.store.feeds import on_feed, readers
from deconfliction.store.schema import events, feed, tree_heads

__all__ = [
    "StoredEntry",
    "by_subjects",
    "entries",
    "entry",
    "entry_of_seq",
    "exported_entries",
    "heads",
    "insert_head",
    "is_visible",
    "latest_head",
    "leaf_hashes_from",
    "log_size",
    "visible_indexes",
]


@dataclass(frozen=True, slots=True)
class StoredEntry:
    index: int
    seq: int
    recorded_at: datetime
    type: str
    subject: str
    body: str
    leaf_hash: str

    def canonical(self) -> bytes:
        return entry_bytes(self.index, self.recorded_at, self.type, self.subject, self.body)


def _entry(row: sa.Row[object]) -> StoredEntry:
    r = row._mapping
    return StoredEntry(
        r["idx"], r["seq"], r["recorded_at"], r["type"], r["subject"], r["body"], r["leaf_hash"]
    )


def leaf_hashes_from(connection: Connection, start: int) -> list[bytes]:
    """Leaf hashes of entries ``start`` onwards, in index order."""
    rows = connection.execute(
        sa.select(events.c.idx, events.c.leaf_hash)
        .where(events.c.idx >= start)
        .order_by(events.c.idx)
    )
    out = []
    for expected, (index, digest) in enumerate(rows, start=start):
        if index != expected:
            raise RuntimeError(f"ledger index {expected} is missing from the store")
        out.append(bytes.fromhex(digest))
    return out


def entries(
    connection: Connection, start: int = 0, end: int | None = None
) -> Iterator[StoredEntry]:
    query = sa.select(events).where(events.c.idx >= start).order_by(events.c.idx)
    if end is not None:
        query = query.where(events.c.idx < end)
    for row in connection.execution_options(yield_per=5000).execute(query):
        yield _entry(row)


def exported_entries(connection: Connection, end: int) -> Iterator[tuple[int, str, str, bytes]]:
    """``(index, type, leaf hash hex, canonical entry)`` of the entries below ``end``, in index
    order, built from the columns exactly as stored.  A time SQLite keeps as text is taken as it
    is: one altered into something that is not a time shows in the export (and the verifier
    names its entry) instead of making the export fail."""
    recorded: sa.ColumnElement[object] = events.c.recorded_at
    if connection.dialect.name == "sqlite":
        recorded = sa.type_coerce(events.c.recorded_at, sa.String())
    query = (
        sa.select(
            events.c.idx,
            recorded.label("recorded_at"),
            events.c.type,
            events.c.subject,
            events.c.body,
            events.c.leaf_hash,
        )
        .where(events.c.idx < end)
        .order_by(events.c.idx)
    )
    for index, at, type, subject, body, digest in connection.execution_options(
        yield_per=5000
    ).execute(query):
        at = at if isinstance(at, datetime) else str(at)
        yield index, type, digest, entry_bytes(index, at, type, subject, body)


def log_size(connection: Connection) -> int:
    """One more than the highest stored index (0 for an empty log)."""
    top = connection.execute(sa.select(sa.func.max(events.c.idx))).scalar_one()
    return 0 if top is None else int(top) + 1


def entry(connection: Connection, index: int) -> StoredEntry | None:
    row = connection.execute(sa.select(events).where(events.c.idx == index)).first()
    return None if row is None else _entry(row)


def entry_of_seq(connection: Connection, seq: int) -> StoredEntry | None:
    row = connection.execute(sa.select(events).where(events.c.seq == seq)).first()
    return None if row is None else _entry(row)


def is_visible(connection: Connection, party: str, index: int) -> bool:
    """Whether entry ``index`` is on ``party``'s feed."""
    row = connection.execute(
        sa.select(events.c.idx).where(events.c.idx == index, on_feed(events.c.seq, party))
    ).first()
    return row is not None


def by_subjects(
    connection: Connection, subjects: Sequence[str], party: str | None = None
) -> list[StoredEntry]:
    """Entries about any of ``subjects``, in log order (only those on ``party``'s feed, when
    given)."""
    if not subjects:
        return []
    out: list[StoredEntry] = []
    wanted = sorted(set(subjects))
    for start in range(0, len(wanted), 500):  # SQLite limits the bound parameters
        query = sa.select(events).where(events.c.subject.in_(wanted[start : start + 500]))
        if party is not None:
            query = query.where(on_feed(events.c.seq, party))
        out.extend(_entry(r) for r in connection.execute(query))
    out.sort(key=lambda e: e.index)
    return out


def visible_indexes(connection: Connection, party: str) -> set[int]:
    """Indexes of the entries on ``party``'s feed: the ones it may read."""
    rows = connection.execute(
        sa.select(events.c.idx)
        .join(feed, feed.c.seq == events.c.seq)
        .where(feed.c.party_id.in_(readers(party)))
    )
    return {int(i) for (i,) in rows}


def insert_head(connection: Connection, head: TreeHead) -> None:
    """Store a signed head.  In a write transaction its row is held with the batch's others and
    written with them before the commit (``driver_insert``): one statement through SQLAlchemy
    here was about a tenth of a lone filing's transaction, its flush of the held rows aside."""
    driver_insert(
        connection,
        tree_heads,
        [
            {
                "tree_size": head.tree_size,
                "root_hash": head.root_hash.hex(),
                "signed_at": head.timestamp,
                "key_id": head.key_id,
                "signature": base64.b64encode(head.signature).decode("ascii"),
            }
        ],
    )


def _head(row: sa.Row[object]) -> TreeHead:
    r = row._mapping
    return TreeHead(
        int(r["tree_size"]),
        bytes.fromhex(r["root_hash"]),
        r["signed_at"],
        r["key_id"],
        base64.b64decode(r["signature"]),
    )


def latest_head(connection: Connection) -> TreeHead | None:
    row = connection.execute(
        sa.select(tree_heads)
        .order_by(tree_heads.c.tree_size.desc(), tree_heads.c.id.desc())
        .limit(1)
    ).first()
    return None if row is None else _head(row)


def heads(
    connection: Connection, *, after_size: int = -1, limit: int | None = None
) -> list[TreeHead]:
    query = (
        sa.select(tree_heads).where(tree_heads.c.tree_size > after_size).order_by(tree_heads.c.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return [_head(r) for r in connection.execute(query)]
