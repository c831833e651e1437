"""Incidents linked to live tracks, over real HTTP on SQLite and PostgreSQL: two aircraft
converge, the track-conflict alert is recorded with its evidence, and a near miss reported
there links both aircraft, citing that evidence; a party the alert was not told sees neither
the aircraft nor the evidence, in the view or in its bundle."""

from __future__ import annotations

import json
from typing import Any

from deconfliction.engine.incidents.bundles import verify_bundle
from deconfliction.engine.incidents.linking import Sighting
from deconfliction.engine.ledger.heads import keyring_from_text
from deconfliction.service.auth import Role
from tests.support.server import Api
from tests.support.tracks import declared_world, sbs_lines


def _near_miss(api: Api) -> dict[str, Any]:
    return {
        "kind": "near_miss",
        "title": "Two aircraft passed close west of the line",
        "place": {"type": "circle", "center": [35.2, 33.0], "radius": "5 km"},
        "started_at": api.clock.now().isoformat(),
        "parties": ["b", "c"],
        "search": {"radius": "25 km"},
    }


def _entries(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return [json.loads(e["entry"]) for e in bundle["entries"]]


def test_a_near_miss_links_the_aircraft_the_record_places_there(api: Api) -> None:
    declared_world(api)
    fed = api.as_("a", Role.monitor).post(
        "/v1/tracks/feed",
        params={"format": "sbs", "source": "recv-1"},
        content=sbs_lines(api, b_track=270.0),
    )
    assert fed.status_code == 200, fed.text
    assert api.services.tracks.tick().conflicts == 1
    (alert,) = api.as_("a").get("/v1/alerts", params={"kind": "track-conflict"}).json()["alerts"]

    api.clock.advance(30)
    reported = api.as_("a").post("/v1/incidents", json=_near_miss(api))
    assert reported.status_code == 201, reported.text
    ident = reported.json()["incident"]["id"]
    tracks = {k["id"]: k for k in reported.json()["links"] if k["kind"] == "track"}
    assert set(tracks) == {"icao:100001", "icao:200002"}
    a_link = tracks["icao:100001"]
    # 35.0E to the 5 km circle around 35.2E on 33N: 18.7 km along the parallel, less 5 km.
    assert 13_600 < a_link["distance_m"] < 13_800
    assert a_link["via"] == alert["id"]
    assert a_link["gap_s"] == 30.0
    assert "aircraft icao:100001 reported by a:recv-1" in a_link["explanation"]
    assert "30000 ft baro" in a_link["explanation"]
    # The alert about both aircraft is linked through them, raised before the incident.
    assert any(k["kind"] == "alert" and k["id"] == alert["id"] for k in reported.json()["links"])

    # The view cites the evidence entry for each aircraft; the bundle proves it offline.
    keys = keyring_from_text(api.as_("a").get("/.well-known/deconfliction/ledger-keys").text)
    seen = api.as_("a").get(f"/v1/incidents/{ident}").json()["answers"]
    cited = {k["id"]: k["entries"] for k in seen["links"] if k["kind"] == "track"}
    assert set(cited) == set(tracks)
    for index in {i for entries in cited.values() for i in entries[1:]}:
        entry = api.as_("a").get(f"/v1/ledger/entries/{index}").json()
        assert entry["type"] == "track.evidence", entry
        assert entry["subject"] == alert["id"]
    bundle = api.as_("a").get(f"/v1/incidents/{ident}/bundle").json()
    check = verify_bundle(bundle, keys)
    assert check.ok, check.problems
    # The recorded evidence places the aircraft exactly where the feed did.
    (evidence,) = [e for e in _entries(bundle) if e["type"] == "track.evidence"]
    places = {(s.key, s.lon, s.lat) for s in Sighting.from_evidence(evidence["event"]["evidence"])}
    assert places == {("icao:100001", 35.0, 33.0), ("icao:200002", 35.4, 33.0)}

    # c is named, so it sees the incident: but not the aircraft, nor the alert's evidence.
    hidden = api.as_("c").get(f"/v1/incidents/{ident}").json()["answers"]
    assert hidden["incident"]["id"] == ident
    assert {k["kind"] for k in hidden["links"]}.isdisjoint({"track", "alert"})
    c_bundle = api.as_("c").get(f"/v1/incidents/{ident}/bundle").json()
    assert verify_bundle(c_bundle, keys).ok
    assert all(e["type"] != "track.evidence" for e in _entries(c_bundle))
    assert "icao:100001" not in str(c_bundle)
