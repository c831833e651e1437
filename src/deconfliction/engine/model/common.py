"""Types shared by every model: identifiers, positions, UTC times, limits."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Final, NamedTuple

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    ValidationInfo,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from deconfliction.engine.geodesy.measures import format_position
from deconfliction.engine.geodesy.validity import check_position
from deconfliction.engine.units import require_number

__all__ = [
    "EARLIEST",
    "LATEST",
    "MAX_COUNT",
    "Count",
    "DomainModel",
    "Identifier",
    "Limits",
    "Position",
    "UtcTime",
    "limits_from",
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


EARLIEST: Final = datetime(1900, 1, 1, tzinfo=UTC)
LATEST: Final = datetime(2999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
"""Times outside these are typing errors (and would overflow the calendar when a margin or a
deadline is added to them)."""


def parse_utc(raw: Any) -> datetime:
    """Read an RFC 3339 time with an explicit offset and return it in UTC.

    Examples
    --------
    >>> parse_utc("2026-11-24T12:00:00+02:00").isoformat()
    '2026-11-24T10:00:00+00:00'
    >>> parse_utc("2026-11-24T12:00:00")
    Traceback (most recent call last):
    ...
    ValueError: time '2026-11-24T12:00:00' has no timezone: write it in RFC 3339 with an offset, e.g. 2026-11-24T12:00:00Z
    """
    if isinstance(raw, datetime):
        value = raw
        text = raw.isoformat()
    elif isinstance(raw, str):
        text = raw.strip()
        candidate = text[:-1] + "+00:00" if text[-1:] in ("Z", "z") else text
        try:
            value = datetime.fromisoformat(candidate)
        except ValueError:
            raise ValueError(f"time {raw!r} is not RFC 3339, e.g. 2026-11-24T12:00:00Z") from None
    else:
        raise ValueError(f"a time is an RFC 3339 string, e.g. 2026-11-24T12:00:00Z; got {raw!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"time {text!r} has no timezone: write it in RFC 3339 with an offset, "
            f"e.g. {text.split('+')[0]}Z"
        )
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not EARLIEST <= utc <= LATEST:
        raise ValueError(
            f"time {text!r} is out of range: times are between the years 1900 and 2999"
        )
    return utc


class _UtcTimeType:
    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: type[Any], handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            parse_utc,
            serialization=core_schema.plain_serializer_function_ser_schema(
                lambda v: v.isoformat().replace("+00:00", "Z"), when_used="json"
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "string",
            "format": "date-time",
            "description": "RFC 3339 time with an explicit offset; stored in UTC.",
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


@dataclass(frozen=True, slots=True)
class Limits:
    """Configurable bounds on what a single item may be.

    ``max_area_km2``: the largest area one volume may cover; a larger one is refused (a typo
    in a radius should not notify half a country).  ``duplicate_site_distance_m``: two sites
    of the same category closer than this are reported as probable duplicates.
    """

    max_area_km2: float = 50_000.0
    duplicate_site_distance_m: float = 100.0


def limits_from(info: ValidationInfo) -> Limits:
    """The :class:`Limits` passed in the validation context, or the defaults."""
    context = info.context
    if isinstance(context, dict):
        limits = context.get("limits")
        if isinstance(limits, Limits):
            return limits
    return Limits()
