"""The Golan demo: its alerts against a golden file, every alert kind, and its geography.

The golden file ``golden/golan_alerts.json`` holds every alert the demo raises when each item
of ``golan.yaml`` is filed into a fresh :class:`Situation` in ``ordered_items`` order: kind,
status, parties, subjects, closed reason and the key figures, rounded so that a centimetre of
geometry does not change them.  The test compares exactly.

When a change to the engine or the demo changes the alerts on purpose, regenerate the file and
review the difference before committing it::

    UPDATE_GOLDEN=1 pytest tests/engine/test_golden_golan.py
    git diff tests/engine/golden/golan_alerts.json

The geographic claims the demo's notes make (the militia 45 km east of Line B, the tanks within
10 km, the SAM battery about 22 km) are checked against an independent GeographicLib
reference, not against the engine.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from deconfliction.engine.alerts import Alert, AlertStatus
from deconfliction.engine.detection.findings import AlertKind
from deconfliction.engine.tracks.alerts import TACTICAL_KINDS

GOLDEN = Path(__file__).parent / "golden" / "golan_alerts.json"

_ROUNDING = {
    # Lengths in metres to the metre, in nautical miles to 0.01, heights to the foot.
    "lateral_separation_m": 0,
    "distance_m": 0,
    "depth_m": 0,
    "closest_to_line_m": 0,
    "distance_to_target_m": 0,
    "margin_lateral_m": 0,
    "range_m": 0,
    "threshold_m": 0,
    "lateral_separation_nm": 2,
    "vertical_separation_ft": 0,
    "margin_vertical_ft": 0,
    # Where an overlap is, to about a kilometre (as the explanation says it).
    "near_lat": 2,
    "near_lon": 2,
}


def _figure(name: str, value: Any) -> Any:
    if isinstance(value, float) and name in _ROUNDING:
        rounded = round(value, _ROUNDING[name])
        return int(rounded) if _ROUNDING[name] == 0 else rounded
    return value


def summarise(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.id,
        "kind": alert.kind.value,
        "status": alert.status.value,
        "parties": list(alert.parties),
        "subjects": list(alert.subjects),
        "raised_at": alert.raised_at.isoformat(),
        "closed_reason": alert.closed_reason,
        "figures": {k: _figure(k, v) for k, v in sorted(alert.figures.items())},
    }


def golden_alerts(situation) -> list[dict[str, Any]]:
    alerts = sorted(
        situation.alerts.values(), key=lambda a: (a.raised_at, a.kind.value, a.subjects)
    )
    return [summarise(a) for a in alerts]


def test_golan_alerts_match_the_golden_file(golan_situation):
    found = golden_alerts(golan_situation)
    if os.environ.get("UPDATE_GOLDEN") == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps(found, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        pytest.skip(f"golden file rewritten: {GOLDEN}")
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert found == expected


def test_the_golden_file_is_not_empty_and_matches_its_own_format():
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert len(expected) >= 10
    for alert in expected:
        assert set(alert) == {
            "id",
            "kind",
            "status",
            "parties",
            "subjects",
            "raised_at",
            "closed_reason",
            "figures",
        }
        assert (alert["status"] == "closed") == (alert["closed_reason"] is not None)


def test_the_demo_shows_every_alert_kind(golan_situation):
    kinds = {a.kind for a in golan_situation.alerts.values()}
    # Every kind but those raised from live tracks (tests/engine/tracks, tests/api/test_tracks).
    assert kinds == set(AlertKind) - TACTICAL_KINDS
    # And every kind is still open at the end of the day (the cancelled exercise's alerts
    # are closed, but the air operation keeps an alert of each notice kind open).
    open_kinds = {a.kind for a in golan_situation.alerts.values() if a.status is AlertStatus.open}
    assert open_kinds == set(AlertKind) - TACTICAL_KINDS


def test_the_demo_tells_its_story(golan_situation):
    """The events the issue asks for, each with the alert it should raise."""
    alerts = list(golan_situation.alerts.values())

    def find(kind: AlertKind, *subjects: str) -> Alert:
        (match,) = [a for a in alerts if a.kind is kind and set(subjects) <= set(a.subjects)]
        return match

    late = find(AlertKind.late_notice, "n-idf-001")
    assert late.figures["lead_time_s"] == 50.0
    assert late.parties == ("idf", "rus")
    patrol = find(AlertKind.notice_overlap, "n-idf-001", "n-rus-002")
    assert patrol.status is AlertStatus.open
    assert patrol.parties == ("idf", "rus")
    hospital = find(AlertKind.protected_site, "n-idf-001", "site-quneitra-hospital")
    assert hospital.figures["inside"] == 1
    assert find(AlertKind.zone_entry, "n-idf-001", "aos").parties == ("idf", "rus")
    # Israel's red line: watched for Israel and told to Russia, the party it chose; UNDOF,
    # which saw the militia, is not in its audience.
    militia = find(AlertKind.red_line, "rl-idf-militias-60", "o-001")
    assert militia.parties == ("idf", "rus")
    assert not [a for a in alerts if a.kind is AlertKind.zone_violation and "o-001" in a.subjects]
    tanks = find(AlertKind.zone_violation, "syr-10", "o-002", "o-003")
    assert (tanks.figures["tanks_count"], tanks.figures["tanks_cap"]) == (80, 75)
    sam = [a for a in alerts if a.kind is AlertKind.zone_violation and "o-004" in a.subjects]
    assert sorted(a.figures["rule"] for a in sam) == [1, 2]
    duplicate = find(
        AlertKind.site_duplicate, "site-quneitra-hospital", "site-quneitra-hospital-2024"
    )
    assert duplicate.parties == ("sarc",)
    # The cancelled exercise's alerts are closed, not deleted, with the reason.
    for alert in alerts:
        if "n-idf-002" in alert.subjects:
            assert alert.status is AlertStatus.closed
            assert alert.closed_reason == "notice n-idf-002 cancelled by n-idf-003"
    # The expired school raises nothing.
    assert not [a for a in alerts if "site-khan-arnabah-school" in a.subjects]


# -- geography, against the independent reference ------------------------------------------------


def _line(scenario, ident: str) -> tuple[list[float], list[float]]:
    (line,) = [x for x in scenario.lines if x.id == ident]
    return [p.lon for p in line.vertices], [p.lat for p in line.vertices]


def _obs(scenario, ident: str):
    (obs,) = [o for o in scenario.observations if o.id == ident]
    return obs


def _east_of(lons: list[float], lats: list[float], lon: float, lat: float) -> bool:
    """Whether a point lies east of a line that runs north-south (by its longitude at the
    point's latitude)."""
    order = np.argsort(lats)
    return lon > float(np.interp(lat, np.asarray(lats)[order], np.asarray(lons)[order]))


@pytest.mark.parametrize(
    ("observation", "line", "low_km", "high_km", "east"),
    [
        ("o-001", "line-b", 44.5, 45.5, True),  # militia, 45 km east of Line B
        ("o-002", "line-b", 0.0, 10.0, True),  # tanks within 10 km
        ("o-003", "line-b", 0.0, 10.0, True),
        ("o-004", "line-b", 21.5, 22.5, True),  # SAM battery about 22 km
        ("o-005", "line-a", 14.5, 15.5, False),  # heavy artillery about 15 km west of Line A
        ("o-006", "line-b", 37.5, 38.5, True),  # rockets about 38 km east of Line B
    ],
)
def test_the_demo_geography_is_what_it_claims(
    ref, golan_scenario, observation, line, low_km, high_km, east
):
    lons, lats = _line(golan_scenario, line)
    obs = _obs(golan_scenario, observation)
    distance = float(ref.line_distance([obs.position.lon], [obs.position.lat], lons, lats)[0])
    assert low_km * 1000 <= distance <= high_km * 1000
    assert _east_of(lons, lats, obs.position.lon, obs.position.lat) is east


def test_the_tanks_add_up_to_more_than_the_cap_only_together(golan_scenario):
    tanks = [_obs(golan_scenario, o).counts for o in ("o-002", "o-003")]
    assert [t["tanks"] for t in tanks] == [50, 30]


def test_the_rockets_reach_line_a_and_the_sam_battery_too(ref, golan_scenario):
    lons, lats = _line(golan_scenario, "line-a")
    for ident, reach_km in (("o-004", 40.0), ("o-006", 70.0)):
        obs = _obs(golan_scenario, ident)
        distance = float(ref.line_distance([obs.position.lon], [obs.position.lat], lons, lats)[0])
        assert distance < reach_km * 1000


def test_the_engine_reports_the_reference_distances(ref, golan_scenario, golan_situation):
    """The figures in the alerts agree with the reference to a metre."""
    checks = {
        ("rl-idf-militias-60", "o-001"): ("distance_m", "line-b"),
        ("syr-25", "o-004"): ("distance_m", "line-b"),
        ("isr-20", "o-005"): ("distance_m", "line-a"),
    }
    seen = 0
    for alert in golan_situation.alerts.values():
        key = alert.subjects[:2]
        if key in checks:
            figure, line = checks[key]
            lons, lats = _line(golan_scenario, line)
            obs = _obs(golan_scenario, key[1])
            expected = float(
                ref.line_distance([obs.position.lon], [obs.position.lat], lons, lats)[0]
            )
            assert alert.figures[figure] == pytest.approx(expected, abs=1.0)
            if "distance_to_target_m" in alert.figures:
                a_lons, a_lats = _line(golan_scenario, "line-a")
                to_a = float(
                    ref.line_distance([obs.position.lon], [obs.position.lat], a_lons, a_lats)[0]
                )
                assert alert.figures["distance_to_target_m"] == pytest.approx(to_a, abs=1.0)
            seen += 1
    assert seen == 4  # the SAM battery breaks two rules of syr-25


def test_the_patrol_overlap_separation_matches_the_reference(ref, golan_scenario, golan_situation):
    """n-idf-001 is a polygon; n-rus-002 a corridor 5 km either side of its route: their
    separation is the route's distance to the polygon minus 5 km."""
    (alert,) = [
        a
        for a in golan_situation.alerts.values()
        if a.kind is AlertKind.notice_overlap and a.subjects == ("n-idf-001", "n-rus-002")
    ]
    notices = {n.id: n for n in golan_scenario.notices}
    polygon = notices["n-idf-001"].volumes[0].outline
    corridor = notices["n-rus-002"].volumes[0].outline
    plons = [p.lon for p in polygon.vertices]
    plats = [p.lat for p in polygon.vertices]
    rlons = [p.lon for p in corridor.route]
    rlats = [p.lat for p in corridor.route]
    core = ref.lines_distance(plons + plons[:1], plats + plats[:1], rlons, rlats)
    expected = core - corridor.half_width.metres
    assert alert.figures["lateral_separation_m"] == pytest.approx(expected, abs=0.1)
    assert alert.figures["vertical_separation_ft"] == -5000.0
