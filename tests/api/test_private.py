"""Private data never reaches the log, an export or a stream in the clear.

Which fields are private is declared once, on the item kinds (:data:`KINDS`); the test reads
the declaration, not a list of its own.  Every party's escalation chain is in the Golan
scenario; every party then receives all it may: its export of the ledger (every entry it may
read, in full) and its live stream replayed from the start.  No private value of another party
appears in either; the log holds a commitment to each, and the party itself reads its own.
"""

from __future__ import annotations

import json
from typing import Any

from deconfliction.engine.items import KINDS, commitment
from deconfliction.service.documents import demo_path, read_document
from deconfliction.store import private as private_store
from deconfliction.store.events import last_seq
from tests.api.bodies import file_notice, golan
from tests.support.server import Api

GOLAN = read_document(demo_path())
PARTIES = ("idf", "rus", "sarc", "undof")


def _strings(value: Any) -> set[str]:
    """Every string inside a JSON value (the words a leak would show)."""
    if isinstance(value, str):
        return {value} if len(value) > 3 else set()
    if isinstance(value, dict):
        return {s for v in value.values() for s in _strings(v)}
    if isinstance(value, list):
        return {s for v in value for s in _strings(v)}
    return set()


def _private_values() -> dict[str, set[str]]:
    """For each party of the scenario, the strings of its private fields."""
    out: dict[str, set[str]] = {}
    for kind in KINDS:
        for item in GOLAN.get(kind.section, []):
            for field in kind.private:
                out.setdefault(item["id"], set()).update(_strings(item.get(field)))
    return out


def test_no_party_receives_another_partys_private_values(api: Api):
    clients = golan(api)
    private = _private_values()
    assert {p for p, values in private.items() if values} == {"idf", "rus", "sarc", "undof"}
    # An item that escalates through RUS's chain and on to the monitor.
    filed = file_notice(clients["idf"], start="2026-11-24T13:00:00Z", end="2026-11-24T14:00:00Z")
    assert any(d["recipient"] == "rus" for d in filed["deliveries"])
    api.clock.advance(600)
    assert api.escalate()
    for party in PARTIES:
        token = api.token(party, "viewer")
        export = api.client(token).get("/v1/ledger/export")
        assert export.status_code == 200
        stream = api.replay_stream(party)
        received = export.text + stream
        for owner, values in private.items():
            if owner == party:
                continue
            leaked = sorted(v for v in values if v in received)
            assert leaked == [], (party, owner, leaked)
        # Its own chain it reads, from its own record.
        own = api.client(token).get(f"/v1/parties/{party}").json()["duty_contacts"]
        assert _strings(own) == private[party]


def test_the_log_commits_to_each_private_value(api: Api):
    golan(api)
    client = api.as_("idf")
    export = client.get("/v1/ledger/export").text.splitlines()
    entries = [json.loads(line.split("\t", 2)[2]) for line in export[1:] if line.split("\t")[2]]
    recorded = [e for e in entries if e["type"] == "party.recorded" and e["subject"] == "idf"]
    (entry,) = recorded
    event = entry["event"]
    assert "duty_contacts" not in event["item"]
    held = event["private"]["duty_contacts"]
    with api.coordinator.db.reading() as connection:
        seqs = [
            s
            for s in range(1, last_seq(connection) + 1)
            if private_store.private_values_of(connection, s)
        ]
        (value,) = [
            v
            for s in seqs
            for v in private_store.private_values_of(connection, s)
            if json.loads(v.value) == _golan_contacts("idf")
        ]
    assert held == commitment("duty_contacts", value.value, value.nonce)


def _golan_contacts(party: str) -> list[dict[str, str]]:
    (found,) = [p for p in GOLAN["parties"] if p["id"] == party]
    contacts: list[dict[str, str]] = found["duty_contacts"]
    return [{"name": c["name"], "channel": c.get("channel", "")} for c in contacts]
