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
from collections.abc import Iterator
from contextlib import contextmanager
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


_ACROSS: Final = 2
"""Cells across a candidate's reach: a pair within reach is at most this many cells apart in x
and in y.  Two (a 5 x 5 neighbourhood of half-size cells) visits 25/36 of the area of one
(3 x 3 cells of full size)."""


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


@numba.njit(cache=True, inline="always")
def _near(ex: float, ey: float, ez: float, reach: float, rise: float) -> bool:
    """The cheap test of a pair at a slice's middle: within ``reach`` across and ``rise`` up
    (every slice computes it from the same numbers in the same way)."""
    return abs(ez) <= rise and ex * ex + ey * ey <= reach * reach


@numba.njit(cache=True)
def _visit(
    a: int,
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
    out_a: IntArray,
    out_b: IntArray,
    out_in: FloatArray,
    out_out: FloatArray,
    slot: int,
    limit: int,
) -> int:
    """Visit the neighbours of the aircraft at cell-order position ``a`` that come after it,
    test exactly those passing the cheap test here but not in the previous slice (their first
    candidate slice), and write their conflicts from ``slot`` on, while below ``limit``.  Returns the next slot (counting past
    ``limit`` too, so that the caller knows how much room was needed)."""
    gx, gy, gz, gvx, gvy, gvz, gk, gpx, gpy, gpz, speed, climb, gqx, gqy, gqz = g
    nx, ny, nz = dims
    ga = gg[a]
    key = gkey[a]
    cz = key % nz
    cxy = key // nz
    cy = cxy % ny
    cx = cxy // ny
    zlo = max(cz - 1, 0)
    zhi = min(cz + 1, nz - 1)
    for ddx in range(-_ACROSS, _ACROSS + 1):
        ax = cx + ddx
        if ax < 0 or ax >= nx:
            continue
        for ddy in range(-_ACROSS, _ACROSS + 1):
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
                rise = v + (climb[a] + climb[b]) * half + _SLACK
                if abs(gpz[b] - gpz[a]) > rise:  # the cheapest test first (as in _near)
                    continue
                hh = h * 0.5 * (gk[a] + gk[b])
                reach = hh + (speed[a] + speed[b]) * half + _SLACK
                if not _near(gpx[b] - gpx[a], gpy[b] - gpy[a], gpz[b] - gpz[a], reach, rise):
                    continue
                # A candidate of the previous slice too was tested there (candidate slices are
                # contiguous: see the module notes); a repeat left by rounding is removed later.
                if slice_no > 0 and _near(gqx[b] - gqx[a], gqy[b] - gqy[a], gqz[b] - gqz[a],
                                          reach, rise):  # fmt: skip
                    continue
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
                if not ok:
                    continue
                if slot < limit:
                    out_a[slot] = a
                    out_b[slot] = b
                    out_in[slot] = lo
                    out_out[slot] = hi
                slot += 1
    return slot


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
    tprev: float,
    half: float,
    slice_no: int,
    step: float,
    last: int,
    size_h: float,
    size_v: float,
    per_aircraft: float,
) -> tuple[IntArray, IntArray, FloatArray, FloatArray]:
    """The pairs whose conflict starts in one slice.  Aircraft are visited in cell order, with
    every array gathered into that order, so that a cell's members sit side by side in memory;
    each unordered pair is visited once (from the earlier of the two in cell order).

    One pass: blocks of aircraft (one per ``prange`` step) write their conflicts into room
    sized at ``per_aircraft`` conflicts per aircraft (twice what the last slice found); a block
    that needed more is visited again with the room it counted."""
    n = x.shape[0]
    px = x + vx * tk
    py = y + vy * tk
    pz = z + vz * tk
    qx = x + vx * tprev
    qy = y + vy * tprev
    qz = z + vz * tprev
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
        qx[order],
        qy[order],
        qz[order],
    )
    gg = group[order]
    gkey = keys[order]
    dims = (nx, ny, nz)
    blocks = min(n, 256)
    first = np.empty(blocks + 1, np.int64)
    room = np.empty(blocks + 1, np.int64)
    room[0] = 0
    for bl in range(blocks + 1):
        first[bl] = (bl * n) // blocks
    for bl in range(blocks):
        size = first[bl + 1] - first[bl]
        room[bl + 1] = room[bl] + int(per_aircraft * size) + 16
    buf_a = np.empty(room[blocks], np.int64)
    buf_b = np.empty(room[blocks], np.int64)
    buf_in = np.empty(room[blocks], np.float64)
    buf_out = np.empty(room[blocks], np.float64)
    used = np.empty(blocks, np.int64)
    for bl in numba.prange(blocks):
        slot = room[bl]
        for a in range(first[bl], first[bl + 1]):
            slot = _visit(a, g, gg, gkey, starts, dims, minima, half, step, slice_no, last,
                          buf_a, buf_b, buf_in, buf_out, slot, room[bl + 1])  # fmt: skip
        used[bl] = slot - room[bl]
    total = 0
    for bl in range(blocks):
        total += used[bl]
    ri = np.empty(total, np.int64)
    rj = np.empty(total, np.int64)
    rin = np.empty(total, np.float64)
    rout = np.empty(total, np.float64)
    m = 0
    for bl in range(blocks):
        if used[bl] <= room[bl + 1] - room[bl]:
            src_a, src_b, src_in, src_out, at = buf_a, buf_b, buf_in, buf_out, room[bl]
        else:  # the block ran out of room: again, with the room it counted
            src_a = np.empty(used[bl], np.int64)
            src_b = np.empty(used[bl], np.int64)
            src_in = np.empty(used[bl], np.float64)
            src_out = np.empty(used[bl], np.float64)
            at = 0
            slot = 0
            for a in range(first[bl], first[bl + 1]):
                slot = _visit(a, g, gg, gkey, starts, dims, minima, half, step, slice_no, last,
                              src_a, src_b, src_in, src_out, slot, used[bl])  # fmt: skip
        for s in range(at, at + used[bl]):
            i = order[src_a[s]]
            j = order[src_b[s]]
            ri[m] = min(i, j)
            rj[m] = max(i, j)
            rin[m] = src_in[s]
            rout[m] = src_out[s]
            m += 1
    return ri, rj, rin, rout


