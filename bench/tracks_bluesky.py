"""BlueSky's state-based conflict detection on a traffic file (run with BlueSky's Python).

Usage (from bench/tracks_cpa.py, in BlueSky's own environment)::

    python bench/tracks_bluesky.py TRAFFIC.npz OUT.npz {StateBased,CStateBased}

Calls ``detect(ownship, intruder, rpz, hpz, dtlookahead)`` of ``bluesky.traffic.asas``'s
``StateBased`` (NumPy, N x N matrices) or ``CStateBased`` (its C++ extension) with BlueSky's
defaults (5 NM, 1000 ft, 300 s), ownship = intruder = all the traffic, as BlueSky's own
simulation loop does.  Writes the conflicting pairs (as ``i < j`` index pairs: BlueSky reports
each pair in both orders) and the CPU and wall time of the call.
"""

from __future__ import annotations

import resource
import sys
import time
from types import SimpleNamespace

import numpy as np


def main() -> None:
    traffic, out, which = sys.argv[1], sys.argv[2], sys.argv[3]
    data = np.load(traffic)
    n = int(data["lat"].shape[0])
    from bluesky.traffic.asas import cstatebased, statebased

    # The detection functions use nothing of the detector object (nor of a running
    # simulation): call them directly, without BlueSky's traffic singleton.
    if which == "CStateBased":
        detect = cstatebased.detect
    else:

        def detect(*args):
            return statebased.StateBased.detect(None, *args)

    ac = SimpleNamespace(
        ntraf=n,
        id=[str(i) for i in range(n)],
        lat=np.ascontiguousarray(data["lat"]),
        lon=np.ascontiguousarray(data["lon"]),
        alt=np.ascontiguousarray(data["alt_m"]),
        gs=np.ascontiguousarray(data["gs"]),
        trk=np.ascontiguousarray(data["trk"]),
        vs=np.ascontiguousarray(data["vs"]),
    )
    rpz = np.full(n, 5 * 1852.0)
    hpz = np.full(n, 1000 * 0.3048)
    look = np.full(n, 300.0)
    cpu0, wall0 = time.process_time(), time.perf_counter()
    result = detect(ac, ac, rpz, hpz, look)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    pairs = {(min(int(a), int(b)), max(int(a), int(b))) for a, b in result[0]}
    arr = np.array(sorted(pairs), np.int64).reshape(-1, 2)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    np.savez(out, pairs=arr, cpu=cpu, wall=wall, rss_mib=rss)


if __name__ == "__main__":
    main()
