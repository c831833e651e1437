"""A test for every validation error the model and the scenario parser can raise.

Each case mutates a small valid document (``base_document`` in conftest) in one place and
checks that parsing fails with exactly one problem, at the expected path, with a reason a duty
officer can read.  The reference errors that :class:`Situation` raises when items arrive one by
one (against what it already holds) are tested at the end.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest

from deconfliction.engine.errors import (
    ConflictingRecord,
    InvalidInput,
    NotFound,
    Problem,
    format_path,
)
from deconfliction.engine.model import (
    Agreement,
    Limits,
    Line,
    Notice,
    Observation,
    Party,
    ProtectedSite,
    ZoneAgreement,
)
from deconfliction.engine.scenario import ordered_items, parse_scenario
from deconfliction.engine.situation import Situation
from tests.support.situation import HistorySituation

DELETE = object()
Mutation = Callable[[dict[str, Any]], None]


def at(*pairs: tuple[tuple[str | int, ...], Any]) -> Mutation:
    """Set each (path, value); the value ``DELETE`` removes the key."""

    def apply(doc: dict[str, Any]) -> None:
        for path, value in pairs:
            node: Any = doc
            for part in path[:-1]:
                node = node[part]
            if value is DELETE:
                del node[path[-1]]
            else:
                node[path[-1]] = value

    return apply


def append(path: tuple[str | int, ...], value: Any) -> Mutation:
    def apply(doc: dict[str, Any]) -> None:
        node: Any = doc
        for part in path:
            node = node[part]
        node.append(value)

    return apply


N0V0 = ("notices", 0, "volumes", 0)
_JARGON = re.compile(r"Value error|Assertion failed|\[key\]|union_tag|Input tag|type=|model_type")


def assert_readable(reason: str) -> None:
    """A reason is a plain sentence: no validator internals, no empty text."""
    assert reason.strip()
    assert not _JARGON.search(reason), reason
    assert "\n" not in reason


CASES = [
    # top level
    pytest.param(
        at(
            (("extras",), 1),
        ),
        "extras",
        "unknown field",
        id="unknown-top-field",
    ),
    pytest.param(
        at(
            (("scenario", "name"), DELETE),
        ),
        "scenario.name",
        "required field is missing",
        id="missing-scenario-name",
    ),
    # times
    pytest.param(
        at(
            (("notices", 0, "filed_at"), "2026-11-24T08:00:00"),
        ),
        "notices[0].filed_at",
        "has no timezone",
        id="naive-filed-at",
    ),
    pytest.param(
        at(
            ((*N0V0, "window", "start"), "2026-11-24T10:00:00"),
        ),
        "notices[0].volumes[0].window.start",
        "has no timezone",
        id="naive-window-start",
    ),
    pytest.param(
        at(
            ((*N0V0, "window", "end"), "tomorrow"),
        ),
        "notices[0].volumes[0].window.end",
        "is not RFC 3339",
        id="bad-time",
    ),
    pytest.param(
        at(
            (("sites", 0, "valid_from"), 1700000000),
        ),
        "sites[0].valid_from",
        "a time is an RFC 3339 string",
        id="time-number",
    ),
    pytest.param(
        at(
            ((*N0V0, "window", "end"), "2026-11-24T09:00:00Z"),
        ),
        "notices[0].volumes[0].window.end",
        "end 2026-11-24T09:00:00.000000Z is not after start 2026-11-24T10:00:00.000000Z",
        id="end-before-start",
    ),
    pytest.param(
        at(
            ((*N0V0, "window", "end"), "2026-11-24T10:00:00Z"),
        ),
        "notices[0].volumes[0].window.end",
        "is not after start",
        id="end-equals-start",
    ),
    # units
    pytest.param(
        at(
            (("agreements", 0, "margins", "lateral"), 3),
        ),
        "agreements[0].margins.lateral",
        "a length needs a unit",
        id="bare-number-margin",
    ),
    pytest.param(
        at(
            (("agreements", 0, "margins", "vertical"), "500 yards"),
        ),
        "agreements[0].margins.vertical",
        "unknown length unit 'yards'",
        id="bad-length-unit",
    ),
    pytest.param(
        at(
            (("agreements", 0, "lead_times", "air_operation"), "half an hour"),
        ),
        "agreements[0].lead_times.air_operation",
        "a duration is a number and a unit",
        id="bad-duration",
    ),
    pytest.param(
        at(
            (("agreements", 0, "lead_times"), {"air_raid": "30 min"}),
        ),
        "agreements[0].lead_times.air_raid",
        "Input should be 'air_operation'",
        id="bad-lead-kind",
    ),
    pytest.param(
        at(
            ((*N0V0, "altitude", "lower"), "5000 ft"),
        ),
        "notices[0].volumes[0].altitude.lower",
        "needs its reference",
        id="altitude-no-reference",
    ),
    pytest.param(
        at(
            ((*N0V0, "altitude", "lower"), "FL200"),
        ),
        "notices[0].volumes[0].altitude.upper",
        "lower FL200 is not below upper FL100",
        id="lower-above-upper",
    ),
    pytest.param(
        at(
            ((*N0V0, "altitude", "lower"), "10000 ft AMSL"),
        ),
        "notices[0].volumes[0].altitude.upper",
        "lower 10000 ft AMSL is not below upper FL100",
        id="lower-equals-upper-amsl-vs-fl",
    ),
    pytest.param(
        at(
            ((*N0V0, "altitude"), {"lower": "SFC", "upper": "0 m AGL"}),
        ),
        "notices[0].volumes[0].altitude.upper",
        "upper 0 m AGL is the surface, the bottom of every band: nothing is below it",
        id="upper-at-surface",
    ),
    pytest.param(
        at(
            ((*N0V0, "altitude"), {"lower": "300 m AGL", "upper": "100 m AGL"}),
        ),
        "notices[0].volumes[0].altitude.upper",
        "lower 300 m AGL is not below upper 100 m AGL",
        id="agl-lower-above-agl-upper",
    ),
    # positions/outlines
    pytest.param(
        at(
            (
                (*N0V0, "outline", "vertices"),
                ["33.10N 35.80E", "33.20N 35.90E", "33.20N 35.80E", "33.10N 35.90E"],
            ),
        ),
        "notices[0].volumes[0].outline.vertices",
        "polygon crosses itself near 33.15N 35.85E",
        id="self-crossing",
    ),
    pytest.param(
        at(
            ((*N0V0, "outline", "vertices"), ["33.10N 35.80E", "33.20N 35.90E"]),
        ),
        "notices[0].volumes[0].outline.vertices",
        "at least 3 items",
        id="too-few-vertices",
    ),
    pytest.param(
        at(
            ((*N0V0, "outline", "vertices"), ["33.10N 35.80E", "33.20N 35.90E", "33.10N 35.80E"]),
        ),
        "notices[0].volumes[0].outline.vertices",
        "a polygon needs at least three distinct vertices",
        id="repeated-vertices",
    ),
    pytest.param(
        at(
            ((*N0V0, "outline", "vertices"), ["33.10N 35.80E", "33.20N 35.80E", "33.30N 35.80E"]),
        ),
        "notices[0].volumes[0].outline.vertices",
        "polygon has no area",
        id="collinear",
    ),
    pytest.param(
        at(
            ((*N0V0, "outline", "vertices", 1), [35.9, 93.0]),
        ),
        "notices[0].volumes[0].outline.vertices[1]",
        "latitude 93.0 is out of range [-90, 90]",
        id="latitude-out-of-range",
    ),
    pytest.param(
        at(
            ((*N0V0, "outline", "vertices", 1), {"lat": 33.0, "lon": 190.0}),
        ),
        "notices[0].volumes[0].outline.vertices[1]",
        "longitude 190.0 is out of range [-180, 180]",
        id="longitude-out-of-range",
    ),
    pytest.param(
        at(
            (("sites", 0, "location", "position"), "86.0N 35.0E"),
        ),
        "sites[0].location.position",
        "polar geometry is not supported",
        id="polar-position",
    ),
    pytest.param(
        at(
            (("sites", 0, "location", "position"), "somewhere"),
        ),
        "sites[0].location.position",
        'a position is "33.125N 35.824E"',
        id="position-garbage",
    ),
    pytest.param(
        at(
            (("sites", 0, "location", "position"), [35.0, 33.0, 10.0]),
        ),
        "sites[0].location.position",
        "a position array is [longitude, latitude] (GeoJSON order); got 3 numbers",
        id="position-three-numbers",
    ),
    pytest.param(
        at(
            (("sites", 0, "location", "position"), {"lat": 33.0, "lng": 35.0}),
        ),
        "sites[0].location.position",
        'a position object has exactly "lat" and "lon"',
        id="position-object-keys",
    ),
    pytest.param(
        at(
            (("sites", 0, "location", "position"), ["35", 33.0]),
        ),
        "sites[0].location.position",
        "longitude must be a number, got '35'",
        id="position-not-number",
    ),
    pytest.param(
        at(
            ((*N0V0, "outline", "vertices"), ["10.0N 179.9E", "10.0N 179.9W", "10.1N 179.9W"]),
        ),
        "notices[0].volumes[0].outline.vertices",
        "outline crosses the antimeridian",
        id="antimeridian-polygon",
    ),
    pytest.param(
        at(
            ((*N0V0, "outline"), {"type": "circle", "center": "84.99N 35.0E", "radius": "5 km"}),
        ),
        "notices[0].volumes[0].outline",
        "outline reaches beyond 85 degrees of latitude",
        id="circle-reaches-pole",
    ),
    pytest.param(
        at(
            ((*N0V0, "outline"), {"type": "circle", "center": "33.0N 35.0E", "radius": "0 km"}),
        ),
        "notices[0].volumes[0].outline.radius",
        "a circle's radius must be greater than zero",
        id="circle-zero-radius",
    ),
    pytest.param(
        at(
            ((*N0V0, "outline"), {"type": "circle", "center": "33.0N 35.0E"}),
        ),
        "notices[0].volumes[0].outline.radius",
        "required field is missing",
        id="circle-missing-radius",
    ),
    pytest.param(
        at(
            ((*N0V0, "outline"), {"type": "circle", "center": "33.0N 35.0E", "radius": "130 km"}),
        ),
        "notices[0].volumes[0].outline",
        "covers 53,093 km², more than the limit of 50,000 km² for one outline",
        id="circle-too-large",
    ),
    pytest.param(
        at(
            (
                (*N0V0, "outline"),
                {
                    "type": "corridor",
                    "route": ["33.0N 35.0E", "33.1N 35.1E", "33.1N 35.1E"],
                    "half_width": "1 km",
                },
            ),
        ),
        "notices[0].volumes[0].outline.route",
        "route repeats point 1 (33.1000N 35.1000E) immediately",
        id="corridor-repeats-point",
    ),
    pytest.param(
        at(
            (
                (*N0V0, "outline"),
                {"type": "corridor", "route": ["33.0N 35.0E", "33.1N 35.1E"], "half_width": "0 m"},
            ),
        ),
        "notices[0].volumes[0].outline.half_width",
        "a corridor's half_width must be greater than zero",
        id="corridor-zero-width",
    ),
    pytest.param(
        at(
            (
                (*N0V0, "outline"),
                {"type": "corridor", "route": ["33.0N 35.0E"], "half_width": "1 km"},
            ),
        ),
        "notices[0].volumes[0].outline.route",
        "at least 2 items",
        id="corridor-one-point",
    ),
    pytest.param(
        at(
            ((*N0V0, "outline", "type"), "hexagon"),
        ),
        "notices[0].volumes[0].outline",
        "type 'hexagon' found using 'type' does not match any of the expected tags: 'polygon', 'circle', 'corridor'",
        id="unknown-outline-type",
    ),
    pytest.param(
        at(
            ((*N0V0, "outline", "type"), DELETE),
        ),
        "notices[0].volumes[0].outline",
        "'type' is missing",
        id="missing-outline-type",
    ),
    pytest.param(
        at(
            ((*N0V0, "altitudes"), {}),
        ),
        "notices[0].volumes[0].altitudes",
        "unknown field",
        id="unknown-volume-field",
    ),
    pytest.param(
        at(
            ((*N0V0, "outline", "radius"), "3 km"),
        ),
        "notices[0].volumes[0].outline.radius",
        "unknown field",
        id="unknown-outline-field",
    ),
    # notices
    pytest.param(
        at(
            (("notices", 0, "volumes"), []),
        ),
        "notices[0].volumes",
        "a notice needs at least one volume",
        id="new-without-volumes",
    ),
    pytest.param(
        at(
            (("notices", 0, "replaces"), "n2"),
        ),
        "notices[0].replaces",
        'a new notice replaces nothing: use action "replace"',
        id="new-with-replaces",
    ),
    pytest.param(
        at(
            (("notices", 2, "replaces"), DELETE),
        ),
        "notices[2].replaces",
        "a replacement names the notice it replaces",
        id="replace-without-target",
    ),
    pytest.param(
        at(
            (("notices", 2, "volumes"), []),
        ),
        "notices[2].volumes",
        "a replacement needs at least one volume",
        id="replace-without-volumes",
    ),
    pytest.param(
        at(
            (("notices", 3, "replaces"), DELETE),
        ),
        "notices[3].replaces",
        "a cancellation names the notice it cancels",
        id="cancel-without-target",
    ),
    pytest.param(
        at(
            (
                ("notices", 3, "volumes"),
                [
                    {
                        "outline": {"type": "circle", "center": "33.0N 35.0E", "radius": "1 km"},
                        "altitude": {"lower": "SFC", "upper": "UNL"},
                        "window": {"start": "2026-11-24T10:00:00Z", "end": "2026-11-24T11:00:00Z"},
                    }
                ],
            ),
        ),
        "notices[3].volumes",
        "a cancellation carries no volumes",
        id="cancel-with-volumes",
    ),
    pytest.param(
        at(
            (("notices", 2, "replaces"), "n3"),
        ),
        "notices[2].replaces",
        "a notice cannot replace itself",
        id="replaces-itself",
    ),
    pytest.param(
        at(
            (("notices", 0, "kind"), "airstrike"),
        ),
        "notices[0].kind",
        "Input should be 'air_operation'",
        id="bad-notice-kind",
    ),
    pytest.param(
        at(
            (("notices", 0, "action"), "amend"),
        ),
        "notices[0].action",
        "Input should be 'new', 'replace' or 'cancel'",
        id="bad-action",
    ),
    pytest.param(
        at(
            (("notices", 0, "id"), "n 1"),
        ),
        "notices[0].id",
        "identifier 'n 1' must be 1-64 characters",
        id="bad-identifier",
    ),
    # chains & references
    pytest.param(
        at(
            (("notices", 2, "replaces"), "n9"),
        ),
        "notices[2].replaces",
        "no notice 'n9'",
        id="replaces-unknown",
    ),
    pytest.param(
        at(
            (("notices", 2, "author"), "b"),
        ),
        "notices[2].replaces",
        "'n1' is a notice of 'a': only its author may replace it",
        id="replaces-other-author",
    ),
    pytest.param(
        at(
            (("notices", 2, "filed_at"), "2026-11-24T07:30:00Z"),
        ),
        "notices[2].filed_at",
        "must not be before 'n1' was filed (2026-11-24T08:00:00.000000Z)",
        id="chain-backwards",
    ),
    pytest.param(
        append(
            ("notices",),
            {
                "id": "n5",
                "author": "a",
                "kind": "air_operation",
                "action": "replace",
                "replaces": "n1",
                "filed_at": "2026-11-24T08:40:00Z",
                "volumes": [
                    {
                        "outline": {"type": "circle", "center": "33.0N 35.0E", "radius": "1 km"},
                        "altitude": {"lower": "FL050", "upper": "FL100"},
                        "window": {"start": "2026-11-24T10:00:00Z", "end": "2026-11-24T11:00:00Z"},
                    }
                ],
            },
        ),
        "notices[4].replaces",
        "'n1' was already replaced or cancelled by 'n3'",
        id="chain-fork",
    ),
    pytest.param(
        append(
            ("notices",),
            {
                "id": "n5",
                "author": "b",
                "kind": "ground_movement",
                "action": "cancel",
                "replaces": "n4",
                "filed_at": "2026-11-24T09:30:00Z",
            },
        ),
        "notices[4].replaces",
        "'n4' is a cancellation: nothing to cancel",
        id="replaces-a-cancellation",
    ),
    pytest.param(
        append(
            ("notices",),
            {
                "id": "n5",
                "author": "zz",
                "kind": "exercise",
                "filed_at": "2026-11-24T08:00:00Z",
                "volumes": [
                    {
                        "outline": {"type": "circle", "center": "33.0N 35.0E", "radius": "1 km"},
                        "altitude": {"lower": "SFC", "upper": "UNL"},
                        "window": {"start": "2026-11-25T10:00:00Z", "end": "2026-11-25T11:00:00Z"},
                    }
                ],
            },
        ),
        "notices[4].author",
        "no party 'zz' in this scenario",
        id="notice-author-unknown",
    ),
    pytest.param(
        append(
            ("observations",),
            {
                "id": "o1",
                "observed_at": "2026-11-24T07:00:00Z",
                "position": "33.10N 35.90E",
                "reported_by": "m",
                "affiliation": "Bravo Army",
                "counts": {"troops": 3},
            },
        ),
        "observations[1].id",
        "'o1' is already used by observations[0]",
        id="duplicate-id-same-section",
    ),
    pytest.param(
        at(
            (("observations", 0, "id"), "s1"),
        ),
        "observations[0].id",
        "'s1' is already used by sites[0]",
        id="duplicate-id-across-sections",
    ),
    pytest.param(
        at(
            (("agreements", 0, "parties"), ["a", "b", "zz"]),
        ),
        "agreements[0].parties[2]",
        "no party 'zz' in this scenario",
        id="agreement-party-unknown",
    ),
    pytest.param(
        at(
            (("agreements", 0, "monitors"), ["zz"]),
        ),
        "agreements[0].monitors[0]",
        "no party 'zz' in this scenario",
        id="agreement-monitor-unknown",
    ),
    pytest.param(
        at(
            (("sites", 0, "owner"), "zz"),
        ),
        "sites[0].owner",
        "no party 'zz' in this scenario",
        id="site-owner-unknown",
    ),
    pytest.param(
        at(
            (("zones", 0, "signatories"), ["a", "zz"]),
        ),
        "zones[0].signatories[1]",
        "no party 'zz' in this scenario",
        id="zone-signatory-unknown",
    ),
    pytest.param(
        at(
            (("zones", 0, "monitors"), ["zz"]),
        ),
        "zones[0].monitors[0]",
        "no party 'zz' in this scenario",
        id="zone-monitor-unknown",
    ),
    pytest.param(
        at(
            (("zones", 1, "area", "line"), "l9"),
        ),
        "zones[1].area.line",
        "no line 'l9'",
        id="band-line-unknown",
    ),
    pytest.param(
        at(
            (("zones", 1, "rules", 0, "applies_to", "parties"), ["zz"]),
        ),
        "zones[1].rules[0].applies_to.parties[0]",
        "no party 'zz' in this scenario",
        id="rule-party-unknown",
    ),
    pytest.param(
        at(
            (("zones", 0, "rules", 0, "except", "parties"), ["zz"]),
        ),
        "zones[0].rules[0].except.parties[0]",
        "no party 'zz' in this scenario",
        id="except-party-unknown",
    ),
    pytest.param(
        at(
            (("zones", 1, "rules", 2, "target_line"), "l9"),
        ),
        "zones[1].rules[2].target_line",
        "no line 'l9'",
        id="range-target-line-unknown",
    ),
    pytest.param(
        at(
            (("zones", 1, "rules", 2, "target_line"), DELETE),
            (("zones", 1, "rules", 2, "target_zone"), "z9"),
        ),
        "zones[1].rules[2].target_zone",
        "no zone 'z9'",
        id="range-target-zone-unknown",
    ),
    pytest.param(
        at(
            (("observations", 0, "reported_by"), "zz"),
        ),
        "observations[0].reported_by",
        "no party 'zz' in this scenario",
        id="observation-reporter-unknown",
    ),
    pytest.param(
        at(
            (("observations", 0, "party"), "zz"),
        ),
        "observations[0].party",
        "no party 'zz' in this scenario",
        id="observation-party-unknown",
    ),
    # agreements
    pytest.param(
        at(
            (("agreements", 0, "parties"), ["a"]),
        ),
        "agreements[0].parties",
        "at least 2 items",
        id="agreement-one-party",
    ),
    pytest.param(
        at(
            (("agreements", 0, "acknowledgement"), {"deadline": "0 s"}),
        ),
        "agreements[0].acknowledgement.deadline",
        "0 s is shorter than 1 s",
        id="acknowledgement-deadline-zero",
    ),
    pytest.param(
        at(
            (("agreements", 0, "tracks"), {"lookahead": "PT1S"}),
        ),
        "agreements[0].tracks.lookahead",
        "1 s is shorter than 10 s",
        id="track-lookahead-too-short",
    ),
    pytest.param(
        at(
            (("agreements", 0, "parties"), ["a", "b", "a"]),
        ),
        "agreements[0].parties[2]",
        "'a' is listed twice",
        id="agreement-party-twice",
    ),
    pytest.param(
        at(
            (("agreements", 0, "notifications", 0, "from"), "h"),
        ),
        "agreements[0].notifications[0].from",
        "'h' notifies but is not one of the parties",
        id="duty-from-outsider",
    ),
    pytest.param(
        at(
            (("agreements", 0, "notifications", 0, "to"), ["h"]),
        ),
        "agreements[0].notifications[0].to[0]",
        "'h' is notified but is not one of the parties",
        id="duty-to-outsider",
    ),
    pytest.param(
        at(
            (("agreements", 0, "notifications", 0, "to"), ["a"]),
        ),
        "agreements[0].notifications[0].to[0]",
        "'a' cannot notify itself",
        id="duty-to-itself",
    ),
    pytest.param(
        at(
            (("agreements", 0, "notifications", 0, "to"), []),
        ),
        "agreements[0].notifications[0].to",
        "at least 1 item",
        id="duty-to-nobody",
    ),
    pytest.param(
        at(
            (("agreements", 0, "name"), "  "),
        ),
        "agreements[0].name",
        "at least 1 character",
        id="agreement-empty-name",
    ),
    pytest.param(
        at(
            (("agreements", 0, "margins", "laterals"), "3 NM"),
        ),
        "agreements[0].margins.laterals",
        "unknown field",
        id="unknown-margin-field",
    ),
    # parties
    pytest.param(
        at(
            (("parties", 0, "kind"), "militia"),
        ),
        "parties[0].kind",
        "Input should be 'armed_force', 'humanitarian', 'monitor' or 'civil_aviation'",
        id="party-bad-kind",
    ),
    pytest.param(
        at(
            (("parties", 0, "status"), "dormant"),
        ),
        "parties[0].status",
        "Input should be 'active', 'suspended' or 'withdrawn'",
        id="party-bad-status",
    ),
    pytest.param(
        at(
            (("parties", 0, "name"), DELETE),
        ),
        "parties[0].name",
        "required field is missing",
        id="party-missing-name",
    ),
    # sites
    pytest.param(
        at(
            (("sites", 0, "valid_until"), "2025-01-01T00:00:00Z"),
        ),
        "sites[0].valid_until",
        "must be after valid_from",
        id="site-valid-until-before-from",
    ),
    pytest.param(
        at(
            (("sites", 0, "category"), "barracks"),
        ),
        "sites[0].category",
        "Input should be 'hospital'",
        id="site-bad-category",
    ),
    pytest.param(
        at(
            (("sites", 0, "location", "type"), "circle"),
        ),
        "sites[0].location",
        "type 'circle' found using 'type' does not match any of the expected tags: 'point', 'polygon'",
        id="site-bad-location-type",
    ),
    pytest.param(
        at(
            (
                ("sites", 0, "location"),
                {
                    "type": "polygon",
                    "vertices": [
                        "33.10N 35.80E",
                        "33.20N 35.90E",
                        "33.20N 35.80E",
                        "33.10N 35.90E",
                    ],
                },
            ),
        ),
        "sites[0].location.vertices",
        "polygon crosses itself near 33.15N 35.85E",
        id="site-polygon-crosses",
    ),
    # observations
    pytest.param(
        at(
            (("observations", 0, "unit_category"), DELETE),
            (("observations", 0, "counts"), {}),
            (("observations", 0, "weapons"), []),
        ),
        "observations[0].unit_category",
        "an observation reports a unit_category, counts or weapons",
        id="observation-nothing-seen",
    ),
    pytest.param(
        at(
            (("observations", 0, "counts", "tanks"), -1),
        ),
        "observations[0].counts.tanks",
        "greater than or equal to 0",
        id="observation-negative-count",
    ),
    pytest.param(
        at(
            (("observations", 0, "counts"), {"camels": 3}),
        ),
        "observations[0].counts.camels",
        "Input should be 'troops'",
        id="observation-bad-count-kind",
    ),
    pytest.param(
        at(
            (("observations", 0, "weapons", 0, "count"), 0),
        ),
        "observations[0].weapons[0].count",
        "greater than 0",
        id="observation-weapon-zero",
    ),
    pytest.param(
        at(
            (("observations", 0, "weapons", 0, "class"), "laser"),
        ),
        "observations[0].weapons[0].class",
        "Input should be 'small_arms'",
        id="observation-weapon-class",
    ),
    pytest.param(
        at(
            (("observations", 0, "weapons", 0, "range"), 40),
        ),
        "observations[0].weapons[0].range",
        "a length needs a unit",
        id="observation-weapon-range",
    ),
    pytest.param(
        at(
            (("observations", 0, "affiliation"), ""),
        ),
        "observations[0].affiliation",
        "at least 1 character",
        id="observation-empty-affiliation",
    ),
    # zones and lines
    pytest.param(
        at(
            (("lines", 0, "vertices"), ["33.0N 35.0E"]),
        ),
        "lines[0].vertices",
        "at least 2 items",
        id="line-one-vertex",
    ),
    pytest.param(
        at(
            (("lines", 0, "vertices"), ["33.0N 35.0E", "33.0N 35.0E", "33.1N 35.0E"]),
        ),
        "lines[0].vertices",
        "line repeats point 0 (33.0000N 35.0000E) immediately",
        id="line-repeats-point",
    ),
    pytest.param(
        at(
            (
                ("zones", 0, "area", "vertices"),
                ["33.10N 35.80E", "33.20N 35.90E", "33.20N 35.80E", "33.10N 35.90E"],
            ),
        ),
        "zones[0].area.vertices",
        "polygon crosses itself near 33.15N 35.85E",
        id="zone-polygon-crosses",
    ),
    pytest.param(
        at(
            (("zones", 1, "area", "from"), "10 km"),
        ),
        "zones[1].area.to",
        "10 km is not beyond from: 10 km",
        id="band-to-not-beyond-from",
    ),
    pytest.param(
        at(
            (("zones", 1, "area", "to"), DELETE),
        ),
        "zones[1].area.to",
        "required field is missing",
        id="band-missing-to",
    ),
    pytest.param(
        at(
            (("zones", 1, "area", "side"), "up"),
        ),
        "zones[1].area.side",
        "Input should be 'both', 'left', 'right', 'east', 'west', 'north' or 'south'",
        id="band-bad-side",
    ),
    pytest.param(
        at(
            (("zones", 1, "rules", 0, "caps"), {}),
        ),
        "zones[1].rules[0].caps",
        "at least 1 item",
        id="cap-no-caps",
    ),
    pytest.param(
        at(
            (("zones", 1, "rules", 0, "slice"), "0 s"),
        ),
        "zones[1].rules[0].slice",
        "0 s is shorter than 1 min",
        id="cap-zero-slice",
    ),
    pytest.param(
        at(
            (("zones", 1, "rules", 0, "caps", "tanks"), -5),
        ),
        "zones[1].rules[0].caps.tanks",
        "greater than or equal to 0",
        id="cap-negative",
    ),
    pytest.param(
        at(
            (("zones", 1, "rules", 1, "weapon_classes"), []),
        ),
        "zones[1].rules[1].weapon_classes",
        "at least 1 item",
        id="no-weapons-empty",
    ),
    pytest.param(
        at(
            (("zones", 1, "rules", 2, "target_line"), DELETE),
        ),
        "zones[1].rules[2].target_line",
        "a range rule names exactly one of target_line or target_zone",
        id="range-no-target",
    ),
    pytest.param(
        at(
            (("zones", 1, "rules", 2, "target_zone"), "z-poly"),
        ),
        "zones[1].rules[2].target_zone",
        "a range rule names exactly one of target_line or target_zone",
        id="range-two-targets",
    ),
    pytest.param(
        at(
            (("zones", 1, "rules", 0, "type"), "curfew"),
        ),
        "zones[1].rules[0]",
        "type 'curfew' found using 'type' does not match any of the expected tags: 'no_presence', 'cap', 'no_weapons', 'range'",
        id="unknown-rule-type",
    ),
    pytest.param(
        at(
            (("zones", 1, "rules", 1, "weapons"), ["sam"]),
        ),
        "zones[1].rules[1].weapons",
        "unknown field",
        id="unknown-rule-field",
    ),
    pytest.param(
        at(
            (("zones", 0, "rules"), []),
        ),
        "zones[0].rules",
        "at least 1 item",
        id="zone-no-rules",
    ),
    pytest.param(
        at(
            (("zones", 0, "signatories"), []),
        ),
        "zones[0].signatories",
        "at least 1 item",
        id="zone-no-signatories",
    ),
    pytest.param(
        at(
            (("zones", 1, "rules", 0, "applies_to", "unit_categories"), ["cavalry"]),
        ),
        "zones[1].rules[0].applies_to.unit_categories[0]",
        "Input should be 'infantry'",
        id="selector-bad-category",
    ),
]


def test_the_base_document_is_valid(base_document):
    scenario = parse_scenario(base_document)
    assert [n.id for n in scenario.notices] == ["n1", "n2", "n3", "n4"]
    # And it runs through a situation with no reference error.
    situation = HistorySituation()
    for _, _, item in ordered_items(scenario):
        situation.file(item)


@pytest.mark.parametrize(("mutation", "path", "reason"), CASES)
def test_every_validation_error(base_document, mutation, path, reason):
    mutation(base_document)
    with pytest.raises(InvalidInput) as info:
        parse_scenario(base_document, Limits())
    problems = [(format_path(p.path), p.reason) for p in info.value.problems]
    assert len(problems) == 1, problems
    found_path, found_reason = problems[0]
    assert found_path == path
    assert reason in found_reason
    assert_readable(found_reason)
    # The error reads "path: reason", as the command line prints it.
    assert str(info.value) == f"{path}: {found_reason}"


def test_the_issue_example_reads_exactly(base_document):
    base_document["notices"][0]["volumes"][0]["outline"]["vertices"] = [
        "33.10N 35.80E",
        "33.20N 35.90E",
        "33.20N 35.80E",
        "33.10N 35.90E",
    ]
    with pytest.raises(InvalidInput) as info:
        parse_scenario(base_document)
    assert str(info.value) == (
        "notices[0].volumes[0].outline.vertices: polygon crosses itself near 33.15N 35.85E"
    )
    assert str(info.value.in_source("golan.yaml")) == (
        "golan.yaml: notices[0].volumes[0].outline.vertices: polygon crosses itself near 33.15N 35.85E"
    )


@pytest.mark.parametrize(
    ("limit_km2", "refused"),
    [(50_000.0, False), (100.0, True), (5.0, True)],
)
def test_area_limit_comes_from_the_configured_limits(base_document, limit_km2, refused):
    """The base notice's polygon covers about 103 km²: refused only under a smaller limit."""
    if not refused:
        parse_scenario(base_document, Limits(max_area_km2=limit_km2))
        return
    with pytest.raises(InvalidInput) as info:
        parse_scenario(base_document, Limits(max_area_km2=limit_km2))
    paths = {format_path(p.path) for p in info.value.problems}
    # Both versions of the notice carry the same polygon.
    assert paths >= {"notices[0].volumes[0].outline", "notices[2].volumes[0].outline"}
    reason = info.value.problems[0].reason
    assert re.fullmatch(
        rf"covers 1\d\d km², more than the limit of {limit_km2:,.0f} km² for one outline "
        r"\(check the units, or raise the limit\)",
        reason,
    ), reason


