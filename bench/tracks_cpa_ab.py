"""Before and after: the conflict kernel of a git revision against this tree's, alternately.

On a shared machine two runs minutes apart are not comparable; two kernels alternated in one
process are.  The revision's ``engine/tracks/cpa.py`` is loaded from ``git show`` as a module
of its own (it imports only numba, numpy and the units); both detect on the same traffic
(``bench/tracks_traffic.py``, projected once), one thread; the pairs and their entry and exit
times must be identical.

    python bench/tracks_cpa_ab.py --before main --aircraft 100000 --repeat 5
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tracks_traffic
from deconfliction.engine.geodesy.frames import LocalFrame, frame_around
from deconfliction.engine.tracks import cpa
from deconfliction.engine.tracks.plane import to_plane

PATH = "src/deconfliction/engine/tracks/cpa.py"


def _kernel_of(revision: str, where: Path) -> ModuleType:
    source = subprocess.run(
        ["git", "show", f"{revision}:{PATH}"], check=True, capture_output=True, text=True
    ).stdout
    path = where / "cpa_before.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("cpa_before", path)
    assert spec is not None
    assert spec.loader is not None
    module = sys.modules["cpa_before"] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", default="main")
    ap.add_argument("--aircraft", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--seed", type=int, default=12)
    args = ap.parse_args()
    numba.set_num_threads(1)
    data = tracks_traffic.make(args.aircraft, args.seed)
    lon, lat = LocalFrame(*tracks_traffic.CENTRE).inverse(data["x"], data["y"])
    s = to_plane(frame_around(lon, lat), lon, lat, data["gs"], data["trk"])
    group = np.zeros(args.aircraft, np.int32)
    columns = (s.x, s.y, data["alt_m"], s.vx, s.vy, data["vs"], s.k, group, cpa.default_minima())
    with tempfile.TemporaryDirectory() as tmp:
        kernels = {"before": _kernel_of(args.before, Path(tmp)), "after": cpa}
        for kernel in kernels.values():  # compile (or load the cache) outside the timing
            kernel.detect(*(c[:50] if c.ndim == 1 else c for c in columns))
        times: dict[str, list[float]] = {name: [] for name in kernels}
        found = {}
        for _ in range(args.repeat):
            for name, kernel in kernels.items():
                began = time.process_time()
                found[name] = kernel.detect(*columns)
                times[name].append(time.process_time() - began)
    load = os.getloadavg()
    print(f"N = {args.aircraft:,}, one thread, before = {args.before}; load {load[0]:.1f}")
    for name, spent in times.items():
        print(f"{name:>6}: CPU per detect best {min(spent):.3f} s, median "
              f"{sorted(spent)[len(spent) // 2]:.3f} s  {[round(t, 3) for t in spent]}")  # fmt: skip
    a, b = found["before"], found["after"]
    same = all(np.array_equal(getattr(a, f), getattr(b, f)) for f in ("i", "j", "t_in", "t_out"))
    print(f"pairs: {len(a):,} before, {len(b):,} after; identical with their times: {same}")


if __name__ == "__main__":
    main()
