"""The DSS interface as its own application, mounted at ``/dss/v1`` on the API.

Its own application because its contract is the standard's, not ours: bearer JWTs of the
USS ecosystem instead of our tokens, and error bodies in the standard's ``ErrorResponse``
shape (``{"message": ...}``).  The domain's errors become statuses here, in one place
(:data:`STATUS`).  Every write answers with the receipt of its ledger entry in the header
``Deconfliction-Receipt`` (base64url of the receipt's JSON), so the body stays exactly the
standard's.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from deconfliction.api.services import Services
from deconfliction.engine.documents import read_json
from deconfliction.engine.dss import AirspaceConflict, AreaTooLarge, UssDown, VersionMismatch
from deconfliction.engine.errors import (
    ConflictingRecord,
    DeconflictionError,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthenticated,
)
from deconfliction.service.coordinator import Tx
from deconfliction.service.dss import (
    availability,
    constraints,
    index,
    oirs,
    references,
    subscriptions,
)
from deconfliction.service.dss.auth import DssClient, TokenVerifier
from deconfliction.service.dss.common import DssConfig

__all__ = ["STATUS", "create_dss_app"]

log = logging.getLogger("deconfliction.dss")

STATUS: dict[type[DeconflictionError], int] = {
    InvalidInput: 400,
    AreaTooLarge: 400,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    ConflictingRecord: 409,
    VersionMismatch: 409,
    AirspaceConflict: 409,
    UssDown: 412,
}
"""The one place where the domain's errors become the DSS interface's statuses."""


def _message(exc: DeconflictionError) -> str:
    if isinstance(exc, NotFound):
        return f"not found: {exc.kind} {exc.ident}"
    return str(exc)


async def _domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DeconflictionError)
    status = next((STATUS[c] for c in type(exc).__mro__ if c in STATUS), 500)
    if isinstance(exc, AirspaceConflict):
        return JSONResponse(exc.body, status_code=409)
    if status == 500:
        log.error("DSS request failed: %s", exc)
    headers = {"WWW-Authenticate": 'Bearer realm="dss"'} if status == 401 else None
    return JSONResponse({"message": _message(exc)}, status_code=status, headers=headers)


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return JSONResponse({"message": str(exc.detail)}, status_code=exc.status_code)


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected failure on %s %s", request.method, request.url.path)
    return JSONResponse({"message": "unexpected failure; it has been logged"}, status_code=500)


def _receipt_headers(receipts: list[Any], primary: str) -> dict[str, str]:
    """The receipt of the write's own entry (the first of type ``primary``; an implicit
    subscription's entry may come before it) and the index of every entry it made."""
    if not receipts:
        return {}
    chosen = next((r for r in receipts if r.to_dict()["type"].startswith(primary)), receipts[0])
    text = json.dumps(chosen.to_dict(), separators=(",", ":"), sort_keys=True)
    return {
        "Deconfliction-Receipt": base64.urlsafe_b64encode(text.encode()).decode().rstrip("="),
        "Deconfliction-Ledger-Entries": ",".join(str(r.index) for r in receipts),
    }


Read = Callable[[Callable[[Tx], Any]], Awaitable[JSONResponse]]
Write = Callable[[Callable[[Tx], tuple[int, Any]], str], Awaitable[JSONResponse]]


def _mount_references(
    app: FastAPI,
    kind: references.Kind,
    client_of: Callable[[Request], DssClient],
    body_of: Callable[[Request], Awaitable[Any]],
    read: Read,
    write: Write,
    config: DssConfig,
) -> None:
    """The five routes of a reference kind (query, get, create, update, delete), named
    ``query_<short>s``, ``get_<short>``, ``create_<short>``, ``update_<short>`` and
    ``delete_<short>`` as in the standard's operation list."""
    base = f"/{kind.collection}"
    primary = f"dss.{kind.table}."

    async def query(request: Request) -> JSONResponse:
        client = client_of(request)
        body = await body_of(request)
        return await read(lambda tx: references.query_references(kind, tx, client, body, config))

    async def get(entityid: str, request: Request) -> JSONResponse:
        client = client_of(request)
        return await read(lambda tx: references.get_reference(kind, tx, client, entityid))

    async def create(entityid: str, request: Request) -> JSONResponse:
        return await update(entityid, "", request)

    async def update(entityid: str, ovn: str, request: Request) -> JSONResponse:
        client = client_of(request)
        body = await body_of(request)
        return await write(
            lambda tx: references.put_reference(kind, tx, client, entityid, ovn, body, config),
            primary,
        )

    async def delete(entityid: str, ovn: str, request: Request) -> JSONResponse:
        client = client_of(request)
        return await write(
            lambda tx: (
                200,
                references.delete_reference(kind, tx, client, entityid, ovn, config),
            ),
            primary,
        )

    short = kind.short
    app.add_api_route(f"{base}/query", query, methods=["POST"], name=f"query_{short}s")
    app.add_api_route(f"{base}/{{entityid}}", get, methods=["GET"], name=f"get_{short}")
    app.add_api_route(f"{base}/{{entityid}}", create, methods=["PUT"], name=f"create_{short}")
    app.add_api_route(
        f"{base}/{{entityid}}/",
        create,
        methods=["PUT"],
        name=f"create_{short}",
        include_in_schema=False,
    )
    app.add_api_route(
        f"{base}/{{entityid}}/{{ovn}}", update, methods=["PUT"], name=f"update_{short}"
    )
    app.add_api_route(
        f"{base}/{{entityid}}/{{ovn}}", delete, methods=["DELETE"], name=f"delete_{short}"
    )


