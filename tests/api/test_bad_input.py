"""Bad input on every write: 400 or 422 with the field path and the reason, nothing recorded,
never a server error."""

from __future__ import annotations

import json
from typing import Any

import pytest
import sqlalchemy as sa

from deconfliction.store.schema import events
from tests.api.bodies import (
    MISSING,
    changed,
    golan,
    notice,
    observation,
    parties,
    problems,
    site,
)

N = notice()
POLYGON = {
    "type": "Polygon",
    "coordinates": [[[36.8, 33.4], [37.0, 33.4], [37.0, 33.6], [36.8, 33.4]]],
}

# (what is wrong, path in the body set to a value (MISSING removes it), expected path, words
# expected in the reason)
NOTICE_CASES: list[tuple[str, str, Any, str, str]] = [
    ("no kind", "kind", MISSING, "kind", "required field is missing"),
    ("unknown kind", "kind", "strike", "kind", "'air_operation'"),
    ("no volumes", "volumes", [], "volumes", "at least 1 item"),
    ("volumes not a list", "volumes", "x", "volumes", "valid list"),
    ("unknown outline", "volumes[0].outline.type", "hexagon", "volumes[0].outline", "'hexagon'"),
    (
        "outline type missing",
        "volumes[0].outline.type",
        MISSING,
        "volumes[0].outline",
        "'type' is missing",
    ),
    (
        "radius without unit",
        "volumes[0].outline.radius",
        "8",
        "volumes[0].outline.radius",
        "a unit",
    ),
    (
        "negative radius",
        "volumes[0].outline.radius",
        "-1 km",
        "volumes[0].outline.radius",
        "negative",
    ),
    (
        "zero radius",
        "volumes[0].outline.radius",
        "0 km",
        "volumes[0].outline.radius",
        "greater than zero",
    ),
    (
        "infinite radius",
        "volumes[0].outline.radius",
        "1e400 km",
        "volumes[0].outline.radius",
        "finite",
    ),
    (
        "too large",
        "volumes[0].outline.radius",
        "500 km",
        "volumes[0].outline",
        "more than the limit",
    ),
    (
        "misspelt field",
        "volumes[0].outline.raduis",
        "3 km",
        "volumes[0].outline.raduis",
        "unknown field",
    ),
    (
        "latitude out of range",
        "volumes[0].outline.center",
        "200N 35E",
        "volumes[0].outline.center",
        "out of range",
    ),
    (
        "longitude out of range",
        "volumes[0].outline.center",
        [400, 33],
        "volumes[0].outline.center",
        "out of range",
    ),
    (
        "one number",
        "volumes[0].outline.center",
        [35.0],
        "volumes[0].outline.center",
        "[longitude, latitude]",
    ),
    (
        "near a pole",
        "volumes[0].outline.center",
        "89.9N 0E",
        "volumes[0].outline.center",
        "85 degrees",
    ),
    (
        "self-crossing polygon",
        "volumes[0].outline",
        {
            "type": "polygon",
            "vertices": ["33.0N 36.0E", "33.1N 36.1E", "33.0N 36.1E", "33.1N 36.0E"],
        },
        "volumes[0].outline.vertices",
        "crosses itself",
    ),
    (
        "two vertices",
        "volumes[0].outline",
        {"type": "polygon", "vertices": ["33.0N 36.0E", "33.1N 36.1E"]},
        "volumes[0].outline.vertices",
        "at least 3",
    ),
    (
        "corridor without width",
        "volumes[0].outline",
        {"type": "corridor", "route": ["33.0N 36.0E", "33.1N 36.1E"]},
        "volumes[0].outline.half_width",
        "required field is missing",
    ),
    (
        "corridor on one point",
        "volumes[0].outline",
        {"type": "corridor", "route": ["33.0N 36.0E", "33.0N 36.0E"], "half_width": "1 km"},
        "volumes[0].outline.route",
        "two distinct points",
    ),
    (
        "GeoJSON polygon with a hole",
        "volumes[0].outline",
        POLYGON | {"coordinates": [*POLYGON["coordinates"], POLYGON["coordinates"][0]]},
        "volumes[0].outline.coordinates[1]",
        "holes are not supported",
    ),
    (
        "GeoJSON ring not closed",
        "volumes[0].outline",
        {"type": "Polygon", "coordinates": [[[36, 33], [36.1, 33], [36.1, 33.1], [36, 33.1]]]},
        "volumes[0].outline.coordinates[0][3]",
        "ends with the position it starts with",
    ),
    (
        "GeoJSON ring too short",
        "volumes[0].outline",
        {"type": "Polygon", "coordinates": [[[36, 33], [36.1, 33], [36, 33]]]},
        "volumes[0].outline.coordinates[0]",
        "at least 4 positions",
    ),
    (
        "GeoJSON position out of range",
        "volumes[0].outline",
        {"type": "Polygon", "coordinates": [[[36, 33], [36.1, 93], [36.1, 33.1], [36, 33]]]},
        "volumes[0].outline.coordinates[0][1]",
        "out of range",
    ),
    (
        "across the antimeridian",
        "volumes[0].outline",
        {"type": "circle", "center": "10N 179.99E", "radius": "30 km"},
        "volumes[0].outline",
        "antimeridian",
    ),
    (
        "lower above upper",
        "volumes[0].altitude.lower",
        "FL300",
        "volumes[0].altitude.upper",
        "not below upper",
    ),
    (
        "altitude without unit",
        "volumes[0].altitude.lower",
        "5000",
        "volumes[0].altitude.lower",
        "an altitude is",
    ),
    (
        "no altitude",
        "volumes[0].altitude",
        MISSING,
        "volumes[0].altitude",
        "required field is missing",
    ),
    (
        "end before start",
        "volumes[0].window.end",
        "2026-11-25T09:00:00.000000Z",
        "volumes[0].window.end",
        "not after start",
    ),
    (
        "time without offset",
        "volumes[0].window.start",
        "2026-11-25T10:00:00",
        "volumes[0].window.start",
        "no timezone",
    ),
    (
        "not a time",
        "volumes[0].window.start",
        "tomorrow",
        "volumes[0].window.start",
        "not RFC 3339",
    ),
    (
        "an ISO week date",
        "volumes[0].window.start",
        "2027-W01-1T10:00:00Z",
        "volumes[0].window.start",
        "not RFC 3339",
    ),
    (
        "an ISO ordinal date",
        "volumes[0].window.end",
        "2027-001T10:00:00Z",
        "volumes[0].window.end",
        "not RFC 3339",
    ),
    (
        "a number for a time",
        "volumes[0].window.start",
        12,
        "volumes[0].window.start",
        "RFC 3339 string",
    ),
    (
        "year 1",
        "volumes[0].window.start",
        "0001-01-01T00:00:00+01:00",
        "volumes[0].window.start",
        "out of range",
    ),
    (
        "year 9999",
        "volumes[0].window.end",
        "9999-12-31T23:59:59-01:00",
        "volumes[0].window.end",
        "out of range",
    ),
    (
        "a huge number",
        "volumes[0].outline.center",
        [10**400, 33],
        "volumes[0].outline.center",
        "finite",
    ),
    (
        "a huge altitude",
        "volumes[0].altitude.upper",
        {"value": 10**400, "unit": "ft", "reference": "AMSL"},
        "volumes[0].altitude.upper",
        "finite",
    ),
    (
        "band inverted down to the surface",
        "volumes[0].altitude",
        {"lower": "FL100", "upper": "SFC"},
        "volumes[0].altitude.upper",
        "upper SFC is the surface, the bottom of every band",
    ),
    (
        "UNL below the surface",
        "volumes[0].altitude",
        {"lower": "UNL", "upper": "SFC"},
        "volumes[0].altitude.lower",
        "lower UNL is the top of every band",
    ),
    (
        "band inverted in metres against a flight level",
        "volumes[0].altitude",
        {"lower": "3048 m AMSL", "upper": "FL100"},
        "volumes[0].altitude.upper",
        "lower 3048 m AMSL is not below upper FL100",
    ),
    (
        "band above ground over a band above sea level everywhere",
        "volumes[0].altitude",
        {"lower": "FL400", "upper": "1000 ft AGL"},
        "volumes[0].altitude.upper",
        "wherever on Earth",
    ),
    (
        "a million feet",
        "volumes[0].altitude.upper",
        "1000000 ft AMSL",
        "volumes[0].altitude.upper",
        "above UNL, the top of every band",
    ),
    (
        "above the ceiling in metres",
        "volumes[0].altitude.upper",
        "25000 m AMSL",
        "volumes[0].altitude.upper",
        "above the ceiling of FL660",
    ),
    ("title too long", "title", "x" * 501, "title", "at most 500"),
    ("title not a string", "title", 5, "title", "valid string"),
    ("filed_at given", "filed_at", "2026-11-24T09:00:00.000000Z", "filed_at", "unknown field"),
    ("author given", "author", "rus", "author", "unknown field"),
]


