"""Properties of conflict detection.

* Overlap is symmetric: filing A then B raises the same alert (key, parties, subjects, figures)
  as filing B then A.
* Wider margins never remove an overlap (lateral, vertical, time).
* A window that ends as another starts does not conflict without a time margin.
* Vertical separation across units and datums.
* Need to know: a party never appears in an alert unless it may see every subject.
"""

from __future__ import annotations

import math
import os
from typing import Any

import pyproj
import pytest
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from deconfliction.engine.alerts import Alert
from deconfliction.engine.detection.findings import AlertKind
from deconfliction.engine.detection.overlap import time_gap
from deconfliction.engine.detection.vertical import vertical_gap
from deconfliction.engine.model import (
    Agreement,
    AltitudeBand,
    Notice,
    Observation,
    Party,
    ProtectedSite,
    TimeWindow,
    ZoneAgreement,
)
from deconfliction.engine.situation import Situation
from deconfliction.engine.units import FOOT, Altitude
from tests.support.situation import HistorySituation

GEOD = pyproj.Geod(ellps="WGS84")
CENTRE = (35.9, 33.1)
SCALE = int(os.environ.get("DECONFLICTION_HYPOTHESIS_SCALE", "1"))
"""Multiplies the examples of every property (for a long exploratory run)."""
PROPERTY = settings(
    max_examples=40 * SCALE,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

# -- strategies -----------------------------------------------------------------------------------


def _offset(draw: st.DrawFn, reach: float) -> str:
    lon, lat, _ = GEOD.fwd(*CENTRE, draw(st.floats(0.0, 360.0)), draw(st.floats(0.0, reach)))
    return f"{lat:.5f}N {lon:.5f}E"


@st.composite
def outlines(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["circle", "corridor", "polygon"]))
    if kind == "circle":
        radius = draw(st.integers(200, 20_000))
        return {"type": "circle", "center": _offset(draw, 30_000.0), "radius": f"{radius} m"}
    if kind == "corridor":
        route = [_offset(draw, 40_000.0) for _ in range(draw(st.integers(2, 3)))]
        assume(len(set(route)) == len(route))
        return {
            "type": "corridor",
            "route": route,
            "half_width": f"{draw(st.integers(100, 5_000))} m",
        }
    lon, lat, _ = GEOD.fwd(*CENTRE, draw(st.floats(0.0, 360.0)), draw(st.floats(0.0, 30_000.0)))
    radius = draw(st.floats(1_000.0, 15_000.0))
    n = draw(st.integers(3, 6))
    start = draw(st.floats(0.0, 360.0))
    vertices = []
    for k in range(n):
        vlon, vlat, _ = GEOD.fwd(
            lon, lat, start + 360.0 * k / n, radius * draw(st.floats(0.5, 1.0))
        )
        vertices.append(f"{vlat:.5f}N {vlon:.5f}E")
    return {"type": "polygon", "vertices": vertices}


@st.composite
def bands(draw: st.DrawFn) -> dict[str, str]:
    kind = draw(st.sampled_from(["fl", "amsl", "agl", "sfc", "unl", "mixed"]))
    if kind == "fl":
        lo = draw(st.integers(0, 300))
        return {"lower": f"FL{lo:03d}", "upper": f"FL{lo + draw(st.integers(5, 100)):03d}"}
    if kind == "amsl":
        lo = draw(st.integers(0, 30_000))
        return {"lower": f"{lo} ft AMSL", "upper": f"{lo + draw(st.integers(100, 10_000))} ft AMSL"}
    if kind == "agl":
        lo = draw(st.integers(0, 3_000))
        return {"lower": f"{lo} m AGL", "upper": f"{lo + draw(st.integers(10, 3_000))} m AGL"}
    if kind == "sfc":
        return {"lower": "SFC", "upper": f"{draw(st.integers(10, 3_000))} m AGL"}
    if kind == "unl":
        return {"lower": f"FL{draw(st.integers(0, 400)):03d}", "upper": "UNL"}
    return {
        "lower": f"{draw(st.integers(0, 20_000))} ft AMSL",
        "upper": f"FL{draw(st.integers(210, 450))}",
    }


