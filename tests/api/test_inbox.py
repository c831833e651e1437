"""The inbox over HTTP: delivered -> read -> acknowledged ("received"), escalation, a
suspended party."""

from __future__ import annotations

from tests.api.bodies import file_notice, golan, not_found


def _item(client, item_id: str) -> dict:
    items = client.get("/v1/inbox").json()["items"]
    (found,) = [i for i in items if i["item_id"] == item_id]
    return found


def test_a_notice_reaches_the_addressees_inbox(api):
    c = golan(api)
    filed = file_notice(c["idf"])["notice"]
    entry = _item(c["rus"], filed["id"])
    assert entry["item_type"] == "notice"
    assert entry["sender"] == "idf"
    assert entry["status"] == "delivered"
    assert entry["deadline_at"] == "2026-11-24T12:05:00.000000Z"
    # sarc is not an addressee of idf air operations.
    assert filed["id"] not in [i["item_id"] for i in c["sarc"].get("/v1/inbox").json()["items"]]
    # Listing marks nothing read.
    assert _item(c["rus"], filed["id"])["status"] == "delivered"


def test_opening_an_item_shows_it_marks_it_read_and_records_the_read(api):
    c = golan(api)
    filed = file_notice(c["idf"])["notice"]
    entry = _item(c["rus"], filed["id"])
    api.clock.advance(20)
    opened = c["rus"].get(f"/v1/inbox/{entry['id']}")
    assert opened.status_code == 200
    body = opened.json()
    assert body["status"] == "read"
    assert body["read_at"] == "2026-11-24T12:00:20.000000Z"
    assert body["item"]["id"] == filed["id"]
    assert body["item"]["volumes"][0]["geometry"]["type"] == "Polygon"
    reads = c["idf"].get(f"/v1/notices/{filed['id']}/reads").json()["reads"]
    assert reads == [{"party": "rus", "read_at": "2026-11-24T12:00:20.000000Z"}]
    assert (
        c["rus"].get("/v1/inbox", params={"status": "read"}).json()["items"][0]["id"] == entry["id"]
    )


def test_acknowledgement_means_received_and_may_carry_a_reply(api):
    c = golan(api)
    filed = file_notice(c["idf"])["notice"]
    entry = _item(c["rus"], filed["id"])
    api.clock.advance(90)
    ack = c["rus"].post(f"/v1/inbox/{entry['id']}/ack", json={"reply": "Received, standing by"})
    assert ack.status_code == 200, ack.text
    body = ack.json()
    assert body["status"] == "acknowledged"
    assert body["acknowledged_at"] == "2026-11-24T12:01:30.000000Z"
    assert body["read_at"] == "2026-11-24T12:01:30.000000Z"
    assert body["reply"] == "Received, standing by"
    assert body["next_at"] is None
    assert set(body).isdisjoint({"approved", "denied", "accepted", "rejected", "decision"})
    again = c["rus"].post(f"/v1/inbox/{entry['id']}/ack", json={})
    assert again.status_code == 409
    assert again.json()["error"]["type"] == "conflicting_record"
    # The author sees where its delivery stands.
    (delivery,) = c["idf"].get(f"/v1/notices/{filed['id']}/reads").json()["deliveries"]
    assert (delivery["status"], delivery["reply"]) == ("acknowledged", "Received, standing by")


def test_an_acknowledgement_needs_no_body(api):
    c = golan(api)
    entry = c["rus"].get("/v1/inbox").json()["items"][0]
    response = c["rus"].post(f"/v1/inbox/{entry['id']}/ack")
    assert response.status_code == 200
    assert response.json()["reply"] is None


def test_mark_read(api):
    c = golan(api)
    entry = c["rus"].get("/v1/inbox", params={"status": "delivered"}).json()["items"][0]
    response = c["rus"].post(f"/v1/inbox/{entry['id']}/read")
    assert response.status_code == 200
    assert response.json()["status"] == "read"
    assert c["rus"].post(f"/v1/inbox/{entry['id']}/read").json()["status"] == "read"


