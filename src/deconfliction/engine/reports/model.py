"""What a daily report holds: figures, tables, the lead-time histogram, latency series; each
number with the indexes of the entries it counts (the JSON a report file carries)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from pydantic import Field

from deconfliction.engine.alerts import Record

__all__ = [
    "LEAD_TIME_BINS_S",
    "REPORT_FORMAT",
    "USED_TYPES",
    "Cell",
    "DailyReport",
    "Figure",
    "Histogram",
    "LatencySeries",
    "Row",
    "Table",
]

REPORT_FORMAT: Final = "deconfliction-daily-report/1"

USED_TYPES: Final = frozenset(
    {
        "party.recorded",
        "agreement.recorded",
        "line.recorded",
        "zone.recorded",
        "red_line.declared",
        "site.recorded",
        "notice.filed",
        "observation.filed",
        "alert.opened",
        "alert.updated",
        "alert.closed",
        "delivery.created",
        "delivery.read",
        "delivery.acknowledged",
        "delivery.escalated",
        "incident.reported",
        "incident.account",
    }
)
"""The entry types the report reads; every other entry is ignored (the server may leave them
out of its query: the result is the same)."""

LEAD_TIME_BINS_S: Final = (
    0.0,
    60.0,
    300.0,
    900.0,
    1800.0,
    3600.0,
    7200.0,
    21600.0,
    86400.0,
    172800.0,
)
"""Edges of the lead-time histogram: < 0 (filed after the start), then 0-1 min, 1-5 min, ...,
over 48 h."""

Cell = str | int | float | None


class Figure(Record):
    """One number of the report and the entries it counts (today and the day before)."""

    id: str
    label: str
    value: int | float
    previous: int | float | None = None
    entries: tuple[int, ...] = ()
    previous_entries: tuple[int, ...] = ()


class Row(Record):
    cells: tuple[Cell, ...]
    entries: tuple[int, ...]


class Table(Record):
    id: str
    title: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]


class Histogram(Record):
    id: str
    title: str
    edges_s: tuple[float, ...] = Field(
        description="Bin i counts lead times in [edges[i-1], edges[i]); bin 0 those below edges[0], the last those at or above edges[-1]."
    )
    counts: tuple[int, ...]
    entries: tuple[tuple[int, ...], ...]
    minimums: tuple[tuple[str, str, float], ...] = Field(
        description="(agreement, notice kind, agreed minimum lead time in seconds)."
    )


class LatencySeries(Record):
    """One party's acknowledgement latencies (seconds), sorted, for the CDF chart."""

    party: str
    latencies_s: tuple[float, ...]
    entries: tuple[int, ...]


class DailyReport(Record):
    date: str
    party: str | None
    period_start: str
    period_end: str
    previous_start: str
    summary: tuple[Figure, ...]
    tables: tuple[Table, ...]
    lead_times: Histogram
    latencies: tuple[LatencySeries, ...]
    violations_by_hour: tuple[Figure, ...]
    map_entries: tuple[int, ...] = Field(
        description=(
            "The entries drawn on the map: lines, zones, red lines, sites, the notices active "
            "in the day (their current versions), violations and red-line crossings."
        )
    )

    def every_figure(self) -> Iterable[tuple[str, tuple[int, ...]]]:
        """(figure id, entries) for every figure, row, bin and series (the report's annex)."""
        for f in self.summary:
            yield f.id, tuple(sorted({*f.entries, *f.previous_entries}))
        hours = {i for f in self.violations_by_hour for i in f.entries}
        yield "violations.by_hour", tuple(sorted(hours))
        for t in self.tables:
            yield t.id, tuple(sorted({i for r in t.rows for i in r.entries}))
        yield self.lead_times.id, tuple(sorted({i for b in self.lead_times.entries for i in b}))
        for s in self.latencies:
            yield f"latency.{s.party}", s.entries
        yield "map", self.map_entries
