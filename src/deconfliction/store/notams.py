"""The ``notams`` table: which notice each imported NOTAM became."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from deconfliction.store.interop import notams

__all__ = ["StoredNotam", "by_notice", "find", "insert"]


@dataclass(frozen=True, slots=True)
class StoredNotam:
    party: str
    id: str
    action: str
    ref: str | None
    notice_id: str
    q_line: str
    locations: tuple[str, ...]
    flags: tuple[str, ...]
    text: str


def _row(row: sa.Row[tuple[object, ...]]) -> StoredNotam:
    m = row._mapping
    return StoredNotam(
        party=m["party"],
        id=m["id"],
        action=m["action"],
        ref=m["ref"],
        notice_id=m["notice_id"],
        q_line=m["q_line"],
        locations=tuple(m["locations"].split()),
        flags=tuple(json.loads(m["flags"])),
        text=m["text"],
    )


def find(connection: Connection, party: str, ids: Iterable[str]) -> dict[str, StoredNotam]:
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    rows = connection.execute(
        sa.select(notams).where(notams.c.party == party, notams.c.id.in_(wanted))
    )
    return {r.id: _row(r) for r in rows}


def by_notice(connection: Connection, notice_id: str) -> StoredNotam | None:
    row = connection.execute(sa.select(notams).where(notams.c.notice_id == notice_id)).first()
    return None if row is None else _row(row)


def insert(connection: Connection, record: StoredNotam, imported_at: datetime, seq: int) -> None:
    connection.execute(
        sa.insert(notams).values(
            party=record.party,
            id=record.id,
            action=record.action,
            ref=record.ref,
            notice_id=record.notice_id,
            q_line=record.q_line,
            locations=" ".join(record.locations),
            flags=json.dumps(list(record.flags)),
            text=record.text,
            imported_at=imported_at,
            seq=seq,
        )
    )
