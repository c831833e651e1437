"""Checking a draft notice (``POST /v1/notices/preview``): the conflicts it would raise, its
lead time from the server's time, its addressees and its outline as the server renders it —
and nothing recorded.  Informative only: a preview never refuses a notice for a conflict."""

from __future__ import annotations

from tests.api.bodies import notice
from tests.support.server import Api

# Over the Golan air operation n-idf-001's box, in its window (2026-11-24 10:00-10:45Z).
OVER_N_IDF_001 = {
    "center": "33.12N 35.85E",
    "radius": "5 km",
    "start": "2026-11-24T12:10:00Z",
    "end": "2026-11-24T12:40:00Z",
}


def _log_size(api: Api) -> int:
    return int(api.as_("idf").get("/v1/ledger/tree-head").json()["tree_size"])


def test_a_preview_shows_what_filing_would_do_and_records_nothing(api: Api) -> None:
    api.load_golan()
    rus = api.as_("rus")
    listed = len(rus.get("/v1/notices").json()["notices"])  # (listing marks reads: first)
    size = _log_size(api)
    answer = rus.post("/v1/notices/preview", json=notice(**OVER_N_IDF_001))
    assert answer.status_code == 200, answer.text
    preview = answer.json()
    assert "idf" in preview["addressees"]
    # Filed at the server's time (12:00) for a start at 12:10: ten minutes of lead time.
    assert preview["lead_time_s"] == 600
    assert {a["kind"] for a in preview["alerts"]} >= {"late-notice"}
    geometry = preview["notice"]["volumes"][0]["geometry"]
    assert geometry["type"] == "Polygon"
    assert len(geometry["coordinates"][0]) > 32  # a geodesic circle, rendered by the server
    assert _log_size(api) == size
    assert len(rus.get("/v1/notices").json()["notices"]) == listed
    assert preview["notice"]["id"] not in {a["id"] for a in rus.get("/v1/alerts").json()["alerts"]}


def test_a_preview_refuses_bad_input_at_its_field(api: Api) -> None:
    api.load_golan()
    answer = api.as_("rus").post("/v1/notices/preview", json=notice(upper="FL", radius="8"))
    assert answer.status_code == 422
    paths = {p["path"] for p in answer.json()["error"]["problems"]}
    assert paths == {"volumes[0].altitude.upper", "volumes[0].outline.radius"}


def test_a_preview_of_a_replacement_follows_the_rules_of_replacing(api: Api) -> None:
    api.load_golan()
    rus = api.as_("rus")
    mine = rus.post("/v1/notices/preview", json=notice() | {"replaces": "n-rus-002"})
    assert mine.status_code == 200, mine.text
    assert mine.json()["notice"]["replaces"] == "n-rus-002"
    theirs = rus.post("/v1/notices/preview", json=notice() | {"replaces": "n-idf-001"})
    assert theirs.status_code == 403
    hidden = api.as_("sarc").post("/v1/notices/preview", json=notice() | {"replaces": "n-idf-001"})
    assert hidden.status_code == 404
    viewer = api.as_("rus", "viewer").post("/v1/notices/preview", json=notice())
    assert viewer.status_code == 403
