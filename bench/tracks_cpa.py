"""Benchmark: short-term conflict detection beside BlueSky, on the same traffic, in one run.

Issue 12, items 4 and 9.  For each N: synthetic traffic (``bench/tracks_traffic.py``: 400 km x
400 km around 34N 36E, FL100-FL400, 100-250 m/s, level), as latitudes, longitudes, altitudes,
ground speeds and tracks.  Then, one after the other on the same machine:

* **ours**: ``to_plane`` (projection, convergence, scale) and ``cpa.detect`` (the time-sliced
  sweep and the exact test, numba, both cores) from those latitudes and longitudes, in a fresh
  process (so its peak memory is its own), best of ``--repeat``;
* **reference**: the independent all-pairs reference (``engine/tracks/reference.py``) on the
  same plane states, N <= ``--reference-max``; our pairs must equal its pairs;
* **BlueSky** 1.1.1 ``StateBased`` (NumPy, N x N) for N <= ``--statebased-max`` and
  ``CStateBased`` (C++) for N <= ``--cstatebased-max``, in BlueSky's own environment
  (``--bluesky-python``), with its defaults (5 NM, 1000 ft, 300 s).  Its pairs are compared
  with the reference's and every difference is placed by how close the pair is to a boundary
  of our model.

Usage::

    python bench/tracks_cpa.py [--sizes 1000,10000,100000] [--seed 12]
        [--bluesky-python bench/out/bluesky-venv/bin/python]

BlueSky's environment: ``python3 -m venv bench/out/bluesky-venv &&
bench/out/bluesky-venv/bin/pip install bluesky-simulator`` (never the project's own).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tracks_traffic

OUT = Path(__file__).resolve().parent / "out"
H, V, T = 5 * 1852.0, 1000 * 0.3048, 300.0


def traffic_file(n: int, seed: int) -> Path:
    from deconfliction.engine.geodesy.frames import LocalFrame

    data = tracks_traffic.make(n, seed)
    frame = LocalFrame(*tracks_traffic.CENTRE)
    lon, lat = frame.inverse(data["x"], data["y"])
    path = OUT / f"traffic-{n}-{seed}.npz"
    np.savez(
        path, lat=lat, lon=lon, alt_m=data["alt_m"], gs=data["gs"], trk=data["trk"], vs=data["vs"]
    )
    return path


def plane_states(path: Path) -> dict[str, np.ndarray]:
    from deconfliction.engine.geodesy.frames import frame_around
    from deconfliction.engine.tracks.plane import to_plane

    d = np.load(path)
    frame = frame_around(d["lon"], d["lat"])
    s = to_plane(frame, d["lon"], d["lat"], d["gs"], d["trk"])
    return {"x": s.x, "y": s.y, "z": d["alt_m"], "vx": s.vx, "vy": s.vy, "vz": d["vs"], "k": s.k}


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def run_ours(path: str, repeat: int, threads: int) -> None:
    """In a fresh process: time our detection from latitudes and longitudes; print JSON.
    Peak memory is sampled from /proc every millisecond during the runs (numba's arrays are
    not seen by tracemalloc)."""
    import threading

    import numba

    from deconfliction.engine.geodesy.frames import frame_around
    from deconfliction.engine.tracks.cpa import default_minima, detect
    from deconfliction.engine.tracks.plane import to_plane

    d = {k: np.asarray(v) for k, v in np.load(path).items()}
    n = d["lat"].shape[0]
    minima = default_minima()
    g = np.zeros(n, np.int32)
    few = slice(0, min(n, 50))
    s0 = to_plane(
        frame_around(d["lon"], d["lat"]), d["lon"][few], d["lat"][few], d["gs"][few], d["trk"][few]
    )
    numba.set_num_threads(threads)
    detect(s0.x, s0.y, d["alt_m"][few], s0.vx, s0.vy, d["vs"][few], s0.k, g[few], minima)
    base = _rss()
    peak = [base]
    sampling = threading.Event()

    def sample() -> None:
        while not sampling.is_set():
            peak[0] = max(peak[0], _rss())
            time.sleep(0.001)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    best = None
    for _ in range(repeat):
        cpu0, wall0 = time.process_time(), time.perf_counter()
        s = to_plane(frame_around(d["lon"], d["lat"]), d["lon"], d["lat"], d["gs"], d["trk"])
        found = detect(s.x, s.y, d["alt_m"], s.vx, s.vy, d["vs"], s.k, g, minima)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        if best is None or wall < best[1]:
            best = (cpu, wall)
    assert best is not None
    sampling.set()
    sampler.join()
    np.save(path.replace(".npz", "-ours.npy"), np.stack([found.i, found.j], axis=1))
    print(
        json.dumps(
            {
                "cpu": best[0],
                "wall": best[1],
                "pairs": len(found),
                "threads": threads,
                "peak_added_mib": round((peak[0] - base) / 2**20, 1),
            }
        )
    )


def explain(pairs: set[tuple[int, int]], states: dict[str, np.ndarray]) -> str:
    """Where the pairs lie against our model's boundaries: for each, the distance of its
    predicted minimum horizontal distance from 5 NM (m), of its vertical offset from 1000 ft
    (m), and of its loss's start from the look-ahead (s); the smallest of the three, in
    units of each, summarised."""
    if not pairs:
        return "-"
    from deconfliction.engine.tracks.cpa import pair_interval

    rows = []
    for i, j in sorted(pairs)[:5000]:
        s = {k: (float(v[i]), float(v[j])) for k, v in states.items()}
        dx, dy = s["x"][1] - s["x"][0], s["y"][1] - s["y"][0]
        ux, uy = s["vx"][1] - s["vx"][0], s["vy"][1] - s["vy"][0]
        dz, w = s["z"][1] - s["z"][0], s["vz"][1] - s["vz"][0]
        kk = 0.5 * (s["k"][0] + s["k"][1])
        a2 = ux * ux + uy * uy
        tc = min(max(-(dx * ux + dy * uy) / a2 if a2 else 0.0, 0.0), T)
        dmin = float(np.hypot(dx + ux * tc, dy + uy * tc) / kk)
        ok, lo, _ = pair_interval(dx, dy, ux, uy, dz, w, H * kk, V, 1e9)
        rows.append((abs(dmin - H), abs(abs(dz) - V), abs(lo - T) if ok else np.inf))
    m = np.array(rows)
    near_h = int((m[:, 0] < 50).sum())
    near_t = int((m[:, 2] < 1).sum())
    return (
        f"{near_h} within 50 m of 5 NM (largest {m[:, 0].min():.2f}..{m[:, 0].max():.1f} m), "
        f"{near_t} within 1 s of the look-ahead, "
        f"smallest vertical margin {m[:, 1].min():.3f} m"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reference-max", type=int, default=10_000)
    parser.add_argument("--statebased-max", type=int, default=1_000)
    parser.add_argument("--cstatebased-max", type=int, default=10_000)
    parser.add_argument("--bluesky-python", default=str(OUT / "bluesky-venv/bin/python"))
    parser.add_argument("--threads", default="1,2", help="numba threads for ours, each run")
    parser.add_argument("--ours", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.ours:
        run_ours(args.ours, args.repeat, int(args.threads))
        return
    OUT.mkdir(exist_ok=True)
    print(
        f"# {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"load {os.getloadavg()}"
    )
    for n in [int(s) for s in args.sizes.split(",")]:
        path = traffic_file(n, args.seed)
        ours = [
            json.loads(
                subprocess.run(
                    [sys.executable, __file__, "--ours", str(path), "--repeat", str(args.repeat),
                     "--threads", threads],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
            )
            for threads in args.threads.split(",")
        ]  # fmt: skip
        mine = {tuple(p) for p in np.load(str(path).replace(".npz", "-ours.npy")).tolist()}
        row: dict[str, object] = {"n": n, "ours": ours}
        states = plane_states(path)
        ref = mine
        if n <= args.reference_max:
            from deconfliction.engine.tracks.reference import all_pairs

            t0 = time.process_time()
            ref = all_pairs(
                states["x"], states["y"], states["z"], states["vx"], states["vy"], states["vz"],
                H, V, T, k=states["k"],
            )  # fmt: skip
            row["reference"] = {
                "cpu": time.process_time() - t0,
                "pairs": len(ref),
                "equal_to_ours": ref == mine,
            }
        for which, limit in (
            ("StateBased", args.statebased_max),
            ("CStateBased", args.cstatebased_max),
        ):
            if n > limit or not Path(args.bluesky_python).exists():
                continue
            out = OUT / f"bluesky-{which}-{n}.npz"
            runner = str(Path(__file__).parent / "tracks_bluesky.py")
            subprocess.run([args.bluesky_python, runner, str(path), str(out), which], check=True)
            b = np.load(out)
            theirs = {tuple(p) for p in b["pairs"].tolist()}
            row[which] = {
                "cpu": float(b["cpu"]),
                "wall": float(b["wall"]),
                "rss_mib": float(b["rss_mib"]),
                "pairs": len(theirs),
                "missing": len(ref - theirs),
                "extra": len(theirs - ref),
                "missing_where": explain(ref - theirs, states),
                "extra_where": explain(theirs - ref, states),
            }
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