def test_corridor_area_counts_its_length_and_round_ends(base_document):
    volume = base_document["notices"][0]["volumes"][0]
    volume["outline"] = {
        "type": "corridor",
        "route": ["33.0N 35.0E", "33.0N 36.0E"],
        "half_width": "10 km",
    }
    # 93.45 km long, 20 km wide, plus a 10 km disc: about 2,183 km².
    parse_scenario(base_document, Limits(max_area_km2=2_200.0))
    with pytest.raises(InvalidInput, match=r"covers 2,183 km², more than the limit of 2,150"):
        parse_scenario(base_document, Limits(max_area_km2=2_150.0))


def test_every_problem_is_reported_at_once(base_document):
    base_document["notices"][0]["filed_at"] = "2026-11-24T08:00:00"
    base_document["sites"][0]["owner"] = "nobody"
    base_document["parties"][0]["kind"] = "militia"
    with pytest.raises(InvalidInput) as info:
        parse_scenario(base_document)
    # The field errors come first (the reference check needs a valid document).
    assert {format_path(p.path) for p in info.value.problems} == {
        "notices[0].filed_at",
        "parties[0].kind",
    }
    assert str(info.value).endswith("(and 1 more problem)")


def test_a_scenario_must_be_a_mapping():
    with pytest.raises(InvalidInput, match="a scenario is a mapping with a 'scenario' section"):
        parse_scenario(["not", "a", "mapping"])  # type: ignore[arg-type]


