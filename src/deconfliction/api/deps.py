"""Dependencies shared by the routes (FastAPI's ``Depends`` aliases), and the two ways a route
runs a use case: :class:`Reads` (off the writer, every read recorded) and :class:`Writes`
(on the writer, answered with the ledger's receipt, idempotent under a key)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Header, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from deconfliction.api.schemas.common import Receipted
from deconfliction.api.services import Services
from deconfliction.engine.errors import MalformedRequest
from deconfliction.engine.ledger.receipts import Receipt
from deconfliction.service import sessions
from deconfliction.service.auth import Principal
from deconfliction.service.coordinator import Tx
from deconfliction.service.idempotency import Answer, remember, replay
from deconfliction.service.ledger import WriteProof
from deconfliction.service.reading import Reader, read

__all__ = [
    "KEY_LENGTHS",
    "IdempotencyKey",
    "PrincipalDep",
    "ReadsDep",
    "ServicesDep",
    "Writes",
    "WritesDep",
    "bearer_principal",
]

A = TypeVar("A", bound=Receipted)
T = TypeVar("T")

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


async def bearer_principal(services: Services, token: str | None) -> Principal:
    """The principal of a bearer token (``None``: no token, which is refused)."""
    await services.fresh_tokens()  # in memory: see service/token_table.py
    return services.tokens.authenticate(token, services.clock.now())


async def get_principal(
    request: Request,
    services: ServicesDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    cookie: Annotated[str | None, Depends(_session_cookie)],
) -> Principal:
    """The bearer token's principal; without an Authorization header, the console session's
    (its writes checked for the CSRF token and the origin)."""
    if len(request.headers.getlist("authorization")) > 1:
        # Which one would count?  Proxies and servers disagree: refuse rather than guess.
        raise MalformedRequest("more than one Authorization header: send exactly one")
    if credentials is not None or cookie is None:
        return await bearer_principal(
            services, credentials.credentials if credentials is not None else None
        )
    db, now = services.coordinator.db, services.clock.now()
    principal, csrf, _ = await run_in_threadpool(sessions.session_principal, db, cookie, now)
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        sessions.check_write(request.headers, str(request.base_url), csrf)
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]

KEY_LENGTHS = (1, 200)
"""The lengths an ``Idempotency-Key`` may have."""

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=KEY_LENGTHS[0],
        max_length=KEY_LENGTHS[1],
        description=(
            "Any unique string chosen by the client.  A write retried with the same key is "
            "answered with the first answer and performed only once."
        ),
    ),
]


class Reads:
    """Runs a read use case off the writer (a read transaction of its own), then records
    through the writer what it showed the caller."""

    def __init__(self, services: ServicesDep, principal: PrincipalDep) -> None:
        self.services = services
        self.principal = principal

    async def __call__(self, query: Callable[[Reader], T]) -> T:
        services = self.services
        return await run_in_threadpool(
            read, services.coordinator, self.principal, query, services.writer.execute
        )


async def _reads(services: ServicesDep, principal: PrincipalDep) -> Reads:
    # An async factory: FastAPI runs a class's __init__ in a worker thread, a hop per request.
    return Reads(services, principal)


ReadsDep = Annotated[Reads, Depends(_reads)]


def _fingerprint(request_line: str, body: BaseModel | None) -> str:
    text = "null" if body is None else body.model_dump_json(by_alias=True)
    return hashlib.sha256(f"{request_line}\n{text}".encode()).hexdigest()


def _with_proofs(answer: A, proof: WriteProof) -> A:
    first = proof.receipt
    if first is None:
        return answer
    receipt = first.to_dict()
    refs = [
        {"index": e.index, "leaf_hash": e.leaf.hex(), "type": e.type, "subject": e.subject}
        for e in proof.entries
    ]
    # One validation for the receipt and every reference (a notice to nine parties lists
    # ten), not a model built at a time.
    proved = Receipted.model_validate(
        {"receipt": receipt, "ledger": {"tree_head": receipt["tree_head"], "entries": refs}}
    )
    return answer.model_copy(update={"receipt": proved.receipt, "ledger": proved.ledger})


class Writes:
    """Runs a write use case on the writer and answers with its receipted answer.

    With an ``Idempotency-Key``, the first answer is stored in the same transaction as the
    write; a retry with the same key and the same request (by the same token's role) gets that
    answer again, with receipts under the newest head and the header
    ``Idempotent-Replayed: true``; the same key with a different request is refused.
    """

    def __init__(
        self,
        request: Request,
        response: Response,
        services: ServicesDep,
        principal: PrincipalDep,
        key: IdempotencyKey = None,
    ) -> None:
        self.request = request
        self.response = response
        self.services = services
        self.principal = principal
        self.key = key

    @property
    def request_line(self) -> str:
        """``METHOD path``, which an idempotency key's fingerprint covers (built only for a
        request with a key: the request's URL is parsed to build it)."""
        return f"{self.request.method} {self.request.url.path}"

    async def __call__(
        self,
        answer_type: type[A],
        body: BaseModel | None,
        command: Callable[[Tx], Any],
        then: Callable[[Any], A] | None = None,
    ) -> A:
        """Run ``command`` on the writer; the answer is its result, or ``then(result)``.

        With ``then``, the answer (models, GeoJSON) is built after the commit, off the writer,
        which meanwhile serves the next commands; only a write under an ``Idempotency-Key``
        builds it inside, since its answer is stored with it.  The request waits for the
        commit in the event loop, holding no worker thread (a thread hop per request cost
        more than building the answer here)."""
        principal = self.principal
        key = self.key
        fingerprint = "" if key is None else _fingerprint(self.request_line, body)
        answer_of: Callable[[Any], A] = then or (lambda result: result)

        def run(tx: Tx) -> tuple[Any, list[Receipt] | None, bool]:
            if key is not None:
                found = replay(tx, principal, key, fingerprint)
                if found is not None:
                    stored, receipts = found
                    return answer_type.model_validate(json.loads(stored.body)), receipts, True
            before = len(tx.entries)
            result = command(tx)
            if key is None:
                return result, None, False
            answer = answer_of(result)
            body_text = answer.model_dump_json(by_alias=True, exclude={"receipt", "ledger"})
            remember(tx, principal, key, Answer(fingerprint, body_text), before)
            return answer, None, True

        # Waits in the event loop, woken when the batch has committed: no worker thread.
        (result, again, built), proof = await self.services.writer.run_receipted(
            run, principal.party
        )
        answer = result if built else answer_of(result)
        if again is not None:
            self.response.headers["Idempotent-Replayed"] = "true"
        return _with_proofs(answer, proof if again is None else WriteProof.of(again))


async def _writes(
    request: Request,
    response: Response,
    services: ServicesDep,
    principal: PrincipalDep,
    key: IdempotencyKey = None,
) -> Writes:
    return Writes(request, response, services, principal, key)


WritesDep = Annotated[Writes, Depends(_writes)]
