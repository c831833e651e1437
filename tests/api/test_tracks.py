"""Live tracks end to end over real HTTP, on SQLite and PostgreSQL: two parties declare their
aircraft, a feeder posts what a receiver heard, the aircraft converge, and the track-conflict
alert arrives on both parties' streams, with its evidence in the record; then it closes.

Timeouts are safety nets only: no test asserts how fast anything arrives.
"""

from __future__ import annotations

import json
import queue
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from deconfliction.cli.app import app as cli
from deconfliction.engine.times import format_time, parse_utc
from deconfliction.service.auth import Role
from deconfliction.service.settings import Settings
from deconfliction.store import tracks as track_store
from tests.support.server import Api, running_server
from tests.support.tracks import KT, declared_world, sbs_lines

SAFETY_S = 20.0


@pytest.fixture
def world(api: Api) -> Api:
    return declared_world(api)


class Reader:
    """Reads one party's ``/v1/stream`` in a thread, queueing the events."""

    def __init__(self, api: Api, party: str) -> None:
        self.events: queue.Queue[dict[str, Any]] = queue.Queue()
        self.seen: list[dict[str, Any]] = []
        self.client = httpx.Client(
            base_url=api.url,
            headers={"Authorization": f"Bearer {api.token(party)}"},
            timeout=httpx.Timeout(SAFETY_S, read=SAFETY_S * 3),
        )
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()
        assert self.ready.wait(SAFETY_S)

    def _run(self) -> None:
        try:
            with self.client.stream("GET", "/v1/stream") as response:
                for line in response.iter_lines():
                    if line.startswith("id:"):
                        self.ready.set()
                    if line.startswith("data:"):
                        self.events.put(json.loads(line[5:]))
        except httpx.HTTPError:
            pass

    def wait_for(self, action: str, kind: str) -> dict[str, Any]:
        """The first ``alert.<action>`` of ``kind`` received so far, or the next one."""
        index = 0
        while True:
            while index >= len(self.seen):
                self.seen.append(self.events.get(timeout=SAFETY_S))
            event = self.seen[index]
            index += 1
            if event["type"] == f"alert.{action}":
                alert = event["payload"]["change"]["alert"]
                if alert["kind"] == kind:
                    return alert

    def close(self) -> None:
        self.client.close()


@pytest.fixture
def readers(world: Api) -> Iterator[dict[str, Reader]]:
    found = {p: Reader(world, p) for p in ("a", "b")}
    yield found
    for r in found.values():
        r.close()


