"""The demo's air picture in the browser (``service/demo_tracks.py``): the Golan record staged
as ``deconflict serve --demo`` stages it, its generated receiver data fed as the server feeds
it (UNDOF's monitor, SBS), the clock moved by hand instead of waiting.

Each party's console rings exactly the aircraft that the API's open conformance and
cannot-clear alerts name (IAF202 outside IDF's notice; RFF9041, which cannot leave the area of
the notice IDF filed 50 s ahead), draws the converging pair's conflict line, and never
receives the aircraft nobody declared unless the track terms name it (UNDOF only).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from deconfliction.engine.times import format_time
from deconfliction.service import demo_tracks
from deconfliction.service.auth import Principal, Role
from deconfliction.service.settings import Settings
from tests.console.conftest import SCREENSHOTS, TIMEOUT_MS, probe, wait_until
from tests.console.test_aircraft import _keys
from tests.console.test_need_to_know import Wire, _console, _until
from tests.support.server import Api, running_server

KEY = {p.callsign: f"icao:{p.address.lower()}" for p in demo_tracks.AIRCRAFT}
RINGED = ("track-", "cannot-clear")
MEMORY_S = 20.0


class Replay:
    """Feeds the generated lines up to the clock's time, as the server's reader would."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.t0 = api.clock.now().timestamp()
        self.lines = demo_tracks.timed_lines(self.t0, 600.0)
        self.held: tuple[float, str] | None = None

    def run(self, seconds: float, step: float = demo_tracks.STEP_S) -> None:
        for _ in range(int(seconds / step)):
            self.api.clock.advance(step)
            now, batch = self.api.clock.now().timestamp(), []
            while True:
                t, line = self.held or next(self.lines)
                if t > now:
                    self.held = (t, line)
                    break
                self.held = None
                batch.append(line)
            result = self.api.services.tracks.feed(
                Principal(demo_tracks.RECEIVER, Role.monitor), "sbs", "golan-receiver",
                ("\n".join(batch) + "\n").encode(),
            )  # fmt: skip
            assert result.rejected == 0
            self.api.services.tracks.tick()


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Api, Replay]]:
    url = str(tmp_path_factory.mktemp("demo-tracks") / "store.sqlite3")
    # Memory keeps 20 s: the scrubber's instants before that are answered from the record.
    for api in running_server(url, settings=Settings(tracks_history_s=MEMORY_S), console=True):
        api.load_golan()
        tracks = api.services.tracks
        api.run(lambda tx, tracks=tracks: demo_tracks.stage(tx, tracks))
        replay = Replay(api)
        replay.run(40.0)  # IAF202 is out of its notice by then; the pair converges
        api.run(demo_tracks.file_late_notice)
        replay.run(4.0)
        try:
            yield api, replay
        finally:
            api.services.feeds.request_close()


@pytest.fixture(scope="module")
def consoles(
    browser: Browser, demo: tuple[Api, Replay]
) -> Iterator[dict[str, tuple[BrowserContext, Page, Wire]]]:
    api, replay = demo
    opened = {p: _console(browser, api, p) for p in ("idf", "rus", "sarc")}
    opened["undof"] = _console(browser, api, "undof", "monitor")
    replay.run(4.0)  # positions move on: stream updates after the first answers
    yield opened
    for context, _, _ in opened.values():
        context.close()


def _rings(api: Api, party: str) -> dict[str, list[str]]:
    """What the API's open alerts say should ring each aircraft the party may see."""
    alerts = api.as_(party).get("/v1/alerts", params={"status": "open"}).json()["alerts"]
    out: dict[str, list[str]] = {}
    for a in alerts:
        if a["kind"] != "track-conflict" and a["kind"].startswith(RINGED):
            for subject in a["subjects"]:
                if subject.startswith("icao:"):
                    out.setdefault(subject, []).append(a["kind"])
    return out


