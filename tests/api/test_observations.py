"""Observations over HTTP: filed by monitors, seen by the parties to the zone agreements."""

from __future__ import annotations

import pytest

from tests.api.bodies import golan, not_found, observation, parties


def test_a_monitor_files_an_observation_and_the_zone_rules_are_checked(api):
    c = golan(api)
    artillery = observation(
        position="33.0700N 35.9532E",
        affiliation="Syrian Arab Army",
        unit_category="artillery",
        counts={},
        weapons=[{"class": "heavy_artillery", "count": 2}],
    )
    response = c["undof"].post("/v1/observations", json=artillery)
    assert response.status_code == 201, response.text
    body = response.json()
    filed = body["observation"]
    assert filed["id"].startswith("o-")
    assert filed["reported_by"] == "undof"
    assert filed["position"] == [35.9532, 33.07]
    assert filed["geometry"] == {"type": "Point", "coordinates": [35.9532, 33.07]}
    assert {a["kind"] for a in body["alerts"]} == {"zone-violation"}
    violation = body["alerts"][0]
    assert filed["id"] in violation["subjects"]
    assert "undof" in violation["parties"]
    idf_alerts = c["idf"].get("/v1/alerts", params={"kind": "zone-violation"}).json()["alerts"]
    assert violation["id"] in [a["id"] for a in idf_alerts]


def test_who_sees_observations(api):
    c = golan(api)
    parties(api, "x")
    x = api.as_("x")
    ident = c["undof"].post("/v1/observations", json=observation()).json()["observation"]["id"]
    assert c["idf"].get(f"/v1/observations/{ident}").json()["id"] == ident
    for probe in (ident, "o-missing"):
        response = x.get(f"/v1/observations/{probe}")
        assert (response.status_code, response.json()) == (404, not_found("observation", probe))
    assert x.get("/v1/observations").json() == {"observations": []}
    listed = (
        c["rus"]
        .get(
            "/v1/observations",
            params={"start": "2026-11-24T09:00:00.000000Z", "end": "2026-11-24T11:00:00.000000Z"},
        )
        .json()["observations"]
    )
    assert [o["id"] for o in listed] == ["o-004", "o-005"]


def test_weapons_with_ranges(api):
    c = golan(api)
    body = observation(
        affiliation="Syrian Arab Army",
        unit_category="artillery",
        counts={},
        weapons=[{"class": "rocket_artillery", "count": 4, "range": "70 km"}],
        position="33.2293N 36.2502E",
    )
    response = c["undof"].post("/v1/observations", json=body)
    assert response.status_code == 201, response.text
    assert response.json()["observation"]["weapons"] == [
        {"class": "rocket_artillery", "count": 4, "range": "70 km"}
    ]


@pytest.mark.parametrize("role", ["duty_officer", "viewer", "admin"])
def test_only_monitors_file_observations(api, role):
    golan(api)
    response = api.as_("undof", role).post("/v1/observations", json=observation())
    assert response.status_code == 403
