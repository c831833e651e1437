"""What every quantity shares: the unit-typed aliases, exact decimals, numbers refused unless
finite, and the pydantic hook that reads a quantity from text and writes it back as text."""

from __future__ import annotations

import functools
import math
from fractions import Fraction
from typing import Annotated, Any, Final

from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

__all__ = [
    "EXACT_FOOT",
    "FOOT",
    "NAUTICAL_MILE",
    "NUMBER",
    "Feet",
    "Metres",
    "Seconds",
    "TextForm",
    "exact_decimal",
    "finite",
    "require_number",
    "times_exactly",
    "trim",
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

NUMBER: Final = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
"""A decimal number as text (the pattern every quantity's text form starts with)."""


def finite(value: float, what: str) -> float:
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


def times_exactly(number: str, factor: int) -> float:
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
        return finite(float(raw), what)
    except OverflowError:  # an integer too large for a float
        raise ValueError(f"{what} must be a finite number") from None


class TextForm:
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
        return string_backed_schema(cls.parse, cls.write)


def trim(value: float) -> str:
    """Print a number exactly (it must read back equal) without a useless ``.0``.

    >>> trim(3.0), trim(5000.123456789), trim(250)
    ('3', '5000.123456789', '250')
    """
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def string_backed_schema(parse: Any, write: Any = str) -> core_schema.CoreSchema:
    """Validate with ``parse`` from any JSON value and serialise with ``write`` (a string form
    that ``parse`` reads back equal)."""
    return core_schema.no_info_plain_validator_function(
        parse,
        serialization=core_schema.plain_serializer_function_ser_schema(write, when_used="always"),
    )
