"""Errors as HTTP: one mapping from the domain's exceptions to statuses, one JSON shape.

Every error answer is::

    {"error": {"status": 422, "type": "invalid_input", "message": "...",
               "problems": [{"path": "volumes[0].outline", "reason": "..."}]}}

``problems`` is present for invalid input.  A server error never shows a traceback.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from deconfliction.engine.errors import (
    ConflictingRecord,
    DeconflictionError,
    Forbidden,
    InvalidInput,
    KeyReused,
    MalformedRequest,
    NotFound,
    Problem,
    Unauthenticated,
    format_path,
)
from deconfliction.engine.scenario import problems_from_errors

__all__ = ["STATUS", "error_body", "install"]

log = logging.getLogger("deconfliction.api")

STATUS: dict[type[DeconflictionError], tuple[int, str]] = {
    InvalidInput: (422, "invalid_input"),
    KeyReused: (422, "idempotency_key_reused"),
    ConflictingRecord: (409, "conflicting_record"),
    NotFound: (404, "not_found"),
    Unauthenticated: (401, "unauthenticated"),
    Forbidden: (403, "forbidden"),
    MalformedRequest: (400, "malformed_request"),
}
"""The one place where domain errors become HTTP statuses."""


def error_body(
    status: int, kind: str, message: str, problems: list[Problem] | None = None
) -> dict[str, Any]:
    error: dict[str, Any] = {"status": status, "type": kind, "message": message}
    if problems is not None:
        error["problems"] = [{"path": format_path(p.path), "reason": p.reason} for p in problems]
    return {"error": error}


def _status_of(exc: DeconflictionError) -> tuple[int, str]:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400, "bad_request"


def _respond(status: int, body: dict[str, Any]) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Bearer realm="deconfliction"'} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)


async def _domain(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DeconflictionError)
    status, kind = _status_of(exc)
    problems = list(exc.problems) if isinstance(exc, InvalidInput) else None
    message = f"not found: {exc.kind} '{exc.ident}'" if isinstance(exc, NotFound) else str(exc)
    return _respond(status, error_body(status, kind, message, problems))


_LOCATIONS = frozenset({"body", "query", "path", "header", "cookie"})
_NOT_AN_OBJECT = frozenset({"model_attributes_type", "dict_type", "model_type"})


def _request_problems(exc: RequestValidationError) -> tuple[int, list[Problem]]:
    """Problems with a request, located like the scenario's (``volumes[0].outline``; a query
    parameter or header by its name); 400 when the body is not JSON at all."""
    malformed: list[Problem] = []
    located: list[dict[str, Any]] = []
    for item in exc.errors():
        if item.get("type") == "json_invalid":
            reason = f"not valid JSON: {item.get('ctx', {}).get('error', item.get('msg'))}"
            malformed.append(Problem(("body",), reason))
            continue
        loc = tuple(item.get("loc", ()))
        message = str(item.get("msg", "invalid"))
        if loc == ("body",) and item.get("type") in _NOT_AN_OBJECT:
            message = "the body must be a JSON object (Content-Type: application/json)"
        elif loc == ("body",) and item.get("type") == "missing":
            item = {**item, "type": "body_missing"}
            message = "a JSON body is required"
        if loc and loc[0] in _LOCATIONS:
            loc = loc[1:]
        located.append({**item, "loc": loc, "msg": message})
    if malformed:
        return 400, malformed
    return 422, problems_from_errors(located)


async def _validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    status, problems = _request_problems(exc)
    kind = "malformed_request" if status == 400 else "invalid_input"
    message = str(problems[0]) if problems else "invalid request"
    return _respond(status, error_body(status, kind, message, problems))


async def _http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    kinds = {
        400: "malformed_request",
        401: "unauthenticated",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
    }
    return _respond(
        exc.status_code,
        error_body(exc.status_code, kinds.get(exc.status_code, "http_error"), str(exc.detail)),
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unexpected failure on %s %s", request.method, request.url.path)
    return _respond(500, error_body(500, "server_error", "unexpected failure; it has been logged"))


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""
    app.add_exception_handler(DeconflictionError, _domain)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
