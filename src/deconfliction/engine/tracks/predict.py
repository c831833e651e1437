"""Conflict prediction over a snapshot of the air picture: plane, extrapolation, kernel,
figures.

Aircraft are grouped by party (``groups``, an index into ``minima``).  Each aircraft flies on
the altitude its track uses for separation (barometric when reported, else geometric); a pair
on different datums has its vertical minimum grown by ``mixed_datum_margin_m`` (a pressure
altitude and a GNSS height differ with the weather), which can only raise more alerts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from deconfliction.engine.geodesy.frames import frame_around
from deconfliction.engine.tracks.cpa import detect
from deconfliction.engine.tracks.plane import to_plane
from deconfliction.engine.tracks.state import Snapshot
from deconfliction.engine.units import FOOT

__all__ = ["MIXED_DATUM_MARGIN_M", "PredictedConflict", "predict_conflicts"]

MIXED_DATUM_MARGIN_M = 500 * FOOT


@dataclass(frozen=True, slots=True)
class PredictedConflict:
    """One predicted conflict between the aircraft at rows ``a < b`` of the snapshot.

    ``t_loss`` seconds to loss of separation (0 when already lost), ``t_end`` to its end;
    ``min_h_m`` the smallest predicted horizontal distance over the look-ahead window of the
    conflict and ``min_v_m`` the vertical distance at that moment, at ``t_min``.
    """

    a: int
    b: int
    t_loss: float
    t_end: float
    t_min: float
    min_h_m: float
    min_v_m: float

    @property
    def in_loss(self) -> bool:
        return self.t_loss == 0.0


def predict_conflicts(
    snap: Snapshot,
    groups: NDArray[np.int32],
    minima: NDArray[np.float64],
    mixed_datum_margin_m: float = MIXED_DATUM_MARGIN_M,
) -> list[PredictedConflict]:
    """Every conflicting pair of the snapshot's aircraft under ``minima[g_a, g_b]``."""
    n = len(snap.keys)
    if n < 2:
        return []
    frame = frame_around(snap.lon, snap.lat)
    plane = to_plane(frame, snap.lon, snap.lat, snap.speed, snap.track)
    x = plane.x + plane.vx * snap.age
    y = plane.y + plane.vy * snap.age
    z = snap.alt_m + snap.climb * snap.alt_age
    parties = minima.shape[0]
    table = np.repeat(np.repeat(minima, 2, axis=0), 2, axis=1).copy()
    for da in (0, 1):
        for db in (0, 1):
            if da != db:
                table[da::2, db::2, 1] += mixed_datum_margin_m
    kernel_groups = (np.asarray(groups, np.int32) * 2 + snap.datum).astype(np.int32)
    assert table.shape[0] == 2 * parties
    found = detect(x, y, z, plane.vx, plane.vy, snap.climb, plane.k, kernel_groups, table)
    if not len(found):
        return []
    i, j = found.i, found.j
    t_max = table[kernel_groups[i], kernel_groups[j], 2]
    start = np.maximum(found.t_in, 0.0)
    end = np.minimum(found.t_out, t_max)
    dx, dy = x[j] - x[i], y[j] - y[i]
    ux, uy = plane.vx[j] - plane.vx[i], plane.vy[j] - plane.vy[i]
    a2 = ux * ux + uy * uy
    with np.errstate(divide="ignore", invalid="ignore"):
        vertex = np.where(a2 > 0, -(dx * ux + dy * uy) / a2, start)
    t_min = np.clip(vertex, start, np.maximum(start, end))
    kk = 0.5 * (plane.k[i] + plane.k[j])
    min_h = np.hypot(dx + ux * t_min, dy + uy * t_min) / kk
    min_v = np.abs(z[j] - z[i] + (snap.climb[j] - snap.climb[i]) * t_min)
    return [
        PredictedConflict(int(a), int(b), float(s), float(e), float(tm), float(h), float(v))
        for a, b, s, e, tm, h, v in zip(
            i.tolist(), j.tolist(), start, end, t_min, min_h, min_v, strict=True
        )
    ]