def create_dss_app(services: Services) -> FastAPI:
    """The DSS application around ``services`` (their writer and store)."""
    settings = services.settings
    if not settings.dss_public_key:
        raise InvalidInput.at(
            ("DECONFLICT_DSS_PUBLIC_KEY",),
            "required when the DSS is enabled: the public key that signs access tokens",
        )
    verifier = TokenVerifier.from_file(settings.dss_public_key, settings.dss_audience)
    config = DssConfig(settings.dss_party, settings.dss_max_area_km2)
    # The index of footprints is built by the writer as soon as it runs, not by a request.
    services.writer.submit(index.build)
    app = FastAPI(
        title="Deconfliction Line: ASTM F3548-21 DSS",
        description="The DSS interface of utm.yaml (astm-utm/Protocol), on the same record.",
        docs_url="/docs",
        openapi_url="/openapi.json",
    )
    app.add_exception_handler(DeconflictionError, _domain)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)

    def client_of(request: Request) -> DssClient:
        return verifier.verify(request.headers.get("authorization"))

    async def body_of(request: Request) -> Any:
        raw = await request.body()
        if not raw:
            raise InvalidInput.at(("body",), "a JSON body is required")
        try:
            return read_json(raw)
        except InvalidInput as exc:
            raise exc.under("body") from None

    async def read(command: Callable[[Tx], Any]) -> JSONResponse:
        return JSONResponse(await run_in_threadpool(services.writer.execute, command))

    async def write(command: Callable[[Tx], tuple[int, Any]], primary: str) -> JSONResponse:
        (status, body), receipts = await run_in_threadpool(
            services.writer.execute_receipted, command, config.party
        )
        return JSONResponse(body, status_code=status, headers=_receipt_headers(receipts, primary))

    # -- operational intent and constraint references: one set of routes per kind --------------

    for kind in (oirs.KIND, constraints.KIND):
        _mount_references(app, kind, client_of, body_of, read, write, config)

    # -- subscriptions ---------------------------------------------------------------------------

    @app.post("/subscriptions/query")
    async def query_subscriptions(request: Request) -> JSONResponse:
        client = client_of(request)
        body = await body_of(request)
        return await read(lambda tx: subscriptions.query_subscriptions(tx, client, body, config))

    @app.get("/subscriptions/{subscriptionid}")
    async def get_subscription(subscriptionid: str, request: Request) -> JSONResponse:
        client = client_of(request)
        return await read(lambda tx: subscriptions.get_subscription(tx, client, subscriptionid))

    @app.put("/subscriptions/{subscriptionid}")
    @app.put("/subscriptions/{subscriptionid}/", include_in_schema=False)
    async def create_subscription(subscriptionid: str, request: Request) -> JSONResponse:
        client = client_of(request)
        body = await body_of(request)
        return await write(
            lambda tx: (
                200,
                subscriptions.put_subscription(tx, client, subscriptionid, "", body, config),
            ),
            "dss.subscription.",
        )

    @app.put("/subscriptions/{subscriptionid}/{version}")
    async def update_subscription(
        subscriptionid: str, version: str, request: Request
    ) -> JSONResponse:
        client = client_of(request)
        body = await body_of(request)
        return await write(
            lambda tx: (
                200,
                subscriptions.put_subscription(tx, client, subscriptionid, version, body, config),
            ),
            "dss.subscription.",
        )

    @app.delete("/subscriptions/{subscriptionid}/{version}")
    async def delete_subscription(
        subscriptionid: str, version: str, request: Request
    ) -> JSONResponse:
        client = client_of(request)
        return await write(
            lambda tx: (
                200,
                subscriptions.delete_subscription(tx, client, subscriptionid, version, config),
            ),
            "dss.subscription.",
        )

    # -- a delete without its OVN or version (an empty last segment; a PUT so addressed is a
    # creation, answered as such) -------------------------------------------------------------

    async def missing_version(request: Request) -> JSONResponse:
        client_of(request)
        raise InvalidInput.at(("path",), "the OVN (or version) of the entity to delete is required")

    for collection in (oirs.KIND.collection, constraints.KIND.collection, "subscriptions"):
        for path in (f"/{collection}/{{entityid}}", f"/{collection}/{{entityid}}/"):
            app.add_api_route(path, missing_version, methods=["DELETE"], include_in_schema=False)

    # -- availability and reports ----------------------------------------------------------------

    @app.get("/uss_availability/{uss_id}")
    async def get_availability(uss_id: str, request: Request) -> JSONResponse:
        client = client_of(request)
        return await read(lambda tx: availability.get_availability(tx, client, uss_id))

    @app.put("/uss_availability/{uss_id}")
    async def set_availability(uss_id: str, request: Request) -> JSONResponse:
        client = client_of(request)
        body = await body_of(request)
        return await write(
            lambda tx: (200, availability.set_availability(tx, client, uss_id, body, config)),
            "dss.availability.",
        )

    @app.post("/reports")
    async def make_report(request: Request) -> JSONResponse:
        client = client_of(request)
        body = await body_of(request)
        return await write(
            lambda tx: (201, availability.make_report(tx, client, body, config)), "dss.report."
        )

    return app