def test_naive_datetime_objects_are_refused_too(base_document):
    """YAML turns unquoted times into datetime objects; a naive one has no zone either."""
    from datetime import datetime

    base_document["notices"][0]["filed_at"] = datetime(2026, 11, 24, 8, 0)  # noqa: DTZ001
    with pytest.raises(InvalidInput) as info:
        parse_scenario(base_document)
    assert format_path(info.value.problems[0].path) == "notices[0].filed_at"
    assert "has no timezone" in info.value.problems[0].reason


def test_times_with_an_offset_are_converted_to_utc(base_document):
    base_document["notices"][0]["filed_at"] = "2026-11-24T10:00:00+02:00"
    scenario = parse_scenario(base_document)
    assert scenario.notices[0].filed_at.isoformat() == "2026-11-24T08:00:00+00:00"


def test_error_objects():
    problem = Problem(("notices", 3, "volumes", 0, "outline"), "polygon crosses itself")
    assert str(problem) == "notices[3].volumes[0].outline: polygon crosses itself"
    assert str(Problem((), "no path")) == "no path"
    assert problem.under("batch", 1).path[:2] == ("batch", 1)
    error = InvalidInput([problem, Problem(("a",), "x"), Problem(("b",), "y")])
    assert str(error).endswith("(and 2 more problems)")
    assert format_path(error.under("file").problems[0].path).startswith("file.notices[3]")
    with pytest.raises(ValueError, match="at least one problem"):
        InvalidInput([])
    assert str(NotFound("notice", "n-9")) == "no notice 'n-9'"


