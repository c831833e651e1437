"""The tokens in memory: a request is authenticated without reading the store.

Reading the token's row cost a read transaction per request, about a tenth of a filing's CPU
(bench/RESULTS.md).  The table keeps every token record (a hash, a party, a role, three
times: a few hundred bytes each) and checks at most every ``refresh_s`` seconds, with one
aggregate query, whether any token was created or revoked since it loaded them
(:func:`~deconfliction.store.tokens.tokens_mark`: tokens are never deleted and a revocation is
final, so a count of each says whether anything changed).  When something did, it loads them
again.

So a token created by ``deconflict token create`` (another process, another node) is known at
once: an unknown token id makes the table ask again (one aggregate query: a made-up token costs
no more than the look-up by id did).  A token revoked elsewhere is refused within ``refresh_s``
seconds; expiry is decided on each request with the caller's clock, as before.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime

from deconfliction.service.auth import (
    Principal,
    lapsed,
    parse_token,
    principal_of,
    session_stands,
)
from deconfliction.store import tokens as token_store
from deconfliction.store.database import Database

__all__ = ["TokenTable"]


class TokenTable:
    """Every stored token, refreshed when the store's tokens change (thread-safe)."""

    def __init__(self, db: Database, *, refresh_s: float = 1.0) -> None:
        self.db = db
        self.refresh_s = refresh_s
        self._lock = threading.Lock()
        self._records: dict[str, token_store.StoredToken] = {}
        self._mark: tuple[int, int] | None = None
        self._checked = -float("inf")
        self.loads = 0
        """How many times the table was loaded (for the tests)."""

    def _refresh(self, *, force: bool = False) -> None:
        with self._lock:
            now = time.monotonic()
            if not force and now - self._checked < self.refresh_s:
                return
            with self.db.reading() as connection:
                mark = token_store.tokens_mark(connection)
                if mark != self._mark:
                    records = token_store.list_tokens(connection)
                    self._records = {r.id: r for r in records}
                    self._mark = mark
                    self.loads += 1
            self._checked = now

    def stale(self) -> bool:
        """Whether the next look-up will first ask the store (call :meth:`refresh` off the
        event loop then)."""
        return time.monotonic() - self._checked >= self.refresh_s

    def refresh(self) -> None:
        """Look for created or revoked tokens now (when ``refresh_s`` has passed)."""
        self._refresh()

    def find(self, token_id: str) -> token_store.StoredToken | None:
        """The stored token ``token_id`` as of at most ``refresh_s`` seconds ago (an unknown
        id is looked up again at once)."""
        if self.stale():
            self._refresh()
        record = self._records.get(token_id)
        if record is None:
            # Perhaps created a moment ago: one aggregate query says whether to load again (a
            # made-up token costs that query, no more than a look-up by id did).
            self._refresh(force=True)
            record = self._records.get(token_id)
        return record

    def authenticate(self, presented: str | None, now: datetime) -> Principal:
        """As :func:`deconfliction.service.auth.authenticate`, from memory."""
        token_id, secret = parse_token(presented)
        return principal_of(self.find(token_id), secret, now)

    def still_valid(self, principal: Principal, now: datetime) -> bool:
        """Whether ``principal``'s token, and the console session it came through if any, still
        stand at ``now`` (a live stream asks while it stays open): the token from memory, the
        session (rare beside tokens, and ended by signing out) from the store; a principal
        without a token (the operator) always does."""
        if principal.token_id is None:
            return True
        return not lapsed(self.find(principal.token_id), now) and session_stands(
            self.db, principal, now
        )
