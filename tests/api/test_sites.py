"""Protected sites over HTTP: registered by the owner's duty officers, seen per agreement."""

from __future__ import annotations

import pytest

from deconfliction.engine.times import format_time
from deconfliction.store import reads as read_store
from tests.api.bodies import EAST, file_notice, golan, not_found, parties, site


def test_a_duty_officer_registers_a_site_of_its_own_party(api):
    c = golan(api)
    response = c["idf"].post("/v1/sites", json=site())
    assert response.status_code == 201, response.text
    body = response.json()["site"]
    assert body["id"].startswith("s-")
    assert body["owner"] == "idf"
    assert body["location"] == {"type": "point", "position": [36.9, 33.5]}
    assert body["geometry"] == {"type": "Point", "coordinates": [36.9, 33.5]}
    assert body["valid_until"] == "2027-01-01T00:00:00.000000Z"
    assert c["idf"].get(f"/v1/sites/{body['id']}").json()["name"] == "Field hospital"


def test_geojson_locations(api):
    c = golan(api)
    point = c["idf"].post(
        "/v1/sites", json=site(location={"type": "Point", "coordinates": [36.9, 33.5]})
    )
    assert point.json()["site"]["location"] == {"type": "point", "position": [36.9, 33.5]}
    ring = [[36.8, 33.4], [36.81, 33.4], [36.81, 33.41], [36.8, 33.4]]
    area = c["idf"].post(
        "/v1/sites", json=site(location={"type": "Polygon", "coordinates": [ring]})
    )
    assert area.status_code == 201, area.text
    assert area.json()["site"]["location"] == {"type": "polygon", "vertices": ring}
    assert area.json()["site"]["geometry"]["type"] == "Polygon"


def test_sites_are_seen_by_parties_bound_to_the_owner_and_reads_are_recorded(api):
    c = golan(api)
    parties(api, "x")  # bound by no agreement
    x = api.as_("x")
    ident = c["idf"].post("/v1/sites", json=site()).json()["site"]["id"]
    api.clock.advance(10)
    assert c["rus"].get(f"/v1/sites/{ident}").status_code == 200
    assert ident in [s["id"] for s in c["sarc"].get("/v1/sites").json()["sites"]]
    for probe in (ident, "s-missing"):
        response = x.get(f"/v1/sites/{probe}")
        assert (response.status_code, response.json()) == (404, not_found("site", probe))
    assert x.get("/v1/sites").json() == {"sites": []}
    with api.coordinator.db.reading() as connection:
        reads = read_store.reads_of(connection, "site", [ident])
    assert [(r.party, format_time(r.read_at)) for r in reads] == [
        ("rus", "2026-11-24T12:00:10.000000Z"),
        ("sarc", "2026-11-24T12:00:10.000000Z"),
    ]


def test_list_filters(api):
    c = golan(api)
    every = [s["id"] for s in c["idf"].get("/v1/sites").json()["sites"]]
    assert "site-khan-arnabah-school" in every
    valid = [s["id"] for s in c["idf"].get("/v1/sites", params={"valid": True}).json()["sites"]]
    assert "site-khan-arnabah-school" not in valid  # expired in June 2026
    mine = c["sarc"].post("/v1/sites", json=site()).json()["site"]["id"]
    owned = c["idf"].get("/v1/sites", params={"owner": "sarc"}).json()["sites"]
    assert mine in [s["id"] for s in owned]
    assert {s["owner"] for s in owned} == {"sarc"}


def test_only_the_owner_updates_or_recertifies(api):
    c = golan(api)
    parties(api, "x")
    ident = c["idf"].post("/v1/sites", json=site()).json()["site"]["id"]
    later = site(valid_until="2028-01-01T00:00:00.000000Z")
    updated = c["idf"].put(f"/v1/sites/{ident}", json=later)
    assert updated.status_code == 200, updated.text
    assert updated.json()["site"]["valid_until"] == "2028-01-01T00:00:00.000000Z"
    assert updated.json()["site"]["id"] == ident
    forbidden = c["rus"].put(f"/v1/sites/{ident}", json=later)
    assert forbidden.status_code == 403
    hidden = api.as_("x").put(f"/v1/sites/{ident}", json=later)
    assert (hidden.status_code, hidden.json()) == (404, not_found("site", ident))


@pytest.mark.parametrize("role", ["viewer", "monitor", "admin"])
def test_only_duty_officers_register_sites(api, role):
    golan(api)
    response = api.as_("idf", role).post("/v1/sites", json=site())
    assert response.status_code == 403


def test_a_site_under_a_notice_tells_only_those_who_may_see_both(api):
    c = golan(api)
    notice = file_notice(c["idf"])["notice"]["id"]  # an idf air operation over EAST
    # sarc may not see idf's notice: its answer names no alert, yet idf is told.
    answer = c["sarc"].post("/v1/sites", json=site(location={"type": "point", "position": EAST}))
    assert answer.status_code == 201
    assert answer.json()["alerts"] == []
    assert all(
        d["recipient"] == "sarc" or d["sender"] == "sarc" for d in answer.json()["deliveries"]
    )
    told = [a for a in c["idf"].get("/v1/alerts").json()["alerts"] if a["kind"] == "protected-site"]
    assert any(notice in a["subjects"] for a in told)
    # rus files over the same place: its own site-alert comes back in its answer when it
    # registers a site under rus's own notice.
    file_notice(c["rus"], center="33.6000N 36.9000E")
    mine = c["rus"].post(
        "/v1/sites", json=site(location={"type": "point", "position": "33.6000N 36.9000E"})
    )
    assert [a["kind"] for a in mine.json()["alerts"]] == ["protected-site"]