# -- reference errors when items arrive one by one ---------------------------------------------


@pytest.fixture
def situation(base_document) -> Situation:
    """A situation holding the base document's parties, agreements, lines and zones."""
    scenario = parse_scenario(base_document)
    s = HistorySituation()
    for section, _, item in ordered_items(scenario):
        if section in ("parties", "agreements", "lines", "zones"):
            s.file(item)
    return s


def _notice(**changes: Any) -> Notice:
    data: dict[str, Any] = {
        "id": "n1",
        "author": "a",
        "kind": "air_operation",
        "filed_at": "2026-11-24T08:00:00Z",
        "volumes": [copy.deepcopy(_VOLUME)],
    }
    data.update(changes)
    return Notice.model_validate(data)


_VOLUME = {
    "outline": {"type": "circle", "center": "33.05N 35.95E", "radius": "2 km"},
    "altitude": {"lower": "FL050", "upper": "FL100"},
    "window": {"start": "2026-11-24T10:00:00Z", "end": "2026-11-24T11:00:00Z"},
}


def _problem(info: pytest.ExceptionInfo[InvalidInput]) -> tuple[str, str]:
    assert len(info.value.problems) == 1
    p = info.value.problems[0]
    assert_readable(p.reason)
    return format_path(p.path), p.reason


