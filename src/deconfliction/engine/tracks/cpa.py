"""Short-term conflict prediction: the state-based model, a time-sliced sweep that finds the
candidates, and the exact test, compiled with numba.

The model (``docs/design/tracks.md``): aircraft keep their velocity; a pair is in **conflict**
when, at some instant ``0 <= t <= T``, it is closer than ``H`` horizontally (strictly) and
``V`` vertically (strictly).  Exactly at a minimum is separated; equal velocities mean constant
distances; a loss that would begin exactly at ``T`` is not a conflict.

Coordinates are metres in a local plane (:mod:`.plane` projects them), ``k`` the plane's point
scale factor at each aircraft: a pair's horizontal minimum is ``H`` times the mean of its two
factors.  Minima are per pair of groups (parties): ``minima[g_i, g_j] = (H, V, T)``, a pair
with ``H <= 0`` is not predicted.

Examples
--------
Two aircraft 20 km apart head-on at 200 m/s each, level at the same altitude: the loss
begins when they are 5 NM apart, (20000 - 9260) / 400 = 26.85 s from now.

>>> import numpy as np
>>> minima = default_minima()
>>> found = detect(
...     np.array([0.0, 20000.0]), np.zeros(2), np.full(2, 10000.0),
...     np.array([200.0, -200.0]), np.zeros(2), np.zeros(2),
...     np.ones(2), np.zeros(2, np.int32), minima)
>>> found.i.tolist(), found.j.tolist(), round(float(found.t_in[0]), 3)
([0], [1], 26.85)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numba
import numpy as np
from numpy.typing import NDArray

from deconfliction.engine.units import FOOT, NAUTICAL_MILE

__all__ = [
    "DEFAULT_HORIZONTAL_M",
    "DEFAULT_LOOKAHEAD_S",
    "DEFAULT_VERTICAL_M",
    "Conflicts",
    "default_minima",
    "detect",
    "pair_interval",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

DEFAULT_HORIZONTAL_M: Final = 5 * NAUTICAL_MILE
DEFAULT_VERTICAL_M: Final = 1000 * FOOT
DEFAULT_LOOKAHEAD_S: Final = 300.0
_SLACK: Final = 1.0
"""Metres added to the candidate radii, so that rounding never drops a candidate (the exact
test decides)."""


def default_minima(groups: int = 1) -> FloatArray:
    """A ``groups x groups x 3`` table of (H, V, T) with the defaults everywhere."""
    table = np.empty((groups, groups, 3), np.float64)
    table[..., 0] = DEFAULT_HORIZONTAL_M
    table[..., 1] = DEFAULT_VERTICAL_M
    table[..., 2] = DEFAULT_LOOKAHEAD_S
    return table


@numba.njit(cache=True, inline="always")
def pair_interval(
    dx: float, dy: float, ux: float, uy: float, dz: float, w: float, h: float, v: float, t: float
) -> tuple[bool, float, float]:
    """Whether a pair is in conflict, and its loss interval (entry, exit) when it is.

    ``d`` relative position, ``u`` relative velocity, ``dz``/``w`` the vertical ones.  The
    horizontal discriminant is written ``a H^2 - (d x u)^2`` (Lagrange's identity): no
    cancellation, so head-on and overtaking geometries are exact.
    """
    inf = math.inf
    # Vertical: |dz + w t| < v.
    if w == 0.0:
        if abs(dz) >= v:
            return False, 0.0, 0.0
        vlo = -inf
        vhi = inf
    else:
        t1 = (-v - dz) / w
        t2 = (v - dz) / w
        vlo = min(t1, t2)
        vhi = max(t1, t2)
    # Horizontal: a t^2 + 2 b t + c < 0.
    a = ux * ux + uy * uy
    c = dx * dx + dy * dy - h * h
    if a == 0.0:
        if c >= 0.0:
            return False, 0.0, 0.0
        hlo = -inf
        hhi = inf
    else:
        cross = dx * uy - dy * ux
        disc = a * h * h - cross * cross
        if disc <= 0.0:
            return False, 0.0, 0.0
        b = dx * ux + dy * uy
        root = math.sqrt(disc)
        q = -(b + root) if b >= 0.0 else -(b - root)
        r1 = q / a
        r2 = c / q
        hlo = min(r1, r2)
        hhi = max(r1, r2)
    lo = max(hlo, vlo)
    hi = min(hhi, vhi)
    if lo < hi and lo < t and hi > 0.0:
        return True, lo, hi
    return False, 0.0, 0.0


@numba.njit(cache=True)
def _cells(
    px: FloatArray, py: FloatArray, pz: FloatArray, size_h: float, size_v: float
) -> tuple[IntArray, IntArray, int, int, int]:
    n = px.shape[0]
    x0 = px.min()
    y0 = py.min()
    z0 = pz.min()
    nx = int((px.max() - x0) / size_h) + 1
    ny = int((py.max() - y0) / size_h) + 1
    nz = int((pz.max() - z0) / size_v) + 1
    keys = np.empty(n, np.int64)
    for i in range(n):
        cx = int((px[i] - x0) / size_h)
        cy = int((py[i] - y0) / size_h)
        cz = int((pz[i] - z0) / size_v)
        keys[i] = (cx * ny + cy) * nz + cz
    order = np.argsort(keys, kind="mergesort")
    return keys, order, nx, ny, nz


@numba.njit(cache=True)
def _starts(keys: IntArray, order: IntArray, cells: int) -> IntArray:
    starts = np.zeros(cells + 1, np.int64)
    for i in range(keys.shape[0]):
        starts[keys[i] + 1] += 1
    for c in range(cells):
        starts[c + 1] += starts[c]
    return starts


@numba.njit(cache=True)
def _visit(
    a: int,
    write: bool,
    g: tuple[FloatArray, ...],
    gg: NDArray[np.int32],
    gkey: IntArray,
    starts: IntArray,
    dims: tuple[int, int, int],
    minima: FloatArray,
    half: float,
    step: float,
    slice_no: int,
    last: int,
    slot0: int,
    out_b: IntArray,
    out_in: FloatArray,
    out_out: FloatArray,
    out_ok: NDArray[np.bool_],
) -> int:
    """Visit the neighbours of the aircraft at cell-order position ``a`` that come after it:
    count those passing the cheap test, or (``write``) test them exactly and write them from
    ``slot0`` on.  Returns how many passed the cheap test."""
    gx, gy, gz, gvx, gvy, gvz, gk, gpx, gpy, gpz, speed, climb = g
    nx, ny, nz = dims
    ga = gg[a]
    key = gkey[a]
    cz = key % nz
    cxy = key // nz
    cy = cxy % ny
    cx = cxy // ny
    zlo = max(cz - 1, 0)
    zhi = min(cz + 1, nz - 1)
    found = 0
    for ddx in range(-1, 2):
        ax = cx + ddx
        if ax < 0 or ax >= nx:
            continue
        for ddy in range(-1, 2):
            ay = cy + ddy
            if ay < 0 or ay >= ny:
                continue
            base = (ax * ny + ay) * nz
            first = starts[base + zlo]
            if first <= a:
                first = a + 1
            for b in range(first, starts[base + zhi + 1]):
                gb = gg[b]
                h = minima[ga, gb, 0]
                if h <= 0.0:
                    continue
                v = minima[ga, gb, 1]
                if abs(gpz[b] - gpz[a]) > v + (climb[a] + climb[b]) * half + _SLACK:
                    continue
                hh = h * 0.5 * (gk[a] + gk[b])
                reach = hh + (speed[a] + speed[b]) * half + _SLACK
                ex = gpx[b] - gpx[a]
                ey = gpy[b] - gpy[a]
                if ex * ex + ey * ey > reach * reach:
                    continue
                if write:
                    slot = slot0 + found
                    out_b[slot] = b
                    ok, lo, hi = pair_interval(
                        gx[b] - gx[a],
                        gy[b] - gy[a],
                        gvx[b] - gvx[a],
                        gvy[b] - gvy[a],
                        gz[b] - gz[a],
                        gvz[b] - gvz[a],
                        hh,
                        v,
                        minima[ga, gb, 2],
                    )
                    if ok:
                        begin = lo if lo > 0.0 else 0.0
                        owner = min(int(begin / step), last)
                        if owner == slice_no:
                            out_ok[slot] = True
                            out_in[slot] = lo
                            out_out[slot] = hi
                found += 1
    return found


@numba.njit(cache=True, parallel=True)
def _slice(
    x: FloatArray,
    y: FloatArray,
    z: FloatArray,
    vx: FloatArray,
    vy: FloatArray,
    vz: FloatArray,
    k: FloatArray,
    group: NDArray[np.int32],
    minima: FloatArray,
    tk: float,
    half: float,
    slice_no: int,
    step: float,
    last: int,
    size_h: float,
    size_v: float,
) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """The pairs whose conflict starts in one slice.  Aircraft are visited in cell order, with
    every array gathered into that order, so that a cell's members sit side by side in memory;
    each unordered pair is visited once (from the earlier of the two in cell order)."""
    n = x.shape[0]
    px = x + vx * tk
    py = y + vy * tk
    pz = z + vz * tk
    keys, order, nx, ny, nz = _cells(px, py, pz, size_h, size_v)
    starts = _starts(keys, order, nx * ny * nz)
    gvx = vx[order]
    gvy = vy[order]
    gvz = vz[order]
    g = (
        x[order],
        y[order],
        z[order],
        gvx,
        gvy,
        gvz,
        k[order],
        px[order],
        py[order],
        pz[order],
        np.sqrt(gvx * gvx + gvy * gvy),
        np.abs(gvz),
    )
    gg = group[order]
    gkey = keys[order]
    dims = (nx, ny, nz)
    none_i = np.empty(0, np.int64)
    none_f = np.empty(0, np.float64)
    none_b = np.empty(0, np.bool_)
    counts = np.empty(n, np.int64)
    for a in numba.prange(n):
        counts[a] = _visit(
            a,
            False,
            g,
            gg,
            gkey,
            starts,
            dims,
            minima,
            half,
            step,
            slice_no,
            last,
            0,
            none_i,
            none_f,
            none_f,
            none_b,
        )
    offsets = np.zeros(n + 1, np.int64)
    for a in range(n):
        offsets[a + 1] = offsets[a] + counts[a]
    total = offsets[n]
    out_b = np.empty(total, np.int64)
    out_in = np.empty(total, np.float64)
    out_out = np.empty(total, np.float64)
    out_ok = np.zeros(total, np.bool_)
    for a in numba.prange(n):
        _visit(
            a,
            True,
            g,
            gg,
            gkey,
            starts,
            dims,
            minima,
            half,
            step,
            slice_no,
            last,
            offsets[a],
            out_b,
            out_in,
            out_out,
            out_ok,
        )
    kept = 0
    for s in range(total):
        if out_ok[s]:
            kept += 1
    ri = np.empty(kept, np.int64)
    rj = np.empty(kept, np.int64)
    rin = np.empty(kept, np.float64)
    rout = np.empty(kept, np.float64)
    m = 0
    for a in range(n):
        for s in range(offsets[a], offsets[a + 1]):
            if out_ok[s]:
                i = order[a]
                j = order[out_b[s]]
                ri[m] = min(i, j)
                rj[m] = max(i, j)
                rin[m] = out_in[s]
                rout[m] = out_out[s]
                m += 1
    return ri, rj, rin, rout


@dataclass(frozen=True, slots=True)
class Conflicts:
    """The conflicting pairs (``i < j``), each with its loss interval (entry ``t_in``, which
    is negative for a pair already in loss, and exit ``t_out``), in seconds from now."""

    i: IntArray
    j: IntArray
    t_in: FloatArray
    t_out: FloatArray

    def __len__(self) -> int:
        return int(self.i.shape[0])

    def pairs(self) -> set[tuple[int, int]]:
        return set(zip(self.i.tolist(), self.j.tolist(), strict=True))


def detect(
    x: FloatArray,
    y: FloatArray,
    z: FloatArray,
    vx: FloatArray,
    vy: FloatArray,
    vz: FloatArray,
    k: FloatArray,
    group: NDArray[np.int32],
    minima: FloatArray,
) -> Conflicts:
    """Every conflicting pair (see the module documentation).  Arrays are one value per
    aircraft, all at the same instant: plane metres, metres per second, scale factors, group
    numbers indexing ``minima``."""
    n = int(x.shape[0])
    arrays = [np.ascontiguousarray(a, np.float64) for a in (x, y, z, vx, vy, vz, k)]
    groups = np.ascontiguousarray(group, np.int32)
    table = np.ascontiguousarray(minima, np.float64)
    empty = Conflicts(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0), np.empty(0))
    if n < 2:
        return empty
    for a in arrays:
        if not np.isfinite(a).all():
            raise ValueError("positions, velocities and scale factors must be finite")
    if groups.min() < 0 or groups.max() >= table.shape[0]:
        raise ValueError("a group number is outside the minima table")
    active = table[..., 0] > 0
    if not active.any():
        return empty
    h_max = float(table[..., 0][active].max()) * float(arrays[6].max())
    v_max = float(table[..., 1][active].max())
    t_max = float(table[..., 2][active].max())
    s_max = float(np.sqrt(arrays[3] ** 2 + arrays[4] ** 2).max())
    w_max = float(np.abs(arrays[5]).max())
    # Slices of H/s_max seconds: cells twice the minimum across (see the design note).
    slices = max(1, min(64, math.ceil(t_max * s_max / h_max))) if s_max > 0 else 1
    step = t_max / slices
    half = step / 2
    size_h = h_max + s_max * step + 2 * _SLACK
    size_v = v_max + w_max * step + 2 * _SLACK
    # Keep the dense grid within a few cells per aircraft (larger cells stay correct).
    span_x = float(np.ptp(arrays[0])) + abs(float(arrays[3].max() - arrays[3].min())) * t_max
    span_y = float(np.ptp(arrays[1])) + abs(float(arrays[4].max() - arrays[4].min())) * t_max
    span_z = float(np.ptp(arrays[2])) + 2 * w_max * t_max
    limit = max(4 * n, 1 << 20)
    while (span_x / size_h + 2) * (span_y / size_h + 2) * (span_z / size_v + 2) > limit:
        size_h *= 1.5
        size_v *= 1.5
    ax, ay, az, avx, avy, avz, ak = arrays
    parts = []
    for s in range(slices):
        tk = (s + 0.5) * step
        parts.append(
            _slice(
                ax,
                ay,
                az,
                avx,
                avy,
                avz,
                ak,
                groups,
                table,
                tk,
                half,
                s,
                step,
                slices - 1,
                size_h,
                size_v,
            )
        )
    i = np.concatenate([p[0] for p in parts])
    j = np.concatenate([p[1] for p in parts])
    order = np.lexsort((j, i))
    return Conflicts(
        i[order],
        j[order],
        np.concatenate([p[2] for p in parts])[order],
        np.concatenate([p[3] for p in parts])[order],
    )
