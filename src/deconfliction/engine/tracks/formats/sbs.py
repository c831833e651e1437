"""SBS-1 / BaseStation text (readsb and dump1090 on TCP port 30003).

A line is 22 comma-separated fields::

    MSG,3,1,1,4CA123,1,2026/12/06,18:00:00.000,2026/12/06,18:00:00.000,,37000,,,33.1,35.5,,,0,0,0,0

0 message type, 1 transmission type (1-8), 2 session, 3 aircraft id, 4 hex ident, 5 flight
id, 6-7 date and time generated, 8-9 date and time logged, 10 callsign, 11 altitude (ft,
pressure altitude), 12 ground speed (kt), 13 track (degrees), 14 latitude, 15 longitude, 16
vertical rate (ft/min, datum not said), 17 squawk, 18 alert, 19 emergency, 20 SPI, 21 on
ground (``-1`` true, ``0`` false).  Only ``MSG`` lines carry tracks; ``SEL``, ``ID``, ``AIR``,
``STA`` and ``CLK`` are counted as ignored.  Timestamps have no zone: readsb writes UTC,
dump1090 the receiver's local time, so the parser takes the receiver's offset from UTC.

Examples
--------
>>> p = SbsParser("recv-1")
>>> line = b"MSG,3,1,1,4CA123,1,2026/12/06,18:00:00.500,2026/12/06,18:00:00.600,,37000,,,33.1,35.5,,,0,0,0,0\\n"
>>> r = p.feed(line).reports[0]
>>> r.key, str(r.baro), r.lat, r.lon, utc(r.t).isoformat()
('icao:4ca123', '37000 ft baro', 33.1, 35.5, '2026-12-06T18:00:00.500000+00:00')
>>> p.feed(b"MSG,3,1,1,4CA123,1,2026/12/06,18:00:01.000,,,,37000,,,95.0,35.5,,,,,,\\n").rejected
[Rejected(where='line 2', reason='latitude 95.0 outside -90..90')]
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from typing import Final

from deconfliction.engine.tracks.quantities import (
    Speed,
    SpeedUnit,
    TrackAltitude,
    VerticalDatum,
    VerticalRate,
    VerticalRateUnit,
)
from deconfliction.engine.tracks.reports import (
    ParseResult,
    Rejected,
    TrackReport,
    anonymous_key,
    check_position,
    check_track,
    icao_key,
    utc,
)
from deconfliction.engine.units import AltitudeUnit

__all__ = ["SbsParser", "utc"]

_OTHER_TYPES: Final = frozenset({"SEL", "ID", "AIR", "STA", "CLK"})
_FT: Final = AltitudeUnit.ft
_BARO: Final = VerticalDatum.barometric
_KT: Final = SpeedUnit.kt
_FPM: Final = VerticalRateUnit.ft_min
_UNSPEC: Final = VerticalDatum.unspecified
_NAMES: Final = {
    11: "altitude",
    12: "ground speed",
    13: "track",
    14: "latitude",
    15: "longitude",
    16: "vertical rate",
}
MAX_LINE: Final = 1024
"""Longer lines are rejected (an SBS line is under 200 bytes)."""


class _Bad(Exception):
    pass


def _number(fields: list[str], i: int) -> float | None:
    text = fields[i]
    if not text:
        return None
    return _value(text, i)


def _value(text: str, i: int) -> float:
    try:
        value = float(text)
    except ValueError:
        raise _Bad(f"field {i} ({_NAMES[i]}) is not a number: {text[:40]!r}") from None
    if not math.isfinite(value):
        raise _Bad(f"field {i} ({_NAMES[i]}) is not finite: {text[:40]!r}")
    return value


_MEMO: Final = 4096
"""Entries each of a parser's memos holds before it starts again (addresses, quantities,
minutes): a receiver hears a few thousand aircraft, and altitudes, speeds and rates come in
steps."""


def _flag(text: str) -> bool | None:
    if text in ("-1", "1"):
        return True
    if text == "0":
        return False
    return None


class SbsParser:
    """Reads SBS lines from a stream of bytes (see the module documentation)."""

    def __init__(self, source: str, utc_offset_s: float = 0.0) -> None:
        self.source = source
        self.utc_offset_s = utc_offset_s
        self.line_no = 0
        self._rest = b""
        self._days: dict[str, float] = {}
        # Memos of what repeats from line to line, each value made by the same code as without
        # them (so the same value): the key of a hex ident, the start of a minute, and the
        # quantity of a field's text (quantities are immutable, so reports share them).
        self._keys: dict[str, str] = {}
        self._minutes: dict[tuple[str, str], float] = {}
        self._altitudes: dict[str, TrackAltitude] = {}
        self._speeds: dict[str, Speed] = {}
        self._rates: dict[str, VerticalRate] = {}

    def feed(self, data: bytes, received: float | None = None) -> ParseResult:
        chunk = self._rest + data
        lines = chunk.split(b"\n")
        self._rest = lines.pop()
        if len(self._rest) > MAX_LINE:
            lines.append(self._rest)
            self._rest = b""
        return self.parse_lines(lines, received)

    def finish(self) -> ParseResult:
        rest, self._rest = self._rest, b""
        return self.parse_lines([rest] if rest.strip() else [], None)

    def parse_lines(self, lines: list[bytes], received: float | None = None) -> ParseResult:
        result = ParseResult()
        reports = result.reports
        for raw in lines:
            self.line_no += 1
            if len(raw) > MAX_LINE:
                result.rejected.append(Rejected(f"line {self.line_no}", "line too long"))
                continue
            try:
                text = raw.decode("ascii").strip()
            except UnicodeDecodeError:
                result.rejected.append(Rejected(f"line {self.line_no}", "not ASCII text"))
                continue
            if not text:
                continue
            try:
                report = self._line(text, received)
            except _Bad as exc:
                result.rejected.append(Rejected(f"line {self.line_no}", str(exc)))
                continue
            if report is None:
                result.ignored += 1
            else:
                reports.append(report)
        return result

    def _day(self, text: str) -> float:
        day = self._days.get(text)
        if day is None:
            try:
                y, m, d = text.split("/")
                day = datetime(int(y), int(m), int(d), tzinfo=UTC).timestamp()
            except (ValueError, OverflowError):
                raise _Bad(f"date {text[:20]!r} is not YYYY/MM/DD") from None
            if len(self._days) > 64:
                self._days.clear()
            self._days[text] = day
        return day

    def _time(self, date: str, clock: str) -> float:
        head, _, second = clock.rpartition(":")
        minute = self._minutes.get((date, head))
        if minute is None:
            return self._first_time(date, clock)
        try:
            seconds = float(second)
        except ValueError:
            raise _Bad(f"time {clock[:20]!r} is not HH:MM:SS.sss") from None
        if not 0.0 <= seconds < 61.0:
            raise _Bad(f"time {clock[:20]!r} is out of range")
        return minute + seconds - self.utc_offset_s

    def _first_time(self, date: str, clock: str) -> float:
        """A time of a minute not seen yet: every part checked, the minute remembered."""
        try:
            h, m, s = clock.split(":")
            hours, minutes, seconds = int(h), int(m), float(s)
        except ValueError:
            raise _Bad(f"time {clock[:20]!r} is not HH:MM:SS.sss") from None
        if not (0 <= hours < 24 and 0 <= minutes < 60 and 0.0 <= seconds < 61.0):
            raise _Bad(f"time {clock[:20]!r} is out of range")
        minute = self._day(date) + hours * 3600 + minutes * 60
        if len(self._minutes) > _MEMO:
            self._minutes.clear()
        self._minutes[(date, clock.rpartition(":")[0])] = minute
        return minute + seconds - self.utc_offset_s

    def _key(self, hexid: str) -> str:
        key = self._keys.get(hexid)
        if key is not None:
            return key
        if hexid.startswith("~"):
            if len(hexid) != 7:
                raise _Bad(f"hex ident {hexid[:10]!r} is not ~ and 6 hex digits")
            try:
                int(hexid[1:], 16)
            except ValueError:
                raise _Bad(f"hex ident {hexid[:10]!r} is not ~ and 6 hex digits") from None
            key = anonymous_key(hexid)
        else:
            try:
                address = int(hexid, 16) if len(hexid) == 6 else -1
            except ValueError:
                address = -1
            if address < 0:
                raise _Bad(f"hex ident {hexid[:10]!r} is not 6 hex digits")
            key = icao_key(address)
        if len(self._keys) > _MEMO:
            self._keys.clear()
        self._keys[hexid] = key
        return key

    def _altitude(self, text: str) -> TrackAltitude:
        q = self._altitudes.get(text)
        if q is None:
            if len(self._altitudes) > _MEMO:
                self._altitudes.clear()
            q = self._altitudes[text] = TrackAltitude(_value(text, 11), _FT, _BARO)
        return q

    def _speed(self, text: str, value: float) -> Speed:
        if len(self._speeds) > _MEMO:
            self._speeds.clear()
        q = self._speeds[text] = Speed(value, _KT)
        return q

    def _rate(self, text: str) -> VerticalRate:
        q = self._rates.get(text)
        if q is None:
            if len(self._rates) > _MEMO:
                self._rates.clear()
            q = self._rates[text] = VerticalRate(_value(text, 16), _FPM, _UNSPEC)
        return q

    def _line(self, text: str, received: float | None) -> TrackReport | None:
        fields = text.split(",")
        kind = fields[0]
        if kind != "MSG":
            if kind in _OTHER_TYPES:
                return None
            raise _Bad(f"unknown message type {kind[:10]!r}")
        if len(fields) < 11:
            raise _Bad(f"{len(fields)} fields, a MSG line has 22")
        if len(fields) < 22:
            fields.extend([""] * (22 - len(fields)))
        elif len(fields) > 22:
            raise _Bad(f"{len(fields)} fields, a MSG line has 22")
        key = self._key(fields[4])
        if fields[6] and fields[7]:
            t = self._time(fields[6], fields[7])
        elif fields[8] and fields[9]:
            t = self._time(fields[8], fields[9])
        else:
            raise _Bad("no date and time")
        # Fields are read in their order, so that the first bad one is the one named.
        alt = self._altitude(fields[11]) if fields[11] else None
        gs = self._speeds.get(fields[12]) if fields[12] else None
        gs_value = _value(fields[12], 12) if fields[12] and gs is None else None
        trk = _number(fields, 13)
        lat = _number(fields, 14)
        lon = _number(fields, 15)
        vr = self._rate(fields[16]) if fields[16] else None
        if (lat is None) != (lon is None):
            raise _Bad("latitude without longitude")
        if lat is not None and lon is not None:
            why = check_position(lon, lat)
            if why:
                raise _Bad(why)
        if trk is not None and (why := check_track(trk)):
            raise _Bad(why)
        if gs_value is not None:
            if gs_value < 0:
                raise _Bad(f"ground speed {gs_value!r} is negative")
            gs = self._speed(fields[12], gs_value)
        callsign = fields[10].strip() or None
        squawk = fields[17] or None
        return TrackReport(
            key,
            t,
            self.source,
            callsign,
            lon,
            lat,
            alt,
            None,
            gs,
            trk,
            vr,
            _flag(fields[21]),
            squawk,
            received,
            f"line {self.line_no}",
        )


def sbs_line(
    address: int,
    t: float,
    *,
    transmission: int = 3,
    callsign: str = "",
    altitude_ft: float | None = None,
    speed_kt: float | None = None,
    track: float | None = None,
    lat: float | None = None,
    lon: float | None = None,
    rate_fpm: float | None = None,
    on_ground: bool | None = None,
) -> str:
    """Write one SBS ``MSG`` line (UTC): for fixtures, replay tools and benchmarks.

    >>> sbs_line(0x4CA123, 0.0, altitude_ft=37000, lat=33.1, lon=35.5)
    'MSG,3,1,1,4CA123,1,1970/01/01,00:00:00.000,1970/01/01,00:00:00.000,,37000,,,33.1,35.5,,,0,0,0,'
    """
    when = utc(t)
    date = when.strftime("%Y/%m/%d")
    clock = when.strftime("%H:%M:%S.") + f"{when.microsecond // 1000:03d}"

    def num(value: float | None) -> str:
        return "" if value is None else f"{value:.10g}"

    ground = "" if on_ground is None else ("-1" if on_ground else "0")
    return (
        f"MSG,{transmission},1,1,{address:06X},1,{date},{clock},{date},{clock},{callsign},"
        f"{num(altitude_ft)},{num(speed_kt)},{num(track)},{num(lat)},{num(lon)},"
        f"{num(rate_fpm)},,0,0,0,{ground}"
    )
