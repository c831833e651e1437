"""Benchmark: the server's CPU per second of live traffic at N aircraft reporting at 1 Hz.

Issue 12, item 9 (report -> alert on the SSE stream p99 <= 1 s at 10,000 aircraft at 1 Hz) is
a wall-clock goal that holds only if one process keeps up: every second it must parse and merge
the second's reports (two SBS lines per aircraft, a callsign line every ten seconds) and run
two rounds.  This measures that budget in the process, without HTTP and without the clock:
the fleet of ``bench/tracks_latency.py`` (same traffic, same agreement, same declarations) fed
through ``TrackService.feed`` in 64 KiB blocks and rounds run every ``--tick`` seconds of
simulated time, each handing its changes to the writer as the server does.  Reported, after
``--warmup`` simulated seconds: CPU seconds of the process per simulated second, split into
ingest (parse and merge) and rounds (with the round's own phases), so that the figure is the
same on a loaded machine as on a quiet one.  A share well below one core leaves room for
HTTP, the writer and the push.

    python bench/tracks_budget.py [--aircraft 10000] [--seconds 20] [--warmup 10]
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from deconfliction.engine.model import Agreement
from deconfliction.engine.tracks.formats.sbs import sbs_line
from deconfliction.engine.tracks.terms import DeclarationIn
from deconfliction.service.auth import Principal, Role
from deconfliction.service.clock import FixedClock
from deconfliction.service.collector import freeze_once
from deconfliction.service.coordinator import Coordinator
from deconfliction.service.filing import file
from deconfliction.service.settings import Settings
from deconfliction.service.tracks import TrackService
from deconfliction.service.writer import Writer
from tracks_latency import BLOCK, LAT0, LON0, M_PER_DEG, fleet, party


def traffic(n: int, box_km: float, seed: int, t0: float, seconds: int) -> list[list[bytes]]:
    """Each second's SBS lines (as ``bench/tracks_latency.py`` writes them), cut in blocks."""
    x, y, alt, speed, heading = fleet(n, box_km, seed)
    rad = np.radians(heading)
    out = []
    for s in range(seconds):
        t = t0 + s
        lat = LAT0 + (y + speed * np.cos(rad) * s) / M_PER_DEG
        lon = LON0 + (x + speed * np.sin(rad) * s) / (M_PER_DEG * math.cos(math.radians(LAT0)))
        lines = []
        for i in range(n):
            a = 0x100000 + i
            lines.append(sbs_line(a, t, altitude_ft=alt[i], lat=round(lat[i], 5),
                                  lon=round(lon[i], 5)))  # fmt: skip
            lines.append(sbs_line(a, t, transmission=4, speed_kt=round(speed[i] / 0.514444, 1),
                                  track=round(heading[i], 1), rate_fpm=0))  # fmt: skip
            if s % 10 == 0:
                lines.append(sbs_line(a, t, transmission=1,
                                      callsign=("A" if i % 2 else "B") + f"{i:05d}"))  # fmt: skip
        body = ("\n".join(lines) + "\n").encode()
        blocks, start = [], 0
        while start < len(body):
            end = body.rfind(b"\n", start, start + BLOCK) + 1 or len(body)
            blocks.append(body[start:end])
            start = end
        out.append(blocks)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--aircraft", type=int, default=10_000)
    ap.add_argument("--box-km", type=float, default=2000.0)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--tick", type=float, default=0.5)
    ap.add_argument("--seed", type=int, default=3)
    args = ap.parse_args()

    t0 = float(math.floor(time.time()))
    seconds = traffic(args.aircraft, args.box_km, args.seed, t0, args.seconds)
    db = str(Path(tempfile.mkdtemp(prefix="tracks-budget-")) / "bench.sqlite3")
    coordinator = Coordinator.open(db)
    coordinator.run(lambda tx: [file(tx, item) for item in (
        party("a"), party("b"),
        Agreement.model_validate({"id": "ab", "name": "ab", "parties": ["a", "b"]}))])  # fmt: skip
    clock = FixedClock(datetime.fromtimestamp(t0, UTC))
    writer = Writer(coordinator)
    writer.start()
    tracks = TrackService(writer, Settings(db=db, tracks_conformance_confirm=10**9), clock)
    tracks.start()
    for p, prefix in (("a", "A*"), ("b", "B*")):
        principal = Principal(p, Role.duty_officer)
        writer.execute(lambda tx, pr=principal, pf=prefix: tracks.declare(
            tx, pr, DeclarationIn.model_validate({"callsigns": [pf]})))  # fmt: skip
    feeder = Principal("a", Role.monitor)
    freeze_once("startup")  # as the server does once it has started
    collected = {"s": 0.0, "n": 0, "began": 0.0}

    def timing(phase: str, info: dict[str, int]) -> None:  # the cycle collector's own time
        if info["generation"] < 2:
            return
        if phase == "start":
            collected["began"] = time.process_time()
        else:
            collected["s"] += time.process_time() - collected["began"]
            collected["n"] += 1

    gc.callbacks.append(timing)
    ingest = rounds = 0.0
    round_cpu: list[float] = []
    phases: dict[str, list[float]] = {}
    per_tick = max(1, round(1.0 / args.tick))
    for s, blocks in enumerate(seconds):
        measured = s >= args.warmup
        for k in range(per_tick):
            now = datetime.fromtimestamp(t0 + s + k * args.tick, UTC)
            clock.set(now)
            share = blocks[k * len(blocks) // per_tick : (k + 1) * len(blocks) // per_tick]
            c0 = time.process_time()
            for block in share:
                tracks.feed(feeder, "sbs", "bench", block)
            c1 = time.process_time()
            stats = tracks.tick(now, wait=False)
            c2 = time.process_time()
            if measured:
                ingest += c1 - c0
                rounds += c2 - c1
                round_cpu.append(c2 - c1)
                for name, v in stats.phases.items():
                    phases.setdefault(name, []).append(v)
    tracks.tick(wait=True)
    writer.stop()
    span = args.seconds - args.warmup
    print(json.dumps({
        "aircraft": args.aircraft, "seconds": span, "tick_s": args.tick,
        "lines_per_s": sum(b.count(b"\n") for blocks in seconds[args.warmup:] for b in blocks) / span,
        "cpu_s_per_s": round((ingest + rounds) / span, 3),
        "ingest_cpu_s_per_s": round(ingest / span, 3),
        "rounds_cpu_s_per_s": round(rounds / span, 3),
        "round_cpu_s": {"median": round(statistics.median(round_cpu), 4),
                        "max": round(max(round_cpu), 4)},
        "round_phases_median_s": {k: round(statistics.median(v), 4) for k, v in phases.items()},
        "full_collections": collected["n"], "full_collections_cpu_s": round(collected["s"], 3),
        "open_alerts": len(tracks.alerts.open), "load": os.getloadavg(),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
