"""The daily report, computed from ledger entries alone.

:func:`daily_report` takes the entries a party may read up to a signed tree head, and a UTC
day, and returns every figure of the day's report -- each with the indexes of the entries it
counts -- as a monitoring mission publishes it: a summary with counts against the previous
day; zone violations by zone and band; late notices and the distribution of lead times against
the agreed minimum; acknowledgement latency and escalations by party; undelivered notices;
incidents and their status; red-line crossings.

The server computes the report with this function; ``deconflict verify report`` recomputes it
with the same function from a ledger export, offline, and compares every number.  Nothing
here reads a clock: a record's own time places it in a day (a notice's ``filed_at``, an alert's
``raised_at``, a delivery's ``delivered_at``, an escalation step's ``due_at``, an observation's
``observed_at``, an incident's ``started_at``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta

from deconfliction.engine.ledger.entries import Entry
from deconfliction.engine.reports import accountability, sections
from deconfliction.engine.reports.model import (
    REPORT_FORMAT,
    USED_TYPES,
    DailyReport,
    Figure,
    Histogram,
    LatencySeries,
    Row,
    Table,
)
from deconfliction.engine.reports.reading import Day, Records, count
from deconfliction.engine.times import format_time

__all__ = [
    "REPORT_FORMAT",
    "USED_TYPES",
    "DailyReport",
    "Figure",
    "Histogram",
    "LatencySeries",
    "Records",
    "Row",
    "Table",
    "daily_report",
]


def daily_report(
    entries: Iterable[Entry], day: date, party: str | None
) -> tuple[DailyReport, Records]:
    """The report for UTC day ``day`` from ``entries`` (as ``party`` may read them; None for
    whoever runs the server), and the records it was read from (for drawing)."""
    records = Records.read(entries)
    today = Day(
        datetime(day.year, day.month, day.day, tzinfo=UTC),
        datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1),
    )
    before = Day(today.start - timedelta(days=1), today.start)

    summary = [
        *sections.notice_figures(records, today, before),
        *sections.alert_figures(records, today, before),
    ]
    summary.extend(sections.delivery_figures(records, today, before))
    summary.append(
        count(
            "summary.observations",
            "Observations filed",
            [i for i, o in records.observations if today.holds(o["observed_at"])],
            [i for i, o in records.observations if before.holds(o["observed_at"])],
        )
    )
    incidents_today, incidents_before = (
        accountability.incident_ids(records, today),
        accountability.incident_ids(records, before),
    )
    summary.append(
        count(
            "summary.incidents",
            "Incidents that began",
            [records.incidents[i][-1].index for i in incidents_today],
            [records.incidents[i][-1].index for i in incidents_before],
        )
    )
    latencies, latency_table = sections.latencies(records, today)
    tables = (
        sections.violations_table(records, today, before),
        sections.late_table(records, today),
        latency_table,
        sections.undelivered_table(records, today),
        accountability.incident_table(records, incidents_today),
        accountability.red_line_table(records, today),
    )
    report = DailyReport(
        date=day.isoformat(),
        party=party,
        period_start=format_time(today.start),
        period_end=format_time(today.end),
        previous_start=format_time(before.start),
        summary=tuple(summary),
        tables=tables,
        lead_times=sections.lead_time_histogram(records, today),
        latencies=latencies,
        violations_by_hour=sections.violations_by_hour(records, today),
        map_entries=sections.map_entries(records, today),
    )
    return report, records
