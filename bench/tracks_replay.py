"""The air picture at a past instant (``GET /v1/tracks?at=``, the console's replay): CPU time of
keeping the history (one round's ``TrackHistory.remember``) and of answering one instant
(``TrackHistory.picture_at``, the part of the request that grows with the traffic): every
aircraft with trails (a monitor that sees all), every aircraft without, and 100 aircraft seen
among N (a party's own fleet) with trails; the default history (600 s, one sample per 5 s:
120 samples each).

    python bench/tracks_replay.py [N ...]

CPU time (``time.process_time``), best of 5; the machine is shared, so wall time says little.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from deconfliction.engine.tracks.quantities import (
    AltitudeUnit,
    Speed,
    SpeedUnit,
    TrackAltitude,
    VerticalDatum,
)
from deconfliction.engine.tracks.reports import TrackReport
from deconfliction.engine.tracks.state import TrackTable
from deconfliction.service.track_replay import TrackHistory

STEP_S, KEEP_S, MAX_AGE_S = 5.0, 600.0, 20.0


def cpu(work, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    best = float("inf")
    for _ in range(repeat):
        began = time.process_time()
        work()
        best = min(best, time.process_time() - began)
    return best


def run(n: int) -> tuple[float, dict[str, float]]:
    rng = np.random.default_rng(1)
    lon, lat = rng.uniform(34.0, 38.0, n), rng.uniform(32.0, 36.0, n)
    speed, track = Speed(400.0, SpeedUnit.kt), rng.uniform(0, 360, n)
    alts = [TrackAltitude(float(a), AltitudeUnit.ft, VerticalDatum.barometric)
            for a in rng.integers(100, 400, n) * 100]  # fmt: skip
    table, history = TrackTable(), TrackHistory(STEP_S, KEEP_S)
    t = 1_796_580_000.0
    snap = None
    for k in range(int(KEEP_S / STEP_S)):
        now = t + k * STEP_S
        table.ingest(
            TrackReport(f"icao:{i:06x}", now, "bench", callsign=f"B{i}", lon=float(lon[i]),
                        lat=float(lat[i]), baro=alts[i], speed=speed, track=float(track[i]))
            for i in range(n)
        )  # fmt: skip
        snap = table.snapshot(now, MAX_AGE_S)
        history.remember(snap, now)
    assert snap is not None
    end = t + (KEEP_S / STEP_S - 1) * STEP_S
    # One more round (a new sample for every aircraft, the oldest dropped), then one instant.
    remember = cpu(lambda: history.remember(snap, end + STEP_S), repeat=1)
    at = end - KEEP_S / 2
    fleet = {f"icao:{i:06x}" for i in range(0, n, max(1, n // 100))}  # a party's 100 aircraft

    def own(key: str, then: object) -> bool:
        return key in fleet

    figures = {
        "all, trails": cpu(lambda: history.picture_at(at, MAX_AGE_S)),
        "all, no trails": cpu(lambda: history.picture_at(at, MAX_AGE_S, trails=False)),
        "100 seen, trails": cpu(lambda: history.picture_at(at, MAX_AGE_S, own)),
    }
    assert len(history.picture_at(at, MAX_AGE_S)) == n
    assert len(history.picture_at(at, MAX_AGE_S, own)) == len(fleet)
    return remember, figures


def main() -> None:
    sizes = [int(x) for x in sys.argv[1:]] or [1_000, 10_000]
    print("N aircraft | remember (one round) | at: all, trails | all, no trails | 100 seen, trails")
    for n in sizes:
        remember, f = run(n)
        cells = " | ".join(f"{v:.4f}" for v in f.values())
        print(f"{n:>10,} | {remember:.4f} | {cells}   (CPU s)")


if __name__ == "__main__":
    main()
