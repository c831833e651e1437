"""The live feeds' hub (service/streams.py): its count of open subscriptions (read by the
metrics after every request), and the SSE frame's JSON text."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from deconfliction.service.broadcast import Broadcaster
from deconfliction.service.coordinator import Commit, Coordinator
from deconfliction.service.streams import FeedHub, Subscription, frame
from deconfliction.store.events import StoredEvent
from deconfliction.store.feeds import EVERYONE


def test_the_count_follows_subscriptions_as_they_come_and_go(tmp_path: Path) -> None:
    rng = random.Random(5)
    with Coordinator.open(f"sqlite:///{tmp_path / 'hub.db'}") as coordinator:
        hub = FeedHub(coordinator.db, Broadcaster())
        held: list[Subscription] = []
        for _ in range(500):
            if held and rng.random() < 0.45:
                gone = held.pop(rng.randrange(len(held)))
                hub.unsubscribe(gone)
                hub.unsubscribe(gone)  # twice (a stream ending after the hub dropped it)
            else:
                held.append(hub.subscribe(rng.choice(["a", "b", "c"])))
            assert hub.subscribers == len(held)
        hub.unsubscribe(Subscription("never-subscribed"))
        assert hub.subscribers == len(held)
        hub.close_now()
        assert hub.subscribers == 0
        assert hub.subscribe("a").closed
        assert hub.subscribers == 0


@given(st.text(), st.text())
def test_a_frame_carries_the_type_and_subject_as_json_writes_them(kind: str, subject: str) -> None:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    data = frame(StoredEvent(3, at, kind, subject, '{"x":1}')).rsplit("\ndata: ", 1)[1]
    assert json.loads(data) == {
        "seq": 3,
        "type": kind,
        "subject": subject,
        "recorded_at": "2026-01-01T00:00:00.000000Z",
        "payload": {"x": 1},
    }
    assert f',"subject":{json.dumps(subject, ensure_ascii=False)},' in data


def test_each_subscription_gets_its_own_and_the_public_events_of_local_commits(
    tmp_path: Path,
) -> None:
    """Handed out from this process's commits: a party's own events and those for everyone
    (in sequence order), nothing of another party's, and nothing at all to a party a commit
    does not concern."""
    at = datetime(2026, 1, 1, tzinfo=UTC)

    def commit(after: int, audiences: list[tuple[str, ...]]) -> Commit:
        events = tuple(
            StoredEvent(after + i + 1, at, "t", f"s{after + i + 1}", "{}")
            for i in range(len(audiences))
        )
        return Commit(after, events, tuple(audiences))

    async def scenario() -> dict[str, list[list[int]]]:
        broadcaster = Broadcaster()
        hub = FeedHub(coordinator.db, broadcaster)
        await hub.start()
        subscriptions = {party: hub.subscribe(party) for party in ("a", "b", "c")}
        got: dict[str, list[list[int]]] = {party: [] for party in subscriptions}
        start = hub._cursor
        for audiences in (
            [("a",), (EVERYONE,), ("a", "b")],  # own and public, interleaved
            [("b",)],  # only b's
            [(EVERYONE,)],  # only public
        ):
            broadcaster.publish(commit(hub._cursor, audiences))
            await asyncio.sleep(0.05)
            for party, subscription in subscriptions.items():
                taken = subscription._pending
                subscription._pending = []
                got[party].append([e.seq - start for e in taken])
        await hub.close()
        return got

    with Coordinator.open(f"sqlite:///{tmp_path / 'hub.db'}") as coordinator:
        got = asyncio.run(scenario())
    assert got == {
        "a": [[1, 2, 3], [], [5]],
        "b": [[2, 3], [4], [5]],
        "c": [[2], [], [5]],
    }


def test_a_sink_is_written_directly_in_order_and_what_it_refuses_waits_for_the_stream(
    tmp_path: Path,
) -> None:
    """A subscription with a sink gets its events' frames written through it (the same bytes
    a stream would send, nothing twice, nothing pending); once the sink refuses, the events are
    handed to the stream, and the sink is not used again until the stream took them: the
    chunks keep the record's order."""
    at = datetime(2026, 1, 1, tzinfo=UTC)
    written: list[bytes] = []
    taking = [True]

    def sink(chunk: bytes) -> bool:
        if taking[0]:
            written.append(chunk)
        return taking[0]

    def commit(after: int, n: int) -> Commit:
        events = tuple(StoredEvent(after + i + 1, at, "t", "s", "{}") for i in range(n))
        return Commit(after, events, tuple(("a",) for _ in events))

    async def scenario() -> tuple[list[int], list[int], list[int]]:
        broadcaster = Broadcaster()
        hub = FeedHub(coordinator.db, broadcaster)
        await hub.start()
        subscription = hub.subscribe("a")
        start = hub._cursor
        subscription.last, subscription.sink = start + 1, sink  # the first one sent already
        broadcaster.publish(commit(hub._cursor, 3))  # 1 (skipped), 2, 3 written
        await asyncio.sleep(0.05)
        direct = subscription.last - start
        taking[0] = False
        broadcaster.publish(commit(hub._cursor, 1))  # 4 refused: handed to the stream
        await asyncio.sleep(0.05)
        taking[0] = True
        broadcaster.publish(commit(hub._cursor, 1))  # 5: behind 4, handed over too
        await asyncio.sleep(0.05)
        pending = [e.seq - start for e in subscription._pending]
        await hub.close()
        return [direct], pending, [start]

    with Coordinator.open(f"sqlite:///{tmp_path / 'hub.db'}") as coordinator:
        (direct,), pending, (start,) = asyncio.run(scenario())
    assert direct == 3
    assert pending == [4, 5]
    expected = b"".join(
        frame(StoredEvent(start + seq, at, "t", "s", "{}")).encode() for seq in (2, 3)
    )
    assert written == [expected]
