"""Loading a scenario into the record."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from deconfliction.engine.model import Limits
from deconfliction.engine.scenario import Scenario, ordered_items
from deconfliction.service.coordinator import Coordinator, Recorded
from deconfliction.service.filing import file

__all__ = ["LoadReport", "load_scenario"]


@dataclass(frozen=True, slots=True)
class LoadReport:
    """What a load recorded: items new and unchanged per kind, and alert changes per action."""

    recorded: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    alert_changes: Counter[str] = field(default_factory=Counter)

    def to_dict(self) -> dict[str, dict[str, int]]:
        return {
            "recorded": dict(self.recorded),
            "unchanged": dict(self.unchanged),
            "alert_changes": dict(self.alert_changes),
        }


def load_scenario(
    coordinator: Coordinator,
    scenario: Scenario,
    progress: Callable[[int], None] | None = None,
    *,
    limits: Limits | None = None,
) -> LoadReport:
    """Record every item of ``scenario`` in the order it happened, in one transaction.

    Notices and the alerts they raise are delivered to the parties' inboxes as they are
    recorded.  Loading the same scenario twice records nothing the second time.  On any error
    nothing is recorded, and the error names the item's place in the document.  Every item
    not recorded yet is new input, held to ``limits``.
    """
    rows = ordered_items(scenario)
    results: list[Recorded] = []
    with coordinator.transaction() as tx:
        for n, (section, index, item) in enumerate(rows, start=1):
            results.append(file(tx, item, (section, index), limits).recorded)
            if progress is not None:
                progress(n)
    report = LoadReport()
    for (section, _, _), result in zip(rows, results, strict=True):
        (report.unchanged if result.seq is None else report.recorded)[section] += 1
        for change in result.assessment.changes:
            report.alert_changes[change.action.value] += 1
    return report
