"""Conformance: an aircraft against the notices of its party, with hysteresis.

:func:`assess` places one position against a party's volumes (with the agreement's margins)
and says what, if anything, is wrong; :class:`ConformanceMonitor` turns the sequence of
assessments of each aircraft into raise and clear decisions, so that one stray report does not
raise an alert and one good report does not close it.  See ``docs/design/tracks.md``.

Examples
--------
>>> from datetime import UTC, datetime, timedelta
>>> from deconfliction.engine.model import Notice
>>> from deconfliction.engine.units import AltitudeUnit
>>> t0 = datetime(2026, 12, 6, 18, tzinfo=UTC)
>>> notice = Notice.model_validate({"id": "n-1", "author": "idf", "kind": "air_operation",
...     "filed_at": t0 - timedelta(hours=1), "volumes": [{
...     "outline": {"type": "circle", "center": {"lon": 35.5, "lat": 33.0}, "radius": "10 km"},
...     "altitude": {"lower": "FL100", "upper": "FL200"},
...     "window": {"start": t0, "end": t0 + timedelta(hours=1)}}]})
>>> alt = TrackAltitude(15000, AltitudeUnit.ft, VerticalDatum.barometric)
>>> assess(35.5, 33.0, alt, t0 + timedelta(minutes=5), [notice], Tolerances()) is None
True
>>> assess(35.9, 33.0, alt, t0 + timedelta(minutes=5), [notice], Tolerances()).kind
<ConformanceKind.outside_volume: 'track-outside-volume'>
>>> assess(35.5, 33.0, alt, t0 + timedelta(hours=2), [notice], Tolerances()).kind
<ConformanceKind.overrun: 'track-overrun'>
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from deconfliction.engine.detection.findings import AlertKind
from deconfliction.engine.model import AltitudeBand, Notice, Volume
from deconfliction.engine.tracks.quantities import TrackAltitude, VerticalDatum
from deconfliction.engine.units import FOOT, Altitude, AltitudeReference

__all__ = [
    "GEOID_TOLERANCE_M",
    "ConformanceKind",
    "ConformanceMonitor",
    "Offence",
    "Tolerances",
    "Transition",
    "assess",
    "band_excess",
    "gap_seconds",
]

GEOID_TOLERANCE_M: Final = 110.0
"""A GNSS height differs from a height above mean sea level by the geoid's undulation
(−106 m to +85 m): compared with AMSL bounds, it is out only beyond this tolerance."""


class ConformanceKind(StrEnum):
    """The conformance alert kinds (the same values as their :class:`AlertKind`)."""

    outside_volume = AlertKind.track_outside_volume.value
    outside_band = AlertKind.track_outside_band.value
    before_window = AlertKind.track_before_window.value
    overrun = AlertKind.track_overrun.value
    unnotified = AlertKind.track_unnotified.value

    @property
    def alert_kind(self) -> AlertKind:
        return AlertKind(self.value)


@dataclass(frozen=True, slots=True)
class Tolerances:
    """The agreement's margins, as numbers."""

    lateral_m: float = 3 * 1852.0
    vertical_m: float = 500 * FOOT
    time: timedelta = timedelta(0)


@dataclass(frozen=True, slots=True)
class Offence:
    kind: ConformanceKind
    notice: str | None = None
    volume: int | None = None
    distance_m: float = 0.0
    """How far outside: metres beyond the outline or the band (with the margin), or seconds
    before the window or after it."""
    note: str = ""


def _bound(alt: Altitude, side: str) -> tuple[float, str | None]:
    """A band bound in metres and its datum (None: surface or unlimited)."""
    if side == "lower" and alt.is_surface:
        return -math.inf, None
    if side == "upper" and alt.is_unlimited:
        return math.inf, None
    if alt.reference is AltitudeReference.AGL:
        return alt.metres, "AGL"
    return alt.metres, "STD" if alt.reference is AltitudeReference.STD else "AMSL"


def band_excess(alt: TrackAltitude, band: AltitudeBand, margin_m: float) -> tuple[float, str]:
    """How far (metres) ``alt`` lies outside ``band`` grown by ``margin_m``: positive when
    out, otherwise negative or zero; with a note on how it was compared."""
    worst = -math.inf
    notes: list[str] = []
    h = alt.metres
    for side, bound in (("lower", band.lower), ("upper", band.upper)):
        value, datum = _bound(bound, side)
        if datum is None:
            continue
        if datum == "AGL":
            notes.append("a height above ground cannot be compared without terrain data")
            continue
        slack = margin_m
        if alt.datum is VerticalDatum.geometric:
            slack += GEOID_TOLERANCE_M
            notes.append(f"GNSS height against {datum}: {GEOID_TOLERANCE_M:g} m geoid tolerance")
        elif datum == "AMSL":
            notes.append("pressure altitude against AMSL in the standard atmosphere")
        excess = (value - slack - h) if side == "lower" else (h - value - slack)
        worst = max(worst, excess)
    return worst, "; ".join(dict.fromkeys(notes))