def test_another_partys_inbox_item_answers_as_missing(api):
    c = golan(api)
    entry = c["rus"].get("/v1/inbox").json()["items"][0]
    for path in (f"/v1/inbox/{entry['id']}", "/v1/inbox/dv-nope"):
        ident = path.rsplit("/", 1)[1]
        assert c["idf"].get(path).json() == not_found("inbox item", ident)
        for action in ("read", "ack"):
            response = c["idf"].post(f"{path}/{action}", json={})
            assert (response.status_code, response.json()) == (404, not_found("inbox item", ident))


def test_roles_that_may_not_acknowledge(api):
    c = golan(api)
    entry = c["rus"].get("/v1/inbox").json()["items"][0]
    for role in ("viewer", "admin"):
        response = api.as_("rus", role).post(f"/v1/inbox/{entry['id']}/ack", json={})
        assert response.status_code == 403, role
    viewer = api.as_("rus", "viewer")
    assert viewer.get("/v1/inbox").json() == c["rus"].get("/v1/inbox").json()


def test_an_unanswered_item_escalates_to_the_next_contact_then_to_the_monitor(api):
    c = golan(api)
    filed = file_notice(c["idf"])["notice"]
    entry = _item(c["rus"], filed["id"])
    api.clock.advance(5 * 60)
    api.escalate()
    first = c["rus"].get(f"/v1/inbox/{entry['id']}").json()
    assert first["level"] == 1
    assert first["next_at"] == "2026-11-24T12:10:00.000000Z"
    api.clock.advance(5 * 60)
    api.escalate()
    assert _item(c["rus"], filed["id"])["level"] == 2
    (chase,) = [
        i
        for i in c["undof"].get("/v1/inbox").json()["items"]
        if i["item_type"] == "escalation" and i["item_id"] == entry["id"]
    ]
    assert chase["delivered_at"] == "2026-11-24T12:10:00.000000Z"
    opened = c["undof"].get(f"/v1/inbox/{chase['id']}").json()
    assert opened["item"]["id"] == entry["id"]
    assert opened["item"]["recipient"] == "rus"
    assert opened["item"]["item_type"] == "notice"
    # The monitor learns which delivery is unanswered, not the notice itself: it is not an
    # addressee of idf's air operations.
    assert c["undof"].get(f"/v1/notices/{filed['id']}").status_code == 404


def test_a_suspended_party_is_reported_undelivered_at_once(api):
    c = golan(api)
    # Russia suspends its own participation in the line.
    suspended = api.as_("rus", "admin").patch("/v1/parties/rus", json={"status": "suspended"})
    assert suspended.status_code == 200, suspended.text
    assert suspended.json()["status"] == "suspended"
    answer = file_notice(c["idf"])
    filed = answer["notice"]["id"]
    (to_rus,) = [d for d in answer["deliveries"] if d["item_id"] == filed]
    assert (to_rus["recipient"], to_rus["status"]) == ("rus", "undelivered")
    assert "suspended" in to_rus["note"]
    (report,) = [d for d in answer["deliveries"] if d["item_type"] == "undelivered"]
    assert (report["recipient"], report["item_id"]) == ("idf", to_rus["id"])
    (in_inbox,) = [
        i for i in c["idf"].get("/v1/inbox").json()["items"] if i["item_type"] == "undelivered"
    ]
    opened = c["idf"].get(f"/v1/inbox/{in_inbox['id']}").json()
    assert opened["item"]["status"] == "undelivered"
    assert opened["item"]["recipient"] == "rus"
    # Back to active: delivered again.
    api.as_("rus", "admin").patch("/v1/parties/rus", json={"status": "active"})
    api.clock.advance(1)
    again = file_notice(c["idf"])
    assert [d["status"] for d in again["deliveries"] if d["recipient"] == "rus"] == ["delivered"]
