"""GeoJSON in: the export read back is the identity; errors name the feature and property."""

from __future__ import annotations

import json

import yaml
from typer.testing import CliRunner

from deconfliction.cli.app import app
from deconfliction.engine.geojson_in import read_collection

runner = CliRunner()
KEPT = ("line", "zone", "site", "notice")


def run(*args: str):
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


def kept(path) -> list[dict]:
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    return [f for f in features if f["properties"]["type"] in KEPT]


def test_export_then_import_is_the_identity(tmp_path, golan_data, store_url):
    first = tmp_path / "first.sqlite3"
    assert run("load", str(_write(tmp_path, golan_data)), "--db", str(first)).exit_code == 0
    exported = tmp_path / "golan.geojson"
    assert run("export", "--db", str(first), "--geojson", str(exported)).exit_code == 0
    setup = {
        "scenario": {"name": "setup"},
        "parties": golan_data["parties"],
        "agreements": golan_data["agreements"],
    }
    assert run("load", str(_write(tmp_path, setup, "setup.yaml")), "--db", store_url).exit_code == 0
    imported = run("import", "geojson", str(exported), "--db", store_url, "--json")
    assert imported.exit_code == 0, imported.output
    report = json.loads(imported.stdout)
    assert report["skipped"] == {"alert": 16, "observation": 6}
    again = tmp_path / "again.geojson"
    assert run("export", "--db", store_url, "--geojson", str(again)).exit_code == 0
    assert kept(again) == kept(exported)
    assert {f["properties"]["type"] for f in kept(again)} == set(KEPT)
    # Importing the same collection again records nothing.
    twice = json.loads(run("import", "geojson", str(exported), "--db", store_url, "--json").stdout)
    assert twice["recorded"] == {}


def _write(tmp_path, data, name="golan.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def _feature(props, geometry=None):
    return {"type": "Feature", "geometry": geometry, "properties": props}


def test_features_drawn_in_a_gis_are_read_from_their_geometry():
    square = {
        "type": "Polygon",
        "coordinates": [[[35.7, 33.0], [35.8, 33.0], [35.8, 33.1], [35.7, 33.1], [35.7, 33.0]]],
    }
    c = read_collection(
        {
            "type": "FeatureCollection",
            "features": [
                _feature(
                    {
                        "type": "site",
                        "id": "s1",
                        "name": "Clinic",
                        "category": "hospital",
                        "owner": "sarc",
                        "valid_from": "2026-11-01T00:00:00Z",
                        "valid_until": "2026-12-01T00:00:00Z",
                    },
                    {"type": "Point", "coordinates": [35.75, 33.05]},
                ),
                _feature(
                    {
                        "type": "notice",
                        "id": "n-1",
                        "author": "idf",
                        "kind": "air_operation",
                        "action": "new",
                        "filed_at": "2026-11-24T06:00:00Z",
                        "volume": 0,
                        "lower": "SFC",
                        "upper": "FL100",
                        "start": "2026-11-24T07:00:00Z",
                        "end": "2026-11-24T08:00:00Z",
                    },
                    square,
                ),
            ],
        }
    )
    assert c.problems == []
    site, notice = (item for _, item in c.items)
    assert site.location.position.lon == 35.75
    assert len(notice.volumes[0].outline.vertices) == 5


def test_errors_name_the_feature_index_and_the_property():
    c = read_collection(
        {
            "type": "FeatureCollection",
            "features": [
                _feature(
                    {
                        "type": "site",
                        "id": "s1",
                        "name": "Clinic",
                        "category": "hospital",
                        "owner": "sarc",
                        "valid_from": "yesterday",
                        "valid_until": "2026-12-01T00:00:00Z",
                    },
                    {"type": "Point", "coordinates": [35.75, 33.05]},
                ),
                _feature(
                    {
                        "type": "notice",
                        "id": "n-1",
                        "author": "idf",
                        "kind": "air_operation",
                        "action": "new",
                        "filed_at": "2026-11-24T06:00:00Z",
                        "volume": 0,
                        "lower": "SFC",
                        "upper": "500 ft",
                        "start": "2026-11-24T07:00:00Z",
                        "end": "2026-11-24T06:00:00Z",
                        "outline": {"type": "circle", "center": [35.7, 33.0], "radius": "1 km"},
                    }
                ),
                _feature({"type": "zone", "id": "z"}, {"type": "Point", "coordinates": [0, 0]}),
                _feature({"type": "spaceship"}),
                {"type": "NotAFeature"},
            ],
        }
    )
    where = [str(p).split(":")[0] for p in c.problems]
    assert "features[0].properties.valid_from" in where
    assert "features[1].properties.upper" in where
    assert "features[1].properties.end" in where
    assert "features[2].geometry" in where
    assert "features[3].properties.type" in where
    assert "features[4].type" in where


def test_api_imports_as_the_caller_and_refuses_what_it_may_not_file(api):
    from tests.formats.conftest import world

    api.record(world())
    collection = {
        "type": "FeatureCollection",
        "features": [
            _feature(
                {
                    "type": "notice",
                    "id": "n-geo-1",
                    "author": "idf",
                    "kind": "air_operation",
                    "action": "new",
                    "filed_at": "2026-11-24T11:00:00Z",
                    "volume": 0,
                    "lower": "SFC",
                    "upper": "FL100",
                    "start": "2026-11-24T13:00:00Z",
                    "end": "2026-11-24T14:00:00Z",
                    "outline": {"type": "circle", "center": [35.7, 33.0], "radius": "1 km"},
                }
            ),
        ],
    }
    answer = api.as_("idf").post("/v1/imports/geojson", json=collection)
    assert answer.status_code == 201, answer.text
    assert answer.json()["recorded"] == {"notices": 1}
    assert "receipt" in answer.json()
    other = dict(collection)
    other["features"] = [
        dict(
            collection["features"][0],
            properties=dict(collection["features"][0]["properties"], id="n-geo-2"),
        )
    ]
    refused = api.as_("caa").post("/v1/imports/geojson", json=other)
    assert refused.status_code == 403
    invalid = api.as_("idf").post(
        "/v1/imports/geojson",
        json={
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "geometry": None, "properties": {"type": "site"}}],
        },
    )
    assert invalid.status_code == 422
    assert invalid.json()["error"]["problems"][0]["path"].startswith("features[0]")
