"""Incidents over HTTP: reported, linked, told in the inbox, corrected in versions; accounts
that never overwrite one another; evidence by content; bad input named field by field."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.bodies import MISSING, changed, golan, problems
from tests.support.golan_record import HOSPITAL, IDF_ACCOUNT, IL20

BAD: list[tuple[str, Any, str, str]] = [
    ("kind", "accident", "kind", "'strike'"),
    ("title", "", "title", "at least 1 character"),
    ("place", {"type": "point", "position": "95N 35E"}, "place.position", "latitude"),
    (
        "place",
        {"type": "circle", "center": "33.1N 35.8E", "radius": "0 km"},
        "place.radius",
        "greater than zero",
    ),
    ("started_at", "2026-11-24T10:20:00", "started_at", "no timezone"),
    ("ended_at", "2026-11-24T09:00:00Z", "ended_at", "is before started_at"),
    ("parties", ["nobody"], "parties[0]", "no party 'nobody'"),
    ("evidence", [{"sha256": "ab", "size": 1}], "evidence[0].sha256", "64 lowercase"),
    ("evidence", [{"sha256": "a" * 64, "size": 4}], "evidence[0].sha256", "upload it first"),
    ("search", {"radius": "500 km"}, "search", "at most 200 km"),
    ("surprise", 1, "surprise", "unknown field"),
    ("place", MISSING, "place", "required"),
]


@pytest.mark.parametrize(
    ("field", "value", "path", "reason"), BAD, ids=[b[0] + ":" + b[2] for b in BAD]
)
def test_bad_reports_are_named_and_change_nothing(api, field, value, path, reason) -> None:
    c = golan(api)
    before = c["sarc"].get("/v1/incidents").json()
    response = c["sarc"].post("/v1/incidents", json=changed(HOSPITAL, field, value))
    assert response.status_code == 422, response.text
    found = problems(response)
    assert path in found, found
    assert reason in found[path], found
    assert c["sarc"].get("/v1/incidents").json() == before


def test_an_incident_is_linked_told_and_corrected_in_versions(api) -> None:
    c = golan(api)
    photo = c["sarc"].post(
        "/v1/evidence",
        content=b"\xff\xd8 jpeg",
        headers={"Content-Type": "image/jpeg"},
        params={"name": "wing.jpg"},
    )
    assert photo.status_code == 201, photo.text
    ref = photo.json()["evidence"]
    assert (ref["size"], ref["media_type"], ref["name"]) == (7, "image/jpeg", "wing.jpg")
    assert photo.json()["receipt"] is None  # the ledger holds only what cites it
    reported = c["sarc"].post("/v1/incidents", json={**HOSPITAL, "evidence": [ref]})
    assert reported.status_code == 201, reported.text
    body = reported.json()
    ident = body["incident"]["id"]
    assert body["incident"]["reported_by"] == "sarc"
    assert body["incident"]["geometry"] == {"type": "Point", "coordinates": [35.864, 33.113]}
    assert body["receipt"]["type"] == "incident.reported"
    # The reporter is shown the links it may see: its sites and convoy, no Israeli notice.
    shown = {(link["kind"], link["id"]) for link in body["links"]}
    assert ("site", "site-quneitra-hospital") in shown
    assert not any(i.startswith("n-idf") for _, i in shown)
    assert "n-idf-001" not in reported.text
    # Israel, whose notice covered the place, is told in its inbox, with why; so is UNDOF.
    (told,) = [i for i in c["idf"].get("/v1/inbox").json()["items"] if i["item_id"] == ident]
    assert told["item_type"] == "incident"
    assert told["sender"] is None
    assert told["note"] == "author of a notice covering the place and time"
    opened = c["idf"].get(f"/v1/inbox/{told['id']}").json()
    assert opened["item"]["id"] == ident
    assert c["idf"].get(f"/v1/evidence/{ref['sha256']}").content == b"\xff\xd8 jpeg"
    assert c["rus"].get(f"/v1/evidence/{ref['sha256']}").status_code == 404
    # Only the reporter corrects; a correction is a new version, and the old one stays.
    assert c["idf"].put(f"/v1/incidents/{ident}", json=HOSPITAL).status_code == 403
    corrected = c["sarc"].put(
        f"/v1/incidents/{ident}", json={**HOSPITAL, "started_at": "2026-11-24T10:25:00Z"}
    )
    assert corrected.status_code == 200, corrected.text
    assert corrected.json()["incident"]["version"] == 2
    answers = c["idf"].get(f"/v1/incidents/{ident}").json()["answers"]
    assert answers["incident"]["version"] == 2
    assert len(answers["incident_entries"]) == 2


def test_accounts_never_overwrite_one_another(api) -> None:
    c = golan(api)
    ident = c["sarc"].post("/v1/incidents", json=HOSPITAL).json()["incident"]["id"]
    first = c["idf"].post(
        f"/v1/incidents/{ident}/accounts",
        json=IDF_ACCOUNT
        | {"positions": [{"fact": "place", "stance": "disputes", "note": "400 m north"}]},
    )
    assert first.status_code == 201, first.text
    second = c["idf"].post(
        f"/v1/incidents/{ident}/accounts",
        json={
            "statement": "On review, we agree on the place.",
            "positions": [{"fact": "place", "stance": "agrees"}],
        },
    )
    assert second.status_code == 201, second.text
    assert (second.json()["version"], second.json()["replaces"]) == (2, first.json()["id"])
    mine = c["sarc"].post(
        f"/v1/incidents/{ident}/accounts", json={"statement": "The east wing was hit at 10:20."}
    )
    assert mine.status_code == 201
    answers = c["sarc"].get(f"/v1/incidents/{ident}").json()["answers"]
    versions = [(a["party"], a["version"], a["current"]) for a in answers["accounts"]]
    assert versions == [("idf", 1, False), ("idf", 2, True), ("sarc", 1, True)]
    place = next(f for f in answers["facts"] if f["fact"] == "place")
    assert (place["agree"], place["dispute"]) == (["sarc", "idf"], [])
    # A party that does not see the incident cannot give an account of it.
    assert (
        c["rus"].post(f"/v1/incidents/{ident}/accounts", json={"statement": "x"}).status_code == 404
    )
    # Links must be ones the party may see; an account is shared only within the audience.
    bad = c["idf"].post(
        f"/v1/incidents/{ident}/accounts",
        json={
            "statement": "x",
            "positions": [{"fact": "link:n-nope", "stance": "agrees"}],
            "shared_with": ["rus"],
        },
    )
    assert bad.status_code == 422
    assert set(problems(bad)) == {"positions[0].fact", "shared_with[0]"}


def test_an_account_shared_with_some(api) -> None:
    c = golan(api)
    ident = c["sarc"].post("/v1/incidents", json=HOSPITAL).json()["incident"]["id"]
    private = c["idf"].post(
        f"/v1/incidents/{ident}/accounts",
        json={"statement": "For the reporter only.", "shared_with": []},
    )
    assert private.status_code == 201, private.text
    # UNDOF sees the incident but not that account; the reporter and its author do.
    seen = {
        p: [a["account"] for a in c[p].get(f"/v1/incidents/{ident}").json()["answers"]["accounts"]]
        for p in ("idf", "sarc", "undof")
    }
    assert seen == {"idf": [private.json()["id"]], "sarc": [private.json()["id"]], "undof": []}


def test_evidence_over_the_limit_is_refused(api) -> None:
    c = golan(api)
    limit = api.services.settings.evidence_max_bytes
    response = c["sarc"].post(
        "/v1/evidence", content=b"x" * (limit + 1), headers={"Content-Type": "image/jpeg"}
    )
    assert response.status_code == 422
    assert "at most" in problems(response)["body"]
    wrong = c["sarc"].post("/v1/evidence", content=b"x", headers={"Content-Type": "not a type"})
    assert wrong.status_code == 422
    assert "Content-Type" in problems(wrong)


def test_an_incident_reaches_nobody_it_does_not_concern(api) -> None:
    """The Il-20, reported by Russia naming Israel: the Red Crescent, which it does not concern
    and whose agreements give it no monitor's view, learns of it in no channel."""
    c = golan(api)
    reported = c["rus"].post("/v1/incidents", json=IL20)
    assert reported.status_code == 201, reported.text
    ident = reported.json()["incident"]["id"]
    account = c["idf"].post(f"/v1/incidents/{ident}/accounts", json=IDF_ACCOUNT)
    assert account.status_code == 201, account.text
    for party in ("rus", "idf"):
        assert c[party].get(f"/v1/incidents/{ident}").status_code == 200
    outsider = c["sarc"]
    assert outsider.get(f"/v1/incidents/{ident}").status_code == 404
    assert outsider.get(f"/v1/incidents/{ident}/bundle").status_code == 404
    assert outsider.post(f"/v1/incidents/{ident}/accounts", json=IDF_ACCOUNT).status_code == 404
    channels = {
        "list": outsider.get("/v1/incidents").text,
        "inbox": outsider.get("/v1/inbox").text,
        "export": outsider.get("/v1/ledger/export").text,
        "report": outsider.get("/v1/reports/daily", params={"date": "2026-11-24"}).text,
        "stream": api.replay_stream("sarc"),
    }
    for channel, text in channels.items():
        assert ident not in text, channel
        assert "Il-20" not in text, channel
    # The parties it concerns have it on their own push channel.
    assert ident in api.replay_stream("idf")