def _recorded(api) -> int:
    with api.coordinator.db.reading() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(events)).scalar_one()


def _check(response, path: str, words: str, case: str) -> None:
    assert response.status_code == 422, (case, response.text)
    found = problems(response)
    assert path in found, (case, found)
    assert words in found[path], (case, found)


def test_every_bad_notice_is_located_and_explained(api):
    c = golan(api)
    before = _recorded(api)
    for case, path, value, where, words in NOTICE_CASES:
        body = changed(N, path, value)
        _check(c["idf"].post("/v1/notices", json=body), where, words, case)
        if case != "no kind":  # a replacement keeps the kind unless it gives one
            replace = c["idf"].post("/v1/notices/n-idf-001/replace", json=body)
            _check(replace, where, words, case)
    assert _recorded(api) == before


def test_a_body_that_is_not_a_json_object(api):
    golan(api)
    idf = api.as_("idf")
    for path in ("/v1/notices", "/v1/sites", "/v1/messages", "/v1/parties"):
        bad_json = idf.post(path, content=b"{bad", headers={"Content-Type": "application/json"})
        assert bad_json.status_code == 400, path
        assert bad_json.json()["error"]["type"] == "malformed_request"
        assert problems(bad_json)["body"].startswith("not valid JSON")
        for raw in (b"[]", b'"text"', b"42"):
            response = idf.post(path, content=raw, headers={"Content-Type": "application/json"})
            assert response.status_code == 422, (path, raw)
            assert problems(response) == {
                "": "the body must be a JSON object (Content-Type: application/json)"
            }
        empty = idf.post(path, content=b"", headers={"Content-Type": "application/json"})
        assert problems(empty) == {"": "a JSON body is required"}
        form = idf.post(path, data={"kind": "x"})
        assert form.status_code == 422
        undecodable = idf.post(path, content=b"\xff", headers={"Content-Type": "application/json"})
        assert undecodable.status_code == 400


