"""Aircraft in the console: the Golan day plus a short replay of live tracks.

IDF declares two aircraft and Russia one; IDF's first and Russia's converge head on (a
track-conflict alert names both parties), IDF's second flies far from them, and one aircraft
nobody declared flies north.  An agreement's track terms let IDF, and only IDF, see aircraft
nobody declared.  Each party's console draws what the API gives it, with the altitude as its
source reported it; the conflict line is in both; moving the scrubber back draws the aircraft
where ``GET /v1/tracks?at=`` says they were; and the network traffic of Russia's and SARC's
consoles holds no aircraft they may not see.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from deconfliction.engine.model import Agreement
from deconfliction.engine.times import format_time
from deconfliction.engine.tracks.formats.sbs import sbs_line
from deconfliction.service.auth import Role
from deconfliction.service.settings import Settings
from tests.console.conftest import SCREENSHOTS, TIMEOUT_MS, probe, wait_until
from tests.console.test_need_to_know import Wire, _console, _until
from tests.support.server import Api, running_server

KT = 400.0
IDF1, IDF2, RUS1, NOBODY = "738001", "738002", "155001", "4b1801"
T0_STEP = 30.0


@pytest.fixture(scope="module")
def skies(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """The Golan day, the aircraft declared, two rounds of reports 30 s apart."""
    url = str(tmp_path_factory.mktemp("aircraft") / "store.sqlite3")
    # Conformance confirmed only after many reports: no unnotified-activity alert shares
    # IDF's second aircraft with Russia during this short replay.
    settings = Settings(tracks_conformance_confirm=1000)
    for api in running_server(url, settings=settings, console=True):
        api.load_golan()
        api.record(
            [
                Agreement.model_validate(
                    {"id": "golan-air", "name": "Golan air picture", "parties": ["idf", "rus"],
                     "notifications": [],
                     "tracks": {"unattributed_visible_to": ["idf"]}}
                )
            ]
        )  # fmt: skip
        for party, addresses in (("idf", [IDF1, IDF2]), ("rus", [RUS1])):
            answer = api.as_(party).post("/v1/tracks/aircraft", json={"addresses": addresses})
            assert answer.status_code == 201, answer.text
        for step in (0.0, T0_STEP):
            if step:
                api.clock.advance(step)
            _feed(api, step)
            api.services.tracks.tick()
        try:
            yield api
        finally:
            api.services.feeds.request_close()


def _moved(lon: float, lat: float, track: float, seconds: float) -> tuple[float, float]:
    metres = KT * 1852 / 3600 * seconds
    dlat = metres * math.cos(math.radians(track)) / 111_320
    dlon = metres * math.sin(math.radians(track)) / (111_320 * math.cos(math.radians(lat)))
    return lon + dlon, lat + dlat


def _feed(api: Api, step: float) -> None:
    t = api.clock.now().timestamp()
    sbs = []
    for address, lon, lat, track, feet, sign in (
        (IDF1, 35.50, 33.00, 90.0, 30000, "IAF101"),
        (IDF2, 35.30, 32.50, 180.0, 24000, "IAF202"),
        (NOBODY, 35.70, 33.40, 0.0, 37000, "SWR45"),
    ):
        x, y = _moved(lon, lat, track, step)
        number = int(address, 16)
        sbs += [
            sbs_line(number, t, transmission=1, callsign=sign),
            sbs_line(number, t, altitude_ft=feet, lat=y, lon=x),
            sbs_line(number, t, transmission=4, speed_kt=KT, track=track, rate_fpm=0),
        ]
    feeder = api.as_("idf", Role.monitor)
    answer = feeder.post("/v1/tracks/feed", params={"format": "sbs", "source": "golan-1"},
                         content=("\n".join(sbs) + "\n").encode())  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert answer.json()["reports"] == 9
    # Russia's receiver gives a geometric height only (readsb's alt_geom, ft on WGS84).
    x, y = _moved(35.90, 33.00, 270.0, step)
    doc = {"now": t, "aircraft": [{"hex": RUS1, "flight": "RFF7711 ", "alt_geom": 30150,
                                   "gs": KT, "track": 270.0, "baro_rate": 0, "lat": y,
                                   "lon": x, "seen_pos": 0.0, "seen": 0.0}]}  # fmt: skip
    answer = api.as_("rus", Role.monitor).post(
        "/v1/tracks/feed", params={"format": "readsb", "source": "khmeimim"},
        content=json.dumps(doc).encode(),
    )  # fmt: skip
    assert answer.status_code == 200, answer.text
    assert answer.json()["reports"] == 1


def _altitude(track: dict[str, Any]) -> str:
    """The altitude text the console must draw, from the API's reported value."""
    alt = track["baro"] or track["geom"]
    if alt["unit"] == "FL":
        return f"FL{alt['value']:03g} {alt['datum']}"
    return f"{alt['value']:,.10g} {alt['unit']} {alt['datum']}"


