"""Conflict prediction against an independent exact reference, pair for pair, with the
boundary conventions of docs/design/tracks.md built exactly."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deconfliction.engine.geodesy.ellipsoid import geod
from deconfliction.engine.geodesy.frames import LocalFrame
from deconfliction.engine.tracks.cpa import default_minima, detect
from deconfliction.engine.tracks.plane import to_plane
from deconfliction.engine.tracks.reference import all_pairs, exact_conflict

H, V, T = 9260.0, 304.8, 300.0


def run(rows: list[tuple[float, ...]], groups: list[int] | None = None, minima=None):
    a = np.array(rows, np.float64).reshape(-1, 6)
    n = a.shape[0]
    g = np.array(groups or [0] * n, np.int32)
    table = default_minima() if minima is None else minima
    return detect(*(a[:, c] for c in range(6)), np.ones(n), g, table)


def reference_pairs(rows: list[tuple[float, ...]]) -> set[tuple[int, int]]:
    out = set()
    for i in range(len(rows)):
        for j in range(i + 1, len(rows)):
            xi, yi, zi, vxi, vyi, vzi = rows[i]
            xj, yj, zj, vxj, vyj, vzj = rows[j]
            if exact_conflict(xj - xi, yj - yi, vxj - vxi, vyj - vyi, zj - zi, vzj - vzi, H, V, T):
                out.add((i, j))
    return out


def test_head_on_entry_exactly_at_the_lookahead_is_not_a_conflict() -> None:
    d = H + 400 * T  # they close at 400 m/s: the loss would begin exactly at T
    assert len(run([(0, 0, 0, 200, 0, 0), (d, 0, 0, -200, 0, 0)])) == 0
    assert not exact_conflict(d, 0, -400, 0, 0, 0, H, V, T)
    found = run([(0, 0, 0, 200, 0, 0), (d - 4, 0, 0, -200, 0, 0)])
    assert found.pairs() == {(0, 1)}
    assert found.t_in[0] == T - 0.01


def test_passing_exactly_at_the_horizontal_minimum_is_separated() -> None:
    assert len(run([(0, 0, 0, 200, 0, 0), (50_000, H, 0, -200, 0, 0)])) == 0
    assert run([(0, 0, 0, 200, 0, 0), (50_000, H - 0.5, 0, -200, 0, 0)]).pairs() == {(0, 1)}


@pytest.mark.parametrize("order", [0, 1])
def test_level_exactly_at_the_vertical_minimum_is_separated_in_both_orders(order: int) -> None:
    # BlueSky issue #345: with equal rates its answer depended on which aircraft came first.
    rows = [(0, 0, 0, 200, 0, 5), (30_000, 0, V, -200, 0, 5)]
    rows = rows if order == 0 else rows[::-1]
    assert len(run(rows)) == 0
    closer = [(0, 0, 0, 200, 0, 5), (30_000, 0, V - 0.01, -200, 0, 5)]
    assert len(run(closer if order == 0 else closer[::-1])) == 1


def test_equal_velocities_conflict_only_when_already_in_loss() -> None:
    inside = run([(0, 0, 0, 150, 80, 0), (H - 1, 0, 0, 150, 80, 0)])
    assert inside.pairs() == {(0, 1)}
    assert inside.t_in[0] == -np.inf  # in loss for ever, as the model says
    assert len(run([(0, 0, 0, 150, 80, 0), (H, 0, 0, 150, 80, 0)])) == 0


def test_groups_without_minima_are_not_predicted() -> None:
    table = default_minima(2)
    table[0, 0, 0] = table[1, 1, 0] = 0.0  # only between different groups
    rows = [(0, 0, 0, 0, 0, 0), (100, 0, 0, 0, 0, 0), (200, 0, 0, 0, 0, 0)]
    assert run(rows, [0, 0, 1], table).pairs() == {(0, 2), (1, 2)}


coordinate = st.integers(-60_000, 60_000).map(float)
speed = st.integers(-260, 260).map(float)
height = st.integers(0, 3000).map(float)
rate = st.sampled_from([0.0, 0.0, 0.0, -10.0, 10.0, 5.0, -2.5])
aircraft = st.tuples(coordinate, coordinate, height, speed, speed, rate)


@settings(max_examples=300, deadline=None)
@given(rows=st.lists(aircraft, min_size=2, max_size=14))
def test_kernel_equals_the_exact_reference_pair_for_pair(rows: list[tuple[float, ...]]) -> None:
    assert run(rows).pairs() == reference_pairs(rows)


@settings(max_examples=60, deadline=None)
@given(
    base=st.lists(aircraft, min_size=1, max_size=6),
    copies=st.lists(st.tuples(st.integers(0, 5), st.sampled_from([H, -H, V])), max_size=6),
)
def test_boundary_neighbours(
    base: list[tuple[float, ...]], copies: list[tuple[int, float]]
) -> None:
    """Aircraft placed exactly one minimum away from others, flying alike or not."""
    rows = list(base)
    for which, offset in copies:
        x, y, z, vx, vy, vz = base[which % len(base)]
        rows.append((x + offset, y, z, vx, vy, vz) if offset != V else (x, y, z + V, vx, vy, vz))
    assert run(rows).pairs() == reference_pairs(rows)


def test_kernel_equals_the_all_pairs_reference_on_dense_traffic() -> None:
    rng = np.random.default_rng(7)
    n = 1500
    x, y = rng.uniform(-100e3, 100e3, (2, n))
    z = rng.uniform(3000, 12000, n)
    s, th = rng.uniform(100, 250, n), rng.uniform(0, 2 * np.pi, n)
    vz = np.where(rng.random(n) < 0.2, rng.uniform(-15, 15, n), 0.0)
    found = detect(
        x,
        y,
        z,
        s * np.sin(th),
        s * np.cos(th),
        vz,
        np.ones(n),
        np.zeros(n, np.int32),
        default_minima(),
    )
    expected = all_pairs(x, y, z, s * np.sin(th), s * np.cos(th), vz, H, V, T)
    assert len(expected) > 100
    assert found.pairs() == expected


def test_plane_velocities_follow_the_geodesic_and_distances_match_geographiclib() -> None:
    frame = LocalFrame(35.0, 33.0)
    rng = np.random.default_rng(3)
    lon = 35 + rng.uniform(-2.5, 2.5, 500)
    lat = 33 + rng.uniform(-2, 2, 500)
    track = rng.uniform(0, 360, 500)
    s = to_plane(frame, lon, lat, np.full(500, 100.0), track)
    lon2, lat2, _ = geod().fwd(lon, lat, track, np.full(500, 10.0))
    x2, y2 = frame.forward(lon2, lat2)
    error = np.angle(np.exp(1j * (np.arctan2(x2 - s.x, y2 - s.y) - np.arctan2(s.vx, s.vy))))
    assert np.abs(error).max() < 1e-6
    # Pair distances in the plane, over the mean scale factor, against GeographicLib.
    i, j = rng.integers(0, 500, (2, 300))
    near = np.hypot(s.x[j] - s.x[i], s.y[j] - s.y[i]) < 60_000
    plane = np.hypot(s.x[j] - s.x[i], s.y[j] - s.y[i]) / (0.5 * (s.k[i] + s.k[j]))
    true = geod().inv(lon[i], lat[i], lon[j], lat[j])[2]
    assert np.abs(plane - true)[near].max() < 1.0
