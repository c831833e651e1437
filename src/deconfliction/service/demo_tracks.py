"""The Golan demo's air picture: synthetic receiver data, generated here, fed by the server.

``deconflict serve --demo`` shows live aircraft.  Nothing is copied from a real receiver: the
aircraft below fly circuits computed here, written as SBS-1 (BaseStation) lines stamped from
the server's start onwards, to a file the server then reads itself as UNDOF's receiver at Camp
Faouar (``DECONFLICT_TRACKS_SOURCES``, replayed at its own pace: the demo clock is the
server's clock).  The file covers :data:`REPLAY_S` seconds, longer than a demo runs.

What a newcomer sees, each case fed through the same path as a real receiver's reports:

- IDF's IAF101 and Russia's RFF7711 fly mirrored racetracks either side of the lines at
  nearly the same level: every lap they head at each other (a ``track-conflict`` alert in both
  parties' consoles, its line joining them) and turn away (the alert closes).
- IDF's IAF202 flies a racetrack whose southern half lies outside IDF's notice: a conformance
  alert rings it while it is out, and closes when it is back.
- Russia's RFF9041 orbits at 300 kt inside Russia's notice (the Il-20 of September 2018);
  :data:`LATE_NOTICE_AFTER_S` after the start IDF files a notice over the orbit that starts
  50 seconds later: it cannot get out in time (``cannot-clear``).
- CIV311, an aircraft nobody declared, crosses the area: the track terms of the Israel–Russia
  line show aircraft nobody declared to UNDOF only.

Attribution is through declarations, as a party would make them (``POST /v1/tracks/aircraft``).

Examples
--------
>>> c = Circuit(33.0, 35.6, half_length_m=10_000, radius_m=5_000, speed_kt=400)
>>> [round(v, 4) for v in c.at(0.0)]
[35.493, 33.0451, 90.0]
>>> lines = list(replay_lines(0.0, 2.0))
>>> len(lines), lines[0].split(",")[4]
(15, '738A01')
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from deconfliction.engine.model import NoticeKind, Volume
from deconfliction.engine.times import format_time
from deconfliction.engine.tracks.formats.sbs import sbs_line
from deconfliction.engine.tracks.terms import DeclarationIn
from deconfliction.service.auth import Principal, Role
from deconfliction.service.coordinator import Coordinator, Tx
from deconfliction.service.notices import NoticeFiling, file_notice
from deconfliction.service.settings import Settings
from deconfliction.service.tracks import TrackService
from deconfliction.service.writer import Writer

__all__ = [
    "AIRCRAFT",
    "LATE_NOTICE_AFTER_S",
    "RECEIVER",
    "REPLAY_S",
    "Circuit",
    "DemoAircraft",
    "file_late_notice",
    "prepare",
    "replay_lines",
    "schedule_late_notice",
    "stage",
    "timed_lines",
    "write_replay",
]

RECEIVER = "undof"
"""The party whose receiver feeds the demo (as its monitor would)."""
REPLAY_S = 4 * 3600.0
"""How long the generated replay runs."""
STEP_S = 2.0
"""Seconds between two positions of one aircraft (one MSG,3 and one MSG,4 line)."""
LATE_NOTICE_AFTER_S = 90.0
"""When, after the start, IDF files the notice that leaves RFF9041 50 s."""
LATE_NOTICE_LEAD_S = 50.0

log = logging.getLogger("deconfliction.demo")

_KT = 1852.0 / 3600.0


@dataclass(frozen=True, slots=True)
class Circuit:
    """A racetrack flown at constant speed: two legs along a parallel, east and west, joined by
    half circles (an orbit when the legs have no length).  Clockwise from the west end of the
    northern leg; ``clockwise=False`` is its mirror image (from the east end, westbound)."""

    lat: float
    lon: float
    half_length_m: float
    radius_m: float
    speed_kt: float
    clockwise: bool = True
    phase_s: float = 0.0

    def at(self, t: float) -> tuple[float, float, float]:
        """``(lon, lat, track °)`` ``t`` seconds into the circuit."""
        h, r = self.half_length_m, self.radius_m
        arc = math.pi * r
        d = ((t + self.phase_s) * self.speed_kt * _KT) % (4 * h + 2 * arc)
        if d < 2 * h:
            x, y, track = -h + d, r, 90.0
        elif d < 2 * h + arc:
            theta = math.pi / 2 - (d - 2 * h) / r
            x, y = h + r * math.cos(theta), r * math.sin(theta)
            track = math.degrees(math.atan2(math.sin(theta), -math.cos(theta))) % 360
        elif d < 4 * h + arc:
            x, y, track = h - (d - 2 * h - arc), -r, 270.0
        else:
            theta = -math.pi / 2 - (d - 4 * h - arc) / r
            x, y = -h + r * math.cos(theta), r * math.sin(theta)
            track = math.degrees(math.atan2(math.sin(theta), -math.cos(theta))) % 360
        if not self.clockwise:
            x, track = -x, (360.0 - track) % 360
        per_lat, per_lon = _metres_per_degree(self.lat)
        return self.lon + x / per_lon, self.lat + y / per_lat, round(track, 1) % 360


def _metres_per_degree(lat: float) -> tuple[float, float]:
    """Metres per degree of latitude and of longitude at ``lat`` on the WGS84 ellipsoid (the
    radii of curvature): a flat frame good to a few metres over a circuit's 100 km."""
    a, e2 = 6_378_137.0, 0.00669437999014
    s = math.sin(math.radians(lat))
    w = math.sqrt(1 - e2 * s * s)
    meridian = a * (1 - e2) / w**3
    normal = a / w
    return math.radians(meridian), math.radians(normal * math.cos(math.radians(lat)))


