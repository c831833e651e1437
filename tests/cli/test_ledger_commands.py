"""``deconflict ledger``, ``deconflict verify`` and ``deconflict timeline`` end to end, in process,
on both stores: load the Golan scenario, take the public keys, heads, proofs, exports and a
receipt out through the command line exactly as an operator would, and check them offline with
nothing but those files.  Then the same checks after a key rotation, a receipt altered by one
character, and every kind of unreadable input (exit status 2, one line naming the file and
the reason, no traceback).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from deconfliction.cli.app import app

runner = CliRunner()


class Operator:
    """The command line against one store, with its keys in a directory of its own."""

    def __init__(self, store: str, keys: Path, files: Path) -> None:
        self.store = store
        self.env = {"COLUMNS": "200", "DECONFLICT_LEDGER_KEYS": str(keys)}
        self.files = files

    def run(self, *args: str):
        return runner.invoke(app, list(args), env=self.env)

    def on_store(self, *args: str):
        return self.run(*args, "--db", self.store)

    def ok(self, *args: str, store: bool = True) -> str:
        result = self.on_store(*args) if store else self.run(*args)
        assert result.exit_code == 0, result.output
        return result.stdout

    def save(self, name: str, text: str) -> Path:
        path = self.files / name
        path.write_text(text, encoding="utf-8")
        return path

    def keys(self, name: str = "keys.json") -> Path:
        return self.save(name, self.ok("ledger", "key", "--json"))

    def head(self, name: str) -> Path:
        return self.save(name, self.ok("ledger", "head"))

    def verify(self, *args: str):
        return self.run("verify", *args)


@pytest.fixture
def operator(store_url: str, tmp_path: Path, golan_path: Path) -> Operator:
    files = tmp_path / "files"
    files.mkdir()
    made = Operator(store_url, tmp_path / "ledger-keys", files)
    made.ok("load", str(golan_path))
    return made


def one_line_error(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    text = result.output.strip()
    assert "\n" not in text, text
    assert "Traceback" not in text
    for word in words:
        assert word in text, text


def facts(result) -> dict:
    return json.loads(result.stdout)


def test_keys_heads_proofs_and_exports_verify_offline(operator: Operator):
    keys = operator.keys()
    published = json.loads(keys.read_text())
    (record,) = published["keys"]
    assert record["retired_at"] is None
    assert record["key_id"] in operator.ok("ledger", "key")  # the table names it too

    old = operator.head("old.json")
    first = json.loads(old.read_text())["tree_size"]
    assert first > 0

    # Every entry readable by the operator; a party's export hides what it may not read.
    everything = operator.files / "all.txt"
    operator.ok("ledger", "export", "--out", str(everything))
    verified = operator.verify("export", str(everything), "--key", str(keys), "--json")
    assert verified.exit_code == 0, verified.output
    assert facts(verified)["ok"] is True
    hidden = {}
    for party in ("idf", "rus", "sarc", "undof"):
        own = operator.files / f"{party}.txt"
        operator.ok("ledger", "export", "--party", party, "--out", str(own))
        result = operator.verify("export", str(own), "--key", str(keys), "--against", str(own))
        assert result.exit_code == 0, result.output
        assert "verified" in result.stdout
        lines = own.read_bytes().splitlines()[1:]
        hidden[party] = sum(1 for line in lines if line.endswith(b"\t"))
        assert len(lines) == len(everything.read_bytes().splitlines()) - 1
    # Need to know: nobody reads everything (each sees agreements it is not party to hidden).
    assert hidden, "nothing to check: the assertion below would pass on nothing"
    assert all(count > 0 for count in hidden.values()), hidden

    # A later head extends the earlier one: the proof from the store, checked offline.
    new = operator.head("new.json")
    second = json.loads(new.read_text())["tree_size"]
    assert second >= first
    proof = operator.save("proof.json", operator.ok("ledger", "proof", str(first), str(second)))
    result = operator.verify(
        "consistency",
        "--old",
        str(old),
        "--new",
        str(new),
        "--proof",
        str(proof),
        "--key",
        str(keys),
    )
    assert result.exit_code == 0, result.output
    assert "consistency: verified" in result.stdout


def test_a_receipt_from_the_timeline_verifies_and_survives_a_key_rotation(operator: Operator):
    keys = operator.keys()
    timeline = json.loads(operator.ok("timeline", "n-idf-001", "--json"))
    (version,) = [v for v in timeline["versions"] if v["notice"] == "n-idf-001"]
    # Loaded now, for a start yesterday: the lead time is the server's, not the file's claim.
    filed, starts = (datetime.fromisoformat(version[k]) for k in ("filed_at_server", "starts_at"))
    assert version["lead_time_s"] == pytest.approx((starts - filed).total_seconds())
    assert version["filed_at_claimed"] == "2026-11-24T09:59:10.000000Z"
    filed = timeline["lines"][0]
    receipt = operator.save("receipt.json", json.dumps(filed["receipt"]))
    result = operator.verify("receipt", str(receipt), "--key", str(keys))
    assert result.exit_code == 0, result.output
    assert f"{receipt}: verified" in result.stdout
    # The table shows the lead time, unwrapped.
    assert f"lead time {version['lead_time_s']:g} s" in operator.ok("timeline", "n-idf-001")

    old_head = operator.head("before-rotation.json")
    rotated = operator.ok("ledger", "rotate-key")
    assert "signs from now on" in rotated
    new_keys = operator.keys("keys-after.json")
    records = json.loads(new_keys.read_text())["keys"]
    assert len(records) == 2
    assert sum(1 for r in records if r["retired_at"] is None) == 1
    new_head = operator.head("after-rotation.json")
    assert json.loads(new_head.read_text())["key_id"] != json.loads(old_head.read_text())["key_id"]

    # The old receipt verifies with the new key list; the new head is not trusted with the old
    # list alone (it is signed by a key that list does not know).
    result = operator.verify("receipt", str(receipt), "--key", str(new_keys))
    assert result.exit_code == 0, result.output
    first = json.loads(old_head.read_text())["tree_size"]
    second = json.loads(new_head.read_text())["tree_size"]
    proof = operator.save("proof.json", operator.ok("ledger", "proof", str(first), str(second)))
    args = ["--old", str(old_head), "--new", str(new_head), "--proof", str(proof)]
    assert operator.verify("consistency", *args, "--key", str(new_keys)).exit_code == 0
    stale = operator.verify("consistency", *args, "--key", str(keys))
    assert stale.exit_code == 1
    assert f"tree head of size {second}: signed by unknown key" in stale.stdout
    # An export under the new key verifies for a verifier holding only the first key: the
    # rotation is in the log, under a head the first key signed.
    export = operator.files / "after.txt"
    operator.ok("ledger", "export", "--out", str(export))
    result = operator.verify("export", str(export), "--key", str(keys))
    assert result.exit_code == 0, result.output


def test_an_export_whose_header_names_another_party_fails(operator: Operator):
    """The header is covered like the entries: an export made for one party cannot be passed
    off as another's."""
    keys = operator.keys()
    own = operator.files / "idf.txt"
    operator.ok("ledger", "export", "--party", "idf", "--out", str(own))
    lines = own.read_bytes().splitlines(keepends=True)
    header = json.loads(lines[0])
    assert header["party"] == "idf"
    header["party"] = "rus"
    forged = operator.files / "forged.txt"
    forged.write_bytes(json.dumps(header).encode() + b"\n" + b"".join(lines[1:]))
    result = operator.verify("export", str(forged), "--key", str(keys), "--json")
    assert result.exit_code == 1, result.output
    assert facts(result)["problems"] == [
        "the header: its signature does not verify (its party, size, tree heads or keys were "
        "altered)"
    ]


