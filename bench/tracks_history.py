"""Track history in the record (``service/track_archive.py``): what keeping it costs the round
and the writer, and what answering a past instant from the record costs beside memory.

N aircraft report every round (5 s, one sample each: the default step) for 600 s, with memory
keeping the last 300 s; every round's samples go to the record in one batch through the
writer, as the service does.  Then three instants, each read for every aircraft with and
without trails (a monitor that sees all) and for 100 aircraft among N (a party's own fleet):
150 s into the flight, before memory's window ("record": the record answers); 450 s in
("both": memory has the aircraft then, the record the older half of their 300 s trails); the
newest round ("memory": memory alone).

    python bench/tracks_history.py [--db URL] [N ...]

CPU time of the whole process (``time.process_time``: the round's thread and the writer's),
best of 3 for reads; the machine is shared, so wall time says little.  ``--db`` takes a
PostgreSQL URL (an empty database); the default is a SQLite file in a temporary directory.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np

from deconfliction.engine.tracks.quantities import Speed, SpeedUnit, TrackAltitude, VerticalDatum
from deconfliction.engine.tracks.reports import TrackReport
from deconfliction.engine.tracks.state import TrackTable
from deconfliction.engine.units import AltitudeUnit
from deconfliction.service.coordinator import Coordinator
from deconfliction.service.settings import Settings
from deconfliction.service.track_archive import TrackArchive
from deconfliction.service.track_replay import TrackHistory
from deconfliction.service.writer import Writer
from tracks_replay import cpu  # beside this script

STEP_S, MEMORY_S, FLIGHT_S, MAX_AGE_S = 5.0, 300.0, 600.0, 20.0
T0 = 1_796_580_000.0


def run(url: str, n: int) -> dict[str, float]:
    rng = np.random.default_rng(1)
    lon, lat = rng.uniform(34.0, 38.0, n), rng.uniform(32.0, 36.0, n)
    speed, track = Speed(400.0, SpeedUnit.kt), rng.uniform(0, 360, n)
    alts = [TrackAltitude(float(a), AltitudeUnit.ft, VerticalDatum.barometric)
            for a in rng.integers(100, 400, n) * 100]  # fmt: skip
    figures: dict[str, float] = {}
    with Coordinator.open(url) as coordinator:
        writer = Writer(coordinator)
        writer.start()
        try:
            table = TrackTable()
            history = TrackHistory(STEP_S, MEMORY_S)
            archive = TrackArchive(writer, history, Settings(tracks_record_days=1.0))
            plain = TrackHistory(STEP_S, MEMORY_S)  # the same rounds, nothing recorded
            remember = [0.0, 0.0]
            flush = []
            for k in range(int(FLIGHT_S / STEP_S)):
                now = T0 + k * STEP_S
                table.ingest(
                    TrackReport(f"icao:{i:06x}", now, "bench", callsign=f"B{i}",
                                lon=float(lon[i]), lat=float(lat[i]), baro=alts[i], speed=speed,
                                track=float(track[i]))
                    for i in range(n)
                )  # fmt: skip
                snap = table.snapshot(now, MAX_AGE_S)
                began = time.process_time()
                plain.remember(snap, now)
                remember[0] += time.process_time() - began
                began = time.process_time()
                history.remember(snap, now)
                remember[1] += time.process_time() - began
                began = time.process_time()
                future = archive.flush(now, force=True)
                assert future is not None
                future.result()
                flush.append(time.process_time() - began)
            rounds = FLIGHT_S / STEP_S
            figures["remember, not recorded"] = remember[0] / rounds
            figures["remember, recorded"] = remember[1] / rounds
            figures["batch of N rows (median)"] = float(np.median(flush))
            fleet = {f"icao:{i:06x}" for i in range(0, n, max(1, n // 100))}

            def own(key: str, then: object) -> bool:
                return key in fleet

            def everyone(key: str, then: object) -> bool:
                return True

            newest = T0 + FLIGHT_S - STEP_S
            for label, at in (("record", T0 + 150.0), ("both", T0 + 450.0), ("memory", newest)):
                for what, wanted, trails in (
                    ("all, trails", everyone, True),
                    ("all, no trails", everyone, False),
                    ("100 seen, trails", own, True),
                ):
                    answer = archive.picture_at(at, MAX_AGE_S, wanted, trails=trails)
                    assert len(answer) == (n if wanted is everyone else len(fleet))
                    figures[f"{label}: {what}"] = cpu(
                        lambda w=wanted, t=trails, a=at: archive.picture_at(  # type: ignore[misc]
                            a, MAX_AGE_S, w, trails=t
                        ),
                        repeat=3,
                    )
        finally:
            writer.stop()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default=None)
    parser.add_argument("sizes", nargs="*", type=int, default=[1_000, 10_000])
    args = parser.parse_args()
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as scratch:
            url = args.db or str(Path(scratch) / "history.sqlite3")
            figures = run(url, n)
        print(f"N = {n:,} ({'PostgreSQL' if args.db else 'SQLite'}), CPU s:")
        for label, value in figures.items():
            print(f"  {label:<32} {value:.4f}")


if __name__ == "__main__":
    main()