def test_every_problem_is_listed_at_once(api):
    golan(api)
    body = changed(changed(N, "kind", "strike"), "volumes[0].window.start", "noon")
    response = api.as_("idf").post("/v1/notices", json=body)
    assert set(problems(response)) == {"kind", "volumes[0].window.start"}
    assert response.json()["error"]["message"].startswith("kind: ")


def test_bad_replacements_and_cancellations(api):
    c = golan(api)
    idf = c["idf"]
    response = idf.post("/v1/notices/n-idf-001/cancel", json={"title": "x", "volumes": []})
    _check(response, "volumes", "unknown field", "cancel with volumes")
    response = idf.post("/v1/notices/n-idf-001/cancel", json={"title": 3})
    _check(response, "title", "valid string", "cancel title")
    response = idf.post(
        "/v1/notices/n-idf-001/replace", json=changed(N, "kind", MISSING) | {"kind": "raid"}
    )
    _check(response, "kind", "'air_operation'", "replace kind")


SITE_CASES: list[tuple[str, str, Any, str, str]] = [
    ("no name", "name", MISSING, "name", "required field is missing"),
    ("empty name", "name", "", "name", "at least 1 character"),
    ("unknown category", "category", "barracks", "category", "'hospital'"),
    ("location type missing", "location.type", MISSING, "location", "'type' is missing"),
    ("unknown location", "location.type", "line", "location", "'line'"),
    ("bad position", "location.position", "33N", "location.position", "a position is"),
    (
        "valid_until first",
        "valid_until",
        "2025-01-01T00:00:00.000000Z",
        "valid_until",
        "must be after valid_from",
    ),
    ("valid_from without offset", "valid_from", "2026-01-01T00:00:00", "valid_from", "no timezone"),
    ("owner given", "owner", "rus", "owner", "unknown field"),
    ("id given", "id", "s-1", "id", "unknown field"),
    (
        "GeoJSON point out of range",
        "location",
        {"type": "Point", "coordinates": [36.9, 95]},
        "location.coordinates",
        "out of range",
    ),
    (
        "self-crossing site",
        "location",
        {
            "type": "polygon",
            "vertices": ["33.0N 36.0E", "33.1N 36.1E", "33.0N 36.1E", "33.1N 36.0E"],
        },
        "location.vertices",
        "crosses itself",
    ),
]


