"""Attachments kept by content (SHA-256), apart from the ledger, which holds only references.

A party may read an attachment it uploaded, or one referred to by an incident or an account
entry on its feed (what it may see).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from deconfliction.store.feeds import on_feed
from deconfliction.store.schema import evidence, evidence_holders, evidence_refs

__all__ = ["Attachment", "add_refs", "attachment", "held_by", "store_attachment"]


@dataclass(frozen=True, slots=True)
class Attachment:
    sha256: str
    size: int
    media_type: str
    content: bytes


def store_attachment(connection: Connection, found: Attachment, party: str, now: datetime) -> None:
    """Keep ``found`` (once per content) and note that ``party`` holds it."""
    known = connection.execute(
        sa.select(evidence.c.sha256).where(evidence.c.sha256 == found.sha256)
    ).first()
    if known is None:
        connection.execute(
            sa.insert(evidence).values(
                sha256=found.sha256,
                size=found.size,
                media_type=found.media_type,
                content=found.content,
                stored_at=now,
            )
        )
    holder = connection.execute(
        sa.select(evidence_holders.c.sha256).where(
            evidence_holders.c.sha256 == found.sha256, evidence_holders.c.party_id == party
        )
    ).first()
    if holder is None:
        connection.execute(
            sa.insert(evidence_holders).values(sha256=found.sha256, party_id=party, uploaded_at=now)
        )


def held_by(connection: Connection, party: str, hashes: Iterable[str]) -> set[str]:
    """Those of ``hashes`` that ``party`` uploaded."""
    wanted = sorted(set(hashes))
    if not wanted:
        return set()
    rows = connection.execute(
        sa.select(evidence_holders.c.sha256).where(
            evidence_holders.c.party_id == party, evidence_holders.c.sha256.in_(wanted)
        )
    )
    return {r.sha256 for r in rows}


def add_refs(connection: Connection, seq: int, hashes: Iterable[str]) -> None:
    """Note that entry ``seq`` refers to each attachment."""
    rows = [{"sha256": h, "seq": seq} for h in sorted(set(hashes))]
    if rows:
        connection.execute(sa.insert(evidence_refs), rows)


def attachment(connection: Connection, sha256: str, party: str | None) -> Attachment | None:
    """The attachment, if ``party`` may read it (anyone, for ``None``)."""
    query = sa.select(evidence).where(evidence.c.sha256 == sha256)
    if party is not None:
        uploaded = sa.exists().where(
            evidence_holders.c.sha256 == sha256, evidence_holders.c.party_id == party
        )
        referred = sa.exists().where(
            evidence_refs.c.sha256 == sha256, on_feed(evidence_refs.c.seq, party)
        )
        query = query.where(sa.or_(uploaded, referred))
    row = connection.execute(query).first()
    if row is None:
        return None
    return Attachment(row.sha256, int(row.size), row.media_type, bytes(row.content))
