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

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from pydantic import Field

from deconfliction.engine.alerts import Record
from deconfliction.engine.ledger.entries import Entry
from deconfliction.engine.times import format_time, parse_utc
from deconfliction.engine.units import Duration

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


@dataclass
class Records:
    """The latest version of each item, and every alert and delivery, read from the entries
    (what the report counts, and what its map and tables draw)."""

    items: dict[str, dict[str, tuple[int, dict[str, Any]]]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    """kind -> id -> (entry index, item)."""
    alerts: dict[str, list[tuple[Entry, dict[str, Any]]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    deliveries: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    incidents: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    accounts: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    notices: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    observations: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    opened: list[tuple[datetime, Entry, dict[str, Any]]] = field(default_factory=list)
    """Each alert's first opening: its ``raised_at``, the entry, the alert."""

    @classmethod
    def read(cls, entries: Iterable[Entry]) -> Records:
        out = cls()
        for e in sorted(entries, key=lambda e: e.index):
            if e.type not in USED_TYPES:
                continue
            event = e.event
            if "item" in event:
                kind = event["kind"]
                out.items[kind][e.subject] = (e.index, event["item"])
                if kind == "notice":
                    out.notices.append((e.index, event["item"]))
                elif kind == "observation":
                    out.observations.append((e.index, event["item"]))
            elif "change" in event:
                change = event["change"]
                if change["action"] == "opened" and e.subject not in out.alerts:
                    alert = change["alert"]
                    out.opened.append((parse_utc(alert["raised_at"]), e, alert))
                out.alerts[e.subject].append((e, change))
            elif "delivery" in event:
                out.deliveries[e.subject].append(e)
            elif "incident" in event:
                out.incidents[e.subject].append(e)
            elif "account" in event:
                out.accounts[e.subject].append(e)
        return out

    def name(self, party: str) -> str:
        found = self.items["party"].get(party)
        return str(found[1]["name"]) if found else party


@dataclass(frozen=True, slots=True)
class _Day:
    start: datetime
    end: datetime

    def holds(self, text: str | None) -> bool:
        return text is not None and self.start <= parse_utc(text) < self.end


def _figure(fid: str, label: str, today: Sequence[int], before: Sequence[int]) -> Figure:
    return Figure(
        id=fid,
        label=label,
        value=len(today),
        previous=len(before),
        entries=tuple(sorted(today)),
        previous_entries=tuple(sorted(before)),
    )


def _opened(
    records: Records, day: _Day, kind: str | None = None
) -> dict[str, tuple[Entry, dict[str, Any]]]:
    """Alerts (of ``kind``) first opened with a ``raised_at`` in ``day``: id -> (entry, alert)."""
    return {
        e.subject: (e, alert)
        for raised, e, alert in records.opened
        if (kind is None or alert["kind"] == kind) and day.start <= raised < day.end
    }


def _km(metres: Any) -> str:
    return "" if metres is None else f"{float(metres) / 1000:.1f} km"


def _area_text(zone: dict[str, Any], lines: dict[str, tuple[int, dict[str, Any]]]) -> str:
    area = zone["area"]
    if area["type"] != "band":
        return "polygon"
    line = lines.get(area["line"])
    name = line[1]["name"] if line else area["line"]
    side = area.get("side", "both")
    where = f"either side of {name}" if side == "both" else f"{side} of {name}"
    return f"{area.get('from', '0 km')}–{area['to']} {where}"


def _percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile by the nearest-rank method (no interpolation: an observed value)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 1))
    return ordered[int(rank) - 1]


def daily_report(
    entries: Iterable[Entry], day: date, party: str | None
) -> tuple[DailyReport, Records]:
    """The report for UTC day ``day`` from ``entries`` (as ``party`` may read them; None for
    whoever runs the server), and the records it was read from (for drawing)."""
    records = Records.read(entries)
    today = _Day(
        datetime(day.year, day.month, day.day, tzinfo=UTC),
        datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1),
    )
    before = _Day(today.start - timedelta(days=1), today.start)

    summary = [*_notice_figures(records, today, before), *_alert_figures(records, today, before)]
    summary.extend(_delivery_figures(records, today, before))
    summary.append(
        _figure(
            "summary.observations",
            "Observations filed",
            [i for i, o in records.observations if today.holds(o["observed_at"])],
            [i for i, o in records.observations if before.holds(o["observed_at"])],
        )
    )
    incidents_today, incidents_before = (
        _incident_ids(records, today),
        _incident_ids(records, before),
    )
    summary.append(
        _figure(
            "summary.incidents",
            "Incidents that began",
            [records.incidents[i][-1].index for i in incidents_today],
            [records.incidents[i][-1].index for i in incidents_before],
        )
    )
    latencies, latency_table = _latencies(records, today)
    tables = (
        _violations_table(records, today, before),
        _late_table(records, today),
        latency_table,
        _undelivered_table(records, today),
        _incident_table(records, incidents_today),
        _red_line_table(records, today),
    )
    report = DailyReport(
        date=day.isoformat(),
        party=party,
        period_start=format_time(today.start),
        period_end=format_time(today.end),
        previous_start=format_time(before.start),
        summary=tuple(summary),
        tables=tables,
        lead_times=_lead_time_histogram(records, today),
        latencies=latencies,
        violations_by_hour=_violations_by_hour(records, today),
        map_entries=_map_entries(records, today),
    )
    return report, records


