"""Observations: what a monitor saw on the ground, where and when."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from deconfliction.api.schemas.alerts import AlertPublic, outcome_fields
from deconfliction.api.schemas.common import DeliveryPublic, Geometry, Input, Output
from deconfliction.engine.model import Identifier, Observation, Position, UtcTime, WeaponSighting
from deconfliction.engine.model.common import Count
from deconfliction.engine.model.observations import CountKind, UnitCategory
from deconfliction.service.geojson import point
from deconfliction.service.observations import ObservationFiling

__all__ = ["ObservationCreate", "ObservationFiled", "ObservationList", "ObservationPublic"]


class ObservationCreate(Input):
    """What the caller's party saw (it is the reporter; the server names the observation).
    It must report a unit category, counts or weapons."""

    observed_at: UtcTime
    position: Position
    affiliation: str = Field(min_length=1, max_length=200, description="Whose unit, as observed.")
    party: Identifier | None = Field(default=None, description="The unit's party, when known.")
    unit_category: UnitCategory = UnitCategory.unknown
    unit_id: str | None = Field(default=None, max_length=200)
    counts: dict[CountKind, Count] = Field(default_factory=dict)
    weapons: list[WeaponSighting] = Field(default_factory=list, max_length=100)
    note: str = Field(default="", max_length=2000)

    def data(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


class ObservationPublic(Output):
    id: str
    observed_at: UtcTime
    position: Position
    reported_by: str
    affiliation: str
    party: str | None
    unit_category: UnitCategory
    unit_id: str | None
    counts: dict[CountKind, int]
    weapons: list[WeaponSighting]
    note: str
    geometry: Geometry

    @classmethod
    def of(cls, o: Observation) -> ObservationPublic:
        return cls.model_construct(
            id=o.id,
            observed_at=o.observed_at,
            position=o.position,
            reported_by=o.reported_by,
            affiliation=o.affiliation,
            party=o.party,
            unit_category=o.unit_category,
            unit_id=o.unit_id,
            counts=dict(o.counts),
            weapons=list(o.weapons),
            note=o.note,
            geometry=point(o.position),
        )


class ObservationList(Output):
    observations: list[ObservationPublic]

    @classmethod
    def of(cls, found: list[Observation]) -> ObservationList:
        return cls.model_construct(observations=[ObservationPublic.of(o) for o in found])


class ObservationFiled(Output):
    observation: ObservationPublic
    alerts: list[AlertPublic]
    closed_alerts: list[AlertPublic]
    deliveries: list[DeliveryPublic]

    @classmethod
    def of(cls, filing: ObservationFiling) -> ObservationFiled:
        return cls.model_construct(
            observation=ObservationPublic.of(filing.observation), **outcome_fields(filing.outcome)
        )
