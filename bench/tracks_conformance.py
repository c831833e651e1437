"""Conformance at scale: 10,000 tracks against 100,000 active volumes (issue 12, item 5).

World: ``--parties`` parties share ``--volumes`` active volumes (notices of ``--per-notice``
volumes each: 60 % geodesic circles of 2–10 km, 30 % quadrilaterals of 5–20 km, 10 % corridors
of 2 km half-width), spread over 2,000 km x 2,000 km around 33N 36E, bands FL050–FL450, windows
open for the whole run; and ``--aircraft`` aircraft of those parties, each reporting once a
second (SBS-like reports: position, pressure altitude), 97 % inside one of their party's
volumes and band, 3 % outside every volume.  Rounds run every ``--tick`` seconds of simulated
time, as the service runs them: snapshot of the track table, then conformance
(:class:`ConformanceRound`: one screen per party, exact distances for candidates,
hysteresis 2 to raise).

Probes: every ``--probe-every`` seconds a conforming aircraft leaves its volumes (its next
reports are 1.5 degrees south of every volume).  A probe's latency runs from its first offending report to the end of
the round that raises its alert: the simulated wait (the second offending report, a second
later, then the next round) plus the CPU time of that round, measured.  So it is the latency on
a core of its own; the machine's load is reported beside it.

The per-aircraft rule (``assess`` over every volume of the party) is timed on a sample of
aircraft, to compare per aircraft: at this size it cannot run a whole round.

    python bench/tracks_conformance.py --aircraft 10000 --volumes 100000
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import time
from datetime import UTC, datetime, timedelta

import numpy as np

from deconfliction.engine.model import Notice
from deconfliction.engine.tracks.attribution import Attributed
from deconfliction.engine.tracks.conformance import ConformanceMonitor, Tolerances, assess
from deconfliction.engine.tracks.context import AirNotices
from deconfliction.engine.tracks.quantities import Speed, SpeedUnit, TrackAltitude, VerticalDatum
from deconfliction.engine.tracks.reports import TrackReport
from deconfliction.engine.tracks.state import TrackTable
from deconfliction.engine.units import AltitudeUnit
from deconfliction.service.collector import freeze_once
from deconfliction.service.track_conformance import ConformanceRound

T0 = datetime(2026, 12, 7, 6, tzinfo=UTC)
CENTRE = (36.0, 33.0)
HALF_DEG = 9.0


def _outline(rng: np.random.Generator, lon: float, lat: float) -> dict[str, object]:
    pick = rng.random()
    if pick < 0.6:
        return {"type": "circle", "center": {"lon": lon, "lat": lat},
                "radius": f"{rng.uniform(2, 10):.3f} km"}  # fmt: skip
    size = rng.uniform(0.05, 0.2)
    if pick < 0.9:
        ring = [(lon, lat), (lon + size, lat + 0.01), (lon + size, lat + size), (lon, lat + size)]
        return {"type": "polygon", "vertices": [{"lon": x, "lat": y} for x, y in ring]}
    return {"type": "corridor", "half_width": "2 km",
            "route": [{"lon": lon, "lat": lat}, {"lon": lon + size, "lat": lat + size / 2}]}  # fmt: skip


def world(args: argparse.Namespace) -> tuple[list[Notice], list[tuple[str, float, float]]]:
    """The notices, and for each aircraft (party, lon, lat) of a point inside one of them."""
    rng = np.random.default_rng(args.seed)
    notices: list[Notice] = []
    inside: dict[str, list[tuple[float, float]]] = {}
    per_party = args.volumes // args.parties // args.per_notice
    for p in range(args.parties):
        party = f"p{p}"
        for k in range(per_party):
            vols = []
            for _ in range(args.per_notice):
                lon = CENTRE[0] + rng.uniform(-HALF_DEG, HALF_DEG)
                lat = CENTRE[1] + rng.uniform(-HALF_DEG, HALF_DEG)
                outline = _outline(rng, lon, lat)
                vols.append({
                    "outline": outline,
                    "altitude": {"lower": "FL050", "upper": "FL450"},
                    "window": {"start": T0 - timedelta(hours=1), "end": T0 + timedelta(hours=6)},
                })  # fmt: skip
                inside.setdefault(party, []).append((lon, lat) if outline["type"] != "polygon"
                                                    else (lon + 0.02, lat + 0.03))  # fmt: skip
            notices.append(Notice.model_validate({
                "id": f"{party}-n{k}", "author": party, "kind": "air_operation",
                "filed_at": T0 - timedelta(days=1), "volumes": vols}))  # fmt: skip
    aircraft = []
    for i in range(args.aircraft):
        party = f"p{i % args.parties}"
        if rng.random() < 0.03:  # outside every volume: far off the spread
            aircraft.append((party, CENTRE[0] + rng.uniform(-1, 1), CENTRE[1] + HALF_DEG + 2.0))
        else:
            lon, lat = inside[party][int(rng.integers(len(inside[party])))]
            aircraft.append((party, lon, lat))
    return notices, aircraft


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--aircraft", type=int, default=10_000)
    ap.add_argument("--volumes", type=int, default=100_000)
    ap.add_argument("--parties", type=int, default=4)
    ap.add_argument("--per-notice", type=int, default=5)
    ap.add_argument("--tick", type=float, default=0.5)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--probe-every", type=float, default=1.0)
    ap.add_argument("--sample", type=int, default=5, help="aircraft timed with assess")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--no-freeze", action="store_true",
                    help="leave the world in the cycle collector's sight (before the server froze "
                         "what startup built)")  # fmt: skip
    args = ap.parse_args()

    began = time.process_time()
    notices, aircraft = world(args)
    built = time.process_time() - began
    n_vol = sum(len(n.volumes) for n in notices)
    print(f"world: {len(notices):,} notices, {n_vol:,} volumes, {len(aircraft):,} aircraft; "
          f"built (validation, shapes) in {built:.1f} s CPU")  # fmt: skip

    air = AirNotices.of(notices)
    if not args.no_freeze:
        freeze_once("startup")  # as the server does once it has read its record at startup
    keys = [f"icao:{i:06x}" for i in range(len(aircraft))]
    owners = {k: Attributed(party) for k, (party, _, _) in zip(keys, aircraft, strict=True)}
    tol = Tolerances()
    rounds = ConformanceRound(ConformanceMonitor(2, 3))
    table = TrackTable()
    alt = TrackAltitude(20_000, AltitudeUnit.ft, VerticalDatum.barometric)
    speed = Speed(250.0, SpeedUnit.kt)
    phase = np.random.default_rng(args.seed + 1).random(len(aircraft))
    away: dict[int, float] = {}  # probe row -> time of its first offending report
    raised_at: dict[int, float] = {}
    probe_pool = [i for i, (_, _, lat) in enumerate(aircraft) if lat < CENTRE[1] + HALF_DEG + 1]
    next_probe = args.tick * 4
    cpu_rounds: list[float] = []
    cpu_first: float | None = None
    latencies: list[float] = []
    last = 0.0
    t = 0.0
    cpu = 0.0
    passes: list[float] = []  # CPU of each full pass of the cycle collector (in rounds or not)
    began_pass = [0.0]

    def collector(phase: str, info: dict[str, int]) -> None:
        if info["generation"] == 2:
            if phase == "start":
                began_pass[0] = time.thread_time()
            else:
                passes.append(time.thread_time() - began_pass[0])

    gc.callbacks.append(collector)
    while t < args.seconds:
        # Rounds start every tick from the start of the last; one that ran longer is followed
        # at once (as the service runs them), on a core of its own.
        t = round(t + max(args.tick, cpu), 6)
        if t >= next_probe and probe_pool:
            row = probe_pool.pop(len(probe_pool) // 2)
            away[row] = -1.0
            next_probe += args.probe_every
        # The reports heard since the last round (one per aircraft per second, by phase).
        heard = np.flatnonzero(((phase + last) // 1.0) != ((phase + t) // 1.0))
        reports = []
        for row in heard.tolist():
            at = T0.timestamp() + np.floor(phase[row] + t) - phase[row]
            party, lon, lat = aircraft[row]
            if row in away:
                lat = CENTRE[1] - HALF_DEG - 1.5  # well clear of every volume
                if away[row] < 0:
                    away[row] = at - T0.timestamp()
            reports.append(TrackReport(keys[row], at, "bench", lon=lon, lat=lat, baro=alt,
                                       speed=speed, track=90.0))  # fmt: skip
        last = t
        table.ingest(reports)
        now = T0 + timedelta(seconds=t)
        c0 = time.thread_time()
        snap = table.snapshot(now.timestamp(), 60.0)
        who = [owners[k] for k in snap.keys]
        moved = rounds.run(snap, who, air, lambda _p: tol, now)
        cpu = time.thread_time() - c0
        if cpu_first is None:
            cpu_first = cpu
        else:
            cpu_rounds.append(cpu)
        for m in moved:
            row = int(m.state.key[5:], 16)
            if m.transition.raised and row in away and row not in raised_at:
                raised_at[row] = t
                latencies.append(t - away[row] + cpu)
    gc.callbacks.remove(collector)
    load = os.getloadavg()
    print(f"rounds: {len(cpu_rounds) + 1} (every {args.tick} s of simulated time or back to back); first round "
          f"(builds the columns) {cpu_first:.2f} s CPU")  # fmt: skip
    print(f"round CPU (snapshot + conformance): median {statistics.median(cpu_rounds):.3f} s, "
          f"p99 {np.percentile(cpu_rounds, 99):.3f} s, max {max(cpu_rounds):.3f} s")  # fmt: skip
    print(f"full passes of the cycle collector during the simulated run: {len(passes)}, "
          f"{sum(passes):.2f} s CPU (max {max(passes, default=0.0):.2f} s)")  # fmt: skip
    lat = np.array(latencies)
    print(f"probes raised: {len(latencies)} of {len(away)}; first offending report -> alert: "
          f"p50 {np.percentile(lat, 50):.3f} s, p99 {np.percentile(lat, 99):.3f} s, "
          f"max {lat.max():.3f} s")  # fmt: skip
    # The per-aircraft rule, on a sample.
    by_party: dict[str, list[Notice]] = {}
    for n in notices:
        by_party.setdefault(n.author, []).append(n)
    sample = aircraft[: args.sample]
    c0 = time.process_time()
    for party, lon, lat in sample:
        assess(lon, lat, alt, T0, by_party[party], tol)
    per = (time.process_time() - c0) / len(sample)
    print(f"assess (every volume of the party, one aircraft): {per:.3f} s CPU per aircraft; "
          f"a round of {len(heard):,} new positions would take {per * len(heard):,.0f} s")  # fmt: skip
    print(f"load average during the run: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")


if __name__ == "__main__":
    main()
