"""Documentation that must stay true: the README's commands, the settings, the schema."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema

from deconfliction.cli.app import app
from deconfliction.service.documents import read_document
from deconfliction.service.schemas import scenario_json_schema
from deconfliction.service.settings import Settings

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(r"```sh\n(.+?)\n```", text)[:2]


def test_readme_opens_with_the_demo_and_the_test_command():
    demo, tests = _readme_commands()
    assert demo.endswith("deconflict serve --demo")  # the API and its console
    assert "pip install" in demo
    assert tests.endswith("bash scripts/check")
    assert '".[dev]"' in tests


def test_ci_runs_the_readme_test_command_unchanged():
    _, tests = _readme_commands()
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in script.splitlines()


def test_every_setting_is_documented():
    documented = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    for name, field in Settings.model_fields.items():
        assert f"`DECONFLICT_{name.upper()}`" in documented, name
        assert field.description, f"setting {name} has no help text"


def test_every_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for command in app.registered_commands:
        assert f"`deconflict {command.name}" in readme, command.name


def test_published_schema_is_up_to_date():
    published = json.loads((ROOT / "docs" / "scenario.schema.json").read_text(encoding="utf-8"))
    assert published == scenario_json_schema(), (
        "run: deconflict schema --out docs/scenario.schema.json"
    )


def test_the_demo_scenario_follows_the_published_schema(golan_path):
    schema = json.loads((ROOT / "docs" / "scenario.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    document = read_document(golan_path)  # as the product reads it: times stay text
    jsonschema.validate(document, schema)


def test_the_schema_refuses_what_the_model_refuses():
    schema = scenario_json_schema()
    bad = {
        "scenario": {"name": "x"},
        "notices": [{"id": "n", "author": "a", "kind": "strike", "filed_at": "x"}],
    }
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(bad))
    assert errors
