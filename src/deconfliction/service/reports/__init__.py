"""The daily report: gathered from the entries a party may read, drawn, typeset.

:func:`daily_files` computes the report for a UTC day at a signed tree head (the newest, or
the one of a given size) from the entries the reader's party may read below it, and returns
every file of it: ``report.json`` (every figure with the entries it counts, and the head),
``report.html``, ``report.pdf`` and the SVG figures both of them show.  The same head gives
the same bytes.  ``deconflict verify report`` recomputes the JSON from a ledger export.
"""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from deconfliction.engine.errors import InvalidInput, NotFound
from deconfliction.engine.ledger.heads import TreeHead
from deconfliction.engine.reports.daily import USED_TYPES, DailyReport, Records, daily_report
from deconfliction.engine.reports.verify import report_document
from deconfliction.service.reading import Reader
from deconfliction.service.reports.charts import (
    ack_latency_chart,
    lead_time_chart,
    map_chart,
    violations_chart,
)
from deconfliction.service.reports.collector import collector_paused
from deconfliction.service.reports.document import build_document
from deconfliction.service.reports.jsontext import dumps_indented
from deconfliction.service.reports.typeset import to_html, to_pdf
from deconfliction.store import ledger as ledger_store
from deconfliction.store.readable import readable_entries

__all__ = [
    "FIGURE_FILES",
    "compute_daily",
    "daily_files",
    "daily_json",
    "report_head",
    "report_json",
]

FIGURE_FILES = {
    "map": "map.svg",
    "violations": "violations_by_hour.svg",
    "lead_times": "lead_times.svg",
    "latency": "ack_latency.svg",
}


def report_head(reader: Reader, tree_size: int | None) -> TreeHead:
    """The newest signed head, or the one of ``tree_size`` (refused when none was signed)."""
    if tree_size is None:
        head = ledger_store.latest_head(reader.connection)
        if head is None:
            raise NotFound("tree head", "latest")
        return head
    found = [h for h in ledger_store.heads(reader.connection) if h.tree_size == tree_size]
    if not found:
        raise InvalidInput.at(
            ("--tree-size",), f"no tree head of size {tree_size} was signed: give the size of one"
        )
    return found[0]


def compute_daily(
    reader: Reader, day: date, tree_size: int | None = None
) -> tuple[DailyReport, Records, TreeHead]:
    """The report of ``day`` as the reader's party may see it, at a signed head."""
    head = report_head(reader, tree_size)
    entries = readable_entries(reader.connection, reader.party, head.tree_size, USED_TYPES)
    report, records = daily_report(entries, day, reader.party)
    reader.show("report", day.isoformat(), None)
    return report, records, head


def report_json(report: DailyReport, head: TreeHead) -> bytes:
    """``report.json``: what ``deconflict verify report`` recomputes."""
    document = report_document(report, head)
    return (dumps_indented(document) + "\n").encode()


def daily_json(reader: Reader, day: date, tree_size: int | None = None) -> bytes:
    """The report's JSON alone (nothing drawn)."""
    with collector_paused():
        report, _, head = compute_daily(reader, day, tree_size)
        return report_json(report, head)


def daily_files(reader: Reader, day: date, tree_size: int | None = None) -> dict[str, bytes]:
    """Every file of the day's report, by name."""
    with collector_paused():
        return _files(reader, day, tree_size)


def _files(reader: Reader, day: date, tree_size: int | None) -> dict[str, bytes]:
    report, records, head = compute_daily(reader, day, tree_size)
    salt = head.root_hash.hex()
    files: dict[str, bytes] = {}
    drawn_map, drawn = map_chart(report, records, salt)
    files[FIGURE_FILES["map"]] = drawn_map
    files[FIGURE_FILES["violations"]] = violations_chart(report, salt)
    files[FIGURE_FILES["lead_times"]] = lead_time_chart(report.lead_times, salt)
    files[FIGURE_FILES["latency"]] = ack_latency_chart(report.latencies, salt)
    document = build_document(report, records, head, FIGURE_FILES, drawn)
    files["report.json"] = report_json(report, head)
    files["report.html"] = to_html(document)
    with tempfile.TemporaryDirectory(prefix="deconflict-report-") as scratch:
        root = Path(scratch)
        for name, content in files.items():
            if name.endswith(".svg"):
                (root / name).write_bytes(content)
        files["report.pdf"] = to_pdf(document, root)
    return files