def _keys(wire: Wire) -> set[str]:
    """Every aircraft key in the track answers and track events a browser received."""
    found: set[str] = set()
    for text in [*wire.bodies, *wire.events]:
        try:
            doc = json.loads(text)
        except ValueError:
            continue
        if isinstance(doc, dict) and isinstance(doc.get("tracks"), list):
            found |= {t["key"] for t in doc["tracks"]}
    return found


@pytest.fixture(scope="module")
def consoles(
    browser: Browser, skies: Api
) -> Iterator[dict[str, tuple[BrowserContext, Page, Wire]]]:
    opened = {p: _console(browser, skies, p) for p in ("idf", "rus", "sarc")}
    yield opened
    for context, _, _ in opened.values():
        context.close()


def _drawn(page: Page, count: int) -> dict[str, Any]:
    wait_until(
        page, "(n) => window.deconflictionConsole.aircraft().aircraft.length === n", arg=count
    )
    return probe(page, "aircraft")


def test_each_party_draws_what_the_api_gives_it_with_the_altitude_as_reported(
    skies: Api, consoles: dict[str, tuple[BrowserContext, Page, Wire]]
) -> None:
    names = {p["id"]: p["name"] for p in skies.as_("idf").get("/v1/parties").json()["parties"]}
    for party, expected in (("idf", {IDF1, IDF2, NOBODY, RUS1}), ("rus", {RUS1, IDF1})):
        api_tracks = skies.as_(party).get("/v1/tracks").json()["tracks"]
        assert {t["key"] for t in api_tracks} == {f"icao:{k}" for k in expected}
        _, page, _ = consoles[party]
        drawn = _drawn(page, len(expected))
        by_key = {a["key"]: a for a in drawn["aircraft"]}
        for track in api_tracks:
            a = by_key[track["key"]]
            assert (a["lon"], a["lat"], a["track"]) == (track["lon"], track["lat"], track["track"])
            lines = a["text"].split("\n")
            assert lines[1] == _altitude(track)
            assert lines[2] == names.get(track["party"], "unattributed")
        # The altitude as each source gave it: SBS in feet on the barometric datum, readsb's
        # geometric height in feet above the ellipsoid; never converted.
        assert by_key[f"icao:{RUS1}"]["text"].split("\n")[1] == "30,150 ft geom"
        assert by_key[f"icao:{IDF1}"]["text"].split("\n")[1] == "30,000 ft baro"
        # The conflict line joins the two aircraft, with its figures, in both consoles.
        (line,) = drawn["conflicts"]
        ends = {tuple(line["from"]), tuple(line["to"])}
        assert ends == {
            (by_key[f"icao:{k}"]["lon"], by_key[f"icao:{k}"]["lat"]) for k in (IDF1, RUS1)
        }
        alert = (
            skies.as_(party)
            .get("/v1/alerts", params={"status": "open", "kind": "track-conflict"})
            .json()["alerts"]
        )
        assert [line["alert"]] == [a["id"] for a in alert]
        assert f"loss in {round(alert[0]['figures']['time_to_loss_s'])} s" in line["text"]
    # The list beside the map says the same, as text.
    _, idf, _ = consoles["idf"]
    assert "30,150 ft geom" in idf.locator("section.aircraft").inner_text()
    assert "unattributed" in idf.locator("section.aircraft").inner_text()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    idf.evaluate("() => window.deconflictionConsole.lookAt(35.6, 32.95, 8.0)")
    idf.wait_for_timeout(500)  # the basemap settles (a picture only: nothing is asserted on it)
    idf.screenshot(path=str(SCREENSHOTS / "map-aircraft.png"), timeout=TIMEOUT_MS)


