"""Alerts over HTTP: only those naming the caller; every read recorded."""

from __future__ import annotations

from deconfliction.store import reads as read_store
from tests.api.bodies import golan, not_found


def _alerts(client, **params) -> list[dict]:
    response = client.get("/v1/alerts", params=params)
    assert response.status_code == 200, response.text
    return response.json()["alerts"]


def test_each_party_sees_the_alerts_naming_it(api):
    c = golan(api)
    every = {p: _alerts(c[p]) for p in c}
    for party, alerts in every.items():
        assert alerts, party
        assert alerts, "nothing to check: the assertion below would pass on nothing"
        assert all(party in a["parties"] for a in alerts)
    assert {a["kind"] for a in every["sarc"]} == {"site-duplicate"}
    assert {a["kind"] for a in every["idf"]} >= {"late-notice", "notice-overlap", "protected-site"}
    site_alert = next(a for a in every["idf"] if a["kind"] == "protected-site")
    assert site_alert["parties"] == ["idf"]
    assert site_alert["geometry"]["type"] == "Point"
    late = next(a for a in every["idf"] if a["kind"] == "late-notice")
    assert late["geometry"] is None
    assert late["figures"]


def test_filters(api):
    c = golan(api)
    idf = c["idf"]
    closed = _alerts(idf, status="closed")
    assert closed
    assert closed, "nothing to check: the assertion below would pass on nothing"
    assert all(a["status"] == "closed" for a in closed)
    assert all(a["closed_reason"] for a in closed)
    still_open = _alerts(idf, status="open")
    assert still_open, "nothing to check: the assertion below would pass on nothing"
    assert all(a["status"] == "open" for a in still_open)
    assert {a["kind"] for a in _alerts(idf, kind="late-notice")} == {"late-notice"}
    before = {a["id"] for a in _alerts(idf, at="2026-11-24T10:59:00.000000Z")}
    after = {a["id"] for a in _alerts(idf, at="2026-11-24T11:01:00.000000Z")}
    assert before - after  # the cancelled exercise closed its alerts at 11:00
    assert _alerts(idf, at="2025-01-01T00:00:00.000000Z") == []
    assert len(_alerts(idf, limit=1)) == 1


def test_reading_an_alert_is_recorded_and_marks_the_delivery_read(api):
    c = golan(api)
    items = c["sarc"].get("/v1/inbox").json()["items"]
    entry = next(i for i in items if i["item_type"] == "alert")
    api.clock.advance(30)
    got = c["sarc"].get(f"/v1/alerts/{entry['item_id']}")
    assert got.status_code == 200
    assert got.json()["id"] == entry["item_id"]
    after = c["sarc"].get(f"/v1/inbox/{entry['id']}").json()
    assert (after["status"], after["read_at"]) == ("read", "2026-11-24T12:00:30.000000Z")
    with api.coordinator.db.reading() as connection:
        reads = read_store.reads_of(connection, "alert", [entry["item_id"]])
    assert [r.party for r in reads] == ["sarc", "sarc"]  # the alert, then the inbox item
    # A list is a read too.
    c["sarc"].get("/v1/alerts")
    with api.coordinator.db.reading() as connection:
        reads = read_store.reads_of(connection, "alert", [entry["item_id"]])
    assert [r.party for r in reads] == ["sarc", "sarc", "sarc"]


def test_an_alert_not_naming_the_party_answers_as_missing(api):
    c = golan(api)
    idf_only = next(a for a in _alerts(c["idf"]) if a["parties"] == ["idf"])
    for ident in (idf_only["id"], "al-0000000000000000"):
        response = c["sarc"].get(f"/v1/alerts/{ident}")
        assert (response.status_code, response.json()) == (404, not_found("alert", ident))