def test_converging_aircraft_raise_a_conflict_on_both_streams_and_close(
    world: Api, readers: dict[str, Reader]
) -> None:
    feeder = world.as_("a", Role.monitor)
    answer = feeder.post(
        "/v1/tracks/feed", params={"format": "sbs", "source": "recv-1"},
        content=sbs_lines(world, b_track=270.0) + b"MSG,3,garbage\n",
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["reports"] == 6
    assert body["unreadable"] == 1
    assert body["first_unreadable"][0]["where"] == "line 7"

    stats = world.services.tracks.tick()
    assert stats.conflicts == 1
    seen = {p: r.wait_for("opened", "track-conflict") for p, r in readers.items()}
    assert seen["a"] == seen["b"]
    alert = seen["a"]
    assert alert["parties"] == ["a", "b"]
    assert alert["subjects"] == ["icao:100001", "icao:200002"]
    closing = 2 * KT * 1852 / 3600
    distance = alert["figures"]["min_horizontal_m"]
    assert distance < 200  # head-on on the same latitude
    expected = (37_290 - 9260) / closing  # ~37.3 km apart at 35.0E and 35.4E, 33N
    assert alert["figures"]["time_to_loss_s"] == pytest.approx(expected, abs=1.0)
    assert "AAA1 (icao:100001, a) at 30000 ft baro" in alert["explanation"]

    # The evidence is in the record, beside the alert: the six reports used.
    def evidence(tx: Any) -> list[tuple[str, str, dict[str, Any]]]:
        import sqlalchemy as sa

        from deconfliction.store.schema import events

        rows = tx.connection.execute(
            sa.select(events.c.type, events.c.subject, events.c.body).where(
                events.c.type == track_store.EVIDENCE
            )
        )
        return [(r.type, r.subject, json.loads(r.body)) for r in rows]

    ((_, subject, payload),) = world.run(evidence)
    assert subject == alert["id"]
    reports = payload["evidence"]["reports"]
    assert {r["source"] for r in reports} == {"a:recv-1"}
    assert {r["key"] for r in reports} == {"icao:100001", "icao:200002"}
    assert all(r["baro"] == {"value": 30000.0, "unit": "ft", "datum": "baro"} for r in reports
               if "baro" in r)  # fmt: skip

    # Need to know: c sees nothing; a sees its own aircraft and b's (the alert names both).
    assert world.as_("c").get("/v1/tracks").json()["tracks"] == []
    keys = {t["key"] for t in world.as_("a").get("/v1/tracks").json()["tracks"]}
    assert keys == {"icao:100001", "icao:200002"}
    own = world.as_("a").get("/v1/tracks", params={"trails": "true"}).json()["tracks"]
    assert all(t["trail"] for t in own)
    # Times in the one format the service writes everywhere (engine/times.py).
    assert all(format_time(parse_utc(t["last_heard"])) == t["last_heard"] for t in own)

    # B turns to fly alongside: the geometry clears and the alert closes on both streams.
    world.clock.advance(2)
    feeder.post("/v1/tracks/feed", params={"format": "sbs", "source": "recv-1"},
                content=sbs_lines(world, b_track=90.0))  # fmt: skip
    world.services.tracks.tick()
    closed = {p: r.wait_for("closed", "track-conflict") for p, r in readers.items()}
    assert closed["a"]["closed_reason"] == "geometry cleared"
    assert closed["b"]["id"] == alert["id"]
    # Both have now been heard twice with no notice of their party: unnotified activity,
    # told to each party and to those it notifies; so a still sees b's aircraft, through that.
    unnotified = {p: r.wait_for("opened", "track-unnotified") for p, r in readers.items()}
    assert unnotified["a"]["parties"] == ["a", "b"]
    open_for_a = world.as_("a").get("/v1/alerts", params={"status": "open"}).json()["alerts"]
    assert {a["kind"] for a in open_for_a} == {"track-unnotified"}
    keys = {t["key"] for t in world.as_("a").get("/v1/tracks").json()["tracks"]}
    assert keys == {s for a in open_for_a for s in a["subjects"]}
    assert world.as_("c").get("/v1/tracks").json()["tracks"] == []


class _MidChange(dict):  # type: ignore[type-arg]
    """The round's open alerts as a reader on another thread can meet them: mid-change."""

    def _changing(self, *_: object) -> Any:
        raise RuntimeError("dictionary changed size during iteration")

    values = items = keys = __iter__ = __getitem__ = get = _changing


def test_what_a_party_sees_never_reads_the_rounds_live_alerts(world: Api) -> None:
    """``GET /v1/tracks`` answers from the view the round swapped in, never from the open
    alerts the round is changing: with them caught mid-change, it still answers as of the
    last round."""
    world.as_("a", Role.monitor).post(
        "/v1/tracks/feed", params={"format": "sbs", "source": "recv-1"},
        content=sbs_lines(world, b_track=270.0),
    )  # fmt: skip
    tracks = world.services.tracks
    assert tracks.tick().conflicts == 1
    live = tracks.alerts.open
    tracks.alerts.open = _MidChange(live)
    try:
        answer = world.as_("a").get("/v1/tracks")
    finally:
        tracks.alerts.open = live
    assert answer.status_code == 200, answer.text
    assert {t["key"] for t in answer.json()["tracks"]} == {"icao:100001", "icao:200002"}


def test_bad_feeds_and_declarations_are_refused_with_their_field(world: Api) -> None:
    client = world.as_("a")
    bad_format = client.post(
        "/v1/tracks/feed", params={"format": "xml", "source": "r"}, content=b""
    )
    assert bad_format.status_code == 422
    assert bad_format.json()["error"]["problems"][0]["path"] == "format"
    viewer = world.as_("a", Role.viewer)
    assert viewer.post("/v1/tracks/feed", params={"format": "sbs", "source": "r"},
                       content=b"").status_code == 403  # fmt: skip
    bad = client.post("/v1/tracks/aircraft", json={"addresses": ["XYZ"]})
    assert bad.status_code == 422
    assert "6 hex digits" in bad.text
    # Track terms are part of the agreement: a change is a proposal the other party must
    # consent to, and a bad value is refused at its field.
    admin = world.as_("a", Role.admin)
    current = admin.get("/v1/agreements/ab").json()
    bad_terms = admin.put(
        "/v1/agreements/ab", json=current | {"tracks": {"horizontal": "3 parsecs"}}
    )
    assert bad_terms.status_code == 422
    assert bad_terms.json()["error"]["problems"][0]["path"].startswith("tracks.horizontal")
    proposed = admin.put(
        "/v1/agreements/ab",
        json=current | {"tracks": {"horizontal": "3 NM", "include_unattributed": True}},
    )
    assert proposed.status_code == 200, proposed.text
    assert proposed.json()["proposal"]["status"] == "pending"


def test_cli_ingest_replays_a_file_into_the_server(world: Api, tmp_path) -> None:
    path = tmp_path / "converging.sbs"
    path.write_bytes(sbs_lines(world, 270.0, dt=-1.0) + sbs_lines(world, 270.0) + b"not sbs\n")
    token = world.token("a", Role.monitor)
    result = CliRunner().invoke(
        cli,
        ["tracks", "ingest", str(path), "--server", world.url, "--token", token,
         "--replay-speed", "1000", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["reports"] == 12
    assert summary["unreadable"] == 1
    assert world.services.tracks.tick().conflicts == 1
    listed = CliRunner().invoke(
        cli, ["tracks", "list", "--server", world.url, "--token", world.token("a"), "--json"]
    )
    assert listed.exit_code == 0, listed.output
    assert {t["key"] for t in json.loads(listed.output)} == {"icao:100001", "icao:200002"}


def test_cli_declares_a_partys_aircraft_and_refuses_bad_ones_by_option(world: Api) -> None:
    token = world.token("a")
    result = CliRunner().invoke(
        cli,
        ["tracks", "declare", "--address", "4CA123", "--callsign", "RFF*", "--server",
         world.url, "--token", token, "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    declared = json.loads(result.output)
    assert declared["party"] == "a"
    assert declared["aircraft"]["addresses"] == ["4ca123"]
    owner = world.services.tracks.attribution.of("icao:4ca123", None)
    assert owner.party == "a"
    # The earlier declaration for no notice is replaced, not added to.
    assert world.services.tracks.attribution.of("icao:100001", "AAA1").party is None
    bad = CliRunner().invoke(
        cli, ["tracks", "declare", "--address", "XYZ", "--server", world.url, "--token", token]
    )
    assert bad.exit_code != 0
    assert "--address" in bad.output
    assert "6 hex digits" in bad.output
    unknown = CliRunner().invoke(
        cli,
        ["tracks", "declare", "--callsign", "RFF1", "--notice", "no-such-notice", "--server",
         world.url, "--token", token],
    )  # fmt: skip
    assert unknown.exit_code != 0
    assert "--notice" in unknown.output
    assert "no notice" in unknown.output


def test_the_server_reads_a_receiver_it_is_told_of(store_url: str) -> None:
    """``DECONFLICT_TRACKS_SOURCES``: the server connects to a receiver's SBS port itself (a
    real socket here), and a source it cannot reach is counted, not fatal."""
    receiver = socket.create_server(("127.0.0.1", 0))
    closed = socket.create_server(("127.0.0.1", 0))
    port, dead = receiver.getsockname()[1], closed.getsockname()[1]
    closed.close()
    sources = f"a:sbs:tcp://127.0.0.1:{port} a:sbs:tcp://127.0.0.1:{dead}"
    settings = Settings(tracks_sources=sources)
    for world in running_server(store_url, settings=settings):
        declared_world(world)
        receiver.settimeout(SAFETY_S)
        connection, _ = receiver.accept()
        with connection:
            connection.sendall(
                sbs_lines(world, 270.0, dt=-1.0) + sbs_lines(world, 270.0) + b"junk\n"
            )
            tracks = world.services.tracks
            deadline = time.monotonic() + SAFETY_S
            while len(tracks.table) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            assert {*tracks.table.tracks} == {"icao:100001", "icao:200002"}
            assert tracks.tick().conflicts == 1
            assert tracks.rejected  # the junk line, counted by reason
    receiver.close()
    with pytest.raises(ValidationError, match="not PARTY:FORMAT:SOURCE"):
        Settings(tracks_sources="a-sbs-somewhere")
    with pytest.raises(ValidationError, match="format 'xml'"):
        Settings(tracks_sources="a:xml:/tmp/x")