def test_the_rings_are_on_the_aircraft_the_apis_alerts_name_and_the_pair_is_joined(
    demo: tuple[Api, Replay], consoles: dict[str, tuple[BrowserContext, Page, Wire]]
) -> None:
    api, _ = demo
    for party in ("idf", "rus"):
        expected = _rings(api, party)
        # The demo's cases, as the record holds them.
        assert expected == {
            KEY["IAF202"]: ["track-outside-volume"],
            KEY["RFF9041"]: ["cannot-clear"],
        }, party
        (clear,) = (
            api.as_(party)
            .get("/v1/alerts", params={"status": "open", "kind": "cannot-clear"})
            .json()["alerts"]
        )
        given, needed = clear["figures"]["time_given_s"], clear["figures"]["time_needed_s"]
        assert given <= demo_tracks.LATE_NOTICE_LEAD_S < needed, clear["figures"]
        tracks = api.as_(party).get("/v1/tracks").json()["tracks"]
        _, page, _ = consoles[party]
        wait_until(
            page,
            "(n) => window.deconflictionConsole.aircraft().aircraft.filter("
            "a => a.alerts.length).length === n",
            arg=len(expected),
        )
        drawn = probe(page, "aircraft")
        assert {a["key"] for a in drawn["aircraft"]} == {t["key"] for t in tracks}
        rings = {a["key"]: sorted(a["alerts"]) for a in drawn["aircraft"] if a["alerts"]}
        assert rings == {k: sorted(v) for k, v in expected.items()}, party
        # The converging pair: one conflict line, between IAF101 and RFF7711, the API's alert.
        (line,) = drawn["conflicts"]
        (conflict,) = (
            api.as_(party)
            .get("/v1/alerts", params={"status": "open", "kind": "track-conflict"})
            .json()["alerts"]
        )
        assert line["alert"] == conflict["id"]
        assert sorted(conflict["subjects"]) == sorted([KEY["IAF101"], KEY["RFF7711"]])
    _, idf, _ = consoles["idf"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    idf.evaluate("() => window.deconflictionConsole.lookAt(35.85, 33.0, 8.6)")
    idf.wait_for_timeout(500)  # the basemap settles (a picture only: nothing is asserted on it)
    idf.screenshot(path=str(SCREENSHOTS / "map-demo-aircraft.png"), timeout=TIMEOUT_MS)


def test_the_unattributed_aircraft_reaches_only_the_console_the_track_terms_name(
    demo: tuple[Api, Replay], consoles: dict[str, tuple[BrowserContext, Page, Wire]]
) -> None:
    civil = KEY["CIV311"]
    undof_page, undof_wire = consoles["undof"][1], consoles["undof"][2]
    _until(undof_page, lambda: sum(civil in e for e in undof_wire.events) >= 1)
    # The watching works: UNDOF's browser got it, drawn as nobody's.
    drawn: Any = probe(undof_page, "aircraft")
    (plane,) = [a for a in drawn["aircraft"] if a["key"] == civil]
    assert plane["text"].split("\n")[2] == "unattributed"
    for party in ("idf", "rus"):
        _, page, wire = consoles[party]
        _until(page, lambda w=wire: sum(KEY["IAF101"] in e for e in w.events) >= 1)
        assert civil not in _keys(wire)
        assert not wire.holds(civil), party
        assert not wire.holds("CIV311"), party
    _, sarc, sarc_wire = consoles["sarc"]
    assert not sarc_wire.holds("icao:")
    assert not probe(sarc, "aircraft")["aircraft"]


def test_the_scrubber_before_memorys_window_draws_what_the_record_gives(
    demo: tuple[Api, Replay], consoles: dict[str, tuple[BrowserContext, Page, Wire]]
) -> None:
    api, replay = demo
    memory = api.services.tracks.archive.history.complete_from()
    for party in ("idf", "rus"):
        _, page, _ = consoles[party]
        for after in (9.0, 21.0, 33.0):
            t = replay.t0 + after
            assert t - MEMORY_S < memory  # memory alone no longer holds this instant's trails
            at = format_time(datetime.fromtimestamp(t, UTC))
            answer = api.as_(party).get("/v1/tracks", params={"at": at, "trails": "true"})
            expected = {a["key"]: a for a in answer.json()["tracks"]}
            assert {KEY["IAF101"], KEY["RFF7711"]} <= set(expected), (party, after)
            drawn = {a["key"]: a for a in probe(page, "aircraftAt", at)["aircraft"]}
            assert set(drawn) == set(expected), (party, after)
            for key, track in expected.items():
                assert (drawn[key]["lon"], drawn[key]["lat"]) == (track["lon"], track["lat"])
        page.locator("button.live").click()
