"""Zone agreements: areas with rules on presence, numbers and weapons.

An area is a polygon, or a band of distances from a line on one side or both ("between 10 and
20 km from Line A, on its west side").  Rules:

* ``no_presence``: units (or notice activity) matching ``applies_to`` may not be in the area,
  except those matching ``except``;
* ``cap``: counts of matching units in the area, summed over one time slice, may not exceed
  the caps;
* ``no_weapons``: the listed weapon classes may not be in the area;
* ``range``: a weapon whose declared range reaches the target (a line, or the area of another
  zone) breaks the rule wherever it stands.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import Field, model_validator

from deconfliction.engine.geodesy.validity import check_line, check_polygon
from deconfliction.engine.model.common import (
    Count,
    DomainModel,
    Identifier,
    Position,
    at_least,
    located,
)
from deconfliction.engine.model.notices import NoticeKind
from deconfliction.engine.model.observations import CountKind, UnitCategory, WeaponClass
from deconfliction.engine.units import Duration, Length

__all__ = [
    "BandArea",
    "CapRule",
    "Line",
    "NoPresenceRule",
    "NoWeaponsRule",
    "PolygonArea",
    "RangeRule",
    "Selector",
    "Side",
    "ZoneAgreement",
    "ZoneArea",
    "ZoneRule",
]


class Line(DomainModel):
    """A named line on the ground (a ceasefire line, a line of contact), vertices joined by
    geodesics."""

    id: Identifier
    name: str = Field(min_length=1)
    vertices: list[Position] = Field(min_length=2)
    source: str = ""

    @model_validator(mode="after")
    def _valid(self) -> Self:
        try:
            check_line([p.lon for p in self.vertices], [p.lat for p in self.vertices], "line")
        except ValueError as exc:
            raise located(("vertices",), str(exc)) from None
        return self


class Side(StrEnum):
    """Which side of a line a band lies on.  ``left`` and ``right`` follow the line's
    direction (first vertex to last); compass sides are resolved against the line."""

    both = "both"
    left = "left"
    right = "right"
    east = "east"
    west = "west"
    north = "north"
    south = "south"


class PolygonArea(DomainModel):
    type: Literal["polygon"] = "polygon"
    vertices: list[Position] = Field(min_length=3)

    @model_validator(mode="after")
    def _valid(self) -> Self:
        ring = self.vertices[:-1] if self.vertices[0] == self.vertices[-1] else self.vertices
        try:
            check_polygon([p.lon for p in ring], [p.lat for p in ring])
        except ValueError as exc:
            raise located(("vertices",), str(exc)) from None
        return self


class BandArea(DomainModel):
    """Points between ``from`` and ``to`` from ``line`` on ``side``."""

    type: Literal["band"] = "band"
    line: Identifier
    from_distance: Length = Field(default=Length.of_metres(0.0), alias="from")
    to_distance: Length = Field(alias="to")
    side: Side = Side.both

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.to_distance.exact_metres <= self.from_distance.exact_metres:
            raise located(
                ("to",),
                f"{self.to_distance} is not beyond from: {self.from_distance}",
                str(self.to_distance),
            )
        return self


ZoneArea = Annotated[PolygonArea | BandArea, Field(discriminator="type")]


class Selector(DomainModel):
    """Which units or notices a rule concerns.  Every non-empty list must match; an empty
    selector matches everything."""

    parties: list[Identifier] = Field(default_factory=list)
    affiliations: list[str] = Field(default_factory=list)
    unit_categories: list[UnitCategory] = Field(default_factory=list)
    notice_kinds: list[NoticeKind] = Field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.parties or self.affiliations or self.unit_categories or self.notice_kinds)

    def describe(self) -> str:
        parts = []
        if self.parties:
            parts.append("parties " + ", ".join(self.parties))
        if self.affiliations:
            parts.append(" / ".join(self.affiliations))
        if self.unit_categories:
            parts.append("units " + ", ".join(c.value for c in self.unit_categories))
        if self.notice_kinds:
            parts.append(
                "notices " + ", ".join(k.value.replace("_", " ") for k in self.notice_kinds)
            )
        return "; ".join(parts) or "anyone"


class _Rule(DomainModel):
    description: str = ""
    applies_to: Selector = Field(default_factory=Selector)


class NoPresenceRule(_Rule):
    type: Literal["no_presence"] = "no_presence"
    except_: Selector | None = Field(default=None, alias="except")


class CapRule(_Rule):
    type: Literal["cap"] = "cap"
    caps: dict[CountKind, Count] = Field(min_length=1)
    slice: Annotated[
        Duration, at_least("1 min", "counts are reported in minutes at the finest")
    ] = Field(
        default=Duration(86_400.0),
        description="Counts are summed over slices of this length, aligned on UTC midnight.",
    )


class NoWeaponsRule(_Rule):
    type: Literal["no_weapons"] = "no_weapons"
    weapon_classes: list[WeaponClass] = Field(min_length=1)


class RangeRule(_Rule):
    """A weapon whose range reaches the target breaks the rule, wherever it stands."""

    type: Literal["range"] = "range"
    weapon_classes: list[WeaponClass] = Field(
        default_factory=list, description="Classes concerned; every class when empty."
    )
    target_line: Identifier | None = None
    target_zone: Identifier | None = None

    @model_validator(mode="after")
    def _one_target(self) -> Self:
        if (self.target_line is None) == (self.target_zone is None):
            field = "target_line" if self.target_line is None else "target_zone"
            raise located((field,), "a range rule names exactly one of target_line or target_zone")
        return self


ZoneRule = Annotated[
    NoPresenceRule | CapRule | NoWeaponsRule | RangeRule, Field(discriminator="type")
]


class ZoneAgreement(DomainModel):
    id: Identifier
    name: str = Field(min_length=1)
    signatories: list[Identifier] = Field(min_length=1)
    monitors: list[Identifier] = Field(default_factory=list)
    area: ZoneArea
    rules: list[ZoneRule] = Field(min_length=1)
    source: str = ""
    ended: bool = Field(
        default=False, description="Ended (its last signatory left): no rule of it applies now."
    )
