"""The evidence bundle, checked offline: the Il-20 case (notice 50 s before start, the other
side's account disputing the place) and the notified hospital that was struck; every kind of
tampering named."""

from __future__ import annotations

import base64
import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from deconfliction.cli.app import app
from deconfliction.engine.errors import NotFound
from deconfliction.engine.incidents.bundles import verify_bundle
from deconfliction.engine.ledger.heads import Keyring, keyring_from_text
from deconfliction.engine.ledger.merkle import leaf_hash
from deconfliction.service.bundles import incident_bundle
from deconfliction.service.reading import read
from tests.support.golan_record import GolanRecord
from tests.support.ledger_world import keys_json


def bundle_of(record: GolanRecord, name: str, party: str | None) -> dict[str, Any]:
    coordinator = record.coordinator
    found: dict[str, Any] = read(
        coordinator,
        None,
        lambda r: incident_bundle(r, coordinator.ledger, record.ids[name]),
        party=party,
    )
    return json.loads(json.dumps(found))  # as a file would hold it


def keyring(record: GolanRecord) -> Keyring:
    """Only what a third party holds: the published keys (never those the bundle lists)."""
    return keyring_from_text(keys_json(record.coordinator))


def one(items: list[dict[str, Any]], **where: Any) -> dict[str, Any]:
    (found,) = [i for i in items if all(i[k] == v for k, v in where.items())]
    return found


def test_the_il20_bundle_proves_the_lead_time_and_both_accounts(record: GolanRecord) -> None:
    for party in ("rus", "idf", "undof"):
        bundle = bundle_of(record, "il20", party)
        check = verify_bundle(bundle, keyring(record))
        assert check.ok, (party, check.problems)
        assert check.facts["answers_recomputed"] is True
    answers = bundle_of(record, "il20", "rus")["answers"]
    israeli = one(answers["notices"], notice="n-idf-001")
    # Filed at 09:59:10 for 10:00: 50 s of warning; 3 min 50 s before the aircraft was lost.
    assert (israeli["relation"], israeli["lead_time_s"], israeli["lead_to_incident_s"]) == (
        "near",
        50.0,
        230.0,
    )
    assert israeli["filed_at"] == israeli["recorded_at"] == "2026-11-24T09:59:10.000000Z"
    (to_russia,) = israeli["deliveries"]
    assert to_russia["recipient"] == "rus"
    assert to_russia["read_at"] == "2026-11-24T10:01:30.000000Z"  # after the start
    assert to_russia["acknowledged_at"] == "2026-11-24T10:02:00.000000Z"
    place = one(answers["facts"], fact="place")
    assert place["agree"] == ["rus"]
    (disputed,) = place["dispute"]
    assert disputed["party"] == "idf"
    assert disputed["alternative"]["place"]["type"] == "circle"
    assert one(answers["facts"], fact="time")["agree"] == ["rus", "idf"]
    late = one(answers["alerts"], kind="late-notice")
    assert late["parties"] == ["idf", "rus"]
    # Every answer cites entries, and every cited entry is in the bundle with its proof.
    cited = {i for n in answers["notices"] for i in n["entries"]}
    assert cited <= {e["index"] for e in bundle_of(record, "il20", "rus")["entries"]}


def test_the_hospital_bundle_answers_each_party_as_it_may_see(record: GolanRecord) -> None:
    ring = keyring(record)
    idf = bundle_of(record, "hospital", "idf")
    assert verify_bundle(idf, ring).ok
    answers = idf["answers"]
    strike = one(answers["notices"], notice="n-idf-001")
    assert (strike["relation"], strike["lead_time_s"]) == ("covers", 50.0)
    hospital = one(answers["sites"], site="site-quneitra-hospital")
    assert hospital["registered_before_incident"]
    assert hospital["valid_at_incident"]
    (warned,) = [
        a
        for a in answers["alerts"]
        if a["kind"] == "protected-site" and "Quneitra National" in a["explanation"]
    ]
    assert warned["parties"] == ["idf"]
    assert warned["before_incident_s"] == 1250.0  # told 20 min 50 s before
    # The Red Crescent is not an addressee of Israel's notices: its bundle proves the site
    # and its own convoy, and names no Israeli notice, alert or delivery at all.
    sarc = bundle_of(record, "hospital", "sarc")
    check = verify_bundle(sarc, ring)
    assert check.ok, check.problems
    assert "n-idf-001" not in json.dumps(sarc)
    assert one(sarc["answers"]["sites"], site="site-quneitra-hospital")["valid_at_incident"]
    # The photograph: in both bundles (Israel sees it through the incident), hashing true.
    for bundle in (idf, sarc):
        (photo,) = bundle["evidence"]
        assert base64.b64decode(photo["content_base64"]) == b"east wing, 10:25"
    # Russia is not concerned: no bundle at all, as for an incident that does not exist.
    with pytest.raises(NotFound, match="no incident"):
        bundle_of(record, "hospital", "rus")


