"""The record as spans (``GET /v1/history``) and the ``?at=`` lists it must agree with, on
both stores: notice versions stand from their filing to their successor's; alerts are open in
the spans the record says (the same as ``GET /v1/alerts?at=``, computed another way); zone
agreements hold in the version recorded last; need to know; reads recorded, no delivery
marked read; ``after`` gives only what changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import hypothesis.strategies as st
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings

from deconfliction.engine.times import format_time, parse_utc
from deconfliction.service.instants import alert_spans
from deconfliction.store.alerts import alerts_as_of
from deconfliction.store.history import alert_history
from deconfliction.store.schema import reads
from tests.api.bodies import agree, notice
from tests.support.server import Api

DAY = datetime(2026, 11, 24, tzinfo=UTC)


def _history(api: Api, party: str, **params: object) -> dict:
    answer = api.as_(party).get("/v1/history", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_versions_stand_from_their_filing_to_their_successors(api: Api) -> None:
    api.load_golan()
    found = {n["id"]: n for n in _history(api, "rus")["notices"]}
    replaced, replacement = found["n-rus-001"], found["n-rus-002"]
    assert replaced["superseded_by"] == "n-rus-002"
    assert replaced["standing_until"] == replacement["filed_at"]
    assert replacement["standing_from"] == replacement["filed_at"]
    assert replacement["standing_until"] is None
    # One profile per volume, with the band in numbers as the engine compares bands.
    (profile,) = found["n-idf-001"]["profiles"]
    assert profile == {
        "lower_m": 5000 * 0.3048,
        "upper_m": 25000 * 0.3048,
        "lower_datum": "STD",
        "upper_datum": "STD",
    }
    assert found["n-sarc-001"]["profiles"][0]["lower_m"] is None  # SFC


def test_notices_at_an_instant_are_the_versions_that_stood_then(api: Api) -> None:
    api.load_golan()
    rus = api.as_("rus")
    filed = {n["id"]: parse_utc(n["filed_at"]) for n in _history(api, "rus")["notices"]}
    before = format_time(filed["n-rus-002"] - timedelta(microseconds=1))
    then = {
        n["id"]: n["status"]
        for n in rus.get("/v1/notices", params={"at": before, "status": "all"}).json()["notices"]
    }
    assert then["n-rus-001"] == "current"
    assert "n-rus-002" not in then
    at = format_time(filed["n-rus-002"])
    now = {
        n["id"]: (n["status"], n["superseded_by"])
        for n in rus.get("/v1/notices", params={"at": at, "status": "all"}).json()["notices"]
    }
    assert now["n-rus-001"] == ("replaced", "n-rus-002")
    assert now["n-rus-002"] == ("current", None)
    early = rus.get("/v1/notices", params={"at": "2020-01-01T00:00:00Z", "status": "all"})
    assert early.json()["notices"] == []
    bad = rus.get("/v1/notices", params={"at": "yesterday"})
    assert bad.status_code == 422
    assert bad.json()["error"]["problems"][0]["path"] == "at"


def test_zone_agreements_at_an_instant_hold_in_the_version_recorded_last(api: Api) -> None:
    api.load_golan()
    admin = api.as_("undof", "admin")
    zone = admin.get("/v1/zones/aos").json()
    first_name = zone["name"]
    api.clock.advance(3600)
    changed_at = api.clock.now()
    body = {k: zone[k] for k in ("name", "signatories", "monitors", "area", "rules", "source")}
    # Changed by consent: in force (recorded) when the last signatory consents, at this time.
    agree(api, "PUT", "/v1/zones/aos", body | {"name": "Area of Separation (amended)"}, "undof")
    idf = api.as_("idf")

    def name_at(instant: datetime) -> str:
        zones = idf.get("/v1/zones", params={"at": format_time(instant)}).json()["zones"]
        return next(z["name"] for z in zones if z["id"] == "aos")

    # Before it was recorded, the first version holds (the agreement pre-dates the record).
    assert name_at(datetime(1974, 6, 1, tzinfo=UTC)) == first_name
    assert name_at(changed_at - timedelta(microseconds=1)) == first_name
    assert name_at(changed_at) == "Area of Separation (amended)"
    versions = next(z for z in _history(api, "idf")["zones"] if z["id"] == "aos")["versions"]
    assert [v["zone"]["name"] for v in versions] == [first_name, "Area of Separation (amended)"]
    assert versions[0]["start"] is None
    assert parse_utc(versions[0]["end"]) == parse_utc(versions[1]["start"]) == changed_at
    # sarc signs no zone agreement: none at any time.
    sarc = api.as_("sarc").get("/v1/zones", params={"at": format_time(changed_at)})
    assert sarc.json()["zones"] == []


def test_history_tells_a_party_only_what_it_may_see(api: Api) -> None:
    api.load_golan()
    sarc = _history(api, "sarc")
    assert not [n for n in sarc["notices"] if n["author"] == "idf"]
    assert all("sarc" in span["alert"]["parties"] for a in sarc["alerts"] for span in a["open"])
    assert sarc["zones"] == []
    idf = _history(api, "idf")
    assert {n["id"] for n in idf["notices"]} >= {"n-idf-001", "n-rus-002", "n-sarc-001"}


def test_history_records_reads_but_marks_no_delivery_read(api: Api) -> None:
    api.load_golan()
    rus = api.as_("rus")
    unread = {d["id"] for d in rus.get("/v1/inbox", params={"status": "delivered"}).json()["items"]}
    _history(api, "rus")
    still = {d["id"] for d in rus.get("/v1/inbox", params={"status": "delivered"}).json()["items"]}
    assert still == unread
    with api.coordinator.db.reading() as connection:
        logged = connection.execute(
            sa.select(reads.c.item_id).where(
                reads.c.party_id == "rus", reads.c.item_type == "notice"
            )
        ).all()
    assert {"n-idf-001", "n-sarc-001"} <= {r.item_id for r in logged}


def test_after_a_position_only_what_changed(api: Api) -> None:
    api.load_golan()
    first = _history(api, "rus")
    assert _history(api, "rus", after=first["position"])["notices"] == []
    api.clock.advance(10)
    filed = api.as_("idf").post("/v1/notices", json=notice(title="news")).json()
    news = _history(api, "rus", after=first["position"])
    assert [n["id"] for n in news["notices"]] == [filed["notice"]["id"]]
    assert news["position"] > first["position"]
    # A replacement brings back the version it ended, with its span closed.
    api.clock.advance(10)
    replaced = api.as_("idf").post(
        f"/v1/notices/{filed['notice']['id']}/replace", json={"volumes": notice()["volumes"]}
    )
    assert replaced.status_code == 201, replaced.text
    later = {n["id"]: n for n in _history(api, "rus", after=news["position"])["notices"]}
    assert (
        later[filed["notice"]["id"]]["standing_until"]
        == later[replaced.json()["notice"]["id"]]["filed_at"]
    )


def _open_at(spans: dict, party: str, instant: datetime) -> list[str]:
    return sorted(
        alert_id for alert_id, held in spans.items() for span, _ in held if span.contains(instant)
    )


def test_alert_spans_agree_with_alerts_at_an_instant(api: Api) -> None:
    """The console's spans and the API's ``?at=`` query are two computations of one rule:
    compared at every change time (and a microsecond either side) and at random instants."""
    api.load_golan()
    with api.coordinator.db.reading() as connection:
        history = alert_history(connection)
    times = sorted({c.at for c in history})
    micro = timedelta(microseconds=1)
    boundaries = [t + d for t in times for d in (-micro, timedelta(0), micro)]

    @settings(
        max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(st.integers(0, 4 * 86_400_000_000))
    def agree(offset: int) -> None:
        check(DAY - timedelta(days=2) + timedelta(microseconds=offset))

    def check(instant: datetime) -> None:
        for party in ("idf", "rus", "sarc", "undof"):
            spans = alert_spans(history, party)
            with api.coordinator.db.reading() as connection:
                stored = alerts_as_of(connection, instant, party)
            assert _open_at(spans, party, instant) == sorted(a.id for a in stored), instant

    for instant in boundaries:
        check(instant)
    agree()
