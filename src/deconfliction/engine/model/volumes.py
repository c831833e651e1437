"""4D volumes: an outline on the ground, an altitude band and a UTC time window."""

from __future__ import annotations

import math
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Annotated, Any, Literal, Self

from pydantic import BeforeValidator, Field, ValidationError, model_validator

from deconfliction.engine.geodesy.lines import densify
from deconfliction.engine.geodesy.measures import distances, polygon_area
from deconfliction.engine.geodesy.shapes import Shape
from deconfliction.engine.geodesy.validity import check_extent, check_line, check_polygon
from deconfliction.engine.model.common import DomainModel, Position, UtcTime, located
from deconfliction.engine.model.geojson import GeoJsonPolygon, is_geojson
from deconfliction.engine.times import format_time
from deconfliction.engine.units import Altitude, Length
from deconfliction.engine.units.bands import order_problem

__all__ = [
    "AltitudeBand",
    "CircleOutline",
    "CorridorOutline",
    "Outline",
    "PolygonOutline",
    "TimeWindow",
    "Volume",
]


def _lonlat(points: list[Position]) -> tuple[list[float], list[float]]:
    return [p.lon for p in points], [p.lat for p in points]


def _open_ring(points: list[Position]) -> list[Position]:
    """A ring without its closing vertex (GeoJSON rings repeat the first vertex last)."""
    if len(points) > 1 and points[0] == points[-1]:
        return points[:-1]
    return points


class _OutlineBase(DomainModel):
    """Shared checks; each outline provides ``shape`` and ``area_km2``.

    Validation checks what an outline *is* (a simple polygon, a positive radius, an extent
    this product computes exactly).  How large an outline a server accepts is policy, not
    validity: :mod:`deconfliction.engine.model.limits` checks it on new input only, so that a
    record accepted under one setting is always readable under another.
    """

    if TYPE_CHECKING:

        @property
        def shape(self) -> Shape: ...

    def area_km2(self) -> float:
        raise NotImplementedError

    def _check_extent(self) -> None:
        check_extent(self.shape)


class PolygonOutline(_OutlineBase):
    """A polygon whose vertices are joined by geodesics.  Orientation does not matter; the
    closing vertex may be repeated or not."""

    type: Literal["polygon"] = "polygon"
    vertices: list[Position] = Field(min_length=3)

    @model_validator(mode="after")
    def _valid(self) -> Self:
        lons, lats = _lonlat(_open_ring(self.vertices))
        try:
            check_polygon(lons, lats)
        except ValueError as exc:
            raise located(("vertices",), str(exc)) from None
        self._check_extent()
        return self

    @cached_property
    def shape(self) -> Shape:
        lons, lats = _lonlat(_open_ring(self.vertices))
        return Shape.polygon(lons, lats)

    def area_km2(self) -> float:
        lons, lats = _lonlat(_open_ring(self.vertices))
        return polygon_area(lons, lats) / 1e6

    def describe(self) -> str:
        return f"polygon of {len(_open_ring(self.vertices))} vertices"


class CircleOutline(_OutlineBase):
    """A geodesic circle: every point within ``radius`` of ``center`` on the ellipsoid."""

    type: Literal["circle"] = "circle"
    center: Position
    radius: Length

    @model_validator(mode="after")
    def _valid(self) -> Self:
        if self.radius.metres <= 0:
            raise located(
                ("radius",), "a circle's radius must be greater than zero", str(self.radius)
            )
        self._check_extent()
        return self

    @cached_property
    def shape(self) -> Shape:
        return Shape.circle(self.center.lon, self.center.lat, self.radius.metres)

    def area_km2(self) -> float:
        return math.pi * (self.radius.metres / 1000.0) ** 2

    def describe(self) -> str:
        return f"circle of {self.radius} around {self.center}"


class CorridorOutline(_OutlineBase):
    """Every point within ``half_width`` of a route whose points are joined by geodesics."""

    type: Literal["corridor"] = "corridor"
    route: list[Position] = Field(min_length=2)
    half_width: Length

    @model_validator(mode="after")
    def _valid(self) -> Self:
        lons, lats = _lonlat(self.route)
        try:
            check_line(lons, lats)
        except ValueError as exc:
            raise located(("route",), str(exc)) from None
        if self.half_width.metres <= 0:
            raise located(
                ("half_width",),
                "a corridor's half_width must be greater than zero",
                str(self.half_width),
            )
        self._check_extent()
        return self

    @cached_property
    def shape(self) -> Shape:
        lons, lats = _lonlat(self.route)
        return Shape.corridor(lons, lats, self.half_width.metres)

    def route_length_m(self) -> float:
        lons, lats = _lonlat(self.route)
        dl, da, _ = densify(lons, lats)
        return float(distances(dl[:-1], da[:-1], dl[1:], da[1:]).sum())

    def area_km2(self) -> float:
        w = self.half_width.metres
        return (2 * w * self.route_length_m() + math.pi * w * w) / 1e6

    def describe(self) -> str:
        return f"corridor {self.half_width} either side of a {len(self.route)}-point route"


def polygon_from_geojson(value: Any) -> Any:
    """A GeoJSON ``Polygon`` as our :class:`PolygonOutline` (validated once, here); anything
    else as it is, for the outline's own validation.

    >>> polygon_from_geojson({"type": "Polygon", "coordinates": [[[35.8, 33.1], [35.9, 33.1],
    ...     [35.9, 33.2], [35.8, 33.1]]]}).describe()
    'polygon of 3 vertices'
    """
    if not is_geojson(value, "Polygon"):
        return value
    ring = GeoJsonPolygon.model_validate(value).ring
    try:
        return PolygonOutline(vertices=ring)
    except ValidationError as exc:  # the polygon's own reason, at the GeoJSON geometry
        raise ValueError(str(exc.errors()[0]["msg"]).removeprefix("Value error, ")) from None


Outline = Annotated[
    PolygonOutline | CircleOutline | CorridorOutline,
    Field(discriminator="type"),
    BeforeValidator(
        polygon_from_geojson,
        json_schema_input_type=PolygonOutline | CircleOutline | CorridorOutline | GeoJsonPolygon,
    ),
]
"""A polygon, a geodesic circle or a corridor; a GeoJSON ``Polygon`` geometry is read as the
polygon it describes (and kept in our form)."""


class AltitudeBand(DomainModel):
    """From ``lower`` to ``upper``, each with its unit and reference; ``lower`` strictly below
    ``upper`` in every unit and datum (SFC is the bottom of every band, UNL the top)."""

    lower: Altitude
    upper: Altitude

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        problem = order_problem(self.lower, self.upper)
        if problem is not None:
            field, reason = problem
            raise located((field,), reason, str(getattr(self, field)))
        return self

    def __str__(self) -> str:
        return f"{self.lower} to {self.upper}"


class TimeWindow(DomainModel):
    """From ``start`` (inclusive) to ``end`` (exclusive), in UTC."""

    start: UtcTime
    end: UtcTime

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end <= self.start:
            raise located(
                ("end",),
                f"end {format_time(self.end)} is not after start {format_time(self.start)}",
                format_time(self.end),
            )
        return self

    def contains(self, instant: datetime) -> bool:
        return self.start <= instant < self.end

    def __str__(self) -> str:
        return f"{_hhmm(self.start)}–{_hhmm(self.end)}"


def _hhmm(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%SZ") if t.second else t.strftime("%Y-%m-%d %H:%MZ")


class Volume(DomainModel):
    """A 4D volume: an outline, an altitude band and a time window."""

    label: str = Field(default="", max_length=200)
    outline: Outline
    altitude: AltitudeBand
    window: TimeWindow