@pytest.mark.parametrize(
    ("filed", "notice", "path", "reason"),
    [
        pytest.param([], _notice(author="zz"), "author", "no party 'zz'", id="unknown-author"),
        pytest.param(
            [],
            _notice(id="n2", action="replace", replaces="n9"),
            "replaces",
            "no notice 'n9'",
            id="replaces-unknown",
        ),
        pytest.param(
            [_notice()],
            _notice(
                id="n2",
                author="b",
                action="replace",
                replaces="n1",
                filed_at="2026-11-24T08:10:00Z",
            ),
            "replaces",
            "'n1' is a notice of 'a': only its author may replace it",
            id="replaces-other-author",
        ),
        pytest.param(
            [_notice()],
            _notice(
                id="n2",
                author="b",
                action="cancel",
                replaces="n1",
                volumes=[],
                filed_at="2026-11-24T08:10:00Z",
            ),
            "replaces",
            "'n1' is a notice of 'a': only its author may cancel it",
            id="cancels-other-author",
        ),
        pytest.param(
            [_notice()],
            _notice(id="n2", action="replace", replaces="n1", filed_at="2026-11-24T07:59:59Z"),
            "filed_at",
            "must not be before 'n1' was filed (2026-11-24T08:00:00.000000Z)",
            id="chain-not-forward-in-time",
        ),
        pytest.param(
            [],
            _notice(
                volumes=[
                    {
                        **_VOLUME,
                        "outline": {"type": "circle", "center": "10.0N 179.95E", "radius": "2 km"},
                    }
                ]
            ),
            "volumes[0].outline",
            "outline reaches across the antimeridian (180 degrees): split it into two outlines, "
            "one on each side (with the 5,556 m margin)",
            id="margin-reaches-across-antimeridian",
        ),
    ],
)
def test_situation_refuses_bad_notice_references(situation, filed, notice, path, reason):
    for earlier in filed:
        situation.file(earlier)
    before = (dict(situation.notices), list(situation.history))
    with pytest.raises(InvalidInput) as info:
        situation.assess(notice)
    assert _problem(info) == (path, reason)
    # Nothing changed.
    assert (dict(situation.notices), list(situation.history)) == before