def _time(minutes: int) -> str:
    h, m = divmod(minutes, 60)
    d, h = divmod(h, 24)
    return f"2026-11-{24 + d:02d}T{h:02d}:{m:02d}:00Z"


@st.composite
def volumes(draw: st.DrawFn) -> dict[str, Any]:
    start = 600 + 15 * draw(st.integers(0, 24))
    length = 15 * draw(st.integers(1, 16))
    return {
        "outline": draw(outlines()),
        "altitude": draw(bands()),
        "window": {"start": _time(start), "end": _time(start + length)},
    }


@st.composite
def notices(draw: st.DrawFn, ident: str, author: str) -> Notice:
    kind = draw(st.sampled_from(["air_operation", "ground_movement", "exercise"]))
    return Notice.model_validate(
        {
            "id": ident,
            "author": author,
            "kind": kind,
            "filed_at": "2026-11-24T06:00:00.000000Z",
            "volumes": draw(st.lists(volumes(), min_size=1, max_size=2)),
        }
    )


margins = st.fixed_dictionaries(
    {
        "lateral": st.integers(0, 10_000).map(lambda m: f"{m} m"),
        "vertical": st.integers(0, 2_000).map(lambda f: f"{f} ft"),
        "time": st.integers(0, 90).map(lambda m: f"{m} min"),
    }
)

PARTIES = [
    Party(id="a", name="Alpha", kind="armed_force"),
    Party(id="b", name="Bravo", kind="armed_force"),
]


def _situation(
    margin: dict[str, str], notifications: list[dict[str, Any]] | None = None
) -> Situation:
    s = HistorySituation()
    for p in PARTIES:
        s.file(p)
    s.file(
        Agreement.model_validate(
            {
                "id": "ab",
                "name": "A-B",
                "parties": ["a", "b"],
                "margins": margin,
                "notifications": notifications,
            }
        )
    )
    return s


def _overlaps(s: Situation) -> dict[str, Alert]:
    return {k: a for k, a in s.alerts.items() if a.kind is AlertKind.notice_overlap}


_FIGURE_TOLERANCE = {
    "lateral_separation_m": 0.11,
    "lateral_separation_nm": 0.0011,
    "near_lat": 2e-5,
    "near_lon": 2e-5,
}


def _assert_same_figures(one: dict[str, Any], other: dict[str, Any]) -> None:
    assert one.keys() == other.keys()
    for name, value in one.items():
        tolerance = _FIGURE_TOLERANCE.get(name)
        if tolerance is None or value is None:
            assert other[name] == value, name
        else:
            assert other[name] == pytest.approx(value, abs=tolerance), name


# -- symmetry ------------------------------------------------------------------------------------


@PROPERTY
@given(notices("n-a", "a"), notices("n-b", "b"), margins)
def test_overlap_is_symmetric(first, second, margin):
    ab = _situation(margin)
    ab.file(first)
    ab.file(second)
    ba = _situation(margin)
    ba.file(second)
    ba.file(first)
    one, other = _overlaps(ab), _overlaps(ba)
    event(f"overlaps: {len(one)}")
    assert one.keys() == other.keys()
    for key, alert in one.items():
        mirror = other[key]
        assert alert.parties == mirror.parties == ("a", "b")
        assert alert.subjects == mirror.subjects == ("n-a", "n-b")
        _assert_same_figures(alert.figures, mirror.figures)


# -- monotonicity in the margins ----------------------------------------------------------------


