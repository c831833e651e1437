"""Agreements change only with the consent of every party they bind.

Each of the four ways one admin could rewrite what binds others stays a proposal, and changes
nothing, until every party concerned has consented; leaving, or receiving less, is a party's
own business; every step is in the record with its receipt.
"""

from __future__ import annotations

from typing import Any

import httpx

from deconfliction.engine.ledger.receipts import Receipt, verify_receipt
from tests.api.bodies import file_notice, golan, not_found, notice
from tests.support.server import Api

GOLAN_AGREEMENT = "idf-rus"


def _propose(client: httpx.Client, method: str, path: str, body: dict[str, Any]) -> dict:
    answer = client.request(method, path, json=body)
    assert answer.status_code in (200, 201), answer.text
    found: dict[str, Any] = answer.json()
    assert found["receipt"]["type"] == "proposal.recorded"
    return found


def _consent(client: httpx.Client, proposal_id: str) -> dict[str, Any]:
    answer = client.post(f"/v1/proposals/{proposal_id}/consent")
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def _agreement(api: Api, ident: str) -> dict[str, Any]:
    got: dict[str, Any] = api.as_("idf", "admin").get(f"/v1/agreements/{ident}").json()
    return got


def test_an_agreement_naming_others_is_only_a_proposal_until_they_consent(api):
    """Attack 1: the humanitarian organisation's admin creates an agreement under which the
    IDF must notify it, then hopes to read the IDF's next notice."""
    c = golan(api)
    sarc_admin = api.as_("sarc", "admin")
    body = {
        "id": "idf-to-sarc",
        "name": "IDF tells SARC everything",
        "parties": ["idf", "sarc"],
        "notifications": [{"from": "idf", "to": ["sarc"]}],
    }
    made = _propose(sarc_admin, "post", "/v1/agreements", body)
    proposal = made["proposal"]
    assert (proposal["status"], proposal["required"], made["in_force"]) == (
        "pending",
        ["idf", "sarc"],
        None,
    )
    assert list(proposal["consents"]) == ["sarc"]
    assert _agreement(api, "idf-to-sarc") == not_found("agreement", "idf-to-sarc")
    filed = file_notice(c["idf"])
    assert "sarc" not in {d["recipient"] for d in filed["deliveries"]}
    hidden = c["sarc"].get(f"/v1/notices/{filed['notice']['id']}")
    assert (hidden.status_code, hidden.json()) == (404, not_found("notice", filed["notice"]["id"]))
    # The IDF's admins see it in their inbox, and may decline it: the terms stay as they were.
    inbox = api.as_("idf", "admin").get("/v1/inbox").json()["items"]
    assert proposal["id"] in {i["item_id"] for i in inbox if i["item_type"] == "proposal"}
    declined = api.as_("idf", "admin").post(
        f"/v1/proposals/{proposal['id']}/decline", json={"note": "not agreed"}
    )
    assert declined.status_code == 200, declined.text
    assert declined.json()["proposal"]["status"] == "declined"
    assert declined.json()["receipt"]["type"] == "proposal.declined"
    again = api.as_("idf", "admin").post(f"/v1/proposals/{proposal['id']}/consent")
    assert again.status_code == 409
    assert "sarc" not in {d["recipient"] for d in file_notice(c["idf"])["deliveries"]}


