"""Identity: bearer tokens for parties, each with one role.

A token is shown once, when created; the store keeps only the SHA-256 of its secret.  The
token names its own record (``dlt_<id>_<secret>``), so checking it is one lookup and one
constant-time comparison.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa

from deconfliction.engine.errors import InvalidInput, NotFound, Unauthenticated
from deconfliction.engine.times import format_time
from deconfliction.store import sessions as session_store
from deconfliction.store import tokens as token_store
from deconfliction.store.database import Database
from deconfliction.store.schema import parties

__all__ = [
    "Principal",
    "Role",
    "authenticate",
    "create_token",
    "lapsed",
    "list_tokens",
    "parse_token",
    "principal_of",
    "revoke_token",
    "session_stands",
    "usable",
]

_TOKEN_RE = re.compile(r"^dlt_([0-9a-f]{16})_([A-Za-z0-9_-]{32,})$")


class Role(StrEnum):
    admin = "admin"
    duty_officer = "duty_officer"
    monitor = "monitor"
    viewer = "viewer"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: a party, in a role, with a token (directly, or through a console
    session opened with it)."""

    party: str
    role: Role
    token_id: str | None = None
    session_id: str | None = None


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(
    db: Database,
    *,
    party: str,
    role: Role | str,
    now: datetime,
    expires_at: datetime | None = None,
    label: str = "",
) -> tuple[token_store.StoredToken, str]:
    """Create a token; returns its record and the token itself (shown only now)."""
    try:
        role = Role(role)
    except ValueError:
        raise InvalidInput.at(
            ("role",), f"unknown role '{role}': use {', '.join(r.value for r in Role)}"
        ) from None
    if expires_at is not None and expires_at <= now:
        raise InvalidInput.at(("expires_at",), "must be in the future")
    token_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    record = token_store.StoredToken(
        id=token_id,
        party_id=party,
        role=role.value,
        secret_hash=_hash(secret),
        label=label,
        created_at=now,
        expires_at=expires_at,
        revoked_at=None,
    )
    with db.writing() as connection:
        known = connection.execute(sa.select(parties.c.id).where(parties.c.id == party)).first()
        if known is None:
            raise InvalidInput.at(("party",), f"no party '{party}'")
        token_store.insert_token(connection, record)
    return record, f"dlt_{token_id}_{secret}"


def _lapsed(record: token_store.StoredToken, now: datetime) -> str | None:
    """Why a known token no longer stands for anyone at ``now`` (None while it does): the one
    rule, for a request and for a stream that stays open."""
    if record.revoked_at is not None:
        return f"token revoked at {format_time(record.revoked_at)}"
    if record.expires_at is not None and record.expires_at <= now:
        return f"token expired at {format_time(record.expires_at)}"
    return None


def authenticate(db: Database, presented: str | None, now: datetime) -> Principal:
    """The principal a bearer token stands for; Unauthenticated when it is missing, unknown,
    expired or revoked (the message says which, without revealing any secret)."""
    token_id, secret = parse_token(presented)
    with db.reading() as connection:
        record = token_store.find_token(connection, token_id)
    return principal_of(record, secret, now)


def parse_token(presented: str | None) -> tuple[str, str]:
    """``(token id, secret)`` of a bearer token; Unauthenticated when missing or malformed."""
    if not presented:
        raise Unauthenticated("a bearer token is required (Authorization: Bearer dlt_...)")
    match = _TOKEN_RE.match(presented.strip())
    if match is None:
        raise Unauthenticated("malformed token")
    token_id, secret = match.groups()
    return token_id, secret


def principal_of(record: token_store.StoredToken | None, secret: str, now: datetime) -> Principal:
    """The principal the stored token ``record`` stands for at ``now``, when ``secret`` is
    its secret; Unauthenticated otherwise (unknown, expired or revoked)."""
    if record is None or not hmac.compare_digest(record.secret_hash, _hash(secret)):
        raise Unauthenticated("unknown token")
    usable(record, now)
    return Principal(record.party_id, Role(record.role), record.id)


def lapsed(record: token_store.StoredToken | None, now: datetime) -> bool:
    """Whether a token no longer stands for anyone at ``now`` (unknown, revoked, expired)."""
    return record is None or _lapsed(record, now) is not None


def usable(record: token_store.StoredToken | None, now: datetime) -> token_store.StoredToken:
    """The token record if it still stands for its party at ``now``; Unauthenticated saying
    why not (unknown, revoked, expired)."""
    if record is None:
        raise Unauthenticated("unknown token")
    lapsed = _lapsed(record, now)
    if lapsed is not None:
        raise Unauthenticated(lapsed)
    return record


def session_stands(db: Database, principal: Principal, now: datetime) -> bool:
    """Whether the console session ``principal`` came through, if any, is still open at
    ``now`` (a principal of a bearer token has none: it stands)."""
    if principal.session_id is None:
        return True
    with db.reading() as connection:
        session = session_store.find_session(connection, principal.session_id)
    return session is not None and session.ended_at is None and session.expires_at > now


def revoke_token(db: Database, token_id: str, now: datetime) -> None:
    with db.writing() as connection:
        record = token_store.find_token(connection, token_id)
        if record is None:
            raise NotFound("token", token_id)
        token_store.revoke_token(connection, token_id, now)


def list_tokens(db: Database, party: str | None = None) -> list[token_store.StoredToken]:
    with db.reading() as connection:
        return token_store.list_tokens(connection, party)
