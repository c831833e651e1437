"""Benchmark: zone compliance of observation points against the Golan demo's bands.

Issue 2, item 9: "Zone compliance: observations per second classified against the demo's
bands, and the largest error against GeographicLib.  Goal: 1M per second per core, within
1 m."

The bench loads the bundled demo (``deconfliction/data/golan.yaml``), compiles every band zone
(``compile_area``: the 0-10, 0-20 and 0-25 km bands west of Line A and east of Line B, and the
0-60 km buffer east of Line B: seven bands on two lines), and draws ``--points`` random
observation positions (seeded) in the box that extends 100 km around both lines.

* **Speed**: the points are classified against every band, single-threaded, in two ways: one
  ``CompiledArea.place`` call per band (fast distances in a local frame, exact refinement of
  those within the frame's error bound of a band edge), and ``place_many`` (the same results;
  the bands of one line share one measure of the points).  Reported: observations per second
  (one observation = its classification against all seven bands), band classifications per
  second, and how many distances needed exact refinement.  With ``--processes``, the
  ``place_many`` work is split over worker processes (fork), to show how it scales over
  cores.
* **Accuracy**: for ``--exact-sample`` points, the fast distances (``GeodesicPolyline.measure``
  without thresholds) against the exact ones (``measure(exact=True)``, GeographicLib's geodesics
  with the along-track iteration); the classifications of ``place`` against classifications
  from the exact distances; and, for ``--brute`` points, both against an independent brute
  force that uses only ``pyproj.Geod``: the line's geodesic edges sampled every 50 m, then the
  closest sample refined by golden-section search along its geodesic edges.

Usage::

    python bench/zones.py [--points 2000000] [--exact-sample 100000] [--brute 1000]
                          [--processes 2] [--seed 11]
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import platform
import statistics
import sys
import time
from importlib import resources
from typing import Any

import numpy as np
import pyproj
import yaml

from deconfliction.engine.detection.zone_areas import CompiledArea, compile_area

try:
    from deconfliction.engine.detection.zone_areas import place_many
except ImportError:  # an engine from before place_many (to measure "before" figures)
    place_many = None  # type: ignore[assignment]
from deconfliction.engine.geodesy.lines import GeodesicPolyline
from deconfliction.engine.model import BandArea
from deconfliction.engine.scenario import parse_scenario

REACH_KM = 100.0
GEOD = pyproj.Geod(ellps="WGS84")


def load_areas() -> list[CompiledArea]:
    text = resources.files("deconfliction.data").joinpath("golan.yaml").read_text("utf-8")
    scenario = parse_scenario(yaml.safe_load(text))
    lines = {line.id: line for line in scenario.lines}
    return [compile_area(z, lines) for z in scenario.zones if isinstance(z.area, BandArea)]


def random_points(areas: list[CompiledArea], n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Uniform points in the box that extends ``REACH_KM`` around every band's line."""
    lons = np.concatenate([a.line.lons for a in areas if a.line is not None])
    lats = np.concatenate([a.line.lats for a in areas if a.line is not None])
    dlat = REACH_KM / 110.9
    south, north = lats.min() - dlat, lats.max() + dlat
    dlon = REACH_KM / (111.32 * math.cos(math.radians(max(abs(south), abs(north)))))
    west, east = lons.min() - dlon, lons.max() + dlon
    rng = np.random.default_rng(seed)
    return rng.uniform(west, east, n), rng.uniform(south, north, n)


# -- speed ------------------------------------------------------------------------------------


_EXACT = "_exact" if hasattr(GeodesicPolyline, "_exact") else "_refine"
"""The method that solves points exactly (``_refine`` in engines before exact sides)."""


class RefineCounter:
    """Counts the points sent to exact refinement (wraps ``GeodesicPolyline._exact``)."""

    def __init__(self) -> None:
        self.points = 0
        self._original = getattr(GeodesicPolyline, _EXACT)

    def __enter__(self) -> RefineCounter:
        original = self._original

        def counting(line: GeodesicPolyline, lon: Any, *args: Any) -> Any:
            self.points += int(np.asarray(lon).shape[0])
            return original(line, lon, *args)

        setattr(GeodesicPolyline, _EXACT, counting)
        return self

    def __exit__(self, *exc: object) -> None:
        setattr(GeodesicPolyline, _EXACT, self._original)


def classify(areas: list[CompiledArea], lon: np.ndarray, lat: np.ndarray) -> list[int]:
    """Classify every point against every area, one ``place`` call per area; the number
    inside each."""
    return [int(area.place(lon, lat).inside.sum()) for area in areas]


