"""Protected sites: places the parties have been told must not be struck.

A site is valid from ``valid_from`` until ``valid_until``; sites expire unless recertified (the
owner files the site again with a later ``valid_until``), because stale lists of tens of
thousands of entries are themselves a hazard.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator

from deconfliction.engine.geodesy.shapes import Shape
from deconfliction.engine.model.common import (
    DomainModel,
    Identifier,
    Position,
    UtcTime,
    format_time,
)
from deconfliction.engine.model.geojson import GeoJsonPoint, GeoJsonPolygon, is_geojson
from deconfliction.engine.model.volumes import PolygonOutline, polygon_from_geojson

__all__ = ["PointLocation", "ProtectedSite", "SiteCategory", "SiteDetails", "SiteLocation"]


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


def location_from_geojson(value: Any) -> Any:
    """A GeoJSON ``Point`` or ``Polygon`` as our point or polygon; anything else as it is."""
    if is_geojson(value, "Point"):
        return PointLocation(position=GeoJsonPoint.model_validate(value).coordinates)
    return polygon_from_geojson(value)


SiteLocation = Annotated[
    PointLocation | PolygonOutline,
    Field(discriminator="type"),
    BeforeValidator(
        location_from_geojson,
        json_schema_input_type=PointLocation | PolygonOutline | GeoJsonPoint | GeoJsonPolygon,
    ),
]
"""A point or a polygon; GeoJSON ``Point`` and ``Polygon`` geometries are read as such."""


class SiteDetails(DomainModel):
    """What a site's owner states about it: everything but its identifier and owner, which
    the record sets."""

    name: str = Field(min_length=1, max_length=500)
    category: SiteCategory
    location: SiteLocation
    valid_from: UtcTime
    valid_until: UtcTime
    note: str = Field(default="", max_length=2000)

    @field_validator("valid_until")
    @classmethod
    def _after_valid_from(cls, value: datetime, info: ValidationInfo) -> datetime:
        start = info.data.get("valid_from")
        if start is not None and value <= start:
            raise ValueError(f"must be after valid_from ({format_time(start)})")
        return value

    def valid_during(self, start: datetime, end: datetime) -> bool:
        """Whether the site is valid at any instant of [start, end)."""
        return self.valid_from < end and start < self.valid_until


class ProtectedSite(SiteDetails):
    """A protected site as recorded: its owner's details, its identifier and its owner."""

    id: Identifier
    owner: Identifier = Field(description="The party that registered the site.")