def test_every_bad_site_is_located_and_explained(api):
    golan(api)
    idf = api.as_("idf")
    before = _recorded(api)
    for case, path, value, where, words in SITE_CASES:
        _check(idf.post("/v1/sites", json=changed(site(), path, value)), where, words, case)
    assert _recorded(api) == before


OBSERVATION_CASES: list[tuple[str, str, Any, str, str]] = [
    ("no time", "observed_at", MISSING, "observed_at", "required field is missing"),
    ("in the future", "observed_at", "2026-11-24T12:30:00.000000Z", "observed_at", "in the future"),
    ("no position", "position", MISSING, "position", "required field is missing"),
    ("bad position", "position", {"lat": 33}, "position", 'exactly "lat" and "lon"'),
    ("negative count", "counts.troops", -1, "counts.troops", "greater than or equal to 0"),
    ("unknown count", "counts.horses", 3, "counts.horses", "'troops'"),
    ("count beyond JSON", "counts.troops", 2**60, "counts.troops", "less than or equal to"),
    ("unknown unit", "unit_category", "cavalry", "unit_category", "'infantry'"),
    ("reporter given", "reported_by", "idf", "reported_by", "unknown field"),
    ("unknown party", "party", "nobody", "party", "no party 'nobody'"),
    (
        "weapon without class",
        "weapons",
        [{"count": 2}],
        "weapons[0].class",
        "required field is missing",
    ),
    (
        "range without unit",
        "weapons",
        [{"class": "sam", "range": "40"}],
        "weapons[0].range",
        "a unit",
    ),
]


def test_every_bad_observation_is_located_and_explained(api):
    golan(api)
    undof = api.as_("undof", "monitor")
    before = _recorded(api)
    for case, path, value, where, words in OBSERVATION_CASES:
        body = changed(observation(), path, value)
        _check(undof.post("/v1/observations", json=body), where, words, case)
    nothing_seen = {
        "observed_at": "2026-11-24T11:00:00.000000Z",
        "position": "33N 36E",
        "affiliation": "x",
    }
    response = undof.post("/v1/observations", json=nothing_seen)
    assert response.status_code == 422
    assert "saw something" in response.json()["error"]["message"]
    assert _recorded(api) == before


def test_bad_messages_and_acknowledgements(api):
    c = golan(api)
    idf = c["idf"]
    cases = [
        ({"to": "nobody", "body": "hi"}, "to", "no party 'nobody'"),
        ({"to": "idf", "body": "hi"}, "to", "does not message itself"),
        ({"to": "rus", "body": ""}, "body", "at least 1 character"),
        ({"to": "rus", "body": "   "}, "body", "at least 1 character"),
        ({"to": "rus", "body": "x" * 4001}, "body", "at most 4000"),
        ({"to": "rus"}, "body", "required field is missing"),
        ({"to": "rus", "body": "hi", "notice_id": "n-nope"}, "notice_id", "no notice 'n-nope'"),
        # sarc may not see an idf air operation: no message about it to sarc.
        ({"to": "sarc", "body": "hi", "notice_id": "n-idf-001"}, "notice_id", "both parties"),
        ({"to": "rus", "body": "hi", "approve": True}, "approve", "unknown field"),
    ]
    for body, where, words in cases:
        _check(idf.post("/v1/messages", json=body), where, words, str(body)[:40])
    item = c["rus"].get("/v1/inbox").json()["items"][0]["id"]
    for body, where, words in (
        ({"reply": "x" * 4001}, "reply", "at most 4000"),
        ({"approved": True}, "approved", "unknown field"),
        ({"decision": "deny"}, "decision", "unknown field"),
        ({"reply": 5}, "reply", "valid string"),
    ):
        _check(c["rus"].post(f"/v1/inbox/{item}/ack", json=body), where, words, str(body))


