"""The DSS facade on a real server (both stores): authentication, OVNs and versions, keys,
subscriptions and their notification indexes, availability, receipts, and intents as notices."""

from __future__ import annotations

import base64
import json

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from deconfliction.engine.ledger.receipts import Receipt, verify_receipt
from tests.dss.conftest import ALL_SCOPES, new_id, token, volume

OIR = "/operational_intent_references"
URL = "https://uss.example/utm"


def oir_body(state="Accepted", key=(), **extent):
    return {
        "extents": [volume(**extent)],
        "state": state,
        "uss_base_url": URL,
        "key": list(key),
        "new_subscription": {"uss_base_url": URL},
    }


def error_response(r) -> bool:
    body = r.json()
    return set(body) == {"message"} and isinstance(body["message"], str)


def test_authentication_answers_401_and_403_with_error_responses(dss):
    query = {"area_of_interest": volume()}
    assert (r := dss.client(scope="none").post(f"{OIR}/query", json=query)).status_code == 401
    assert error_response(r)
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    forged = {"Authorization": f"Bearer {token(other_key, 'uss1', ALL_SCOPES)}"}
    assert (
        r := dss.client(scope="none").post(f"{OIR}/query", json=query, headers=forged)
    ).status_code == 401
    assert error_response(r)
    assert dss.client(scope="").post(f"{OIR}/query", json=query).status_code == 401
    assert dss.client(scope=None).post(f"{OIR}/query", json=query).status_code == 401
    assert dss.client(aud="elsewhere.example").post(f"{OIR}/query", json=query).status_code == 401
    assert dss.client(exp_s=-10).post(f"{OIR}/query", json=query).status_code == 401
    r = dss.client(scope="utm.availability_arbitration").post(f"{OIR}/query", json=query)
    assert r.status_code == 403
    assert error_response(r)
    assert (
        dss.client(scope="utm.conformance_monitoring_sa")
        .post(f"{OIR}/query", json=query)
        .status_code
        == 200
    )
    # Our own API's tokens are not DSS tokens, and DSS tokens are not ours.
    assert (
        dss.client(scope="none")
        .get("/uss_availability/uss1", headers={"Authorization": "Bearer dlt_x"})
        .status_code
        == 401
    )


def test_ovn_and_version_change_together_and_only_the_manager_sees_the_ovn(dss):
    uss1, uss2 = dss.client("uss1"), dss.client("uss2")
    oid = new_id()
    created = uss1.put(f"{OIR}/{oid}", json=oir_body())
    assert created.status_code == 201, created.text
    ref = created.json()["operational_intent_reference"]
    assert (ref["version"], ref["manager"], ref["state"]) == (1, "uss1", "Accepted")
    seen = uss2.get(f"{OIR}/{oid}").json()["operational_intent_reference"]
    assert seen["ovn"] == "Available from USS"
    # Update with the wrong OVN: 409; by another manager: 403.
    assert uss1.put(f"{OIR}/{oid}/wrong-ovn-000000000", json=oir_body()).status_code == 409
    assert uss2.put(f"{OIR}/{oid}/{ref['ovn']}", json=oir_body()).status_code == 403
    updated = uss1.put(f"{OIR}/{oid}/{ref['ovn']}", json=oir_body(state="Activated", end=90))
    assert updated.status_code == 200, updated.text
    new = updated.json()["operational_intent_reference"]
    assert new["version"] == 2
    assert new["ovn"] != ref["ovn"]
    # Creating in a state other than Accepted, or Nonconforming without CMSA: refused.
    assert uss1.put(f"{OIR}/{new_id()}", json=oir_body(state="Activated")).status_code == 400
    no_cmsa = dss.client("uss1", scope="utm.strategic_coordination")
    assert (
        no_cmsa.put(f"{OIR}/{oid}/{new['ovn']}", json=oir_body(state="Nonconforming")).status_code
        == 403
    )
    assert uss1.delete(f"{OIR}/{oid}/{ref['ovn']}").status_code == 409
    assert uss1.delete(f"{OIR}/{oid}/{new['ovn']}").status_code == 200
    assert uss1.get(f"{OIR}/{oid}").status_code == 404


