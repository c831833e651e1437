"""Synthetic traffic shared by the track benchmarks and the BlueSky runner.

N aircraft uniformly in a 400 km x 400 km box centred on 34N 36E (a local Transverse Mercator
square), FL100-FL400 (pressure altitude), ground speeds 100-250 m/s in uniformly random
directions, level (as BlueSky's own scenario generators make them).  Written as plain arrays
(``.npz``) so that the BlueSky runner, in its own environment, reads the very same numbers.
Only numpy is needed here.
"""

from __future__ import annotations

import numpy as np

CENTRE = (36.0, 34.0)
HALF_SIDE_M = 200_000.0
FT = 0.3048


def make(n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "x": rng.uniform(-HALF_SIDE_M, HALF_SIDE_M, n),
        "y": rng.uniform(-HALF_SIDE_M, HALF_SIDE_M, n),
        "alt_m": rng.uniform(10_000, 40_000, n) * FT,
        "gs": rng.uniform(100.0, 250.0, n),
        "trk": rng.uniform(0.0, 360.0, n),
        "vs": np.zeros(n),
    }