def test_bad_configuration(api):
    golan(api)
    admin = api.as_("undof", "admin")
    cases = [
        ("/v1/parties", {"id": "x y", "name": "X", "kind": "armed_force"}, "id", "identifier"),
        ("/v1/parties", {"id": "x", "name": "X", "kind": "militia"}, "kind", "'armed_force'"),
        ("/v1/parties", {"id": "x", "kind": "monitor"}, "name", "required field is missing"),
        (
            "/v1/agreements",
            {"id": "a1", "name": "A", "parties": ["idf", "nobody"]},
            "parties[1]",
            "no party 'nobody'",
        ),
        ("/v1/agreements", {"id": "a1", "name": "A", "parties": ["idf"]}, "parties", "at least 2"),
        (
            "/v1/agreements",
            {
                "id": "a1",
                "name": "A",
                "parties": ["idf", "rus"],
                "lead_times": {"air_operation": "30"},
            },
            "lead_times.air_operation",
            "",
        ),
        (
            "/v1/agreements",
            {
                "id": "a1",
                "name": "A",
                "parties": ["idf", "rus"],
                "acknowledgement": {"deadline": "1e300 d"},
            },
            "acknowledgement.deadline",
            "at most 100 years",
        ),
        (
            "/v1/agreements",
            {
                "id": "a1",
                "name": "A",
                "parties": ["idf", "rus"],
                "acknowledgement": {"deadline": "0 s"},
            },
            "acknowledgement.deadline",
            "0 s is shorter than 1 s",
        ),
        (
            "/v1/agreements",
            {
                "id": "a1",
                "name": "A",
                "parties": ["idf", "rus"],
                "acknowledgement": {"deadline": "5 min", "step": "PT0.5S"},
            },
            "acknowledgement.step",
            "is shorter than 1 s",
        ),
        (
            "/v1/agreements",
            {
                "id": "a1",
                "name": "A",
                "parties": ["idf", "rus"],
                "tracks": {"lookahead": "5 s"},
            },
            "tracks.lookahead",
            "5 s is shorter than 10 s",
        ),
        (
            "/v1/agreements",
            {
                "id": "a1",
                "name": "A",
                "parties": ["idf", "idf"],
            },
            "parties[1]",
            "'idf' is listed twice",
        ),
        ("/v1/lines", {"id": "l1", "name": "L", "vertices": ["33N 36E"]}, "vertices", "at least 2"),
        (
            "/v1/zones",
            {
                "id": "z1",
                "name": "Z",
                "signatories": ["idf"],
                "area": {"type": "band", "line": "nope", "to": "10 km"},
                "rules": [{"type": "no_presence"}],
            },
            "area.line",
            "no line 'nope'",
        ),
        (
            "/v1/zones",
            {
                "id": "z1",
                "name": "Z",
                "signatories": ["idf"],
                "area": {"type": "band", "line": "line-a", "to": "10 km"},
                "rules": [{"type": "range", "target_line": "line-z"}],
            },
            "rules[0].target_line",
            "no line 'line-z'",
        ),
        (
            "/v1/zones",
            {
                "id": "z1",
                "name": "Z",
                "signatories": ["idf"],
                "area": {"type": "band", "line": "line-a", "to": "10 km"},
                "rules": [{"type": "curfew"}],
            },
            "rules[0]",
            "'curfew'",
        ),
    ]
    before = _recorded(api)
    for path, body, where, words in cases:
        _check(admin.post(path, json=body), where, words, f"{path} {body}")
    _check(
        admin.patch("/v1/parties/rus", json={"status": "dormant"}), "status", "'active'", "status"
    )
    _check(admin.patch("/v1/parties/rus", json={"id": "x"}), "id", "unknown field", "patch id")
    _check(
        admin.put(
            "/v1/lines/line-a",
            json={"id": "line-b", "name": "L", "vertices": ["33N 36E", "33.1N 36E"]},
        ),
        "id",
        "not the line being changed",
        "put id",
    )
    assert _recorded(api) == before


