"""ASTERIX CAT021 (ADS-B reports, edition 2.6) and CAT062 (system tracks, edition 1.20),
decoded with ``libasterix`` (MIT, pure Python).

A stream is a sequence of data blocks: category (1 byte), length (2 bytes, big-endian,
header included), records.  Items read:

* CAT021: I021/080 target address, I021/161 track number, I021/170 identification,
  I021/131 (else /130) position, I021/145 flight level (barometric, quarters of FL),
  I021/140 geometric height (ft above the WGS84 ellipsoid), I021/155 and /157 barometric and
  geometric vertical rates (ft/min), I021/160 ground speed (NM/s) and track angle, and the time
  of I021/073 (else /071, /075).
* CAT062: I062/010 source, I062/040 track number, I062/070 time, I062/105 position,
  I062/185 velocity (Vx east, Vy north, m/s: speed and track derived from them), I062/136
  measured flight level (barometric), I062/130 geometric altitude (ft), I062/220 rate of
  climb/descent (ft/min, datum not said), I062/245 identification, I062/380 ADR (target
  address).

Times of day (seconds since midnight UTC) are dated by the reference time given with each
feed (the time of reception), taking the day that puts the report within 12 hours of it.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from typing import Any, Final, cast

import asterix.generated as gen
from asterix.base import Bits

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
    check_position,
    icao_key,
    system_track_key,
)
from deconfliction.engine.units import AltitudeUnit

__all__ = ["CAT021", "CAT062", "AsterixParser", "encode_cat021", "encode_cat062"]

CAT021: Final = gen.Cat_021_2_6
CAT062: Final = gen.Cat_062_1_20
_DAY: Final = 86400.0


class _Bad(Exception):
    pass


def _q(item: Any, *path: str, unit: str | None = None) -> float | None:
    """The quantity at ``path`` inside ``item`` (None when the item is absent)."""
    if item is None:
        return None
    node = item
    for name in path:
        node = node.variation.get_item(name)
        if node is None:
            return None
    value = float(node.variation.content.as_quantity(unit))
    return value if math.isfinite(value) else None


def _heights(
    fl: float | None, height_ft: float | None
) -> tuple[TrackAltitude | None, TrackAltitude | None]:
    """A flight level (barometric, in FL) and a geometric height (ft), as reported."""
    return (
        TrackAltitude(fl, AltitudeUnit.FL, VerticalDatum.barometric) if fl is not None else None,
        TrackAltitude(height_ft, AltitudeUnit.ft, VerticalDatum.geometric)
        if height_ft is not None
        else None,
    )


def _day_start(reference: float, tod: float) -> float:
    midnight = math.floor(reference / _DAY) * _DAY
    t = midnight + tod
    if t - reference > _DAY / 2:
        t -= _DAY
    elif reference - t > _DAY / 2:
        t += _DAY
    return t


class AsterixParser:
    """Reads a byte stream of CAT021 and CAT062 data blocks (other categories are ignored).

    ``reference`` dates times of day when ``feed`` is given no reception time (file replay):
    a UTC date, or None to require reception times.
    """

    def __init__(self, source: str, reference: date | None = None) -> None:
        self.source = source
        self.offset = 0
        self._rest = b""
        self._reference = (
            datetime(reference.year, reference.month, reference.day, 12, tzinfo=UTC).timestamp()
            if reference is not None
            else None
        )

    def finish(self) -> ParseResult:
        result = ParseResult()
        if self._rest:
            result.rejected.append(
                Rejected(f"offset {self.offset}", f"{len(self._rest)} bytes of a cut data block")
            )
            self._rest = b""
        return result

    def feed(self, data: bytes, received: float | None = None) -> ParseResult:
        buf = self._rest + data
        result = ParseResult()
        pos = 0
        while len(buf) - pos >= 3:
            cat = buf[pos]
            length = int.from_bytes(buf[pos + 1 : pos + 3], "big")
            where = f"offset {self.offset}"
            if length < 3:
                # No way to find the next block boundary: drop what is buffered.
                result.rejected.append(Rejected(where, f"data block length {length} below 3"))
                self.offset += len(buf) - pos
                pos = len(buf)
                break
            if len(buf) - pos < length:
                break
            block = buf[pos : pos + length]
            pos += length
            self.offset += length
            if cat not in (21, 62):
                result.ignored += 1
                continue
            reference = received if received is not None else self._reference
            if reference is None:
                result.rejected.append(Rejected(where, "no date to place times of day"))
                continue
            self._block(cat, block[3:], reference, received, where, result)
        self._rest = buf[pos:]
        return result

    def _block(
        self,
        cat: int,
        body: bytes,
        reference: float,
        received: float | None,
        where: str,
        result: ParseResult,
    ) -> None:
        spec = CAT021 if cat == 21 else CAT062
        try:
            records = spec.cv_uap.parse(Bits.from_bytes(body))
        except Exception as exc:  # a decoder bug must not stop the stream
            result.rejected.append(Rejected(where, f"CAT{cat:03d} not decodable ({exc!r:.60})"))
            return
        if isinstance(records, ValueError):
            result.rejected.append(Rejected(where, f"CAT{cat:03d} records malformed: {records}"))
            return
        for i, record in enumerate(records):
            ref = f"{where} record {i}"
            try:
                if cat == 21:
                    report = self._cat021(record, reference, received, ref)
                else:
                    report = self._cat062(record, reference, received, ref)
            except _Bad as exc:
                result.rejected.append(Rejected(ref, str(exc)))
                continue
            except Exception as exc:
                result.rejected.append(Rejected(ref, f"item not decodable ({exc!r:.60})"))
                continue
            result.reports.append(report)

    def _position(self, lat: float | None, lon: float | None) -> None:
        if lat is not None and lon is not None and (why := check_position(lon, lat)):
            raise _Bad(why)

    def _cat021(self, r: Any, reference: float, received: float | None, ref: str) -> TrackReport:
        address = r.get_item("080")
        if address is not None:
            key = icao_key(address.variation.as_uint())
        else:
            number = r.get_item("161")
            if number is None:
                raise _Bad("neither a target address (I021/080) nor a track number (I021/161)")
            key = system_track_key(self.source, number.variation.get_item("TRNUM").as_uint())
        tod = None
        for name in ("073", "071", "075"):
            tod = _q(r.get_item(name), unit="s")
            if tod is not None:
                break
        if tod is None:
            raise _Bad("no time (I021/073, /071 or /075)")
        pos = r.get_item("131") or r.get_item("130")
        lat = _q(pos, "LAT", unit="°")
        lon = _q(pos, "LON", unit="°")
        self._position(lat, lon)
        fl = _q(r.get_item("145"), unit="FL")
        height = _q(r.get_item("140"), unit="ft")
        rate = None
        for name, sub, datum in (
            ("155", "BVR", VerticalDatum.barometric),
            ("157", "GVR", VerticalDatum.geometric),
        ):
            value = _q(r.get_item(name), sub, unit="ft/min")
            if value is not None:
                rate = VerticalRate(value, VerticalRateUnit.ft_min, datum)
                break
        vector = r.get_item("160")
        gs = _q(vector, "GS", unit="NM/s")
        ta = _q(vector, "TA", unit="°")
        ident = r.get_item("170")
        callsign = ident.variation.content.as_string().strip() if ident is not None else None
        return TrackReport(
            key,
            _day_start(reference, tod),
            self.source,
            callsign or None,
            lon,
            lat,
            *_heights(fl, height),
            Speed(gs, SpeedUnit.NM_s) if gs is not None and gs >= 0 else None,
            ta,
            rate,
            None,
            None,
            received,
            ref,
        )

    def _cat062(self, r: Any, reference: float, received: float | None, ref: str) -> TrackReport:
        adr = r.get_item("380")
        address = adr.variation.get_item("ADR") if adr is not None else None
        if address is not None:
            key = icao_key(address.variation.as_uint())
        else:
            number = r.get_item("040")
            if number is None:
                raise _Bad("neither a target address (I062/380 ADR) nor a track number (I062/040)")
            sensor = r.get_item("010")
            origin = (
                f"{sensor.variation.get_item('SAC').as_uint()}-"
                f"{sensor.variation.get_item('SIC').as_uint()}"
                if sensor is not None
                else "?"
            )
            key = system_track_key(f"{self.source}/{origin}", number.variation.as_uint())
        tod = _q(r.get_item("070"), unit="s")
        if tod is None:
            raise _Bad("no time of track information (I062/070)")
        pos = r.get_item("105")
        lat = _q(pos, "LAT", unit="°")
        lon = _q(pos, "LON", unit="°")
        self._position(lat, lon)
        velocity = r.get_item("185")
        vx = _q(velocity, "VX", unit="m/s")
        vy = _q(velocity, "VY", unit="m/s")
        speed = track = None
        if vx is not None and vy is not None:
            speed = Speed(math.hypot(vx, vy), SpeedUnit.m_s)
            track = math.degrees(math.atan2(vx, vy)) % 360.0
        fl = _q(r.get_item("136"), unit="FL")
        height = _q(r.get_item("130"), unit="ft")
        rocd = _q(r.get_item("220"), unit="ft/min")
        ident = r.get_item("245")
        callsign = (
            ident.variation.get_item("CHR").variation.content.as_string().strip()
            if ident is not None
            else None
        )
        return TrackReport(
            key,
            _day_start(reference, tod),
            self.source,
            callsign or None,
            lon,
            lat,
            *_heights(fl, height),
            speed,
            track,
            VerticalRate(rocd, VerticalRateUnit.ft_min) if rocd is not None else None,
            None,
            None,
            received,
            ref,
        )


def encode_cat021(
    address: int,
    tod: float,
    *,
    lat: float,
    lon: float,
    flight_level: float | None = None,
    height_ft: float | None = None,
    speed_kt: float | None = None,
    track: float | None = None,
    rate_fpm: float | None = None,
    callsign: str | None = None,
) -> bytes:
    """One CAT021 data block with one record, written by libasterix's encoder (fixtures,
    replay tools, benchmarks)."""
    items: dict[str, Any] = {
        "010": (("SAC", 0), ("SIC", 1)),
        "080": address,
        "073": (tod, "s"),
        "131": (("LAT", (lat, "°")), ("LON", (lon, "°"))),
    }
    if flight_level is not None:
        items["145"] = (flight_level, "FL")
    if height_ft is not None:
        items["140"] = (height_ft, "ft")
    if rate_fpm is not None:
        items["155"] = (("RE", 0), ("BVR", (rate_fpm, "ft/min")))
    if speed_kt is not None and track is not None:
        items["160"] = (("RE", 0), ("GS", (speed_kt / 3600.0, "NM/s")), ("TA", (track, "°")))
    if callsign is not None:
        items["170"] = callsign.ljust(8)[:8]
    record = CAT021.cv_record.create(cast(Any, items))
    return bytes(CAT021.create([record]).unparse().to_bytes())


def encode_cat062(
    track_number: int,
    tod: float,
    *,
    lat: float,
    lon: float,
    vx: float,
    vy: float,
    flight_level: float | None = None,
    address: int | None = None,
    callsign: str | None = None,
    rocd_fpm: float | None = None,
) -> bytes:
    """One CAT062 data block with one track, written by libasterix's encoder."""
    items: dict[str, Any] = {
        "010": (("SAC", 0), ("SIC", 2)),
        "040": track_number,
        "070": (tod, "s"),
        "105": (("LAT", (lat, "°")), ("LON", (lon, "°"))),
        "185": (("VX", (vx, "m/s")), ("VY", (vy, "m/s"))),
    }
    if flight_level is not None:
        items["136"] = (flight_level, "FL")
    if rocd_fpm is not None:
        items["220"] = (rocd_fpm, "ft/min")
    if callsign is not None:
        items["245"] = (("STI", 0), 0, ("CHR", callsign.ljust(8)[:8]))
    if address is not None:
        items["380"] = {"ADR": address}
    record = CAT062.cv_record.create(cast(Any, items))
    return bytes(CAT062.create([record]).unparse().to_bytes())