def classify_shared(areas: list[CompiledArea], lon: np.ndarray, lat: np.ndarray) -> list[int]:
    """The same with ``place_many``: the bands of one line share one measure of the points."""
    return [int(p.inside.sum()) for p in place_many(areas, lon, lat)]


METHODS = {"place": classify, "place_many": classify_shared}
if place_many is None:
    del METHODS["place_many"]


def time_single(
    method: str, areas: list[CompiledArea], lon: np.ndarray, lat: np.ndarray, repeats: int
) -> tuple[float, float, list[int], int]:
    """Median wall and CPU seconds over ``repeats`` runs, counts inside, points refined per
    run."""
    run = METHODS[method]
    run(areas, lon[:10_000], lat[:10_000])  # warm caches
    times = []
    cpu_times = []
    inside: list[int] = []
    with RefineCounter() as counter:
        for _ in range(repeats):
            c = time.thread_time()
            t = time.perf_counter()
            inside = run(areas, lon, lat)
            times.append(time.perf_counter() - t)
            cpu_times.append(time.thread_time() - c)
    return statistics.median(times), statistics.median(cpu_times), inside, counter.points // repeats


_WORK: dict[str, Any] = {}


def _worker(bounds: tuple[int, int]) -> list[int]:
    lo, hi = bounds
    run = METHODS[_WORK.get("method", "place")]
    return run(_WORK["areas"], _WORK["lon"][lo:hi], _WORK["lat"][lo:hi])


def time_processes(
    areas: list[CompiledArea], lon: np.ndarray, lat: np.ndarray, processes: int, repeats: int
) -> tuple[float, list[int]]:
    """Wall seconds to classify every point with ``processes`` forked workers."""
    _WORK.update(areas=areas, lon=lon, lat=lat)
    n = lon.shape[0]
    parts = processes * 4
    edges = np.linspace(0, n, parts + 1).astype(int)
    chunks = list(zip(edges[:-1].tolist(), edges[1:].tolist(), strict=True))
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(processes) as pool:
        pool.map(_worker, [(0, 10_000)] * processes)  # warm the workers
        times = []
        totals: list[int] = []
        for _ in range(repeats):
            t = time.perf_counter()
            results = pool.map(_worker, chunks)
            times.append(time.perf_counter() - t)
            totals = [sum(col) for col in zip(*results, strict=True)]
    return statistics.median(times), totals


# -- accuracy ---------------------------------------------------------------------------------


def brute_distance(line: GeodesicPolyline, lon: float, lat: float, step: float = 50.0) -> float:
    """Distance from a point to a geodesic polyline with pyproj.Geod alone: every edge sampled
    every ``step`` metres, then golden-section search along the geodesic edges next to the
    closest sample."""
    best = math.inf
    lons, lats = line.lons.tolist(), line.lats.tolist()
    for i in range(len(lons) - 1):
        az, _, length = GEOD.inv(lons[i], lats[i], lons[i + 1], lats[i + 1])
        count = max(2, int(length / step) + 1)
        s = np.linspace(0.0, length, count)
        plon, plat, _ = GEOD.fwd(
            np.full(count, lons[i]), np.full(count, lats[i]), np.full(count, az), s
        )
        d = GEOD.inv(plon, plat, np.full(count, lon), np.full(count, lat))[2]
        k = int(np.argmin(d))
        lo, hi = s[max(k - 1, 0)], s[min(k + 1, count - 1)]

        def at(t: float, i: int = i, az: float = az) -> float:
            flon, flat, _ = GEOD.fwd(lons[i], lats[i], az, t)
            return float(GEOD.inv(flon, flat, lon, lat)[2])

        ratio = (math.sqrt(5) - 1) / 2
        a, b = lo, hi
        c, d1 = b - ratio * (b - a), a + ratio * (b - a)
        fc, fd = at(c), at(d1)
        for _ in range(80):
            if fc < fd:
                b, d1, fd = d1, c, fc
                c = b - ratio * (b - a)
                fc = at(c)
            else:
                a, c, fc = c, d1, fd
                d1 = a + ratio * (b - a)
                fd = at(d1)
            if b - a < 1e-6:
                break
        best = min(best, fc, fd, at(lo), at(hi))
    return best


