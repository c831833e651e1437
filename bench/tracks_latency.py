"""Benchmark: a track report to its tactical alert on the SSE stream, at N aircraft at 1 Hz.

Issue 12, item 9: "track report -> alert on the SSE stream p99 at 10,000 aircraft reporting at
1 Hz (goal <= 1 s)".  A real server (uvicorn on 127.0.0.1, SQLite in a temporary directory,
rounds every `tracks_tick_s` as in production) with two parties bound by an agreement; each declares
its aircraft by callsign prefix.  A feeder thread posts, every second, one SBS position and one
velocity line for each of ``--aircraft`` aircraft (half of each party) flying straight in a
``--box-km`` square at FL100-FL400, 100-250 m/s: their own conflicts are real background load
(raised, updated every 10 s, closed).  Every ``--probe-every`` seconds a new pair appears,
head-on 30 km apart at the same level; the time from just before the post of its first reports
to the ``alert.opened`` of that pair on party B's ``/v1/stream`` is one sample.  Each second's
lines are posted in blocks of at most 64 KiB, as ``deconflict tracks ingest`` posts what it
reads from a receiver's TCP port, with the probes' lines last; the feeder and the listener run
in a process of their own.

Conformance is switched off (``DECONFLICT_TRACKS_CONFORMANCE_CONFIRM`` huge): with no notices,
every aircraft would otherwise be flying unnotified, which is not the load measured here.

Usage::

    python bench/tracks_latency.py [--aircraft 10000] [--probes 60] [--probe-every 2]
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import uvicorn

from deconfliction.api.app import create_app
from deconfliction.engine.model import Agreement, Party
from deconfliction.engine.tracks.formats.sbs import sbs_line
from deconfliction.service.auth import Role, create_token
from deconfliction.service.coordinator import Coordinator
from deconfliction.service.filing import file
from deconfliction.service.settings import Settings

LAT0, LON0 = 34.0, 36.0
M_PER_DEG = 111_320.0
BLOCK = 1 << 16


def party(ident: str) -> Party:
    return Party.model_validate(
        {"id": ident, "name": ident, "kind": "armed_force", "duty_contacts": [{"name": "duty"}]}
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--aircraft", type=int, default=10_000)
    parser.add_argument("--box-km", type=float, default=2000.0)
    parser.add_argument("--probes", type=int, default=60)
    parser.add_argument("--probe-every", type=float, default=2.0)
    parser.add_argument("--warmup", type=float, default=15.0)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="tracks-latency-")
    db = str(Path(scratch) / "bench.sqlite3")
    settings = Settings(db=db, tracks_conformance_confirm=10**9)
    coordinator = Coordinator.open(db)
    coordinator.run(
        lambda tx: [
            file(tx, item)
            for item in (
                party("a"),
                party("b"),
                Agreement.model_validate({"id": "ab", "name": "ab", "parties": ["a", "b"]}),
            )
        ]
    )
    now = coordinator.clock.now()
    feeder_token = create_token(coordinator.db, party="a", role=Role.monitor, now=now)[1]
    tokens = {
        p: create_token(coordinator.db, party=p, role=Role.duty_officer, now=now)[1]
        for p in ("a", "b")
    }
    app = create_app(coordinator, settings)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", access_log=False)
    )
    n = args.aircraft
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    url = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    for p, prefix in (("a", "A*"), ("b", "B*")):
        r = httpx.post(f"{url}/v1/tracks/aircraft", json={"callsigns": [prefix]},
                       headers={"Authorization": f"Bearer {tokens[p]}"})  # fmt: skip
        r.raise_for_status()

    # The feeder and the listener run in a process of their own, as a feeder would: their
    # Python work must not share the server's interpreter lock.
    ctx = multiprocessing.get_context("spawn")
    starts: Any = ctx.Queue()
    results: Any = ctx.Queue()
    stop = ctx.Event()
    client = ctx.Process(
        target=feeder,
        args=(url, feeder_token, tokens["b"], n, args.box_km, args.seed, starts, results, stop),
        daemon=True,
    )
    client.start()
    watching = threading.Event()
    rounds: list[tuple[float, float]] = []

    def watch() -> None:  # every round's wall and CPU seconds
        seen = None
        while not watching.is_set():
            last = app.state.services.tracks.last
            if last.at is not None and last.at != seen:
                seen = last.at
                rounds.append((last.seconds, getattr(last, "cpu_s", float("nan"))))
            time.sleep(0.05)

    threading.Thread(target=watch, daemon=True).start()
    stages = Stages(app.state.services)
    time.sleep(args.warmup)
    stages.reset()
    cpu0, wall0 = time.process_time(), time.time()
    del rounds[:]
    for k in range(args.probes):
        # The probe's first reports go out with the next feed post: its sample starts there.
        starts.put(k)
        time.sleep(args.probe_every)
    time.sleep(5)
    cpu, wall = time.process_time() - cpu0, time.time() - wall0
    stop.set()
    watching.set()
    posted, arrived = results.get(timeout=60)
    tick = app.state.services.tracks.last
    stages.stop()
    samples = sorted(arrived[k] - posted[k] for k in arrived if k in posted)
    missing = args.probes - len(samples)
    q = statistics.quantiles(samples, n=100, method="inclusive") if len(samples) > 2 else samples
    print(json.dumps({
        "aircraft": n, "probes": args.probes, "received": len(samples), "missing": missing,
        "p50_s": statistics.median(samples) if samples else None,
        "p99_s": q[98] if len(q) > 98 else (max(samples) if samples else None),
        "max_s": max(samples) if samples else None,
        "last_tick": {"aircraft": tick.aircraft, "conflicts": tick.conflicts,
                      "changes": tick.changes, "seconds": tick.seconds, "cpu_s": getattr(tick, "cpu_s", None),
                      "phases": tick.phases},
        "samples_s": [round(v, 3) for v in samples],
        "rounds": len(rounds),
        "round_wall_s": {"median": statistics.median(w for w, _ in rounds),
                         "max": max(w for w, _ in rounds)} if rounds else None,
        "round_cpu_s": {"median": statistics.median(c for _, c in rounds),
                        "max": max(c for _, c in rounds)} if rounds else None,
        "server_cpu_s_per_s": round(cpu / wall, 3),
        "stages_s": stages.summary(posted, arrived),
        "full_collections": stages.collections, "full_collections_cpu_s": round(stages.gc_cpu, 3),
        "cpus": os.cpu_count(), "load": os.getloadavg(),
    }))  # fmt: skip
    server.should_exit = True
    sys.exit(0 if not missing else 1)


class Stages:
    """Where a probe's report waits, from the server's side (the same wall clock as the
    feeder's): when both aircraft of probe ``k`` are first in the table, the instant of the
    round that opens its alert (taken as it starts) and when it hands the change over, and when
    the writer commits it.  Also the full passes of the cycle collector over the measured span
    (count and CPU)."""

    def __init__(self, services: Any) -> None:
        self.tracked: dict[str, float] = {}
        self.decided: dict[int, float] = {}
        self.began: dict[int, float] = {}
        self.committed: dict[int, float] = {}
        self.collections, self.gc_cpu, self._began = 0, 0.0, 0.0
        table, alerts = services.tracks.table, services.tracks.alerts
        ingest, changes = table.ingest, alerts.changes

        def ingest_seen(reports: Any) -> int:
            now = time.time()
            for r in reports[-512:]:  # the probes' lines come last in a second's post
                if r.key.startswith("icao:e") and r.key not in self.tracked:
                    self.tracked[r.key] = now
            return ingest(reports)

        def changes_seen(at: Any, *a: Any, **kw: Any) -> Any:
            out = changes(at, *a, **kw)
            now = time.time()
            for e in out:
                if e.change.action.value == "opened":
                    for k in _probe_numbers(e.change.alert.subjects):
                        self.decided.setdefault(k, now)
                        self.began.setdefault(k, at.timestamp())  # the round's instant
            return out

        def committed(commit: Any) -> None:
            now = time.time()
            for e in commit.events:
                if e.type == "alert.opened" and "icao:e" in e.body:
                    for k in _probe_numbers(json.loads(e.body)["change"]["alert"]["subjects"]):
                        self.committed.setdefault(k, now)

        table.ingest = ingest_seen  # type: ignore[method-assign]
        alerts.changes = changes_seen  # type: ignore[method-assign]
        services.coordinator.on_commit(committed)
        gc.callbacks.append(self._collector)

    def _collector(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] < 2:
            return
        if phase == "start":
            self._began = time.process_time()
        else:
            self.collections += 1
            self.gc_cpu += time.process_time() - self._began

    def reset(self) -> None:
        self.collections, self.gc_cpu = 0, 0.0

    def stop(self) -> None:
        gc.callbacks.remove(self._collector)

    def summary(self, posted: dict[int, float], arrived: dict[int, float]) -> dict[str, Any]:
        parts: dict[str, list[float]] = {
            "post_to_table": [], "table_to_round": [], "round_start_wait": [], "round": [],
            "round_to_commit": [], "commit_to_client": []}  # fmt: skip
        for k, sent in posted.items():
            sides = [self.tracked.get(f"icao:{0xE00000 + 2 * k + s:06x}") for s in (0, 1)]
            if None in sides or k not in self.decided or k not in self.committed:
                continue
            if k not in arrived:
                continue
            tabled = max(t for t in sides if t is not None)
            parts["post_to_table"].append(tabled - sent)
            parts["table_to_round"].append(self.decided[k] - tabled)
            # ... of which waiting for the round to start, then the round until its changes
            parts["round_start_wait"].append(self.began[k] - tabled)
            parts["round"].append(self.decided[k] - self.began[k])
            parts["round_to_commit"].append(self.committed[k] - self.decided[k])
            parts["commit_to_client"].append(arrived[k] - self.committed[k])
        return {
            name: {"p50": round(statistics.median(v), 3), "max": round(max(v), 3)}
            for name, v in parts.items()
            if v
        }


def _probe_numbers(subjects: Any) -> list[int]:
    return [(int(s[5:], 16) - 0xE00000) // 2 for s in subjects if int(s[5:], 16) >= 0xE00000]


def fleet(n: int, box_km: float, seed: int) -> tuple[np.ndarray, ...]:
    """Positions (metres from the centre), altitudes (ft), speeds (m/s) and headings."""
    rng = np.random.default_rng(seed)
    half = box_km * 500.0
    x, y = rng.uniform(-half, half, (2, n))
    return x, y, rng.integers(100, 400, n) * 100.0, rng.uniform(100, 250, n), rng.uniform(0, 360, n)


def feeder(
    url: str,
    token: str,
    listener_token: str,
    n: int,
    box_km: float,
    seed: int,
    starts: Any,
    results: Any,
    stop: Any,
) -> None:
    """Post the fleet every second (and the probes started through ``starts``); listen on
    party B's stream; put ``(posted, arrived)`` on ``results`` when ``stop`` is set."""
    x, y, alt, speed, heading = fleet(n, box_km, seed)
    signs = [("A" if i % 2 else "B") + f"{i:05d}" for i in range(n)]
    probes: dict[int, float] = {}  # probe number -> when it was started
    posted: dict[int, float] = {}  # probe number -> when its first reports were posted
    arrived: dict[int, float] = {}
    t_start = time.time()

    def lines_for(t: float) -> bytes:
        dt = t - t_start
        rad = np.radians(heading)
        px = x + speed * np.sin(rad) * dt
        py = y + speed * np.cos(rad) * dt
        lat = LAT0 + py / M_PER_DEG
        lon = LON0 + px / (M_PER_DEG * math.cos(math.radians(LAT0)))
        out = []
        for i in range(n):
            a = 0x100000 + i
            out.append(sbs_line(a, t, altitude_ft=alt[i], lat=round(lat[i], 5),
                                lon=round(lon[i], 5)))  # fmt: skip
            out.append(sbs_line(a, t, transmission=4, speed_kt=round(speed[i] / 0.514444, 1),
                                track=round(heading[i], 1), rate_fpm=0))  # fmt: skip
            if int(dt) % 10 == 0:
                out.append(sbs_line(a, t, transmission=1, callsign=signs[i]))
        for k, t0 in probes.items():
            gone = t - t0
            for side, sign in ((0, "A"), (1, "B")):
                a = 0xE00000 + 2 * k + side
                lon_k = LON0 + 12.0 + 0.02 * k + (0.33 if side else 0.0)
                out.append(sbs_line(a, t, transmission=1, callsign=f"{sign}P{k:04d}"))
                out.append(sbs_line(a, t, altitude_ft=20000, lat=LAT0,
                                    lon=lon_k + (-1 if side else 1) * 0.0022 * gone))  # fmt: skip
                out.append(sbs_line(a, t, transmission=4, speed_kt=400,
                                    track=270.0 if side else 90.0, rate_fpm=0))  # fmt: skip
        return ("\n".join(out) + "\n").encode()

    def feed() -> None:
        client = httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=60)
        while not stop.is_set():
            began = time.time()
            while not starts.empty():
                probes[starts.get()] = began
            fresh = [k for k in probes if k not in posted]
            body = lines_for(began)
            # Posted in blocks of at most 64 KiB cut at line ends, as `deconflict tracks
            # ingest` posts what it reads from a receiver's port; the probes' lines come last.
            start = 0
            while start < len(body):
                end = body.rfind(b"\n", start, start + BLOCK) + 1 or len(body)
                if end >= len(body):
                    sent = time.time()
                    for k in fresh:
                        posted[k] = sent
                client.post(f"{url}/v1/tracks/feed", params={"format": "sbs", "source": "bench"},
                            content=body[start:end])  # fmt: skip
                start = end
            time.sleep(max(0.0, 1.0 - (time.time() - began)))

    def listen() -> None:
        headers = {"Authorization": f"Bearer {listener_token}"}
        with httpx.stream("GET", f"{url}/v1/stream", headers=headers, timeout=None) as r:
            for line in r.iter_lines():
                if stop.is_set():
                    return
                if not line.startswith("data:") or "track-conflict" not in line:
                    continue
                event = json.loads(line[5:])
                if event["type"] != "alert.opened":
                    continue
                for s in event["payload"]["change"]["alert"]["subjects"]:
                    address = int(s[5:], 16)
                    if address >= 0xE00000:
                        k = (address - 0xE00000) // 2
                        arrived.setdefault(k, time.time())

    threading.Thread(target=listen, daemon=True).start()
    threading.Thread(target=feed, daemon=True).start()
    stop.wait()
    results.put((posted, arrived))


if __name__ == "__main__":
    main()