@pytest.mark.parametrize(
    ("path", "params", "where", "words"),
    [
        ("/v1/notices", {"start": "yesterday"}, "start", "not RFC 3339"),
        ("/v1/notices", {"end": "2026-11-24T10:00:00"}, "end", "no timezone"),
        (
            "/v1/notices",
            {"start": "2026-11-24T10:00:00.000000Z", "end": "2026-11-24T09:00:00.000000Z"},
            "end",
            "not after start",
        ),
        ("/v1/notices", {"bbox": "1,2,3"}, "bbox", "4 numbers"),
        ("/v1/notices", {"bbox": "a,b,c,d"}, "bbox", "not four numbers"),
        ("/v1/notices", {"bbox": "10,50,20,40"}, "bbox", "north of north"),
        ("/v1/notices", {"bbox": "170,0,-170,10"}, "bbox", "across 180"),
        ("/v1/notices", {"bbox": "0,0,200,10"}, "bbox", "between -180 and 180"),
        ("/v1/notices", {"bbox": "0,nan,1,1"}, "bbox", "finite"),
        ("/v1/notices", {"status": "approved"}, "status", "'current'"),
        ("/v1/notices", {"limit": 0}, "limit", "greater than or equal to 1"),
        ("/v1/alerts", {"kind": "conflict"}, "kind", "'notice-overlap'"),
        ("/v1/alerts", {"status": "denied"}, "status", "'open'"),
        ("/v1/alerts", {"at": "now"}, "at", "not RFC 3339"),
        ("/v1/inbox", {"status": "approved"}, "status", "'delivered'"),
        ("/v1/observations", {"start": "x"}, "start", "not RFC 3339"),
        ("/v1/ledger/consistency", {"first": 1, "second": 2**64}, "second", "less than or equal"),
        ("/v1/ledger/consistency", {"first": 0, "second": 1}, "first", "greater than or equal"),
        ("/v1/ledger/consistency", {"first": 5, "second": 2}, "first", "first <= second"),
    ],
)
def test_bad_query_parameters(api, path, params, where, words):
    parties(api, "idf")
    response = api.as_("idf").get(path, params=params)
    _check(response, where, words, str(params))


def test_ledger_indexes_out_of_range(api):
    """Beyond the store's integers: 422 naming the index; beyond the log: 404, as for any
    entry the caller may not read."""
    parties(api, "idf")
    idf = api.as_("idf")
    _check(idf.get(f"/v1/ledger/entries/{2**64}"), "index", "less than or equal", "2**64")
    _check(idf.get("/v1/ledger/entries/-1"), "index", "greater than or equal", "-1")
    size = idf.get("/v1/ledger/tree-head").json()["tree_size"]
    for index in (size, size + 1, 2**63 - 1):
        response = idf.get(f"/v1/ledger/entries/{index}")
        assert response.status_code == 404, (index, response.text)
        assert response.json()["error"]["type"] == "not_found"


def test_text_that_cannot_be_stored_is_refused_with_its_place(api):
    golan(api)
    idf, admin = api.as_("idf"), api.as_("undof", "admin")

    def post(client, path: str, body: Any):
        # json.dumps escapes what httpx would refuse to encode (a lone surrogate).
        raw = json.dumps(body).encode()
        return client.post(path, content=raw, headers={"Content-Type": "application/json"})

    for text, words in (("a\x00b", "NUL"), ("\ud800", "surrogate")):
        _check(post(idf, "/v1/messages", {"to": "rus", "body": text}), "body", words, repr(text))
        body = notice()
        body["volumes"][0]["label"] = text
        _check(post(idf, "/v1/notices", body), "volumes[0].label", words, repr(text))
        weird_key = {"id": "x", "name": "X", "kind": "monitor", text: 1}
        _check(post(admin, "/v1/parties", weird_key), "", words, repr(text))
    _check(idf.get("/v1/notices", params={"author": "a\x00b"}), "author", "NUL", "query")
    _check(idf.get("/v1/inbox/a%00b"), "delivery_id", "NUL", "path")
    _check(idf.get("/v1/messages/a%00b"), "message_id", "NUL", "path")
