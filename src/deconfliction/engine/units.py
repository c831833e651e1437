"""Quantities with their units: lengths, durations and altitudes.

Every quantity keeps the unit it was given in, so that an explanation can speak the user's
language ("3 NM margin", "FL250"), and converts exactly to SI for computation.  Bare numbers are
refused: an ambiguous unit is how 9 km errors happen.

Type aliases carry their unit in the annotation (``Metres``, ``Feet``, ``Seconds``) so that a
signature says what it expects.

Two values of each quantity: a float for computation (``metres``, ``seconds``), and an exact
rational (``exact_metres``, ``exact_seconds``) for decisions at a threshold.  The exact value is
the number as written (the shortest decimal that reads back as the stored float, which is what
the quantity prints) times the unit's exact factor: a foot is 0.3048 m and a flight level
100 ft by definition, so "FL010" plus "500 ft" is exactly "457.2 m AMSL", which the products
of binary floats are not.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from fractions import Fraction
from typing import Annotated, Any, Final

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

__all__ = [
    "FOOT",
    "MAX_DURATION_S",
    "NAUTICAL_MILE",
    "Altitude",
    "AltitudeReference",
    "AltitudeUnit",
    "Duration",
    "Feet",
    "Length",
    "LengthUnit",
    "Metres",
    "Seconds",
    "exact_decimal",
    "format_duration",
    "require_number",
]

Metres = Annotated[float, "m"]
Feet = Annotated[float, "ft"]
Seconds = Annotated[float, "s"]

FOOT: Final = 0.3048
"""Metres in one international foot."""
EXACT_FOOT: Final = Fraction(3048, 10_000)
"""The same, exactly."""
NAUTICAL_MILE: Final = 1852.0
"""Metres in one international nautical mile."""


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
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_LENGTH_RE: Final = re.compile(rf"^\s*({_NUMBER})\s*([A-Za-z]+)\s*$")


MAX_DURATION_S: Final = 100 * 365.25 * 86400.0
"""The longest duration (100 years): longer ones are typing errors, and would overflow the
calendar when added to a time."""


def _finite(value: float, what: str) -> float:
    if not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number")
    return value


@functools.lru_cache(maxsize=4096)
def exact_decimal(value: float) -> Fraction:
    """A float as the decimal it reads back from (its shortest form, as ``repr`` writes it),
    exactly.  Remembered: margins and bounds recur.

    >>> exact_decimal(0.1), exact_decimal(457.2), exact_decimal(1e-07)
    (Fraction(1, 10), Fraction(2286, 5), Fraction(1, 10000000))
    """
    return Fraction(repr(float(value)))


@functools.lru_cache(maxsize=1024)
def _ceil_microseconds(seconds: float) -> int:
    return math.ceil(exact_decimal(seconds) * 1_000_000)


def _times(number: str, factor: int) -> float:
    """``number`` (decimal text) times a whole ``factor``, rounded once to the nearest double:
    "0.07 h" is 252 s, where 0.07 * 3600 in binary is 252.00000000000003."""
    quick = float(number) * factor
    if not 1e-300 < abs(quick) < 1e300:  # zero, huge or tiny: no exact product worth having
        return quick
    return float(Fraction(number) * factor)


def require_number(raw: Any, what: str) -> float:
    """``raw`` as a finite float, refusing booleans, strings and everything else.

    >>> require_number(3, "a value")
    3.0
    >>> require_number("3", "latitude")
    Traceback (most recent call last):
    ...
    ValueError: latitude must be a number, got '3'
    """
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise ValueError(f"{what} must be a number, got {raw!r}")
    try:
        return _finite(float(raw), what)
    except OverflowError:  # an integer too large for a float
        raise ValueError(f"{what} must be a finite number") from None


class _TextForm:
    """Quantities read from text (or objects) and written back as text: the pydantic hook
    that validates with ``parse`` and serialises with ``write``, for every quantity."""

    __slots__ = ()

    @classmethod
    def parse(cls, raw: Any) -> Any:
        raise NotImplementedError

    def write(self) -> str:
        return str(self)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return _string_backed_schema(cls.parse, cls.write)


@dataclass(frozen=True, slots=True)
class Length(_TextForm):
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
        _finite(self.value, "a length")
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
        return f"{_trim(self.value)} {self.unit.value}"

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "string",
            "pattern": rf"^\s*{_NUMBER}\s*(m|km|NM|nm|nmi|ft)\s*$",
            "description": 'A length with its unit: "3 NM", "5.5 km", "500 m", "1000 ft".',
            "examples": ["3 NM", "5 km"],
        }


_DURATION_UNITS: Final = {
    "s": 1,
    "sec": 1,
    "min": 60,
    "h": 3600,
    "d": 86400,
}
_ISO_FACTORS: Final = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_DURATION_RE: Final = re.compile(rf"^\s*({_NUMBER})\s*([A-Za-z]+)\s*$")
_ISO_DURATION_RE: Final = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


@dataclass(frozen=True, slots=True)
class Duration(_TextForm):
    """A non-negative span of time.

    Accepted forms: ``"30 min"``, ``"48 h"``, ``"90 s"``, ``"2 d"`` or ISO 8601 (``"PT30M"``).

    Examples
    --------
    >>> Duration.parse("30 min").seconds
    1800.0
    >>> Duration.parse("PT1H30M").seconds
    5400.0
    >>> str(Duration.parse("48 h"))
    '48 h'
    """

    seconds: Seconds

    def __post_init__(self) -> None:
        _finite(self.seconds, "a duration")
        if self.seconds < 0:
            raise ValueError("a duration cannot be negative")
        if self.seconds > MAX_DURATION_S:
            raise ValueError("a duration is at most 100 years")

    @property
    def timedelta(self) -> timedelta:
        return timedelta(seconds=self.seconds)

    @property
    def exact_seconds(self) -> Fraction:
        """The duration in seconds, exactly as it is written.

        >>> Duration.parse("0.07 h").exact_seconds
        Fraction(252, 1)
        """
        return exact_decimal(self.seconds)

    @property
    def exact_microseconds(self) -> int:
        """The whole number of microseconds ``n`` such that a whole number of microseconds
        ``g`` is shorter than the duration exactly when ``g < n`` (the ceiling).

        >>> Duration.parse("1.5 s").exact_microseconds, Duration(1e-7).exact_microseconds
        (1500000, 1)
        """
        return _ceil_microseconds(self.seconds)

    @classmethod
    def parse(cls, raw: Any) -> Duration:
        if isinstance(raw, Duration):
            return raw
        if isinstance(raw, timedelta):
            return cls(raw.total_seconds())
        if isinstance(raw, str):
            text = raw.strip()
            iso = _ISO_DURATION_RE.match(text)
            if iso and text not in ("P", "PT"):
                parts = {k: v for k, v in iso.groupdict().items() if v}
                if len(parts) == 1:
                    ((part, number),) = parts.items()
                    return cls(_times(number, _ISO_FACTORS[part]))
                return cls(float(sum(Fraction(v) * _ISO_FACTORS[k] for k, v in parts.items())))
            match = _DURATION_RE.match(text)
            if match:
                number, unit = match.groups()
                factor = _DURATION_UNITS.get(unit.lower())
                if factor is not None:
                    return cls(_times(number, factor))
        raise ValueError(
            f'a duration is a number and a unit (s, min, h, d) or ISO 8601, e.g. "30 min" or '
            f'"PT30M"; got {raw!r}'
        )

    def __str__(self) -> str:
        return format_duration(self.seconds)

    def canonical(self) -> str:
        """An exact form that reads back equal: whole hours, whole minutes, or seconds.

        >>> Duration(1800.0).canonical(), Duration(172800.0).canonical(), Duration(90.5).canonical()
        ('30 min', '48 h', '90.5 s')
        """
        if self.seconds and self.seconds % 3600 == 0:
            return f"{_trim(self.seconds / 3600)} h"
        if self.seconds and self.seconds % 60 == 0:
            return f"{_trim(self.seconds / 60)} min"
        return f"{_trim(self.seconds)} s"

    def write(self) -> str:
        return self.canonical()

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "string",
            "description": 'A duration: "30 min", "48 h", "90 s", "2 d" or ISO 8601 "PT30M".',
            "examples": ["30 min", "48 h", "PT30M"],
        }


def format_duration(seconds: Seconds) -> str:
    """Say a duration the way a duty officer would.

    Examples
    --------
    >>> format_duration(50)
    '50 s'
    >>> format_duration(1800)
    '30 min'
    >>> format_duration(5400)
    '1 h 30 min'
    >>> format_duration(-90)
    '-1 min 30 s'
    """
    sign = "-" if seconds < 0 else ""
    rest = abs(seconds)
    if rest < 60:
        return f"{sign}{_trim(round(rest, 1))} s"
    total = round(rest)
    days, total = divmod(total, 86400)
    hours, total = divmod(total, 3600)
    minutes, secs = divmod(total, 60)
    if days and not (hours or minutes or secs):
        return f"{sign}{days * 24} h" if days <= 3 else f"{sign}{days} d"
    parts = []
    if days:
        parts.append(f"{days} d")
    if hours:
        parts.append(f"{hours} h")
    if minutes:
        parts.append(f"{minutes} min")
    if secs and not days:
        parts.append(f"{secs} s")
    return sign + " ".join(parts)


class AltitudeUnit(StrEnum):
    m = "m"
    ft = "ft"
    FL = "FL"


class AltitudeReference(StrEnum):
    """The datum an altitude is measured from.

    ``AMSL`` above mean sea level; ``AGL`` above ground level; ``STD`` pressure altitude on the
    standard setting (1013.25 hPa), which flight levels always use.
    """

    AMSL = "AMSL"
    AGL = "AGL"
    STD = "STD"


_ALT_RE: Final = re.compile(rf"^\s*({_NUMBER})\s*(m|ft)\s*(AMSL|MSL|AGL|STD|SFC)?\s*$", re.I)
_FL_RE: Final = re.compile(r"^\s*FL\s*(\d{1,3})\s*$", re.I)

_UNLIMITED_FL: Final = 999


@dataclass(frozen=True, slots=True)
class Altitude(_TextForm):
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
        _finite(self.value, "an altitude")
        if self.unit is AltitudeUnit.FL:
            if self.value != round(self.value):
                raise ValueError(f"a flight level is a whole number, got FL{self.value}")
            if self.reference is not AltitudeReference.STD:
                raise ValueError("a flight level is a pressure altitude: its reference is STD")
            if self.value < 0 or self.value > _UNLIMITED_FL:
                # Not {self}: that prints FL1000 as "UNL".
                raise ValueError(
                    f"flight level must be between FL000 and FL999, got FL{_trim(self.value)}"
                )
        if self.value < -500 and self.unit is AltitudeUnit.m:
            raise ValueError(f"altitude {self} is below any surface on Earth")
        if self.value < -1600 and self.unit is AltitudeUnit.ft:
            raise ValueError(f"altitude {self} is below any surface on Earth")
        if self.reference is AltitudeReference.AGL and self.value < 0:
            raise ValueError(f"an altitude above ground cannot be negative, got {self}")

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
        return cls(0, AltitudeUnit.ft, AltitudeReference.AGL)

    @classmethod
    def parse(cls, raw: Any) -> Altitude:
        if isinstance(raw, Altitude):
            return raw
        if isinstance(raw, str):
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
                    f"unknown altitude reference {ref_raw!r}: use AMSL, AGL or STD"
                ) from None
            return cls(require_number(raw["value"], "an altitude's value"), unit, reference)
        raise ValueError(
            f'an altitude is "FL250", "5000 ft AMSL", "300 m AGL", "SFC" or "UNL"; got {raw!r}'
        )

    def __str__(self) -> str:
        # Only the canonical surface prints as SFC: "0 m AGL" must read back as metres.
        if self == Altitude.surface():
            return "SFC"
        if self.is_unlimited:
            return "UNL"
        if self.unit is AltitudeUnit.FL:
            return f"FL{round(self.value):03d}"
        return f"{_trim(self.value)} {self.unit.value} {self.reference.value}"

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
                        "reference": {"enum": ["AMSL", "AGL", "STD"]},
                    },
                    "required": ["value", "unit"],
                    "additionalProperties": False,
                },
            ]
        }


def _trim(value: float) -> str:
    """Print a number exactly (it must read back equal) without a useless ``.0``.

    >>> _trim(3.0), _trim(5000.123456789), _trim(250)
    ('3', '5000.123456789', '250')
    """
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def _string_backed_schema(parse: Any, write: Any = str) -> core_schema.CoreSchema:
    """Validate with ``parse`` from any JSON value and serialise with ``write`` (a string form
    that ``parse`` reads back equal)."""
    return core_schema.no_info_plain_validator_function(
        parse,
        serialization=core_schema.plain_serializer_function_ser_schema(write, when_used="always"),
    )