def test_a_key_without_the_ovn_of_an_intersecting_intent_is_409_with_it_missing(dss):
    uss1, uss2 = dss.client("uss1"), dss.client("uss2")
    first = uss1.put(f"{OIR}/{new_id()}", json=oir_body()).json()["operational_intent_reference"]
    conflict = uss2.put(f"{OIR}/{new_id()}", json=oir_body())
    assert conflict.status_code == 409
    missing = conflict.json()["missing_operational_intents"]
    assert [m["id"] for m in missing] == [first["id"]]
    assert missing[0]["ovn"] == "Available from USS"
    # Far away, no key is needed; with the OVN (learnt from its manager), it is accepted.
    assert uss2.put(f"{OIR}/{new_id()}", json=oir_body(lat=34.0)).status_code == 201
    assert uss2.put(f"{OIR}/{new_id()}", json=oir_body(key=[first["ovn"]])).status_code == 201


def test_subscriptions_notification_indexes_and_implicit_lifecycle(dss):
    uss1, uss2 = dss.client("uss1"), dss.client("uss2")
    sid = new_id()
    sub = uss2.put(
        f"/subscriptions/{sid}",
        json={
            "extents": volume(start=0, end=120),
            "uss_base_url": URL,
            "notify_for_operational_intents": True,
        },
    )
    assert sub.status_code == 200, sub.text
    assert sub.json()["subscription"]["notification_index"] == 0
    oid = new_id()
    created = uss1.put(f"{OIR}/{oid}", json=oir_body()).json()
    notified = {
        s["subscription_id"]: s["notification_index"]
        for sub_ in created["subscribers"]
        for s in sub_["subscriptions"]
    }
    assert notified[sid] == 1
    implicit = created["operational_intent_reference"]["subscription_id"]
    assert notified[implicit] == 1
    assert uss2.get(f"/subscriptions/{sid}").json()["subscription"]["notification_index"] == 1
    got = uss1.get(f"/subscriptions/{implicit}").json()["subscription"]
    assert got["implicit_subscription"] is True
    assert got["dependent_operational_intents"] == [oid]
    # An implicit subscription with a dependent cannot be deleted; it goes with its intent.
    assert uss1.delete(f"/subscriptions/{implicit}/{got['version']}").status_code == 400
    ovn = created["operational_intent_reference"]["ovn"]
    assert uss1.delete(f"{OIR}/{oid}/{ovn}").status_code == 200
    assert uss1.get(f"/subscriptions/{implicit}").status_code == 404
    assert uss2.get(f"/subscriptions/{sid}").json()["subscription"]["notification_index"] == 2
    # Limits: more than 24 hours, another manager's subscription, a huge area.
    assert (
        uss2.put(
            f"/subscriptions/{new_id()}",
            json={
                "extents": volume(start=0, end=25 * 60),
                "uss_base_url": URL,
                "notify_for_operational_intents": True,
            },
        ).status_code
        == 400
    )
    assert uss1.get(f"/subscriptions/{sid}").status_code == 403
    huge = volume(half=0.5)
    assert uss2.post("/subscriptions/query", json={"area_of_interest": huge}).status_code == 400


def test_a_down_uss_may_not_create_and_availability_needs_its_version(dss):
    arbiter = dss.client("arbiter", scope="utm.availability_arbitration")
    assert (
        arbiter.put(
            "/uss_availability/uss1", json={"old_version": "x", "availability": "Down"}
        ).status_code
        == 409
    )
    down = arbiter.put("/uss_availability/uss1", json={"old_version": "", "availability": "Down"})
    assert down.status_code == 200
    assert down.json()["status"] == {"uss": "uss1", "availability": "Down"}
    assert dss.client("uss1").put(f"{OIR}/{new_id()}", json=oir_body()).status_code == 412
    version = down.json()["version"]
    assert (
        arbiter.put(
            "/uss_availability/uss1", json={"old_version": version, "availability": "Normal"}
        ).status_code
        == 200
    )


