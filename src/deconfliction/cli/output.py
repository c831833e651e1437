"""How alerts and reports look on a terminal."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from deconfliction.engine.alerts import Alert

__all__ = ["alerts_table", "summary"]


def alerts_table(alerts: Sequence[Alert], title: str) -> Table:
    table = Table(title=title, show_lines=True, expand=True)
    table.add_column("Alert", ratio=2, overflow="fold")
    table.add_column("Parties", ratio=1, overflow="fold")
    table.add_column("Subjects", ratio=2, overflow="fold")
    table.add_column("Explanation", ratio=6)
    for alert in alerts:
        explanation = alert.explanation
        if alert.closed_reason and alert.closed_at:
            explanation += f"\n[closed {alert.closed_at:%Y-%m-%d %H:%M}Z: {alert.closed_reason}]"
        table.add_row(
            f"{alert.kind.value}\n{alert.status.value}\n{alert.raised_at:%Y-%m-%d %H:%M:%S}Z",
            "\n".join(alert.parties),
            "\n".join(alert.subjects),
            explanation,
        )
    return table


def summary(alerts: Sequence[Alert]) -> dict[str, object]:
    by_kind = Counter(a.kind.value for a in alerts)
    by_status = Counter(a.status.value for a in alerts)
    return {
        "alerts": len(alerts),
        "open": by_status.get("open", 0),
        "closed": by_status.get("closed", 0),
        "by_kind": dict(sorted(by_kind.items())),
    }


def print_summary(console: Console, alerts: Sequence[Alert]) -> None:
    facts = summary(alerts)
    kinds = ", ".join(f"{k} {n}" for k, n in facts["by_kind"].items())  # type: ignore[attr-defined]
    console.print(
        f"{facts['alerts']} alerts ({facts['open']} open, {facts['closed']} closed): {kinds}"
    )