@PROPERTY
@given(
    notices("n-a", "a"),
    notices("n-b", "b"),
    margins,
    st.integers(0, 5_000),
    st.integers(0, 1_000),
    st.integers(0, 60),
)
def test_wider_margins_never_remove_an_overlap(first, second, margin, more_m, more_ft, more_min):
    narrow = _situation(margin)
    narrow.file(first)
    narrow.file(second)
    wider = {
        "lateral": f"{int(margin['lateral'].split()[0]) + more_m} m",
        "vertical": f"{int(margin['vertical'].split()[0]) + more_ft} ft",
        "time": f"{int(margin['time'].split()[0]) + more_min} min",
    }
    for widened in (
        {**margin, "lateral": wider["lateral"]},
        {**margin, "vertical": wider["vertical"]},
        {**margin, "time": wider["time"]},
        wider,
    ):
        wide = _situation(widened)
        wide.file(first)
        wide.file(second)
        assert set(_overlaps(narrow)) <= set(_overlaps(wide)), widened
    event(f"narrow overlaps: {len(_overlaps(narrow))}, wide: {len(_overlaps(wide))}")


@PROPERTY
@given(notices("n-a", "a"), notices("n-b", "b"))
def test_an_overlap_is_what_the_figures_say(first, second):
    """Whenever an overlap is raised, its figures are within the margins on every axis."""
    margin = {"lateral": "3 NM", "vertical": "500 ft", "time": "10 min"}
    s = _situation(margin)
    s.file(first)
    s.file(second)
    for alert in _overlaps(s).values():
        f = alert.figures
        assert f["outlines_overlap"] == 1 or f["lateral_separation_m"] < 5556.0
        if f["vertical_separation_ft"] is not None:
            assert f["vertical_separation_ft"] < 500.0
        assert f["time_gap_s"] < 600.0
        if f["time_gap_s"] < 0:
            assert f["overlap_start"] < f["overlap_end"]


# -- touching windows ----------------------------------------------------------------------------


def _simple(ident: str, author: str, start: str, end: str, centre: str = "33.1N 35.9E") -> Notice:
    return Notice.model_validate(
        {
            "id": ident,
            "author": author,
            "kind": "air_operation",
            "filed_at": "2026-11-24T06:00:00.000000Z",
            "volumes": [
                {
                    "outline": {"type": "circle", "center": centre, "radius": "5 km"},
                    "altitude": {"lower": "FL050", "upper": "FL100"},
                    "window": {"start": start, "end": end},
                }
            ],
        }
    )


@pytest.mark.parametrize(
    ("time_margin", "second_start", "conflict"),
    [
        ("0 min", "2026-11-24T11:00:00.000000Z", False),  # ends as the other starts
        ("0 min", "2026-11-24T10:59:59.000000Z", True),  # one second of overlap
        ("0 min", "2026-11-24T11:00:01.000000Z", False),
        ("1 min", "2026-11-24T11:00:00.000000Z", True),  # touching counts once a margin is agreed
        ("1 min", "2026-11-24T11:00:59.000000Z", True),
        ("1 min", "2026-11-24T11:01:00.000000Z", False),  # exactly the margin apart
    ],
)
def test_touching_windows(time_margin, second_start, conflict):
    for order in ((0, 1), (1, 0)):
        s = _situation({"lateral": "3 NM", "vertical": "500 ft", "time": time_margin})
        pair = [
            _simple("n-a", "a", "2026-11-24T10:00:00.000000Z", "2026-11-24T11:00:00.000000Z"),
            _simple("n-b", "b", second_start, "2026-11-24T12:00:00.000000Z"),
        ]
        for i in order:
            s.file(pair[i])
        assert bool(_overlaps(s)) == conflict


def test_time_gap_signs():
    window = TimeWindow(start="2026-11-24T10:00:00.000000Z", end="2026-11-24T11:00:00.000000Z")
    later = TimeWindow(start="2026-11-24T11:30:00.000000Z", end="2026-11-24T12:00:00.000000Z")
    inner = TimeWindow(start="2026-11-24T10:15:00.000000Z", end="2026-11-24T10:45:00.000000Z")
    assert time_gap(window, later) == 1800.0 == time_gap(later, window)
    assert time_gap(window, inner) == -1800.0 == time_gap(inner, window)


