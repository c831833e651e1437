"""Track reports: one message from one source about one aircraft, as the format gave it.

Formats send partial messages (an SBS ``MSG,3`` has a position and an altitude, an ``MSG,4``
the velocity), so every field but the aircraft, the time and the source may be ``None``.  A
report is a named tuple: it is made a hundred thousand times a second.

Times are seconds since the Unix epoch, UTC (a double holds microseconds exactly until 2255):
``t`` is the time the source gave, ``received`` the time this process got it.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

from deconfliction.engine.tracks.quantities import Speed, TrackAltitude, VerticalRate

__all__ = [
    "ParseResult",
    "Rejected",
    "TrackReport",
    "anonymous_key",
    "icao_key",
    "system_track_key",
    "utc",
]


def icao_key(address: int) -> str:
    """The key of an aircraft by its ICAO 24-bit address.

    >>> icao_key(0x4CA123)
    'icao:4ca123'
    """
    if not 0 <= address < 1 << 24:
        raise ValueError(f"an ICAO address has 24 bits, got {address:#x}")
    return f"icao:{address:06x}"


def anonymous_key(text: str) -> str:
    """A non-ICAO address (readsb's ``~`` addresses: TIS-B, anonymised).

    >>> anonymous_key("~4ca123")
    'other:~4ca123'
    """
    return f"other:{text.lower()}"


def system_track_key(source: str, number: int) -> str:
    """A surveillance system track without a Mode S address (CAT062 I062/040)."""
    return f"track:{source}/{number}"


def utc(t: float) -> datetime:
    """A report time as an aware datetime.

    >>> utc(0.0).isoformat()
    '1970-01-01T00:00:00+00:00'
    """
    return datetime.fromtimestamp(t, UTC)


class TrackReport(NamedTuple):
    """One report.  See the module documentation for times; quantities keep their units."""

    key: str
    t: float
    source: str
    callsign: str | None = None
    lon: float | None = None
    lat: float | None = None
    baro: TrackAltitude | None = None
    geom: TrackAltitude | None = None
    speed: Speed | None = None
    track: float | None = None
    """Track angle over the ground, degrees clockwise from true north."""
    rate: VerticalRate | None = None
    on_ground: bool | None = None
    squawk: str | None = None
    received: float | None = None
    ref: str = ""
    """Where in the source: ``line 12``, ``offset 4096``, ``record 3``."""

    @property
    def has_position(self) -> bool:
        return self.lon is not None and self.lat is not None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (the evidence recorded with a tactical alert)."""
        out: dict[str, Any] = {"key": self.key, "t": self.t, "source": self.source}
        for name in ("callsign", "lon", "lat", "track", "on_ground", "squawk", "received", "ref"):
            value = getattr(self, name)
            if value is not None and value != "":
                out[name] = value
        for name in ("baro", "geom", "speed", "rate"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value.to_dict()
        return out


class Rejected(NamedTuple):
    """Input that could not be read: where it was and why."""

    where: str
    reason: str


@dataclass
class ParseResult:
    """What a parser read: the reports, what it rejected (with reasons), and how many
    well-formed messages carried nothing for tracks (``ignored``)."""

    reports: list[TrackReport] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    ignored: int = 0

    def extend(self, other: ParseResult) -> None:
        self.reports.extend(other.reports)
        self.rejected.extend(other.rejected)
        self.ignored += other.ignored

    def reasons(self) -> Counter[str]:
        """Rejections counted by reason (the reason's text before any quoted value)."""
        return Counter(r.reason.split(":")[0] for r in self.rejected)


def check_position(lon: float, lat: float) -> str | None:
    """Why a position is unusable, or None."""
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return "position is not finite"
    if not -90.0 <= lat <= 90.0:
        return f"latitude {lat!r} outside -90..90"
    if not -180.0 <= lon <= 180.0:
        return f"longitude {lon!r} outside -180..180"
    return None


def check_track(track: float) -> str | None:
    if not (math.isfinite(track) and -360.0 <= track <= 360.0):
        return f"track angle {track!r} outside 0..360"
    return None
