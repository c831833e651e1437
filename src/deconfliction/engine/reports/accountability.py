"""The daily report's accountability sections: the incidents of the day and the red lines
(what was declared, changed or withdrawn), from the same records as every other section."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from deconfliction.engine.reports.model import (
    Row,
    Table,
)
from deconfliction.engine.reports.reading import (
    Day,
    Records,
    km,
    opened,
)

__all__ = ["incident_ids", "incident_table", "red_line_table"]


def incident_ids(records: Records, day: Day) -> list[str]:
    return sorted(
        iid
        for iid, group in records.incidents.items()
        if day.holds(group[-1].event["incident"]["started_at"])
    )


def incident_table(records: Records, ids: Sequence[str]) -> Table:
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


def red_line_table(records: Records, today: Day) -> Table:
    rows = []
    red_lines = records.items["red_line"]
    for aid, (entry, alert) in sorted(
        opened(records, today, "red-line").items(), key=lambda kv: (kv[1][1]["raised_at"], kv[0])
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
                    km(alert["figures"].get("distance_m")),
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