def accuracy(
    areas: list[CompiledArea], lon: np.ndarray, lat: np.ndarray, brute: int
) -> dict[str, float]:
    lines: dict[bytes, GeodesicPolyline] = {}
    for area in areas:
        assert area.line is not None
        lines.setdefault(area.line.lons.tobytes() + area.line.lats.tobytes(), area.line)
    fast_err = 0.0
    worst_at = 0.0
    side_mismatch = 0
    t = time.perf_counter()
    exact_by_line = {}
    for key, line in lines.items():
        fast = line.measure(lon, lat)
        exact = line.measure(lon, lat, exact=True)
        exact_by_line[key] = exact
        err = np.abs(fast.distance - exact.distance)
        k = int(np.argmax(err))
        if err[k] > fast_err:
            fast_err, worst_at = float(err[k]), float(exact.distance[k])
        side_mismatch += int(np.count_nonzero((fast.side != exact.side) & (exact.distance > 0)))
    exact_s = time.perf_counter() - t
    wrong = 0
    for area in areas:
        assert area.line is not None
        ex = exact_by_line[area.line.lons.tobytes() + area.line.lats.tobytes()]
        d = ex.distance
        within = (d <= area.outer_m) & ((d > area.inner_m) if area.inner_m > 0 else (d >= 0))
        if area.side:
            within &= ((ex.side == area.side) | (d == 0.0)) & ~ex.beyond
        wrong += int(np.count_nonzero(area.place(lon, lat).inside != within))
    brute_fast = brute_exact = 0.0
    t = time.perf_counter()
    for key, line in lines.items():
        fast_d = line.measure(lon[:brute], lat[:brute]).distance
        exact_d = exact_by_line[key].distance[:brute]
        ref = np.array(
            [
                brute_distance(line, float(a), float(b))
                for a, b in zip(lon[:brute], lat[:brute], strict=True)
            ]
        )
        brute_fast = max(brute_fast, float(np.abs(fast_d - ref).max()))
        brute_exact = max(brute_exact, float(np.abs(exact_d - ref).max()))
    brute_s = time.perf_counter() - t
    return {
        "fast_err": fast_err,
        "worst_at": worst_at,
        "side_mismatch": side_mismatch,
        "wrong": wrong,
        "exact_s": exact_s,
        "brute_fast": brute_fast,
        "brute_exact": brute_exact,
        "brute_s": brute_s,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--points", type=int, default=2_000_000)
    parser.add_argument("--exact-sample", type=int, default=100_000)
    parser.add_argument("--brute", type=int, default=1000)
    parser.add_argument("--processes", default="2", help="comma-separated worker counts, or 0")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)

    areas = load_areas()
    lon, lat = random_points(areas, args.points, args.seed)
    print(
        f"zones benchmark: python {platform.python_version()}, numpy {np.__version__}, "
        f"pyproj {pyproj.__version__} (PROJ {pyproj.proj_version_str}), {os.cpu_count()} CPUs, "
        f"seed {args.seed}"
    )
    print(f"{len(areas)} bands: " + "; ".join(a.describe() for a in areas))
    n = args.points
    results = {}
    for method in METHODS:
        seconds, cpu_s, inside, refined = time_single(method, areas, lon, lat, args.repeats)
        results[method] = (seconds, inside)
        print(
            f"single thread, {method}: {n:,} observations x {len(areas)} bands in "
            f"{seconds:.3f} s ({cpu_s:.3f} s CPU): {n / seconds:,.0f} observations/s, "
            f"{n * len(areas) / seconds:,.0f} band classifications/s "
            f"({seconds / (n * len(areas)) * 1e9:.0f} ns each)"
        )
        print(
            f"  exact refinement: {refined:,} distances solved exactly "
            f"({refined / (n * len(areas)):.4%} of point-band pairs); inside per band: {inside}"
        )
    if "place_many" in results and results["place"][1] != results["place_many"][1]:
        raise AssertionError("place_many disagrees with place")
    best = "place_many" if "place_many" in results else "place"
    seconds = results[best][0]
    _WORK["method"] = best
    for p in [int(x) for x in args.processes.split(",") if x.strip() and int(x) > 0]:
        wall, totals = time_processes(areas, lon, lat, p, args.repeats)
        if totals != results["place"][1]:
            raise AssertionError("worker processes disagree with the single-threaded run")
        print(
            f"{p} processes ({best}): {wall:.3f} s wall: {n / wall:,.0f} observations/s "
            f"(speed-up {seconds / wall:.2f} over one thread)"
        )
    m = min(args.exact_sample, n)
    acc = accuracy(areas, lon[:m], lat[:m], min(args.brute, m))
    print(
        f"accuracy over {m:,} points per line: largest |fast - exact| {acc['fast_err']:.4f} m "
        f"(at {acc['worst_at'] / 1000:.1f} km from the line); side disagreements "
        f"{acc['side_mismatch']}; place() classifications differing from exact ones: "
        f"{acc['wrong']}  [exact solve {acc['exact_s']:.1f} s]"
    )
    print(
        f"independent brute force (pyproj.Geod only) over {min(args.brute, m):,} points per "
        f"line: largest |fast - brute| {acc['brute_fast']:.4f} m, |exact - brute| "
        f"{acc['brute_exact']:.2e} m  [{acc['brute_s']:.1f} s]"
    )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
