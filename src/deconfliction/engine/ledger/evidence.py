"""Evidence files: the dispute timeline of a notice with every receipt, checked offline.

``deconfliction-evidence/1`` is JSON: ``{"format", "notice", "timeline", "keys"}``, where
``timeline`` is the answer of ``GET /v1/notices/{id}/timeline`` (every line with the receipt of
its ledger entry) and ``keys`` the public keys the console used.  The console saves it
("download evidence") and checks it in the browser; ``deconflict verify evidence`` checks it
here, with keys the verifier trusts (the file's own keys prove nothing: anyone can sign).

The checks, the same in both places:

1. every line's receipt holds (:func:`verify_receipt`: entry hash, inclusion, signature);
2. every line says what its entry says: the same index, event type and time of recording;
3. every version's server filing time is its entry's, and its start and lead time follow
   from the notice inside that entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from deconfliction.engine.ledger.entries import Entry, format_time, parse_entry
from deconfliction.engine.ledger.heads import Keyring
from deconfliction.engine.ledger.receipts import Check, Receipt, verify_receipt
from deconfliction.engine.model.common import parse_utc

__all__ = ["EVIDENCE_FORMAT", "evidence", "verify_evidence"]

EVIDENCE_FORMAT = "deconfliction-evidence/1"


def evidence(notice: str, timeline: Mapping[str, Any], keys: Mapping[str, Any]) -> dict[str, Any]:
    """An evidence document (what the console's "download evidence" saves)."""
    return {"format": EVIDENCE_FORMAT, "notice": notice, "timeline": timeline, "keys": keys}


def _micros(instant: datetime) -> int:
    delta = instant - datetime(1970, 1, 1, tzinfo=instant.tzinfo)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _time(value: object) -> datetime | None:
    try:
        return parse_utc(str(value))
    except ValueError:
        return None


def _line_problems(line: Mapping[str, Any], keyring: Keyring) -> tuple[list[str], Entry | None]:
    where = f"line {line.get('index')} ({line.get('event')})"
    try:
        receipt = Receipt.from_dict(line["receipt"])
    except (KeyError, TypeError, ValueError) as exc:
        return [f"{where}: not a receipt ({exc})"], None
    problems = [f"{where}: {p}" for p in verify_receipt(receipt, keyring).problems]
    try:
        entry = parse_entry(receipt.entry)
    except (KeyError, TypeError, ValueError):
        return problems, None
    if line.get("index") != receipt.index:
        problems.append(f"{where}: names entry {line.get('index')}, its receipt {receipt.index}")
    if entry.type != line.get("event"):
        problems.append(f"{where}: the entry is a {entry.type}")
    if _time(line.get("at")) != entry.recorded_at:
        problems.append(
            f"{where}: says {line.get('at')}, the entry was recorded at "
            f"{format_time(entry.recorded_at)}"
        )
    return problems, entry


def _version_problems(version: Mapping[str, Any], filed: Entry | None) -> list[str]:
    notice = version.get("notice")
    if filed is None:
        return [f"version {notice}: no line carries its filing"]
    problems = []
    filed_at = filed.recorded_at
    if _time(version.get("filed_at_server")) != filed_at:
        problems.append(
            f"version {notice}: filed at {version.get('filed_at_server')}, the entry says "
            f"{format_time(filed_at)}"
        )
    volumes = filed.event.get("item", {}).get("volumes", [])
    starts = [_time(v.get("window", {}).get("start")) for v in volumes]
    start = min((t for t in starts if t is not None), default=None)
    if start is None or _time(version.get("starts_at")) != start:
        problems.append(
            f"version {notice}: starts at {version.get('starts_at')}, its notice says otherwise"
        )
        return problems
    try:
        lead_us = round(float(version["lead_time_s"]) * 1e6)
    except (KeyError, TypeError, ValueError):
        lead_us = None
    if lead_us != _micros(start) - _micros(filed_at):
        problems.append(
            f"version {notice}: the lead time {version.get('lead_time_s')} s does not follow "
            "from its entry"
        )
    return problems


def verify_evidence(document: Mapping[str, Any], keyring: Keyring) -> Check:
    """Check an evidence document against the log's public keys, offline."""
    if document.get("format") != EVIDENCE_FORMAT:
        return Check((f"not an evidence file (format must be {EVIDENCE_FORMAT})",))
    timeline = document.get("timeline")
    if not isinstance(timeline, Mapping):
        return Check(("the evidence has no timeline",))
    problems: list[str] = []
    filings: dict[str, Entry] = {}
    lines = timeline.get("lines", [])
    for line in lines:
        found, entry = _line_problems(line, keyring)
        problems.extend(found)
        if entry is not None and entry.type == "notice.filed":
            filings[entry.subject] = entry
    versions = timeline.get("versions", [])
    for version in versions:
        problems.extend(_version_problems(version, filings.get(str(version.get("notice")))))
    head = timeline.get("tree_head", {})
    facts = {
        "notice": document.get("notice"),
        "lines": len(lines),
        "versions": len(versions),
        "tree_size": head.get("tree_size"),
        "signed_at": head.get("timestamp"),
    }
    return Check(tuple(problems), facts)
