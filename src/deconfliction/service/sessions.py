"""Console sessions: a bearer token (or a one-time sign-in code) exchanged for a session that
a browser keeps in an HttpOnly cookie.

The cookie holds ``<session id>.<secret>``; the store keeps the SHA-256 of the secret.  A
session acts for the party and role of the token it was opened with, expires with it at the
latest, and ends when that token is revoked.  Writes made with the cookie must carry the CSRF
token, an HMAC of the session's secret: a page of another origin can neither read the cookie
nor compute it.

A sign-in code is a one-time stand-in for a token, for links (``deconflict serve --demo``
prints one per party): it can be exchanged for a session once, before it expires, and never
used as a bearer token.  Codes are stored as hashes.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from deconfliction.engine.errors import Forbidden, InvalidInput, Unauthenticated
from deconfliction.engine.times import format_time
from deconfliction.service.auth import Principal, Role, authenticate, usable
from deconfliction.store import sessions as store
from deconfliction.store.database import Database
from deconfliction.store.tokens import find_token

__all__ = [
    "COOKIE",
    "CSRF_HEADER",
    "OpenedSession",
    "check_write",
    "csrf_token",
    "end_session",
    "issue_signin_code",
    "open_session",
    "session_principal",
]

log = logging.getLogger("deconfliction.sessions")

COOKIE = "dl_session"
"""The session cookie's name."""
CSRF_HEADER = "X-CSRF-Token"
"""The header a write made with the session cookie must carry."""

_COOKIE_RE = re.compile(r"^([0-9a-f]{16})\.([A-Za-z0-9_-]{32,})$")
_CODE_RE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def csrf_token(secret: str) -> str:
    """The CSRF token of a session: an HMAC of its secret (so nothing more is stored).

    >>> len(csrf_token("x" * 43))
    64
    """
    return hmac.new(secret.encode(), b"deconfliction-csrf", hashlib.sha256).hexdigest()


@dataclass(frozen=True, slots=True)
class OpenedSession:
    """A session just opened: the cookie's value is known only now."""

    principal: Principal
    cookie: str
    csrf: str
    expires_at: datetime


def open_session(
    db: Database,
    *,
    now: datetime,
    lifetime: timedelta,
    token: str | None = None,
    code: str | None = None,
) -> OpenedSession:
    """Check a bearer token or a sign-in code and open a session for its party and role."""
    if (token is None) == (code is None):
        raise InvalidInput.at(("token",), "give a token or a sign-in code (one of them)")
    if token is not None:
        token_id = authenticate(db, token, now).token_id or ""
        with db.reading() as connection:
            found_token = find_token(connection, token_id)
        if found_token is None:  # revoked and removed in between: as unknown
            raise Unauthenticated("unknown token")
        record = found_token
    else:
        if code is None or _CODE_RE.match(code) is None:
            raise Unauthenticated("malformed sign-in code")
        with db.writing() as connection:
            found = store.use_code(connection, _hash(code), now)
            if found is None:
                raise Unauthenticated("this sign-in code is unknown, used or expired")
            record = usable(find_token(connection, found), now)
    expires = now + lifetime
    if record.expires_at is not None:
        expires = min(expires, record.expires_at)
    session_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    with db.writing() as connection:
        store.insert_session(
            connection,
            store.StoredSession(
                session_id,
                record.id,
                record.party_id,
                record.role,
                _hash(secret),
                now,
                expires,
                None,
            ),
        )
    log.info("session %s opened for %s as %s", session_id, record.party_id, record.role)
    principal = Principal(record.party_id, Role(record.role), record.id, session_id)
    return OpenedSession(principal, f"{session_id}.{secret}", csrf_token(secret), expires)


def _session(db: Database, cookie: str, now: datetime) -> tuple[store.StoredSession, str]:
    match = _COOKIE_RE.match(cookie.strip())
    if match is None:
        raise Unauthenticated("malformed session cookie: sign in again")
    session_id, secret = match.groups()
    with db.reading() as connection:
        found = store.find_session(connection, session_id)
        token = find_token(connection, found.token_id) if found is not None else None
    if found is None or not hmac.compare_digest(found.secret_hash, _hash(secret)):
        raise Unauthenticated("unknown session: sign in again")
    if found.ended_at is not None:
        raise Unauthenticated(f"session ended at {format_time(found.ended_at)}: sign in again")
    if found.expires_at <= now:
        raise Unauthenticated(f"session expired at {format_time(found.expires_at)}: sign in again")
    try:
        usable(token, now)
    except Unauthenticated as exc:
        raise Unauthenticated(f"the session's {exc}: sign in again") from None
    return found, secret


def session_principal(db: Database, cookie: str, now: datetime) -> tuple[Principal, str, datetime]:
    """The principal a session cookie stands for, the CSRF token its writes must carry, and
    when it expires; Unauthenticated when the session is unknown, ended or expired, or its
    token was revoked or expired."""
    found, secret = _session(db, cookie, now)
    principal = Principal(found.party_id, Role(found.role), found.token_id, found.id)
    return principal, csrf_token(secret), found.expires_at


def end_session(db: Database, cookie: str, now: datetime) -> None:
    """Sign out: the session is refused from now on."""
    found, _ = _session(db, cookie, now)
    with db.writing() as connection:
        store.end_session(connection, found.id, now)
    log.info("session %s ended", found.id)


def issue_signin_code(db: Database, token_id: str, now: datetime, lifetime: timedelta) -> str:
    """A one-time code that opens a session for ``token_id``'s party and role (for a link)."""
    code = secrets.token_urlsafe(24)
    with db.writing() as connection:
        usable(find_token(connection, token_id), now)
        store.insert_code(connection, _hash(code), token_id, now, now + lifetime)
    return code


def check_write(headers: Mapping[str, str], server_url: str, csrf: str) -> None:
    """A write made with a session cookie: Forbidden unless it carries the session's CSRF
    token and, if the browser names its origin, comes from the server's own host."""
    presented = headers.get(CSRF_HEADER.lower()) or headers.get(CSRF_HEADER) or ""
    if not hmac.compare_digest(presented.encode(), csrf.encode()):
        raise Forbidden(
            f"a write made with the session cookie needs the {CSRF_HEADER} header of its session"
        )
    origin = headers.get("origin")
    if origin is not None and urlsplit(origin).netloc != urlsplit(server_url).netloc:
        raise Forbidden(f"a write from another origin ({origin}) is refused")
