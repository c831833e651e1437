"""Live push (``GET /v1/stream``) over real HTTP, on SQLite and PostgreSQL.

A real uvicorn server runs in a thread; the tests read the Server-Sent Events with httpx's
streaming client and drive writes through the service layer.  Timeouts are safety nets only:
no test asserts how fast anything arrives.
"""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import anyio
import anyio.to_thread
import httpx
import pytest

from deconfliction.api.routes import stream as stream_route
from deconfliction.api.services import Services
from deconfliction.engine.model import Agreement, Notice, Party
from deconfliction.service.clock import FixedClock
from deconfliction.service.coordinator import Coordinator, Tx
from deconfliction.service.filing import file
from deconfliction.service.hotline import escalate_due
from deconfliction.store.feeds import feed_since
from tests.support.server import Api, running_server

pytestmark = pytest.mark.anyio

START = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
SAFETY_S = 20.0
"""Longest wait for anything over the network before a test fails (a safety net)."""


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


# -- the world -------------------------------------------------------------------------------


def _party(ident: str, kind: str = "armed_force", contacts: int = 2) -> Party:
    return Party.model_validate(
        {
            "id": ident,
            "name": ident.upper(),
            "kind": kind,
            "duty_contacts": [{"name": f"{ident} contact {i}"} for i in range(contacts)],
        }
    )


WORLD: list[Any] = [
    _party("a"),
    _party("b"),
    _party("c"),
    _party("m", "monitor", 1),
    Agreement.model_validate(
        {
            "id": "ab",
            "name": "A and B",
            "parties": ["a", "b"],
            "monitors": ["m"],
            "acknowledgement": {"deadline": "5 min", "step": "5 min"},
        }
    ),
]
"""a and b notify each other (m monitors them); c is bound by nothing."""

_notices = 0


def notice(author: str, *, lat: float = 33.2, lon: float = 35.77) -> Notice:
    """A fresh notice; two with the same position conflict."""
    global _notices
    _notices += 1
    return Notice.model_validate(
        {
            "id": f"n-{author}-{_notices}",
            "author": author,
            "kind": "air_operation",
            "filed_at": START.isoformat(),
            "volumes": [
                {
                    "outline": {"type": "circle", "center": [lon, lat], "radius": "4 km"},
                    "altitude": {"lower": "SFC", "upper": "FL100"},
                    "window": {
                        "start": "2026-11-24T12:00:00.000000Z",
                        "end": "2026-11-24T16:00:00.000000Z",
                    },
                }
            ],
        }
    )


# -- a real server ---------------------------------------------------------------------------


@dataclass
class Live:
    api: Api
    tokens: dict[str, str]

    @property
    def base_url(self) -> str:
        return self.api.url

    @property
    def services(self) -> Services:
        return self.api.services

    @property
    def clock(self) -> FixedClock:
        return self.api.clock

    async def run(self, command: Callable[[Tx], Any]) -> Any:
        """Run a write command on the server's writer (as a request would)."""
        return await anyio.to_thread.run_sync(self.api.run, command)

    async def file(self, item: Any) -> Any:
        return await self.run(lambda tx: file(tx, item))

    def feed(self, party: str, after: int) -> list[int]:
        """The party's feed in the database: the truth a stream must match."""
        with self.api.coordinator.db.reading() as connection:
            return [e.seq for e in feed_since(connection, party, after, 100_000)]


@pytest.fixture
def live(store_url: str) -> Iterator[Live]:
    """A real server (tests/support/server.py) with the small world above and a token per
    party."""
    for api in running_server(store_url, FixedClock(START)):
        api.record(WORLD)
        try:
            yield Live(api, {party: api.token(party) for party in ("a", "b", "c", "m")})
        finally:
            # Streams still open would keep the server from stopping.
            api.services.feeds.request_close()


# -- a streaming client ----------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    id: int | None
    type: str | None
    data: dict[str, Any] | None


async def _blocks(response: httpx.Response) -> AsyncIterator[Event]:
    """Parse the SSE stream into events (an ``id:``-only block gives an event without data)."""
    fields: dict[str, str] = {}
    async for line in response.aiter_lines():
        if line == "":
            if "id" in fields or "data" in fields:
                yield Event(
                    int(fields["id"]) if "id" in fields else None,
                    fields.get("event"),
                    json.loads(fields["data"]) if "data" in fields else None,
                )
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            fields[name] = value.removeprefix(" ")


