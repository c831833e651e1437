"""Signing in and out of the console: a token or a one-time sign-in code exchanged for a
session cookie (HttpOnly, SameSite=Strict) and a CSRF token for writes.

See ``service/sessions.py`` for what a session is and how it is checked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Cookie, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from deconfliction.engine.errors import Unauthenticated
from deconfliction.engine.model import UtcTime
from deconfliction.service import sessions
from deconfliction.service.auth import Principal
from deconfliction.service.clock import Clock
from deconfliction.store.database import Database

__all__ = ["Console", "router"]


@dataclass(frozen=True, slots=True)
class Console:
    """What the session endpoints need from the application."""

    db: Database
    clock: Clock
    lifetime: timedelta


class SignIn(BaseModel):
    """A bearer token, or a one-time sign-in code from a link (one of the two)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    token: str | None = Field(default=None, max_length=200, description="dlt_...")
    code: str | None = Field(default=None, max_length=200, description="From a sign-in link.")


class SessionPublic(BaseModel):
    party: str
    role: str
    expires_at: UtcTime
    server_time: UtcTime = Field(description="The server's clock: the console's 'now'.")
    csrf_token: str = Field(description="Send it as X-CSRF-Token with every write.")


router = APIRouter(prefix="/v1/session", tags=["console session"])

_AUTH_ERRORS: dict[int | str, dict[str, Any]] = {401: {"description": "Not signed in."}}
SessionCookie = Annotated[str | None, Cookie(alias=sessions.COOKIE, include_in_schema=False)]


def _console(request: Request) -> Console:
    console: Console = request.app.state.console
    return console


async def _held(
    request: Request, cookie: str | None
) -> tuple[Console, str, datetime, tuple[Principal, str, datetime]]:
    """The session the request's cookie holds (Unauthenticated if none): the console, the
    cookie, the time, and the session's principal, CSRF token and expiry."""
    console = _console(request)
    if not cookie:
        raise Unauthenticated("not signed in")
    now = console.clock.now()
    held = await run_in_threadpool(sessions.session_principal, console.db, cookie, now)
    return console, cookie, now, held


def _answer(
    principal: Principal, csrf: str, expires: datetime, now: datetime, status: int
) -> JSONResponse:
    body = SessionPublic(
        party=principal.party,
        role=principal.role.value,
        expires_at=expires,
        server_time=now,
        csrf_token=csrf,
    )
    return JSONResponse(body.model_dump(mode="json"), status_code=status)


@router.post(
    "",
    status_code=201,
    response_model=SessionPublic,
    responses={401: {"description": "Unknown, expired or revoked token or code."}},
    summary="Sign in to the console: a token or a sign-in code for a session cookie",
)
async def sign_in(body: SignIn, request: Request) -> Response:
    """Sets the `dl_session` cookie (HttpOnly, SameSite=Strict).  The token itself is never
    kept by the page.  A sign-in code works once."""
    console = _console(request)
    now = console.clock.now()
    opened = await run_in_threadpool(
        lambda: sessions.open_session(
            console.db, now=now, lifetime=console.lifetime, token=body.token, code=body.code
        )
    )
    response = _answer(opened.principal, opened.csrf, opened.expires_at, now, 201)
    response.set_cookie(
        sessions.COOKIE,
        opened.cookie,
        max_age=max(1, int((opened.expires_at - now).total_seconds())),
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get(
    "",
    response_model=SessionPublic,
    responses=_AUTH_ERRORS,
    summary="The console session this browser holds",
)
async def current(request: Request, cookie: SessionCookie = None) -> Response:
    _, _, now, (principal, csrf, expires) = await _held(request, cookie)
    response = _answer(principal, csrf, expires, now, 200)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.delete(
    "",
    status_code=204,
    responses=_AUTH_ERRORS,
    summary="Sign out: the session ends (writes need X-CSRF-Token)",
)
async def sign_out(request: Request, cookie: SessionCookie = None) -> Response:
    console, cookie, now, (_, csrf, _) = await _held(request, cookie)
    sessions.check_write(request.headers, str(request.base_url), csrf)
    await run_in_threadpool(sessions.end_session, console.db, cookie, now)
    response = Response(status_code=204)
    response.delete_cookie(sessions.COOKIE, path="/", httponly=True, samesite="strict")
    return response
