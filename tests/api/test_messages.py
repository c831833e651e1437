"""Messages between parties over HTTP."""

from __future__ import annotations

from tests.api.bodies import golan, not_found


def test_a_message_reaches_the_recipient_and_is_read(api):
    c = golan(api)
    sent = c["idf"].post(
        "/v1/messages", json={"to": "rus", "body": "Please confirm", "notice_id": "n-idf-001"}
    )
    assert sent.status_code == 201, sent.text
    message = sent.json()
    assert message["id"].startswith("m-")
    assert (message["sender"], message["recipient"]) == ("idf", "rus")
    assert message["notice_id"] == "n-idf-001"
    assert message["sent_at"] == "2026-11-24T12:00:00.000000Z"
    (delivery,) = message["deliveries"]
    assert (delivery["recipient"], delivery["status"]) == ("rus", "delivered")

    listed = c["rus"].get("/v1/messages").json()["messages"]
    assert [m["id"] for m in listed] == [message["id"]]
    assert c["idf"].get("/v1/messages").json()["messages"][0]["body"] == "Please confirm"
    api.clock.advance(10)
    got = c["rus"].get(f"/v1/messages/{message['id']}")
    assert got.json()["body"] == "Please confirm"
    items = c["rus"].get("/v1/inbox").json()["items"]
    (entry,) = [i for i in items if i["item_id"] == message["id"]]
    assert (entry["status"], entry["read_at"]) == ("read", "2026-11-24T12:00:10.000000Z")
    ack = c["rus"].post(f"/v1/inbox/{entry['id']}/ack", json={"reply": "Confirmed"})
    assert ack.json()["reply"] == "Confirmed"


def test_a_free_message_and_an_inbox_view_of_it(api):
    c = golan(api)
    sent = c["sarc"].post("/v1/messages", json={"to": "undof", "body": "Convoy delayed 1 h"})
    assert sent.status_code == 201
    items = c["undof"].get("/v1/inbox").json()["items"]
    (entry,) = [i for i in items if i["item_id"] == sent.json()["id"]]
    opened = c["undof"].get(f"/v1/inbox/{entry['id']}").json()
    assert opened["item"]["body"] == "Convoy delayed 1 h"
    assert opened["item"]["notice_id"] is None


def test_others_may_not_read_a_message(api):
    c = golan(api)
    sent = c["idf"].post("/v1/messages", json={"to": "rus", "body": "x"}).json()
    for ident in (sent["id"], "m-nope"):
        response = c["sarc"].get(f"/v1/messages/{ident}")
        assert (response.status_code, response.json()) == (404, not_found("message", ident))
    assert c["sarc"].get("/v1/messages").json() == {"messages": []}


def test_who_may_send(api):
    c = golan(api)
    monitor = c["undof"].post("/v1/messages", json={"to": "idf", "body": "Please report"})
    assert monitor.status_code == 201
    for role in ("viewer", "admin"):
        response = api.as_("idf", role).post("/v1/messages", json={"to": "rus", "body": "x"})
        assert response.status_code == 403, role