class Stream:
    """``async with Stream(...)``: connected and subscribed once entered (the server's first
    block, holding the stream's position, has arrived)."""

    def __init__(
        self,
        live: Live,
        party: str,
        *,
        last_event_id: int | None = None,
        query: int | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {live.tokens[party]}"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = str(last_event_id)
        params = {"last_event_id": str(query)} if query is not None else {}
        self._client = httpx.AsyncClient(
            base_url=live.base_url, timeout=httpx.Timeout(SAFETY_S, read=SAFETY_S)
        )
        self._request = self._client.stream("GET", "/v1/stream", headers=headers, params=params)
        self.position = -1

    async def __aenter__(self) -> Stream:
        self.response = await self._request.__aenter__()
        assert self.response.status_code == 200, self.response.status_code
        assert self.response.headers["content-type"].startswith("text/event-stream")
        self._events = _blocks(self.response)
        with anyio.fail_after(SAFETY_S):
            first = await anext(self._events)
        assert first.data is None
        assert first.id is not None
        self.position = first.id
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._request.__aexit__(None, None, None)
        await self._client.aclose()

    async def take(self, count: int) -> list[Event]:
        """The next ``count`` events."""
        out: list[Event] = []
        with anyio.fail_after(SAFETY_S):
            while len(out) < count:
                event = await anext(self._events)
                if event.data is not None:
                    out.append(event)
        return out

    async def rest(self) -> list[Event]:
        """Every event until the server ends the stream."""
        with anyio.fail_after(SAFETY_S):
            return [event async for event in self._events]

    async def until(self, seq: int) -> list[Event]:
        """Every event up to and including ``seq``."""
        out: list[Event] = []
        with anyio.fail_after(SAFETY_S):
            while not out or (out[-1].id or 0) < seq:
                event = await anext(self._events)
                if event.data is not None:
                    out.append(event)
        return out


def _check_shape(events: list[Event]) -> None:
    for e in events:
        assert e.data is not None
        assert e.id == e.data["seq"]
        assert e.type == e.data["type"]
        assert set(e.data) == {"seq", "type", "subject", "recorded_at", "payload"}
    ids = [e.id for e in events]
    assert ids == sorted(set(ids)), "out of order or twice"


# -- tests -----------------------------------------------------------------------------------


async def test_a_stream_needs_a_valid_token(live: Live) -> None:
    async with httpx.AsyncClient(base_url=live.base_url, timeout=SAFETY_S) as client:
        missing = await client.get("/v1/stream")
        wrong = await client.get(
            "/v1/stream", headers={"Authorization": "Bearer dlt_0000000000000000_" + "x" * 43}
        )
        bad_id = await client.get(
            "/v1/stream",
            headers={"Authorization": f"Bearer {live.tokens['a']}", "Last-Event-ID": "soon"},
        )
    assert missing.status_code == 401
    assert wrong.status_code == 401
    assert missing.json()["error"]["type"] == "unauthenticated"
    assert bad_id.status_code == 422
    assert "Last-Event-ID" in bad_id.json()["error"]["problems"][0]["path"]


async def test_each_party_receives_its_own_feed_and_nothing_else(live: Live) -> None:
    async with (
        Stream(live, "a") as a,
        Stream(live, "b") as b,
        Stream(live, "c") as c,
        Stream(live, "m") as m,
    ):
        start = a.position
        first = await live.file(notice("a"))  # delivered to b
        second = await live.file(notice("b"))  # delivered to a, and conflicts with the first
        assert second.recorded.assessment.changes, "the two notices should conflict"
        last = await live.file(notice("c", lat=30.0, lon=30.0))  # c's own, delivered to no one
        for stream, party in ((a, "a"), (b, "b"), (c, "c"), (m, "m")):
            expected = live.feed(party, start)
            if not expected:
                continue
            received = await stream.until(expected[-1])
            _check_shape(received)
            assert [e.id for e in received] == expected, party

        # c's first event is its own notice: nothing of a's and b's came before it.
        assert live.feed("c", start) == [last.recorded.seq]
        assert live.feed("m", start) == []
        a_events = feed_types(live, "a", start)
        b_events = feed_types(live, "b", start)
        for types in (a_events, b_events):
            assert "delivery.created" in types
            assert "alert.opened" in types
        assert first.deliveries[0].recipient == "b"


def feed_types(live: Live, party: str, after: int) -> list[str]:
    with live.api.coordinator.db.reading() as connection:
        return [e.type for e in feed_since(connection, party, after, 1000)]


async def test_every_event_names_the_party_it_goes_to(live: Live) -> None:
    async with Stream(live, "b") as b:
        await live.file(notice("a"))
        await live.file(notice("b"))
        events = await b.until(live.feed("b", b.position)[-1])
    for e in events:
        assert e.data is not None
        payload = e.data["payload"]
        if e.type is not None and e.type.startswith("delivery."):
            delivery = payload["delivery"]
            assert "b" in (delivery["recipient"], delivery["sender"])
        elif e.type is not None and e.type.startswith("alert."):
            assert "b" in payload["change"]["alert"]["parties"]
        else:
            # A notice's own entry: b filed it, or it is addressed to b.
            assert e.type == "notice.filed"
            roster = live.api.coordinator.situation().roster
            notice_ = live.api.coordinator.situation().notices[e.data["subject"]]
            assert "b" in roster.notice_audience(notice_)


async def test_resuming_misses_nothing_and_repeats_nothing(live: Live) -> None:
    received: list[Event] = []
    async with Stream(live, "b") as b:
        start = b.position
        for _ in range(3):
            await live.file(notice("a", lat=33.0 + _notices / 100))
        received += await b.take(2)  # disconnect after two of three
    for _ in range(3):  # filed while b is away
        await live.file(notice("a", lat=33.0 + _notices / 100))
    expected = live.feed("b", start)
    assert len(expected) == 12  # each notice: its own entry, then its delivery to b

    async with Stream(live, "b", last_event_id=received[-1].id) as b:
        assert b.position == received[-1].id
        received += await b.until(expected[-1])
        await live.file(notice("a", lat=33.0 + _notices / 100))  # and live again
        received += await b.take(2)
    _check_shape(received)
    assert [e.id for e in received] == live.feed("b", start)

    # The query parameter resumes too, and the header wins over it.
    async with Stream(live, "b", query=expected[3]) as b:
        assert [e.id for e in await b.take(2)] == expected[4:6]
    async with Stream(live, "b", last_event_id=expected[4], query=expected[0]) as b:
        assert [e.id for e in await b.take(1)] == expected[5:6]


async def test_zero_replays_the_whole_feed(live: Live) -> None:
    await live.file(notice("a"))
    await live.file(notice("b"))
    whole = live.feed("a", 0)
    async with Stream(live, "a", last_event_id=0) as a:
        events = await a.until(whole[-1])
    assert [e.id for e in events] == whole


async def test_a_new_stream_starts_at_the_current_position(live: Live) -> None:
    await live.file(notice("a"))
    async with Stream(live, "b") as b:
        assert b.position >= max(live.feed("b", 0))
        filed = await live.file(notice("a", lat=31.0))
        own, event = await b.take(2)
    assert (own.type, event.type) == ("notice.filed", "delivery.created")
    assert event.data is not None
    assert event.data["payload"]["delivery"]["item_id"] == filed.recorded.assessment.item.id


async def test_escalations_arrive(live: Live) -> None:
    async with Stream(live, "a") as a, Stream(live, "b") as b, Stream(live, "m") as m:
        filed = await live.file(notice("a"))
        (delivery,) = filed.deliveries
        own, created = await b.take(2)
        assert (own.type, created.type) == ("notice.filed", "delivery.created")

        live.clock.advance(301)  # past the 5 min deadline: b's second duty contact is called
        steps = await live.run(escalate_due)
        assert [s.level for s in steps] == [1]
        (to_b,) = await b.take(1)
        events_a = await a.until(to_b.id or 0)
        for event in (to_b, events_a[-1]):
            assert event.type == "delivery.escalated"
            assert event.data is not None
            assert event.data["payload"]["escalation"]["delivery_id"] == delivery.id
            escalation = event.data["payload"]["escalation"]
            # The level, never whom: b's chain of contacts is its own.
            assert (escalation["level"], escalation["to_monitors"]) == (1, False)
            assert "b contact" not in json.dumps(event.data)

        live.clock.advance(300)  # and then the monitor
        steps = await live.run(escalate_due)
        assert [s.level for s in steps] == [2]
        to_m = await m.take(2)
    assert [e.type for e in to_m] == ["delivery.escalated", "delivery.created"]
    assert to_m[1].data is not None
    assert to_m[1].data["payload"]["delivery"]["item_type"] == "escalation"


async def test_events_written_by_another_process_arrive(live: Live, store_url: str) -> None:
    """Another server on the same database: its commits do not wake this one's streams, which
    find them by polling."""
    with Coordinator.open(store_url, clock=FixedClock(START)) as other:
        async with Stream(live, "b") as b:
            filed = await anyio.to_thread.run_sync(
                lambda: other.run(lambda tx: file(tx, notice("a")))
            )
            _, event = await b.take(2)
    assert event.data is not None
    assert event.data["payload"]["delivery"]["item_id"] == filed.recorded.assessment.item.id


async def test_streams_end_when_the_server_closes_them(live: Live) -> None:
    async with Stream(live, "a") as a:
        live.services.feeds.request_close()
        assert await a.rest() == []


async def test_a_disconnected_stream_leaves_the_hub(live: Live) -> None:
    async with Stream(live, "a"), Stream(live, "b"):
        assert live.services.feeds.subscribers == 2
    with anyio.fail_after(SAFETY_S):
        while live.services.feeds.subscribers:
            await anyio.sleep(0.02)


async def test_a_stream_ends_when_its_token_is_revoked(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stream_route, "TOKEN_CHECK_S", 0.05)
    token = live.api.token("a")
    live.tokens["a"] = token
    async with Stream(live, "a") as a:
        live.api.revoke(token)
        assert await a.rest() == []  # ended by the server, nothing more sent
    async with httpx.AsyncClient(base_url=live.base_url, timeout=SAFETY_S) as client:
        again = await client.get("/v1/stream", headers={"Authorization": f"Bearer {token}"})
    assert again.status_code == 401


async def test_a_client_that_stops_reading_holds_up_no_one_and_gets_everything_in_order(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    """b's client stops reading (a small receive buffer, then nothing read): the server's
    writes to it come to wait, and are finished in the background (``_finish``) while the hub
    goes on serving a's prompt stream.  When b reads again it gets its whole feed, in order,
    nothing twice."""
    waits: list[int] = []
    finish = stream_route._finish

    async def counted(step: Any, waits_for: Any) -> None:
        waits.append(1)
        await finish(step, waits_for)

    monkeypatch.setattr(stream_route, "_finish", counted)
    host, port = live.base_url.removeprefix("http://").split(":")
    slow = socket.socket()
    slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    slow.settimeout(SAFETY_S)
    slow.connect((host, int(port)))
    slow.sendall(
        f"GET /v1/stream HTTP/1.1\r\nHost: {host}\r\n"
        f"Authorization: Bearer {live.tokens['b']}\r\n\r\n".encode()
    )
    got = b""
    while b"\nid: " not in got:  # the head and the first block: subscribed
        got += await anyio.to_thread.run_sync(slow.recv, 4096)
    start = int(got.split(b"\nid: ", 1)[1].split(b"\n", 1)[0])
    try:
        async with Stream(live, "a") as a:
            for i in range(100):  # 50 filings a commit: a large chunk for b each time
                batch = [notice("a", lat=20.0 + (i * 50 + k) / 1000, lon=20.0) for k in range(50)]
                await live.run(lambda tx, batch=batch: [file(tx, n) for n in batch])
                if waits:
                    break
            assert waits, "the server never had to wait for b's client"
            for i in range(20):  # a's stream is served meanwhile
                last = await live.file(notice("b", lat=10.0 + i / 100, lon=10.0))
            expected_a = live.feed("a", a.position)
            assert expected_a[-1] >= last.recorded.seq
            assert [e.id for e in await a.until(expected_a[-1])] == expected_a
        expected = live.feed("b", start)
        text = got.split(b"\r\n\r\n", 1)[1]
        marker = f"\nid: {expected[-1]}\n".encode()
        while marker not in text:
            text += await anyio.to_thread.run_sync(slow.recv, 65536)
    finally:
        slow.close()
    ids = [int(line[4:]) for line in text.decode().split("\n") if line.startswith("id: ")]
    assert ids[0] == start
    assert ids[1:] == expected
