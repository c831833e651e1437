"""Durations: lead times, deadlines, windows, in s, min, h, d or ISO 8601."""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from datetime import timedelta
from fractions import Fraction
from typing import Any, Final

from pydantic import GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from deconfliction.engine.units.quantity import (
    NUMBER,
    Seconds,
    TextForm,
    exact_decimal,
    finite,
    times_exactly,
    trim,
)

__all__ = ["MAX_DURATION_S", "Duration", "format_duration"]

MAX_DURATION_S: Final = 100 * 365.25 * 86400.0
"""The longest duration (100 years): longer ones are typing errors, and would overflow the
calendar when added to a time."""


@functools.lru_cache(maxsize=1024)
def _ceil_microseconds(seconds: float) -> int:
    return math.ceil(exact_decimal(seconds) * 1_000_000)


_DURATION_UNITS: Final = {
    "s": 1,
    "sec": 1,
    "min": 60,
    "h": 3600,
    "d": 86400,
}
_ISO_FACTORS: Final = {"d": 86400, "h": 3600, "m": 60, "s": 1}
_DURATION_RE: Final = re.compile(rf"^\s*({NUMBER})\s*([A-Za-z]+)\s*$")
_ISO_DURATION_RE: Final = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


@dataclass(frozen=True, slots=True)
class Duration(TextForm):
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
        finite(self.seconds, "a duration")
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
                    return cls(times_exactly(number, _ISO_FACTORS[part]))
                return cls(float(sum(Fraction(v) * _ISO_FACTORS[k] for k, v in parts.items())))
            match = _DURATION_RE.match(text)
            if match:
                number, unit = match.groups()
                factor = _DURATION_UNITS.get(unit.lower())
                if factor is not None:
                    return cls(times_exactly(number, factor))
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
            return f"{trim(self.seconds / 3600)} h"
        if self.seconds and self.seconds % 60 == 0:
            return f"{trim(self.seconds / 60)} min"
        return f"{trim(self.seconds)} s"

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
        return f"{sign}{trim(round(rest, 1))} s"
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
