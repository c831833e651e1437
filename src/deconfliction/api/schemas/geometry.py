"""Outlines and locations as requests give them: our forms, or GeoJSON.

A volume's outline is a polygon, a geodesic circle or a corridor (as in scenario files), or a
GeoJSON ``Polygon`` geometry (exterior ring only, longitude first).  A site's location is a
point or a polygon, or a GeoJSON ``Point`` or ``Polygon``.

The largest area a volume may cover is a server setting (``DECONFLICT_MAX_AREA_KM2``), so the
request's own check stops at the shape; the service checks the size against the server's
limit when it builds the notice or site, with the problem at the same path.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self

from pydantic import Field, ValidationError, ValidationInfo, model_validator

from deconfliction.api.schemas.common import Input
from deconfliction.engine.model import (
    AltitudeBand,
    CircleOutline,
    CorridorOutline,
    PolygonOutline,
    Position,
    TimeWindow,
)
from deconfliction.engine.model.sites import PointLocation

__all__ = [
    "CircleInput",
    "CorridorInput",
    "GeoJsonPoint",
    "GeoJsonPolygon",
    "LocationInput",
    "OutlineInput",
    "PointInput",
    "PolygonInput",
    "VolumeInput",
]


class PolygonInput(PolygonOutline):
    """A polygon whose vertices are joined by geodesics (3 or more; the closing vertex may be
    repeated or not)."""

    def _check_size(self, info: ValidationInfo) -> None:
        """Checked by the service against the server's limit (see the module notes)."""


class CircleInput(CircleOutline):
    """A geodesic circle: every point within ``radius`` (with its unit) of ``center``."""

    def _check_size(self, info: ValidationInfo) -> None:
        """Checked by the service against the server's limit (see the module notes)."""


class CorridorInput(CorridorOutline):
    """Every point within ``half_width`` of a route whose points are joined by geodesics."""

    def _check_size(self, info: ValidationInfo) -> None:
        """Checked by the service against the server's limit (see the module notes)."""


def _reason(exc: ValidationError) -> str:
    first = exc.errors(include_url=False)[0]
    return str(first["msg"]).removeprefix("Value error, ")


class GeoJsonPolygon(Input):
    """A GeoJSON Polygon geometry (RFC 7946 §3.1.6): one exterior ring of [longitude,
    latitude] positions, the last repeating the first.  Edges are taken as geodesics."""

    type: Literal["Polygon"]
    coordinates: list[list[Position]] = Field(min_length=1)
    bbox: list[float] | None = Field(default=None, description="Allowed by GeoJSON; ignored.")

    @model_validator(mode="after")
    def _one_ring(self) -> Self:
        if len(self.coordinates) > 1:
            raise ValueError("holes are not supported: give the exterior ring only")
        ring = self.coordinates[0]
        if len(ring) < 4:
            raise ValueError(
                "a GeoJSON ring has at least 4 positions, the last repeating the first"
            )
        if ring[0] != ring[-1]:
            raise ValueError("a GeoJSON ring ends with the position it starts with")
        try:
            PolygonInput(vertices=ring)
        except ValidationError as exc:
            raise ValueError(_reason(exc)) from None
        return self

    def outline(self) -> dict[str, Any]:
        return {"type": "polygon", "vertices": [[p.lon, p.lat] for p in self.coordinates[0]]}


class GeoJsonPoint(Input):
    """A GeoJSON Point geometry: [longitude, latitude]."""

    type: Literal["Point"]
    coordinates: Position
    bbox: list[float] | None = Field(default=None, description="Allowed by GeoJSON; ignored.")

    def location(self) -> dict[str, Any]:
        return {"type": "point", "position": [self.coordinates.lon, self.coordinates.lat]}


class PointInput(PointLocation):
    """A point: ``{"type": "point", "position": "33.113N 35.864E"}``."""


OutlineInput = Annotated[
    PolygonInput | CircleInput | CorridorInput | GeoJsonPolygon, Field(discriminator="type")
]
LocationInput = Annotated[
    PointInput | PolygonInput | GeoJsonPoint | GeoJsonPolygon, Field(discriminator="type")
]


def outline_data(outline: PolygonInput | CircleInput | CorridorInput | GeoJsonPolygon) -> Any:
    """The outline in the domain's own form."""
    if isinstance(outline, GeoJsonPolygon):
        return outline.outline()
    return outline.model_dump(mode="json", by_alias=True)


def location_data(location: PointInput | PolygonInput | GeoJsonPoint | GeoJsonPolygon) -> Any:
    if isinstance(location, GeoJsonPolygon):
        return location.outline()
    if isinstance(location, GeoJsonPoint):
        return location.location()
    return location.model_dump(mode="json", by_alias=True)


class VolumeInput(Input):
    """A 4D volume: an outline, an altitude band (``lower``, ``upper``, each with its unit and
    datum: "FL050", "5000 ft AMSL", "300 m AGL", "SFC", "UNL") and a time window (``start``
    inclusive, ``end`` exclusive, RFC 3339 with an offset)."""

    label: str = Field(default="", max_length=200)
    outline: OutlineInput
    altitude: AltitudeBand
    window: TimeWindow

    def data(self) -> dict[str, Any]:
        """The volume in the domain's own form."""
        return {
            "label": self.label,
            "outline": outline_data(self.outline),
            "altitude": self.altitude.model_dump(mode="json", by_alias=True),
            "window": self.window.model_dump(mode="json", by_alias=True),
        }
