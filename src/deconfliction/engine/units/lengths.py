"""Lengths: margins, radii, corridor widths, in m, km, NM or ft."""

from __future__ import annotations

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
    NAUTICAL_MILE,
    NUMBER,
    Metres,
    TextForm,
    exact_decimal,
    finite,
    require_number,
    trim,
)

__all__ = ["Length", "LengthUnit"]


class LengthUnit(StrEnum):
    m = "m"
    km = "km"
    NM = "NM"
    ft = "ft"


_LENGTH_FACTORS: Final = {
    LengthUnit.m: 1.0,
    LengthUnit.km: 1000.0,
    LengthUnit.NM: NAUTICAL_MILE,
    LengthUnit.ft: FOOT,
}
_EXACT_LENGTH_FACTORS: Final = {
    LengthUnit.m: Fraction(1),
    LengthUnit.km: Fraction(1000),
    LengthUnit.NM: Fraction(1852),
    LengthUnit.ft: EXACT_FOOT,
}
_LENGTH_ALIASES: Final = {
    "m": LengthUnit.m,
    "km": LengthUnit.km,
    "nm": LengthUnit.NM,
    "nmi": LengthUnit.NM,
    "ft": LengthUnit.ft,
}
_LENGTH_RE: Final = re.compile(rf"^\s*({NUMBER})\s*([A-Za-z]+)\s*$")


@dataclass(frozen=True, slots=True)
class Length(TextForm):
    """A non-negative length in the unit it was given in.

    Accepted forms: ``"3 NM"``, ``"5.5 km"``, ``"500 m"``, ``"1000 ft"``, or
    ``{"value": 3, "unit": "NM"}``.

    Examples
    --------
    >>> Length.parse("3 NM").metres
    5556.0
    >>> str(Length.parse("1000ft"))
    '1000 ft'
    >>> Length.parse(12)
    Traceback (most recent call last):
    ...
    ValueError: a length needs a unit, e.g. "3 NM", "5 km", "500 m" or "1000 ft"; got 12
    """

    value: float
    unit: LengthUnit

    def __post_init__(self) -> None:
        finite(self.value, "a length")
        if self.value < 0:
            raise ValueError(f"a length cannot be negative, got {self}")

    @property
    def metres(self) -> Metres:
        return self.value * _LENGTH_FACTORS[self.unit]

    @property
    def exact_metres(self) -> Fraction:
        """The length in metres, exactly (see the module's docstring).

        >>> Length.parse("500 ft").exact_metres
        Fraction(762, 5)
        """
        return exact_decimal(self.value) * _EXACT_LENGTH_FACTORS[self.unit]

    @classmethod
    def of_metres(cls, metres: Metres) -> Length:
        return cls(metres, LengthUnit.m)

    @classmethod
    def parse(cls, raw: Any) -> Length:
        if isinstance(raw, Length):
            return raw
        if isinstance(raw, str):
            match = _LENGTH_RE.match(raw)
            if not match:
                raise ValueError(
                    f'a length is a number and a unit (m, km, NM, ft), e.g. "3 NM"; got {raw!r}'
                )
            number, unit_text = match.groups()
            unit = _LENGTH_ALIASES.get(unit_text.lower())
            if unit is None:
                raise ValueError(f"unknown length unit {unit_text!r}: use m, km, NM or ft")
            return cls(float(number), unit)
        if isinstance(raw, dict):
            if set(raw) != {"value", "unit"}:
                raise ValueError('a length object has exactly "value" and "unit"')
            unit = _LENGTH_ALIASES.get(str(raw["unit"]).lower())
            if unit is None:
                raise ValueError(f"unknown length unit {raw['unit']!r}: use m, km, NM or ft")
            return cls(require_number(raw["value"], "a length's value"), unit)
        raise ValueError(
            f'a length needs a unit, e.g. "3 NM", "5 km", "500 m" or "1000 ft"; got {raw!r}'
        )

    def __str__(self) -> str:
        return f"{trim(self.value)} {self.unit.value}"

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "string",
            "pattern": rf"^\s*{NUMBER}\s*(m|km|NM|nm|nmi|ft)\s*$",
            "description": 'A length with its unit: "3 NM", "5.5 km", "500 m", "1000 ft".',
            "examples": ["3 NM", "5 km"],
        }
