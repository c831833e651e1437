"""Benchmark: the spatio-temporal index alone, for several cell and bucket sizes.

One million random entries shaped like the filing benchmark's notices (boxes 5-50 km across
plus 50 m, over a 1000 km x 1000 km region around 34N 38E; spans of 15 min to 6 h over 7 days),
then queries with boxes grown by 3 NM, as a filing check makes them.  For each cell size and
bucket length: cells per entry (memory), and the median and p99 of ``query_slots`` (the
index's own work) and of ``query`` (with the payloads).  Deterministic for a given ``--seed``.

Usage::

    python bench/index_cells.py [--entries 1000000] [--queries 2000]
                                [--cells 0.25,0.5,1.0] [--buckets-h 3,6,12]
"""

from __future__ import annotations

import argparse
import gc
import math
import time

import numpy as np

from deconfliction.engine.index import IndexEntry, SpatioTemporalIndex

MARGIN_M = 5556.0
M_PER_DEG_LAT = 110_574.0


def entries(n: int, seed: int) -> list[tuple[float, float, float, float, float, float]]:
    rng = np.random.default_rng(seed)
    lat = 34.0 + rng.uniform(-4.5, 4.5, n)
    lon = 38.0 + rng.uniform(-5.4, 5.4, n)
    half_lat = (rng.uniform(2_500, 25_000, n) + 50.0) / M_PER_DEG_LAT
    half_lon = half_lat / np.cos(np.radians(np.abs(lat) + half_lat))
    t0 = rng.uniform(0, 7 * 86400 - 21600, n)
    t1 = t0 + rng.uniform(900, 21600, n)
    rows = np.column_stack([lon - half_lon, lat - half_lat, lon + half_lon, lat + half_lat, t0, t1])
    return [(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows.tolist()]


def run(
    boxes: list[tuple[float, float, float, float, float, float]],
    queries: list[tuple[float, float, float, float, float, float]],
    cell: float,
    bucket_h: float,
) -> tuple[float, float, float, float, float]:
    index = SpatioTemporalIndex(cell_deg=cell, bucket_s=bucket_h * 3600.0)
    for i, b in enumerate(boxes):
        index.add(IndexEntry(*b, f"n-{i}"))
    refs = sum(len(c) for c in index._cells.values()) / 8 / len(boxes)
    gc.collect()
    gc.freeze()
    slots_ms = []
    query_ms = []
    perf = time.perf_counter
    for q in queries:
        t = perf()
        index.query_slots(*q)
        slots_ms.append((perf() - t) * 1e3)
        t = perf()
        index.query(*q)
        query_ms.append((perf() - t) * 1e3)
    gc.unfreeze()
    return (
        refs,
        float(np.median(slots_ms)),
        float(np.percentile(slots_ms, 99)),
        float(np.median(query_ms)),
        float(np.percentile(query_ms, 99)),
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=2000)
    parser.add_argument("--cells", default="0.25,0.5,1.0")
    parser.add_argument("--buckets-h", default="3,6,12")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    boxes = entries(args.entries, args.seed)
    rng = np.random.default_rng(args.seed + 1)
    grow = MARGIN_M / M_PER_DEG_LAT
    queries = []
    for i in rng.integers(0, len(boxes), args.queries).tolist():
        w, s, e, n, t0, t1 = boxes[i]
        g_lon = grow / math.cos(math.radians(max(abs(s), abs(n)) + grow))
        queries.append((w - g_lon, s - grow, e + g_lon, n + grow, t0, t1))
    print(f"index benchmark: {args.entries:,} entries, {args.queries:,} queries")
    print(
        f"{'cell':>6} {'bucket':>7} {'cells/entry':>12} {'slots ms':>9} {'p99':>7} "
        f"{'query ms':>9} {'p99':>7}"
    )
    for cell in [float(c) for c in args.cells.split(",")]:
        for bucket in [float(b) for b in args.buckets_h.split(",")]:
            refs, s_med, s_p99, q_med, q_p99 = run(boxes, queries, cell, bucket)
            print(
                f"{cell:>5g}° {bucket:>5g} h {refs:>12.1f} {s_med:>9.3f} {s_p99:>7.3f} "
                f"{q_med:>9.3f} {q_p99:>7.3f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
