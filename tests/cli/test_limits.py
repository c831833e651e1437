"""A record accepted under one policy stays readable under another.

The largest area one outline may cover (``DECONFLICT_MAX_AREA_KM2``) is policy: it is checked
on new input, and never when stored records are read back.  A store loaded under a wide limit
must keep working, with every command, after the limit is narrowed again.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from typer.testing import CliRunner

from deconfliction.cli.app import app

runner = CliRunner()

WIDE = {"DECONFLICT_MAX_AREA_KM2": "100000", "COLUMNS": "200"}
DEFAULT = {"COLUMNS": "200"}


def run(env: dict[str, str], *args: str):
    return runner.invoke(app, list(args), env=env)


def _scenario(golan_data: dict, radius_km: float) -> dict:
    """The Golan scenario with one more IDF notice: a circle of ``radius_km``."""
    notice = {
        "id": "n-idf-wide",
        "author": "idf",
        "kind": "exercise",
        "title": "Wide area exercise",
        "filed_at": "2026-11-23T06:00:00Z",
        "volumes": [
            {
                "outline": {
                    "type": "circle",
                    "center": "33.0000N 36.2000E",
                    "radius": f"{radius_km} km",
                },
                "altitude": {"lower": "SFC", "upper": "FL100"},
                "window": {"start": "2026-11-24T06:00:00Z", "end": "2026-11-24T07:00:00Z"},
            }
        ],
    }
    return {**golan_data, "notices": [*golan_data["notices"], notice]}


def test_a_wide_notice_accepted_under_a_wide_limit_stays_readable(
    tmp_path: Path, golan_data: dict, write_yaml
):
    area_km2 = math.pi * 140.0**2
    assert 50_000 < area_km2 < 100_000  # beyond the default limit, within the wide one
    scenario = write_yaml(_scenario(golan_data, 140.0), "wide.yaml")
    store = tmp_path / "store.sqlite3"

    refused = run(DEFAULT, "load", str(scenario), "--db", str(store))
    assert refused.exit_code == 2, refused.output
    assert "notices[6].volumes[0].outline: covers 61,575 km²" in refused.output
    assert not store.exists()

    loaded = run(WIDE, "load", str(scenario), "--db", str(store))
    assert loaded.exit_code == 0, loaded.output

    # Reopened under the default limit: every command still reads the record.
    alerts = run(DEFAULT, "alerts", "--db", str(store), "--json")
    assert alerts.exit_code == 0, alerts.output
    assert json.loads(alerts.stdout)["summary"]["alerts"] > 0
    geojson = tmp_path / "out.geojson"
    exported = run(DEFAULT, "export", "--geojson", str(geojson), "--db", str(store))
    assert exported.exit_code == 0, exported.output
    features = json.loads(geojson.read_text())["features"]
    assert "n-idf-wide" in {f["properties"].get("id") for f in features}
    timeline = run(DEFAULT, "timeline", "n-idf-wide", "--db", str(store), "--json")
    assert timeline.exit_code == 0, timeline.output
    assert json.loads(timeline.stdout)["versions"][0]["notice"] == "n-idf-wide"
    export = tmp_path / "ledger.txt"
    ledger = run(DEFAULT, "ledger", "export", "--out", str(export), "--db", str(store))
    assert ledger.exit_code == 0, ledger.output
    keys = tmp_path / "keys.json"
    key = run(DEFAULT, "ledger", "key", "--json", "--db", str(store))
    assert key.exit_code == 0, key.output
    keys.write_text(key.stdout)
    verified = run(DEFAULT, "verify", "export", str(export), "--key", str(keys))
    assert verified.exit_code == 0, verified.output
    # Loading the same file again records nothing: what is recorded is not new input.
    again = run(DEFAULT, "load", str(scenario), "--db", str(store))
    assert again.exit_code == 0, again.output
    assert "0 items recorded" in again.output
    # New input is held to today's limit.
    wider = _scenario(golan_data, 150.0)
    wider["notices"][-1]["id"] = "n-idf-wider"
    refused = run(DEFAULT, "load", str(write_yaml(wider, "wider.yaml")), "--db", str(store))
    assert refused.exit_code == 2, refused.output
    assert "notices[6].volumes[0].outline: covers 70,686 km²" in refused.output


def test_the_ceiling_is_a_setting_read_exactly_in_every_unit(
    tmp_path: Path, golan_data: dict, write_yaml
):
    """``DECONFLICT_MAX_ALTITUDE`` bounds new input in every unit alike; a bad value names the
    variable."""
    high = _scenario(golan_data, 5.0)
    high["notices"][-1]["volumes"][0]["altitude"]["upper"] = "20116.8 m AMSL"  # FL660 exactly
    scenario = write_yaml(high, "high.yaml")
    assert run(DEFAULT, "validate", str(scenario)).exit_code == 0
    low = {**DEFAULT, "DECONFLICT_MAX_ALTITUDE": "66000 ft AMSL"}
    assert run(low, "validate", str(scenario)).exit_code == 0  # the same height
    lower = {**DEFAULT, "DECONFLICT_MAX_ALTITUDE": "20116.7 m AMSL"}
    refused = run(lower, "load", str(scenario), "--db", str(tmp_path / "s.sqlite3"))
    assert refused.exit_code == 2
    assert "volumes[0].altitude.upper: 20116.8 m AMSL is above the ceiling of 20116.7 m AMSL" in (
        refused.stderr
    )
    bad = run({**DEFAULT, "DECONFLICT_MAX_ALTITUDE": "SFC"}, "validate", str(scenario))
    assert bad.exit_code == 2
    assert "DECONFLICT_MAX_ALTITUDE: a ceiling of SFC is not above the surface" in bad.stderr
