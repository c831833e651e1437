"""Notices over HTTP: file, replace, cancel, list, read, versions, reads; need to know."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from deconfliction.engine.ledger.receipts import Receipt, verify_receipt
from tests.api.bodies import file_notice, golan, not_found, notice, problems, volume
from tests.support.server import NOW


def test_filing_answers_the_notice_its_alerts_and_its_deliveries(api):
    api.load_golan()
    rus, idf = api.as_("rus"), api.as_("idf")
    first = file_notice(rus)
    api.clock.advance(30)
    answer = file_notice(idf)

    filed = answer["notice"]
    assert filed["id"].startswith("n-")
    assert filed["id"] != first["notice"]["id"]
    assert filed["author"] == "idf"
    assert filed["series"] == filed["id"]
    assert filed["action"] == "new"
    assert filed["status"] == "current"
    assert filed["filed_at"] == "2026-11-24T12:00:30.000000Z"
    (vol,) = filed["volumes"]
    assert vol["outline"] == {"type": "circle", "center": [36.9, 33.5], "radius": "8 km"}
    assert vol["altitude"] == {"lower": "FL050", "upper": "FL120"}
    assert vol["window"] == {
        "start": "2026-11-25T10:00:00.000000Z",
        "end": "2026-11-25T11:00:00.000000Z",
    }
    assert vol["geometry"]["type"] == "Polygon"
    ring = vol["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1]
    assert len(ring) > 100

    (overlap,) = [a for a in answer["alerts"] if a["kind"] == "notice-overlap"]
    assert set(overlap["parties"]) == {"idf", "rus"}
    assert set(overlap["subjects"]) == {filed["id"], first["notice"]["id"]}
    assert overlap["status"] == "open"
    assert overlap["geometry"]["type"] == "Point"
    assert answer["closed_alerts"] == []
    to_rus = [d for d in answer["deliveries"] if d["recipient"] == "rus"]
    assert {(d["item_type"], d["item_id"]) for d in to_rus} == {
        ("notice", filed["id"]),
        ("alert", overlap["id"]),
    }
    assert to_rus, "nothing to check: the assertion below would pass on nothing"
    assert all(d["status"] == "delivered" for d in to_rus)
    assert to_rus[0]["deadline_at"] == "2026-11-24T12:05:30.000000Z"  # idf-rus: 5 min


def test_the_answer_proves_the_notice_and_lists_every_entry_its_author_may_read(api):
    """The receipt proves the notice's entry; the listing names each of its deliveries' entries
    too (only the first is proved in the answer: the others' receipts are fetched)."""
    api.load_golan()
    idf = api.as_("idf")
    answer = file_notice(idf)
    keys = api.keys()
    receipt = Receipt.from_dict(answer["receipt"])
    assert verify_receipt(receipt, keys).ok
    # What the receipt says of its entry, read here from the whole entry.
    shown, proved = answer["receipt"], json.loads(answer["receipt"]["entry"])
    assert (shown["recorded_at"], shown["type"], shown["subject"]) == (
        proved["recorded_at"],
        proved["type"],
        proved["subject"],
    )
    assert (proved["type"], proved["subject"]) == ("notice.filed", answer["notice"]["id"])
    assert (receipt.index, answer["ledger"]["tree_head"]) == (
        answer["ledger"]["entries"][0]["index"],
        answer["receipt"]["tree_head"],
    )
    listed = answer["ledger"]["entries"]
    delivered = {d["id"] for d in answer["deliveries"] if d["item_type"] == "notice"}
    assert delivered, "the notice is delivered to another party"
    assert {e["subject"] for e in listed if e["type"] == "delivery.created"} == delivered
    assert listed[0]["type"] == "notice.filed"
    for entry in listed:
        fetched = idf.get(f"/v1/ledger/entries/{entry['index']}")
        assert fetched.status_code == 200, fetched.text
        proved = Receipt.from_dict(fetched.json())
        assert verify_receipt(proved, keys).ok
        assert (proved.leaf_hash.hex(), proved.index) == (entry["leaf_hash"], entry["index"])


def test_lead_time_counts_from_the_servers_receipt(api):
    api.load_golan()
    idf = api.as_("idf")
    soon = NOW + timedelta(minutes=5)
    answer = file_notice(idf, start=soon.isoformat(), end=(soon + timedelta(hours=1)).isoformat())
    (late,) = [a for a in answer["alerts"] if a["kind"] == "late-notice"]
    assert "idf" in late["parties"]
    assert answer["notice"]["filed_at"] == "2026-11-24T12:00:00.000000Z"


@pytest.mark.parametrize("field", ["filed_at", "id", "author", "action", "replaces"])
def test_the_client_cannot_set_what_the_server_decides(api, field):
    api.load_golan()
    body = notice() | {field: "2026-11-24T09:00:00.000000Z" if field == "filed_at" else "x"}
    response = api.as_("idf").post("/v1/notices", json=body)
    assert response.status_code == 422
    assert problems(response) == {
        field: "unknown field (not part of the format: check its spelling)"
    }


def test_a_geojson_polygon_is_an_outline(api):
    api.load_golan()
    ring = [[36.8, 33.4], [37.0, 33.4], [37.0, 33.6], [36.8, 33.6], [36.8, 33.4]]
    body = notice()
    body["volumes"][0]["outline"] = {"type": "Polygon", "coordinates": [ring]}
    answer = file_notice(api.as_("idf"), body)
    (vol,) = answer["notice"]["volumes"]
    assert vol["outline"] == {"type": "polygon", "vertices": ring}
    assert vol["geometry"]["type"] == "Polygon"


def test_a_corridor_and_several_volumes(api):
    api.load_golan()
    body = notice()
    body["volumes"].append(
        volume(label="return leg")
        | {
            "outline": {
                "type": "corridor",
                "route": ["33.51N 36.27E", "33.30N 36.04E"],
                "half_width": "500 m",
            }
        }
    )
    answer = file_notice(api.as_("idf"), body)
    second = answer["notice"]["volumes"][1]
    assert second["label"] == "return leg"
    assert second["outline"]["half_width"] == "500 m"
    assert second["outline"]["route"] == [[36.27, 33.51], [36.04, 33.3]]


def _ids(response):
    assert response.status_code == 200, response.text
    return [n["id"] for n in response.json()["notices"]]


def test_lists_show_only_what_the_caller_may_see(api):
    c = golan(api)
    assert _ids(c["idf"].get("/v1/notices")) == ["n-sarc-001", "n-rus-002", "n-idf-001"]
    assert _ids(c["rus"].get("/v1/notices")) == ["n-sarc-001", "n-rus-002", "n-idf-001"]
    assert _ids(c["sarc"].get("/v1/notices")) == ["n-sarc-001"]
    assert _ids(c["undof"].get("/v1/notices")) == ["n-sarc-001"]
    assert _ids(c["sarc"].get("/v1/notices", params={"status": "all"})) == ["n-sarc-001"]


def test_lists_by_status_author_window_and_area(api):
    c = golan(api)
    idf = c["idf"]
    assert _ids(idf.get("/v1/notices", params={"status": "all"})) == [
        "n-sarc-001",
        "n-idf-002",
        "n-rus-001",
        "n-rus-002",
        "n-idf-001",
        "n-idf-003",
    ]
    assert _ids(idf.get("/v1/notices", params={"status": "replaced"})) == ["n-rus-001"]
    assert _ids(idf.get("/v1/notices", params={"status": "cancelled"})) == [
        "n-idf-002",
        "n-idf-003",
    ]
    statuses = {
        n["id"]: n["status"]
        for n in idf.get("/v1/notices", params={"status": "all"}).json()["notices"]
    }
    assert statuses["n-idf-003"] == "cancellation"
    assert statuses["n-idf-002"] == "cancelled"
    assert _ids(idf.get("/v1/notices", params={"author": "rus", "status": "all"})) == [
        "n-rus-001",
        "n-rus-002",
    ]
    window = {
        "start": "2026-11-24T11:00:00.000000Z",
        "end": "2026-11-24T12:00:00.000000Z",
        "status": "all",
    }
    assert _ids(idf.get("/v1/notices", params=window)) == [
        "n-sarc-001",
        "n-rus-001",
        "n-rus-002",
    ]
    damascus = {"bbox": "36.2,33.45,36.35,33.55"}
    assert _ids(idf.get("/v1/notices", params=damascus)) == ["n-sarc-001"]
    quneitra = {"bbox": "35.76,33.05,35.90,33.2"}
    assert _ids(idf.get("/v1/notices", params=quneitra)) == ["n-sarc-001", "n-idf-001"]
    assert _ids(idf.get("/v1/notices", params={"limit": 2})) == ["n-sarc-001", "n-rus-002"]


def test_the_area_test_is_the_outline_not_its_box(api):
    api.load_golan()
    idf = api.as_("idf")
    mine = file_notice(idf)["notice"]["id"]  # an 8 km circle around 33.5N 36.9E
    # This box meets the circle's bounding box at its north-east corner, not the circle.
    corner = {"bbox": "36.97,33.555,37.0,33.6"}
    assert mine not in _ids(idf.get("/v1/notices", params=corner))
    east_edge = {"bbox": "36.98,33.49,37.0,33.51"}  # the circle reaches 36.986E
    assert mine in _ids(idf.get("/v1/notices", params=east_edge))


def test_one_notice_and_its_versions(api):
    c = golan(api)
    got = c["rus"].get("/v1/notices/n-idf-001")
    assert got.status_code == 200
    body = got.json()
    assert body["id"] == "n-idf-001"
    assert body["author"] == "idf"
    assert body["filed_at"] == "2026-11-24T09:59:10.000000Z"
    assert body["volumes"][0]["outline"]["type"] == "polygon"
    versions = c["idf"].get("/v1/notices/n-rus-002/versions").json()["versions"]
    assert [(v["id"], v["status"], v["superseded_by"]) for v in versions] == [
        ("n-rus-001", "replaced", "n-rus-002"),
        ("n-rus-002", "current", None),
    ]
    assert versions[1]["replaces"] == "n-rus-001"
    assert {v["series"] for v in versions} == {"n-rus-001"}


def test_a_notice_the_party_may_not_see_answers_exactly_as_a_missing_one(api):
    c = golan(api)
    sarc = c["sarc"]
    for ident in ("n-idf-001", "n-rus-002", "n-does-not-exist"):
        for path in (f"/v1/notices/{ident}", f"/v1/notices/{ident}/versions"):
            response = sarc.get(path)
            assert response.status_code == 404
            assert response.json() == not_found("notice", ident)
        for action, body in (("replace", notice()), ("cancel", {"title": "off"})):
            response = sarc.post(f"/v1/notices/{ident}/{action}", json=body)
            assert (response.status_code, response.json()) == (404, not_found("notice", ident))


def test_every_read_of_another_partys_notice_is_recorded_and_the_author_sees_who(api):
    c = golan(api)
    api.clock.advance(60)
    assert c["rus"].get("/v1/notices/n-idf-001").status_code == 200
    api.clock.advance(60)
    c["sarc"].get("/v1/notices/n-idf-001")  # not addressed to sarc: 404, nothing recorded
    c["idf"].get("/v1/notices/n-idf-001")  # the author's own read is not recorded
    c["undof"].get("/v1/notices")  # a list is a read too: of n-sarc-001
    reads = c["idf"].get("/v1/notices/n-idf-001/reads")
    assert reads.status_code == 200
    body = reads.json()
    assert body["notice_id"] == "n-idf-001"
    assert body["reads"] == [{"party": "rus", "read_at": "2026-11-24T12:01:00.000000Z"}]
    (delivery,) = body["deliveries"]
    assert (delivery["recipient"], delivery["status"]) == ("rus", "read")
    assert delivery["read_at"] == "2026-11-24T12:01:00.000000Z"
    sarc_reads = c["sarc"].get("/v1/notices/n-sarc-001/reads").json()["reads"]
    assert {r["party"] for r in sarc_reads} == {"undof"}


def test_only_the_author_lists_the_reads(api):
    c = golan(api)
    for who in ("rus", "sarc"):
        response = c[who].get("/v1/notices/n-idf-001/reads")
        assert (response.status_code, response.json()) == (404, not_found("notice", "n-idf-001"))


def test_replace_then_cancel(api):
    api.load_golan()
    idf, rus = api.as_("idf"), api.as_("rus")
    rus_notice = file_notice(rus)["notice"]["id"]
    api.clock.advance(60)
    original = file_notice(idf)
    first = original["notice"]["id"]
    (overlap,) = [a for a in original["alerts"] if a["kind"] == "notice-overlap"]

    api.clock.advance(60)
    moved = notice(title="moved west", center="33.5000N 36.6000E")
    replaced = idf.post(f"/v1/notices/{first}/replace", json=moved)
    assert replaced.status_code == 201, replaced.text
    second = replaced.json()["notice"]
    assert (second["action"], second["replaces"], second["series"]) == ("replace", first, first)
    assert second["kind"] == "air_operation"
    assert second["title"] == "moved west"
    assert second["filed_at"] == "2026-11-24T12:02:00.000000Z"
    closed = replaced.json()["closed_alerts"]
    assert [(a["id"], a["status"]) for a in closed] == [(overlap["id"], "closed")]
    assert idf.get(f"/v1/notices/{first}").json()["status"] == "replaced"

    again = idf.post(f"/v1/notices/{first}/replace", json=moved)
    assert again.status_code == 409
    assert second["id"] in again.json()["error"]["message"]
    assert idf.post(f"/v1/notices/{first}/cancel").status_code == 409

    api.clock.advance(60)
    cancelled = idf.post(f"/v1/notices/{second['id']}/cancel", json={"title": "called off"})
    assert cancelled.status_code == 201, cancelled.text
    cancellation = cancelled.json()["notice"]
    assert (cancellation["action"], cancellation["status"]) == ("cancel", "cancellation")
    assert cancellation["volumes"] == []
    assert cancellation["title"] == "called off"
    assert idf.get(f"/v1/notices/{second['id']}").json()["status"] == "cancelled"
    assert idf.post(f"/v1/notices/{cancellation['id']}/cancel").status_code == 409
    versions = idf.get(f"/v1/notices/{first}/versions").json()["versions"]
    assert [v["id"] for v in versions] == [first, second["id"], cancellation["id"]]
    # rus, an addressee, sees the whole chain as well; its own notice is untouched.
    assert len(rus.get(f"/v1/notices/{cancellation['id']}/versions").json()["versions"]) == 3
    assert rus.get(f"/v1/notices/{rus_notice}").json()["status"] == "current"


def test_only_the_author_replaces_or_cancels(api):
    c = golan(api)
    for action, body in (("replace", notice()), ("cancel", None)):
        response = c["rus"].post(f"/v1/notices/n-idf-001/{action}", json=body)
        assert response.status_code == 403
        assert "only its author" in response.json()["error"]["message"]


def test_a_replacement_may_change_the_kind(api):
    api.load_golan()
    idf = api.as_("idf")
    first = file_notice(idf)["notice"]["id"]
    api.clock.advance(1)
    response = idf.post(f"/v1/notices/{first}/replace", json=notice(kind="exercise"))
    assert response.status_code == 201
    assert response.json()["notice"]["kind"] == "exercise"


@pytest.mark.parametrize("role", ["viewer", "monitor", "admin"])
def test_only_duty_officers_file_notices(api, role):
    c = golan(api)
    client = api.as_("idf", role)
    for path, body in (
        ("/v1/notices", notice()),
        ("/v1/notices/n-idf-001/replace", notice()),
        ("/v1/notices/n-idf-001/cancel", {}),
    ):
        response = client.post(path, json=body)
        assert response.status_code == 403, path
        assert response.json()["error"]["type"] == "forbidden"
    # Reading is not a question of role: a viewer reads what its party may see.
    assert _ids(client.get("/v1/notices")) == _ids(c["idf"].get("/v1/notices"))