def _notice_figures(records: Records, today: _Day, before: _Day) -> list[Figure]:
    out = []
    for action, label in (
        ("new", "Notices filed"),
        ("replace", "Notices replaced"),
        ("cancel", "Notices cancelled"),
    ):
        pick = [(i, n) for i, n in records.notices if n.get("action", "new") == action]
        out.append(
            _figure(
                f"summary.notices_{action}",
                label,
                [i for i, n in pick if today.holds(n["filed_at"])],
                [i for i, n in pick if before.holds(n["filed_at"])],
            )
        )
    return out


_ALERT_LABELS: Final = (
    ("late-notice", "Late notices"),
    ("notice-overlap", "Overlapping notices"),
    ("protected-site", "Notices over protected sites"),
    ("zone-entry", "Notices entering zones"),
    ("zone-violation", "Zone violations observed"),
    ("red-line", "Red-line crossings (red lines the reader may see)"),
    ("site-duplicate", "Probable duplicate sites"),
)


def _alert_figures(records: Records, today: _Day, before: _Day) -> list[Figure]:
    out = []
    for kind, label in _ALERT_LABELS:
        now = _opened(records, today, kind)
        then = _opened(records, before, kind)
        out.append(
            _figure(
                f"summary.alerts.{kind}",
                label,
                [e.index for e, _ in now.values()],
                [e.index for e, _ in then.values()],
            )
        )
    return out


def _final(group: list[Entry]) -> dict[str, Any]:
    delivery: dict[str, Any] = group[-1].event["delivery"]
    return delivery


def _delivery_figures(records: Records, today: _Day, before: _Day) -> list[Figure]:
    def pick(day: _Day, test: Any) -> list[int]:
        return [
            group[0].index
            for group in records.deliveries.values()
            if day.holds(group[0].event["delivery"]["delivered_at"]) and test(group)
        ]

    def escalations(day: _Day) -> list[int]:
        return [
            e.index
            for group in records.deliveries.values()
            for e in group
            if e.type == "delivery.escalated" and day.holds(e.event["escalation"]["due_at"])
        ]

    def notice(group: list[Entry]) -> bool:
        return bool(group[0].event["delivery"]["item_type"] == "notice")

    def acked(group: list[Entry]) -> bool:
        return bool(_final(group)["status"] == "acknowledged")

    def undelivered(group: list[Entry]) -> bool:
        return bool(_final(group)["status"] == "undelivered")

    def waiting(group: list[Entry]) -> bool:
        final = _final(group)
        return final["deadline_at"] is not None and final["status"] in ("delivered", "read")

    return [
        _figure(
            "summary.deliveries",
            "Items delivered",
            pick(today, lambda g: True),
            pick(before, lambda g: True),
        ),
        _figure(
            "summary.deliveries.notices",
            "Notices delivered",
            pick(today, notice),
            pick(before, notice),
        ),
        _figure(
            "summary.deliveries.acknowledged",
            "Delivered and acknowledged (received)",
            pick(today, acked),
            pick(before, acked),
        ),
        _figure(
            "summary.deliveries.unacknowledged",
            "Acknowledgement due and not given",
            pick(today, waiting),
            pick(before, waiting),
        ),
        _figure(
            "summary.deliveries.undelivered",
            "Undelivered (recipient suspended or withdrawn)",
            pick(today, undelivered),
            pick(before, undelivered),
        ),
        _figure(
            "summary.escalations", "Escalation steps taken", escalations(today), escalations(before)
        ),
    ]


def _incident_ids(records: Records, day: _Day) -> list[str]:
    return sorted(
        iid
        for iid, group in records.incidents.items()
        if day.holds(group[-1].event["incident"]["started_at"])
    )


