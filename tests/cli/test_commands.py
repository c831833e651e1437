"""The ``deconflict`` command, in process (typer's runner) and once as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from typer.testing import CliRunner

from deconfliction.cli.app import app
from deconfliction.store.database import Database
from deconfliction.store.schema import events

runner = CliRunner()

KINDS = {
    "notice-overlap",
    "protected-site",
    "late-notice",
    "zone-entry",
    "zone-violation",
    "site-duplicate",
    "red-line",
}


def run(*args: str, **env: str):
    return runner.invoke(app, list(args), env={"COLUMNS": "200", **env})


def event_count(path: Path) -> int:
    database = Database(path)
    try:
        with database.reading() as connection:
            return connection.execute(sa.select(sa.func.count()).select_from(events)).scalar_one()
    finally:
        database.close()


def test_demo_json_has_every_alert_kind_and_the_documented_shape():
    result = run("demo", "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert set(body) == {"alerts", "summary"}
    assert {a["kind"] for a in body["alerts"]} == KINDS
    for alert in body["alerts"]:
        assert {"kind", "parties", "subjects", "explanation"} <= set(alert)
        assert alert["parties"]
        assert alert["subjects"]
        assert alert["explanation"]
    assert body["summary"]["alerts"] == len(body["alerts"]) == 16
    assert body["summary"]["closed"] == 2


def test_demo_table_shows_the_fifty_seconds():
    result = run("demo")
    assert result.exit_code == 0, result.output
    assert "late-notice" in result.stdout
    assert "filed 50 s before its first volume starts" in result.stdout
    assert "never approved or denied" in result.stdout


def test_demo_refuses_to_overwrite_a_store(tmp_path):
    target = tmp_path / "kept.sqlite3"
    assert run("demo", "--db", str(target)).exit_code == 0
    result = run("demo", "--db", str(target))
    assert result.exit_code == 2
    assert "already exists" in result.stderr


def test_validate_reports_a_valid_file(golan_path):
    result = run("validate", str(golan_path), "--json")
    assert result.exit_code == 0
    body = json.loads(result.stdout)
    assert body["valid"] is True
    assert body["items"]["notices"] == 6


def test_load_then_alerts_then_export(tmp_path, golan_path):
    store = tmp_path / "s.sqlite3"
    loaded = run("load", str(golan_path), "--db", str(store))
    assert loaded.exit_code == 0, loaded.output
    assert "31 items recorded" in loaded.stdout
    again = run("load", str(golan_path), "--db", str(store))
    assert "0 items recorded, 31 already recorded" in again.stdout

    everything = json.loads(run("alerts", "--db", str(store), "--json").stdout)
    assert everything["summary"]["alerts"] == 16
    at_1030 = json.loads(
        run("alerts", "--db", str(store), "--at", "2026-11-24T10:30:00.000000Z", "--json").stdout
    )
    assert at_1030["summary"]["open"] == 15
    assert at_1030["alerts"], "nothing to check: the assertion below would pass on nothing"
    assert all(a["status"] == "open" for a in at_1030["alerts"])
    sarc = json.loads(run("alerts", "--db", str(store), "--party", "sarc", "--json").stdout)
    assert [a["kind"] for a in sarc["alerts"]] == ["site-duplicate"]

    out = tmp_path / "all.geojson"
    exported = run("export", "--db", str(store), "--geojson", str(out))
    assert exported.exit_code == 0, exported.output
    collection = json.loads(out.read_text())
    assert collection["type"] == "FeatureCollection"
    kinds = {f["properties"]["type"] for f in collection["features"]}
    assert kinds == {"line", "zone", "site", "notice", "observation", "alert"}


def test_export_for_a_party_keeps_to_need_to_know(tmp_path, golan_path):
    store = tmp_path / "s.sqlite3"
    run("load", str(golan_path), "--db", str(store))
    out = tmp_path / "sarc.geojson"
    assert (
        run("export", "--db", str(store), "--geojson", str(out), "--party", "sarc").exit_code == 0
    )
    features = json.loads(out.read_text())["features"]
    notices = {f["properties"]["id"] for f in features if f["properties"]["type"] == "notice"}
    assert notices == {"n-sarc-001"}
    assert all(f["properties"]["type"] != "zone" for f in features)
    alerts = [f for f in features if f["properties"]["type"] == "alert"]
    assert alerts, "nothing to check: the assertion below would pass on nothing"
    assert all("sarc" in f["properties"]["parties"] for f in alerts)


def test_schema_is_json_schema(tmp_path):
    result = run("schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["title"] == "Deconfliction Line scenario"


# -- bad input: exit code 2, one line naming the place and the reason, nothing stored ---------


def _mutated(golan_data: dict, mutate) -> dict:
    data = json.loads(json.dumps(golan_data, default=str))
    mutate(data)
    return data


BAD_DOCUMENTS = [
    (
        lambda d: d["notices"][1]["volumes"][0]["outline"].__setitem__("radius", 4),
        "notices[1].volumes[0].outline.radius: a length needs a unit",
    ),
    (
        lambda d: d["notices"][4]["volumes"][0]["outline"].__setitem__(
            "vertices", ["33.16N 35.78E", "33.08N 35.93E", "33.16N 35.93E", "33.08N 35.78E"]
        ),
        "notices[4].volumes[0].outline.vertices: polygon crosses itself near 33.12N 35.85E",
    ),
    (
        lambda d: d["notices"][0].__setitem__("filed_at", "2026-11-22T07:00:00"),
        "notices[0].filed_at: time '2026-11-22T07:00:00' has no timezone",
    ),
    (
        lambda d: d["notices"][4]["volumes"][0]["altitude"].__setitem__("lower", "FL300"),
        "notices[4].volumes[0].altitude.upper: lower FL300 is not below upper FL250",
    ),
    (
        lambda d: d["notices"][3].__setitem__("replaces", "n-nowhere"),
        "notices[3].replaces: no notice 'n-nowhere'",
    ),
    (
        lambda d: d["observations"][0].__setitem__("position", "95.0N 36.0E"),
        "observations[0].position: latitude 95.0 is out of range [-90, 90]",
    ),
    (
        lambda d: d["sites"][0]["location"].__setitem__("positon", "33.1N 35.8E"),
        "sites[0].location.positon: unknown field",
    ),
]


@pytest.mark.parametrize(("mutate", "expected"), BAD_DOCUMENTS)
def test_load_of_a_bad_file_names_the_place_and_stores_nothing(
    tmp_path, golan_path, golan_data, write_yaml, mutate, expected
):
    store = tmp_path / "s.sqlite3"
    assert run("load", str(golan_path), "--db", str(store)).exit_code == 0
    before = event_count(store)
    path = write_yaml(_mutated(golan_data, mutate), "bad.yaml")
    result = run("load", str(path), "--db", str(store))
    assert result.exit_code == 2
    assert result.stdout == ""
    line = result.stderr.strip()
    assert "\n" not in line
    assert line.startswith(f"error: {path}: ")
    assert expected in line
    assert "Traceback" not in result.output
    assert event_count(store) == before


@pytest.mark.parametrize(("mutate", "expected"), BAD_DOCUMENTS)
def test_validate_lists_the_problem(golan_data, write_yaml, mutate, expected):
    path = write_yaml(_mutated(golan_data, mutate), "bad.yaml")
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert expected in result.stderr


def test_a_bad_first_load_creates_no_store(tmp_path, golan_data, write_yaml):
    path = write_yaml(_mutated(golan_data, BAD_DOCUMENTS[0][0]), "bad.yaml")
    store = tmp_path / "never.sqlite3"
    assert run("load", str(path), "--db", str(store)).exit_code == 2
    assert not store.exists()


@pytest.mark.parametrize(
    ("text", "suffix", "expected"),
    [
        (
            "scenario: {name: x}\nparties:\n  - id: a\n    id: b\n",
            ".yaml",
            "line 4, column 5: key 'id' appears twice",
        ),
        ("scenario: [unclosed\n", ".yaml", "not valid YAML at line 2"),
        ('{"scenario": ', ".json", "not valid JSON at line 1"),
        ("- just\n- a list\n", ".yaml", "a scenario is a mapping"),
        ("scenario: {name: x}\nnotices: {}\n", ".yaml", "notices: Input should be a valid list"),
    ],
)
def test_unreadable_documents(tmp_path, text, suffix, expected):
    path = tmp_path / f"doc{suffix}"
    path.write_text(text)
    result = run("validate", str(path))
    assert result.exit_code == 2
    assert expected in result.stderr


def test_conflicting_reload_is_refused_and_changes_nothing(
    tmp_path, golan_path, golan_data, write_yaml
):
    store = tmp_path / "s.sqlite3"
    run("load", str(golan_path), "--db", str(store))
    before = event_count(store)
    data = _mutated(golan_data, lambda d: d["notices"][0].__setitem__("title", "rewritten"))
    result = run("load", str(write_yaml(data)), "--db", str(store))
    assert result.exit_code == 2
    assert "already recorded with different content" in result.stderr
    assert event_count(store) == before


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (
            ("alerts", "--at", "2026-11-24T10:30:00"),
            {},
            "--at: time '2026-11-24T10:30:00' has no timezone",
        ),
        (("alerts", "--at", "yesterday"), {}, "--at: time 'yesterday' is not RFC 3339"),
        (("validate", "missing.yaml"), {}, "missing.yaml: no such file"),
        (
            ("alerts",),
            {"DECONFLICT_MAX_AREA_KM2": "abc"},
            "DECONFLICT_MAX_AREA_KM2: Input should be a valid number",
        ),
        (
            ("alerts",),
            {"DECONFLICT_DUPLICATE_SITE_DISTANCE_M": "-1"},
            "DECONFLICT_DUPLICATE_SITE_DISTANCE_M",
        ),
    ],
)
def test_bad_options_and_settings(tmp_path, args, env, expected):
    result = (
        run(*args, "--db", str(tmp_path / "s.sqlite3"), **env)
        if args[0] == "alerts"
        else run(*args, **env)
    )
    assert result.exit_code == 2
    assert expected in result.stderr
    assert "Traceback" not in result.output


def test_export_to_an_unwritable_place(tmp_path, golan_path):
    store = tmp_path / "s.sqlite3"
    run("load", str(golan_path), "--db", str(store))
    result = run(
        "export", "--db", str(store), "--geojson", str(tmp_path / "no" / "such" / "dir.json")
    )
    assert result.exit_code == 2
    assert "cannot write" in result.stderr


def test_the_installed_command_runs_as_a_process(tmp_path):
    """The console script itself (not the in-process runner): demo and a failing validate."""
    env = {**os.environ, "COLUMNS": "120"}
    exe = Path(sys.executable).with_name("deconflict")
    demo = subprocess.run(
        [str(exe), "demo", "--json"], capture_output=True, text=True, env=env, check=False
    )
    assert demo.returncode == 0, demo.stderr
    assert json.loads(demo.stdout)["summary"]["alerts"] == 16
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"scenario": {"name": "x"}, "parties": [{"id": "a"}]}))
    failed = subprocess.run(
        [str(exe), "validate", str(bad)], capture_output=True, text=True, env=env, check=False
    )
    assert failed.returncode == 2
    assert failed.stderr.startswith(f"error: {bad}: parties[0].name: required field is missing")
    assert "Traceback" not in failed.stderr