@pytest.mark.parametrize(
    ("filed", "notice", "reason"),
    [
        pytest.param(
            [
                _notice(),
                _notice(id="n2", action="replace", replaces="n1", filed_at="2026-11-24T08:10:00Z"),
            ],
            _notice(id="n3", action="replace", replaces="n1", filed_at="2026-11-24T08:20:00Z"),
            "'n1' was already replaced or cancelled by 'n2'",
            id="forked-chain",
        ),
        pytest.param(
            [
                _notice(),
                _notice(
                    id="n2",
                    action="cancel",
                    replaces="n1",
                    volumes=[],
                    filed_at="2026-11-24T08:10:00Z",
                ),
            ],
            _notice(
                id="n3", action="cancel", replaces="n2", volumes=[], filed_at="2026-11-24T08:20:00Z"
            ),
            "'n2' is a cancellation",
            id="cancels-a-cancellation",
        ),
    ],
)
def test_situation_refuses_to_supersede_what_is_no_longer_current(situation, filed, notice, reason):
    """A version already superseded, or a cancellation, contradicts the record: 409 over HTTP."""
    for earlier in filed:
        situation.file(earlier)
    before = (dict(situation.notices), list(situation.history))
    with pytest.raises(ConflictingRecord, match=reason):
        situation.assess(notice)
    assert (dict(situation.notices), list(situation.history)) == before


