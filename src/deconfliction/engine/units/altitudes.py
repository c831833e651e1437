"""Altitudes: a value with its unit (m, ft or a flight level) and its datum."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from typing import Any, Final

from pydantic import GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from deconfliction.engine.units.quantity import (
    EXACT_FOOT,
    FOOT,
    NUMBER,
    Feet,
    Metres,
    TextForm,
    exact_decimal,
    finite,
    require_number,
    trim,
)

__all__ = ["LOWEST_M", "TOP_M", "Altitude", "AltitudeReference", "AltitudeUnit"]


class AltitudeUnit(StrEnum):
    m = "m"
    ft = "ft"
    FL = "FL"


class AltitudeReference(StrEnum):
    """The datum an altitude is measured from.

    ``AMSL`` above mean sea level; ``AGL`` above ground level; ``STD`` pressure altitude on the
    standard setting (1013.25 hPa), which flight levels always use; ``W84`` height above the
    WGS84 ellipsoid (what GNSS gives and ASTM F3548 uses; it differs from AMSL by the geoid's
    undulation, up to about a hundred metres).
    """

    AMSL = "AMSL"
    AGL = "AGL"
    STD = "STD"
    W84 = "W84"


_ALT_RE: Final = re.compile(rf"^\s*({NUMBER})\s*(m|ft)\s*(AMSL|MSL|AGL|STD|W84|SFC)?\s*$", re.I)
_FL_RE: Final = re.compile(r"^\s*FL\s*(\d{1,3})\s*$", re.I)

_UNLIMITED_FL: Final = 999

LOWEST_M: Final = -500
"""No altitude is lower than this, in any unit or datum (the shore of the Dead Sea, the lowest
dry land, is 431 m below sea level)."""
TOP_M: Final = _UNLIMITED_FL * 100 * EXACT_FOOT
"""UNL's height (FL999, as in a NOTAM's Q line), exactly: no altitude in any unit is above
it.  How high an item may reach on a server is a lower, configurable ceiling (the limits'
``max_altitude``)."""


@dataclass(frozen=True, slots=True)
class Altitude(TextForm):
    """A height with its unit and the datum it is measured from.

    String forms: ``"FL250"``, ``"5000 ft AMSL"``, ``"300 m AGL"``, ``"SFC"`` (the surface,
    0 ft AGL) and ``"UNL"`` (unlimited, FL999 as in a NOTAM Q-line).  Object form:
    ``{"value": 5000, "unit": "ft", "reference": "AMSL"}``.  A flight level is always ``STD``.

    Examples
    --------
    >>> Altitude.parse("FL250").metres
    7620.0
    >>> Altitude.parse("5000 ft AMSL").reference
    <AltitudeReference.AMSL: 'AMSL'>
    >>> str(Altitude.parse("sfc"))
    'SFC'
    >>> Altitude.parse("500 ft")
    Traceback (most recent call last):
    ...
    ValueError: altitude '500 ft' needs its reference: AMSL, AGL or STD (e.g. "500 ft AGL")
    """

    value: float
    unit: AltitudeUnit
    reference: AltitudeReference

    def __post_init__(self) -> None:
        finite(self.value, "an altitude")
        if self.unit is AltitudeUnit.FL:
            if self.value != round(self.value):
                raise ValueError(f"a flight level is a whole number, got FL{self.value}")
            if self.reference is not AltitudeReference.STD:
                raise ValueError("a flight level is a pressure altitude: its reference is STD")
            if self.value < 0 or self.value > _UNLIMITED_FL:
                # Not {self}: that prints FL1000 as "UNL".
                raise ValueError(
                    f"flight level must be between FL000 and FL999, got FL{trim(self.value)}"
                )
            return
        if self.reference is AltitudeReference.AGL and self.value < 0:
            raise ValueError(f"an altitude above ground cannot be negative, got {self}")
        # The same bounds in every unit, decided exactly near them (the floats far from them).
        metres = self.metres
        if metres < LOWEST_M + 1 and self.exact_metres < LOWEST_M:
            raise ValueError(
                f"altitude {self} is below any surface on Earth (the lowest altitude is "
                f"{LOWEST_M} m, {float(LOWEST_M / EXACT_FOOT):,.0f} ft)"
            )
        if metres > float(TOP_M) - 1 and self.exact_metres > TOP_M:
            raise ValueError(
                f"altitude {self} is above UNL, the top of every band (FL999: "
                f"{float(TOP_M / EXACT_FOOT):,.0f} ft, {float(TOP_M):,} m)"
            )

    @property
    def metres(self) -> Metres:
        """The value in metres from its own reference (a flight level in pressure metres)."""
        if self.unit is AltitudeUnit.FL:
            return self.value * 100 * FOOT
        if self.unit is AltitudeUnit.ft:
            return self.value * FOOT
        return self.value

    @property
    def exact_metres(self) -> Fraction:
        """:attr:`metres`, exactly (see the module's docstring).

        >>> Altitude.parse("FL010").exact_metres, Altitude.parse("152.4 m AMSL").exact_metres
        (Fraction(1524, 5), Fraction(762, 5))
        """
        if self.unit is AltitudeUnit.FL:
            return exact_decimal(self.value) * 100 * EXACT_FOOT
        if self.unit is AltitudeUnit.ft:
            return exact_decimal(self.value) * EXACT_FOOT
        return exact_decimal(self.value)

    @property
    def feet(self) -> Feet:
        return self.metres / FOOT

    @property
    def is_surface(self) -> bool:
        return self.reference is AltitudeReference.AGL and self.value == 0

    @property
    def is_unlimited(self) -> bool:
        return self.unit is AltitudeUnit.FL and self.value >= _UNLIMITED_FL

    @classmethod
    def surface(cls) -> Altitude:
        # One value, made once (immutable): every band from the ground is read and written
        # with it, and making it ran the checks of ``__post_init__`` each time.
        return _SURFACE if cls is Altitude else cls(0, AltitudeUnit.ft, AltitudeReference.AGL)

    @classmethod
    def parse(cls, raw: Any) -> Altitude:
        if isinstance(raw, Altitude):
            return raw
        if isinstance(raw, str):
            return _text(raw) if cls is Altitude else cls._read_text(raw)
        if isinstance(raw, dict):
            if set(raw) - {"value", "unit", "reference"} or not {"value", "unit"} <= set(raw):
                raise ValueError('an altitude object has "value", "unit" and "reference"')
            try:
                unit = AltitudeUnit(raw["unit"])
            except ValueError:
                raise ValueError(
                    f"unknown altitude unit {raw['unit']!r}: use m, ft or FL"
                ) from None
            ref_raw = raw.get("reference", "STD" if unit is AltitudeUnit.FL else None)
            if ref_raw is None:
                raise ValueError("an altitude in m or ft needs its reference: AMSL, AGL or STD")
            try:
                reference = AltitudeReference(ref_raw)
            except ValueError:
                raise ValueError(
                    f"unknown altitude reference {ref_raw!r}: use AMSL, AGL, STD or W84"
                ) from None
            return cls(require_number(raw["value"], "an altitude's value"), unit, reference)
        raise ValueError(
            f'an altitude is "FL250", "5000 ft AMSL", "300 m AGL", "SFC" or "UNL"; got {raw!r}'
        )

    @classmethod
    def _read_text(cls, raw: str) -> Altitude:
        """:meth:`parse` of a text, every time (``_text`` remembers it for this class)."""
        text = raw.strip()
        upper = text.upper()
        if upper in ("SFC", "GND"):
            return cls.surface()
        if upper == "UNL":
            return cls(_UNLIMITED_FL, AltitudeUnit.FL, AltitudeReference.STD)
        fl = _FL_RE.match(text)
        if fl:
            return cls(int(fl.group(1)), AltitudeUnit.FL, AltitudeReference.STD)
        match = _ALT_RE.match(text)
        if match:
            number, unit, ref = match.groups()
            if ref is None:
                raise ValueError(
                    f"altitude {raw!r} needs its reference: AMSL, AGL or STD "
                    f'(e.g. "{number} {unit} AGL")'
                )
            ref_u = ref.upper()
            reference = AltitudeReference.AMSL if ref_u == "MSL" else AltitudeReference(ref_u)
            return cls(float(number), AltitudeUnit(unit.lower()), reference)
        raise ValueError(
            f'an altitude is "FL250", "5000 ft AMSL", "300 m AGL", "SFC" or "UNL"; got {raw!r}'
        )

    def __str__(self) -> str:
        # Only the canonical surface prints as SFC: "0 m AGL" must read back as metres.
        if self == _SURFACE:
            return "SFC"
        if self.is_unlimited:
            return "UNL"
        if self.unit is AltitudeUnit.FL:
            return f"FL{round(self.value):03d}"
        return f"{trim(self.value)} {self.unit.value} {self.reference.value}"

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "anyOf": [
                {
                    "type": "string",
                    "description": (
                        'An altitude with unit and reference: "FL250", "5000 ft AMSL", '
                        '"300 m AGL", "SFC" or "UNL".'
                    ),
                    "examples": ["FL250", "5000 ft AMSL", "SFC"],
                },
                {
                    "type": "object",
                    "properties": {
                        "value": {"type": "number"},
                        "unit": {"enum": ["m", "ft", "FL"]},
                        "reference": {"enum": ["AMSL", "AGL", "STD", "W84"]},
                    },
                    "required": ["value", "unit"],
                    "additionalProperties": False,
                },
            ]
        }


_SURFACE: Final = Altitude(0, AltitudeUnit.ft, AltitudeReference.AGL)
"""The ground (``SFC``): :meth:`Altitude.surface`."""


@functools.lru_cache(maxsize=1024)
def _text(raw: str) -> Altitude:
    """An altitude's text read once (immutable values): a line's notices use a few bands
    ("SFC", "FL100", ...), and each request read them again, pattern by pattern.  A text
    that is refused is not kept (the error is raised again)."""
    return Altitude._read_text(raw)
