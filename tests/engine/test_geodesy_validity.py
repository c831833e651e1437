"""Every refusal in :mod:`deconfliction.engine.geodesy.validity`, with its message."""

from __future__ import annotations

import re

import numpy as np
import pyproj
import pytest

from deconfliction.engine.geodesy.shapes import Shape
from deconfliction.engine.geodesy.validity import (
    check_extent,
    check_line,
    check_polygon,
    check_position,
)

GEOD = pyproj.Geod(ellps="WGS84")


@pytest.mark.parametrize(
    ("lon", "lat", "message"),
    [
        (35.8, 95.0, "latitude 95.0 is out of range [-90, 90]"),
        (35.8, -90.5, "latitude -90.5 is out of range [-90, 90]"),
        (180.5, 33.0, "longitude 180.5 is out of range [-180, 180]"),
        (-200.0, 33.0, "longitude -200.0 is out of range [-180, 180]"),
        (35.8, 85.5, "latitude 85.5 is beyond 85 degrees: polar geometry is not supported"),
        (35.8, -89.0, "latitude -89.0 is beyond 85 degrees: polar geometry is not supported"),
    ],
)
def test_position_refusals(lon, lat, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        check_position(lon, lat)


@pytest.mark.parametrize(("lon", "lat"), [(180.0, 85.0), (-180.0, -85.0), (0.0, 0.0)])
def test_positions_on_the_limits_are_accepted(lon, lat):
    check_position(lon, lat)


def test_self_crossing_polygon_names_the_place():
    with pytest.raises(ValueError, match=r"^polygon crosses itself near 33\.15N 35\.85E$"):
        check_polygon([35.8, 35.9, 35.8, 35.9], [33.1, 33.2, 33.2, 33.1])


def test_self_crossing_place_is_where_the_edges_cross(ref):
    """A bow-tie whose edges 0-1 and 2-3 cross well away from its middle (near 32.58N
    36.12E): the message names the crossing, found independently as the point of edge 0-1
    that touches edge 2-3."""
    lons = [36.0, 36.6, 36.6, 36.0]
    lats = [32.5, 32.9, 32.5, 32.6]
    with pytest.raises(ValueError, match="polygon crosses itself near") as info:
        check_polygon(lons, lats)
    lat_text, lon_text = re.search(r"near (\S+)N (\S+)E", str(info.value)).groups()
    az, _, length = GEOD.inv(lons[0], lats[0], lons[1], lats[1])
    steps = np.linspace(0.0, length, 2001)
    slon, slat, _ = GEOD.fwd(
        np.full(2001, lons[0]), np.full(2001, lats[0]), np.full(2001, az), steps
    )
    gap = ref.segment_distance(slon, slat, lons[2], lats[2], lons[3], lats[3])
    k = int(np.argmin(gap))
    assert gap[k] < 50.0
    assert abs(float(lat_text) - slat[k]) <= 0.006
    assert abs(float(lon_text) - slon[k]) <= 0.006
    assert (float(lat_text), float(lon_text)) != (32.7, 36.3)


@pytest.mark.parametrize(
    ("lons", "lats", "message"),
    [
        ([35.8, 35.9], [33.1, 33.2], "a polygon needs at least three distinct vertices"),
        (
            [35.8, 35.9, 35.8, 35.8],
            [33.1, 33.2, 33.1, 33.1],
            "a polygon needs at least three distinct vertices",
        ),
        (
            [35.8, 35.85, 35.9, 35.85],
            [33.0, 33.0, 33.0, 33.0],
            "polygon has no area: its vertices lie on one line",
        ),
        (
            [179.9, -179.9, -179.9, 179.9],
            [10.0, 10.0, 10.1, 10.1],
            "outline crosses the antimeridian (180 degrees): split it into two outlines, one on "
            "each side",
        ),
        ([35.8, 35.9, 35.85], [33.1, 33.1, 86.0], "latitude 86.0 is beyond 85 degrees"),
        ([35.8, 35.9, 35.85], [33.1, 33.1, 91.0], "latitude 91.0 is out of range [-90, 90]"),
        ([35.8, 35.9, 195.0], [33.1, 33.1, 33.2], "longitude 195.0 is out of range [-180, 180]"),
    ],
    ids=[
        "two-vertices",
        "repeated-vertices",
        "collinear-with-backtrack",
        "antimeridian",
        "polar-vertex",
        "latitude-out-of-range",
        "longitude-out-of-range",
    ],
)
def test_polygon_refusals(lons, lats, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        check_polygon(lons, lats)


def test_collinear_polygon_on_a_meridian_has_no_area():
    with pytest.raises(ValueError, match="polygon has no area"):
        check_polygon([35.8, 35.8, 35.8], [33.0, 33.1, 33.3])


@pytest.mark.parametrize("azimuth", [0.0, 30.0, 90.0, 135.0, 250.0])
@pytest.mark.parametrize("order", [(0, 1, 2), (0, 2, 1), (0, 1, 2, 3), (0, 3, 1, 2), (2, 0, 3, 1)])
def test_vertices_on_one_geodesic_have_no_area_in_any_order(azimuth, order):
    """Vertices along one geodesic enclose nothing, whatever their order (a geodesic that is
    not a meridian bends in the local plane, which once let such a sliver through)."""
    points = [GEOD.fwd(35.8, 33.1, azimuth, d)[:2] for d in (0.0, 5_000.0, 10_000.0, 30_000.0)]
    lons = [points[i][0] for i in order]
    lats = [points[i][1] for i in order]
    with pytest.raises(ValueError, match=r"polygon has no area|polygon crosses itself"):
        check_polygon(lons, lats)


def test_points_on_a_parallel_do_enclose_an_area():
    """Geodesics between points on one parallel bulge poleward: three such points make a
    real (thin) polygon, not a line."""
    check_polygon([35.8, 35.9, 36.0], [33.1, 33.1, 33.1])


def test_a_triangle_and_a_concave_polygon_are_accepted(edge_polygon):
    check_polygon([35.8, 35.9, 35.85], [33.1, 33.1, 33.2])
    check_polygon(list(edge_polygon.lons), list(edge_polygon.lats))


@pytest.mark.parametrize(
    ("lons", "lats", "message"),
    [
        ([35.8, 35.8], [33.1, 33.1], "a route needs at least two distinct points"),
        ([35.8], [33.1], "a route needs at least two distinct points"),
        (
            [35.8, 35.9, 35.9, 36.0],
            [33.1, 33.2, 33.2, 33.3],
            "route repeats point 1 (33.2000N 35.9000E) immediately",
        ),
        (
            [179.5, -179.5],
            [10.0, 10.0],
            "outline crosses the antimeridian (180 degrees): split it into two outlines",
        ),
        ([35.8, 35.9], [33.1, 87.0], "latitude 87.0 is beyond 85 degrees"),
        ([35.8, -181.0], [33.1, 33.0], "longitude -181.0 is out of range [-180, 180]"),
    ],
    ids=[
        "one-distinct-point",
        "single-point",
        "repeated-point",
        "antimeridian",
        "polar",
        "longitude",
    ],
)
def test_line_refusals(lons, lats, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        check_line(lons, lats)


def test_line_refusal_names_what_it_is():
    with pytest.raises(ValueError, match=r"^line repeats point 0 "):
        check_line([35.8, 35.8, 35.9], [33.1, 33.1, 33.2], "line")


def test_a_line_may_come_back_to_a_point_later():
    check_line([35.8, 35.9, 35.8], [33.1, 33.2, 33.1])


@pytest.mark.parametrize(
    ("shape", "margin", "message"),
    [
        (
            Shape.circle(35.0, 84.95, 20_000.0),
            0.0,
            "outline reaches beyond 85 degrees of latitude: polar geometry is not supported",
        ),
        (
            Shape.circle(35.0, -84.0, 1_000.0),
            150_000.0,
            "outline reaches beyond 85 degrees of latitude: polar geometry is not supported",
        ),
        (
            Shape.circle(179.99, 10.0, 5_000.0),
            0.0,
            "outline reaches across the antimeridian (180 degrees): split it into two outlines",
        ),
        (
            Shape.corridor([-179.9, -179.5], [10.0, 10.0], 1_000.0),
            20_000.0,
            "outline reaches across the antimeridian (180 degrees)",
        ),
    ],
    ids=["polar-circle", "polar-by-margin", "antimeridian-circle", "antimeridian-by-margin"],
)
def test_extent_refusals(shape, margin, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        check_extent(shape, margin)


def test_extent_near_but_clear_of_the_antimeridian_is_accepted(edge_geometry):
    shape = (
        Shape.polygon(edge_geometry.lons, edge_geometry.lats)
        if edge_geometry.kind == "polygon"
        else Shape.corridor(edge_geometry.lons, edge_geometry.lats, edge_geometry.radius)
    )
    check_extent(shape)
