"""``GET /v1/history`` in the forms a console loads it: gzipped as the client accepts, with
outlines at the map's drawing tolerance, in parts (``application/x-ndjson``).  Every form holds
exactly what the plain answer holds for that party (need to know), drawn outlines stay within
the stated tolerance of the exact ones (measured in metres with pyproj, not with our geodesy),
and parts merged in order make the whole answer."""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from typing import Any

import httpx
import pyproj
import shapely
from shapely import transform

from deconfliction.api.routes.history import NDJSON
from deconfliction.api.schemas.history import HistoryPublic, Outlines, history_parts
from deconfliction.service.geojson import DRAWING_TOLERANCE_M
from deconfliction.service.history import history
from deconfliction.service.reading import read
from tests.support.server import Api

LISTS = ("notices", "alerts", "zones", "sites", "observations", "lines")


@dataclass
class Raw:
    headers: httpx.Headers
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)


def _raw(api: Api, party: str, encoding: str, accept: str, **params: str) -> Raw:
    """The answer as it crossed the wire (not decoded by the client)."""
    client = api.as_(party)
    request = client.build_request(
        "GET",
        "/v1/history",
        params=params,
        headers={"Accept-Encoding": encoding, "Accept": accept},
    )
    answer = client.send(request, stream=True)
    raw = b"".join(answer.iter_raw())
    answer.close()
    assert answer.status_code == 200, raw[:500]
    return Raw(answer.headers, raw)


def _parts(body: bytes) -> list[dict[str, Any]]:
    return [json.loads(line) for line in body.decode().splitlines() if line]


def _ids(answer: dict[str, Any]) -> dict[str, list[str]]:
    return {name: [item["id"] for item in answer[name]] for name in LISTS}


def test_gzip_is_sent_only_to_a_client_that_accepts_it(api: Api) -> None:
    api.load_golan()
    zipped = _raw(api, "rus", "gzip, deflate", "application/json")
    assert zipped.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["vary"]
    whole = json.loads(gzip.decompress(zipped.content))
    refused = _raw(api, "rus", "gzip;q=0, identity", "application/json")
    assert "content-encoding" not in refused.headers
    assert _ids(json.loads(refused.content)) == _ids(whole)
    assert len(zipped.content) * 2 < len(refused.content)


def test_every_form_holds_what_the_plain_answer_holds_and_nothing_hidden(api: Api) -> None:
    api.load_golan()
    for party in ("sarc", "rus", "idf"):
        plain = json.loads(_raw(api, party, "identity", "application/json").content)
        drawn = json.loads(
            gzip.decompress(_raw(api, party, "gzip", "application/json", outlines="drawn").content)
        )
        streamed = gzip.decompress(_raw(api, party, "gzip", NDJSON, outlines="drawn").content)
        parts = _parts(streamed)
        assert _ids(drawn) == _ids(plain)
        merged = {name: [i for p in parts for i in _ids(p)[name]] for name in LISTS}
        assert merged == _ids(plain)
        assert {p["position"] for p in parts} == {plain["position"]}
        if party == "sarc":  # idf's notices are not for sarc, in any form
            for body in (json.dumps(plain), json.dumps(drawn), streamed.decode()):
                assert "n-idf-001" not in body


def test_parts_merged_in_order_are_the_whole_answer(api: Api) -> None:
    api.load_golan()
    found = read(api.coordinator, None, history, party="rus")
    whole = HistoryPublic.of(found, Outlines.drawn).model_dump(mode="json", by_alias=True)
    assert len(whole["notices"]) >= 4
    parts = [
        p.model_dump(mode="json", by_alias=True)
        for p in history_parts(found, Outlines.drawn, first=1, size=2)
    ]
    assert len(parts) == 1 + -(-(len(whole["notices"]) - 1) // 2)
    first, rest = parts[0], parts[1:]
    assert {k: v for k, v in first.items() if k != "notices"} == {
        k: v for k, v in whole.items() if k != "notices"
    }
    assert [n for p in parts for n in p["notices"]] == whole["notices"]
    for part in rest:
        assert all(part[name] == [] for name in LISTS if name != "notices")


def _metric(lon: float, lat: float) -> Any:
    to = pyproj.Transformer.from_crs(
        "EPSG:4326", f"+proj=aeqd +lat_0={lat} +lon_0={lon} +ellps=WGS84", always_xy=True
    )
    return lambda x, y: to.transform(x, y)


def test_drawn_outlines_follow_the_exact_ones_within_the_stated_tolerance(api: Api) -> None:
    api.load_golan()
    exact = _raw(api, "idf", "identity", "application/json").json()
    drawn = _raw(api, "idf", "identity", "application/json", outlines="drawn").json()
    assert exact["outline_tolerance_m"] == 1.0
    assert drawn["outline_tolerance_m"] == DRAWING_TOLERANCE_M
    compared, fewer = 0, 0
    for e, d in zip(exact["notices"], drawn["notices"], strict=True):
        assert {k: v for k, v in e.items() if k != "volumes"} == {
            k: v for k, v in d.items() if k != "volumes"
        }
        for ve, vd in zip(e["volumes"], d["volumes"], strict=True):
            assert ve["outline"] == vd["outline"]  # the exact outline either way
            a, b = shapely.geometry.shape(ve["geometry"]), shapely.geometry.shape(vd["geometry"])
            project = _metric(a.centroid.x, a.centroid.y)
            gap = shapely.hausdorff_distance(
                transform(a, project, interleaved=False), transform(b, project, interleaved=False)
            )
            # The tolerance, the rounding to 1e-5 degrees, and the exact rendering's metre.
            assert gap <= DRAWING_TOLERANCE_M + 0.6 + 1.0, (e["id"], gap)
            compared += 1
            fewer += shapely.get_num_coordinates(b) < shapely.get_num_coordinates(a)
    assert compared >= 5
    assert fewer >= 1


def test_an_unknown_outline_form_is_refused_at_its_field(api: Api) -> None:
    api.load_golan()
    answer = api.as_("rus").get("/v1/history", params={"outlines": "fuzzy"})
    assert answer.status_code == 422
    assert any("outlines" in p["path"] for p in answer.json()["error"]["problems"])