def test_situation_refuses_unknown_parties_in_agreements_and_zones(situation):
    agreement = Agreement(id="x", name="X", parties=["a", "zz"], monitors=["yy"])
    with pytest.raises(InvalidInput) as info:
        situation.assess(agreement)
    assert [(format_path(p.path), p.reason) for p in info.value.problems] == [
        ("parties[1]", "no party 'zz'"),
        ("monitors[0]", "no party 'yy'"),
    ]
    zone = ZoneAgreement.model_validate(
        {
            "id": "z",
            "name": "Z",
            "signatories": ["a", "zz"],
            "monitors": ["yy"],
            "area": {"type": "band", "line": "l1", "to": "5 km"},
            "rules": [{"type": "no_weapons", "weapon_classes": ["sam"]}],
        }
    )
    with pytest.raises(InvalidInput) as info:
        situation.assess(zone)
    assert [(format_path(p.path), p.reason) for p in info.value.problems] == [
        ("signatories[1]", "no party 'zz'"),
        ("monitors[0]", "no party 'yy'"),
    ]


def test_situation_refuses_a_band_on_an_unknown_line(situation):
    zone = ZoneAgreement.model_validate(
        {
            "id": "z",
            "name": "Z",
            "signatories": ["a"],
            "area": {"type": "band", "line": "l9", "to": "5 km"},
            "rules": [{"type": "no_weapons", "weapon_classes": ["sam"]}],
        }
    )
    with pytest.raises(InvalidInput) as info:
        situation.assess(zone)
    assert _problem(info) == ("area.line", "no line 'l9'")