def test_the_scrubber_moved_back_draws_the_aircraft_where_the_api_says_they_were(
    skies: Api, consoles: dict[str, tuple[BrowserContext, Page, Wire]]
) -> None:
    now = skies.clock.now().timestamp()
    for party in ("idf", "rus"):
        _, page, _ = consoles[party]
        for back in (25.0, 20.0, 10.0, 5.0):
            at = format_time(_utc(now - back))
            answer = skies.as_(party).get("/v1/tracks", params={"at": at, "trails": "true"})
            assert answer.status_code == 200, answer.text
            expected = {t["key"]: t for t in answer.json()["tracks"]}
            drawn = probe(page, "aircraftAt", at)
            got = {a["key"]: a for a in drawn["aircraft"]}
            assert set(got) == set(expected), (party, back)
            for key, track in expected.items():
                assert (got[key]["lon"], got[key]["lat"]) == (track["lon"], track["lat"])
                assert got[key]["text"].split("\n")[1] == _altitude(track)
        # 10 s back (20 s after the first round: the oldest a sample may be) the aircraft
        # stood where the first round held them, not where they are now.
        ten = skies.as_(party).get("/v1/tracks", params={"at": format_time(_utc(now - 10))}).json()
        live = {t["key"]: t for t in skies.as_(party).get("/v1/tracks").json()["tracks"]}
        for track in ten["tracks"]:
            assert track["position_time"] == format_time(_utc(now - T0_STEP))
            assert (
                track["lon"] != live[track["key"]]["lon"]
                or track["lat"] != live[track["key"]]["lat"]
            )
        # 5 s back the first round's samples are older than that, the second's not yet: none.
        assert ten["tracks"]
        assert not probe(page, "aircraftAt", format_time(_utc(now - 5)))["aircraft"]
        page.locator("button.live").click()


def test_a_party_never_receives_an_aircraft_it_may_not_see(
    skies: Api, consoles: dict[str, tuple[BrowserContext, Page, Wire]]
) -> None:
    # Let a few stream updates arrive (positions move on) before looking at the wires.
    skies.clock.advance(2)
    _feed(skies, T0_STEP + 2)
    skies.services.tracks.tick()
    idf_wire, rus_wire, sarc_wire = (consoles[p][2] for p in ("idf", "rus", "sarc"))
    _until(consoles["idf"][1], lambda: sum(f"icao:{IDF2}" in e for e in idf_wire.events) >= 2)
    _until(consoles["rus"][1], lambda: sum(f"icao:{RUS1}" in e for e in rus_wire.events) >= 2)
    # The watching works: IDF's browser got every aircraft, over the answers and the stream.
    assert _keys(idf_wire) == {f"icao:{k}" for k in (IDF1, IDF2, RUS1, NOBODY)}
    # Russia: its own and IDF's aircraft in conflict with it; never IDF's other aircraft, and
    # never the one nobody declared (the track terms name IDF only).
    assert _keys(rus_wire) == {f"icao:{RUS1}", f"icao:{IDF1}"}
    for hidden in (f"icao:{IDF2}", f"icao:{NOBODY}", "IAF202", "SWR45"):
        assert not rus_wire.holds(hidden), hidden
    # SARC: no aircraft at all (none of its own; no alert names it; no terms share any).
    assert _keys(sarc_wire) == set()
    assert not sarc_wire.holds("icao:")
    assert not probe(consoles["sarc"][1], "aircraft")["aircraft"]


def _utc(t: float) -> Any:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(t, UTC)
