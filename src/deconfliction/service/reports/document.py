"""The daily report as a document: written once, typeset twice (HTML and PDF).

Every number the document shows comes from the computed report
(:class:`~deconfliction.engine.reports.daily.DailyReport`) and links to its source in the
annex, which lists the ledger entries it counts.  Long tables show their first rows; the JSON
holds every row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from deconfliction.engine.ledger.heads import TreeHead
from deconfliction.engine.reports.daily import DailyReport, Figure, Records, Table
from deconfliction.engine.times import format_time
from deconfliction.engine.units import format_duration
from deconfliction.service.reports.charts import MapCounts

__all__ = [
    "Annex",
    "Document",
    "FigureBlock",
    "Paragraph",
    "Section",
    "SummaryRow",
    "TableBlock",
    "build_document",
    "ranges",
]

MAX_ROWS = 40
"""Rows of a table shown in HTML and PDF (the JSON holds every row)."""
MAX_RANGES = 80
"""Ranges of entry indexes listed per source in the annex (the JSON holds every index)."""


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str


@dataclass(frozen=True, slots=True)
class TableBlock:
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    source: str
    more: int = 0
    """Rows not shown."""


@dataclass(frozen=True, slots=True)
class FigureBlock:
    file: str
    caption: str
    source: str


@dataclass(frozen=True, slots=True)
class SummaryRow:
    label: str
    value: str
    previous: str
    change: str
    source: str


Block = Paragraph | TableBlock | FigureBlock


@dataclass(frozen=True, slots=True)
class Section:
    title: str
    anchor: str
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Annex:
    source: str
    label: str
    listed: str
    count: int


@dataclass(frozen=True)
class Document:
    title: str
    subtitle: tuple[str, ...]
    summary: tuple[SummaryRow, ...]
    sections: tuple[Section, ...]
    annex: tuple[Annex, ...]
    check: tuple[str, ...] = field(default=())


def ranges(indexes: Sequence[int], limit: int = MAX_RANGES) -> str:
    """Entry indexes as ranges.

    >>> ranges([1, 2, 3, 7, 9, 10])
    '1–3, 7, 9–10'
    >>> ranges([1, 3, 5], limit=2)
    '1, 3, … (3 entries in all)'
    """
    if not indexes:
        return "none"
    parts: list[str] = []
    ordered = sorted(indexes)
    start = prev = ordered[0]
    for i in [*ordered[1:], None]:
        if i is not None and i == prev + 1:
            prev = i
            continue
        parts.append(str(start) if start == prev else f"{start}–{prev}")
        if i is not None:
            start = prev = i
    if len(parts) > limit:
        return ", ".join(parts[:limit]) + f", … ({len(ordered)} entries in all)"
    return ", ".join(parts)


def source_id(figure_id: str) -> str:
    """An anchor for a figure's source in the annex (letters, digits, - . _ only)."""
    return "src-" + "".join(c if c.isalnum() or c in "-._" else "-" for c in figure_id)


_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(:\d{2})\.(\d{6})Z$")


def _cell(column: str, value: object) -> str:
    """A table cell as read: durations in words, times to the second.

    >>> _cell("lead time (s)", 50.0), _cell("filed", "2026-11-24T09:59:10.000000Z")
    ('50 s', '2026-11-24 09:59:10Z')
    """
    if value is None:
        return "–"
    if isinstance(value, str) and (match := _TIME.match(value)):
        day, minute, second, _ = match.groups()
        return f"{day} {minute}{'' if second == ':00' else second}Z"
    if isinstance(value, float | int) and not isinstance(value, bool) and column.endswith("(s)"):
        sign = "−" if value < 0 else ""
        return sign + format_duration(abs(float(value)))
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _table(table: Table) -> TableBlock:
    shown = table.rows[:MAX_ROWS]
    return TableBlock(
        columns=tuple(c.replace(" (s)", "") for c in table.columns),
        rows=tuple(
            tuple(_cell(col, value) for col, value in zip(table.columns, row.cells, strict=True))
            for row in shown
        ),
        source=source_id(table.id),
        more=len(table.rows) - len(shown),
    )


def _change(f: Figure) -> str:
    if f.previous is None:
        return ""
    delta = f.value - f.previous
    if f.previous == 0:
        return "new" if f.value else "="
    return f"{delta:+g} ({delta / f.previous:+.0%})"


def _tables(report: DailyReport) -> dict[str, Table]:
    return {t.id: t for t in report.tables}


