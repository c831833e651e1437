"""Live push: a Server-Sent Events stream of the caller's feed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine, Mapping
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Header, Query
from starlette.responses import Response
from starlette.types import Message, Receive, Scope, Send

from deconfliction.api.deps import PrincipalDep, ServicesDep
from deconfliction.api.observability import OUTER_SEND
from deconfliction.api.schemas.common import MAX_INT64, errors
from deconfliction.service.streams import KEEP_ALIVE_S, TOKEN_CHECK_S, live_feed

__all__ = ["ChunkWriter", "EventStream", "router"]

router = APIRouter(tags=["live push"])

EVENT_TYPES = (
    "delivery.created, delivery.read, delivery.acknowledged, delivery.escalated, "
    "alert.opened, alert.updated, alert.closed, message.sent, and the caller's own items "
    "(notice.*, site.*, observation.*)"
)

DESCRIPTION = f"""\
A [Server-Sent Events](https://html.spec.whatwg.org/multipage/server-sent-events.html) stream of
the caller's party's feed: new inbox items, alerts naming the party, escalations, reads and
acknowledgements of its items, and its own filings, as they are recorded, in the order of the
record.  A party never receives another party's events.

Each event is:

    id: 4711
    event: delivery.created
    data: {{"seq": 4711, "type": "delivery.created", "subject": "dv-...",
            "recorded_at": "2026-11-24T09:59:10.123456Z", "payload": {{...}}}}

`id` is the record's sequence number.  Types: {EVENT_TYPES}.

**Resuming.**  Reconnect with the header `Last-Event-ID: <last id received>` (browsers'
`EventSource` does this by itself) to receive every event after it, nothing missed and nothing
twice.  Clients that cannot set headers may pass `?last_event_id=`; the header wins when both
are given.  `Last-Event-ID: 0` replays the whole feed.  Without either, the stream starts with
an `id:` line holding the current position (no event), and carries what is recorded from then
on.

A comment line (`: keep-alive`) is sent after {KEEP_ALIVE_S:.0f} s of silence.  The stream
ends when the server shuts down (reconnect as above) and, within {TOKEN_CHECK_S:.0f} s, when its
token is revoked or expires.
"""


def _chunk(body: bytes) -> Message:
    return {"type": "http.response.body", "body": body, "more_body": True}


class ChunkWriter:
    """Writes a live stream's chunks from the feed hub's task (:attr:`write`, given to the hub
    as the subscription's sink), so that an event does not resume the stream's task, its task
    group's wrapper, its generator and a timer for every stream that carries it.

    The server's ``send`` is a coroutine function, and a chunk's send returns at once unless
    the client is not reading (the server then waits until its buffer drains).  So
    :meth:`write` runs the coroutine by hand: done at the first step, that was the whole send;
    if it waits, a task finishes it, and until it has, :meth:`write` refuses (the hub then
    hands the events to the stream, which sends them after it: :meth:`settle`), so the chunks
    keep their order and a slow client gets no more than before."""

    def __init__(self) -> None:
        self.send: Any = None
        """The server's send (bound when the stream starts); refused until then."""
        self.busy = False
        """The stream's own send is under way: refused meanwhile."""
        self._waiting: asyncio.Task[None] | None = None

    def write(self, chunk: bytes) -> bool:
        if self.send is None or self.busy or self._waiting is not None:
            return False
        step: Coroutine[Any, Any, None] = self.send(_chunk(chunk))
        try:
            waits_for = step.send(None)
        except StopIteration:
            return True
        except OSError:  # the client went away (ASGI 2.4 servers): the stream ends by itself
            return True
        except Exception:
            # Anything else is the stream's own to meet (and end with), on its next send.
            self.send = None
            return False
        self._waiting = asyncio.ensure_future(_finish(step, waits_for))
        return True

    async def settle(self) -> None:
        """Wait until a chunk written here has gone (before the stream sends its own)."""
        waiting = self._waiting
        if waiting is not None:
            try:
                await waiting
            finally:
                self._waiting = None

    def close(self) -> None:
        self.send = None
        if self._waiting is not None:
            self._waiting.cancel()


async def _finish(step: Coroutine[Any, Any, None], waits_for: Any) -> None:
    """Run a send that :meth:`ChunkWriter.write` started to its end: each time it waits for a
    future, wait for that future here (as a task would), then step it on."""
    try:
        while True:
            if waits_for is None:  # a bare yield: give the loop a turn
                await asyncio.sleep(0)
            else:
                await asyncio.wait((waits_for,))
            waits_for = step.send(None)
    except (StopIteration, OSError):
        pass
    finally:
        step.close()


class EventStream(Response):
    """A ``text/event-stream`` response that ends as soon as the client disconnects (whatever
    ASGI version the server speaks) or the stream ends.  ``writer`` (the one ``body`` was given
    as its sink, if any) is bound to the server's send when the stream starts."""

    media_type = "text/event-stream"

    def __init__(
        self,
        body: AsyncIterator[bytes],
        headers: Mapping[str, str],
        writer: ChunkWriter | None = None,
    ) -> None:
        self.body_iterator = body
        self.writer = writer
        self.status_code = 200
        self.background = None
        self.init_headers(headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        # The chunks go straight to the server's send: the layers between only look at the
        # start (see OUTER_SEND).
        body = scope.get(OUTER_SEND, send)
        writer = self.writer
        if writer is not None:
            writer.send = body

        async def pump(cancel: anyio.CancelScope) -> None:
            try:
                async for chunk in self.body_iterator:
                    if writer is None:
                        await body(_chunk(chunk))
                        continue
                    writer.busy = True
                    try:
                        await writer.settle()
                        await body(_chunk(chunk))
                    finally:
                        writer.busy = False
                if writer is not None:
                    writer.send = None  # no more from the hub; the last one written goes first
                    await writer.settle()
                await body({"type": "http.response.body", "body": b"", "more_body": False})
            except OSError:  # the client went away while we wrote (ASGI 2.4 servers)
                pass
            cancel.cancel()

        try:
            async with anyio.create_task_group() as group:
                group.start_soon(pump, group.cancel_scope)
                while (await receive())["type"] != "http.disconnect":
                    pass
                group.cancel_scope.cancel()
        finally:
            if writer is not None:
                writer.close()
            aclose = getattr(self.body_iterator, "aclose", None)
            if aclose is not None:
                with anyio.CancelScope(shield=True):
                    await aclose()


@router.get(
    "/v1/stream",
    summary="Live push of the caller's feed (Server-Sent Events)",
    description=DESCRIPTION,
    status_code=200,
    response_class=EventStream,
    responses={
        200: {
            "description": "An endless `text/event-stream`.",
            "content": {"text/event-stream": {"schema": {"type": "string"}}},
        },
        **errors(401, 422),
    },
)
async def stream(
    principal: PrincipalDep,
    services: ServicesDep,
    last_event_id: Annotated[
        int | None,
        Header(
            alias="Last-Event-ID",
            ge=0,
            le=MAX_INT64,
            description="Resume after this event (sent by `EventSource` when it reconnects).",
        ),
    ] = None,
    last_event_id_query: Annotated[
        int | None,
        Query(
            alias="last_event_id",
            ge=0,
            le=MAX_INT64,
            description="The same, for clients that cannot set headers; the header wins.",
        ),
    ] = None,
) -> EventStream:
    last = last_event_id if last_event_id is not None else last_event_id_query
    db = services.coordinator.db

    def valid() -> bool:
        return services.tokens.still_valid(principal, services.clock.now())

    writer = ChunkWriter()
    body = live_feed(services.feeds, db, principal.party, last, valid, writer.write)
    return EventStream(
        body,
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        writer=writer,
    )
