"""The sections of the daily report, each computed from the records of the day (and the day
before): the summary's figures, the tables, the histogram, the latencies, the map's entries."""

from __future__ import annotations

import statistics
from collections import defaultdict
from typing import Any, Final

from deconfliction.engine.ledger.entries import Entry
from deconfliction.engine.reports.model import (
    LEAD_TIME_BINS_S,
    Figure,
    Histogram,
    LatencySeries,
    Row,
    Table,
)
from deconfliction.engine.reports.reading import (
    Day,
    Records,
    area_text,
    count,
    opened,
    percentile,
)
from deconfliction.engine.times import parse_utc
from deconfliction.engine.units import Duration

__all__ = [
    "alert_figures",
    "delivery_figures",
    "late_table",
    "latencies",
    "lead_time_histogram",
    "map_entries",
    "notice_figures",
    "undelivered_table",
    "violations_by_hour",
    "violations_table",
]


def notice_figures(records: Records, today: Day, before: Day) -> list[Figure]:
    out = []
    for action, label in (
        ("new", "Notices filed"),
        ("replace", "Notices replaced"),
        ("cancel", "Notices cancelled"),
    ):
        pick = [(i, n) for i, n in records.notices if n.get("action", "new") == action]
        out.append(
            count(
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
    ("track-conflict", "Predicted conflicts between aircraft (live tracks)"),
    ("track-outside-volume", "Aircraft away from every volume of their notice"),
    ("track-outside-band", "Aircraft outside their notice's altitude band"),
    ("track-before-window", "Aircraft in a notified volume before its window"),
    ("track-overrun", "Aircraft in a notified volume after its window"),
    ("track-unnotified", "Aircraft airborne with no notice of their party"),
    ("cannot-clear", "Aircraft given too little time to clear a notified volume"),
)
"""Every alert kind, in the summary's order (a test checks none is missing)."""


def alert_figures(records: Records, today: Day, before: Day) -> list[Figure]:
    out = []
    for kind, label in _ALERT_LABELS:
        now = opened(records, today, kind)
        then = opened(records, before, kind)
        out.append(
            count(
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


def delivery_figures(records: Records, today: Day, before: Day) -> list[Figure]:
    # One pass sorts the deliveries into the two days (each figure then filters its day's).
    delivered: tuple[list[list[Entry]], list[list[Entry]]] = ([], [])
    steps: tuple[list[int], list[int]] = ([], [])
    for group in records.deliveries.values():
        at = group[0].event["delivery"]["delivered_at"]
        if today.holds(at):
            delivered[0].append(group)
        elif before.holds(at):
            delivered[1].append(group)
        for e in group:
            if e.type == "delivery.escalated":
                due = e.event["escalation"]["due_at"]
                if today.holds(due):
                    steps[0].append(e.index)
                elif before.holds(due):
                    steps[1].append(e.index)

    def pick(slot: int, test: Any) -> list[int]:
        return [group[0].index for group in delivered[slot] if test(group)]

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
        count(
            "summary.deliveries",
            "Items delivered",
            pick(0, lambda g: True),
            pick(1, lambda g: True),
        ),
        count(
            "summary.deliveries.notices",
            "Notices delivered",
            pick(0, notice),
            pick(1, notice),
        ),
        count(
            "summary.deliveries.acknowledged",
            "Delivered and acknowledged (received)",
            pick(0, acked),
            pick(1, acked),
        ),
        count(
            "summary.deliveries.unacknowledged",
            "Acknowledgement due and not given",
            pick(0, waiting),
            pick(1, waiting),
        ),
        count(
            "summary.deliveries.undelivered",
            "Undelivered (recipient suspended or withdrawn)",
            pick(0, undelivered),
            pick(1, undelivered),
        ),
        count("summary.escalations", "Escalation steps taken", steps[0], steps[1]),
    ]


def violations_table(records: Records, today: Day, before: Day) -> Table:
    zones = records.items["zone"]
    lines = records.items["line"]
    counts: dict[tuple[str, int], tuple[list[int], list[int]]] = defaultdict(lambda: ([], []))
    for slot, day in ((0, today), (1, before)):
        for _, (entry, alert) in opened(records, day, "zone-violation").items():
            key = (str(alert["figures"].get("zone")), int(alert["figures"].get("rule", 0)))
            counts[key][slot].append(entry.index)
    rows = []
    for (zid, rule), (now, then) in sorted(counts.items()):
        zone = zones.get(zid)
        name = zone[1]["name"] if zone else zid
        area = area_text(zone[1], lines) if zone else ""
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


def late_table(records: Records, today: Day) -> Table:
    notices = records.items["notice"]
    rows = []
    for _, (entry, alert) in sorted(
        opened(records, today, "late-notice").items(),
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


def lead_time_histogram(records: Records, today: Day) -> Histogram:
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


def latencies(records: Records, today: Day) -> tuple[tuple[LatencySeries, ...], Table]:
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
                    percentile(values, 0.9) if values else None,
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


def undelivered_table(records: Records, today: Day) -> Table:
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


def violations_by_hour(records: Records, today: Day) -> tuple[Figure, ...]:
    hours: list[list[int]] = [[] for _ in range(24)]
    for _, (entry, alert) in opened(records, today, "zone-violation").items():
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


def map_entries(records: Records, today: Day) -> tuple[int, ...]:
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
    drawn += [e.index for e, _ in opened(records, today, "zone-violation").values()]
    drawn += [e.index for e, _ in opened(records, today, "red-line").values()]
    return tuple(sorted(set(drawn)))