def _lateral(volume: Volume, lon: float, lat: float) -> float:
    return float(volume.outline.shape.distance_to_points([lon], [lat])[0])


def assess(
    lon: float,
    lat: float,
    alt: TrackAltitude | None,
    at: datetime,
    notices: Sequence[Notice],
    tolerances: Tolerances,
) -> Offence | None:
    """What is wrong with an aircraft at ``(lon, lat, alt)`` at ``at``, flying for a party
    whose current notices are ``notices`` (None: it conforms)."""
    margin_t = tolerances.time
    active: list[tuple[Notice, int, Volume]] = []
    other: list[tuple[Notice, int, Volume]] = []
    for notice in notices:
        for vi, volume in enumerate(notice.volumes):
            w = volume.window
            if w.start - margin_t <= at < w.end + margin_t:
                active.append((notice, vi, volume))
            else:
                other.append((notice, vi, volume))
    if active:
        best: Offence | None = None
        for notice, vi, volume in active:
            out = _lateral(volume, lon, lat) - tolerances.lateral_m
            if out > 0:
                candidate = Offence(ConformanceKind.outside_volume, notice.id, vi, out)
            elif alt is None:
                return None
            else:
                excess, note = band_excess(alt, volume.altitude, tolerances.vertical_m)
                if excess <= 0:
                    return None
                candidate = Offence(ConformanceKind.outside_band, notice.id, vi, excess, note)
            if best is None or _rank(candidate) < _rank(best):
                best = candidate
        return best
    # Nothing active: inside a volume of another time, or no notice for this at all.
    for notice, vi, volume in sorted(other, key=lambda o: abs(gap_seconds(o[2], at))):
        if _lateral(volume, lon, lat) > tolerances.lateral_m:
            continue
        if alt is not None and band_excess(alt, volume.altitude, tolerances.vertical_m)[0] > 0:
            continue
        gap = gap_seconds(volume, at)
        kind = ConformanceKind.before_window if gap < 0 else ConformanceKind.overrun
        return Offence(kind, notice.id, vi, abs(gap))
    return Offence(ConformanceKind.unnotified)


def gap_seconds(volume: Volume, at: datetime) -> float:
    """Seconds before the window (negative) or after it (positive)."""
    if at < volume.window.start:
        return (at - volume.window.start).total_seconds()
    return (at - volume.window.end).total_seconds()


def _rank(o: Offence) -> tuple[int, float]:
    """Among active volumes, the nearest miss explains best: a band miss over an outline
    miss, then the smaller distance."""
    return (0 if o.kind is ConformanceKind.outside_band else 1, o.distance_m)


@dataclass(frozen=True, slots=True)
class Transition:
    key: str
    kind: ConformanceKind
    raised: bool
    """True: raise (or update) the alert; False: clear it."""
    offence: Offence | None


@dataclass
class _Memory:
    kind: ConformanceKind | None = None
    run: int = 0
    good: int = 0
    raised: ConformanceKind | None = None
    last: Offence | None = field(default=None)


class ConformanceMonitor:
    """Hysteresis per aircraft: an offence is raised after ``confirm`` consecutive reports of
    the same kind and cleared after ``clear`` consecutive conforming reports (or replaced
    when another kind is confirmed)."""

    def __init__(self, confirm: int = 2, clear: int = 3) -> None:
        if confirm < 1 or clear < 1:
            raise ValueError("confirm and clear count at least one report each")
        self.confirm = confirm
        self.clear = clear
        self._memory: dict[str, _Memory] = {}

    def raised(self, key: str) -> ConformanceKind | None:
        m = self._memory.get(key)
        return m.raised if m is not None else None

    def update(self, key: str, offence: Offence | None) -> list[Transition]:
        """One new report of ``key`` assessed as ``offence``; the transitions it causes."""
        m = self._memory.setdefault(key, _Memory())
        out: list[Transition] = []
        if offence is None:
            m.kind, m.run = None, 0
            m.good += 1
            if m.raised is not None and m.good >= self.clear:
                out.append(Transition(key, m.raised, False, None))
                m.raised = None
            if m.raised is None:
                del self._memory[key]
            return out
        m.good = 0
        if offence.kind is m.kind:
            m.run += 1
        else:
            m.kind, m.run = offence.kind, 1
        m.last = offence
        if m.run >= self.confirm or m.raised is offence.kind:
            if m.raised is not None and m.raised is not offence.kind:
                out.append(Transition(key, m.raised, False, None))
            m.raised = offence.kind
            out.append(Transition(key, offence.kind, True, offence))
        return out

    def forget(self, key: str) -> list[Transition]:
        """The aircraft is gone: clear what was raised."""
        m = self._memory.pop(key, None)
        if m is None or m.raised is None:
            return []
        return [Transition(key, m.raised, False, None)]
