"""Incident linking, rule by rule, and its distances against GeographicLib (pyproj's Geod)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod

from deconfliction.engine.incidents.linking import Sighting, link_incident
from deconfliction.engine.model import Agreement
from deconfliction.engine.model.incidents import Incident
from deconfliction.engine.situation import Situation
from tests.support.factory import notice, observation, party, site

GEOD = Geod(ellps="WGS84")
PLACE = (36.0, 33.0)  # lon, lat


def incident(**changes: Any) -> Incident:
    body = {
        "id": "inc-1",
        "version": 1,
        "reported_by": "a",
        "reported_at": "2026-11-25T12:00:00Z",
        "kind": "strike",
        "title": "Strike",
        "place": {"type": "point", "position": [PLACE[0], PLACE[1]]},
        "started_at": "2026-11-25T10:30:00Z",
    }
    return Incident.model_validate(body | changes)


def at(distance_m: float, azimuth: float = 90.0) -> str:
    lon, lat, _ = GEOD.fwd(PLACE[0], PLACE[1], azimuth, distance_m)
    return f"{lat:.6f}N {lon:.6f}E"


@pytest.fixture
def situation() -> Situation:
    s = Situation()
    for p in ("a", "b", "h", "m"):
        s.file(party(p))
    s.file(Agreement(id="ab", name="A-B", parties=["a", "b", "h"]))
    return s


def links(s: Situation, **changes: Any) -> dict[str, tuple[str, float | None]]:
    return {k.id: (k.relation, k.distance_m) for k in link_incident(incident(**changes), s)}


def test_covers_near_and_out_of_reach(situation: Situation) -> None:
    situation.file(notice("n-over", author="b", center=at(0), radius="2 km"))
    situation.file(notice("n-near", author="b", center=at(9_000), radius="1 km"))
    situation.file(notice("n-far", author="b", center=at(13_000), radius="1 km"))
    situation.file(
        notice(
            "n-earlier",
            author="b",
            center=at(0),
            start="2026-11-25T06:00:00Z",
            end="2026-11-25T07:00:00Z",
        )
    )
    found = links(situation)
    assert found["n-over"] == ("covers", 0.0)
    assert found["n-near"][0] == "near"
    assert found["n-near"][1] == pytest.approx(8_000, abs=1)
    assert "n-far" not in found
    assert "n-earlier" not in found  # 3.5 h before: beyond the 2 h searched
    assert "n-earlier" in links(situation, search={"before": "4 h"})


def test_a_cancellation_follows_its_notice(situation: Situation) -> None:
    situation.file(notice("n-1", author="b", center=at(0)))
    situation.file(
        notice("n-2", author="b", action="cancel", replaces="n-1", filed_at="2026-11-24T09:00:00Z")
    )
    assert links(situation)["n-2"] == ("cancels", None)


def test_sites_by_validity_and_observations_by_reach(situation: Situation) -> None:
    situation.file(site("s-valid", owner="h", location={"type": "point", "position": at(50)}))
    situation.file(
        site(
            "s-old",
            owner="h",
            location={"type": "point", "position": at(500)},
            valid_until="2026-11-01T00:00:00Z",
        )
    )
    situation.file(
        observation(
            "o-gun",
            reported_by="m",
            position=at(30_000),
            observed_at="2026-11-25T10:00:00Z",
            unit_category="artillery",
            weapons=[{"class": "rocket_artillery", "count": 2, "range": "40 km"}],
        )
    )
    situation.file(
        observation(
            "o-short",
            reported_by="m",
            position=at(30_000),
            observed_at="2026-11-25T10:00:00Z",
            unit_category="artillery",
            weapons=[{"class": "mortar", "count": 2, "range": "5 km"}],
        )
    )
    found = links(situation)
    assert found["s-valid"][0] == "valid"
    assert found["s-old"][0] == "expired"
    assert found["o-gun"][0] == "in_range"  # 30 km away, a declared range of 40 km
    assert "o-short" not in found


@settings(max_examples=60, deadline=None)
@given(
    distance=st.floats(min_value=0.0, max_value=25_000.0),
    radius=st.floats(min_value=100.0, max_value=8_000.0),
    azimuth=st.floats(min_value=0.0, max_value=359.9),
)
def test_a_circle_is_linked_exactly_when_geographiclib_says(
    distance: float, radius: float, azimuth: float
) -> None:
    """A notice circle is linked iff its edge is within the 10 km searched (covers iff it
    holds the place), its distance as GeographicLib gives it, to a metre."""
    s = Situation()
    s.file(party("a"))
    s.file(party("b"))
    s.file(notice("n-c", author="b", center=at(distance, azimuth), radius=f"{radius:.3f} m"))
    gap = distance - round(radius, 3)
    if abs(gap) < 1.0 or abs(gap - 10_000.0) < 1.0:
        return  # within a metre of a threshold: the position was rounded to 1e-6 degree
    found = links(s)
    if gap > 10_000.0:
        assert "n-c" not in found
    elif gap <= 0.0:
        assert found["n-c"] == ("covers", 0.0)
    else:
        assert found["n-c"][0] == "near"
        assert found["n-c"][1] == pytest.approx(gap, abs=1.0)


def _report(key: str, t: str, distance_m: float | None, azimuth: float = 0.0) -> dict[str, Any]:
    """An aircraft report as a tactical alert's evidence records it."""
    seconds = datetime.fromisoformat(t).timestamp()
    out: dict[str, Any] = {"key": key, "t": seconds, "source": "a:rx"}
    if distance_m is not None:
        lon, lat, _ = GEOD.fwd(PLACE[0], PLACE[1], azimuth, distance_m)
        out |= {"lon": lon, "lat": lat, "baro": {"value": 300, "unit": "FL", "datum": "baro"}}
    return out


def test_aircraft_are_linked_from_recorded_evidence(situation: Situation) -> None:
    """The nearest sighting of each aircraft within 10 km in the search period (2 h before,
    1 h after), at GeographicLib's distance; reports without a position place nothing."""
    evidence = {
        "alert": "al-1",
        "reports": [
            _report("icao:000001", "2026-11-25T10:29:00Z", 4_000.0),
            _report("icao:000001", "2026-11-25T10:29:30Z", 2_500.0, azimuth=200.0),
            _report("icao:000001", "2026-11-25T10:29:40Z", None),
            _report("icao:000002", "2026-11-25T10:30:00Z", 10_100.0),  # beyond the radius
            _report("icao:000003", "2026-11-25T08:20:00Z", 1_000.0),  # before the period
            _report("icao:000004", "2026-11-25T11:20:00Z", 9_900.0, azimuth=90.0),
        ],
    }
    sightings = Sighting.from_evidence(evidence)
    assert len(sightings) == 5
    found = {
        k.id: k
        for k in link_incident(incident(), situation, sightings=sightings)
        if k.kind == "track"
    }
    assert set(found) == {"icao:000001", "icao:000004"}
    one = found["icao:000001"]
    assert (one.relation, one.via, one.gap_s) == ("near", "al-1", 30.0)
    assert one.distance_m == pytest.approx(2_500.0, abs=0.1)
    assert "FL300 baro" in one.explanation
    assert found["icao:000004"].distance_m == pytest.approx(9_900.0, abs=0.1)
    assert found["icao:000004"].gap_s == 50 * 60.0