def test_situation_refuses_an_ambiguous_compass_side(situation):
    """'east' of a line that itself runs east is no side at all."""
    situation.file(
        Line.model_validate(
            {"id": "l-ew", "name": "East-west line", "vertices": ["33.0N 35.0E", "33.0N 35.5E"]}
        )
    )
    zone = ZoneAgreement.model_validate(
        {
            "id": "z",
            "name": "Z",
            "signatories": ["a"],
            "area": {"type": "band", "line": "l-ew", "to": "5 km", "side": "east"},
            "rules": [{"type": "no_weapons", "weapon_classes": ["sam"]}],
        }
    )
    with pytest.raises(InvalidInput) as info:
        situation.assess(zone)
    assert _problem(info) == (
        "area.side",
        "side 'east' is ambiguous for East-west line, which runs eastward at its middle: use "
        "left or right (of the line's direction)",
    )


def _site(**changes: Any) -> ProtectedSite:
    data: dict[str, Any] = {
        "id": "s1",
        "name": "Hospital",
        "category": "hospital",
        "owner": "h",
        "location": {"type": "point", "position": "33.10N 35.95E"},
        "valid_from": "2026-01-01T00:00:00Z",
        "valid_until": "2027-01-01T00:00:00Z",
    }
    data.update(changes)
    return ProtectedSite.model_validate(data)


def test_situation_refuses_bad_site_references(situation):
    with pytest.raises(InvalidInput) as info:
        situation.assess(_site(owner="zz"))
    assert _problem(info) == ("owner", "no party 'zz'")
    situation.file(_site())
    with pytest.raises(
        ConflictingRecord,
        match="site 's1' belongs to 'h': only its owner may update or recertify it",
    ):
        situation.assess(_site(owner="a", valid_until="2028-01-01T00:00:00Z"))
    with pytest.raises(InvalidInput) as info:
        situation.assess(_site(id="s2", location={"type": "point", "position": "10.0N 179.98E"}))
    path, reason = _problem(info)
    assert path == "location"
    assert "antimeridian" in reason


def _observation(**changes: Any) -> Observation:
    data: dict[str, Any] = {
        "id": "o1",
        "observed_at": "2026-11-24T06:00:00Z",
        "position": "33.10N 35.90E",
        "reported_by": "m",
        "affiliation": "Bravo Army",
        "unit_category": "armour",
        "counts": {"tanks": 5},
    }
    data.update(changes)
    return Observation.model_validate(data)


def test_situation_refuses_bad_observation_references(situation):
    with pytest.raises(InvalidInput) as info:
        situation.assess(_observation(reported_by="zz", party="yy"))
    assert [(format_path(p.path), p.reason) for p in info.value.problems] == [
        ("reported_by", "no party 'zz'"),
        ("party", "no party 'yy'"),
    ]
    situation.file(_observation())
    with pytest.raises(
        ConflictingRecord, match="observation 'o1' is already recorded with different content"
    ):
        situation.assess(_observation(counts={"tanks": 6}))


def test_situation_refuses_a_conflicting_notice_refile(situation):
    situation.file(_notice())
    with pytest.raises(
        ConflictingRecord,
        match="notice 'n1' is already recorded with different content; the record is append-only: file a replacement instead",
    ):
        situation.assess(_notice(title="changed"))


def test_party_refile_updates_and_identical_refile_is_a_duplicate(situation):
    party = Party(id="a", name="Alpha", kind="armed_force", affiliations=["Alpha Army"])
    assert situation.assess(party).duplicate
    renamed = Party(id="a", name="Alpha Command", kind="armed_force")
    assert not situation.assess(renamed).duplicate
