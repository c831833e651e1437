"""Shared fixtures for the engine tests.

* ``ref``: an independent geodesic reference built only on pyproj's ``Geod`` (GeographicLib),
  never on the code under test: distances to geodesic segments by dense sampling and a
  golden-section search along the geodesic.
* ``edge_geometry`` / ``edge_polygon``: the awkward geometries every geometric property is also
  checked on (small, long and thin, concave, near 70 degrees of latitude, near the antimeridian).
* ``base_document``: a small valid scenario document that validation tests mutate.
* ``golan_*``: the bundled demo scenario, parsed and run through a :class:`Situation`.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyproj
import pytest
import shapely

from deconfliction.engine.scenario import Scenario, ordered_items, parse_scenario
from deconfliction.engine.situation import Situation
from deconfliction.service.documents import demo_path, read_document
from tests.support.situation import HistorySituation

_GOLDEN_RATIO = (math.sqrt(5.0) - 1.0) / 2.0


class GeodesicReference:
    """Brute-force geodesic measures on WGS84, independent of ``deconfliction.engine``.

    Distances from points to a geodesic segment: sample the segment every ``step`` metres with
    ``Geod.fwd``, take the nearest sample, then refine with a golden-section search along the
    geodesic between the neighbouring samples (``Geod.fwd`` to place the foot, ``Geod.inv`` to
    measure).  The distance along a short geodesic is unimodal near its minimum, so the search
    converges to the true foot; the result is good to well under a micrometre.
    """

    def __init__(self, step: float = 500.0) -> None:
        self.geod = pyproj.Geod(ellps="WGS84")
        self.step = step

    def distance(self, lon1: Any, lat1: Any, lon2: Any, lat2: Any) -> np.ndarray:
        """Point-to-point geodesic distance (vectorised)."""
        return np.asarray(self.geod.inv(lon1, lat1, lon2, lat2)[2], np.float64)

    def segment_distance(
        self, plons: Any, plats: Any, alon: float, alat: float, blon: float, blat: float
    ) -> np.ndarray:
        """Distance from each point P to the geodesic segment AB, in metres."""
        plon = np.atleast_1d(np.asarray(plons, np.float64))
        plat = np.atleast_1d(np.asarray(plats, np.float64))
        n = plon.size
        az, _, length = self.geod.inv(alon, alat, blon, blat)
        m = max(2, math.ceil(length / self.step) + 1)
        s = np.linspace(0.0, length, m)
        slon, slat, _ = self.geod.fwd(np.full(m, alon), np.full(m, alat), np.full(m, az), s)
        d = self.distance(
            np.repeat(plon, m), np.repeat(plat, m), np.tile(slon, n), np.tile(slat, n)
        )
        d = d.reshape(n, m)
        k = d.argmin(axis=1)
        lo = s[np.maximum(k - 1, 0)]
        hi = s[np.minimum(k + 1, m - 1)]

        def along(x: np.ndarray) -> np.ndarray:
            flon, flat, _ = self.geod.fwd(np.full(n, alon), np.full(n, alat), np.full(n, az), x)
            return self.distance(plon, plat, flon, flat)

        a, b = lo.copy(), hi.copy()
        best = d.min(axis=1)
        for _ in range(100):
            c = b - _GOLDEN_RATIO * (b - a)
            e = a + _GOLDEN_RATIO * (b - a)
            fc, fe = along(c), along(e)
            best = np.minimum(best, np.minimum(fc, fe))
            left = fc < fe
            b = np.where(left, e, b)
            a = np.where(left, a, c)
            if float(np.max(b - a)) < 1e-7:
                break
        return np.minimum(best, np.minimum(along(lo), along(hi)))

    def line_distance(
        self, plons: Any, plats: Any, lons: Sequence[float], lats: Sequence[float]
    ) -> np.ndarray:
        """Distance from points to a polyline whose vertices are joined by geodesics."""
        out = None
        for i in range(len(lons) - 1):
            d = self.segment_distance(plons, plats, lons[i], lats[i], lons[i + 1], lats[i + 1])
            out = d if out is None else np.minimum(out, d)
        assert out is not None
        return out

    def ring_distance(
        self, plons: Any, plats: Any, lons: Sequence[float], lats: Sequence[float]
    ) -> np.ndarray:
        """Distance from points to a closed ring (the polygon's boundary)."""
        return self.line_distance(plons, plats, [*lons, lons[0]], [*lats, lats[0]])

    def lines_distance(
        self,
        alons: Sequence[float],
        alats: Sequence[float],
        blons: Sequence[float],
        blats: Sequence[float],
    ) -> float:
        """Distance between two polylines that do not cross.

        On a surface of positive curvature the distance between two geodesic segments that do
        not cross is reached at an end of one of them, so vertices against lines suffice.
        """
        return float(
            min(
                self.line_distance(alons, alats, blons, blats).min(),
                self.line_distance(blons, blats, alons, alats).min(),
            )
        )

    def gnomonic_polygon(
        self, lons: Sequence[float], lats: Sequence[float], lon0: float, lat0: float
    ) -> tuple[shapely.Geometry, pyproj.Transformer]:
        """A polygon in a gnomonic projection, where geodesics are nearly straight lines:
        good enough to tell inside from outside for points well away from the boundary."""
        crs = f"+proj=gnom +lat_0={lat0} +lon_0={lon0} +ellps=WGS84"
        to_plane = pyproj.Transformer.from_crs("EPSG:4326", crs, always_xy=True)
        x, y = to_plane.transform(np.asarray(lons, float), np.asarray(lats, float))
        return shapely.Polygon(np.column_stack([x, y])), to_plane

    def inside(
        self, plons: Any, plats: Any, lons: Sequence[float], lats: Sequence[float]
    ) -> np.ndarray:
        """Whether points lie inside a polygon (gnomonic test; use well away from edges)."""
        lon0 = float(np.mean(lons))
        lat0 = float(np.mean(lats))
        polygon, to_plane = self.gnomonic_polygon(lons, lats, lon0, lat0)
        x, y = to_plane.transform(np.asarray(plons, float), np.asarray(plats, float))
        return np.asarray(shapely.contains_xy(polygon, x, y), bool)


@pytest.fixture(scope="session")
def ref() -> GeodesicReference:
    return GeodesicReference()


# -- edge-case geometries ------------------------------------------------------------------------


@dataclass(frozen=True)
class EdgeGeometry:
    """A named outline: ``kind`` is ``polygon`` or ``corridor`` (then ``radius`` is its
    half-width)."""

    name: str
    kind: str
    lons: tuple[float, ...]
    lats: tuple[float, ...]
    radius: float = 0.0

    def __str__(self) -> str:
        return self.name


EDGE_GEOMETRIES = (
    EdgeGeometry(
        "small-polygon",
        "polygon",
        (35.8000, 35.8006, 35.8006, 35.8000),
        (33.1000, 33.1000, 33.1005, 33.1005),
    ),
    EdgeGeometry(
        "long-thin-corridor",
        "corridor",
        (35.0, 35.6, 36.2, 36.9),
        (32.5, 32.9, 33.1, 33.6),
        radius=150.0,
    ),
    EdgeGeometry(
        "concave-polygon",
        "polygon",
        (35.60, 36.00, 36.00, 35.85, 35.80, 35.75, 35.60),
        (33.00, 33.00, 33.40, 33.40, 33.05, 33.40, 33.40),
    ),
    EdgeGeometry(
        "polygon-near-70N",
        "polygon",
        (18.0, 20.5, 21.0, 18.5),
        (69.6, 69.7, 70.2, 70.3),
    ),
    EdgeGeometry(
        "polygon-near-70S",
        "polygon",
        (-60.0, -57.0, -57.5, -60.5),
        (-69.8, -69.7, -70.3, -70.2),
    ),
    EdgeGeometry(
        "polygon-near-antimeridian",
        "polygon",
        (179.70, 179.96, 179.95, 179.72),
        (-16.80, -16.75, -16.40, -16.45),
    ),
)
EDGE_POLYGONS = tuple(g for g in EDGE_GEOMETRIES if g.kind == "polygon")


@pytest.fixture(params=EDGE_GEOMETRIES, ids=str)
def edge_geometry(request: pytest.FixtureRequest) -> EdgeGeometry:
    """Every edge-case outline in turn."""
    return request.param  # type: ignore[no-any-return]


@pytest.fixture(params=EDGE_POLYGONS, ids=str)
def edge_polygon(request: pytest.FixtureRequest) -> EdgeGeometry:
    """Every edge-case polygon in turn."""
    return request.param  # type: ignore[no-any-return]


# -- a small valid scenario document -----------------------------------------------------------

_AIR_VOLUME = {
    "outline": {
        "type": "polygon",
        "vertices": ["33.00N 35.90E", "33.00N 36.00E", "33.10N 36.00E", "33.10N 35.90E"],
    },
    "altitude": {"lower": "FL050", "upper": "FL100"},
    "window": {"start": "2026-11-24T10:00:00.000000Z", "end": "2026-11-24T11:00:00.000000Z"},
}

BASE_DOCUMENT: dict[str, Any] = {
    "scenario": {"name": "validation base"},
    "parties": [
        {"id": "a", "name": "Alpha", "kind": "armed_force", "affiliations": ["Alpha Army"]},
        {"id": "b", "name": "Bravo", "kind": "armed_force", "affiliations": ["Bravo Army"]},
        {"id": "h", "name": "Helpers", "kind": "humanitarian"},
        {"id": "m", "name": "Monitors", "kind": "monitor"},
    ],
    "agreements": [
        {
            "id": "ab",
            "name": "Alpha-Bravo line",
            "parties": ["a", "b"],
            "notifications": [{"from": "a", "to": ["b"]}, {"from": "b", "to": ["a"]}],
            "lead_times": {"air_operation": "30 min"},
            "margins": {"lateral": "3 NM", "vertical": "500 ft"},
            "monitors": ["m"],
        }
    ],
    "lines": [
        {"id": "l1", "name": "Line One", "vertices": ["33.30N 35.80E", "33.00N 35.85E"]},
    ],
    "zones": [
        {
            "id": "z-poly",
            "name": "Polygon zone",
            "signatories": ["a", "b"],
            "monitors": ["m"],
            "area": {
                "type": "polygon",
                "vertices": ["33.20N 35.70E", "33.20N 35.75E", "33.25N 35.75E"],
            },
            "rules": [{"type": "no_presence", "except": {"parties": ["m"]}}],
        },
        {
            "id": "z-band",
            "name": "Band zone",
            "signatories": ["a", "b"],
            "monitors": ["m"],
            "area": {"type": "band", "line": "l1", "from": "0 km", "to": "10 km", "side": "east"},
            "rules": [
                {"type": "cap", "applies_to": {"parties": ["b"]}, "caps": {"tanks": 10}},
                {"type": "no_weapons", "weapon_classes": ["sam"]},
                {"type": "range", "weapon_classes": ["sam"], "target_line": "l1"},
            ],
        },
    ],
    "sites": [
        {
            "id": "s1",
            "name": "Hospital",
            "category": "hospital",
            "owner": "h",
            "location": {"type": "point", "position": "33.10N 35.95E"},
            "valid_from": "2026-01-01T00:00:00.000000Z",
            "valid_until": "2027-01-01T00:00:00.000000Z",
        }
    ],
    "notices": [
        {
            "id": "n1",
            "author": "a",
            "kind": "air_operation",
            "filed_at": "2026-11-24T08:00:00.000000Z",
            "volumes": [copy.deepcopy(_AIR_VOLUME)],
        },
        {
            "id": "n2",
            "author": "b",
            "kind": "ground_movement",
            "filed_at": "2026-11-24T07:00:00.000000Z",
            "volumes": [
                {
                    "outline": {"type": "circle", "center": "33.05N 35.95E", "radius": "2 km"},
                    "altitude": {"lower": "SFC", "upper": "100 m AGL"},
                    "window": {
                        "start": "2026-11-24T10:00:00.000000Z",
                        "end": "2026-11-24T12:00:00.000000Z",
                    },
                },
                {
                    "outline": {
                        "type": "corridor",
                        "route": ["33.05N 35.95E", "33.15N 36.05E"],
                        "half_width": "500 m",
                    },
                    "altitude": {"lower": "SFC", "upper": "100 m AGL"},
                    "window": {
                        "start": "2026-11-24T12:00:00.000000Z",
                        "end": "2026-11-24T13:00:00.000000Z",
                    },
                },
            ],
        },
        {
            "id": "n3",
            "author": "a",
            "kind": "air_operation",
            "action": "replace",
            "replaces": "n1",
            "filed_at": "2026-11-24T08:30:00.000000Z",
            "volumes": [copy.deepcopy(_AIR_VOLUME)],
        },
        {
            "id": "n4",
            "author": "b",
            "kind": "ground_movement",
            "action": "cancel",
            "replaces": "n2",
            "filed_at": "2026-11-24T09:00:00.000000Z",
        },
    ],
    "observations": [
        {
            "id": "o1",
            "observed_at": "2026-11-24T06:00:00.000000Z",
            "position": "33.10N 35.90E",
            "reported_by": "m",
            "affiliation": "Bravo Army",
            "party": "b",
            "unit_category": "armour",
            "unit_id": "b-armour-1",
            "counts": {"tanks": 5},
            "weapons": [{"class": "sam", "count": 1, "range": "40 km"}],
        }
    ],
}


@pytest.fixture
def base_document() -> dict[str, Any]:
    """A fresh deep copy of a small valid scenario document, to mutate."""
    return copy.deepcopy(BASE_DOCUMENT)


# -- the Golan demo -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def golan_document() -> dict[str, Any]:
    """The demo file read as the product reads it (strict YAML: times stay text)."""
    document: dict[str, Any] = read_document(demo_path())
    return document


@pytest.fixture(scope="session")
def golan_scenario(golan_document: dict[str, Any]) -> Scenario:
    return parse_scenario(copy.deepcopy(golan_document))


def _run_scenario(scenario: Scenario) -> Situation:
    """File every item of a scenario, in the order it happened, into a fresh situation."""
    situation = HistorySituation()
    for _, _, item in ordered_items(scenario):
        situation.file(item)
    return situation


@pytest.fixture(scope="session")
def run_scenario() -> Callable[[Scenario], Situation]:
    """A function that files a scenario's items, in ``ordered_items`` order, into a fresh
    situation and returns it."""
    return _run_scenario


@pytest.fixture(scope="session")
def golan_situation(golan_scenario: Scenario) -> Situation:
    """The demo run through a situation (shared: read it, never file into it)."""
    return _run_scenario(golan_scenario)
