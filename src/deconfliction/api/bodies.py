"""Request bodies, read before any route sees them: in time, and as strict JSON.

A client that opens a request and then sends its body a byte at a time holds a connection and a
task for as long as it likes; so a body must arrive with no pause longer than
``DECONFLICT_BODY_TIMEOUT_S`` (408 otherwise, and the connection is closed).  A JSON body is
then read by the one rule every JSON reader follows
(:func:`deconfliction.engine.documents.read_json`): a key given twice, nesting deeper than the
bound or a ``NaN`` is a 400 naming the reason, as any other malformed JSON is, before the
framework's own reader (which would keep the last of two keys, or fail on deep nesting without
saying why) sees it.  The routes then read the same bytes.  Only the API's own paths
(``/v1/``) are checked here: an interface mounted beside it with its own error shape (the DSS)
reads its bodies by the same rule itself.
"""

from __future__ import annotations

import asyncio
import email.message
import functools
from typing import Any

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from deconfliction.api.errors import error_body
from deconfliction.engine.documents import read_json
from deconfliction.engine.errors import InvalidInput, Problem

__all__ = ["PARSED", "RAW", "BodyGuard", "json_content_type", "replay_body"]

PARSED = "deconfliction.json"
"""The scope key under which a JSON body, once read here, is kept for a route that reads it
itself (:mod:`deconfliction.api.fast`): the same value the framework's reader would give."""
RAW = "deconfliction.body"
"""The scope key of the body's bytes as read here (:class:`~deconfliction.api.fast.Direct`
answers from them; the layers within are given them again as ``receive``)."""

_WITH_BODY = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@functools.lru_cache(maxsize=64)
def json_content_type(value: bytes) -> bool:
    """Whether a Content-Type is JSON by the framework's rule (``application/json`` or
    ``application/*+json``, parameters allowed); remembered, since clients send one or two."""
    message = email.message.Message()
    message["content-type"] = value.decode("latin-1")
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


def _is_json(scope: Scope, body: bytes) -> bool:
    """Whether the body is JSON: a JSON content type, or none and a body that opens as a JSON
    object or array does (the framework reads a body without a content type as JSON; a route
    that reads raw lines, such as a track feed, gets text that does not)."""
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return json_content_type(value)
    return body.lstrip()[:1] in (b"{", b"[")


class BodyGuard:
    """ASGI middleware: the whole body within the pause allowed, then checked if it is JSON."""

    def __init__(self, app: ASGIApp, timeout_s: float, json_under: str = "/v1/") -> None:
        self.app = app
        self.timeout_s = timeout_s
        self.json_under = json_under

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _WITH_BODY:
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            try:
                # A timer on this task, not ``wait_for``: that makes a task of every read.
                async with asyncio.timeout(self.timeout_s):
                    message = await receive()
            except TimeoutError:
                reason = (
                    f"the request body paused for more than {self.timeout_s:g} s: "
                    "send it without stalling"
                )
                await _answer(408, "request_timeout", reason, scope, send, close=True)
                return
            if message["type"] == "http.disconnect":
                return
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = scope[RAW] = b"".join(chunks)
        if body and scope["path"].startswith(self.json_under) and _is_json(scope, body):
            try:
                scope[PARSED] = read_json(body)
            except InvalidInput as exc:
                reason = f"not valid JSON: {exc.problems[0].reason}"
                await _answer(400, "malformed_request", reason, scope, send)
                return
        await self.app(scope, replay_body(body, receive), send)


def replay_body(body: bytes, receive: Receive) -> Receive:
    """``receive`` with ``body`` given first, as one message (it was read already)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # the disconnect, when it comes

    return replay


async def _answer(
    status: int, kind: str, reason: str, scope: Scope, send: Send, *, close: bool = False
) -> None:
    problems = [Problem(("body",), reason)]
    headers: dict[str, Any] = {"Connection": "close"} if close else {}
    response = JSONResponse(
        error_body(status, kind, reason, problems), status_code=status, headers=headers
    )
    await response(scope, _no_receive, send)


async def _no_receive() -> Message:
    return {"type": "http.disconnect"}
