"""The life of alerts in a :class:`Situation`: replacements update or close them, cancellations
close them (kept, with a reason), duplicates change nothing, conflicting re-files are refused,
``alerts_at`` answers as of a time, sites are recertified by their owners, and caps count each
unit once per time slice aligned on UTC midnight."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pyproj
import pytest

from deconfliction.engine.alerts import AlertStatus, ChangeAction
from deconfliction.engine.detection.findings import AlertKind
from deconfliction.engine.detection.zones import slice_bounds
from deconfliction.engine.errors import ConflictingRecord
from deconfliction.engine.model import (
    Agreement,
    Line,
    Notice,
    Observation,
    Party,
    ProtectedSite,
    ZoneAgreement,
)
from deconfliction.engine.situation import Situation
from tests.support import factory
from tests.support.situation import HistorySituation

GEOD = pyproj.Geod(ellps="WGS84")


def t(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _position(azimuth: float, distance: float, origin: tuple[float, float] = (35.9, 33.1)) -> str:
    lon, lat, _ = GEOD.fwd(*origin, azimuth, distance)
    return f"{lat:.9f}N {lon:.9f}E"


def notice(
    ident: str,
    author: str,
    *,
    centre: str = "33.1N 35.9E",
    radius: str = "5 km",
    start: str = "2026-11-24T10:00:00.000000Z",
    end: str = "2026-11-24T11:00:00.000000Z",
    filed_at: str = "2026-11-24T06:00:00.000000Z",
    action: str = "new",
    replaces: str | None = None,
    kind: str = "air_operation",
    lower: str = "FL050",
    upper: str = "FL100",
) -> Notice:
    return factory.notice(
        ident,
        author,
        filed_at=filed_at,
        kind=kind,
        action=action,
        replaces=replaces,
        center=centre,
        radius=radius,
        start=start,
        end=end,
        lower=lower,
        upper=upper,
    )


def site(ident: str = "s1", owner: str = "h", **changes: Any) -> ProtectedSite:
    location = {"type": "point", "position": "33.1N 35.9E"}
    return factory.site(ident, owner, **({"name": "Hospital", "location": location} | changes))


def observation(ident: str, observed_at: str, tanks: int, **changes: Any) -> Observation:
    data: dict[str, Any] = {
        "id": ident,
        "observed_at": observed_at,
        "position": _position(90.0, 5_000.0, (35.85, 33.1)),
        "reported_by": "m",
        "affiliation": "Bravo Army",
        "unit_category": "armour",
        "counts": {"tanks": tanks},
    }
    data.update(changes)
    return Observation.model_validate(data)


@pytest.fixture
def situation() -> Situation:
    s = HistorySituation()
    for party in (
        Party(id="a", name="Alpha", kind="armed_force", affiliations=["Alpha Army"]),
        Party(id="b", name="Bravo", kind="armed_force", affiliations=["Bravo Army"]),
        Party(id="h", name="Helpers", kind="humanitarian"),
        Party(id="m", name="Monitors", kind="monitor"),
    ):
        s.file(party)
    s.file(
        Agreement.model_validate(
            {
                "id": "ab",
                "name": "Alpha-Bravo",
                "parties": ["a", "b", "h"],
                "lead_times": {"air_operation": "30 min"},
                "monitors": ["m"],
            }
        )
    )
    s.file(
        Line.model_validate(
            {"id": "l1", "name": "Line One", "vertices": ["33.4N 35.85E", "32.8N 35.85E"]}
        )
    )
    s.file(
        ZoneAgreement.model_validate(
            {
                "id": "caps",
                "name": "Cap zone",
                "signatories": ["a", "b"],
                "monitors": ["m"],
                "area": {"type": "band", "line": "l1", "to": "10 km", "side": "east"},
                "rules": [{"type": "cap", "applies_to": {"parties": ["b"]}, "caps": {"tanks": 75}}],
            }
        )
    )
    return s


def _open(s: Situation, kind: AlertKind) -> list:
    return [a for a in s.alerts.values() if a.kind is kind and a.status is AlertStatus.open]


# -- replacement and cancellation --------------------------------------------------------------


def test_a_replacement_that_still_conflicts_updates_the_alert(situation):
    situation.file(notice("n-a", "a"))
    situation.file(notice("n-b", "b", centre=_position(90.0, 12_000.0)))
    (alert,) = _open(situation, AlertKind.notice_overlap)
    assert alert.subjects == ("n-a", "n-b")
    before = alert.figures["lateral_separation_m"]
    assert before == pytest.approx(2_000.0, abs=0.1)

    moved = notice(
        "n-b2",
        "b",
        centre=_position(90.0, 13_000.0),
        action="replace",
        replaces="n-b",
        filed_at="2026-11-24T07:00:00.000000Z",
    )
    assessment = situation.file(moved)
    assert [c.action for c in assessment.changes] == [ChangeAction.updated]
    (updated,) = _open(situation, AlertKind.notice_overlap)
    assert updated.id == alert.id
    assert updated.subjects == ("n-a", "n-b2")
    assert updated.figures["lateral_separation_m"] == pytest.approx(3_000.0, abs=0.1)
    assert updated.raised_at == alert.raised_at == t("2026-11-24T06:00:00.000000Z")
    assert updated.updated_at == t("2026-11-24T07:00:00.000000Z")
    assert len(situation.alerts) == 1


def test_a_replacement_that_moves_away_closes_the_alert(situation):
    situation.file(notice("n-a", "a"))
    situation.file(notice("n-b", "b", centre=_position(90.0, 12_000.0)))
    (alert,) = _open(situation, AlertKind.notice_overlap)
    far = notice(
        "n-b2",
        "b",
        centre=_position(90.0, 40_000.0),
        action="replace",
        replaces="n-b",
        filed_at="2026-11-24T07:00:00.000000Z",
    )
    situation.file(far)
    closed = situation.alerts[alert.id]
    assert closed.status is AlertStatus.closed
    assert closed.closed_reason == "no longer found after n-b was replaced by n-b2"
    assert closed.closed_at == t("2026-11-24T07:00:00.000000Z")
    # Kept with what it said when it was open.
    assert closed.subjects == ("n-a", "n-b")
    assert closed.explanation == alert.explanation


def test_a_cancellation_closes_every_alert_of_the_notice_and_keeps_them(situation):
    situation.file(site())
    situation.file(notice("n-a", "a"))
    situation.file(
        notice("n-b", "b", centre=_position(90.0, 12_000.0), filed_at="2026-11-24T09:50:00.000000Z")
    )
    kinds = {a.kind for a in _open(situation, AlertKind.notice_overlap)} | {
        a.kind for a in situation.alerts.values() if "n-b" in a.subjects
    }
    assert kinds == {AlertKind.notice_overlap, AlertKind.late_notice}
    assessment = situation.file(
        notice(
            "n-b-x", "b", action="cancel", replaces="n-b", filed_at="2026-11-24T09:55:00.000000Z"
        )
    )
    assert {c.action for c in assessment.changes} == {ChangeAction.closed}
    for alert in situation.alerts.values():
        if "n-b" in alert.subjects:
            assert alert.status is AlertStatus.closed
            assert alert.closed_reason == "notice n-b cancelled by n-b-x"
    # Alerts about the other notice alone are untouched.
    assert any(
        a.status is AlertStatus.open and a.subjects == ("n-a", "s1")
        for a in situation.alerts.values()
    )
    # The cancelled notice no longer conflicts with anything filed later.
    situation.file(
        notice("n-c", "a", centre=_position(90.0, 12_000.0), filed_at="2026-11-24T09:56:00.000000Z")
    )
    assert all("n-b" not in a.subjects for a in _open(situation, AlertKind.notice_overlap))


def test_a_closed_alert_opens_again_when_the_conflict_comes_back(situation):
    situation.file(notice("n-a", "a"))
    situation.file(notice("n-b", "b"))
    (alert,) = _open(situation, AlertKind.notice_overlap)
    situation.file(
        notice(
            "n-b2",
            "b",
            centre="33.5N 36.5E",
            action="replace",
            replaces="n-b",
            filed_at="2026-11-24T07:00:00.000000Z",
        )
    )
    assert situation.alerts[alert.id].status is AlertStatus.closed
    situation.file(
        notice(
            "n-b3", "b", action="replace", replaces="n-b2", filed_at="2026-11-24T08:00:00.000000Z"
        )
    )
    again = situation.alerts[alert.id]
    assert again.status is AlertStatus.open
    assert again.subjects == ("n-a", "n-b3")
    assert [c.action for c in situation.history if c.alert.id == alert.id] == [
        ChangeAction.opened,
        ChangeAction.closed,
        ChangeAction.opened,
    ]


def test_a_replacement_filed_in_time_closes_the_late_notice_alert(situation):
    situation.file(notice("n-a", "a", filed_at="2026-11-24T09:59:10.000000Z"))
    (late,) = _open(situation, AlertKind.late_notice)
    assert late.figures["lead_time_s"] == 50.0
    assert late.figures["shortfall_s"] == 1750.0
    assert late.parties == ("a", "b", "h")
    situation.file(
        notice(
            "n-a2",
            "a",
            start="2026-11-24T12:00:00.000000Z",
            end="2026-11-24T13:00:00.000000Z",
            action="replace",
            replaces="n-a",
            filed_at="2026-11-24T10:05:00.000000Z",
        )
    )
    assert situation.alerts[late.id].status is AlertStatus.closed
    assert not _open(situation, AlertKind.late_notice)


# -- duplicates and conflicting re-files -----------------------------------------------------------


def test_filing_anything_twice_changes_nothing(situation):
    items = [
        site(),
        notice("n-a", "a"),
        notice("n-b", "b"),
        observation("o1", "2026-11-24T08:00:00.000000Z", 80, party="b"),
    ]
    for item in items:
        situation.file(item)
    history = list(situation.history)
    alerts = dict(situation.alerts)
    for item in [
        *items,
        Party(id="a", name="Alpha", kind="armed_force", affiliations=["Alpha Army"]),
        situation.roster.agreements["ab"],
        situation.geography.lines["l1"],
        situation.geography.zones["caps"].zone,
    ]:
        assessment = situation.file(item.model_copy(deep=True))
        assert assessment.duplicate, item
        assert assessment.changes == ()
    assert situation.history == history
    assert situation.alerts == alerts


def test_refiling_different_content_under_a_recorded_id_is_refused(situation):
    situation.file(notice("n-a", "a"))
    with pytest.raises(ConflictingRecord, match="append-only"):
        situation.file(notice("n-a", "a", radius="6 km"))
    situation.file(observation("o1", "2026-11-24T08:00:00.000000Z", 10))
    with pytest.raises(ConflictingRecord, match="file a new observation instead"):
        situation.file(observation("o1", "2026-11-24T08:00:00.000000Z", 11))


def test_assessing_changes_nothing_until_applied(situation):
    """The store commits an item and its alert changes before the situation moves."""
    situation.file(notice("n-a", "a"))
    history = list(situation.history)
    assessment = situation.assess(notice("n-b", "b"))
    assert assessment.changes
    assert situation.history == history
    assert "n-b" not in situation.notices
    situation.apply(assessment)
    assert "n-b" in situation.notices
    assert len(situation.history) == len(history) + len(assessment.changes)


# -- alerts as of a time -----------------------------------------------------------------------------


def test_alerts_at_answers_as_of_that_time(situation):
    situation.file(notice("n-a", "a", filed_at="2026-11-24T06:00:00.000000Z"))
    situation.file(
        notice("n-b", "b", centre=_position(90.0, 12_000.0), filed_at="2026-11-24T07:00:00.000000Z")
    )
    situation.file(
        notice(
            "n-b2",
            "b",
            centre=_position(90.0, 13_000.0),
            action="replace",
            replaces="n-b",
            filed_at="2026-11-24T08:00:00.000000Z",
        )
    )
    situation.file(
        notice(
            "n-b3", "b", action="cancel", replaces="n-b2", filed_at="2026-11-24T09:00:00.000000Z"
        )
    )

    assert situation.alerts_at(t("2026-11-24T06:59:59.000000Z")) == []
    (first,) = situation.alerts_at(t("2026-11-24T07:00:00.000000Z"))
    assert first.subjects == ("n-a", "n-b")
    assert first.figures["lateral_separation_m"] == pytest.approx(2_000.0, abs=0.1)
    (second,) = situation.alerts_at(t("2026-11-24T08:30:00.000000Z"))
    assert second.id == first.id
    assert second.subjects == ("n-a", "n-b2")
    assert second.figures["lateral_separation_m"] == pytest.approx(3_000.0, abs=0.1)
    assert situation.alerts_at(t("2026-11-24T09:00:00.000000Z")) == []
    assert situation.alerts[first.id].status is AlertStatus.closed


def test_alerts_at_is_sorted_by_time_raised(situation):
    situation.file(notice("n-a", "a", filed_at="2026-11-24T06:00:00.000000Z"))
    situation.file(notice("n-b", "b", filed_at="2026-11-24T07:00:00.000000Z"))
    situation.file(notice("n-c", "a", filed_at="2026-11-24T09:45:00.000000Z", centre="33.3N 36.3E"))
    alerts = situation.alerts_at(t("2026-11-24T12:00:00.000000Z"))
    assert [a.raised_at for a in alerts] == sorted(a.raised_at for a in alerts)
    assert {a.kind for a in alerts} == {AlertKind.notice_overlap, AlertKind.late_notice}


# -- sites -------------------------------------------------------------------------------------------


def test_an_expired_site_raises_nothing_until_its_owner_recertifies_it(situation):
    situation.file(site(valid_until="2026-06-30T00:00:00.000000Z"))
    situation.file(notice("n-a", "a"))
    assert not _open(situation, AlertKind.protected_site)

    # Someone else may not recertify it.
    with pytest.raises(ConflictingRecord, match="only its owner may update or recertify it"):
        situation.file(site(owner="a", valid_until="2027-06-30T00:00:00.000000Z"))

    assessment = situation.file(site(valid_until="2027-06-30T00:00:00.000000Z"))
    assert [c.action for c in assessment.changes] == [ChangeAction.opened]
    (alert,) = _open(situation, AlertKind.protected_site)
    assert alert.subjects == ("n-a", "s1")
    assert alert.parties == ("a", "h")
    assert alert.figures["inside"] == 1
    assert alert.figures["site_valid_until"] == "2027-06-30T00:00:00.000000Z"
    assert "valid until 2027-06-30 00:00Z" in alert.explanation


def test_a_site_moved_by_its_owner_closes_its_alert(situation):
    situation.file(site())
    situation.file(notice("n-a", "a"))
    (alert,) = _open(situation, AlertKind.protected_site)
    situation.file(site(location={"type": "point", "position": "33.6N 36.6E"}))
    closed = situation.alerts[alert.id]
    assert closed.status is AlertStatus.closed
    assert closed.closed_reason == "site s1 updated: no longer applies"


def test_a_site_within_the_margin_but_outside_the_outline_is_covered(situation):
    # 5 km circle, site 9 km from its centre: 4 km from the outline, inside the 3 NM margin.
    situation.file(site(location={"type": "point", "position": _position(0.0, 9_000.0)}))
    situation.file(notice("n-a", "a"))
    (alert,) = _open(situation, AlertKind.protected_site)
    assert alert.figures["inside"] == 0
    assert alert.figures["distance_m"] == pytest.approx(4_000.0, abs=0.1)
    situation.file(site("s2", location={"type": "point", "position": _position(0.0, 10_600.0)}))
    assert len(_open(situation, AlertKind.protected_site)) == 1  # 5.6 km: beyond 3 NM


def test_a_site_of_the_author_raises_nothing(situation):
    situation.file(site(owner="a"))
    situation.file(notice("n-a", "a"))
    assert not _open(situation, AlertKind.protected_site)


def test_duplicate_sites_are_reported_to_their_owners(situation):
    situation.file(site())
    situation.file(site("s2", location={"type": "point", "position": _position(45.0, 60.0)}))
    (dup,) = _open(situation, AlertKind.site_duplicate)
    assert dup.subjects == ("s1", "s2")
    assert dup.parties == ("h",)
    assert dup.figures["distance_m"] == pytest.approx(60.0, abs=0.05)
    # A school at the same place is not a duplicate of a hospital; a hospital 150 m away is not.
    situation.file(site("s3", category="school"))
    situation.file(site("s4", location={"type": "point", "position": _position(225.0, 150.0)}))
    assert len(_open(situation, AlertKind.site_duplicate)) == 1


# -- caps -------------------------------------------------------------------------------------------


def test_caps_count_each_unit_once_per_slice(situation):
    situation.file(observation("o1", "2026-11-24T06:00:00.000000Z", 50, unit_id="u1"))
    situation.file(observation("o2", "2026-11-24T07:00:00.000000Z", 50, unit_id="u1"))
    assert not _open(situation, AlertKind.zone_violation)  # the same 50 tanks seen twice
    situation.file(observation("o3", "2026-11-24T08:00:00.000000Z", 30, unit_id="u2"))
    (cap,) = _open(situation, AlertKind.zone_violation)
    assert cap.figures["tanks_count"] == 80
    assert cap.figures["tanks_cap"] == 75
    assert cap.subjects == ("caps", "o2", "o3")
    # The first unit is seen again with fewer tanks: its latest observation counts.
    situation.file(observation("o4", "2026-11-24T09:00:00.000000Z", 40, unit_id="u1"))
    closed = situation.alerts[cap.id]
    assert closed.status is AlertStatus.closed
    assert closed.closed_reason == "counts back within the cap after o4"


def test_observations_without_a_unit_id_are_each_counted(situation):
    situation.file(observation("o1", "2026-11-24T06:00:00.000000Z", 40))
    situation.file(observation("o2", "2026-11-24T07:00:00.000000Z", 40))
    (cap,) = _open(situation, AlertKind.zone_violation)
    assert cap.figures["tanks_count"] == 80


def test_caps_only_count_inside_the_area_and_the_selected_parties(situation):
    situation.file(observation("o1", "2026-11-24T06:00:00.000000Z", 70))
    # 12 km east of the line: outside the 10 km band.
    situation.file(
        observation(
            "o2",
            "2026-11-24T07:00:00.000000Z",
            70,
            position=_position(90.0, 12_000.0, (35.85, 33.1)),
        )
    )
    # West of the line: the band is on its east side.
    situation.file(
        observation(
            "o3",
            "2026-11-24T07:30:00.000000Z",
            70,
            position=_position(270.0, 5_000.0, (35.85, 33.1)),
        )
    )
    # Alpha's tanks are not capped by this rule.
    situation.file(observation("o4", "2026-11-24T08:00:00.000000Z", 70, affiliation="Alpha Army"))
    assert not _open(situation, AlertKind.zone_violation)


def test_cap_slices_are_aligned_on_utc_midnight(situation):
    # 23:30 on the 24th and 00:30 on the 25th fall in different daily slices.
    situation.file(observation("o1", "2026-11-24T23:30:00.000000Z", 50))
    situation.file(observation("o2", "2026-11-25T00:30:00.000000Z", 50))
    assert not _open(situation, AlertKind.zone_violation)
    # 01:00 at +02:00 is 23:00Z on the 24th: the same slice as o1.
    situation.file(observation("o3", "2026-11-25T01:00:00+02:00", 50))
    (cap,) = _open(situation, AlertKind.zone_violation)
    assert cap.figures["slice_start"] == "2026-11-24T00:00:00.000000Z"
    assert cap.figures["slice_end"] == "2026-11-25T00:00:00.000000Z"
    assert cap.subjects == ("caps", "o3", "o1")


@pytest.mark.parametrize(
    ("instant", "length", "start", "end"),
    [
        (
            "2026-11-24T15:30:00.000000Z",
            86400,
            "2026-11-24T00:00:00.000000Z",
            "2026-11-25T00:00:00.000000Z",
        ),
        (
            "2026-11-24T00:00:00.000000Z",
            86400,
            "2026-11-24T00:00:00.000000Z",
            "2026-11-25T00:00:00.000000Z",
        ),
        (
            "2026-11-24T23:59:59.000000Z",
            86400,
            "2026-11-24T00:00:00.000000Z",
            "2026-11-25T00:00:00.000000Z",
        ),
        (
            "2026-11-24T05:59:59.000000Z",
            6 * 3600,
            "2026-11-24T00:00:00.000000Z",
            "2026-11-24T06:00:00.000000Z",
        ),
        (
            "2026-11-24T06:00:00.000000Z",
            6 * 3600,
            "2026-11-24T06:00:00.000000Z",
            "2026-11-24T12:00:00.000000Z",
        ),
        (
            "2026-11-24T13:00:00.000000Z",
            12 * 3600,
            "2026-11-24T12:00:00.000000Z",
            "2026-11-25T00:00:00.000000Z",
        ),
        (
            "1969-12-31T23:00:00.000000Z",
            86400,
            "1969-12-31T00:00:00.000000Z",
            "1970-01-01T00:00:00.000000Z",
        ),
    ],
)
def test_slice_bounds(instant, length, start, end):
    assert slice_bounds(t(instant), length) == (t(start), t(end))


def test_slices_are_in_utc():
    a, b = slice_bounds(datetime(2026, 11, 24, 15, 0, tzinfo=UTC), 86400)
    assert a.tzinfo is not None
    assert a.utcoffset().total_seconds() == 0
    assert (b - a).total_seconds() == 86400


# -- what a recorded notice keeps ------------------------------------------------------------


def _models(model: Any) -> list[Any]:
    """``model`` and every pydantic model within it, depth first."""
    out = [model]
    for value in model.__dict__.values():
        for item in value if isinstance(value, list | tuple) else [value]:
            if hasattr(item, "__pydantic_fields_set__"):
                out.extend(_models(item))
    return out


def test_recorded_notices_read_back_as_filed(situation):
    """The book keeps versions as bytes and rebuilds them when read: equal to what was filed,
    the same content in every part (what ``model_dump`` writes), and every field that was set
    still set.  A field left at its default comes back set (the book keeps the JSON of all
    fields: ``NoticeBook`` ``_pack`` says why), which nothing reads."""
    first = notice("n-a", "a", upper="FL120")
    second = notice("n-b", "b", centre=_position(90.0, 40_000.0), radius="3 km")
    given = [
        (n.model_dump(mode="json"), [set(m.model_fields_set) for m in _models(n)])
        for n in (first, second)
    ]
    situation.file(first)
    situation.file(second)
    kept_first, kept_second = situation.notices["n-a"], situation.notices["n-b"]
    for kept, filed, (dump, sets) in zip(
        (kept_first, kept_second), (first, second), given, strict=True
    ):
        assert kept == filed
        assert kept.model_dump(mode="json") == dump
        kept_sets = [set(m.model_fields_set) for m in _models(kept)]
        assert len(kept_sets) == len(sets)
        assert all(k >= f for k, f in zip(kept_sets, sets, strict=True))
    assert kept.volumes[0].outline.shape.bbox() == filed.volumes[0].outline.shape.bbox()
    assert "n-c" not in situation.notices
    assert situation.notices.get("n-c") is None
