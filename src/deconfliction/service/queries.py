"""Reading the record."""

from __future__ import annotations

from datetime import datetime

from deconfliction.engine.alerts import Alert
from deconfliction.service.coordinator import Coordinator
from deconfliction.store import projections

__all__ = ["alerts_for"]


def alerts_for(
    coordinator: Coordinator, *, party: str | None = None, at: datetime | None = None
) -> list[Alert]:
    """Every alert in its current state, or those open at ``at``; only those naming ``party``
    when given."""
    with coordinator.db.reading() as connection:
        if at is None:
            return projections.all_alerts(connection, party)
        return projections.alerts_as_of(connection, at, party)
