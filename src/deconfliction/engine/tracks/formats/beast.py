"""Beast binary frames (readsb, dump1090-fa, Radarcape on TCP port 30005), decoded by
``rs1090`` (MIT; the optional extra ``deconfliction[beast]``).

A frame is ``0x1a``, a type byte (``0x31`` Mode A/C with 2 bytes of payload, ``0x32`` Mode S
short, 7 bytes, ``0x33`` Mode S long, 14 bytes, ``0x34`` status), a 6-byte MLAT counter, a
signal byte and the payload; a ``0x1a`` inside a frame is sent twice.  The counter is not a
clock (12 MHz since the receiver started, or nanoseconds since midnight on a Radarcape): a
report is dated by the time of reception, or, replaying a file, by ``start`` plus the counter
elapsed since the first frame.  Positions are decoded locally against ``reference``, the
receiver's position (readsb needs it too), so each frame decodes alone.

Only DF17/18 extended squitters carry what a track needs; other frames are counted as ignored.
"""

from __future__ import annotations

from typing import Any, Final

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
)
from deconfliction.engine.units import AltitudeUnit

__all__ = ["BeastParser", "beast_frame", "split_frames"]

ESC: Final = 0x1A
_LENGTHS: Final = {0x31: 2, 0x32: 7, 0x33: 14, 0x34: 14}
COUNTER_HZ: Final = 12_000_000.0


def beast_frame(kind: int, counter: int, signal: int, payload: bytes) -> bytes:
    """One frame, escaped (for fixtures and replay tools).

    >>> beast_frame(0x32, 0x1A, 0x80, bytes(7)).hex()
    '1a3200000000001a1a8000000000000000'
    """
    body = counter.to_bytes(6, "big") + bytes([signal]) + payload
    return bytes([ESC, kind]) + body.replace(b"\x1a", b"\x1a\x1a")


def split_frames(buf: bytes) -> tuple[list[tuple[int, int, bytes]], list[str], int]:
    """Frames in ``buf``: ``(type, counter, payload)`` each, the reasons for bytes skipped,
    and how many bytes were consumed (the rest is an incomplete frame)."""
    frames: list[tuple[int, int, bytes]] = []
    problems: list[str] = []
    i = 0
    n = len(buf)
    while i < n:
        if buf[i] != ESC:
            j = buf.find(b"\x1a", i)
            skipped = (j if j >= 0 else n) - i
            problems.append(f"{skipped} bytes outside a frame")
            if j < 0:
                return frames, problems, n
            i = j
            continue
        if i + 1 >= n:
            break
        kind = buf[i + 1]
        if kind not in _LENGTHS:
            problems.append(f"unknown frame type {kind:#04x}")
            i += 1 if kind == ESC else 2
            continue
        need = 7 + _LENGTHS[kind]
        body = bytearray()
        j = i + 2
        broken = False
        while len(body) < need and j < n:
            b = buf[j]
            if b == ESC:
                if j + 1 >= n:
                    break
                if buf[j + 1] != ESC:
                    broken = True  # a new frame began: this one was cut
                    break
                j += 2
            else:
                j += 1
            body.append(b)
        if broken:
            problems.append("frame cut short")
            i = j
            continue
        if len(body) < need:
            break  # incomplete: wait for more
        frames.append((kind, int.from_bytes(body[:6], "big"), bytes(body[7:])))
        i = j
    return frames, problems, i


class BeastParser:
    """Reads a Beast byte stream (see the module documentation)."""

    def __init__(
        self, source: str, reference: tuple[float, float], start: float | None = None
    ) -> None:
        try:
            import rs1090
        except ImportError:  # pragma: no cover - exercised without the extra
            raise ValueError(
                "Beast input needs the optional decoder: pip install 'deconfliction[beast]'"
            ) from None
        self._rs1090: Any = rs1090
        lat, lon = reference
        if why := check_position(lon, lat):
            raise ValueError(f"reference position: {why}")
        self.source = source
        self.reference = (lat, lon)
        self.start = start
        self.offset = 0
        self._first: int | None = None
        self._rest = b""

    def finish(self) -> ParseResult:
        result = ParseResult()
        if self._rest:
            result.rejected.append(Rejected(f"offset {self.offset}", "incomplete last frame"))
            self._rest = b""
        return result

    def feed(self, data: bytes, received: float | None = None) -> ParseResult:
        buf = self._rest + data
        frames, problems, used = split_frames(buf)
        self._rest = buf[used:]
        result = ParseResult()
        where = f"offset {self.offset}"
        self.offset += used
        result.rejected.extend(Rejected(where, p) for p in problems)
        hexes: list[str] = []
        times: list[float] = []
        for kind, counter, payload in frames:
            if kind != 0x33 or payload[0] >> 3 not in (17, 18):
                result.ignored += 1
                continue
            if self._first is None:
                self._first = counter
            if received is not None:
                t = received
            elif self.start is not None:
                t = self.start + (counter - self._first) / COUNTER_HZ
            else:
                result.rejected.append(Rejected(where, "no time: give a start or reception time"))
                continue
            hexes.append(payload.hex())
            times.append(t)
        for i, (msg, t) in enumerate(zip(hexes, times, strict=True)):
            try:
                decoded = self._rs1090.decode(msg, reference=self.reference)
            except Exception as exc:
                result.rejected.append(
                    Rejected(f"{where} frame {i}", f"not decodable ({exc!r:.60})")
                )
                continue
            if not isinstance(decoded, dict):  # nothing the decoder could read in it
                result.ignored += 1
                continue
            report = _report(decoded, t, self.source, received, f"{where} frame {i}")
            if report is None:
                result.ignored += 1
            elif isinstance(report, str):
                result.rejected.append(Rejected(f"{where} frame {i}", report))
            else:
                result.reports.append(report)
        return result


def _report(
    m: dict[str, Any], t: float, source: str, received: float | None, ref: str
) -> TrackReport | str | None:
    address = m.get("icao24")
    if not isinstance(address, str):
        return None
    try:
        key = icao_key(int(address, 16))
    except ValueError:
        return f"address {address[:10]!r} is not 6 hex digits"
    lat, lon = m.get("latitude"), m.get("longitude")
    if lat is not None and lon is not None and (why := check_position(lon, lat)):
        return why
    alt = m.get("altitude")
    baro = geom = None
    if isinstance(alt, int | float):
        datum = VerticalDatum.barometric if m.get("source") != "GNSS" else VerticalDatum.geometric
        value = TrackAltitude(float(alt), AltitudeUnit.ft, datum)
        baro, geom = (value, None) if datum is VerticalDatum.barometric else (None, value)
    gs = m.get("groundspeed")
    rate = m.get("vertical_rate")
    rate_datum = (
        VerticalDatum.barometric if m.get("vrate_src") == "barometric" else VerticalDatum.geometric
    )
    callsign = m.get("callsign")
    if lat is None and baro is None and geom is None and gs is None and callsign is None:
        return None
    return TrackReport(
        key,
        t,
        source,
        callsign.strip() if isinstance(callsign, str) and callsign.strip() else None,
        float(lon) if lon is not None else None,
        float(lat) if lat is not None else None,
        baro,
        geom,
        Speed(float(gs), SpeedUnit.kt) if isinstance(gs, int | float) else None,
        float(m["track"]) if isinstance(m.get("track"), int | float) else None,
        VerticalRate(float(rate), VerticalRateUnit.ft_min, rate_datum)
        if isinstance(rate, int | float)
        else None,
        None,
        None,
        received,
        ref,
    )
