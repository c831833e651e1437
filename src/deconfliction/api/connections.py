"""Connections: how long a client may hold one without sending a request.

uvicorn closes a kept-alive connection that stays silent after a response, but not a new
connection that sends nothing, nor one that sends its request head a byte a minute (each byte
used to restart nothing at all).  Here one rule covers the three: from the moment a connection
is ready for a request (opened, or its previous response sent), the whole request head must
arrive within ``DECONFLICT_IDLE_TIMEOUT_S``, or the connection is closed.  The body then has its
own limit (:mod:`deconfliction.api.bodies`), and the size of a head is bounded (16 KiB).

Requests are parsed by httptools (llhttp, in C; ``uvicorn[standard]`` installs it), not h11:
h11's parser and its chunked writer, in Python, cost a large share of a request's HTTP path and
of every live-stream event's sending.
"""

from __future__ import annotations

import asyncio
from typing import Any

import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from deconfliction.service.settings import Settings

__all__ = ["GuardedHttpToolsProtocol", "server_config"]

MAX_HEAD_BYTES = 16 * 1024
"""The largest request head (request line and header fields) a connection may send."""


class _HeadTooLarge(Exception):
    pass


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, with a deadline on the request head from the moment the
    connection is ready for one (uvicorn's keep-alive timer, kept armed until the head is
    complete rather than stopped by the first byte), and at most :data:`MAX_HEAD_BYTES` of
    head (a 400, then the connection is closed, as for any request the parser refuses)."""

    _head_deadline: float | None = None
    _head_bytes = 0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_head()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._head_bytes = 0

    def on_url(self, url: bytes) -> None:
        self._count(len(url))
        super().on_url(url)

    def on_header(self, name: bytes, value: bytes) -> None:
        self._count(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._head_deadline = None
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # uvicorn armed its keep-alive timer: nothing pipelined has begun, so the next
        # head is awaited from now (a pipelined request already started has its head in).
        if self.timeout_keep_alive_task is not None:
            self._await_head()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)  # stops uvicorn's timer
        if self._head_deadline is not None and not self.transport.is_closing():
            self._unset_keepalive_if_required()
            self.timeout_keep_alive_task = self.loop.call_at(
                self._head_deadline, self.timeout_keep_alive_handler
            )

    def _count(self, size: int) -> None:
        self._head_bytes += size
        if self._head_bytes > MAX_HEAD_BYTES:
            # Raised in a parser callback: the parser fails, and uvicorn answers 400.
            raise _HeadTooLarge

    def _await_head(self) -> None:
        self._head_deadline = self.loop.time() + self.timeout_keep_alive
        self._unset_keepalive_if_required()
        self.timeout_keep_alive_task = self.loop.call_at(
            self._head_deadline, self.timeout_keep_alive_handler
        )


def server_config(app: Any, settings: Settings, host: str, port: int, **options: Any) -> Any:
    """uvicorn's configuration for ``app`` with the connection limits of ``settings``."""
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=GuardedHttpToolsProtocol,
        timeout_keep_alive=settings.idle_timeout_s,  # type: ignore[arg-type]  # a float works
        **options,
    )
