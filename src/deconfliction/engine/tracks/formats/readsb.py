"""readsb / tar1090 ``aircraft.json`` snapshots.

A document is ``{"now": <epoch s>, "messages": n, "aircraft": [...]}``; each aircraft has
``hex`` (``~`` prefix: not an ICAO address), ``flight``, ``alt_baro`` (ft, or ``"ground"``),
``alt_geom`` (ft, WGS84 ellipsoid), ``gs`` (kt), ``track`` (degrees), ``baro_rate`` and
``geom_rate`` (ft/min), ``lat``/``lon``, ``seen_pos`` and ``seen`` (seconds before ``now``),
``squawk``.  An aircraft whose position is older than ``max_position_age_s`` (readsb keeps a
stale one under ``lastPosition``) is reported without a position.

Examples
--------
>>> doc = b'{"now": 1796580000.0, "aircraft": [{"hex": "4ca123", "flight": "RYR1AB  ",'
>>> doc += b' "alt_baro": 37000, "alt_geom": 37650, "gs": 450.2, "track": 90.0,'
>>> doc += b' "baro_rate": -64, "lat": 33.1, "lon": 35.5, "seen_pos": 0.5, "seen": 0.1}]}'
>>> r = ReadsbParser("tar1090").feed(doc).reports[0]
>>> r.key, r.callsign, str(r.baro), str(r.geom), str(r.speed), str(r.rate), r.t
('icao:4ca123', 'RYR1AB', '37000 ft baro', '37650 ft geom', '450.2 kt', '-64 ft/min baro', 1796579999.5)
"""

from __future__ import annotations

import json
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
from deconfliction.engine.tracks.reports import (
    ParseResult,
    Rejected,
    TrackReport,
    anonymous_key,
    icao_key,
)
from deconfliction.engine.units import AltitudeUnit

__all__ = ["ReadsbParser"]

_FT: Final = AltitudeUnit.ft
_BARO: Final = VerticalDatum.barometric
_GEOM: Final = VerticalDatum.geometric
_FPM: Final = VerticalRateUnit.ft_min
MAX_DOCUMENT: Final = 64 * 1024 * 1024
"""Largest document read (a busy receiver's file is a few MB)."""


def _key(hexid: Any) -> str:
    if not isinstance(hexid, str):
        raise Bad(f"hex is not text: {str(hexid)[:20]!r}")
    digits = hexid[1:] if hexid.startswith("~") else hexid
    try:
        ok = len(digits) == 6 and int(digits, 16) >= 0
    except ValueError:
        ok = False
    if not ok:
        raise Bad(f"hex {hexid[:20]!r} is not 6 hex digits")
    return anonymous_key(hexid) if hexid.startswith("~") else icao_key(int(digits, 16))


class ReadsbParser:
    """Reads whole ``aircraft.json`` documents (one per ``feed``)."""

    def __init__(self, source: str, max_position_age_s: float = 60.0) -> None:
        self.source = source
        self.max_position_age_s = max_position_age_s
        self.documents = 0

    def finish(self) -> ParseResult:
        return ParseResult()

    def feed(self, data: bytes, received: float | None = None) -> ParseResult:
        self.documents += 1
        where = f"document {self.documents}"
        result = ParseResult()
        if len(data) > MAX_DOCUMENT:
            result.rejected.append(Rejected(where, "document too large"))
            return result
        try:
            doc = json.loads(data)
        except (ValueError, RecursionError):
            result.rejected.append(Rejected(where, "not JSON"))
            return result
        if not isinstance(doc, dict):
            result.rejected.append(Rejected(where, "not a JSON object"))
            return result
        try:
            now = number(doc.get("now"), "now", lo=0.0, hi=1e11)
        except Bad as exc:
            result.rejected.append(Rejected(where, str(exc)))
            return result
        aircraft = doc.get("aircraft")
        if now is None or not isinstance(aircraft, list):
            result.rejected.append(Rejected(where, 'needs "now" and an "aircraft" list'))
            return result
        for i, entry in enumerate(aircraft):
            try:
                report = self._aircraft(entry, now, received, f"{where} aircraft {i}")
            except Bad as exc:
                result.rejected.append(Rejected(f"{where} aircraft {i}", str(exc)))
                continue
            result.reports.append(report)
        return result

    def _aircraft(self, entry: Any, now: float, received: float | None, ref: str) -> TrackReport:
        if not isinstance(entry, dict):
            raise Bad("an aircraft is not a JSON object")
        key = _key(entry.get("hex"))
        seen = number(entry.get("seen"), "seen", lo=0.0, hi=1e6) or 0.0
        seen_pos = number(entry.get("seen_pos"), "seen_pos", lo=0.0, hi=1e6)
        lat = number(entry.get("lat"), "lat", lo=-90.0, hi=90.0)
        lon = number(entry.get("lon"), "lon", lo=-180.0, hi=180.0)
        if (lat is None) != (lon is None):
            raise Bad("lat without lon")
        if seen_pos is not None and seen_pos > self.max_position_age_s:
            lat = lon = None
        raw_baro = entry.get("alt_baro")
        on_ground: bool | None = None
        baro = None
        if raw_baro == "ground":
            on_ground = True
        else:
            value = number(raw_baro, "alt_baro", lo=-2000.0, hi=200_000.0)
            if value is not None:
                baro = TrackAltitude(value, _FT, _BARO)
                on_ground = False
        geom_value = number(entry.get("alt_geom"), "alt_geom", lo=-2000.0, hi=200_000.0)
        gs = number(entry.get("gs"), "gs", lo=0.0, hi=5000.0)
        track = number(entry.get("track"), "track", lo=-360.0, hi=360.0)
        rate: VerticalRate | None = None
        for name, datum in (("baro_rate", _BARO), ("geom_rate", _GEOM)):
            value = number(entry.get(name), name, lo=-100_000.0, hi=100_000.0)
            if value is not None:
                rate = VerticalRate(value, _FPM, datum)
                break
        squawk = text(entry.get("squawk"), "squawk")
        # The report's time: when the position was received if there is one, else when the
        # aircraft was last heard.
        t = now - (seen_pos if lat is not None and seen_pos is not None else seen)
        return TrackReport(
            key,
            t,
            self.source,
            text(entry.get("flight"), "flight"),
            lon,
            lat,
            baro,
            TrackAltitude(geom_value, _FT, _GEOM) if geom_value is not None else None,
            Speed(gs, SpeedUnit.kt) if gs is not None else None,
            track,
            rate,
            on_ground,
            squawk,
            received,
            ref,
        )