def _violations_table(records: Records, today: _Day, before: _Day) -> Table:
    zones = records.items["zone"]
    lines = records.items["line"]
    counts: dict[tuple[str, int], tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for slot, day in ((0, today), (1, before)):
        for _, (entry, alert) in _opened(records, day, "zone-violation").items():
            key = (str(alert["figures"].get("zone")), int(alert["figures"].get("rule", 0)))
            counts[key][slot].append(entry.index)
    rows = []
    for (zid, rule), (now, then) in sorted(counts.items()):
        zone = zones.get(zid)
        name = zone[1]["name"] if zone else zid
        area = _area_text(zone[1], lines) if zone else ""
        cited = [*now, *then, *([zone[0]] if zone else [])]
        rows.append(
            Row(cells=(zid, name, area, rule, len(now), len(then)), entries=tuple(sorted(cited)))
        )
    return Table(
        id="violations.by_zone",
        title="Zone violations by zone and band",
        columns=("zone", "name", "area", "rule", "today", "day before"),
        rows=tuple(rows),
    )


def _late_table(records: Records, today: _Day) -> Table:
    notices = records.items["notice"]
    rows = []
    for _, (entry, alert) in sorted(
        _opened(records, today, "late-notice").items(),
        key=lambda kv: (kv[1][1]["raised_at"], kv[0]),
    ):
        nid = alert["subjects"][0]
        notice = notices.get(nid)
        figures = alert["figures"]
        cited = [entry.index, *([notice[0]] if notice else [])]
        rows.append(
            Row(
                cells=(
                    nid,
                    notice[1]["author"] if notice else "",
                    notice[1]["kind"] if notice else "",
                    figures.get("filed_at"),
                    figures.get("starts_at"),
                    figures.get("lead_time_s"),
                    figures.get("required_lead_time_s"),
                    figures.get("shortfall_s"),
                ),
                entries=tuple(sorted(cited)),
            )
        )
    return Table(
        id="late.notices",
        title="Late notices",
        columns=(
            "notice",
            "author",
            "kind",
            "filed",
            "starts",
            "lead time (s)",
            "agreed minimum (s)",
            "short by (s)",
        ),
        rows=tuple(rows),
    )


def _lead_time_histogram(records: Records, today: _Day) -> Histogram:
    edges = LEAD_TIME_BINS_S
    bins: list[list[int]] = [[] for _ in range(len(edges) + 1)]
    for index, notice in records.notices:
        if notice.get("action", "new") == "cancel" or not today.holds(notice["filed_at"]):
            continue
        start = min(parse_utc(v["window"]["start"]) for v in notice["volumes"])
        lead = (start - parse_utc(notice["filed_at"])).total_seconds()
        slot = sum(1 for edge in edges if lead >= edge)
        bins[slot].append(index)
    minimums = sorted(
        (aid, kind, Duration.parse(text).seconds)
        for aid, (_, agreement) in records.items["agreement"].items()
        if not agreement.get("ended")
        for kind, text in agreement.get("lead_times", {}).items()
    )
    return Histogram(
        id="late.lead_times",
        title="Lead time of the notices filed (filing to the start of operations)",
        edges_s=edges,
        counts=tuple(len(b) for b in bins),
        entries=tuple(tuple(sorted(b)) for b in bins),
        minimums=tuple(minimums),
    )


def _latencies(records: Records, today: _Day) -> tuple[tuple[LatencySeries, ...], Table]:
    by_party: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "due": [],
            "acked": [],
            "latency": [],
            "open": [],
            "steps": [],
            "monitors": [],
            "unacknowledged": 0,
        }
    )
    for group in records.deliveries.values():
        first = group[0].event["delivery"]
        if not today.holds(first["delivered_at"]) or first["deadline_at"] is None:
            continue
        final = _final(group)
        row = by_party[final["recipient"]]
        cited = [e.index for e in group]
        row["due"].append(group[0].index)
        if final["status"] == "acknowledged":
            row["acked"].extend(cited)
            latency = (
                parse_utc(final["acknowledged_at"]) - parse_utc(final["delivered_at"])
            ).total_seconds()
            row["latency"].append((latency, cited))
        elif final["status"] in ("delivered", "read"):
            row["open"].extend(cited)
            row["unacknowledged"] += 1
        for e in group:
            if e.type == "delivery.escalated":
                row["steps"].append(e.index)
                if e.event["escalation"].get("to_monitors"):
                    row["monitors"].append(e.index)
    series = []
    rows = []
    for party in sorted(by_party):
        row = by_party[party]
        values = sorted(v for v, _ in row["latency"])
        cited = sorted({i for _, c in row["latency"] for i in c})
        series.append(LatencySeries(party=party, latencies_s=tuple(values), entries=tuple(cited)))
        everything = sorted({*row["due"], *row["acked"], *row["open"], *row["steps"]})
        rows.append(
            Row(
                cells=(
                    party,
                    len(row["due"]),
                    len(values),
                    statistics.median(values) if values else None,
                    _percentile(values, 0.9) if values else None,
                    max(values) if values else None,
                    row["unacknowledged"],
                    len(row["steps"]),
                    len(row["monitors"]),
                ),
                entries=tuple(everything),
            )
        )
    table = Table(
        id="acknowledgement.by_party",
        title="Acknowledgement latency and escalations by recipient",
        columns=(
            "party",
            "due",
            "acknowledged",
            "median (s)",
            "90th percentile (s)",
            "longest (s)",
            "not acknowledged",
            "escalation steps",
            "to monitors",
        ),
        rows=tuple(rows),
    )
    return tuple(series), table


