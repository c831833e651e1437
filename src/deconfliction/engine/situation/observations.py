"""Observations by id and by the time they were made."""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Mapping
from datetime import datetime

from deconfliction.engine.journal import Journal
from deconfliction.engine.model import Observation

__all__ = ["ObservationLog"]


class ObservationLog(Mapping[str, Observation]):
    """Every observation, and their order in time (for counts over a time slice)."""

    def __init__(self) -> None:
        self.observations: dict[str, Observation] = {}
        self._by_time: list[tuple[datetime, str]] = []

    def __getitem__(self, key: str) -> Observation:
        return self.observations[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.observations)

    def __len__(self) -> int:
        return len(self.observations)

    def between(self, start: datetime, end: datetime) -> list[Observation]:
        """Observations made in [start, end)."""
        lo = bisect.bisect_left(self._by_time, (start, ""))
        hi = bisect.bisect_left(self._by_time, (end, ""))
        return [self.observations[oid] for _, oid in self._by_time[lo:hi]]

    def record(self, observation: Observation, journal: Journal) -> None:
        journal.set(self.observations, observation.id, observation)
        key = (observation.observed_at, observation.id)
        bisect.insort(self._by_time, key)
        journal.on_undo(lambda: self._by_time.remove(key))
