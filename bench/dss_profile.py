"""Where a DSS operational-intent PUT spends its CPU, in process (no HTTP).

    python bench/dss_profile.py [--references 10000] [--probes 200] [--profile FILE]

Loads the references of ``bench/dss_put.py`` (same grid, same world), then runs the same three
operations (create in a gap with an implicit subscription, update with the OVN, a conflicting
create answered 409) through the server's writer (``Writer.execute_receipted``: one
transaction per request, its savepoint, the signed head and the receipts), one at a time.
Reports the writer thread's CPU per operation (``time.thread_time`` inside the command plus
the commit, measured around the call from the writer thread's clock) and, with ``--profile``,
writes a cProfile of the probes (``python -m pstats FILE``).
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from deconfliction.engine.dss import AirspaceConflict
from deconfliction.service.coordinator import Coordinator, Tx, Writer
from deconfliction.service.dss.auth import DssClient, Scope
from deconfliction.service.dss.common import DssConfig
from deconfliction.service.dss.oirs import put_oir
from dss_put import GRID, LAT0, LON0, SIDE, STEP, _body, _extent, load_references
from server_common import percentile


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--references", type=int, default=10_000)
    parser.add_argument("--probes", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--profile", type=Path, default=None)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    client = DssClient(
        "uss1",
        frozenset({Scope.strategic_coordination.value, Scope.conformance_monitoring_sa.value}),
    )
    config = DssConfig("utm")
    with tempfile.TemporaryDirectory() as scratch:
        store = str(Path(scratch) / "dss.sqlite3")
        day = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1)
        t0, c0 = time.perf_counter(), time.process_time()
        with Coordinator.open(store) as coordinator:
            placed = load_references(coordinator, args.references, day)
            print(
                f"loaded {len(placed):,} references in {time.perf_counter() - t0:.1f} s "
                f"({time.process_time() - c0:.1f} s CPU)"
            )
            writer = Writer(coordinator)
            writer.start()
            profiler = cProfile.Profile() if args.profile else None
            used: set[tuple[int, int, int]] = set()
            print(
                "| operation | probes | CPU median ms | CPU p95 | **CPU p99** | wall median | wall p99 |"
            )
            print("|---|---|---|---|---|---|---|")
            try:
                for label in ("create", "update", "conflict"):
                    cpu: list[float] = []
                    wall: list[float] = []
                    for _ in range(args.probes):
                        if label == "create":
                            while True:
                                i, j, slot = (
                                    rng.randrange(GRID - 1),
                                    rng.randrange(GRID - 1),
                                    rng.randrange(48),
                                )
                                if (i, j, slot) not in used:
                                    break
                            used.add((i, j, slot))
                            extent = _extent(
                                LAT0 + i * STEP + SIDE + 0.0002,
                                LON0 + j * STEP + SIDE + 0.0002,
                                0.0006,
                                day + timedelta(minutes=30 * slot),
                            )
                            oid, ovn, body = str(uuid.uuid4()), "", _body(extent, sub=True)
                        elif label == "update":
                            k = rng.randrange(len(placed))
                            oid, ovn, extent = placed[k]
                            body = _body(extent)
                        else:
                            _, _, extent = placed[rng.randrange(len(placed))]
                            oid, ovn, body = str(uuid.uuid4()), "", _body(extent)
                        spent: list[float] = []

                        def command(
                            tx: Tx,
                            oid: str = oid,
                            ovn: str = ovn,
                            body: Any = body,
                            spent: list[float] = spent,
                        ) -> Any:
                            spent.append(time.thread_time())
                            if profiler:
                                profiler.enable()
                            try:
                                return put_oir(tx, client, oid, ovn, body, config)
                            finally:
                                if profiler:
                                    profiler.disable()
                                spent.append(time.thread_time())

                        w = time.perf_counter()
                        try:
                            (status, answer), _ = writer.execute_receipted(command, config.party)
                        except AirspaceConflict:
                            status = 409
                        wall.append((time.perf_counter() - w) * 1000)
                        cpu.append((spent[1] - spent[0]) * 1000)
                        want = {"create": 201, "update": 200, "conflict": 409}[label]
                        if status != want:
                            raise SystemExit(f"{label}: {status}")
                        if label == "update":
                            placed[k] = (oid, answer["operational_intent_reference"]["ovn"], extent)
                    print(
                        f"| {label} | {args.probes} | {percentile(cpu, 50):.2f} | "
                        f"{percentile(cpu, 95):.2f} | **{percentile(cpu, 99):.2f}** | "
                        f"{percentile(wall, 50):.2f} | {percentile(wall, 99):.2f} |"
                    )
            finally:
                writer.stop()
            if profiler and args.profile:
                profiler.dump_stats(args.profile)
    gc.collect()


if __name__ == "__main__":
    main()