def _undelivered_table(records: Records, today: _Day) -> Table:
    rows = []
    for _, group in sorted(records.deliveries.items()):
        first = group[0].event["delivery"]
        if first["status"] != "undelivered" or not today.holds(first["delivered_at"]):
            continue
        rows.append(
            Row(
                cells=(
                    first["item_type"],
                    first["item_id"],
                    first["recipient"],
                    first["delivered_at"],
                    first.get("note", ""),
                ),
                entries=tuple(e.index for e in group),
            )
        )
    return Table(
        id="undelivered",
        title="Undelivered items",
        columns=("item", "id", "recipient", "at", "why"),
        rows=tuple(rows),
    )


def _incident_table(records: Records, ids: Sequence[str]) -> Table:
    rows = []
    for iid in ids:
        group = records.incidents[iid]
        incident = group[-1].event["incident"]
        accounts = records.accounts.get(iid, [])
        current: dict[str, dict[str, Any]] = {}
        for e in accounts:
            account = e.event["account"]
            current[account["party"]] = account
        disputed = sorted(
            {
                p["fact"]
                for a in current.values()
                for p in a.get("positions", [])
                if p["stance"] == "disputes"
            }
        )
        if disputed:
            status = "disputed: " + ", ".join(disputed)
        elif current:
            status = "accounts given"
        else:
            status = "reported"
        rows.append(
            Row(
                cells=(
                    iid,
                    incident["kind"],
                    incident["started_at"],
                    incident["title"],
                    incident["reported_by"],
                    incident["version"],
                    ", ".join(sorted(current)),
                    status,
                ),
                entries=tuple(sorted({*(e.index for e in group), *(e.index for e in accounts)})),
            )
        )
    return Table(
        id="incidents",
        title="Incidents and their status",
        columns=(
            "incident",
            "kind",
            "began",
            "title",
            "reported by",
            "version",
            "accounts from",
            "status",
        ),
        rows=tuple(rows),
    )


def _red_line_table(records: Records, today: _Day) -> Table:
    rows = []
    red_lines = records.items["red_line"]
    for aid, (entry, alert) in sorted(
        _opened(records, today, "red-line").items(), key=lambda kv: (kv[1][1]["raised_at"], kv[0])
    ):
        rid = str(alert["figures"].get("red_line"))
        declared = red_lines.get(rid)
        cited = [entry.index, *([declared[0]] if declared else [])]
        rows.append(
            Row(
                cells=(
                    aid,
                    rid,
                    alert["figures"].get("declared_by"),
                    alert["raised_at"],
                    ", ".join(alert["subjects"][1:]),
                    _km(alert["figures"].get("distance_m")),
                ),
                entries=tuple(sorted(cited)),
            )
        )
    return Table(
        id="red_lines.crossings",
        title="Red-line crossings (only red lines the reader may see)",
        columns=(
            "alert",
            "red line",
            "declared by",
            "observed",
            "observations",
            "distance from its line",
        ),
        rows=tuple(rows),
    )


def _violations_by_hour(records: Records, today: _Day) -> tuple[Figure, ...]:
    hours: list[list[int]] = [[] for _ in range(24)]
    for _, (entry, alert) in _opened(records, today, "zone-violation").items():
        hours[parse_utc(alert["raised_at"]).hour].append(entry.index)
    return tuple(
        Figure(
            id=f"violations.hour.{h:02d}",
            label=f"{h:02d}:00-{h:02d}:59",
            value=len(found),
            entries=tuple(sorted(found)),
        )
        for h, found in enumerate(hours)
    )


def _map_entries(records: Records, today: _Day) -> tuple[int, ...]:
    drawn = [
        i for kind in ("line", "zone", "red_line", "site") for i, _ in records.items[kind].values()
    ]
    superseded = {n["replaces"] for _, n in records.notices if n.get("replaces")}
    drawn += [
        i
        for i, n in records.notices
        if n["id"] not in superseded
        and any(
            parse_utc(v["window"]["start"]) < today.end
            and today.start < parse_utc(v["window"]["end"])
            for v in n.get("volumes", [])
        )
    ]
    drawn += [e.index for e, _ in _opened(records, today, "zone-violation").values()]
    drawn += [e.index for e, _ in _opened(records, today, "red-line").values()]
    return tuple(sorted(set(drawn)))
