"""The latest state of every aircraft, merged from partial reports.

Each part of a state (position, altitude, velocity, identity) keeps the report that set it, so
that whatever is computed from a state can cite its inputs.  A report older than the part it
would set is ignored for that part (sources and receivers disagree on order).  Nothing here
reads a clock: :meth:`TrackTable.snapshot` takes the instant to extrapolate to.

Examples
--------
>>> from deconfliction.engine.tracks.formats.sbs import SbsParser, sbs_line
>>> lines = [sbs_line(0x4CA123, 100.0, altitude_ft=30000, lat=33.0, lon=35.0),
...          sbs_line(0x4CA123, 100.5, transmission=4, speed_kt=400, track=90, rate_fpm=0)]
>>> table = TrackTable()
>>> table.ingest(SbsParser("r").feed("\\n".join(lines).encode() + b"\\n").reports)
2
>>> snap = table.snapshot(101.0, max_age_s=20)
>>> snap.keys, round(float(snap.alt_m[0]), 1), round(float(snap.speed[0]), 2)
(['icao:4ca123'], 9144.0, 205.78)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from deconfliction.engine.tracks.quantities import TrackAltitude, VerticalDatum
from deconfliction.engine.tracks.reports import TrackReport

__all__ = ["DATUM_CODES", "Snapshot", "TrackState", "TrackTable", "evidence_of"]

FloatArray = NDArray[np.float64]
DATUM_CODES = {VerticalDatum.barometric: 0, VerticalDatum.geometric: 1}


class TrackState:
    """One aircraft: the report behind each part of its state."""

    __slots__ = ("alt", "identity", "key", "last", "position", "velocity")

    def __init__(self, key: str) -> None:
        self.key = key
        self.position: TrackReport | None = None
        self.alt: TrackReport | None = None
        self.velocity: TrackReport | None = None
        self.identity: TrackReport | None = None
        self.last = -np.inf

    def merge(self, r: TrackReport) -> None:
        t = r.t
        if t > self.last:
            self.last = t
        if r.lat is not None and (self.position is None or t >= self.position.t):
            self.position = r
        has_alt = r.baro is not None or r.geom is not None or bool(r.on_ground)
        if has_alt and (self.alt is None or t >= self.alt.t):
            self.alt = r
        has_velocity = r.speed is not None and r.track is not None
        if has_velocity and (self.velocity is None or t >= self.velocity.t):
            self.velocity = r
        if (r.callsign is not None or r.squawk is not None) and (
            self.identity is None or t >= self.identity.t
        ):
            self.identity = r

    @property
    def callsign(self) -> str | None:
        return self.identity.callsign if self.identity is not None else None

    @property
    def altitude(self) -> TrackAltitude | None:
        """The altitude used for separation: barometric when reported, else geometric."""
        if self.alt is None:
            return None
        return self.alt.baro if self.alt.baro is not None else self.alt.geom

    @property
    def on_ground(self) -> bool:
        return bool(self.alt is not None and self.alt.on_ground)

    def evidence(self) -> list[TrackReport]:
        """The distinct reports the state stands on, oldest first."""
        return evidence_of(self.position, self.alt, self.velocity)


def evidence_of(*reports: TrackReport | None) -> list[TrackReport]:
    """The distinct reports among ``reports``, oldest first (a report that set several parts of
    a state is cited once)."""
    seen: dict[tuple[str, float, str], TrackReport] = {}
    for r in reports:
        if r is not None:
            seen.setdefault((r.source, r.t, r.ref), r)
    return sorted(seen.values(), key=lambda r: r.t)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The airborne aircraft with a position, altitude and velocity no older than the age
    asked, as arrays (one row per key), extrapolated to ``t``."""

    t: float
    keys: list[str]
    states: list[TrackState]
    lon: FloatArray
    lat: FloatArray
    alt_m: FloatArray
    datum: NDArray[np.int32]
    speed: FloatArray
    track: FloatArray
    climb: FloatArray
    age: FloatArray
    """Seconds from each position to ``t`` (the plane positions extrapolate over it)."""
    alt_age: FloatArray
    positions: list[TrackReport]
    """The reports each row's position, altitude and velocity came from, as the snapshot
    took them: the table goes on merging reports into the states while a round runs, and the
    evidence of a finding must be the inputs it was computed from."""
    altitudes: list[TrackReport]
    velocities: list[TrackReport]

    def evidence(self, row: int) -> list[TrackReport]:
        """The distinct reports row ``row`` stands on, oldest first."""
        return evidence_of(self.positions[row], self.altitudes[row], self.velocities[row])

    def altitude(self, row: int) -> TrackAltitude:
        """The altitude row ``row`` flies on (barometric when reported, else geometric)."""
        alt = self.altitudes[row]
        return alt.baro if alt.baro is not None else alt.geom  # type: ignore[return-value]


class TrackTable:
    """Every aircraft heard, by key."""

    def __init__(self) -> None:
        self.tracks: dict[str, TrackState] = {}

    def __len__(self) -> int:
        return len(self.tracks)

    def ingest(self, reports: Iterable[TrackReport]) -> int:
        count = 0
        tracks = self.tracks
        for r in reports:
            state = tracks.get(r.key)
            if state is None:
                state = tracks[r.key] = TrackState(r.key)
            state.merge(r)
            count += 1
        return count

    def forget_before(self, t: float) -> list[str]:
        """Drop aircraft last heard before ``t``; returns their keys."""
        gone = [k for k, s in self.tracks.items() if s.last < t]
        for k in gone:
            del self.tracks[k]
        return gone

    def snapshot(self, t: float, max_age_s: float) -> Snapshot:
        chosen: list[TrackState] = []
        positions: list[TrackReport] = []
        altitudes: list[TrackReport] = []
        velocities: list[TrackReport] = []
        # One list of floats per column, not a tuple per row: floats are no work for the
        # cycle collector, ten thousand tuples a round are.
        lon: list[float] = []
        lat: list[float] = []
        alt_m: list[float] = []
        datum: list[int] = []
        speed: list[float] = []
        track: list[float] = []
        climb: list[float] = []
        age: list[float] = []
        alt_age: list[float] = []
        for state in self.tracks.values():
            pos, alt_r, vel = state.position, state.alt, state.velocity
            if pos is None or alt_r is None or vel is None or alt_r.on_ground:
                continue
            if t - pos.t > max_age_s or t - vel.t > max_age_s or t - alt_r.t > max_age_s:
                continue
            alt = alt_r.baro if alt_r.baro is not None else alt_r.geom
            if alt is None or vel.speed is None or vel.track is None:
                continue
            rate = vel.rate
            chosen.append(state)
            positions.append(pos)
            altitudes.append(alt_r)
            velocities.append(vel)
            lon.append(pos.lon or 0.0)
            lat.append(pos.lat or 0.0)
            alt_m.append(alt.metres)
            datum.append(DATUM_CODES[alt.datum])
            speed.append(vel.speed.metres_per_second)
            track.append(vel.track)
            climb.append(rate.metres_per_second if rate is not None else 0.0)
            age.append(t - pos.t)
            alt_age.append(t - alt_r.t)

        def column(values: list[float]) -> FloatArray:
            return np.array(values, np.float64).reshape(-1)

        return Snapshot(
            t,
            [s.key for s in chosen],
            chosen,
            column(lon),
            column(lat),
            column(alt_m),
            np.array(datum, np.int32).reshape(-1),
            column(speed),
            column(track),
            column(climb),
            column(age),
            column(alt_age),
            positions,
            altitudes,
            velocities,
        )
