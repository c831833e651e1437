"""The nearest active volume of an aircraft outside every one, found through boxes around the
aircraft grown in turn (25 km doubling to 1,600 km, then every volume), equals the per-aircraft
rule: aircraft from on the rim of a volume to thousands of kilometres away, near the poles,
and on both sides of the antimeridian, where the boxes are not used."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from deconfliction.engine.model import Notice, Volume
from deconfliction.engine.tracks.conformance import Tolerances, assess
from deconfliction.engine.tracks.conformance_bulk import NotifiedVolumes, assess_many

T0 = datetime(2026, 12, 6, 18, tzinfo=UTC)


def _wrap(lon: float) -> float:
    return (lon + 180.0) % 360.0 - 180.0


@st.composite
def scattered(draw: st.DrawFn) -> tuple[list[Notice], Tolerances, list[tuple[float, float]]]:
    lon0 = draw(st.sampled_from([35.5, 179.5, -179.5, 0.0]))
    lat0 = draw(st.sampled_from([33.0, 76.0, -78.0, 0.0]))
    spread = draw(st.sampled_from([0.05, 1.0, 8.0]))
    tol = Tolerances(lateral_m=draw(st.sampled_from([0.0, 5556.0])))
    vols = []
    for _ in range(draw(st.integers(1, 12))):
        lon = _wrap(lon0 + draw(st.floats(-spread, spread)))
        lat = max(-84.0, min(84.0, lat0 + draw(st.floats(-spread, spread))))
        kind = draw(st.sampled_from(["circle", "polygon", "corridor"]))
        size = draw(st.sampled_from([0.01, 0.1]))
        if kind == "circle":
            outline: dict[str, object] = {
                "type": "circle",
                "center": {"lon": lon, "lat": lat},
                "radius": f"{draw(st.sampled_from([0.5, 10]))} km",
            }
        elif kind == "polygon":
            ring = [(lon, lat), (lon + size, lat), (lon + size, lat + size), (lon, lat + size)]
            outline = {"type": "polygon", "vertices": [{"lon": x, "lat": y} for x, y in ring]}
        else:
            outline = {
                "type": "corridor",
                "route": [{"lon": lon, "lat": lat}, {"lon": lon + size, "lat": lat + size}],
                "half_width": "2 km",
            }
        vol = {
            "outline": outline,
            "altitude": {"lower": "SFC", "upper": "UNL"},
            "window": {"start": T0 - timedelta(hours=1), "end": T0 + timedelta(hours=1)},
        }
        try:
            Volume.model_validate(vol)
        except ValidationError:
            continue
        vols.append(vol)
    assume(vols)
    half = len(vols) // 2 or 1
    notices = [
        Notice.model_validate(
            {
                "id": f"n-{i}",
                "author": "idf",
                "kind": "air_operation",
                "filed_at": T0 - timedelta(days=1),
                "volumes": part,
            }
        )
        for i, part in enumerate((vols[:half], vols[half:]))
        if part
    ]
    aircraft = []
    for _ in range(draw(st.integers(1, 8))):
        away = draw(st.sampled_from([0.3, 2.0, 6.0, 25.0]))
        lon = _wrap(lon0 + draw(st.floats(-away, away)))
        lat = max(-89.0, min(89.0, lat0 + draw(st.floats(-away, away))))
        aircraft.append((lon, lat))
    return notices, tol, aircraft


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scattered())
def test_the_nearest_volume_equals_the_per_aircraft_rule(world) -> None:
    notices, tol, aircraft = world
    volumes = NotifiedVolumes.build(notices, tol.lateral_m)
    lons, lats = [a[0] for a in aircraft], [a[1] for a in aircraft]
    bulk = assess_many(volumes, lons, lats, [None] * len(aircraft), T0, tol)
    one = [assess(lon, lat, None, T0, notices, tol) for lon, lat in aircraft]
    assert bulk == one
