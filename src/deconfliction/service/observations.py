"""Observations over the wire: monitors file what they saw; parties concerned read them.

An observation is seen by its reporter and by the signatories and monitors of the zone
agreements when it is recorded (those who may be told that it breaks a zone rule).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from deconfliction.engine.errors import InvalidInput, NotFound
from deconfliction.engine.items import kind_named
from deconfliction.engine.model import Observation
from deconfliction.engine.model.observations import ObservationReport
from deconfliction.engine.times import format_time
from deconfliction.service.alerts import Outcome, outcome
from deconfliction.service.auth import Principal
from deconfliction.service.coordinator import Tx
from deconfliction.service.filing import file_as
from deconfliction.service.filters import TimeRange
from deconfliction.service.permissions import Action, require
from deconfliction.service.reading import Reader
from deconfliction.store import items as item_store
from deconfliction.store.schema import observations as table

__all__ = [
    "CLOCK_SKEW",
    "ObservationFiling",
    "file_observation",
    "list_observations",
    "read_observation",
]

OBSERVATION = kind_named("observation")

CLOCK_SKEW = timedelta(minutes=1)
"""How far in the server's future an observation may be dated (the observer's clock may run a
little ahead); anything later is refused."""


@dataclass(frozen=True, slots=True)
class ObservationFiling:
    observation: Observation
    outcome: Outcome


def file_observation(tx: Tx, principal: Principal, report: ObservationReport) -> ObservationFiling:
    """Record an observation reported by the caller's party (named ``o-...`` by the server)."""
    require(principal, Action.file_observation)
    if report.observed_at > tx.now + CLOCK_SKEW:
        raise InvalidInput.at(
            ("observed_at",),
            f"{format_time(report.observed_at)} is in the future (server time "
            f"{format_time(tx.now)})",
        )
    observation = Observation(
        id=f"o-{secrets.token_hex(8)}", reported_by=principal.party, **dict(report)
    )
    filed = file_as(tx, principal, observation)
    return ObservationFiling(observation, outcome(tx, principal, filed))


def read_observation(reader: Reader, observation_id: str) -> Observation:
    found = item_store.load_one(
        reader.connection, reader.cache, OBSERVATION, reader.party, observation_id
    )
    if found is None:
        raise NotFound("observation", observation_id)
    observation: Observation = found.item
    reader.show("observation", observation.id, observation.reported_by)
    return observation


def list_observations(reader: Reader, *, window: TimeRange, limit: int = 1000) -> list[Observation]:
    """Observations the caller may see, by time observed (within ``window``)."""
    query = item_store.select_items(OBSERVATION, reader.party)
    if window.start is not None:
        query = query.where(table.c.observed_at >= window.start)
    if window.end is not None:
        query = query.where(table.c.observed_at < window.end)
    query = query.order_by(table.c.observed_at, table.c.id).limit(limit)
    found = [s.item for s in item_store.load(reader.connection, reader.cache, OBSERVATION, query)]
    for o in found:
        reader.show("observation", o.id, o.reported_by)
    return found
