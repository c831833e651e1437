"""Distances from points to geodesic polylines, against an independent GeographicLib reference.

The requirement: a distance to a line agrees with GeographicLib (pyproj ``Geod``) within 1 m
for points up to 200 km away; the fast path's error stays inside its own published bound, so
that comparisons against thresholds (band edges) are always right.
"""

from __future__ import annotations

import os

import numpy as np
import pyproj
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from deconfliction.engine.geodesy.frames import MAX_SEGMENT, LocalFrame, frame_around
from deconfliction.engine.geodesy.lines import (
    GeodesicPolyline,
    densify,
    exact_segment_distance,
)

GEOD = pyproj.Geod(ellps="WGS84")
SCALE = int(os.environ.get("DECONFLICTION_HYPOTHESIS_SCALE", "1"))
"""Multiplies the examples of every property (for a long exploratory run)."""
SETTINGS = settings(
    max_examples=60 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def lines_with_points(draw: st.DrawFn) -> tuple[list[float], list[float], list[float], list[float]]:
    """A polyline of 2-6 vertices (segments up to 150 km, within 70S-70N, clear of the
    antimeridian) and 1-6 points within 200 km of it."""
    count = draw(st.integers(2, 6))
    lons = [draw(st.floats(-150.0, 150.0))]
    lats = [draw(st.floats(-66.0, 66.0))]
    for _ in range(count - 1):
        azimuth = draw(st.floats(0.0, 360.0))
        length = draw(st.floats(1_000.0, 150_000.0))
        lon, lat, _ = GEOD.fwd(lons[-1], lats[-1], azimuth, length)
        lons.append(float(lon))
        lats.append(float(lat))
    assume(max(abs(x) for x in lats) <= 70.0)
    plons, plats = [], []
    for _ in range(draw(st.integers(1, 6))):
        seg = draw(st.integers(0, count - 2))
        along = draw(st.floats(0.0, 1.0))
        az, _, seg_len = GEOD.inv(lons[seg], lats[seg], lons[seg + 1], lats[seg + 1])
        flon, flat, _ = GEOD.fwd(lons[seg], lats[seg], az, along * seg_len)
        plon, plat, _ = GEOD.fwd(
            flon, flat, draw(st.floats(0.0, 360.0)), draw(st.floats(0.0, 200_000.0))
        )
        plons.append(float(plon))
        plats.append(float(plat))
    return lons, lats, plons, plats


@SETTINGS
@given(lines_with_points())
def test_distance_to_line_agrees_with_geographiclib_within_1_m(ref, case):
    lons, lats, plons, plats = case
    line = GeodesicPolyline(lons, lats)
    expected = ref.line_distance(plons, plats, lons, lats)
    assert expected.max() <= 200_000.0 + 1.0

    fast = line.distance(plons, plats)
    exact = line.distance(plons, plats, exact=True)

    np.testing.assert_allclose(exact, expected, rtol=0, atol=1e-3)
    np.testing.assert_allclose(fast, expected, rtol=0, atol=1.0)
    # The published bound really bounds the fast path (it decides which points to refine).
    bounds = np.array([line.error_bound(d) for d in expected])
    assert np.all(np.abs(fast - expected) <= bounds), (np.abs(fast - expected), bounds)


@SETTINGS
@given(lines_with_points(), st.floats(-0.05, 0.05), st.integers(0, 5))
def test_threshold_comparisons_are_always_right(ref, case, offset, which):
    """A point a few centimetres either side of a threshold is put on the right side of it:
    the fast path refines whatever lies within its error bound of a threshold."""
    lons, lats, plons, plats = case
    line = GeodesicPolyline(lons, lats)
    expected = ref.line_distance(plons, plats, lons, lats)
    threshold = float(expected[which % len(expected)]) + offset
    assume(abs(threshold - expected[which % len(expected)]) > 1e-5)
    measured = line.measure(plons, plats, thresholds=[threshold]).distance
    np.testing.assert_array_equal(measured <= threshold, expected <= threshold)


@st.composite
def segments_with_points(draw: st.DrawFn) -> tuple[float, float, float, float, list, list]:
    alon = draw(st.floats(-170.0, 170.0))
    alat = draw(st.floats(-70.0, 70.0))
    blon, blat, _ = GEOD.fwd(
        alon, alat, draw(st.floats(0.0, 360.0)), draw(st.floats(10.0, 150_000.0))
    )
    plons, plats = [], []
    for _ in range(draw(st.integers(1, 5))):
        plon, plat, _ = GEOD.fwd(
            alon, alat, draw(st.floats(0.0, 360.0)), draw(st.floats(0.0, 250_000.0))
        )
        plons.append(float(plon))
        plats.append(float(plat))
    return alon, alat, float(blon), float(blat), plons, plats


@SETTINGS
@given(segments_with_points())
def test_exact_segment_distance_matches_reference_to_a_millimetre(ref, case):
    alon, alat, blon, blat, plons, plats = case
    distance, along = exact_segment_distance(plons, plats, alon, alat, blon, blat)
    expected = ref.segment_distance(plons, plats, alon, alat, blon, blat)
    np.testing.assert_allclose(distance, expected, rtol=0, atol=1e-3)
    # The along-track position names the foot: it is on the segment and at that distance.
    az, _, length = GEOD.inv(alon, alat, blon, blat)
    assert np.all(along >= 0.0)
    assert np.all(along <= length + 1e-6)
    n = len(plons)
    flon, flat, _ = GEOD.fwd(np.full(n, alon), np.full(n, alat), np.full(n, az), along)
    np.testing.assert_allclose(ref.distance(flon, flat, plons, plats), distance, atol=1e-6)


@settings(max_examples=40 * SCALE, deadline=None)
@given(
    lon=st.floats(-170.0, 170.0),
    lat=st.floats(-70.0, 70.0),
    azimuth=st.floats(0.0, 360.0),
    length=st.floats(20_000.0, 150_000.0),
    fraction=st.floats(0.2, 0.8),
    offset=st.floats(1.0, 60_000.0),
)
def test_side_and_perpendicular_distance(lon, lat, azimuth, length, fraction, offset):
    """A point reached by leaving the line at a right angle is at exactly that distance, on
    the left (positive) when turning left and on the right (negative) when turning right."""
    blon, blat, _ = GEOD.fwd(lon, lat, azimuth, length)
    line = GeodesicPolyline([lon, float(blon)], [lat, float(blat)])
    az, _, _ = GEOD.inv(lon, lat, blon, blat)
    flon, flat, back = GEOD.fwd(lon, lat, az, fraction * length)
    heading = float(back) + 180.0
    left_lon, left_lat, _ = GEOD.fwd(flon, flat, heading - 90.0, offset)
    right_lon, right_lat, _ = GEOD.fwd(flon, flat, heading + 90.0, offset)
    signed = line.signed_distance([left_lon, right_lon], [left_lat, right_lat], exact=True)
    np.testing.assert_allclose(signed, [offset, -offset], rtol=0, atol=1e-3)
    fast = line.measure([left_lon, right_lon], [left_lat, right_lat])
    np.testing.assert_array_equal(fast.side, [1.0, -1.0])
    assert not fast.beyond.any()


def test_points_beyond_the_ends_are_measured_to_the_ends(ref):
    line = GeodesicPolyline([35.8, 35.8], [33.0, 33.3])
    south = (35.8, 32.8)
    north = (35.9, 33.5)
    m = line.measure([south[0], north[0]], [south[1], north[1]], exact=True)
    assert m.beyond.tolist() == [True, True]
    expected = [
        float(ref.distance(35.8, 33.0, *south)),
        float(ref.distance(35.8, 33.3, *north)),
    ]
    np.testing.assert_allclose(m.distance, expected, atol=1e-3)


def test_densify_keeps_points_on_the_geodesic_and_pieces_short(ref):
    lons, lats = [35.0, 36.5, 36.6], [33.0, 33.4, 32.2]
    dlon, dlat, origin = densify(lons, lats)
    pieces = ref.distance(dlon[:-1], dlat[:-1], dlon[1:], dlat[1:])
    assert pieces.max() <= MAX_SEGMENT + 1e-6
    assert set(origin.tolist()) == {0, 1}
    # Every inserted point lies on its original geodesic edge.
    for k in range(1, len(dlon) - 1):
        edge = origin[k]
        d = ref.segment_distance(
            [dlon[k]], [dlat[k]], lons[edge], lats[edge], lons[edge + 1], lats[edge + 1]
        )
        assert d[0] < 1e-6
    # The densified line is the same length as the original.
    total = ref.distance(lons[:-1], lats[:-1], lons[1:], lats[1:]).sum()
    assert pieces.sum() == pytest.approx(total, abs=1e-6)


def test_closed_densify_returns_to_the_start():
    dlon, dlat, _ = densify([35.0, 35.2, 35.1], [33.0, 33.0, 33.2], closed=True)
    assert (dlon[0], dlat[0]) == (dlon[-1], dlat[-1])


def test_frame_round_trip_and_refusals():
    frame = frame_around([35.81, 35.9], [33.0, 33.31])
    x, y = frame.forward([35.85, 35.86], [33.1, 33.2])
    lon, lat = frame.inverse(x, y)
    np.testing.assert_allclose(lon, [35.85, 35.86], atol=1e-10)
    np.testing.assert_allclose(lat, [33.1, 33.2], atol=1e-10)
    with pytest.raises(ValueError, match="frame centre out of range"):
        LocalFrame(35.0, 90.0)
    with pytest.raises(ValueError, match="frame centre out of range"):
        LocalFrame(181.0, 10.0)


def test_a_line_needs_two_vertices():
    with pytest.raises(ValueError, match="at least two vertices"):
        GeodesicPolyline([35.0], [33.0])
    with pytest.raises(ValueError, match="at least two vertices"):
        GeodesicPolyline([35.0, 35.1], [33.0])


def test_edge_corridor_route_distance(ref, edge_geometry):
    """The edge-case outlines' boundaries measure like the reference too."""
    closed = edge_geometry.kind == "polygon"
    line = GeodesicPolyline(edge_geometry.lons, edge_geometry.lats, closed=closed)
    lon0, lat0 = edge_geometry.lons[0], edge_geometry.lats[0]
    az = np.linspace(0.0, 330.0, 12)
    dist = np.linspace(100.0, 150_000.0, 12)
    plon, plat, _ = GEOD.fwd(np.full(12, lon0), np.full(12, lat0), az, dist)
    ring_lons = [*edge_geometry.lons, edge_geometry.lons[0]] if closed else list(edge_geometry.lons)
    ring_lats = [*edge_geometry.lats, edge_geometry.lats[0]] if closed else list(edge_geometry.lats)
    expected = ref.line_distance(plon, plat, ring_lons, ring_lats)
    np.testing.assert_allclose(line.distance(plon, plat, exact=True), expected, atol=1e-3)
    fast = line.distance(plon, plat)
    assert np.all(np.abs(fast - expected) <= [line.error_bound(d) for d in expected])