@numba.njit(cache=True)
def _counting_order(key: IntArray, within: IntArray, n: int) -> IntArray:
    """``within`` stably reordered by ``key[within]`` (keys in ``0..n-1``)."""
    starts = np.zeros(n + 1, np.int64)
    for s in within:
        starts[key[s] + 1] += 1
    for a in range(n):
        starts[a + 1] += starts[a]
    order = np.empty(within.shape[0], np.int64)
    for s in within:
        order[starts[key[s]]] = s
        starts[key[s]] += 1
    return order


@numba.njit(cache=True)
def _pair_order(i: IntArray, j: IntArray, n: int) -> IntArray:
    """The permutation putting pairs in ``(i, j)`` order: two stable counting sorts, on ``j``
    then on ``i``, linear in pairs and aircraft (``np.lexsort`` took a quarter of the time at
    N = 100,000, with 2.8 million pairs)."""
    return _counting_order(i, _counting_order(j, np.arange(i.shape[0]), n), n)


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
    *,
    threads: int | None = None,
) -> Conflicts:
    """Every conflicting pair (see the module documentation).  Arrays are one value per
    aircraft, all at the same instant: plane metres, metres per second, scale factors, group
    numbers indexing ``minima``.  ``threads``: how many of numba's threads to use (None: as
    numba is set for the calling thread)."""
    with _threads(threads):
        return _detect_all(x, y, z, vx, vy, vz, k, group, minima)


@contextmanager
def _threads(threads: int | None) -> Iterator[None]:
    """Numba's thread count for the calling thread (its own: other threads keep theirs)."""
    if threads is None:
        yield
        return
    before = numba.get_num_threads()
    numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))  # type: ignore[attr-defined]
    try:
        yield
    finally:
        numba.set_num_threads(before)


def _detect_all(*columns: NDArray[np.generic]) -> Conflicts:
    x, y, z, vx, vy, vz, k, group, minima = columns
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
    size_h = (h_max + s_max * step + 2 * _SLACK) / _ACROSS
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
    per_aircraft = 4.0  # room for conflicts per aircraft in a slice; then twice the last count
    for s in range(slices):
        tk = (s + 0.5) * step
        tprev = (s - 0.5) * step  # the previous slice's middle, computed as it was there
        part = _slice(ax, ay, az, avx, avy, avz, ak, groups, table, tk, tprev, half, s, step,
                      slices - 1, size_h, size_v, per_aircraft)  # fmt: skip
        parts.append(part)
        per_aircraft = max(1.0, 2.0 * len(part[0]) / n)
    i = np.concatenate([p[0] for p in parts])
    j = np.concatenate([p[1] for p in parts])
    order = _pair_order(i, j, n)
    i, j = i[order], j[order]
    # A pair's candidate slices are contiguous, so it is tested once; should rounding at a
    # cheap test's edge break that, the repeat is dropped here (the pairs are in order).
    once = np.ones(i.shape[0], bool)
    once[1:] = (i[1:] != i[:-1]) | (j[1:] != j[:-1])
    if not once.all():
        order, i, j = order[once], i[once], j[once]
    return Conflicts(
        i,
        j,
        np.concatenate([p[2] for p in parts])[order],
        np.concatenate([p[3] for p in parts])[order],
    )