def build_document(
    report: DailyReport,
    records: Records,
    head: TreeHead,
    figures: dict[str, str],
    drawn: MapCounts,
) -> Document:
    """The document for ``report`` (``figures``: figure id -> file name)."""
    day = date.fromisoformat(report.date)
    reader = (
        f"for {records.name(report.party)} ({report.party}): only what it may read"
        if report.party
        else "for whoever runs the server: the whole record"
    )
    subtitle = (
        f"{format_time_text(report.period_start)} to {format_time_text(report.period_end)}, "
        f"against the day before; {reader}.",
        f"Computed from the signed ledger at the tree head of size {head.tree_size} "
        f"(root {head.root_hash.hex()[:16]}…, signed {format_time(head.timestamp)} by key "
        f"{head.key_id}).",
        "Every figure links to the ledger entries it counts (annex).  Notices are "
        "notifications, never requests: this report states what was notified, received and "
        "observed, nothing more; red lines are watched, never enforced.",
    )
    summary = tuple(
        SummaryRow(
            f.label,
            f"{f.value:g}",
            "" if f.previous is None else f"{f.previous:g}",
            _change(f),
            source_id(f.id),
        )
        for f in report.summary
    )
    tables = _tables(report)
    left = (
        f"  {drawn.notices_left_out} further notices active in the day are not drawn."
        if drawn.notices_left_out
        else ""
    )
    for kind, what in (("zone-violation", "zone violations"), ("red-line", "red-line crossings")):
        marked, of = drawn.observed.get(kind, (0, 0))
        if marked < of:
            left += (
                f"  {marked:,} of the {of:,} observations in {what} are marked (an even "
                "sample); the figures count every one."
            )
    sections = (
        Section(
            "Zone violations by zone and band",
            "violations",
            (
                FigureBlock(
                    figures["map"],
                    "Lines (black), zone bands (yellow), red lines the reader may see (red "
                    "dashes), protected sites (green +), notices active in the day (blue), zone "
                    "violations (purple ×) and red-line crossings (red X)." + left,
                    source_id("map"),
                ),
                _table(tables["violations.by_zone"]),
                FigureBlock(
                    figures["violations"],
                    "Zone violations observed, by hour (UTC).",
                    source_id("violations.by_hour"),
                ),
            ),
        ),
        Section(
            "Late notices and lead times",
            "late",
            (
                _table(tables["late.notices"]),
                FigureBlock(
                    figures["lead_times"],
                    "Lead time of every notice filed in the day, against the minimums the agreements set.",
                    source_id("late.lead_times"),
                ),
            ),
        ),
        Section(
            "Acknowledgement and escalation by party",
            "acknowledgement",
            (
                Paragraph(
                    'An acknowledgement means "received", nothing more.  Latency runs from delivery to acknowledgement; escalation steps call the next duty contact, then the monitors.'
                ),
                _table(tables["acknowledgement.by_party"]),
                FigureBlock(
                    figures["latency"],
                    "Share of deliveries acknowledged within a given time, per recipient.",
                    source_id("acknowledgement.by_party"),
                ),
            ),
        ),
        Section("Undelivered items", "undelivered", (_table(tables["undelivered"]),)),
        Section(
            "Incidents and their status",
            "incidents",
            (
                Paragraph(
                    "Each party's account stands beside the others; a disputed fact is shown as disputed, never settled here."
                ),
                _table(tables["incidents"]),
            ),
        ),
        Section(
            "Red-line crossings",
            "red-lines",
            (
                Paragraph(
                    "Red lines are declared by one party for itself and watched on observations; they bind nobody and are never applied to notices.  Only red lines the reader may see appear."
                ),
                _table(tables["red_lines.crossings"]),
            ),
        ),
    )
    labels = {f.id: f.label for f in report.summary}
    labels["violations.by_hour"] = "Zone violations observed, by hour"
    labels |= {t.id: t.title for t in report.tables}
    labels[report.lead_times.id] = report.lead_times.title
    labels["map"] = "The map"
    labels |= {
        f"latency.{s.party}": f"Acknowledgement latency of {s.party}" for s in report.latencies
    }
    annex = tuple(
        Annex(source_id(fid), labels.get(fid, fid), ranges(entries), len(entries))
        for fid, entries in report.every_figure()
    )
    party = f" --party {report.party}" if report.party else ""
    check = (
        f"deconflict ledger export{party} --out export.txt",
        "deconflict verify report report.json --export export.txt --key ledger-keys.json",
    )
    title = f"Daily report, {day.day} {day.strftime('%B %Y')} (UTC)"
    return Document(title, subtitle, summary, sections, annex, check)


def format_time_text(text: str) -> str:
    """'2026-11-24T00:00:00.000000Z' as '2026-11-24 00:00Z'."""
    return text[:10] + " " + text[11:16] + "Z"


def texts(document: Document) -> Iterable[str]:
    """Every piece of text the document shows (for the test that no word of permission
    appears)."""
    yield document.title
    yield from document.subtitle
    for row in document.summary:
        yield row.label
    for section in document.sections:
        yield section.title
        for block in section.blocks:
            if isinstance(block, Paragraph):
                yield block.text
            elif isinstance(block, FigureBlock):
                yield block.caption
            else:
                yield from block.columns
                for cells in block.rows:
                    yield from cells
