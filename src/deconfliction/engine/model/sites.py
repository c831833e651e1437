"""Protected sites: places the parties have been told must not be struck.

A site is valid from ``valid_from`` until ``valid_until``; sites expire unless recertified (the
owner files the site again with a later ``valid_until``), because stale lists of tens of
thousands of entries are themselves a hazard.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from deconfliction.engine.geodesy.shapes import Shape
from deconfliction.engine.model.common import DomainModel, Identifier, Position, UtcTime
from deconfliction.engine.model.volumes import PolygonOutline

__all__ = ["PointLocation", "ProtectedSite", "SiteCategory", "SiteLocation"]


class SiteCategory(StrEnum):
    hospital = "hospital"
    school = "school"
    shelter = "shelter"
    humanitarian_premises = "humanitarian_premises"
    cultural_site = "cultural_site"
    place_of_worship = "place_of_worship"
    water_facility = "water_facility"
    displacement_camp = "displacement_camp"
    other = "other"


class PointLocation(DomainModel):
    type: Literal["point"] = "point"
    position: Position

    @cached_property
    def shape(self) -> Shape:
        return Shape.point(self.position.lon, self.position.lat)

    def describe(self) -> str:
        return str(self.position)


SiteLocation = Annotated[PointLocation | PolygonOutline, Field(discriminator="type")]


class ProtectedSite(DomainModel):
    id: Identifier
    name: str = Field(min_length=1)
    category: SiteCategory
    owner: Identifier = Field(description="The party that registered the site.")
    location: SiteLocation
    valid_from: UtcTime
    valid_until: UtcTime
    note: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.valid_until <= self.valid_from:
            raise ValueError("valid_until: must be after valid_from")
        return self

    def valid_during(self, start: datetime, end: datetime) -> bool:
        """Whether the site is valid at any instant of [start, end)."""
        return self.valid_from < end and start < self.valid_until
