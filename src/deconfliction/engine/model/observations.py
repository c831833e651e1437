"""Observations of units on the ground, filed by monitors or parties."""

from __future__ import annotations

from enum import StrEnum
from typing import Self

from pydantic import Field, model_validator

from deconfliction.engine.model.common import (
    MAX_COUNT,
    Count,
    DomainModel,
    Identifier,
    Position,
    UtcTime,
    located,
)
from deconfliction.engine.units import Length

__all__ = [
    "CountKind",
    "Observation",
    "ObservationReport",
    "UnitCategory",
    "WeaponClass",
    "WeaponSighting",
]


class UnitCategory(StrEnum):
    infantry = "infantry"
    armour = "armour"
    artillery = "artillery"
    air_defence = "air_defence"
    missile = "missile"
    militia = "militia"
    aviation = "aviation"
    logistics = "logistics"
    headquarters = "headquarters"
    observers = "observers"
    unknown = "unknown"


class CountKind(StrEnum):
    """What is counted against caps."""

    troops = "troops"
    tanks = "tanks"
    guns = "guns"
    armoured_vehicles = "armoured_vehicles"
    launchers = "launchers"
    aircraft = "aircraft"


class WeaponClass(StrEnum):
    small_arms = "small_arms"
    mortar = "mortar"
    artillery = "artillery"
    heavy_artillery = "heavy_artillery"
    rocket_artillery = "rocket_artillery"
    anti_tank_missile = "anti_tank_missile"
    anti_aircraft_gun = "anti_aircraft_gun"
    sam = "sam"
    ssm = "ssm"


class WeaponSighting(DomainModel):
    weapon_class: WeaponClass = Field(alias="class")
    count: int = Field(default=1, gt=0, le=MAX_COUNT)
    range: Length | None = Field(default=None, description="Declared or assessed range.")


class ObservationReport(DomainModel):
    """What a reporting party says it saw, where and when: everything but the observation's
    identifier and reporter, which the record sets."""

    observed_at: UtcTime
    position: Position
    affiliation: str = Field(min_length=1, max_length=200, description="Whose unit, as observed.")
    party: Identifier | None = Field(
        default=None, description="The party the unit belongs to, when known."
    )
    unit_category: UnitCategory = UnitCategory.unknown
    unit_id: str | None = Field(
        default=None,
        max_length=200,
        description=(
            "Identifies a unit across observations: within one time slice only its latest "
            "observation counts against caps."
        ),
    )
    counts: dict[CountKind, Count] = Field(default_factory=dict)
    weapons: list[WeaponSighting] = Field(default_factory=list, max_length=100)
    note: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _something_seen(self) -> Self:
        if self.unit_category is UnitCategory.unknown and not self.counts and not self.weapons:
            raise located(
                ("unit_category",),
                "an observation reports a unit_category, counts or weapons (it saw something)",
                self.unit_category.value,
            )
        return self


class Observation(ObservationReport):
    """An observation as recorded: the report, its identifier and its reporter."""

    id: Identifier
    reported_by: Identifier
