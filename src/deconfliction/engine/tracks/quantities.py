"""Track quantities with the unit and datum their format gave them.

A pressure altitude and a GNSS height are different quantities (they differ by the weather and
by the geoid), and a format says which it sends: these types keep it, and keep the unit, so that
an explanation quotes what the receiver reported.  SI values come from properties.

Examples
--------
>>> alt = TrackAltitude(37000, AltitudeUnit.ft, VerticalDatum.barometric)
>>> str(alt), round(alt.metres, 1)
('37000 ft baro', 11277.6)
>>> str(alt.as_altitude())
'37000 ft STD'
>>> TrackAltitude(11300, AltitudeUnit.m, VerticalDatum.geometric).as_altitude() is None
True
>>> round(Speed(450, SpeedUnit.kt).metres_per_second, 3)
231.5
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from deconfliction.engine.units import (
    FOOT,
    NAUTICAL_MILE,
    Altitude,
    AltitudeReference,
    AltitudeUnit,
)

__all__ = [
    "Speed",
    "SpeedUnit",
    "TrackAltitude",
    "VerticalDatum",
    "VerticalRate",
    "VerticalRateUnit",
]


class VerticalDatum(StrEnum):
    """What an altitude or a vertical rate is measured against."""

    barometric = "baro"
    """Pressure altitude on the standard setting (1013.25 hPa), as flight levels."""
    geometric = "geom"
    """GNSS height above the WGS84 ellipsoid."""
    unspecified = "unspecified"
    """The format does not say (SBS and OpenSky vertical rates)."""


_ALT_METRES: Final = {AltitudeUnit.ft: FOOT, AltitudeUnit.m: 1.0, AltitudeUnit.FL: 100 * FOOT}


def _finite(value: float, what: str) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number, got {value!r}")


def _text(value: float) -> str:
    return f"{value:.10g}"


@dataclass(frozen=True, slots=True)
class TrackAltitude:
    """An altitude as reported: ``value`` in ``unit`` (ft, m, or FL in hundreds of feet, which
    may be fractional: ASTERIX gives quarters) above ``datum`` (barometric or geometric)."""

    value: float
    unit: AltitudeUnit
    datum: VerticalDatum

    def __post_init__(self) -> None:
        _finite(self.value, "an altitude")
        if self.datum is VerticalDatum.unspecified:
            raise ValueError("an altitude is barometric or geometric")

    @property
    def metres(self) -> float:
        """Metres above the datum (pressure metres for a barometric altitude)."""
        return self.value * _ALT_METRES[self.unit]

    @property
    def feet(self) -> float:
        return self.metres / FOOT

    def as_altitude(self) -> Altitude | None:
        """The same altitude as a notice's :class:`Altitude` (a barometric altitude is on
        ``STD``), or None for a geometric height: ``Altitude`` has no ellipsoidal datum."""
        if self.datum is not VerticalDatum.barometric:
            return None
        if self.unit is AltitudeUnit.FL:
            return Altitude(self.value * 100, AltitudeUnit.ft, AltitudeReference.STD)
        return Altitude(self.value, self.unit, AltitudeReference.STD)

    def to_dict(self) -> dict[str, object]:
        return {"value": self.value, "unit": self.unit.value, "datum": self.datum.value}

    def __str__(self) -> str:
        if self.unit is AltitudeUnit.FL:
            return f"FL{_text(self.value)} {self.datum.value}"
        return f"{_text(self.value)} {self.unit.value} {self.datum.value}"


class SpeedUnit(StrEnum):
    kt = "kt"
    m_s = "m/s"
    NM_s = "NM/s"


_SPEED_MPS: Final = {
    SpeedUnit.kt: NAUTICAL_MILE / 3600.0,
    SpeedUnit.m_s: 1.0,
    SpeedUnit.NM_s: NAUTICAL_MILE,
}


@dataclass(frozen=True, slots=True)
class Speed:
    """A ground speed as reported (kt, m/s or NM/s), never negative."""

    value: float
    unit: SpeedUnit

    def __post_init__(self) -> None:
        _finite(self.value, "a speed")
        if self.value < 0:
            raise ValueError(f"a speed cannot be negative, got {self.value!r}")

    @property
    def metres_per_second(self) -> float:
        return self.value * _SPEED_MPS[self.unit]

    def to_dict(self) -> dict[str, object]:
        return {"value": self.value, "unit": self.unit.value}

    def __str__(self) -> str:
        return f"{_text(self.value)} {self.unit.value}"


class VerticalRateUnit(StrEnum):
    ft_min = "ft/min"
    m_s = "m/s"


_RATE_MPS: Final = {VerticalRateUnit.ft_min: FOOT / 60.0, VerticalRateUnit.m_s: 1.0}


@dataclass(frozen=True, slots=True)
class VerticalRate:
    """A rate of climb (positive) or descent (negative) as reported, with its datum."""

    value: float
    unit: VerticalRateUnit
    datum: VerticalDatum = VerticalDatum.unspecified

    def __post_init__(self) -> None:
        _finite(self.value, "a vertical rate")

    @property
    def metres_per_second(self) -> float:
        return self.value * _RATE_MPS[self.unit]

    def to_dict(self) -> dict[str, object]:
        return {"value": self.value, "unit": self.unit.value, "datum": self.datum.value}

    def __str__(self) -> str:
        return f"{_text(self.value)} {self.unit.value} {self.datum.value}"
