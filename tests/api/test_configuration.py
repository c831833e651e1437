"""Parties, agreements, lines and zone agreements over HTTP."""

from __future__ import annotations

import pytest

from tests.api.bodies import agree, file_notice, golan, not_found, parties


def test_every_party_sees_who_is_on_the_line_but_only_its_own_contacts(api):
    c = golan(api)
    listed = c["idf"].get("/v1/parties").json()["parties"]
    assert [p["id"] for p in listed] == ["idf", "rus", "sarc", "undof"]
    contacts = {p["id"]: p["duty_contacts"] for p in listed}
    assert contacts["idf"][0]["name"] == "IAF command post, duty officer"
    assert contacts["rus"] is None
    assert c["sarc"].get("/v1/parties/rus").json()["duty_contacts"] is None
    # Need to know binds admins too: another party's escalation chain is not theirs to see.
    assert api.as_("undof", "admin").get("/v1/parties/rus").json()["duty_contacts"] is None
    own = api.as_("rus", "admin").get("/v1/parties/rus").json()["duty_contacts"]
    assert own[0]["name"].startswith("Hmeimim")
    assert c["idf"].get("/v1/parties/nobody").json() == not_found("party", "nobody")


def test_admins_add_and_change_parties(api):
    golan(api)
    admin = api.as_("undof", "admin")
    body = {"id": "unhcr", "name": "UNHCR", "kind": "humanitarian", "affiliations": ["UNHCR"]}
    created = admin.post("/v1/parties", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["status"] == "active"
    assert admin.post("/v1/parties", json=body).status_code == 409
    # A party's record is changed by that party's own admins only.
    assert admin.patch("/v1/parties/unhcr", json={"name": "x"}).status_code == 403
    assert admin.patch("/v1/parties/rus", json={"status": "suspended"}).status_code == 403
    renamed = api.as_("unhcr", "admin").patch(
        "/v1/parties/unhcr", json={"name": "UN refugee agency"}
    )
    assert renamed.status_code == 200
    assert renamed.json()["name"] == "UN refugee agency"
    assert renamed.json()["affiliations"] == ["UNHCR"]
    missing = admin.patch("/v1/parties/nobody", json={"name": "x"})
    assert (missing.status_code, missing.json()) == (404, not_found("party", "nobody"))
    # The new party can be given a token and act at once.
    assert api.as_("unhcr").get("/v1/me").json()["party"] == "unhcr"


@pytest.mark.parametrize("role", ["duty_officer", "monitor", "viewer"])
def test_only_admins_configure(api, role):
    golan(api)
    client = api.as_("undof", role)
    line = {"id": "l1", "name": "L", "vertices": ["33N 36E", "33.1N 36E"]}
    for method, path, body in (
        ("post", "/v1/parties", {"id": "x", "name": "X", "kind": "monitor"}),
        ("patch", "/v1/parties/rus", {"status": "suspended"}),
        ("post", "/v1/agreements", {"id": "a", "name": "A", "parties": ["idf", "rus"]}),
        ("put", "/v1/agreements/idf-rus", {"name": "A", "parties": ["idf", "rus"]}),
        ("post", "/v1/lines", line),
        ("put", "/v1/lines/line-a", line | {"id": "line-a"}),
        (
            "put",
            "/v1/zones/aos",
            {
                "name": "Z",
                "signatories": ["idf"],
                "area": {"type": "band", "line": "line-a", "to": "1 km"},
                "rules": [{"type": "no_presence"}],
            },
        ),
    ):
        response = client.request(method, path, json=body)
        assert response.status_code == 403, (method, path)


def test_agreements_are_seen_by_their_parties_and_monitors(api):
    c = golan(api)
    parties(api, "x")
    x = api.as_("x")
    assert [a["id"] for a in c["idf"].get("/v1/agreements").json()["agreements"]] == [
        "hns-golan",
        "idf-rus",
    ]
    assert [a["id"] for a in c["sarc"].get("/v1/agreements").json()["agreements"]] == ["hns-golan"]
    agreement = c["undof"].get("/v1/agreements/idf-rus").json()  # undof monitors it
    assert agreement["acknowledgement"] == {"deadline": "5 min", "step": "5 min"}
    assert agreement["notifications"][0] == {"from": "idf", "to": ["rus"], "kinds": []}
    assert agreement["lead_times"]["air_operation"] == "30 min"
    for ident in ("idf-rus", "nope"):
        response = (
            c["sarc"].get(f"/v1/agreements/{ident}")
            if ident == "idf-rus"
            else x.get(f"/v1/agreements/{ident}")
        )
        assert (response.status_code, response.json()) == (404, not_found("agreement", ident))
    assert x.get("/v1/agreements").json() == {"agreements": []}


def test_a_new_agreement_makes_new_addressees(api):
    c = golan(api)
    parties(api, "x")
    x = api.as_("x")
    admin = api.as_("idf", "admin")
    # An admin records only agreements its own party takes part in.
    assert (
        api.as_("undof", "admin")
        .post("/v1/agreements", json={"id": "x-idf", "name": "X and IDF", "parties": ["x", "idf"]})
        .status_code
        == 403
    )
    body = {
        "id": "x-idf",
        "name": "X and IDF",
        "parties": ["x", "idf"],
        "acknowledgement": {"deadline": "2 min"},
    }
    created = agree(api, "post", "/v1/agreements", body, "idf")
    assert created["parties"] == ["x", "idf"]
    assert admin.post("/v1/agreements", json=body).status_code == 409
    filed = file_notice(x)
    assert [(d["recipient"], d["deadline_at"]) for d in filed["deliveries"]] == [
        ("idf", "2026-11-24T12:02:00.000000Z")
    ]
    assert c["idf"].get(f"/v1/notices/{filed['notice']['id']}").status_code == 200
    changed = agree(
        api, "put", "/v1/agreements/x-idf", body | {"acknowledgement": {"deadline": "1 min"}}, "x"
    )
    assert changed["acknowledgement"]["deadline"] == "1 min"
    missing = admin.put("/v1/agreements/nope", json=body)
    assert (missing.status_code, missing.json()) == (404, not_found("agreement", "nope"))


def test_lines(api):
    c = golan(api)
    lines = c["sarc"].get("/v1/lines").json()["lines"]
    assert [line["id"] for line in lines] == ["line-a", "line-b"]
    assert lines[0]["geometry"]["type"] == "LineString"
    assert lines[0]["vertices"][0] == [35.77, 33.305]
    admin = api.as_("undof", "admin")
    body = {"id": "line-c", "name": "Line C", "vertices": ["33N 36E", "33.1N 36E"]}
    created = admin.post("/v1/lines", json=body)
    assert created.status_code == 201
    # A new line binds nobody yet: it is in force at once, and so are its new vertices.
    assert created.json()["proposal"]["status"] == "in_force"
    moved = admin.put(
        "/v1/lines/line-c", json={"name": "Line C", "vertices": ["33N 36.1E", "33.1N 36.1E"]}
    )
    assert moved.status_code == 200
    assert moved.json()["in_force"]["vertices"] == [[36.1, 33.0], [36.1, 33.1]]
    # Moving a line that zone agreements are measured from needs their parties' consent.
    line_a = c["idf"].get("/v1/lines/line-a").json()
    shifted = {k: line_a[k] for k in ("name", "vertices")} | {"source": "moved"}
    pending = admin.put("/v1/lines/line-a", json=shifted).json()["proposal"]
    assert (pending["status"], pending["required"]) == ("pending", ["idf", "rus", "undof"])
    assert c["idf"].get("/v1/lines/line-z").json() == not_found("line", "line-z")


def test_zones_are_seen_by_signatories_and_monitors(api):
    c = golan(api)
    zones = c["idf"].get("/v1/zones").json()["zones"]
    assert len(zones) == 7
    aos = c["undof"].get("/v1/zones/aos").json()
    assert aos["area"]["type"] == "polygon"
    assert aos["geometry"]["type"] == "Polygon"
    assert aos["area_description"] == "Area of Separation (1974)"
    band = c["rus"].get("/v1/zones/syr-10").json()
    assert band["area"] == {
        "type": "band",
        "line": "line-b",
        "from": "0 km",
        "to": "10 km",
        "side": "east",
    }
    assert band["area_description"] == "the 0–10 km band east of Line B"
    for ident in ("aos", "nope"):
        response = c["sarc"].get(f"/v1/zones/{ident}")
        assert (response.status_code, response.json()) == (404, not_found("zone", ident))
    assert c["sarc"].get("/v1/zones").json() == {"zones": []}


def test_admins_add_and_change_zones(api):
    c = golan(api)
    body = {
        "id": "box",
        "name": "A box",
        "signatories": ["idf", "sarc"],
        "monitors": ["undof"],
        "area": {"type": "polygon", "vertices": ["33.4N 36.8E", "33.4N 37.0E", "33.6N 37.0E"]},
        "rules": [{"type": "no_presence", "applies_to": {"notice_kinds": ["air_operation"]}}],
    }
    created = agree(api, "post", "/v1/zones", body, "undof")
    assert created["area"]["type"] == "polygon"
    assert c["sarc"].get("/v1/zones/box").json()["geometry"]["type"] == "Polygon"
    # An idf air operation inside it is now told to idf as a zone entry.
    filed = file_notice(c["idf"], center="33.5500N 36.9500E", radius="1 km")
    assert "zone-entry" in [a["kind"] for a in filed["alerts"]]
    # SARC leaves it, on its own.
    left = api.as_("sarc", "admin").put("/v1/zones/box", json=body | {"signatories": ["idf"]})
    assert left.json()["proposal"]["status"] == "in_force"
    assert c["sarc"].get("/v1/zones/box").status_code == 404
