"""Scenario files a careless or hostile author could write: each ends ``validate`` and ``load``
with exit 2 and a reason naming the file, stores nothing, and holds the reader's stack and
memory within bounds."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml
from typer.testing import CliRunner

from deconfliction.cli.app import app
from deconfliction.engine import documents

runner = CliRunner()

BIG = "x" * 70_000

BAD = [
    (
        "dup.json",
        '{"scenario": {"name": "a"}, "scenario": {"name": "b"}}',
        "key 'scenario' appears twice in one object",
    ),
    ("nested-dup.json", '{"scenario": {"name": "a", "name": "b"}}', "key 'name' appears twice"),
    (
        "nan.json",
        '{"scenario": {"name": "a"}, "parties": [{"id": NaN}]}',
        "NaN is not a JSON number",
    ),
    (
        "deep.json",
        '{"scenario": ' + "[" * 200_000 + "]" * 200_000 + "}",
        "nested more than 64 levels deep",
    ),
    (
        "deep-flow.yaml",
        "scenario: " + "[" * 3000 + "]" * 3000 + "\n",
        "nested more than 64 levels deep",
    ),
    (
        "deep-block.yaml",
        "".join("  " * i + f"k{i}:\n" for i in range(100)) + "  " * 100 + "x: 1\n",
        "nested more than 64 levels deep",
    ),
    (
        "aliases.yaml",
        f"scenario: {{name: &big {BIG}}}\nparties: [" + ", ".join(["*big"] * 1000) + "]\n",
        "holds more than 64,000,000 characters of text, counting every repetition of a YAML alias",
    ),
]


@pytest.mark.parametrize(("name", "text", "reason"), BAD, ids=[b[0] for b in BAD])
@pytest.mark.parametrize("command", ["validate", "load"])
def test_a_bad_document_exits_2_with_its_reason(tmp_path, command, name, text, reason):
    path = tmp_path / name
    path.write_text(text)
    store = tmp_path / "store.sqlite3"
    args = [command, str(path)] + (["--db", str(store)] if command == "load" else [])
    result = runner.invoke(app, args, env={"COLUMNS": "400"})
    assert result.exit_code == 2, result.output
    assert f"{path}: " in result.stderr
    assert reason in result.stderr, result.stderr
    assert "unexpected failure" not in result.stderr
    assert not store.exists()


@pytest.mark.parametrize(
    "written",
    ["2027-W01-1T10:00:00Z", "2027-001T10:00:00Z", "20270101T100000Z", "2027-01-01T10:00Z"],
    ids=["week-date", "ordinal-date", "basic-format", "no-seconds"],
)
@pytest.mark.parametrize("command", ["validate", "load"])
def test_times_are_rfc_3339_only(tmp_path, golan_data, write_yaml, command, written):
    golan_data["notices"][0]["filed_at"] = written
    path = write_yaml(golan_data)
    store = tmp_path / "store.sqlite3"
    args = [command, str(path)] + (["--db", str(store)] if command == "load" else [])
    result = runner.invoke(app, args, env={"COLUMNS": "400"})
    assert result.exit_code == 2, result.output
    assert f"notices[0].filed_at: time '{written}' is not RFC 3339" in result.stderr
    assert not store.exists()


def test_a_billion_laughs_is_refused_without_being_expanded(tmp_path, monkeypatch):
    """Nine levels of ten aliases each would be a billion values: the reader stops counting at
    the bound (lowered here, so that the test is quick)."""
    monkeypatch.setattr(documents, "MAX_NODES", 10_000)
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        name, previous = chr(ord("a") + i), chr(ord("a") + i - 1)
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 10) + "]")
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(levels) + "\n")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "holds more than 10,000 values, counting every repetition" in result.stderr


def test_aliases_within_bounds_are_read(tmp_path):
    """Anchors and aliases used as intended still work."""
    path = tmp_path / "anchors.yaml"
    path.write_text(
        "scenario: {name: anchors}\n"
        "parties:\n"
        "  - &p {id: a, name: Alpha, kind: armed_force}\n"
        "  - {id: b, name: Bravo, kind: armed_force}\n"
    )
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert yaml.safe_load(path.read_text())["parties"][0] == {
        "id": "a",
        "name": "Alpha",
        "kind": "armed_force",
    }


def test_a_deep_document_exits_2_in_a_real_process(tmp_path):
    """Python's own stack limit is not what stops the reader: the same in a fresh process."""
    path = tmp_path / "deep.yaml"
    path.write_text("scenario: " + "[" * 3000 + "]" * 3000 + "\n")
    result = subprocess.run(
        [sys.executable, "-m", "deconfliction", "validate", str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 2, result.stderr
    assert "nested more than 64 levels deep" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_file_too_large_is_refused_before_it_is_read(tmp_path, monkeypatch):
    from deconfliction.service import documents as service_documents

    monkeypatch.setattr(service_documents, "MAX_FILE_BYTES", 1024)
    path = tmp_path / "large.yaml"
    path.write_text("scenario: {name: " + "x" * 2000 + "}\n")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert f"{path}: larger than" in result.stderr


def test_the_same_json_rule_reads_ledger_files(tmp_path):
    """Every JSON the command line reads follows the one rule (here a receipt to verify)."""
    path = tmp_path / "receipt.json"
    path.write_text('{"index": 1, "index": 2}')
    keys = tmp_path / "keys.json"
    keys.write_text('{"keys": []}')
    result = runner.invoke(app, ["verify", "receipt", str(path), "--key", str(keys)])
    assert result.exit_code == 2
    assert "key 'index' appears twice" in result.stderr