def test_margins_use_the_most_protective_agreement():
    s = _situation({"lateral": "1 km", "vertical": "500 ft", "time": "0 min"})
    s.file(
        Agreement.model_validate(
            {"id": "wide", "name": "Wide", "parties": ["a", "b"], "margins": {"lateral": "20 km"}}
        )
    )
    s.file(
        _simple(
            "n-a", "a", "2026-11-24T10:00:00.000000Z", "2026-11-24T11:00:00.000000Z", "33.1N 35.9E"
        )
    )
    # Centres 25 km apart, radii 5 km each: 15 km between the outlines.
    lon, lat, _ = GEOD.fwd(35.9, 33.1, 90.0, 25_000.0)
    s.file(
        _simple(
            "n-b",
            "b",
            "2026-11-24T10:00:00.000000Z",
            "2026-11-24T11:00:00.000000Z",
            f"{lat}N {lon}E",
        )
    )
    (alert,) = _overlaps(s).values()
    assert alert.figures["agreements"] == "ab,wide"
    assert alert.figures["margin_lateral_m"] == 20_000.0
    assert alert.figures["lateral_separation_m"] == pytest.approx(15_000.0, abs=0.1)


# -- vertical gaps --------------------------------------------------------------------------------


def _band(lower: str, upper: str) -> AltitudeBand:
    return AltitudeBand(lower=Altitude.parse(lower), upper=Altitude.parse(upper))


@pytest.mark.parametrize(
    ("a", "b", "gap_ft", "assessed", "note"),
    [
        (("FL100", "FL200"), ("FL250", "FL300"), 5000.0, True, ""),
        (("FL100", "FL200"), ("FL150", "FL300"), -5000.0, True, ""),
        (("1000 ft AMSL", "2000 ft AMSL"), ("2500 ft AMSL", "3000 ft AMSL"), 500.0, True, ""),
        (("100 m AGL", "200 m AGL"), ("300 m AGL", "400 m AGL"), 100.0 / FOOT, True, ""),
        (("SFC", "200 m AGL"), ("300 m AGL", "400 m AGL"), 100.0 / FOOT, True, ""),
        (("5000 ft AMSL", "9000 ft AMSL"), ("FL100", "FL200"), 1000.0, True, "standard atmosphere"),
        (("FL050", "FL090"), ("10000 ft AMSL", "12000 ft AMSL"), 1000.0, True, "QNH 1013.25"),
        (("SFC", "500 ft AGL"), ("FL100", "FL200"), -math.inf, False, "cannot be compared"),
        (("100 m AGL", "200 m AGL"), ("1000 ft AMSL", "2000 ft AMSL"), -math.inf, False, "terrain"),
        (("SFC", "UNL"), ("FL100", "FL200"), -10000.0, True, ""),
        (("FL300", "UNL"), ("FL100", "FL200"), 10000.0, True, ""),
        (("FL300", "UNL"), ("SFC", "500 ft AGL"), -math.inf, False, "cannot be compared"),
        (("SFC", "UNL"), ("SFC", "UNL"), -math.inf, True, ""),
    ],
)
def test_vertical_gap_rules(a, b, gap_ft, assessed, note):
    for x, y in ((a, b), (b, a)):
        gap = vertical_gap(_band(*x), _band(*y))
        assert gap.assessed is assessed
        if math.isinf(gap_ft):
            assert gap.gap_m == gap_ft
        else:
            assert gap.gap_m / FOOT == pytest.approx(gap_ft, abs=1e-6)
        assert note in gap.note
        if not note:
            assert gap.note == ""