def test_every_write_carries_a_receipt_that_verifies_with_the_ledger_keys(dss):
    answer = dss.client("uss1").put(f"{OIR}/{new_id()}", json=oir_body())
    encoded = answer.headers["Deconfliction-Receipt"]
    receipt = Receipt.from_dict(
        json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    )
    keyring = dss.api.coordinator.ledger.keys.keyring()
    assert verify_receipt(receipt, keyring).ok
    assert receipt.to_dict()["type"] == "dss.oir.created"
    assert (
        len(answer.headers["Deconfliction-Ledger-Entries"].split(",")) >= 3
    )  # intent, subscription, notice


def test_intents_are_notices_of_the_utm_party_with_need_to_know_kept(dss):
    idf = dss.api.as_("idf")
    patrol = {
        "kind": "air_operation",
        "volumes": [
            {
                "outline": {"type": "circle", "center": "33.2N 35.6E", "radius": "2 km"},
                "altitude": {"lower": "SFC", "upper": "1000 ft AMSL"},
                "window": {"start": "2026-11-24T12:00:00Z", "end": "2026-11-24T14:00:00Z"},
            }
        ],
    }
    assert idf.post("/v1/notices", json=patrol).status_code == 201
    uss = dss.client("uss1")
    oid = new_id()
    ref = uss.put(f"{OIR}/{oid}", json=oir_body()).json()["operational_intent_reference"]
    notices = idf.get("/v1/notices", params={"author": "utm"}).json()["notices"]
    assert len(notices) == 1
    assert oid in notices[0]["title"]
    assert notices[0]["volumes"][0]["altitude"]["upper"] == "120 m W84"
    alerts = idf.get("/v1/alerts").json()["alerts"]
    assert any(notices[0]["id"] in a["subjects"] for a in alerts), "the drone flies in the patrol"
    assert dss.api.as_("sarc").get("/v1/notices", params={"author": "utm"}).json()["notices"] == []
    assert uss.delete(f"{OIR}/{oid}/{ref['ovn']}").status_code == 200
    current = idf.get("/v1/notices", params={"author": "utm"}).json()["notices"]
    assert current == []


def test_bad_requests_are_400_error_responses(dss):
    uss = dss.client("uss1")
    for body in (
        {"extents": []},
        {"extents": [volume()], "state": "Flying", "uss_base_url": URL},
        "not json",
    ):
        r = uss.put(
            f"{OIR}/{new_id()}", content=body if isinstance(body, str) else json.dumps(body)
        )
        assert r.status_code == 400
        assert error_response(r)
    assert uss.put(f"{OIR}/not-a-uuid", json=oir_body()).status_code == 400
    past = oir_body(start=-120, end=-60)
    assert uss.put(f"{OIR}/{new_id()}", json=past).status_code == 400
    # Altitudes follow the one rule: above the ceiling (FL660), or above UNL, is refused.
    for hi, words in ((25_000, "above the ceiling of FL660"), (40_000, "above UNL")):
        r = uss.put(f"{OIR}/{new_id()}", json=oir_body(hi=hi))
        assert r.status_code == 400, r.text
        assert words in r.json()["message"]
    # A body that JSON reads two ways is refused like any malformed body.
    twice = json.dumps(oir_body())[:-1] + ', "state": "Accepted"}'
    r = uss.put(f"{OIR}/{new_id()}", content=twice)
    assert r.status_code == 400
    assert "key 'state' appears twice" in r.json()["message"]
    assert jwt.__name__  # PyJWT is what signs the test tokens
