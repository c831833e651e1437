"""Item 6 of the neutral record: the Il-20 case, over HTTP, on both stores.

IDF files an air operation whose first volume starts 50 seconds after the server's clock.  Its
write answer carries a receipt.  A third party holding ONLY the public keys fetched from
``/.well-known/deconfliction/ledger-keys`` before the filing, and the receipt, and nothing from
the server afterwards, checks the receipt (``deconflict verify receipt`` and the engine
function) and computes from the receipt's entry alone: filed at 09:59:10 by the server's
clock, starting at 10:00:00, 50.0 seconds of warning.  Changing the 50 seconds into 30 minutes
in the receipt is caught.

Then the notice's timeline: the delivery to RUS, its reading and its acknowledgement with a
reply, the delivery to UNDOF and its escalation, each with a receipt that verifies; the author
sees every addressee, an addressee only itself, and SARC is answered exactly as for a notice
that does not exist.  ``deconflict timeline`` prints the 50 s lead time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from deconfliction.cli.app import app
from deconfliction.engine.ledger.entries import parse_entry
from deconfliction.engine.ledger.heads import keyring_from_text, public_key_text
from deconfliction.engine.ledger.merkle import leaf_hash
from deconfliction.engine.ledger.receipts import Receipt, verify_receipt
from deconfliction.engine.model import Agreement
from deconfliction.engine.model.common import parse_utc
from tests.api.bodies import golan, not_found, notice
from tests.support.server import Api, running_server

runner = CliRunner()

FILED = datetime(2026, 11, 25, 9, 59, 10, tzinfo=UTC)
START = "2026-11-25T10:00:00.000000Z"
REPLY = "Received. Too late to move the Il-20 out of the area."

# IDF also notifies UNDOF of its air operations here, so that the notice has two addressees:
# one acknowledges (RUS), the other lets it escalate (UNDOF).
IDF_UNDOF = {
    "id": "idf-undof",
    "name": "IDF notifications to UNDOF",
    "parties": ["idf", "undof"],
    "notifications": [{"from": "idf", "to": ["undof"], "kinds": ["air_operation"]}],
    "lead_times": {"air_operation": "30 min"},
    "margins": {"lateral": "3 NM", "vertical": "500 ft"},
    "acknowledgement": {"deadline": "5 min", "step": "5 min"},
}


@pytest.fixture
def server(store_url: str) -> Iterator[Api]:
    yield from running_server(store_url)


def cli(*args: str) -> Any:
    return runner.invoke(app, list(args), env={"COLUMNS": "250"})


# -- what the third party does, with files only -------------------------------------------------


def check_offline(receipt_file: Path, keys_file: Path) -> dict[str, Any]:
    """Everything the third party establishes from the two files alone."""
    keys = keyring_from_text(keys_file.read_text(encoding="utf-8"))
    kept = json.loads(receipt_file.read_text(encoding="utf-8"))
    check = verify_receipt(Receipt.from_dict(kept), keys)
    assert check.ok, check.problems
    entry = parse_entry(kept["entry"])
    assert entry.type == "notice.filed"
    item = entry.event["item"]
    start = parse_utc(item["volumes"][0]["window"]["start"])
    return {
        "index": kept["index"],
        "notice": item["id"],
        "author": item["author"],
        "recorded_at": entry.recorded_at,
        "filed_at": parse_utc(item["filed_at"]),
        "start": start,
        "lead_time_s": (start - entry.recorded_at).total_seconds(),
    }


def verify_receipt_file(receipt_file: Path, keys_file: Path, *more: str) -> Any:
    return cli("verify", "receipt", str(receipt_file), "--key", str(keys_file), *more)


def test_the_receipt_proves_the_fifty_seconds_to_a_third_party(server: Api, tmp_path: Path):
    clients = golan(server)
    keys_file = tmp_path / "ledger-keys.json"
    keys_file.write_text(
        httpx.get(f"{server.url}/.well-known/deconfliction/ledger-keys").text, encoding="utf-8"
    )
    server.clock.set(FILED)
    answer = clients["idf"].post(
        "/v1/notices",
        json=notice(title="Il-20 area", start=START, end="2026-11-25T10:45:00.000000Z"),
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    receipt_file = tmp_path / "receipt.json"
    receipt_file.write_text(json.dumps(body["receipt"]), encoding="utf-8")
    notice_id = body["notice"]["id"]
    # From here on, nothing from the server: the third party has two files.

    facts = check_offline(receipt_file, keys_file)
    assert facts["notice"] == notice_id
    assert facts["author"] == "idf"
    assert facts["recorded_at"] == FILED == facts["filed_at"]
    assert facts["start"] == datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
    assert facts["lead_time_s"] == 50.0

    verified = verify_receipt_file(receipt_file, keys_file)
    assert verified.exit_code == 0, verified.output
    assert verified.stdout.splitlines()[0] == f"{receipt_file}: verified"
    assert "  recorded_at: 2026-11-25T09:59:10.000000Z" in verified.stdout.splitlines()
    as_json = json.loads(verify_receipt_file(receipt_file, keys_file, "--json").stdout)
    assert as_json["ok"] is True
    assert as_json["facts"]["recorded_at"] == "2026-11-25T09:59:10.000000Z"
    assert as_json["facts"]["subject"] == notice_id

    # "The mechanism worked in the relevant timeframe": 30 minutes of warning, claimed by
    # editing the receipt, is caught.
    kept = json.loads(receipt_file.read_text(encoding="utf-8"))
    index = kept["index"]
    forged = kept | {
        "entry": kept["entry"].replace(
            '"recorded_at":"2026-11-25T09:59:10.000000Z"',
            '"recorded_at":"2026-11-25T09:30:00.000000Z"',
        ),
        "recorded_at": "2026-11-25T09:30:00.000000Z",
    }
    assert forged["entry"] != kept["entry"]
    forged_file = tmp_path / "forged.json"
    forged_file.write_text(json.dumps(forged), encoding="utf-8")
    failed = verify_receipt_file(forged_file, keys_file)
    assert failed.exit_code == 1
    assert failed.stdout.splitlines()[0] == (
        f"{forged_file}: entry {index}: its content does not match its leaf hash "
        "(the entry was altered)"
    )
    keys = keyring_from_text(keys_file.read_text(encoding="utf-8"))
    assert not verify_receipt(Receipt.from_dict(forged), keys).ok
    # The same claim with the leaf hash recomputed: the entry is not in the signed tree.
    forged["leaf_hash"] = leaf_hash(forged["entry"].encode()).hex()
    forged_file.write_text(json.dumps(forged), encoding="utf-8")
    failed = verify_receipt_file(forged_file, keys_file)
    assert failed.exit_code == 1
    size = kept["tree_head"]["tree_size"]
    assert failed.stdout.splitlines()[0] == (
        f"{forged_file}: entry {index}: not included in the signed tree of size {size} "
        "(the inclusion proof fails)"
    )
    # Another key than the log's: the head is not the log's.
    other = tmp_path / "other-keys.json"
    other.write_text(public_key_text(Ed25519PrivateKey.generate().public_key()), encoding="utf-8")
    wrong_key = verify_receipt_file(receipt_file, other)
    assert wrong_key.exit_code == 1
    assert "signed by unknown key" in wrong_key.stdout.splitlines()[0]


# -- the timeline -------------------------------------------------------------------------------


def inbox_item(client: httpx.Client, notice_id: str) -> str:
    (found,) = [i for i in client.get("/v1/inbox").json()["items"] if i["item_id"] == notice_id]
    return str(found["id"])


def events_of(timeline: dict[str, Any]) -> list[tuple[str, str | None]]:
    return [(line["event"], line["party"]) for line in timeline["lines"]]


def test_the_timeline_shows_delivery_reading_acknowledgement_with_receipts(
    server: Api, tmp_path: Path, store_url: str
):
    clients = golan(server)
    server.record([Agreement.model_validate(IDF_UNDOF)])
    keys_file = tmp_path / "ledger-keys.json"
    keys_file.write_text(
        httpx.get(f"{server.url}/.well-known/deconfliction/ledger-keys").text, encoding="utf-8"
    )
    keys = keyring_from_text(keys_file.read_text(encoding="utf-8"))
    server.clock.set(FILED)
    filed = clients["idf"].post(
        "/v1/notices",
        json=notice(title="Il-20 area", start=START, end="2026-11-25T10:45:00.000000Z"),
    )
    assert filed.status_code == 201, filed.text
    notice_id = filed.json()["notice"]["id"]
    delivery = inbox_item(clients["rus"], notice_id)
    server.clock.advance(20)
    read = clients["rus"].post(f"/v1/inbox/{delivery}/read")
    server.clock.advance(25)
    acknowledged = clients["rus"].post(f"/v1/inbox/{delivery}/ack", json={"reply": REPLY})
    for answer in (read, acknowledged):
        assert answer.status_code == 200, answer.text
        assert verify_receipt(Receipt.from_dict(answer.json()["receipt"]), keys).ok
    server.clock.set(datetime(2026, 11, 25, 10, 4, 30, tzinfo=UTC))  # UNDOF did not answer
    assert server.escalate()

    author = clients["idf"].get(f"/v1/notices/{notice_id}/timeline")
    assert author.status_code == 200, author.text
    timeline = author.json()
    assert events_of(timeline) == [
        ("notice.filed", "idf"),
        ("delivery.created", "rus"),
        ("delivery.created", "undof"),
        ("delivery.read", "rus"),
        ("delivery.acknowledged", "rus"),
        ("delivery.escalated", "undof"),
    ]
    at = {(line["event"], line["party"]): line["at"] for line in timeline["lines"]}
    assert at[("delivery.created", "rus")] == "2026-11-25T09:59:10.000000Z"
    assert at[("delivery.read", "rus")] == "2026-11-25T09:59:30.000000Z"
    assert at[("delivery.acknowledged", "rus")] == "2026-11-25T09:59:55.000000Z"
    (ack,) = [line for line in timeline["lines"] if line["event"] == "delivery.acknowledged"]
    assert REPLY in ack["detail"]
    (version,) = timeline["versions"]
    assert version["lead_time_s"] == 50.0
    assert version["filed_at_server"] == "2026-11-25T09:59:10.000000Z"
    assert version["starts_at"] == "2026-11-25T10:00:00.000000Z"
    # Every line's receipt verifies with the public keys alone, all under one signed head.
    for line in timeline["lines"]:
        receipt = Receipt.from_dict(line["receipt"])
        assert receipt.index == line["index"]
        assert receipt.tree_head.to_dict() == timeline["tree_head"]
        check = verify_receipt(receipt, keys)
        assert check.ok, (line["event"], check.problems)
        assert check.facts["recorded_at"] == line["at"]
    # The lead time, again, from the filing line's receipt alone.
    receipt_file = tmp_path / "filed.json"
    receipt_file.write_text(json.dumps(timeline["lines"][0]["receipt"]), encoding="utf-8")
    assert check_offline(receipt_file, keys_file)["lead_time_s"] == 50.0

    # Need to know: an addressee sees itself only; sarc, not an addressee, gets a 404 exactly
    # like an unknown notice.
    rus = clients["rus"].get(f"/v1/notices/{notice_id}/timeline").json()
    assert events_of(rus) == [
        ("notice.filed", "idf"),
        ("delivery.created", "rus"),
        ("delivery.read", "rus"),
        ("delivery.acknowledged", "rus"),
    ]
    undof = clients["undof"].get(f"/v1/notices/{notice_id}/timeline").json()
    assert events_of(undof) == [
        ("notice.filed", "idf"),
        ("delivery.created", "undof"),
        ("delivery.escalated", "undof"),
    ]
    for line in (*rus["lines"], *undof["lines"]):
        assert verify_receipt(Receipt.from_dict(line["receipt"]), keys).ok
    hidden = clients["sarc"].get(f"/v1/notices/{notice_id}/timeline")
    unknown = clients["sarc"].get("/v1/notices/n-0000000000000000/timeline")
    assert (hidden.status_code, hidden.json()) == (404, not_found("notice", notice_id))
    assert (unknown.status_code, unknown.json()) == (
        404,
        not_found("notice", "n-0000000000000000"),
    )

    # The command line, on the same store, prints the 50 s.
    printed = cli("timeline", notice_id, "--db", store_url)
    assert printed.exit_code == 0, printed.output
    assert (
        f"{notice_id} (new): filed 2026-11-25T09:59:10.000000Z (server), starts "
        "2026-11-25T10:00:00.000000Z: lead time 50 s"
    ) in printed.stdout
    assert "filed 50 s before its start" in printed.stdout
    as_json = json.loads(cli("timeline", notice_id, "--db", store_url, "--json").stdout)
    assert as_json["versions"][0]["lead_time_s"] == 50.0
    # Reading the timeline is a read of the notice: undof's delivery of it is now read too.
    now = clients["idf"].get(f"/v1/notices/{notice_id}/timeline").json()
    assert events_of(now) == [*events_of(timeline), ("delivery.read", "undof")]
    assert events_of(as_json) == events_of(now)
    only_rus = json.loads(
        cli("timeline", notice_id, "--db", store_url, "--party", "rus", "--json").stdout
    )
    assert events_of(only_rus) == events_of(rus)