def test_agl_against_amsl_is_treated_as_overlapping_and_said_so():
    s = _situation({"lateral": "3 NM", "vertical": "500 ft", "time": "0 min"})
    low = _simple("n-a", "a", "2026-11-24T10:00:00.000000Z", "2026-11-24T11:00:00.000000Z")
    high = Notice.model_validate(
        {
            **_simple(
                "n-b", "b", "2026-11-24T10:00:00.000000Z", "2026-11-24T11:00:00.000000Z"
            ).model_dump(mode="json"),
        }
        | {
            "volumes": [
                {
                    "outline": {"type": "circle", "center": "33.1N 35.9E", "radius": "5 km"},
                    "altitude": {"lower": "SFC", "upper": "100 m AGL"},
                    "window": {
                        "start": "2026-11-24T10:00:00.000000Z",
                        "end": "2026-11-24T11:00:00.000000Z",
                    },
                }
            ]
        }
    )
    s.file(low)
    s.file(high)
    (alert,) = _overlaps(s).values()
    assert alert.figures["vertical_assessed"] == 0
    assert alert.figures["vertical_separation_ft"] is None
    assert "cannot be compared without terrain data: treated as overlapping" in alert.explanation


# -- need to know -----------------------------------------------------------------------------------


def _visible(party: str, subject: str, s: Situation, alert: Alert) -> bool:
    """Whether ``party`` may see ``subject``, decided from the raw agreements (not from the
    roster under test).

    A notice: its author and the parties its author must notify of its kind.  A site: its owner
    and anyone bound with the owner by an agreement.  A zone agreement: its signatories and
    monitors.  An observation: the signatories and monitors of the zone it was assessed
    against (the alert's zone).
    """
    agreements = list(s.roster.agreements.values())
    if subject in s.notices:
        notice = s.notices[subject]
        if party == notice.author:
            return True
        for ag in agreements:
            if notice.author not in ag.parties or party not in ag.parties:
                continue
            if ag.notifications is None:
                return True
            for duty in ag.notifications:
                if (
                    duty.from_party == notice.author
                    and party in duty.to
                    and (not duty.kinds or notice.kind in duty.kinds)
                ):
                    return True
        return False
    if subject in s.sites:
        owner = s.sites[subject].owner
        return party == owner or any(
            owner in ag.parties and party in ag.parties for ag in agreements
        )
    if subject in s.geography.zones:
        zone = s.geography.zones[subject].zone
        return party in zone.signatories or party in zone.monitors
    if subject in s.red_lines:
        red_line = s.red_lines[subject].red_line
        chosen = red_line.audience
        return (
            party == red_line.declared_by
            or party in chosen.parties
            or any(ag.id == chosen.agreement and party in ag.parties for ag in agreements)
        )
    assert subject in s.observations, subject
    if any(z in s.red_lines for z in alert.subjects):
        # A red line's alert shows an observation only to who could see it anyway: its
        # reporter, and the signatories and monitors of any zone agreement.
        every_zone = [cz.zone for cz in s.geography.zones.values()]
        return party == s.observations[subject].reported_by or any(
            party in z.signatories or party in z.monitors for z in every_zone
        )
    zones = [s.geography.zones[z].zone for z in alert.subjects if z in s.geography.zones]
    return any(party in z.signatories or party in z.monitors for z in zones)


def assert_need_to_know(s: Situation) -> int:
    checked = 0
    for change in s.history:
        alert = change.alert
        assert alert.parties, alert
        assert list(alert.parties) == sorted(set(alert.parties))
        for party in alert.parties:
            for subject in alert.subjects:
                assert _visible(party, subject, s, alert), (party, subject, alert.kind, alert.id)
                checked += 1
    return checked


def test_need_to_know_holds_over_the_golan_demo(golan_situation):
    assert assert_need_to_know(golan_situation) > 50


def test_need_to_know_excludes_the_humanitarian_from_military_notices(golan_situation):
    """SARC notifies IDF and Russia of its convoy, but is notified of neither's operations:
    it must not be told of their conflicts with its convoy (it cannot see those notices)."""
    for alert in golan_situation.alerts.values():
        if "n-sarc-001" in alert.subjects:
            assert "sarc" not in alert.parties


PARTY_IDS = ["p1", "p2", "p3", "p4"]


