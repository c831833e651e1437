"""The published JSON Schema of scenario files."""

from __future__ import annotations

from typing import Any

from deconfliction import __version__
from deconfliction.engine.scenario import Scenario

__all__ = ["SCHEMA_ID", "scenario_json_schema"]

SCHEMA_ID = "https://deconfliction.invalid/schema/scenario.schema.json"


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of a scenario document, generated from the model itself."""
    schema: dict[str, Any] = Scenario.model_json_schema(by_alias=True, mode="validation")
    return schema | {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Deconfliction Line scenario",
        "description": (
            f"A scenario file for deconfliction {__version__}: parties, agreements, lines, zone "
            "agreements, protected sites, operation notices and observations. See "
            "docs/scenario-format.md. Checks that need geometry or the whole document "
            "(self-crossing polygons, references) are made by `deconflict validate`."
        ),
    }
