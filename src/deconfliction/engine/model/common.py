"""Types shared by every model: identifiers, positions, UTC times."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Final, NamedTuple

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    ValidationError,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import InitErrorDetails, PydanticCustomError, core_schema

from deconfliction.engine.geodesy.measures import format_position
from deconfliction.engine.geodesy.validity import check_position
from deconfliction.engine.times import EARLIEST, LATEST, format_time, parse_utc
from deconfliction.engine.units import Duration, require_number

__all__ = [
    "EARLIEST",
    "LATEST",
    "MAX_COUNT",
    "Count",
    "DomainModel",
    "Identifier",
    "Position",
    "UtcTime",
    "at_least",
    "format_time",
    "located",
    "parse_utc",
]

_ID_RE: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")


def _check_identifier(value: str) -> str:
    if not _ID_RE.match(value):
        raise ValueError(
            f"identifier {value!r} must be 1-64 characters: letters, digits and . _ : - "
            "(starting with a letter or digit)"
        )
    return value


Identifier = Annotated[str, AfterValidator(_check_identifier)]
"""A stable identifier chosen by the author (``idf``, ``n-2026-0042``)."""

MAX_COUNT: Final = 2**53 - 1
"""The largest whole number JSON keeps exactly (and that canonical JSON, RFC 8785, accepts)."""

Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
"""A number of things (troops, tanks, weapons): whole, not negative, exact in JSON."""


class DomainModel(BaseModel):
    """Base of every domain model: immutable, and unknown fields are errors (a typo in a
    field name must not silently drop a margin or a deadline)."""

    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        populate_by_name=True,
        str_strip_whitespace=True,
        validate_default=True,
    )


def at_least(minimum: str, why: str) -> AfterValidator:
    """A duration field's minimum and the reason for it: shorter values are refused at the
    field, with the reason (``Annotated[Duration, at_least("1 s", "...")]``).  Every minimum
    on a duration is declared this way, beside the field it applies to.

    >>> from typing import Annotated
    >>> class Terms(DomainModel):
    ...     deadline: Annotated[Duration, at_least("1 s", "nobody can answer sooner")]
    >>> try:
    ...     Terms(deadline="0 s")
    ... except ValidationError as exc:
    ...     print(exc.errors()[0]["loc"], exc.errors()[0]["msg"])
    ('deadline',) Value error, 0 s is shorter than 1 s: nobody can answer sooner
    """
    least = Duration.parse(minimum)

    def check(value: Duration) -> Duration:
        if value.exact_seconds < least.exact_seconds:
            raise ValueError(f"{value} is shorter than {least}: {why}")
        return value

    return AfterValidator(check)


def located(path: tuple[str | int, ...], reason: str, value: Any = None) -> ValidationError:
    """An error about the field at ``path`` of the model being validated, for a check that
    looks at several fields: raised from a model validator, it is reported at that field
    (``volumes[0].altitude.upper``), not at the model as a whole.

    >>> from pydantic import model_validator
    >>> class Window(DomainModel):
    ...     start: int
    ...     end: int
    ...     @model_validator(mode="after")
    ...     def _ordered(self):
    ...         if self.end <= self.start:
    ...             raise located(("end",), "is not after start", self.end)
    ...         return self
    >>> try:
    ...     Window(start=2, end=1)
    ... except ValidationError as exc:
    ...     print(exc.errors()[0]["loc"], exc.errors()[0]["msg"])
    ('end',) is not after start
    """
    error = PydanticCustomError("value_error", "{reason}", {"reason": reason})
    return ValidationError.from_exception_data(
        "located", [InitErrorDetails(type=error, loc=path, input=value)]
    )


class _UtcTimeType:
    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            parse_utc,
            serialization=core_schema.plain_serializer_function_ser_schema(
                format_time, when_used="json"
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "string",
            "format": "date-time",
            "description": (
                "RFC 3339 time with an explicit offset; stored and written in UTC with "
                "microseconds (2026-11-24T10:00:00.000000Z)."
            ),
            "examples": ["2026-11-24T10:00:00Z"],
        }


UtcTime = Annotated[datetime, _UtcTimeType]
"""A timezone-aware time, converted to UTC on the way in."""

_HEMI_RE: Final = re.compile(
    r"^\s*(\d+(?:\.\d+)?)\s*([NSns])\s*[, ]\s*(\d+(?:\.\d+)?)\s*([EWew])\s*$"
)


class Position(NamedTuple):
    """A point on the ellipsoid, longitude and latitude in degrees (WGS84).

    Accepted forms, chosen to leave no doubt about the order:

    * ``"33.1250N 35.8240E"`` (latitude first, with hemisphere letters);
    * ``{"lat": 33.125, "lon": 35.824}``;
    * ``[35.824, 33.125]``, the GeoJSON order: longitude first.

    It is always written back in the GeoJSON order.

    Examples
    --------
    >>> Position.parse("33.125N 35.824E")
    Position(lon=35.824, lat=33.125)
    >>> Position.parse({"lat": 33.125, "lon": 35.824}) == Position.parse([35.824, 33.125])
    True
    >>> str(Position(35.824, 33.125))
    '33.12N 35.82E'
    """

    lon: float
    lat: float

    @classmethod
    def parse(cls, raw: Any) -> Position:
        if isinstance(raw, Position):
            return raw
        if isinstance(raw, str):
            match = _HEMI_RE.match(raw)
            if not match:
                raise ValueError(
                    f'a position is "33.125N 35.824E", {{"lat": .., "lon": ..}} or '
                    f"[lon, lat]; got {raw!r}"
                )
            lat = float(match.group(1)) * (1 if match.group(2).upper() == "N" else -1)
            lon = float(match.group(3)) * (1 if match.group(4).upper() == "E" else -1)
        elif isinstance(raw, dict):
            if set(raw) != {"lat", "lon"}:
                raise ValueError('a position object has exactly "lat" and "lon"')
            lat, lon = require_number(raw["lat"], "lat"), require_number(raw["lon"], "lon")
        elif isinstance(raw, list | tuple):
            if len(raw) != 2:
                raise ValueError(
                    f"a position array is [longitude, latitude] (GeoJSON order); got {len(raw)} "
                    "numbers"
                )
            lon, lat = require_number(raw[0], "longitude"), require_number(raw[1], "latitude")
        else:
            raise ValueError(
                f'a position is "33.125N 35.824E", {{"lat": .., "lon": ..}} or [lon, lat]; '
                f"got {raw!r}"
            )
        check_position(lon, lat)
        return cls(lon, lat)

    def __str__(self) -> str:
        return format_position(self.lon, self.lat)

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            cls.parse,
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda p: [p.lon, p.lat], when_used="always"
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "description": (
                'A WGS84 position: "33.125N 35.824E", {"lat": 33.125, "lon": 35.824}, or '
                "[lon, lat] in GeoJSON order."
            ),
            "anyOf": [
                {
                    "type": "string",
                    "pattern": r"^\s*\d+(\.\d+)?\s*[NSns]\s*[, ]\s*\d+(\.\d+)?\s*[EWew]\s*$",
                },
                {
                    "type": "object",
                    "properties": {
                        "lat": {"type": "number", "minimum": -90, "maximum": 90},
                        "lon": {"type": "number", "minimum": -180, "maximum": 180},
                    },
                    "required": ["lat", "lon"],
                    "additionalProperties": False,
                },
                {
                    "type": "array",
                    "items": {"type": "number"},
                    "minItems": 2,
                    "maxItems": 2,
                },
            ],
        }
