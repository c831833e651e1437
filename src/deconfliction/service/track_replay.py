"""The air picture as it stood at a past instant: what the console draws when its scrubber is
moved back, and what ``GET /v1/tracks?at=`` answers.

Each round of the live tracks keeps, per aircraft, one sample at most every
``tracks_history_step_s`` for ``tracks_history_s`` (:meth:`TrackHistory.remember`): the
position the round used (extrapolated to the round's time from the last report), the altitude
as last reported (value, unit and datum: never converted), track, speed and callsign.

Memory keeps a sample as a plain tuple of numbers and strings (:data:`Kept`, the record's row
without the aircraft), not as a :class:`Sample`: the cycle collector stops tracking a tuple
that holds only numbers, strings and None, and ten minutes of history are over a million
samples at 10,000 aircraft, which each full pass would otherwise walk (a named tuple, or a
tuple holding a quantity object, stays tracked).  An answer turns the sample it shows into a
:class:`Sample`; a trail is the kept tuples, whose first four fields are the point
``[t, lon, lat, altitude m]``.  At an instant
``T`` an aircraft stands at its last sample at or before ``T``, if that sample is no older than
``tracks_max_age_s`` (the age beyond which a round leaves an aircraft out).

Who may see it at ``T`` is the live rule (``TrackService.visible``) with the tactical alerts
as they stood at ``T`` (``store/alerts.alerts_as_of``, the rule of ``GET /v1/alerts?at=``): its
own party's aircraft; another party's while a tactical alert open at ``T`` names both; aircraft
nobody declared where the track terms of an agreement in force now name the caller.
Attribution is today's declarations (they are not versioned in memory).
"""

from __future__ import annotations

import functools
import math
import threading
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from datetime import datetime
from itertools import islice
from operator import itemgetter
from typing import Any, NamedTuple

from deconfliction.engine.tracks.alerts import TACTICAL_KINDS
from deconfliction.engine.tracks.attribution import Attributed
from deconfliction.engine.tracks.quantities import Speed, SpeedUnit, TrackAltitude, VerticalDatum
from deconfliction.engine.tracks.state import Snapshot
from deconfliction.engine.units import AltitudeUnit
from deconfliction.service.coordinator import Coordinator
from deconfliction.store import alerts as alert_store

__all__ = [
    "Kept",
    "Point",
    "Sample",
    "TrackHistory",
    "kept",
    "may_see",
    "picture",
    "sample_of",
    "standing_at",
    "subjects_open_at",
]


class Sample(NamedTuple):
    """One aircraft as one round held it.  The first four fields are the public trail point
    ``[t, lon, lat, altitude m on its datum]``."""

    t: float
    lon: float
    lat: float
    alt_m: float | None
    track: float | None
    baro: TrackAltitude | None
    geom: TrackAltitude | None
    speed: Speed | None
    callsign: str | None


Kept = tuple[Any, ...]
"""A sample as memory keeps it: ``(t, lon, lat, alt_m, track, baro value, unit, datum, geom
value, unit, datum, speed value, unit, callsign)``, numbers, strings and None only, in the order
of the record's columns after the aircraft (``store.track_history.COLUMNS``)."""

Point = tuple[float, float, float, float | None]
"""A trail point: ``(t, lon, lat, altitude m on its datum)``."""


def kept(snap: Snapshot, row: int, t: float) -> Kept:
    """Row ``row`` of a round's snapshot at time ``t``, as memory keeps it: the altitudes and
    speed of the reports the round used."""
    alt, vel = snap.altitudes[row], snap.velocities[row]
    baro, geom, speed = alt.baro, alt.geom, vel.speed
    return (
        t, float(snap.lon[row]), float(snap.lat[row]), float(snap.alt_m[row]),
        float(snap.track[row]),
        *((baro.value, baro.unit.value, baro.datum.value) if baro else (None,) * 3),
        *((geom.value, geom.unit.value, geom.datum.value) if geom else (None,) * 3),
        *((speed.value, speed.unit.value) if speed else (None,) * 2),
        snap.states[row].callsign,
    )  # fmt: skip


def sample_of(k: Sequence[Any]) -> Sample:
    """A kept sample (or a row of the record without its aircraft) as a :class:`Sample`."""
    t, lon, lat, alt_m, track, bv, bu, bd, gv, gu, gd, sv, su, callsign = k
    baro = _altitude(bv, bu, bd) if bv is not None else None
    geom = _altitude(gv, gu, gd) if gv is not None else None
    speed = _speed(sv, su) if sv is not None else None
    return Sample(t, lon, lat, alt_m, track, baro, geom, speed, callsign)


# An aircraft reports the same few altitudes and speeds over and over: the immutable values are
# shared, not built again for every sample read.
@functools.lru_cache(maxsize=65_536)
def _altitude(value: float, unit: str, datum: str) -> TrackAltitude:
    return TrackAltitude(value, AltitudeUnit(unit), VerticalDatum(datum))


@functools.lru_cache(maxsize=16_384)
def _speed(value: float, unit: str) -> Speed:
    return Speed(value, SpeedUnit(unit))


def standing_at(history: Sequence[Sequence[Any]], t: float, max_age_s: float) -> int | None:
    """The index of the last sample at or before ``t`` no older than ``max_age_s``, or None.
    ``history`` (samples or kept samples: their time first) is oldest first."""
    i = bisect_right(history, t, key=_time) - 1
    if i < 0 or t - history[i][0] > max_age_s:
        return None
    return i


