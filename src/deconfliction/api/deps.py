"""Dependencies shared by the routes (FastAPI's ``Depends`` aliases)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from deconfliction.api.services import Services
from deconfliction.engine.errors import KeyReused
from deconfliction.engine.ledger.receipts import Receipt
from deconfliction.service import records, sessions
from deconfliction.service.auth import Principal, authenticate
from deconfliction.service.coordinator import Tx
from deconfliction.store import hotline as hotline_store
from deconfliction.store.codec import canonical

__all__ = [
    "IdempotencyKey",
    "PrincipalDep",
    "ServicesDep",
    "write",
]

_bearer = HTTPBearer(
    auto_error=False, description="A party's token: `Authorization: Bearer dlt_...`"
)


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


_session_cookie = APIKeyCookie(
    name=sessions.COOKIE,
    auto_error=False,
    description="A console session (`POST /v1/session`); writes also need `X-CSRF-Token`.",
)


async def get_principal(
    request: Request,
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_session_cookie)],
) -> Principal:
    """The bearer token's principal; without one, the console session's (its writes checked
    for the CSRF token and the origin)."""
    db, now = services.coordinator.db, services.clock.now()
    if credentials is not None or cookie is None:
        token = credentials.credentials if credentials is not None else None
        return await run_in_threadpool(authenticate, db, token, now)
    principal, csrf, _ = await run_in_threadpool(sessions.session_principal, db, cookie, now)
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        sessions.check_write(request.headers, str(request.base_url), csrf)
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description=(
            "Any unique string chosen by the client.  A write retried with the same key is "
            "answered with the first answer and performed only once."
        ),
    ),
]


def _fingerprint(request_line: str, body: Any) -> str:
    return hashlib.sha256((request_line + "\n" + canonical(body)).encode()).hexdigest()


async def write(
    services: Services,
    principal: Principal,
    key: str | None,
    request_line: str,
    body: Any,
    command: Callable[[Tx], tuple[int, dict[str, Any]]],
) -> JSONResponse:
    """Run a write command on the writer and answer with its (status, JSON body), carrying
    the ledger's receipt.

    ``receipt`` proves the write's first entry (the notice filed, the acknowledgement, ...):
    the entry itself, its index and hash, the signed tree head and the inclusion proof.
    ``ledger.entries`` lists every other entry the write made that the caller may read (its
    receipt: ``GET /v1/ledger/entries/{index}``).

    With an idempotency key, the first answer is stored in the same transaction as the write;
    a retry with the same key and the same request gets that answer again, with receipts under
    the newest head (and the header ``Idempotent-Replayed: true``); the same key with a
    different request is refused.
    """
    fingerprint = _fingerprint(request_line, body)
    party = principal.party

    def run(tx: Tx) -> tuple[int, dict[str, Any], bool, list[Receipt]]:
        if key is not None:
            found = hotline_store.remembered_response(tx.connection, party, key)
            if found is not None:
                stored_hash, status, response = found
                if stored_hash != fingerprint:
                    raise KeyReused("this Idempotency-Key was already used for a different request")
                stored = json.loads(response)
                again = [records.receipt(tx, party, i) for i in stored["ledger_entries"]]
                return status, stored["body"], True, again
        before = len(tx.entries)
        status, response_body = command(tx)
        if key is not None:
            mine = [a.index for a in tx.entries[before:] if party in a.audience]
            hotline_store.remember_response(
                tx.connection,
                party,
                key,
                fingerprint,
                status,
                canonical({"body": response_body, "ledger_entries": mine}),
                tx.now,
            )
        return status, response_body, False, []

    (status, response_body, replayed, again), receipts = await run_in_threadpool(
        services.writer.execute_receipted, run, party
    )
    proofs = again if replayed else receipts
    if proofs:
        response_body = response_body | {
            "receipt": proofs[0].to_dict(),
            "ledger": {
                "tree_head": proofs[0].tree_head.to_dict(),
                "entries": [
                    {
                        "index": r.index,
                        "leaf_hash": r.leaf_hash.hex(),
                        "type": r.to_dict()["type"],
                        "subject": r.to_dict()["subject"],
                    }
                    for r in proofs
                ],
            },
        }
    headers = {"Idempotent-Replayed": "true"} if replayed else None
    return JSONResponse(response_body, status_code=status, headers=headers)
