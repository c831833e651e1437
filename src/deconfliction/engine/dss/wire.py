"""The ASTM F3548-21 DSS request bodies (utm.yaml), as pydantic models.

Unknown fields are ignored, as the standard says ("fields specified in a message but not
declared in the API must be ignored"); null is the same as absent.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AltitudeIn",
    "CircleIn",
    "ImplicitSubscriptionIn",
    "OirState",
    "PolygonIn",
    "PutConstraintIn",
    "PutOirIn",
    "PutSubscriptionIn",
    "QueryIn",
    "ReportIn",
    "SetAvailabilityIn",
    "TimeIn",
    "Volume3DIn",
    "Volume4DIn",
]


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class TimeIn(_In):
    value: str
    format: Literal["RFC3339"]


class LatLngIn(_In):
    lat: float = Field(ge=-90, le=90)
    lng: float = Field(ge=-180, le=180)


class RadiusIn(_In):
    value: float = Field(gt=0)
    units: Literal["M"]


class AltitudeIn(_In):
    value: float = Field(ge=-8000, le=100000)
    reference: Literal["W84"]
    units: Literal["M"]


class PolygonIn(_In):
    vertices: list[LatLngIn] = Field(min_length=3)


class CircleIn(_In):
    center: LatLngIn
    radius: RadiusIn


class Volume3DIn(_In):
    outline_circle: CircleIn | None = None
    outline_polygon: PolygonIn | None = None
    altitude_lower: AltitudeIn | None = None
    altitude_upper: AltitudeIn | None = None


class Volume4DIn(_In):
    volume: Volume3DIn
    time_start: TimeIn | None = None
    time_end: TimeIn | None = None


class OirState(StrEnum):
    Accepted = "Accepted"
    Activated = "Activated"
    Nonconforming = "Nonconforming"
    Contingent = "Contingent"

    @property
    def needs_cmsa(self) -> bool:
        """Only conformance monitoring may declare these (SCD0100)."""
        return self in (OirState.Nonconforming, OirState.Contingent)

    @property
    def needs_key(self) -> bool:
        return not self.needs_cmsa

    @property
    def needs_subscription(self) -> bool:
        return self is not OirState.Accepted


class ImplicitSubscriptionIn(_In):
    uss_base_url: str = Field(min_length=1)
    notify_for_constraints: bool = False


class PutOirIn(_In):
    extents: list[Volume4DIn] = Field(min_length=1)
    key: list[str] | None = None
    state: OirState
    uss_base_url: str = Field(min_length=1)
    subscription_id: str | None = None
    new_subscription: ImplicitSubscriptionIn | None = None


class PutConstraintIn(_In):
    extents: list[Volume4DIn] = Field(min_length=1)
    uss_base_url: str = Field(min_length=1)


class PutSubscriptionIn(_In):
    extents: Volume4DIn
    uss_base_url: str = Field(min_length=1)
    notify_for_operational_intents: bool = False
    notify_for_constraints: bool = False


class QueryIn(_In):
    area_of_interest: Volume4DIn | None = None


class SetAvailabilityIn(_In):
    old_version: str = ""
    availability: Literal["Unknown", "Normal", "Down"]


class ReportIn(_In):
    exchange: dict[str, object]
