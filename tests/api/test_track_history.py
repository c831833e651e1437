"""Replay beyond memory: track history written to the record in batches, read back for any
instant the record covers; the same answer whether memory or the record gave it, before and
after a restart; retention.  On SQLite and PostgreSQL, over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from deconfliction.engine.times import format_time
from deconfliction.service.auth import Role
from deconfliction.service.clock import FixedClock
from deconfliction.service.settings import Settings
from deconfliction.store import track_history
from tests.support.server import NOW, Api, running_server
from tests.support.tracks import declared_world, sbs_lines

KEEP_S = 60.0
"""Memory's window: short, so that most of the flight is only in the record."""
ROUNDS, STEP = 40, 5.0
SETTINGS = Settings(
    tracks_conformance_confirm=1000, tracks_history_s=KEEP_S, tracks_history_step_s=STEP
)


def _fly(api: Api, rounds: int) -> None:
    feeder = api.as_("a", Role.monitor)
    for i in range(rounds):
        if i:
            api.clock.advance(STEP)
        answer = feeder.post(
            "/v1/tracks/feed", params={"format": "sbs", "source": "r"},
            content=sbs_lines(api, b_track=270.0 if i < rounds // 2 else 0.0),
        )  # fmt: skip
        assert answer.status_code == 200, answer.text
        api.services.tracks.tick()
    archive = api.services.tracks.archive
    # What is left since the last batch, or (a round hands its own samples at its end) the
    # last batch itself.
    future = archive.flush(api.clock.now().timestamp(), force=True) or archive.pending
    assert future is not None
    future.result()


def _at(client: httpx.Client, t: float) -> list[dict[str, Any]]:
    answer = client.get(
        "/v1/tracks", params={"at": format_time(datetime.fromtimestamp(t, UTC)), "trails": "true"}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["tracks"]


def _instants(start: float) -> list[float]:
    """Every second of the flight and a little beyond, including the instants of the rounds."""
    return [start - 3 + k for k in range(int(ROUNDS * STEP) + 25)]


@pytest.fixture
def flown(store_url: str) -> Iterator[tuple[Api, float]]:
    for api in running_server(store_url, FixedClock(NOW), SETTINGS):
        declared_world(api)
        start = api.clock.now().timestamp()
        _fly(api, ROUNDS)
        yield api, start


def test_the_record_holds_each_sample_once_in_one_batch_per_flush(
    flown: tuple[Api, float],
) -> None:
    api, start = flown
    with api.coordinator.reading() as connection:
        rows = list(track_history.window(connection, start - 1, start + ROUNDS * STEP))
    # Two aircraft, one sample per round (rounds are exactly one step apart), none twice.
    assert len(rows) == 2 * ROUNDS
    assert len({(r[0], r[1]) for r in rows}) == len(rows)
    # Written again (a retried batch): nothing changes.
    api.run(lambda tx: track_history.insert(tx.connection, rows))
    with api.coordinator.reading() as connection:
        again = list(track_history.window(connection, start - 1, start + ROUNDS * STEP))
    assert again == rows


def test_any_instant_the_record_covers_reads_the_same_from_memory_or_the_record(
    flown: tuple[Api, float],
) -> None:
    api, start = flown
    archive = api.services.tracks.archive
    complete = archive.history.complete_from()
    newest = api.clock.now().timestamp()
    assert complete == newest - KEEP_S  # memory no longer holds the first three quarters

    def everyone(key: str, then: Any) -> bool:
        return True

    seen_old = 0
    for t in _instants(start):
        for trails in (True, False):
            record = archive.picture_at(t, 20.0, everyone, trails=trails, source="record")
            auto = archive.picture_at(t, 20.0, everyone, trails=trails)
            assert auto == record, (t, trails)
            span = KEEP_S if trails else 20.0
            if t - span >= complete:
                memory = archive.picture_at(t, 20.0, everyone, trails=trails, source="memory")
                assert memory == record, (t, trails)
            elif record and t < complete:
                seen_old += 1
                # Memory alone has nothing of this instant any more: the record answers.
                assert not archive.picture_at(t, 20.0, everyone, trails=False, source="memory")
    assert seen_old > 100


def test_a_restarted_server_answers_as_before_from_the_record(
    store_url: str, flown: tuple[Api, float]
) -> None:
    api, start = flown
    instants = _instants(start)[::9]
    before = {p: [_at(api.as_(p), t) for t in instants] for p in ("a", "b", "c")}
    assert any(before["a"])
    assert any(before["b"])
    assert not any(before["c"])  # c may never see a or b's aircraft
    later = FixedClock(api.clock.now())
    api.services.feeds.request_close()
    for again in running_server(store_url, later, SETTINGS):
        # Memory is empty: every answer comes from the record, under the alerts then.
        assert again.services.tracks.archive.history.complete_from() == float("inf")
        after = {p: [_at(again.as_(p), t) for t in instants] for p in ("a", "b", "c")}
        assert after == before
        again.services.feeds.request_close()


def test_samples_older_than_the_retention_are_deleted(store_url: str) -> None:
    settings = SETTINGS.model_copy(update={"tracks_record_days": 100.0 / 86_400})
    for api in running_server(store_url, FixedClock(NOW), settings):
        declared_world(api)
        start = api.clock.now().timestamp()
        _fly(api, ROUNDS)
        newest = api.clock.now().timestamp()
        with api.coordinator.reading() as connection:
            times = [r[1] for r in track_history.window(connection, 0, newest)]
        assert min(times) >= newest - 100.0
        assert min(times) < newest - 90.0
        a = api.as_("a")
        assert not _at(a, start + 10)  # before the retention: nothing is kept
        assert _at(a, newest - 95)
        api.services.feeds.request_close()


def test_a_stopping_server_writes_what_memory_kept_since_the_last_batch(store_url: str) -> None:
    settings = SETTINGS.model_copy(update={"tracks_history_step_s": 1.0})
    for api in running_server(store_url, FixedClock(NOW), settings):
        declared_world(api)
        feeder = api.as_("a", Role.monitor)
        for i in range(4):  # one batch at the first round, then 3 s: no batch falls due
            if i:
                api.clock.advance(1.0)
            answer = feeder.post(
                "/v1/tracks/feed",
                params={"format": "sbs", "source": "r"},
                content=sbs_lines(api, b_track=270.0),
            )
            assert answer.status_code == 200, answer.text
            api.services.tracks.tick()
        history = api.services.tracks.archive.history
        kept = history.between(0.0, api.clock.now().timestamp())
        with api.coordinator.reading() as connection:
            stored = list(track_history.window(connection, 0.0, api.clock.now().timestamp()))
        assert len(stored) < sum(map(len, kept.values()))  # the last rounds only in memory
        api.services.feeds.request_close()
    for again in running_server(store_url, FixedClock(NOW), settings):
        with again.coordinator.reading() as connection:
            rows = list(track_history.window(connection, 0.0, float("inf")))
        assert {(r[0], *r[1:]) for r in rows} == {
            (key, *k) for key, samples in kept.items() for k in samples
        }
        again.services.feeds.request_close()
