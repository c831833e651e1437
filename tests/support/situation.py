"""A situation that keeps every alert change, for tests that look at an alert's history.

The product's :class:`Situation` keeps no history in memory (the store answers "as of" from its
log); tests that replay scenarios without a store keep it here.
"""

from __future__ import annotations

from datetime import datetime

from deconfliction.engine.alerts import Alert, AlertChange, AlertStatus
from deconfliction.engine.journal import Journal
from deconfliction.engine.situation import Assessment, Situation

__all__ = ["HistorySituation"]


class HistorySituation(Situation):
    """A :class:`Situation` that remembers every alert change it applied, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.history: list[AlertChange] = []

    def apply(self, assessment: Assessment, journal: Journal | None = None) -> None:
        super().apply(assessment, journal)
        if not assessment.duplicate:
            self.history.extend(assessment.changes)

    def alerts_at(self, instant: datetime) -> list[Alert]:
        """Alerts as they stood at ``instant``: the last change at or before it, if open."""
        state: dict[str, AlertChange] = {}
        for change in self.history:
            if change.at <= instant:
                state[change.alert.id] = change
        return sorted(
            (c.alert for c in state.values() if c.alert.status is AlertStatus.open),
            key=lambda a: (a.raised_at, a.id),
        )
