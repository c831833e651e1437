"""Idempotent writes: a write retried under the same key is performed once.

The first answer to a keyed write is remembered in the same transaction as the write, with the
ledger entries it made that the caller may read; a retry with the same key and the same request
gets that answer again, with receipts for those entries under the newest head.  The same key
with another request is refused, and so is a retry by a token of another role: a key is not a
way to read what a more privileged token was answered.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from deconfliction.engine.detection.roster import may_see
from deconfliction.engine.errors import Forbidden, KeyReused
from deconfliction.engine.ledger.receipts import Receipt
from deconfliction.service.auth import Principal
from deconfliction.service.coordinator import Tx
from deconfliction.store import idempotency as store
from deconfliction.store import ledger as ledger_store
from deconfliction.store.codec import canonical

__all__ = ["Answer", "remember", "replay"]


@dataclass(frozen=True, slots=True)
class Answer:
    """A write's answer as remembered: the request's fingerprint and the answer's JSON."""

    fingerprint: str
    body: str


def remember(tx: Tx, principal: Principal, key: str, answer: Answer, first_entry: int) -> None:
    """Remember ``answer`` under ``key`` for ``principal``'s party, with the entries the write
    made (from ``first_entry`` of the transaction's entries) that the party may read."""
    mine = [a.index for a in tx.entries[first_entry:] if may_see(principal.party, a.audience)]
    response = canonical(
        {"body": answer.body, "ledger_entries": mine, "role": principal.role.value}
    )
    store.remember(
        tx.connection,
        principal.party,
        key,
        store.Remembered(answer.fingerprint, 0, response),
        tx.now,
    )


def replay(
    tx: Tx, principal: Principal, key: str, fingerprint: str
) -> tuple[Answer, list[Receipt]] | None:
    """The remembered answer to ``key`` with fresh receipts, or None when the key is new."""
    found = store.remembered(tx.connection, principal.party, key)
    if found is None:
        return None
    if found.request_hash != fingerprint:
        raise KeyReused("this Idempotency-Key was already used for a different request")
    stored = json.loads(found.response)
    role = stored.get("role")
    if role is not None and role != principal.role.value:
        raise Forbidden(
            f"this Idempotency-Key was used by a {role} token: a {principal.role.value} token "
            "may not replay it"
        )
    head = ledger_store.latest_head(tx.connection)
    receipts = (
        []
        if head is None
        else [tx.ledger.stored_receipt(tx.connection, i, head) for i in stored["ledger_entries"]]
    )
    body = stored["body"]
    return Answer(fingerprint, body if isinstance(body, str) else json.dumps(body)), receipts