def test_a_monitor_cannot_join_a_bilateral_agreement_and_cut_its_lead_times(api):
    """Attack 2: the monitor's admin adds itself to the IDF-Russia agreement and cuts its lead
    times to 1 s; a notice filed 26 s before its start must still be late."""
    c = golan(api)
    current = _agreement(api, GOLAN_AGREEMENT)
    changed = {k: v for k, v in current.items() if k not in ("receipt", "ledger")} | {
        "parties": ["idf", "rus", "undof"],
        "lead_times": {"air_operation": "1 s"},
    }
    made = _propose(api.as_("undof", "admin"), "put", f"/v1/agreements/{GOLAN_AGREEMENT}", changed)
    assert made["proposal"]["status"] == "pending"
    assert made["proposal"]["required"] == ["idf", "rus", "undof"]
    assert _agreement(api, GOLAN_AGREEMENT)["lead_times"]["air_operation"] == "30 min"
    api.clock.advance(60)
    now = api.clock.now()
    start = (now.replace(microsecond=0)).isoformat().replace("+00:00", "Z")
    filed = c["idf"].post("/v1/notices", json=notice(start=start, end="2026-11-25T23:00:00Z"))
    assert filed.status_code == 201, filed.text
    assert "late-notice" in [a["kind"] for a in filed.json()["alerts"]]
    # With both parties' consent it comes in force, recorded with the proposal's name.
    _consent(api.as_("idf", "admin"), made["proposal"]["id"])
    done = _consent(api.as_("rus", "admin"), made["proposal"]["id"])
    assert done["proposal"]["status"] == "in_force"
    assert done["in_force"]["lead_times"]["air_operation"] == "1 s"
    assert _agreement(api, GOLAN_AGREEMENT)["lead_times"]["air_operation"] == "1 s"
    keys = api.keys()
    for answer in (done,):
        assert verify_receipt(Receipt.from_dict(answer["receipt"]), keys).ok


def test_no_party_empties_a_multilateral_agreement_alone(api):
    """Attack 3: one party empties the four-party agreement's notifications and monitors."""
    c = golan(api)
    current = _agreement(api, "hns-golan")
    emptied = {k: v for k, v in current.items() if k not in ("receipt", "ledger")} | {
        "notifications": [],
        "monitors": [],
    }
    made = _propose(api.as_("rus", "admin"), "put", "/v1/agreements/hns-golan", emptied)
    assert made["proposal"]["status"] == "pending"
    assert set(made["proposal"]["required"]) == {"idf", "rus", "sarc", "undof"}
    # SARC's humanitarian movements still reach everyone, as agreed.
    filed = file_notice(
        c["sarc"],
        kind="humanitarian_movement",
        start="2026-11-28T10:00:00Z",
        end="2026-11-28T11:00:00Z",
    )
    assert {d["recipient"] for d in filed["deliveries"]} >= {"idf", "rus", "undof"}


def test_no_party_enrols_itself_as_monitor_of_a_zone_it_does_not_sign(api):
    """Attack 4: a party makes itself monitor of a zone agreement and reads its observations."""
    c = golan(api)
    zone = api.as_("idf", "admin").get("/v1/zones/aos").json()
    body = {k: v for k, v in zone.items() if k not in ("geometry", "area_description")} | {
        "monitors": ["undof", "sarc"]
    }
    # A party that is not in it may not even learn that it exists.
    refused = api.as_("sarc", "admin").put("/v1/zones/aos", json=body)
    assert (refused.status_code, refused.json()) == (404, not_found("zone", "aos"))
    # A signatory cannot enrol it either: the others must consent, sarc included.
    made = _propose(api.as_("rus", "admin"), "put", "/v1/zones/aos", body)
    assert made["proposal"]["status"] == "pending"
    assert set(made["proposal"]["required"]) == {"idf", "rus", "sarc", "undof"}
    assert c["sarc"].get("/v1/zones/aos").status_code == 404
    assert c["sarc"].get("/v1/observations").json() == {"observations": []}


def test_leaving_an_agreement_needs_no_one_and_the_others_are_told(api):
    golan(api)
    current = _agreement(api, "hns-golan")
    body = {k: v for k, v in current.items() if k not in ("receipt", "ledger")}
    left = body | {
        "parties": ["sarc", "idf", "undof"],
        "notifications": [
            {"from": "sarc", "to": ["idf", "undof"], "kinds": ["humanitarian_movement"]}
        ],
    }
    made = _propose(api.as_("rus", "admin"), "put", "/v1/agreements/hns-golan", left)
    assert (made["proposal"]["status"], made["proposal"]["required"]) == ("in_force", ["rus"])
    assert made["in_force"]["parties"] == ["sarc", "idf", "undof"]
    told = api.as_("sarc", "admin").get("/v1/inbox").json()["items"]
    assert made["proposal"]["id"] in {i["item_id"] for i in told}
    # Receiving less is one's own business too: UNDOF stops being a monitor.
    now = _agreement(api, "hns-golan")
    fewer = {k: v for k, v in now.items() if k not in ("receipt", "ledger")} | {"monitors": []}
    made = _propose(api.as_("undof", "admin"), "put", "/v1/agreements/hns-golan", fewer)
    assert made["proposal"]["status"] == "in_force"
    # But taking another party out is not.
    other = {
        k: v for k, v in _agreement(api, "hns-golan").items() if k not in ("receipt", "ledger")
    }
    other |= {
        "parties": ["sarc", "undof"],
        "notifications": [{"from": "sarc", "to": ["undof"], "kinds": ["humanitarian_movement"]}],
    }
    made = _propose(api.as_("undof", "admin"), "put", "/v1/agreements/hns-golan", other)
    assert made["proposal"]["status"] == "pending"