def subjects_open_at(coordinator: Coordinator, party: str, at: datetime) -> set[str]:
    """The subjects (aircraft keys among them) of the tactical alerts open at ``at`` that name
    ``party``: the record's answer, as ``GET /v1/alerts?at=`` gives it."""
    with coordinator.reading() as connection:
        alerts = alert_store.alerts_as_of(connection, at, party)
    out: set[str] = set()
    for alert in alerts:
        if alert.kind in TACTICAL_KINDS:
            out.update(alert.subjects)
    return out


def may_see(party: str, key: str, who: Attributed, concerned: Set[str], unattributed: bool) -> bool:
    """The one need-to-know rule for an aircraft, live and replayed."""
    return (
        who.party == party
        or party in who.disputed
        or key in concerned
        or (who.party is None and not who.disputed and unattributed)
    )


class TrackHistory:
    """Each aircraft's samples, oldest first, kept for ``keep_s`` seconds, one at most every
    ``step_s`` seconds."""

    def __init__(self, step_s: float, keep_s: float, *, record: bool = False) -> None:
        self.step_s = step_s
        self.keep_s = keep_s
        self.record = record
        """Whether new samples are also kept aside for the record (:meth:`take_fresh`)."""
        self._samples: dict[str, deque[Kept]] = {}
        self._fresh: list[tuple[str, Kept]] = []
        self._first: float | None = None
        self._newest = -math.inf
        self._lost_until = -math.inf
        """The newest sample of any aircraft forgotten (memory no longer holds it)."""
        self._lock = threading.Lock()

    def remember(self, snap: Snapshot, t: float) -> None:
        """Add the round of time ``t`` (called by the round, one at a time)."""
        keep = t - self.keep_s
        with self._lock:
            if self._first is None:
                self._first = t
            self._newest = max(self._newest, t)
            for row, key in enumerate(snap.keys):
                trail = self._samples.get(key)
                if trail is None:
                    trail = self._samples[key] = deque()
                if not trail or t - trail[-1][0] >= self.step_s:
                    trail.append(kept(snap, row, t))
                    if self.record:
                        self._fresh.append((key, trail[-1]))
                while trail and trail[0][0] < keep:
                    trail.popleft()

    def forget(self, key: str) -> None:
        with self._lock:
            trail = self._samples.pop(key, None)
            if trail:
                self._lost_until = max(self._lost_until, trail[-1][0])

    def take_fresh(self) -> list[tuple[str, Kept]]:
        """The samples added since the last call, oldest round first."""
        with self._lock:
            fresh, self._fresh = self._fresh, []
        return fresh

    def complete_from(self) -> float:
        """The time from which memory holds every sample of every aircraft (infinity before
        the first round): later than the first round since start, than what was trimmed
        (``keep_s`` before the newest round), and than any sample of an aircraft forgotten."""
        with self._lock:
            if self._first is None:
                return math.inf
            lost = math.nextafter(self._lost_until, math.inf)
            return max(self._first, self._newest - self.keep_s, lost)

    def between(
        self, start: float, end: float, keys: Iterable[str] | None = None
    ) -> dict[str, list[Kept]]:
        """Each aircraft's samples (only ``keys`` if given) with ``start <= t <= end``, oldest
        first."""
        out: dict[str, list[Kept]] = {}
        with self._lock:
            chosen = (
                self._samples.items()
                if keys is None
                else ((k, self._samples[k]) for k in keys if k in self._samples)
            )
            for key, history in chosen:
                lo = bisect_left(history, start, key=_time)
                hi = bisect_right(history, end, key=_time)
                if lo < hi:
                    out[key] = list(islice(history, lo, hi))
        return out

    def trail(self, key: str) -> list[Point]:
        """``[t, lon, lat, altitude m on its datum]`` per sample, oldest first."""
        with self._lock:
            return [s[:4] for s in self._samples.get(key, ())]

    def picture_at(
        self,
        t: float,
        max_age_s: float,
        wanted: Callable[[str, str | None], bool] = lambda key, callsign: True,
        *,
        trails: bool = True,
    ) -> list[tuple[str, Sample, list[Kept]]]:
        """Every aircraft standing at ``t`` that ``wanted`` keeps, with its sample then and
        (``trails``) its samples over the kept window up to it, oldest first.  Only what is
        kept is copied: a caller who may see a few aircraft among thousands pays for a search
        per aircraft, not for every sample."""
        with self._lock:
            return picture(self._samples, t, max_age_s, self.keep_s, wanted, trails=trails)


def picture(
    samples: Mapping[str, Sequence[Kept]],
    t: float,
    max_age_s: float,
    keep_s: float,
    wanted: Callable[[str, str | None], bool],
    *,
    trails: bool = True,
) -> list[tuple[str, Sample, list[Kept]]]:
    """The air picture at ``t`` from each aircraft's kept samples (oldest first), wherever
    they were read: :meth:`TrackHistory.picture_at` says what it gives.  ``wanted`` is asked
    with the aircraft and its callsign then (who it was attributed to); only the sample of an
    aircraft kept becomes a :class:`Sample`, and a trail is its kept samples (each begins with
    the trail point ``t, lon, lat, altitude``)."""
    out = []
    for key, history in samples.items():
        i = standing_at(history, t, max_age_s)
        if i is None:
            continue
        kept = history[i]
        if not wanted(key, kept[-1]):
            continue
        trail: list[Kept] = []
        if trails:
            start = bisect_right(history, t - keep_s, key=_time)
            trail = list(islice(history, start, i + 1))
        out.append((key, sample_of(kept), trail))
    return out


_time = itemgetter(0)
