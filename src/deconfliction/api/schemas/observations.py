"""Observations: what a monitor saw on the ground, where and when."""

from __future__ import annotations

from deconfliction.api.schemas.alerts import Filed
from deconfliction.api.schemas.common import Geometry, Output
from deconfliction.engine.model import Observation
from deconfliction.engine.model.observations import ObservationReport
from deconfliction.service.geojson import point
from deconfliction.service.observations import ObservationFiling

__all__ = ["ObservationCreate", "ObservationFiled", "ObservationList", "ObservationPublic"]


class ObservationCreate(ObservationReport):
    """What the caller's party saw (it is the reporter; the server names the observation).
    It must report a unit category, counts or weapons."""


class ObservationPublic(Observation):
    """An observation exactly as recorded, and its position as GeoJSON."""

    geometry: Geometry

    @classmethod
    def of(cls, o: Observation) -> ObservationPublic:
        return cls.model_construct(**dict(o), geometry=point(o.position))


class ObservationList(Output):
    observations: list[ObservationPublic]

    @classmethod
    def of(cls, found: list[Observation]) -> ObservationList:
        return cls.model_construct(observations=[ObservationPublic.of(o) for o in found])


class ObservationFiled(Filed):
    """The observation as recorded, the alerts it raised or closed (those naming the caller),
    and the deliveries concerning the caller, with the ledger's receipt."""

    observation: ObservationPublic

    @classmethod
    def of(cls, filing: ObservationFiling) -> ObservationFiled:
        return cls.model_construct(
            observation=ObservationPublic.of(filing.observation), **Filed.outcome(filing.outcome)
        )
