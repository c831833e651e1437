"""The bulk conformance screen equals the per-aircraft rule, aircraft for aircraft.

:func:`assess_many` (columns, one box screen, exact distances for candidates, a bounded
nearest search) against :func:`assess` (every volume, one aircraft at a time) on generated
notices and aircraft, with the boundaries built in: aircraft exactly at the lateral margin of a
circle, altitudes exactly at a band bound plus the vertical margin, times exactly at a window's
start less the time margin and its end plus it, duplicated volumes (ties), volumes across the
antimeridian.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from deconfliction.engine.geodesy.measures import forward
from deconfliction.engine.model import Notice, Volume
from deconfliction.engine.tracks.conformance import Tolerances, assess
from deconfliction.engine.tracks.conformance_bulk import NotifiedVolumes, assess_many
from deconfliction.engine.tracks.quantities import TrackAltitude, VerticalDatum
from deconfliction.engine.units import AltitudeUnit

T0 = datetime(2026, 12, 6, 18, tzinfo=UTC)
BANDS = [
    ("FL100", "FL200"),
    ("SFC", "5000 ft AMSL"),
    ("2000 ft AGL", "FL150"),
    ("FL050", "UNL"),
    ("1000 m AMSL", "3000 m AMSL"),
]


def _outline(draw: st.DrawFn, lon: float, lat: float) -> dict[str, object]:
    kind = draw(st.sampled_from(["circle", "polygon", "corridor"]))
    if kind == "circle":
        radius = draw(st.sampled_from([0.5, 3, 10, 25]))
        return {"type": "circle", "center": {"lon": lon, "lat": lat}, "radius": f"{radius} km"}
    size = draw(st.sampled_from([0.02, 0.1, 0.3]))
    if kind == "polygon":
        ring = [(lon, lat), (lon + size, lat), (lon + size, lat + size), (lon, lat + size)]
        return {
            "type": "polygon",
            "vertices": [{"lon": x, "lat": y} for x, y in ring],
        }
    return {
        "type": "corridor",
        "route": [{"lon": lon, "lat": lat}, {"lon": lon + size, "lat": lat + size / 2}],
        "half_width": "2 km",
    }


@st.composite
def worlds(draw: st.DrawFn) -> tuple[list[Notice], Tolerances, datetime, list[tuple]]:
    base_lon = draw(st.sampled_from([35.5, 179.9]))
    tol = Tolerances(
        lateral_m=draw(st.sampled_from([0.0, 1852.0, 5556.0])),
        vertical_m=draw(st.sampled_from([0.0, 152.4])),
        time=timedelta(seconds=draw(st.sampled_from([0, 60, 300]))),
    )
    notices = []
    volumes = []
    for ni in range(draw(st.integers(1, 3))):
        vols = []
        for _ in range(draw(st.integers(1, 3))):
            if volumes and draw(st.booleans()):
                vols.append(draw(st.sampled_from(volumes)))  # the same volume again: a tie
                continue
            lon = base_lon + draw(st.floats(-0.3, 0.3))
            lon = lon - 360.0 if lon > 180.0 else lon
            lat = 33.0 + draw(st.floats(-0.3, 0.3))
            start = T0 + timedelta(minutes=draw(st.integers(-90, 90)))
            lower, upper = draw(st.sampled_from(BANDS))
            vol = {
                "outline": _outline(draw, lon, lat),
                "altitude": {"lower": lower, "upper": upper},
                "window": {
                    "start": start,
                    "end": start + timedelta(minutes=draw(st.integers(1, 120))),
                },
            }
            try:  # an outline may not cross the antimeridian (its margin's box may)
                Volume.model_validate(vol)
            except ValidationError:
                continue
            volumes.append(vol)
            vols.append(vol)
        if not vols:
            continue
        notices.append(
            Notice.model_validate(
                {
                    "id": f"n-{ni}",
                    "author": "idf",
                    "kind": "air_operation",
                    "filed_at": T0 - timedelta(days=1),
                    "volumes": vols,
                }
            )
        )
    assume(notices)
    # The instant: free, or exactly on a window's edge shifted by the time margin.
    edge = draw(st.sampled_from([v for n in notices for v in n.volumes]))
    at = draw(
        st.sampled_from(
            [
                T0 + timedelta(minutes=draw(st.integers(-120, 200))),
                edge.window.start - tol.time,
                edge.window.end + tol.time,
                edge.window.end + tol.time - timedelta(microseconds=1),
            ]
        )
    )
    aircraft = []
    for _ in range(draw(st.integers(1, 12))):
        where = draw(st.sampled_from(["free", "rim", "in"]))
        target = draw(st.sampled_from([v for n in notices for v in n.volumes]))
        shape = target.outline.shape
        if where == "rim" and shape.kind.value == "point":
            # Exactly the radius plus the lateral margin from the centre (as the geodesic
            # solves it), on a drawn bearing.
            lon, lat = forward(
                float(shape.lons[0]),
                float(shape.lats[0]),
                draw(st.floats(0, 360)),
                shape.radius + tol.lateral_m,
            )
        elif where == "in":
            lon, lat = float(shape.dense_lons[0]), float(shape.dense_lats[0])
        else:
            lon = base_lon + draw(st.floats(-0.6, 0.6))
            lat = 33.0 + draw(st.floats(-0.6, 0.6))
        lon = lon - 360.0 if lon > 180.0 else lon
        alt = draw(
            st.one_of(
                st.none(),
                st.builds(
                    TrackAltitude,
                    st.sampled_from([0, 5000, 9500, 10000, 15000, 20000, 20500, 35000])
                    | st.floats(0, 40000),
                    st.just(AltitudeUnit.ft),
                    st.sampled_from([VerticalDatum.barometric, VerticalDatum.geometric]),
                ),
            )
        )
        aircraft.append((lon, lat, alt))
    return notices, tol, at, aircraft


def _compare(notices, tol, at, aircraft) -> None:
    volumes = NotifiedVolumes.build(notices, tol.lateral_m)
    lons = [a[0] for a in aircraft]
    lats = [a[1] for a in aircraft]
    alts = [a[2] for a in aircraft]
    bulk = assess_many(volumes, lons, lats, alts, at, tol)
    one = [assess(lon, lat, alt, at, notices, tol) for lon, lat, alt in aircraft]
    assert bulk == one


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_the_bulk_screen_equals_the_per_aircraft_rule(world) -> None:
    _compare(*world)


def test_no_notice_is_unnotified_for_everyone() -> None:
    volumes = NotifiedVolumes.build([], 1852.0)
    found = assess_many(volumes, [35.0, 36.0], [33.0, 33.0], [None, None], T0, Tolerances(1852.0))
    assert [o.kind.value for o in found] == ["track-unnotified"] * 2  # type: ignore[union-attr]


def test_the_boxes_belong_to_one_margin() -> None:
    with pytest.raises(ValueError, match="lateral margin"):
        assess_many(NotifiedVolumes.build([], 1852.0), [], [], [], T0, Tolerances(100.0))


def test_the_nearest_of_many_far_volumes_is_found() -> None:
    """Outside every one of 200 active circles: the one named is the nearest, as the
    per-aircraft rule finds it, and the search does not need every distance."""
    vols = [
        {
            "outline": {
                "type": "circle",
                "center": {"lon": 30.0 + 0.05 * i, "lat": 30.0 + 0.03 * (i % 7)},
                "radius": "1 km",
            },
            "altitude": {"lower": "SFC", "upper": "FL300"},
            "window": {"start": T0, "end": T0 + timedelta(hours=1)},
        }
        for i in range(200)
    ]
    notices = [
        Notice.model_validate(
            {"id": "n-far", "author": "idf", "kind": "air_operation",
             "filed_at": T0 - timedelta(days=1), "volumes": vols[:100]}
        ),
        Notice.model_validate(
            {"id": "n-far-2", "author": "idf", "kind": "air_operation",
             "filed_at": T0 - timedelta(days=1), "volumes": vols[100:]}
        ),
    ]  # fmt: skip
    aircraft = [(31.234, 31.0, None), (45.0, 20.0, None), (30.0, 29.0, None)]
    _compare(notices, Tolerances(1852.0), T0 + timedelta(minutes=5), aircraft)
