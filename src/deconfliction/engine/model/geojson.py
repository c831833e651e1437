"""GeoJSON geometries (RFC 7946) read as our own outlines and locations.

Wherever an outline or a location is given (a scenario file, a request body), a GeoJSON
``Polygon`` may stand for a polygon and a GeoJSON ``Point`` for a point: GIS tools and
humanitarian offices keep their sites and routes so.  The geometry is read once, into the
domain's own form, and recorded in that form: the record has one shape per kind of outline.

GeoJSON polygons are taken with geodesic edges, like ours (RFC 7946 leaves the interpolation to
the application); holes are refused rather than silently dropped.

The conversions live with the outlines (:mod:`.volumes`) and locations (:mod:`.sites`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Self

from pydantic import Field, model_validator

from deconfliction.engine.model.common import DomainModel, Position, located

__all__ = ["GeoJsonPoint", "GeoJsonPolygon", "is_geojson"]


def is_geojson(value: Any, kind: str) -> bool:
    """Whether ``value`` is given as a GeoJSON geometry of type ``kind`` (``"Polygon"``)."""
    return isinstance(value, Mapping) and value.get("type") == kind


class GeoJsonPolygon(DomainModel):
    """A GeoJSON Polygon geometry (RFC 7946 §3.1.6): one exterior ring of [longitude,
    latitude] positions, the last repeating the first.  Edges are taken as geodesics."""

    type: Literal["Polygon"]
    coordinates: list[list[Position]] = Field(min_length=1)
    bbox: list[float] | None = Field(default=None, description="Allowed by GeoJSON; ignored.")

    @model_validator(mode="after")
    def _one_ring(self) -> Self:
        if len(self.coordinates) > 1:
            raise located(
                ("coordinates", 1), "holes are not supported: give the exterior ring only"
            )
        ring = self.coordinates[0]
        if len(ring) < 4:
            raise located(
                ("coordinates", 0),
                "a GeoJSON ring has at least 4 positions, the last repeating the first",
            )
        if ring[0] != ring[-1]:
            raise located(
                ("coordinates", 0, len(ring) - 1),
                "a GeoJSON ring ends with the position it starts with",
            )
        return self

    @property
    def ring(self) -> list[Position]:
        return self.coordinates[0]


class GeoJsonPoint(DomainModel):
    """A GeoJSON Point geometry: [longitude, latitude]."""

    type: Literal["Point"]
    coordinates: Position
    bbox: list[float] | None = Field(default=None, description="Allowed by GeoJSON; ignored.")
