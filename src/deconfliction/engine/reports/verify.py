"""Checking a daily report against a ledger export, offline.

A report file (JSON) holds the report, the signed tree head it was computed at, and the party
it was computed for.  :func:`verify_report` takes the export of that party's view of the log
(``deconflict ledger export --party P``, or ``GET /v1/ledger/export``), rebuilds the tree from
its leaves, requires the report's head to be one of the export's signed heads with the same
root, recomputes every figure from the export's readable entries below it with the same
function the server used (:func:`.daily.daily_report`), and names the first difference.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, Final

from deconfliction.engine.differences import first_difference
from deconfliction.engine.ledger.entries import Entry, parse_entries
from deconfliction.engine.ledger.heads import Keyring, TreeHead
from deconfliction.engine.ledger.merkle import MerkleTree, leaf_hash
from deconfliction.engine.ledger.receipts import Check
from deconfliction.engine.ledger.verify import read_header
from deconfliction.engine.reports.daily import REPORT_FORMAT, USED_TYPES, DailyReport, daily_report

__all__ = ["report_document", "verify_report"]

_TYPE_MARK: Final = b',"type":"'
_BATCH: Final = 10_000
"""Entries read with one decoder call."""


def report_document(report: DailyReport, head: TreeHead) -> dict[str, Any]:
    """The report file: the format, the signed head it was computed at, the report."""
    return {
        "format": REPORT_FORMAT,
        "tree_head": head.to_dict(),
        "report": report.model_dump(mode="json"),
    }


def _fail(problem: str, facts: dict[str, Any]) -> Check:
    return Check((problem,), facts)


def _type_of(entry: bytes) -> str:
    """An entry's type, read off its canonical bytes (its last member)."""
    mark = entry.rfind(_TYPE_MARK)
    return "" if mark < 0 else entry[mark + len(_TYPE_MARK) : -2].decode("utf-8", "replace")


def verify_report(
    document: Mapping[str, Any], export: Iterable[bytes], keyring: Keyring | None = None
) -> Check:
    """Recompute a report from an export and compare; the first difference found."""
    if document.get("format") != REPORT_FORMAT:
        return Check((f"not a daily report (format must be {REPORT_FORMAT})",))
    try:
        head = TreeHead.from_dict(document["tree_head"])
        stated = document["report"]
        day = date.fromisoformat(stated["date"])
        party = stated["party"]
    except (KeyError, TypeError, ValueError) as exc:
        return Check((f"the report is not readable: {exc}",))
    facts: dict[str, Any] = {"date": day.isoformat(), "party": party, "tree_size": head.tree_size}
    if keyring is not None and not keyring.verify(head):
        return _fail(
            f"tree head of size {head.tree_size}: not signed by any of the keys given", facts
        )
    lines = iter(export)
    try:
        header = read_header(next(lines))
    except (StopIteration, KeyError, TypeError, ValueError) as exc:
        return _fail(f"the export is not readable: {exc}", facts)
    if header.party != party:
        return _fail(
            f"the export is {header.party or 'the operator'}'s view of the log and the report "
            f"{party or 'the operator'}'s: export the same party's view",
            facts,
        )
    if not any(h == head for h in header.heads):
        return _fail(
            f"tree head of size {head.tree_size}: not among the export's signed heads (export "
            "the log again, after the report was made)",
            facts,
        )
    tree = MerkleTree()
    entries: list[Entry] = []
    batch: list[bytes] = []
    for raw in lines:
        line = raw.rstrip(b"\r\n")
        if not line:
            continue
        index_text, hash_text, entry = line.split(b"\t", 2)
        index = int(index_text)
        if index >= head.tree_size:
            break
        leaf = bytes.fromhex(hash_text.decode("ascii"))
        if entry and leaf_hash(entry) != leaf:
            return _fail(f"entry {index}: its content does not match its leaf hash", facts)
        tree.append(leaf)
        if entry and _type_of(entry) in USED_TYPES:
            batch.append(entry)
            if len(batch) == _BATCH:
                entries.extend(parse_entries(batch))
                batch.clear()
    entries.extend(parse_entries(batch))
    if len(tree) != head.tree_size or tree.root() != head.root_hash:
        return _fail(
            f"tree head of size {head.tree_size}: the export's entries do not produce its root",
            facts,
        )
    recomputed, _ = daily_report(entries, day, party)
    facts["entries_read"] = len(entries)
    difference = first_difference(
        stated, json.loads(recomputed.model_dump_json()), "report", who="the report"
    )
    if difference:
        return _fail(difference, facts)
    facts["figures_recomputed"] = sum(1 for _ in recomputed.every_figure())
    return Check((), facts)
