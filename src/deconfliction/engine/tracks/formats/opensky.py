"""OpenSky Network state vectors: the REST answer (JSON) and CSV files.

The REST answer (``/api/states/all``) is ``{"time": t, "states": [[...], ...]}``, each state
an array in this documented order: 0 icao24, 1 callsign, 2 origin_country, 3 time_position,
4 last_contact, 5 longitude, 6 latitude, 7 baro_altitude (m), 8 on_ground, 9 velocity (m/s),
10 true_track, 11 vertical_rate (m/s), 12 sensors, 13 geo_altitude (m), 14 squawk, 15 spi,
16 position_source (0 ADS-B, 1 ASTERIX, 2 MLAT, 3 FLARM) and, with ``extended=1``, 17
category.  CSV files come in that order without a header, or with a header naming the columns:
the historical data sets' ``time,icao24,lat,lon,velocity,heading,vertrate,callsign,onground,
alert,spi,squawk,baroaltitude,geoaltitude,lastposupdate,lastcontact`` is read by name.

Examples
--------
>>> doc = b'{"time": 1796580000, "states": [["4ca123", "RYR1AB  ", "Ireland", 1796579999,'
>>> doc += b' 1796580000, 35.5, 33.1, 11277.6, false, 231.5, 90.0, -0.33, null, 11475.7,'
>>> doc += b' "1000", false, 0]]}'
>>> r = OpenSkyParser("opensky").feed(doc).reports[0]
>>> r.key, r.callsign, str(r.baro), str(r.geom), str(r.speed), str(r.rate), r.t
('icao:4ca123', 'RYR1AB', '11277.6 m baro', '11475.7 m geom', '231.5 m/s', '-0.33 m/s unspecified', 1796579999.0)
>>> csv = b"4ca124,ABC,Israel,1796579999,1796580000,35.6,33.2,3000,False,120,180,0,,3100,,False,0\\n"
>>> OpenSkyParser("opensky", csv=True).feed(csv).reports[0].key
'icao:4ca124'
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any, Final

from deconfliction.engine.tracks.formats.common import Bad, number, text
from deconfliction.engine.tracks.quantities import (
    Speed,
    SpeedUnit,
    TrackAltitude,
    VerticalDatum,
    VerticalRate,
    VerticalRateUnit,
)
from deconfliction.engine.tracks.reports import ParseResult, Rejected, TrackReport, icao_key
from deconfliction.engine.units import AltitudeUnit

__all__ = ["REST_FIELDS", "OpenSkyParser"]

REST_FIELDS: Final = (
    "icao24",
    "callsign",
    "origin_country",
    "time_position",
    "last_contact",
    "longitude",
    "latitude",
    "baro_altitude",
    "on_ground",
    "velocity",
    "true_track",
    "vertical_rate",
    "sensors",
    "geo_altitude",
    "squawk",
    "spi",
    "position_source",
    "category",
)
_HISTORICAL: Final = {
    "time": "time",
    "icao24": "icao24",
    "lat": "latitude",
    "lon": "longitude",
    "velocity": "velocity",
    "heading": "true_track",
    "vertrate": "vertical_rate",
    "callsign": "callsign",
    "onground": "on_ground",
    "alert": "alert",
    "squawk": "squawk",
    "baroaltitude": "baro_altitude",
    "geoaltitude": "geo_altitude",
    "lastposupdate": "time_position",
    "lastcontact": "last_contact",
}
_NUMERIC: Final = frozenset(
    {
        "time",
        "time_position",
        "last_contact",
        "longitude",
        "latitude",
        "baro_altitude",
        "velocity",
        "true_track",
        "vertical_rate",
        "geo_altitude",
    }
)


def _csv_value(name: str, raw: str) -> Any:
    """A CSV cell as the JSON value it stands for."""
    if raw in ("", "null", "None", "NaN", "nan"):
        return None
    if name in ("on_ground", "spi", "alert"):
        low = raw.lower()
        if low in ("true", "1"):
            return True
        if low in ("false", "0"):
            return False
        raise Bad(f"{name} is not true or false: {raw[:20]!r}")
    if name in _NUMERIC:
        try:
            return float(raw)
        except ValueError:
            raise Bad(f"{name} is not a number: {raw[:40]!r}") from None
    return raw


class OpenSkyParser:
    """Reads REST documents (one per ``feed``) or, with ``csv=True``, CSV lines."""

    def __init__(self, source: str, *, csv: bool = False) -> None:
        self.source = source
        self.csv = csv
        self.documents = 0
        self.line_no = 0
        self._columns: tuple[str, ...] | None = None
        self._rest = b""

    def finish(self) -> ParseResult:
        rest, self._rest = self._rest, b""
        return self._csv_lines([rest], None) if rest.strip() else ParseResult()

    def feed(self, data: bytes, received: float | None = None) -> ParseResult:
        if self.csv:
            lines = (self._rest + data).split(b"\n")
            self._rest = lines.pop()
            return self._csv_lines(lines, received)
        self.documents += 1
        where = f"document {self.documents}"
        result = ParseResult()
        try:
            doc = json.loads(data)
        except (ValueError, RecursionError):
            result.rejected.append(Rejected(where, "not JSON"))
            return result
        states = doc.get("states") if isinstance(doc, dict) else None
        if not isinstance(states, list):
            if isinstance(doc, dict) and "states" in doc and doc["states"] is None:
                return result  # OpenSky answers null when nothing is in the box
            result.rejected.append(Rejected(where, 'needs a "states" list'))
            return result
        for i, state in enumerate(states):
            ref = f"{where} state {i}"
            try:
                if not isinstance(state, list) or not 17 <= len(state) <= 18:
                    raise Bad("a state is an array of 17 or 18 fields")
                report = self._state(dict(zip(REST_FIELDS, state, strict=False)), received, ref)
            except Bad as exc:
                result.rejected.append(Rejected(ref, str(exc)))
                continue
            result.reports.append(report)
        return result

    def _csv_lines(self, lines: Sequence[bytes], received: float | None) -> ParseResult:
        result = ParseResult()
        for raw in lines:
            self.line_no += 1
            ref = f"line {self.line_no}"
            try:
                line = raw.decode("utf-8").strip()
            except UnicodeDecodeError:
                result.rejected.append(Rejected(ref, "not UTF-8 text"))
                continue
            if not line:
                continue
            try:
                cells = next(csv.reader(io.StringIO(line)))
            except (csv.Error, StopIteration):
                result.rejected.append(Rejected(ref, "not a CSV line"))
                continue
            if self.line_no == 1 and "icao24" in cells:
                unknown = [c for c in cells if c not in _HISTORICAL and c not in REST_FIELDS]
                if unknown:
                    result.rejected.append(Rejected(ref, f"unknown columns {unknown[:5]}"))
                    continue
                self._columns = tuple(_HISTORICAL.get(c, c) for c in cells)
                result.ignored += 1
                continue
            columns = self._columns or REST_FIELDS
            try:
                if len(cells) != len(columns) and not (self._columns is None and len(cells) == 17):
                    raise Bad(f"{len(cells)} columns, expected {len(columns)}")
                values = {n: _csv_value(n, c) for n, c in zip(columns, cells, strict=False)}
                result.reports.append(self._state(values, received, ref))
            except Bad as exc:
                result.rejected.append(Rejected(ref, str(exc)))
        return result

    def _state(self, s: dict[str, Any], received: float | None, ref: str) -> TrackReport:
        hexid = s.get("icao24")
        try:
            address = int(hexid, 16) if isinstance(hexid, str) and len(hexid) == 6 else -1
        except ValueError:
            address = -1
        if address < 0:
            raise Bad(f"icao24 {str(hexid)[:20]!r} is not 6 hex digits")
        lat = number(s.get("latitude"), "latitude", lo=-90.0, hi=90.0)
        lon = number(s.get("longitude"), "longitude", lo=-180.0, hi=180.0)
        if (lat is None) != (lon is None):
            raise Bad("latitude without longitude")
        t = number(s.get("time_position"), "time_position", lo=0.0, hi=1e11)
        if t is None:
            t = number(s.get("last_contact"), "last_contact", lo=0.0, hi=1e11)
        if t is None:
            t = number(s.get("time"), "time", lo=0.0, hi=1e11)
        if t is None:
            raise Bad("no time_position, last_contact or time")
        baro = number(s.get("baro_altitude"), "baro_altitude", lo=-1000.0, hi=60_000.0)
        geom = number(s.get("geo_altitude"), "geo_altitude", lo=-1000.0, hi=60_000.0)
        speed = number(s.get("velocity"), "velocity", lo=0.0, hi=2000.0)
        rate = number(s.get("vertical_rate"), "vertical_rate", lo=-500.0, hi=500.0)
        on_ground = s.get("on_ground")
        if on_ground is not None and not isinstance(on_ground, bool):
            raise Bad(f"on_ground is not true or false: {str(on_ground)[:20]!r}")
        m = AltitudeUnit.m
        return TrackReport(
            icao_key(address),
            t,
            self.source,
            text(s.get("callsign"), "callsign"),
            lon,
            lat,
            TrackAltitude(baro, m, VerticalDatum.barometric) if baro is not None else None,
            TrackAltitude(geom, m, VerticalDatum.geometric) if geom is not None else None,
            Speed(speed, SpeedUnit.m_s) if speed is not None else None,
            number(s.get("true_track"), "true_track", lo=-360.0, hi=360.0),
            VerticalRate(rate, VerticalRateUnit.m_s) if rate is not None else None,
            on_ground,
            text(s.get("squawk"), "squawk"),
            received,
            ref,
        )
