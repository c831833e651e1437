"""Console sessions and one-time sign-in codes, stored only as hashes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from deconfliction.store.schema import sessions, signin_codes

__all__ = [
    "StoredSession",
    "end_session",
    "find_session",
    "insert_code",
    "insert_session",
    "use_code",
]


@dataclass(frozen=True, slots=True)
class StoredSession:
    id: str
    token_id: str
    party_id: str
    role: str
    secret_hash: str
    created_at: datetime
    expires_at: datetime
    ended_at: datetime | None


def insert_session(connection: Connection, session: StoredSession) -> None:
    connection.execute(
        sa.insert(sessions).values(
            id=session.id,
            token_id=session.token_id,
            party_id=session.party_id,
            role=session.role,
            secret_hash=session.secret_hash,
            created_at=session.created_at,
            expires_at=session.expires_at,
            ended_at=session.ended_at,
        )
    )


def find_session(connection: Connection, session_id: str) -> StoredSession | None:
    row = connection.execute(sa.select(sessions).where(sessions.c.id == session_id)).first()
    if row is None:
        return None
    return StoredSession(
        row.id,
        row.token_id,
        row.party_id,
        row.role,
        row.secret_hash,
        row.created_at,
        row.expires_at,
        row.ended_at,
    )


def end_session(connection: Connection, session_id: str, at: datetime) -> bool:
    result = connection.execute(
        sa.update(sessions)
        .where(sessions.c.id == session_id, sessions.c.ended_at.is_(None))
        .values(ended_at=at)
    )
    return result.rowcount > 0


def insert_code(
    connection: Connection,
    code_hash: str,
    token_id: str,
    created_at: datetime,
    expires_at: datetime,
) -> None:
    connection.execute(
        sa.insert(signin_codes).values(
            code_hash=code_hash, token_id=token_id, created_at=created_at, expires_at=expires_at
        )
    )


def use_code(connection: Connection, code_hash: str, at: datetime) -> str | None:
    """Mark an unused, unexpired code used and return its token's id; None if there is no such
    code (unknown, used or expired).  One statement: two uses cannot both succeed."""
    result = connection.execute(
        sa.update(signin_codes)
        .where(
            signin_codes.c.code_hash == code_hash,
            signin_codes.c.used_at.is_(None),
            signin_codes.c.expires_at > at,
        )
        .values(used_at=at)
    )
    if result.rowcount == 0:
        return None
    row = connection.execute(
        sa.select(signin_codes.c.token_id).where(signin_codes.c.code_hash == code_hash)
    ).first()
    return None if row is None else str(row.token_id)