@dataclass(frozen=True, slots=True)
class DemoAircraft:
    address: str
    callsign: str
    party: str | None
    feet: float
    """Pressure altitude, as SBS reports it (feet, barometric)."""
    circuit: Circuit


AIRCRAFT = (
    DemoAircraft("738A01", "IAF101", "idf", 30_000, Circuit(33.08, 35.64, 8_000, 5_000, 400.0)),
    DemoAircraft("15A001", "RFF7711", "rus", 30_500, Circuit(33.08, 36.04, 8_000, 5_000, 400.0, clockwise=False)),
    DemoAircraft("738A02", "IAF202", "idf", 28_000,
                 Circuit(32.78, 35.60, 8_000, 10_000, 420.0, phase_s=150.0)),
    DemoAircraft("15A002", "RFF9041", "rus", 20_000, Circuit(33.22, 36.10, 0.0, 6_000, 300.0)),
    DemoAircraft("740A21", "CIV311", None, 37_000,
                 Circuit(33.05, 35.95, 60_000, 30_000, 450.0, phase_s=400.0)),
)  # fmt: skip
"""The demo's aircraft.  IAF202's southern leg (32.69° N) lies 6 km beyond
IDF's notice (32.80° N) and its 3 NM margin."""

# The notices the aircraft fly under: (party, title, outline vertices, lower, upper).
_PATROLS = (
    ("idf", "Air patrol west of Line A",
     ["33.3000N 35.4000E", "33.3000N 35.7900E", "32.8000N 35.7900E", "32.8000N 35.4000E"],
     "FL250", "FL350"),
    ("rus", "Patrol and reconnaissance east of Line B",
     ["33.4000N 35.8900E", "33.4000N 36.3000E", "32.9000N 36.3000E", "32.9000N 35.8900E"],
     "FL150", "FL350"),
)  # fmt: skip
_LATE_AREA = ["33.3300N 35.9600E", "33.3300N 36.2400E", "33.1100N 36.2400E", "33.1100N 35.9600E"]


def replay_lines(t0: float, seconds: float = REPLAY_S) -> Iterator[str]:
    """The receiver's SBS lines from ``t0`` (Unix seconds) for ``seconds``, in time order."""
    return (line for _, line in timed_lines(t0, seconds))


