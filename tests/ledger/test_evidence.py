"""Evidence files (a notice's timeline with every receipt): checked offline, and every kind
of tampering named — an entry altered, a line that lies about its entry, a lead time that does
not follow, a head not signed by a trusted key."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from deconfliction.cli.app import app as cli
from deconfliction.engine.ledger.evidence import evidence, verify_evidence
from deconfliction.engine.ledger.heads import Keyring
from deconfliction.service.reading import read
from deconfliction.service.timeline import timeline
from tests.support.ledger_world import World, build_world, keys_json, public_keyring


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    directory = tmp_path_factory.mktemp("evidence")
    built = build_world(str(directory / "store.sqlite3"), directory / "keys")
    try:
        yield built
    finally:
        built.close()


@pytest.fixture(scope="module")
def document(world: World) -> dict[str, Any]:
    coordinator = world.coordinator
    found = read(
        coordinator, None, lambda r: timeline(r, coordinator.ledger, world.notice_id), party="idf"
    )
    keys = json.loads(keys_json(world.coordinator))
    return json.loads(json.dumps(evidence(world.notice_id, found, keys)))


def _line(document: dict[str, Any], event: str) -> dict[str, Any]:
    return next(x for x in document["timeline"]["lines"] if x["event"] == event)


def test_a_true_file_verifies(world: World, document: dict[str, Any]) -> None:
    check = verify_evidence(document, public_keyring(world.coordinator))
    assert check.ok, check.problems
    assert check.facts["lines"] == len(document["timeline"]["lines"]) >= 4
    assert {x["event"] for x in document["timeline"]["lines"]} >= {
        "notice.filed",
        "delivery.created",
        "delivery.read",
        "delivery.acknowledged",
    }


def _tampered(document: dict[str, Any], change: Any) -> dict[str, Any]:
    altered = copy.deepcopy(document)
    change(altered)
    return altered


def _reply(d: dict[str, Any]) -> None:
    line = _line(d, "delivery.acknowledged")
    line["receipt"]["entry"] = line["receipt"]["entry"].replace("holding west", "holding east")


def _time(d: dict[str, Any]) -> None:
    _line(d, "delivery.acknowledged")["at"] = "2026-11-24T12:00:00.000001Z"


def _event(d: dict[str, Any]) -> None:
    _line(d, "delivery.read")["event"] = "delivery.acknowledged"


def _lead(d: dict[str, Any]) -> None:
    d["timeline"]["versions"][0]["lead_time_s"] += 1800


def _filed(d: dict[str, Any]) -> None:
    d["timeline"]["versions"][0]["filed_at_server"] = "2026-11-24T09:00:00Z"


def _root(d: dict[str, Any]) -> None:
    head = _line(d, "notice.filed")["receipt"]["tree_head"]
    head["root_hash"] = "00" + head["root_hash"][2:]


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (_reply, "its content does not match its leaf hash"),
        (_time, "the entry was recorded at"),
        (_event, "the entry is a delivery.read"),
        (_lead, "does not follow from its entry"),
        (_filed, "the entry says"),
        (_root, "the signature does not verify"),
    ],
)
def test_tampering_is_named(
    world: World, document: dict[str, Any], change: Any, named: str
) -> None:
    check = verify_evidence(_tampered(document, change), public_keyring(world.coordinator))
    assert not check.ok
    assert any(named in p for p in check.problems), check.problems


def test_a_file_checks_only_against_keys_the_verifier_trusts(document: dict[str, Any]) -> None:
    stranger = Keyring([Ed25519PrivateKey.generate().public_key()])
    check = verify_evidence(document, stranger)
    assert not check.ok
    assert any("signed by unknown key" in p for p in check.problems)
    assert not verify_evidence({"format": "something else"}, stranger).ok


def test_the_command_checks_a_file_offline(
    world: World, document: dict[str, Any], tmp_path: Path
) -> None:
    runner = CliRunner()
    keys = tmp_path / "keys.json"
    keys.write_text(keys_json(world.coordinator), encoding="utf-8")
    good = tmp_path / "evidence.json"
    good.write_text(json.dumps(document), encoding="utf-8")
    result = runner.invoke(cli, ["verify", "evidence", str(good), "--key", str(keys)])
    assert result.exit_code == 0, result.output
    assert f"{good}: verified" in result.output
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(_tampered(document, _reply)), encoding="utf-8")
    result = runner.invoke(cli, ["verify", "evidence", str(bad), "--key", str(keys), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.output)["ok"] is False
    junk = tmp_path / "junk.json"
    junk.write_text("[1, 2]", encoding="utf-8")
    result = runner.invoke(cli, ["verify", "evidence", str(junk), "--key", str(keys)])
    assert result.exit_code == 2
    assert "not an evidence file" in result.output
