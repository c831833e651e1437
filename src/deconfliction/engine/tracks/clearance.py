"""Time to clear: can an aircraft inside a notified volume get out before the volume starts?

Three ways out, each timed at the aircraft's current ground speed (and an escape rate for the
vertical one); the time needed is the shortest:

* **on its track**: flying on along its current track (a geodesic) until it is out;
* **the shortest way**: straight to the nearest edge of the outline (with the margin) — a
  turn is counted as instantaneous, so this is a lower bound on the real time;
* **vertically**: climbing or descending out of the band (with the margin) at
  ``escape_rate`` (unless the band's bounds are heights above ground, which need terrain data).

An aircraft outside the volume whose track enters it before the start and is still inside at
the start is reported too (``inside_now`` false): on its track it will be inside when the
volume starts; turning away avoids it.  Distances are exact on the ellipsoid
(``Shape.distance_to_points``, geodesic steps with GeographicLib); the exit along the track is
found to within ``resolution_m``.

Examples
--------
The Il-20 case: orbiting at 300 kt 20 km inside a 30 km circle; the notice starts in 50 s.

>>> from datetime import UTC, datetime, timedelta
>>> from deconfliction.engine.model import Volume
>>> from deconfliction.engine.units import AltitudeUnit
>>> from deconfliction.engine.tracks.quantities import VerticalDatum
>>> t0 = datetime(2018, 9, 17, 19, tzinfo=UTC)
>>> volume = Volume.model_validate({
...     "outline": {"type": "circle", "center": {"lon": 35.8, "lat": 35.4}, "radius": "30 km"},
...     "altitude": {"lower": "SFC", "upper": "FL300"},
...     "window": {"start": t0 + timedelta(seconds=50), "end": t0 + timedelta(hours=1)}})
>>> alt = TrackAltitude(16000, AltitudeUnit.ft, VerticalDatum.barometric)
>>> c = time_to_clear(35.8, 35.4 + 0.09, alt, 300 * 1852 / 3600, 90.0, volume, t0, margin_m=0.0)
>>> c.cannot_clear, round(c.time_given), round(c.time_needed), c.way
(True, 50, 130, 'shortest way')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from deconfliction.engine.geodesy.ellipsoid import geod
from deconfliction.engine.geodesy.shapes import CoreKind, Shape
from deconfliction.engine.model import Volume
from deconfliction.engine.tracks.conformance import band_excess
from deconfliction.engine.tracks.quantities import TrackAltitude
from deconfliction.engine.units import FOOT

__all__ = ["ESCAPE_RATE_MPS", "Clearance", "time_to_clear"]

ESCAPE_RATE_MPS = 1500 * FOOT / 60
"""Climb or descent assumed for leaving a band vertically: 1,500 ft/min."""


@dataclass(frozen=True, slots=True)
class Clearance:
    inside_now: bool
    time_given: float
    """Seconds from now to the volume's start."""
    time_needed: float
    """Seconds needed by the quickest way out (``inf`` when the aircraft cannot move)."""
    way: str
    along_track_s: float
    shortest_s: float
    vertical_s: float

    @property
    def cannot_clear(self) -> bool:
        return self.time_needed > self.time_given


def _edge_distance(shape: Shape, margin: float, lon: float, lat: float) -> float:
    """Distance from a point inside the shape grown by ``margin`` to its edge."""
    if shape.kind is CoreKind.point:
        core = float(geod().inv(shape.lons[0], shape.lats[0], lon, lat)[2])
        return shape.radius + margin - core
    line = shape.boundary_line()
    edge = float(line.distance(np.array([lon]), np.array([lat]))[0])
    if shape.kind is CoreKind.polygon and float(shape.distance_to_points([lon], [lat])[0]) == 0.0:
        return edge + shape.radius + margin
    return shape.radius + margin - edge


def _along_track(
    grown: Shape, lon: float, lat: float, azimuth: float, reach: float, resolution: float
) -> tuple[float | None, float | None]:
    """Distances along the geodesic at ``azimuth`` where it first enters and then leaves
    ``grown`` (None when it does not within ``reach``)."""
    steps = max(2, math.ceil(reach / 500.0) + 1)
    d = np.linspace(0.0, reach, steps)
    lons, lats, _ = geod().fwd(np.full(steps, lon), np.full(steps, lat), np.full(steps, azimuth), d)
    inside = grown.distance_to_points(lons, lats) == 0.0

    def refine(lo: float, hi: float, want_inside_at_lo: bool) -> float:
        while hi - lo > resolution:
            mid = 0.5 * (lo + hi)
            mlon, mlat, _ = geod().fwd(lon, lat, azimuth, mid)
            now_in = float(grown.distance_to_points([mlon], [mlat])[0]) == 0.0
            if now_in == want_inside_at_lo:
                lo = mid
            else:
                hi = mid
        return hi

    entry: float | None = 0.0 if inside[0] else None
    if entry is None:
        first = np.flatnonzero(inside)
        if not first.size:
            return None, None
        k = int(first[0])
        entry = refine(float(d[k - 1]), float(d[k]), False)
        start = k
    else:
        start = 0
    out = np.flatnonzero(~inside[start:])
    if not out.size:
        return entry, None
    k = start + int(out[0])
    return entry, refine(float(d[k - 1]), float(d[k]), True)


def time_to_clear(
    lon: float,
    lat: float,
    alt: TrackAltitude | None,
    speed_mps: float,
    track_deg: float,
    volume: Volume,
    now: datetime,
    *,
    margin_m: float,
    vertical_margin_m: float = 0.0,
    escape_rate_mps: float = ESCAPE_RATE_MPS,
    resolution_m: float = 1.0,
) -> Clearance | None:
    """How long the aircraft needs to leave ``volume`` (its outline grown by ``margin_m``,
    its band by ``vertical_margin_m``) and how long it has; None when it is neither inside
    nor entering on its track before the start, or the volume has started."""
    given = (volume.window.start - now).total_seconds()
    if given <= 0:
        return None
    shape = volume.outline.shape
    grown = shape.grown(margin_m)
    in_band = True
    vertical = math.inf
    if alt is not None:
        excess, note = band_excess(alt, volume.altitude, vertical_margin_m)
        in_band = excess <= 0
        if in_band and "terrain" not in note and math.isfinite(excess):
            vertical = -excess / escape_rate_mps
    if not in_band:
        return None
    inside = float(grown.distance_to_points([lon], [lat])[0]) == 0.0
    speed = max(speed_mps, 0.0)
    reach = max(1000.0, speed * (given + 3600.0))
    if inside:
        shortest = _edge_distance(shape, margin_m, lon, lat) / speed if speed > 0 else math.inf
        _, exit_d = _along_track(grown, lon, lat, track_deg, reach, resolution_m)
        along = exit_d / speed if speed > 0 and exit_d is not None else math.inf
        options = {"on its track": along, "shortest way": shortest, "vertically": vertical}
        way = min(options, key=lambda k: options[k])
        return Clearance(True, given, options[way], way, along, shortest, vertical)
    if speed <= 0:
        return None
    entry_d, exit_d = _along_track(grown, lon, lat, track_deg, speed * given, resolution_m)
    if entry_d is None:
        return None
    along = math.inf if exit_d is None else exit_d / speed
    if exit_d is None:
        _, exit_d = _along_track(grown, lon, lat, track_deg, reach, resolution_m)
        along = exit_d / speed if exit_d is not None else math.inf
    return Clearance(False, given, along, "on its track", along, 0.0, vertical)