def timed_lines(t0: float, seconds: float = REPLAY_S) -> Iterator[tuple[float, str]]:
    """:func:`replay_lines` with each line's time: per aircraft every :data:`STEP_S` a
    position with its altitude (MSG,3) and a velocity (MSG,4), its callsign (MSG,1) every ten
    positions."""
    for k in range(int(seconds / STEP_S)):
        for i, plane in enumerate(AIRCRAFT):
            elapsed = k * STEP_S + i * 0.25
            t = t0 + elapsed
            number = int(plane.address, 16)
            lon, lat, track = plane.circuit.at(elapsed)
            if k % 10 == 0:
                yield t, sbs_line(number, t, transmission=1, callsign=plane.callsign)
            yield (
                t,
                sbs_line(number, t, altitude_ft=plane.feet, lat=round(lat, 5), lon=round(lon, 5)),
            )
            yield (
                t,
                sbs_line(
                    number,
                    t,
                    transmission=4,
                    speed_kt=plane.circuit.speed_kt,
                    track=track,
                    rate_fpm=0,
                ),
            )


def write_replay(path: Path, t0: float, seconds: float = REPLAY_S) -> None:
    """Write the replay from ``t0`` to ``path`` (the file the demo's source names)."""
    with path.open("w", encoding="ascii") as f:
        for line in replay_lines(t0, seconds):
            f.write(line + "\n")


def _volume(vertices: list[str], lower: str, upper: str, start: datetime, end: datetime) -> Volume:
    return Volume.model_validate(
        {
            "outline": {"type": "polygon", "vertices": vertices},
            "altitude": {"lower": lower, "upper": upper},
            "window": {"start": format_time(start), "end": format_time(end)},
        }
    )


def stage(tx: Tx, tracks: TrackService, seconds: float = REPLAY_S) -> list[NoticeFiling]:
    """Declare each party's aircraft and file the patrols they fly under, from ``tx.now`` for
    ``seconds``."""
    now = tx.now
    for party in ("idf", "rus"):
        mine = [p.address for p in AIRCRAFT if p.party == party]
        tracks.declare(tx, Principal(party, Role.duty_officer), DeclarationIn(addresses=mine))
    end = now + timedelta(seconds=seconds)
    return [
        file_notice(tx, Principal(party, Role.duty_officer), kind=NoticeKind.air_operation,
                    volumes=[_volume(vertices, lower, upper, now, end)], title=title)
        for party, title, vertices, lower, upper in _PATROLS
    ]  # fmt: skip


def file_late_notice(tx: Tx) -> NoticeFiling:
    """IDF's notice over RFF9041's orbit, starting :data:`LATE_NOTICE_LEAD_S` after ``tx.now``."""
    start = tx.now + timedelta(seconds=LATE_NOTICE_LEAD_S)
    volume = _volume(_LATE_AREA, "FL050", "FL250", start, start + timedelta(minutes=20))
    return file_notice(
        tx, Principal("idf", Role.duty_officer), kind=NoticeKind.air_operation,
        volumes=[volume], title="Air operation east of Line B",
    )  # fmt: skip


def prepare(
    coordinator: Coordinator, settings: Settings, directory: Path
) -> tuple[Settings, Callable[[Writer], threading.Timer]]:
    """Stage the demo's air picture on a freshly loaded Golan record: the settings that feed
    it (the demo's source added to any named), and what to call with the server's writer just
    before it serves.  That call writes the replay under ``directory``, stamped from that
    moment (a replay stamped earlier would reach the server older than ``tracks_max_age_s``
    if starting it took longer), and schedules the late notice."""
    tracks = TrackService(Writer(coordinator), settings, coordinator.clock)
    with coordinator.transaction() as tx:
        stage(tx, tracks)
    path = directory / "golan-receiver.sbs"
    source = f"{RECEIVER}:sbs:{path}"

    def start(writer: Writer) -> threading.Timer:
        write_replay(path, coordinator.clock.now().timestamp())
        return schedule_late_notice(writer)

    sources = f"{settings.tracks_sources} {source}".strip()
    return settings.model_copy(update={"tracks_sources": sources}), start


def schedule_late_notice(writer: Writer, delay_s: float = LATE_NOTICE_AFTER_S) -> threading.Timer:
    """File :func:`file_late_notice` through the server's writer ``delay_s`` from now (a daemon
    timer: it never holds the server up)."""

    def fire() -> None:
        try:
            writer.execute(file_late_notice)
        except Exception:  # the server may be stopping; the demo goes on without it
            log.exception("filing the demo's late notice failed")

    timer = threading.Timer(delay_s, fire)
    timer.daemon = True
    timer.start()
    return timer
