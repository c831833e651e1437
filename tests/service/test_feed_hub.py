"""The live feeds' hub (service/streams.py): its count of open subscriptions (read by the
metrics after every request), and the SSE frame's JSON text."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from deconfliction.service.broadcast import Broadcaster
from deconfliction.service.coordinator import Coordinator
from deconfliction.service.streams import FeedHub, Subscription, frame
from deconfliction.store.events import StoredEvent


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
