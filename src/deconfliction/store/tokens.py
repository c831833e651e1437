"""Bearer tokens, stored only as hashes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from deconfliction.store.schema import tokens

__all__ = [
    "StoredToken",
    "find_token",
    "insert_token",
    "list_tokens",
    "revoke_token",
    "tokens_mark",
]


@dataclass(frozen=True, slots=True)
class StoredToken:
    id: str
    party_id: str
    role: str
    secret_hash: str
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


def _row(r: sa.Row[object]) -> StoredToken:
    return StoredToken(
        r.id,
        r.party_id,
        r.role,
        r.secret_hash,
        r.label,
        r.created_at,
        r.expires_at,
        r.revoked_at,
    )


def insert_token(connection: Connection, token: StoredToken) -> None:
    connection.execute(
        sa.insert(tokens).values(
            id=token.id,
            party_id=token.party_id,
            role=token.role,
            secret_hash=token.secret_hash,
            label=token.label,
            created_at=token.created_at,
            expires_at=token.expires_at,
            revoked_at=token.revoked_at,
        )
    )


def find_token(connection: Connection, token_id: str) -> StoredToken | None:
    row = connection.execute(sa.select(tokens).where(tokens.c.id == token_id)).first()
    return None if row is None else _row(row)


def revoke_token(connection: Connection, token_id: str, at: datetime) -> bool:
    result = connection.execute(
        sa.update(tokens)
        .where(tokens.c.id == token_id, tokens.c.revoked_at.is_(None))
        .values(revoked_at=at)
    )
    return result.rowcount > 0


def list_tokens(connection: Connection, party: str | None = None) -> list[StoredToken]:
    query = sa.select(tokens).order_by(tokens.c.created_at, tokens.c.id)
    if party is not None:
        query = query.where(tokens.c.party_id == party)
    return [_row(r) for r in connection.execute(query)]


_MARK = sa.select(sa.func.count(), sa.func.count(tokens.c.revoked_at)).select_from(tokens)


def tokens_mark(connection: Connection) -> tuple[int, int]:
    """``(tokens, revoked tokens)``: tokens are never deleted, and a revocation is final, so
    this pair changes exactly when a token is created or revoked."""
    count, revoked = connection.execute(_MARK).one()
    return int(count), int(revoked)
