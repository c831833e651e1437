"""Observations over the wire: monitors file what they saw; parties concerned read them.

An observation is seen by its reporter and by the signatories and monitors of the zone
agreements (those who may be told it breaks a zone rule).
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from pydantic import ValidationError

from deconfliction.engine.errors import InvalidInput, NotFound
from deconfliction.engine.model import Observation
from deconfliction.engine.scenario import problems_from_validation
from deconfliction.service.alerts import Outcome, outcome
from deconfliction.service.auth import Principal
from deconfliction.service.coordinator import Tx
from deconfliction.service.filing import file_as
from deconfliction.service.filters import TimeRange
from deconfliction.service.permissions import Action, require
from deconfliction.service.visibility import Visibility

__all__ = [
    "CLOCK_SKEW",
    "ObservationFiling",
    "file_observation",
    "list_observations",
    "read_observation",
]

CLOCK_SKEW = timedelta(minutes=1)
"""How far in the server's future an observation may be dated (the observer's clock may run a
little ahead); anything later is refused."""


@dataclass(frozen=True, slots=True)
class ObservationFiling:
    observation: Observation
    outcome: Outcome


def file_observation(tx: Tx, principal: Principal, data: Mapping[str, Any]) -> ObservationFiling:
    """Record an observation reported by the caller's party (named ``o-...`` by the server)."""
    require(principal, Action.file_observation)
    try:
        observation = Observation.model_validate(
            {**data, "id": f"o-{secrets.token_hex(8)}", "reported_by": principal.party}
        )
    except ValidationError as exc:
        raise InvalidInput(problems_from_validation(exc)) from None
    if observation.observed_at > tx.now + CLOCK_SKEW:
        raise InvalidInput.at(
            ("observed_at",),
            f"{observation.observed_at.isoformat()} is in the future (server time "
            f"{tx.now.isoformat()})",
        )
    filed = file_as(tx, principal, observation)
    return ObservationFiling(observation, outcome(tx, principal, filed))


def read_observation(tx: Tx, principal: Principal, observation_id: str) -> Observation:
    found = tx.situation.observations.get(observation_id)
    if found is None or not Visibility(tx.situation, principal.party).observation(found):
        raise NotFound("observation", observation_id)
    return found


def list_observations(
    tx: Tx, principal: Principal, *, window: TimeRange, limit: int = 1000
) -> list[Observation]:
    """Observations the caller may see, by time observed (within ``window``)."""
    see = Visibility(tx.situation, principal.party)
    found = [
        o
        for o in tx.situation.observations.values()
        if see.observation(o)
        and (window.start is None or o.observed_at >= window.start)
        and (window.end is None or o.observed_at < window.end)
    ]
    found.sort(key=lambda o: (o.observed_at, o.id))
    return found[:limit]
