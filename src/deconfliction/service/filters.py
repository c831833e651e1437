"""Filters that lists share: a time window and an area (a longitude/latitude box)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import shapely

from deconfliction.engine.errors import InvalidInput, Problem
from deconfliction.engine.model.common import parse_utc
from deconfliction.engine.times import format_time

__all__ = ["BBox", "TimeRange", "parse_bbox", "parse_time", "parse_time_range"]


@dataclass(frozen=True, slots=True)
class BBox:
    """A box in degrees, ``west,south,east,north`` as in GeoJSON (RFC 7946 §5)."""

    west: float
    south: float
    east: float
    north: float

    def polygon(self) -> shapely.Polygon:
        return shapely.box(self.west, self.south, self.east, self.north)


@dataclass(frozen=True, slots=True)
class TimeRange:
    """From ``start`` (inclusive) to ``end`` (exclusive); either may be open."""

    start: datetime | None = None
    end: datetime | None = None

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """Whether [start, end) meets this range."""
        return (self.end is None or start < self.end) and (self.start is None or end > self.start)


def parse_time(raw: str | None, name: str) -> datetime | None:
    """An RFC 3339 time with an offset, or None; InvalidInput at ``name`` otherwise."""
    if raw is None:
        return None
    try:
        return parse_utc(raw)
    except ValueError as exc:
        raise InvalidInput.at((name,), str(exc)) from None


def parse_time_range(start: str | None, end: str | None) -> TimeRange:
    """Both ends checked; the end must come after the start."""
    problems: list[Problem] = []
    times: dict[str, datetime | None] = {}
    for name, raw in (("start", start), ("end", end)):
        try:
            times[name] = parse_time(raw, name)
        except InvalidInput as exc:
            problems.extend(exc.problems)
    if problems:
        raise InvalidInput(problems)
    lo, hi = times["start"], times["end"]
    if lo is not None and hi is not None and hi <= lo:
        raise InvalidInput.at(("end",), f"{format_time(hi)} is not after start {format_time(lo)}")
    return TimeRange(lo, hi)


def parse_bbox(raw: str | None) -> BBox | None:
    """``west,south,east,north`` in degrees; a box across 180° is refused (give two)."""
    if raw is None:
        return None
    parts = [p.strip() for p in raw.split(",")]
    if len(parts) != 4:
        raise InvalidInput.at(
            ("bbox",), f"a box is west,south,east,north (4 numbers in degrees); got {len(parts)}"
        )
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise InvalidInput.at(("bbox",), f"not four numbers: {raw!r}") from None
    if not all(math.isfinite(v) for v in (west, south, east, north)):
        raise InvalidInput.at(("bbox",), "numbers must be finite")
    if not (-180.0 <= west <= 180.0 and -180.0 <= east <= 180.0):
        raise InvalidInput.at(("bbox",), "longitudes must be between -180 and 180")
    if not (-90.0 <= south <= 90.0 and -90.0 <= north <= 90.0):
        raise InvalidInput.at(("bbox",), "latitudes must be between -90 and 90")
    if south > north:
        raise InvalidInput.at(("bbox",), f"south {south} is north of north {north}")
    if west > east:
        raise InvalidInput.at(
            ("bbox",), "west is east of east: a box across 180° is not supported (ask for two)"
        )
    return BBox(west, south, east, north)