def _tamper(kind: str, bundle: dict[str, Any]) -> str:
    """Tamper with ``bundle`` in place; return what the check must say first."""
    entries = bundle["entries"]
    answers = bundle["answers"]
    if kind == "entry altered":
        first = entries[0]
        first["entry"] = first["entry"].replace('"format":1', '"format":2')
        return f"entry {first['index']}: its content does not match its leaf hash"
    if kind == "entry rewritten with its hash":
        first = entries[0]
        first["entry"] = first["entry"].replace('"format":1', '"format":2')
        first["leaf_hash"] = leaf_hash(first["entry"].encode()).hex()
        return f"entry {first['index']}: not in the signed tree"
    if kind == "entry moved":
        entries[1]["index"] = entries[0]["index"]
        return "moved"
    if kind == "proof altered":
        entries[0]["inclusion_proof"][0] = "00" * 32
        return f"entry {entries[0]['index']}: not in the signed tree"
    if kind == "cited entry dropped":
        cited = answers["notices"][0]["entries"][0]
        bundle["entries"] = [e for e in entries if e["index"] != cited]
        return f"entry {cited}: cited by the answers but not in the bundle"
    if kind == "answer altered":
        answers["notices"][0]["lead_time_s"] = 1800.0
        return r"answers\.notices\[0\]\.lead_time_s: the bundle says 1800\.0; the record gives"
    if kind == "dispute hidden":
        one(answers["facts"], fact="place")["dispute"] = []
        return "answers.facts"
    if kind == "signature altered":
        head = bundle["tree_head"]
        head["signature"] = base64.b64encode(b"\0" * 64).decode()
        return "the signature does not verify"
    if kind == "head swapped":
        bundle["tree_head"]["root_hash"] = "11" * 32
        return "the signature does not verify"
    assert kind == "attachment altered"
    bundle["evidence"][0]["content_base64"] = base64.b64encode(b"another photo").decode()
    return "its content does not match its SHA-256"


TAMPERING = [
    "entry altered",
    "entry rewritten with its hash",
    "entry moved",
    "proof altered",
    "cited entry dropped",
    "answer altered",
    "dispute hidden",
    "signature altered",
    "head swapped",
    "attachment altered",
]


@pytest.mark.parametrize("kind", TAMPERING)
def test_tampering_is_named(record: GolanRecord, kind: str) -> None:
    name = "hospital" if kind == "attachment altered" else "il20"
    bundle = copy.deepcopy(bundle_of(record, name, "idf"))
    expected = _tamper(kind, bundle)
    check = verify_bundle(bundle, keyring(record))
    assert not check.ok
    assert len(check.problems) == 1  # the first thing wrong, named
    assert re.search(expected, check.problems[0]), check.problems[0]


def test_a_key_that_did_not_sign_is_refused(record: GolanRecord) -> None:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    stranger = Keyring([Ed25519PrivateKey.generate().public_key()])
    (problem,) = verify_bundle(bundle_of(record, "il20", "rus"), stranger).problems
    assert "not one of the keys given" in problem


def test_the_commands(record: GolanRecord, tmp_path: Path) -> None:
    runner = CliRunner()
    keys = tmp_path / "keys.json"
    keys.write_text(keys_json(record.coordinator), encoding="utf-8")
    good = tmp_path / "bundle.json"
    good.write_text(json.dumps(bundle_of(record, "il20", "rus")), encoding="utf-8")
    result = runner.invoke(app, ["verify", "bundle", str(good), "--key", str(keys)])
    assert result.exit_code == 0, result.output
    assert "verified" in result.output
    bad = copy.deepcopy(bundle_of(record, "il20", "rus"))
    bad["answers"]["notices"][0]["lead_time_s"] = 1800.0
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(bad), encoding="utf-8")
    result = runner.invoke(app, ["verify", "bundle", str(tampered), "--key", str(keys)])
    assert result.exit_code == 1
    assert "lead_time_s" in result.output
    junk = tmp_path / "junk.json"
    junk.write_text("[1, 2]", encoding="utf-8")
    result = runner.invoke(app, ["verify", "bundle", str(junk), "--key", str(keys)])
    assert result.exit_code == 2
    assert "not an incident bundle" in result.output
