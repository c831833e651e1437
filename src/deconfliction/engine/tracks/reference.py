"""An independent reference for conflict prediction: every pair, decided another way.

:func:`exact_conflict` decides one pair in exact rational arithmetic (every float is a
rational): instead of the roots of the quadratic it minimises ``|d + u t|^2`` over the times
where the vertical test and the look-ahead hold, so it shares no formula with the kernel.
:func:`all_pairs` applies the same minimisation to every pair with NumPy floats, in blocks
(memory bounded), for the benchmark's large runs.  Neither is fast; both are simple.

Examples
--------
>>> exact_conflict(20000.0, 0.0, -400.0, 0.0, 0.0, 0.0, 9260.0, 304.8, 300.0)
True
>>> exact_conflict(9260.0, 0.0, 0.0, 0.0, 0.0, 0.0, 9260.0, 304.8, 300.0)  # exactly 5 NM
False
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from numpy.typing import NDArray

__all__ = ["all_pairs", "exact_conflict"]


def exact_conflict(
    dx: float, dy: float, ux: float, uy: float, dz: float, w: float, h: float, v: float, t: float
) -> bool:
    """Is there ``0 <= s <= t`` with ``|d + u s| < h`` and ``|dz + w s| < v``?  Exact."""
    dx_, dy_, ux_, uy_, dz_, w_, h_, v_, t_ = map(Fraction, (dx, dy, ux, uy, dz, w, h, v, t))
    zero = Fraction(0)
    # The times allowed by the vertical test and the look-ahead: an interval from lo to hi,
    # each end open or closed.
    lo, lo_open, hi, hi_open = zero, False, t_, False
    if w_ == 0:
        if abs(dz_) >= v_:
            return False
    else:
        a, b = sorted(((-v_ - dz_) / w_, (v_ - dz_) / w_))
        if a >= lo:
            lo, lo_open = a, True
        if b <= hi:
            hi, hi_open = b, True
    if lo > hi or (lo == hi and (lo_open or hi_open)):
        return False
    # The convex |d + u s|^2 - h^2 is smallest over [lo, hi] at the clamped vertex.
    a2 = ux_ * ux_ + uy_ * uy_
    vertex = -(dx_ * ux_ + dy_ * uy_) / a2 if a2 else lo
    s = min(max(vertex, lo), hi)
    px, py = dx_ + ux_ * s, dy_ + uy_ * s
    # Negative at s means negative on a neighbourhood inside the interval too (continuity),
    # open ends included, since the interval has interior points.
    return px * px + py * py < h_ * h_


def all_pairs(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    z: NDArray[np.float64],
    vx: NDArray[np.float64],
    vy: NDArray[np.float64],
    vz: NDArray[np.float64],
    h: float,
    v: float,
    t: float,
    k: NDArray[np.float64] | None = None,
    block: int = 1024,
) -> set[tuple[int, int]]:
    """Every conflicting pair ``(i, j)``, ``i < j``, by the minimisation of
    :func:`exact_conflict` in floats over all pairs (one group, one set of minima; ``k`` the
    plane's scale factors, which scale each pair's ``h`` by their mean)."""
    n = x.shape[0]
    scale = np.ones(n) if k is None else k
    found: set[tuple[int, int]] = set()
    for start in range(0, n, block):
        rows = np.arange(start, min(n, start + block))
        dx = x[None, :] - x[rows, None]
        dy = y[None, :] - y[rows, None]
        ux = vx[None, :] - vx[rows, None]
        uy = vy[None, :] - vy[rows, None]
        dz = z[None, :] - z[rows, None]
        w = vz[None, :] - vz[rows, None]
        with np.errstate(divide="ignore", invalid="ignore"):
            ta = (-v - dz) / w
            tb = (v - dz) / w
        level = w == 0
        lo = np.where(level, 0.0, np.maximum(np.minimum(ta, tb), 0.0))
        hi = np.where(level, t, np.minimum(np.maximum(ta, tb), t))
        lo_open = ~level & (np.minimum(ta, tb) >= 0.0)
        hi_open = ~level & (np.maximum(ta, tb) <= t)
        ok_v = np.where(level, np.abs(dz) < v, (lo < hi) | ((lo == hi) & ~lo_open & ~hi_open))
        a2 = ux * ux + uy * uy
        with np.errstate(divide="ignore", invalid="ignore"):
            vertex = np.where(a2 > 0, -(dx * ux + dy * uy) / a2, lo)
        s = np.minimum(np.maximum(vertex, lo), hi)
        px = dx + ux * s
        py = dy + uy * s
        hh = h * (0.5 * (scale[None, :] + scale[rows, None]))
        hit = ok_v & (px * px + py * py < hh * hh)
        hit &= np.arange(n)[None, :] > rows[:, None]
        for i, j in zip(*np.nonzero(hit), strict=True):
            found.add((int(rows[i]), int(j)))
    return found