def test_a_proposal_expires_and_the_old_terms_stay(api):
    golan(api)
    current = _agreement(api, GOLAN_AGREEMENT)
    body = {k: v for k, v in current.items() if k not in ("receipt", "ledger")}
    made = _propose(
        api.as_("idf", "admin"),
        "put",
        f"/v1/agreements/{GOLAN_AGREEMENT}",
        body | {"margins": {"lateral": "1 NM", "vertical": "500 ft"}},
    )
    api.clock.advance(8 * 86_400)
    assert api.expire_proposals() == [made["proposal"]["id"]]
    late = api.as_("rus", "admin").post(f"/v1/proposals/{made['proposal']['id']}/consent")
    assert late.status_code == 409
    listed = api.as_("rus", "admin").get("/v1/proposals").json()["proposals"]
    assert {p["id"]: p["status"] for p in listed}[made["proposal"]["id"]] == "expired"
    assert _agreement(api, GOLAN_AGREEMENT)["margins"]["lateral"] == "3 NM"


def test_proposals_are_need_to_know(api):
    golan(api)
    body = {"id": "idf-rus-2", "name": "More", "parties": ["idf", "rus"]}
    made = _propose(api.as_("idf", "admin"), "post", "/v1/agreements", body)
    ident = made["proposal"]["id"]
    assert api.as_("rus").get(f"/v1/proposals/{ident}").status_code == 200
    hidden = api.as_("sarc", "admin").get(f"/v1/proposals/{ident}")
    assert (hidden.status_code, hidden.json()) == (404, not_found("proposal", ident))
    assert api.as_("sarc", "admin").post(f"/v1/proposals/{ident}/consent").status_code == 404
    # Only admins speak for their party; only the proposer withdraws.
    assert api.as_("rus").post(f"/v1/proposals/{ident}/consent").status_code == 403
    assert api.as_("rus", "admin").post(f"/v1/proposals/{ident}/withdraw").status_code == 403
    withdrawn = api.as_("idf", "admin").post(f"/v1/proposals/{ident}/withdraw")
    assert withdrawn.json()["proposal"]["status"] == "withdrawn"


def test_a_count_of_proposals_leaves_their_deliveries_unread(api):
    """The console counts the proposals awaiting a party's consent (``opened=false``): the read
    is recorded, but the party has not opened them, so their deliveries stay unread."""
    golan(api)
    current = _agreement(api, GOLAN_AGREEMENT)
    body = {k: v for k, v in current.items() if k not in ("receipt", "ledger")} | {
        "name": "Israel–Russia line, renamed"
    }
    proposal = _propose(api.as_("idf", "admin"), "put", f"/v1/agreements/{GOLAN_AGREEMENT}", body)
    ident = proposal["proposal"]["id"]
    rus = api.as_("rus")

    def delivery_status() -> str:
        items = rus.get("/v1/inbox", params={"limit": 1000}).json()["items"]
        (found,) = [i["status"] for i in items if i["item_id"] == ident]
        return str(found)

    assert delivery_status() == "delivered"
    counted = rus.get("/v1/proposals", params={"status": "pending", "opened": "false"})
    assert [p["id"] for p in counted.json()["proposals"]] == [ident]
    assert delivery_status() == "delivered"
    listed = rus.get("/v1/proposals", params={"status": "pending"})
    assert [p["id"] for p in listed.json()["proposals"]] == [ident]
    assert delivery_status() == "read"