@st.composite
def agreements(draw: st.DrawFn, index: int) -> Agreement:
    members = draw(st.lists(st.sampled_from(PARTY_IDS), min_size=2, max_size=4, unique=True))
    duties = None
    if draw(st.booleans()):
        duties = []
        for author in members:
            targets = [p for p in members if p != author and draw(st.booleans())]
            if targets:
                kinds = draw(
                    st.lists(
                        st.sampled_from(["air_operation", "ground_movement", "exercise"]),
                        max_size=2,
                        unique=True,
                    )
                )
                duties.append({"from": author, "to": targets, "kinds": kinds})
    monitors = draw(st.lists(st.sampled_from(PARTY_IDS), max_size=1))
    return Agreement.model_validate(
        {
            "id": f"ag{index}",
            "name": f"Agreement {index}",
            "parties": members,
            "notifications": duties,
            "margins": {"lateral": "5 km", "vertical": "1000 ft"},
            "lead_times": {"air_operation": "2 h"},
            "monitors": monitors,
        }
    )


@st.composite
def scenarios(draw: st.DrawFn) -> list[Any]:
    items: list[Any] = [
        Party(id=p, name=p.upper(), kind="armed_force", affiliations=[f"{p} army"])
        for p in PARTY_IDS
    ]
    items += [draw(agreements(i)) for i in range(draw(st.integers(1, 3)))]
    zone_area = {
        "type": "polygon",
        "vertices": ["33.00N 35.80E", "33.00N 36.00E", "33.20N 36.00E", "33.20N 35.80E"],
    }
    items.append(
        ZoneAgreement.model_validate(
            {
                "id": "zone",
                "name": "Zone",
                "signatories": draw(
                    st.lists(st.sampled_from(PARTY_IDS), min_size=1, max_size=3, unique=True)
                ),
                "monitors": draw(st.lists(st.sampled_from(PARTY_IDS), max_size=1)),
                "area": zone_area,
                "rules": [
                    {"type": "no_presence"},
                    {"type": "cap", "caps": {"tanks": 10}},
                    {"type": "no_weapons", "weapon_classes": ["sam"]},
                ],
            }
        )
    )
    for i in range(draw(st.integers(0, 3))):
        items.append(
            ProtectedSite.model_validate(
                {
                    "id": f"site{i}",
                    "name": f"Site {i}",
                    "category": draw(st.sampled_from(["hospital", "school"])),
                    "owner": draw(st.sampled_from(PARTY_IDS)),
                    "location": {"type": "point", "position": _offset(draw, 20_000.0)},
                    "valid_from": "2026-01-01T00:00:00.000000Z",
                    "valid_until": "2027-01-01T00:00:00.000000Z",
                }
            )
        )
    for i in range(draw(st.integers(2, 5))):
        notice = draw(notices(f"n{i}", draw(st.sampled_from(PARTY_IDS))))
        items.append(notice.model_copy(update={"filed_at": notice.filed_at.replace(hour=6 + i)}))
    for i in range(draw(st.integers(0, 3))):
        items.append(
            Observation.model_validate(
                {
                    "id": f"obs{i}",
                    "observed_at": f"2026-11-24T0{i + 1}:00:00Z",
                    "position": _offset(draw, 20_000.0),
                    "reported_by": draw(st.sampled_from(PARTY_IDS)),
                    "affiliation": f"{draw(st.sampled_from(PARTY_IDS))} army",
                    "unit_category": "armour",
                    "counts": {"tanks": draw(st.integers(0, 12))},
                    "weapons": [{"class": "sam"}] if draw(st.booleans()) else [],
                }
            )
        )
    return items


@settings(max_examples=30 * SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_need_to_know_holds_over_random_scenarios(items):
    s = HistorySituation()
    for item in items:
        s.file(item)
    assert_need_to_know(s)
    for kind in sorted({a.kind.value for a in s.alerts.values()}):
        event(kind)