def test_a_receipt_altered_by_one_character_fails_and_names_its_entry(operator: Operator):
    keys = operator.keys()
    timeline = json.loads(operator.ok("timeline", "n-idf-001", "--json"))
    kept = timeline["lines"][0]["receipt"]
    index = kept["index"]
    # 50 s of warning rewritten as 50 minutes: the filing time moved back.
    forged = dict(kept, entry=kept["entry"].replace('"filed_at":"', '"filed_at":"X', 1))
    assert forged["entry"] != kept["entry"]
    receipt = operator.save("forged.json", json.dumps(forged))
    result = operator.verify("receipt", str(receipt), "--key", str(keys), "--json")
    assert result.exit_code == 1
    body = facts(result)
    assert body["ok"] is False
    assert body["problems"][0].startswith(f"entry {index}:")


def test_bad_input_is_one_line_with_exit_status_2(operator: Operator, tmp_path: Path):
    keys = operator.keys()
    not_json = operator.save("not-json.json", "{ this is not json")
    not_receipt = operator.save("not-receipt.json", json.dumps({"hello": 1}))
    not_export = operator.save("not-export.txt", "hello\n")
    missing = tmp_path / "missing.json"
    one_line_error(
        operator.verify("receipt", str(not_json), "--key", str(keys)),
        "not-json.json",
        "not valid JSON",
    )
    one_line_error(
        operator.verify("receipt", str(not_receipt), "--key", str(keys)),
        "not-receipt.json",
        "not a receipt",
    )
    one_line_error(
        operator.verify("receipt", str(missing), "--key", str(keys)), "missing.json", "cannot read"
    )
    one_line_error(
        operator.verify("export", str(not_export), "--key", str(not_json)),
        "--key",
        "not a public key",
    )
    one_line_error(
        operator.verify("export", str(not_export), "--key", str(keys)),
        "not-export.txt",
        "not a ledger export",
    )
    head = operator.head("head.json")
    one_line_error(
        operator.verify(
            "consistency",
            "--old",
            str(not_receipt),
            "--new",
            str(head),
            "--proof",
            str(head),
            "--key",
            str(keys),
        ),
        "not-receipt.json",
        "not a signed tree head",
    )
    one_line_error(
        operator.verify(
            "consistency",
            "--old",
            str(head),
            "--new",
            str(head),
            "--proof",
            str(not_receipt),
            "--key",
            str(keys),
        ),
        "not-receipt.json",
        "not a consistency proof",
    )
    one_line_error(operator.on_store("timeline", "n-nowhere"), "n-nowhere")
    one_line_error(operator.on_store("ledger", "proof", "0", "3"), "first")
    size = json.loads(head.read_text())["tree_size"]
    one_line_error(operator.on_store("ledger", "proof", "1", str(size + 1000)), "log's size")
    one_line_error(
        operator.on_store("ledger", "export", "--out", str(tmp_path / "no" / "such" / "dir.txt")),
        "--out",
        "cannot write",
    )
