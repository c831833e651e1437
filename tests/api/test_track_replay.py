"""The air picture at a past instant (``GET /v1/tracks?at=``), what the console draws when its
scrubber is moved back: each aircraft at its last sample at or before the instant, no older
than the age a track is kept, seen under the tactical alerts open then; and the live stream's
``gone``, which tells a console to stop drawing an aircraft it may no longer see.  On SQLite
and PostgreSQL, over real HTTP.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from deconfliction.engine.times import format_time
from deconfliction.service.auth import Role
from deconfliction.service.settings import Settings
from tests.support.server import Api, running_server
from tests.support.tracks import declared_world, sbs_lines

A, B = "icao:100001", "icao:200002"
MAX_AGE = 20.0


@pytest.fixture
def world(store_url: str) -> Iterator[Api]:
    # No conformance alert in this short replay: only the conflict shares B with a.
    settings = Settings(tracks_conformance_confirm=1000, tracks_max_age_s=MAX_AGE)
    for api in running_server(store_url, settings=settings):
        yield declared_world(api)


def _at(world: Api, party: str, at: Any, **params: Any) -> list[dict[str, Any]]:
    answer = world.as_(party).get("/v1/tracks", params={"at": format_time(at), **params})
    assert answer.status_code == 200, answer.text
    return answer.json()["tracks"]


def _feed(world: Api, b_track: float) -> None:
    answer = world.as_("a", Role.monitor).post(
        "/v1/tracks/feed", params={"format": "sbs", "source": "r"},
        content=sbs_lines(world, b_track=b_track),
    )  # fmt: skip
    assert answer.status_code == 200, answer.text


def _tracks_events(client: httpx.Client, found: list[dict[str, Any]], until: Any) -> None:
    with client.stream("GET", "/v1/tracks/stream", params={"interval": 0.5}) as response:
        assert response.status_code == 200
        for line in response.iter_lines():
            if line.startswith("data:"):
                found.append(json.loads(line[5:]))
                if until(found):
                    return


def test_the_picture_at_an_instant_is_the_history_then_under_the_alerts_then(world: Api) -> None:
    t0 = world.clock.now()
    _feed(world, b_track=270.0)  # converging: a conflict naming a and b
    assert world.services.tracks.tick().conflicts == 1
    world.clock.advance(10)
    t1 = world.clock.now()
    _feed(world, b_track=90.0)  # b turns to fly alongside: the conflict closes
    world.services.tracks.tick()
    assert world.as_("a").get("/v1/alerts", params={"status": "open"}).json()["alerts"] == []

    # While the conflict was open, a saw b's aircraft, as the first round held it.
    during = {t["key"]: t for t in _at(world, "a", t0 + timedelta(seconds=5), trails="true")}
    assert set(during) == {A, B}
    assert during[B]["position_time"] == format_time(t0)
    assert during[B]["track"] == 270.0
    # The altitude as the source reported it, never converted.
    assert during[A]["baro"] == {"value": 30000.0, "unit": "ft", "datum": "baro"}
    assert during[A]["trail"] == [[t0.timestamp(), 35.0, 33.0, pytest.approx(9144.0)]]
    # Now the alert is closed: a sees its own aircraft only, live and at this instant.
    assert [t["key"] for t in _at(world, "a", t1)] == [A]
    assert [t["key"] for t in world.as_("a").get("/v1/tracks").json()["tracks"]] == [A]
    assert {t["position_time"] for t in _at(world, "b", t1)} == {format_time(t1)}
    # c never sees either; nobody sees anything before the first round.
    assert _at(world, "c", t0 + timedelta(seconds=5)) == []
    assert _at(world, "a", t0 - timedelta(microseconds=1)) == []
    # A sample stands for at most the age a track is kept in prediction (boundary included).
    last = t1 + timedelta(seconds=MAX_AGE)
    assert [t["key"] for t in _at(world, "a", last)] == [A]
    assert _at(world, "a", last + timedelta(microseconds=1)) == []


def test_a_bad_instant_is_refused_at_its_field(world: Api) -> None:
    for bad in ("yesterday", "2026-11-24T10:00:00", "2026-13-01T00:00:00Z"):
        answer = world.as_("a").get("/v1/tracks", params={"at": bad})
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["problems"][0]["path"] == "at"


def test_the_stream_says_which_aircraft_the_caller_may_no_longer_see(world: Api) -> None:
    _feed(world, b_track=270.0)
    world.services.tracks.tick()
    client = httpx.Client(
        base_url=world.url,
        headers={"Authorization": f"Bearer {world.token('a')}"},
        timeout=httpx.Timeout(30.0),
    )

    def until(found: list[dict[str, Any]]) -> bool:
        if len(found) == 1:  # both drawn: now b turns away and the conflict closes
            world.clock.advance(2)
            _feed(world, b_track=90.0)
            world.services.tracks.tick()
            return False
        return any(e["gone"] for e in found)

    events: list[dict[str, Any]] = []
    try:
        _tracks_events(client, events, until)
    finally:
        client.close()
    # The first event holds both aircraft (the conflict shares b's), then b's is gone.
    assert {t["key"] for t in events[0]["tracks"]} == {A, B}
    assert events[0]["gone"] == []
    assert events[-1]["gone"] == [B]
    assert B not in {t["key"] for e in events[1:] for t in e["tracks"]}


def test_a_new_stream_begins_with_the_whole_picture_even_empty(world: Api) -> None:
    """A console that reconnects replaces what it drew with the first event: it must come."""
    _feed(world, b_track=270.0)
    world.services.tracks.tick()
    for party, keys in (("c", []), ("a", [A, B])):
        client = httpx.Client(
            base_url=world.url,
            headers={"Authorization": f"Bearer {world.token(party)}"},
            timeout=httpx.Timeout(30.0),
        )
        events: list[dict[str, Any]] = []
        try:
            _tracks_events(client, events, bool)
        finally:
            client.close()
        assert sorted(t["key"] for t in events[0]["tracks"]) == keys
        assert events[0]["gone"] == []
