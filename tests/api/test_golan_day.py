"""One day of the Golan scenario, played over HTTP by four parties, on SQLite and PostgreSQL.

The Israeli (idf), Russian (rus) and Red Crescent (sarc) duty officers and the UNDOF monitor
work the line through the API only; the test moves the server's clock to each moment of the
day (the server stamps ``filed_at`` and every delivery with it) and runs the escalation round
when it chooses (the fixture's hand on the service: no sleeping).  Only the first party is
recorded directly, so that an admin token can exist; everything else, configuration
included, goes through HTTP, with the content of ``golan.yaml``.

The day:

* 22 Nov 06:00  the admin sets up the line: parties, agreements, lines, zone agreements; SARC
  registers its protected sites (two entries for the same hospital: an alert to SARC alone).
* 22 Nov 07:00  SARC notifies its convoy to Quneitra (48 h ahead): IDF, RUS and UNDOF
  receive it and acknowledge it with a reply.
* 23 Nov 06:00  IDF notifies a ground exercise near Line A (it enters the area of separation).
* 24 Nov 06:10 to 11:40  UNDOF files its observations: a militia in the 60 km buffer, 80 tanks
  against a cap of 75, a SAM battery, heavy artillery, rockets whose range reaches Line A.
* 24 Nov 08:00, 08:50  RUS notifies a patrol flight, then replaces it.
* 24 Nov 09:59:10  IDF notifies an air operation starting at 10:00 (50 s ahead); SARC, whose
  hospital it covers, is not an addressee and learns nothing of it.  RUS does not acknowledge
  it: at 10:04:10 it escalates to the next RUS duty contact, at 10:09:10 to UNDOF.  RUS
  acknowledges at 10:12, with a reply.
* 24 Nov 11:00  IDF cancels the exercise: its alerts close.
* 24 Nov 12:00  the admin adds an agreement (IDF tells SARC of its ground movements; UNDOF
  monitors it) and at 12:05 SARC's own admin suspends SARC's participation; at 12:10 IDF's road closure to SARC is reported to IDF as undelivered
  at once.

Every party follows its live stream (``/v1/stream``) all day; at the end each stream must match
the party's inbox and alerts, nothing missing and nothing of another party's.

Every other item with an acknowledgement deadline is acknowledged in time, so the air
operation's is the day's one escalation.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from deconfliction.engine.model import Party
from deconfliction.engine.times import format_time
from deconfliction.service.clock import FixedClock
from deconfliction.service.documents import demo_path, read_document
from deconfliction.store.feeds import feed_since
from tests.api.bodies import agree
from tests.support.server import Api, running_server

GOLAN = read_document(demo_path())
PARTIES = ("idf", "rus", "sarc", "undof")
SAFETY_S = 30.0
"""Longest wait for a stream before the test fails (a safety net, not a measure)."""


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def iso(moment: datetime) -> str:
    """As the API writes times."""
    return format_time(moment)


def golan(section: str, ident: str) -> dict[str, Any]:
    found: dict[str, Any] = next(x for x in GOLAN[section] if x["id"] == ident)
    return copy.deepcopy(found)


# -- following a stream --------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    id: int
    type: str
    data: dict[str, Any]

    @property
    def payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = self.data["payload"]
        return payload


class Follower:
    """A party's ``/v1/stream``, read in a thread from the moment it is subscribed until the
    server ends it."""

    def __init__(self, url: str, token: str) -> None:
        self.events: list[Event] = []
        self._changed = threading.Condition()
        self._subscribed = threading.Event()
        self._ended = threading.Event()
        self.failure: BaseException | None = None
        self._client = httpx.Client(
            base_url=url,
            headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(SAFETY_S, read=60.0),
        )
        self._thread = threading.Thread(target=self._read, daemon=True, name="sse-follower")
        self._thread.start()
        assert self._subscribed.wait(SAFETY_S), "the stream did not start"

    def _read(self) -> None:
        try:
            with self._client.stream("GET", "/v1/stream") as response:
                assert response.status_code == 200, response.status_code
                fields: dict[str, str] = {}
                for line in response.iter_lines():
                    if line == "":
                        if "data" in fields:
                            event = Event(
                                int(fields["id"]), fields["event"], json.loads(fields["data"])
                            )
                            with self._changed:
                                self.events.append(event)
                                self._changed.notify_all()
                        elif "id" in fields:  # the stream's starting position: subscribed
                            self._subscribed.set()
                        fields = {}
                    elif not line.startswith(":"):
                        name, _, value = line.partition(":")
                        fields[name] = value.removeprefix(" ")
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.failure = exc
        finally:
            self._ended.set()
            with self._changed:
                self._changed.notify_all()

    def wait_for(self, seq: int) -> None:
        """Until the event ``seq`` (or a later one) has arrived."""
        with self._changed:
            arrived = self._changed.wait_for(
                lambda: self._ended.is_set() or (bool(self.events) and self.events[-1].id >= seq),
                SAFETY_S,
            )
        assert self.failure is None, self.failure
        assert arrived, f"no event {seq} on the stream"
        assert self.events, f"the stream ended before event {seq}"
        assert self.events[-1].id >= seq, f"the stream ended before event {seq}"

    def ended(self) -> None:
        assert self._ended.wait(SAFETY_S), "the stream did not end"
        self._thread.join(SAFETY_S)
        self._client.close()
        assert self.failure is None, self.failure


# -- the line ------------------------------------------------------------------------------


@dataclass
class Line:
    """The server, a client for each party, and what each party has already seen."""

    api: Api
    clients: dict[str, httpx.Client] = field(default_factory=dict)
    seen: dict[str, set[str]] = field(default_factory=dict)
    streams: dict[str, Follower] = field(default_factory=dict)

    def at(self, moment: str) -> None:
        """Move the server's clock on to ``moment`` (the record never goes back in time)."""
        assert at(moment) >= self.api.clock.now(), moment
        self.api.clock.set(at(moment))

    @property
    def now(self) -> datetime:
        return self.api.clock.now()

    def inbox(self, party: str) -> list[dict[str, Any]]:
        response = self.clients[party].get("/v1/inbox", params={"limit": 5000})
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items

    def arrivals(self, party: str) -> list[dict[str, Any]]:
        """The inbox items that arrived since the party last looked."""
        seen = self.seen.setdefault(party, set())
        new = [i for i in self.inbox(party) if i["id"] not in seen]
        seen.update(i["id"] for i in new)
        return new

    def expect_arrivals(self, expected: dict[str, list[tuple[str, str]]]) -> dict[str, list]:
        """Each party received exactly these (item type, item id), and nothing else."""
        found = {party: self.arrivals(party) for party in PARTIES}
        for party in PARTIES:
            got = sorted((i["item_type"], i["item_id"]) for i in found[party])
            assert got == sorted(expected.get(party, [])), party
            for item in found[party]:
                assert item["recipient"] == party
                assert item["delivered_at"] == iso(self.now)
        return found

    def ack(
        self, party: str, item: dict[str, Any], reply: str | None, *, late: bool = False
    ) -> dict[str, Any]:
        """Acknowledge ("received") an inbox item, in time unless ``late``."""
        if item["deadline_at"] is not None and not late:
            assert self.now < at(item["deadline_at"]), ("too late", item)
        response = self.clients[party].post(f"/v1/inbox/{item['id']}/ack", json={"reply": reply})
        assert response.status_code == 200, response.text
        acked: dict[str, Any] = response.json()
        assert acked["status"] == "acknowledged"
        assert acked["acknowledged_at"] == iso(self.now)
        assert acked["reply"] == reply
        assert acked["next_at"] is None
        return acked

    def ack_all(self, party: str, items: list[dict[str, Any]], reply: str) -> None:
        for item in items:
            self.ack(party, item, reply)

    def alerts(self, party: str, **params: str) -> dict[str, dict[str, Any]]:
        response = self.clients[party].get("/v1/alerts", params={"status": "all", **params})
        assert response.status_code == 200, response.text
        return {a["id"]: a for a in response.json()["alerts"]}


def file_notice(line: Line, party: str, ident: str) -> dict[str, Any]:
    """File the scenario's notice ``ident`` as its author, at its time (the server's clock)."""
    written = golan("notices", ident)
    assert written["author"] == party
    line.at(written["filed_at"])
    body = {key: written[key] for key in ("kind", "title", "volumes")}
    response = line.clients[party].post("/v1/notices", json=body)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    assert answer["notice"]["author"] == party
    assert answer["notice"]["filed_at"] == iso(at(written["filed_at"]))
    return answer


def file_observation(line: Line, ident: str) -> dict[str, Any]:
    """UNDOF files the scenario's observation ``ident`` when it is made."""
    written = golan("observations", ident)
    line.at(written["observed_at"])
    body = {k: v for k, v in written.items() if k not in ("id", "reported_by")}
    response = line.clients["undof"].post("/v1/observations", json=body)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    assert answer["observation"]["reported_by"] == "undof"
    return answer


def one(alerts: list[dict[str, Any]], kind: str, **where: Any) -> dict[str, Any]:
    """The one alert of ``kind`` (whose fields have the values given)."""
    found = [a for a in alerts if a["kind"] == kind and all(a[k] == v for k, v in where.items())]
    assert len(found) == 1, (kind, where, [(a["kind"], a["subjects"]) for a in alerts])
    return found[0]


def alert_items(alerts: list[dict[str, Any]], party: str) -> list[tuple[str, str]]:
    return [("alert", a["id"]) for a in alerts if party in a["parties"]]


@pytest.fixture
def line(store_url: str) -> Iterator[Line]:
    for api in running_server(store_url, FixedClock(at("2026-11-22T06:00:00.000000Z"))):
        try:
            yield Line(api)
        finally:
            api.services.feeds.request_close()


# -- the day -------------------------------------------------------------------------------


def test_one_day_on_the_golan_line(line: Line) -> None:
    api = line.api

    # == 22 Nov 06:00: the line is set up ================================================
    line.at("2026-11-22T06:00:00.000000Z")
    api.record([Party.model_validate(golan("parties", "undof"))])
    admin = api.as_("undof", "admin")
    for party in ("idf", "rus", "sarc"):
        created = admin.post("/v1/parties", json=golan("parties", party))
        assert created.status_code == 201, created.text
    line.clients = {p: api.as_(p) for p in ("idf", "rus", "sarc")}
    line.clients["undof"] = api.as_("undof", "monitor")
    line.streams = {p: Follower(api.url, api.token(p, "viewer")) for p in PARTIES}

    for section in ("agreements", "lines", "zones"):
        for item in GOLAN[section]:
            # Each in force once every party it binds has consented.
            agree(api, "post", f"/v1/{section}", item, "undof")
    # Each party was told of every proposal concerning it (in its inbox): nothing else came.
    for party in PARTIES:
        assert {i["item_type"] for i in line.arrivals(party)} <= {"proposal"}, party
    parties = line.clients["idf"].get("/v1/parties").json()["parties"]
    assert [p["id"] for p in parties] == ["idf", "rus", "sarc", "undof"]
    # The escalation chain is for the party itself.
    assert [p["id"] for p in parties if p["duty_contacts"] is not None] == ["idf"]
    # SARC signs no zone agreement: it sees none of them.
    assert line.clients["sarc"].get("/v1/zones").json()["zones"] == []
    assert len(line.clients["rus"].get("/v1/zones").json()["zones"]) == len(GOLAN["zones"])

    sites: dict[str, str] = {}
    site_alerts: list[dict[str, Any]] = []
    for written in GOLAN["sites"]:
        body = {k: v for k, v in written.items() if k not in ("id", "owner")}
        registered = line.clients["sarc"].post("/v1/sites", json=body)
        assert registered.status_code == 201, registered.text
        sites[written["id"]] = registered.json()["site"]["id"]
        site_alerts += registered.json()["alerts"]
    duplicate = one(site_alerts, "site-duplicate")
    assert duplicate["parties"] == ["sarc"]
    assert "43 m apart" in duplicate["explanation"]
    assert set(duplicate["subjects"]) == {
        sites["site-quneitra-hospital"],
        sites["site-quneitra-hospital-2024"],
    }
    assert not any(sites["site-khan-arnabah-school"] in a["subjects"] for a in site_alerts)
    arrived = line.expect_arrivals({"sarc": [("alert", duplicate["id"])]})
    # Parties bound by an agreement with SARC see its sites; the alert is SARC's alone.
    assert (
        line.clients["idf"].get(f"/v1/sites/{sites['site-quneitra-hospital']}").status_code == 200
    )
    assert line.clients["idf"].get(f"/v1/alerts/{duplicate['id']}").status_code == 404
    line.at("2026-11-22T06:05:00.000000Z")
    line.ack("sarc", arrived["sarc"][0], "Same hospital: the 2024 entry will be withdrawn")

    # == 22 Nov 07:00: SARC's convoy, 48 h ahead =========================================
    convoy = file_notice(line, "sarc", "n-sarc-001")
    convoy_id = convoy["notice"]["id"]
    assert convoy["alerts"] == []
    assert sorted((d["recipient"], d["deadline_at"]) for d in convoy["deliveries"]) == [
        ("idf", "2026-11-22T07:30:00.000000Z"),
        ("rus", "2026-11-22T07:30:00.000000Z"),
        ("undof", "2026-11-22T07:30:00.000000Z"),
    ]
    arrived = line.expect_arrivals({p: [("notice", convoy_id)] for p in ("idf", "rus", "undof")})
    line.at("2026-11-22T07:10:00.000000Z")
    opened = line.clients["idf"].get(f"/v1/inbox/{arrived['idf'][0]['id']}").json()
    assert opened["status"] == "read"
    assert opened["item"]["title"] == "Convoy Damascus to Quneitra, 12 trucks"
    line.ack("idf", arrived["idf"][0], "Received; convoy route noted")
    line.at("2026-11-22T07:12:00.000000Z")
    line.ack("rus", arrived["rus"][0], "Received")
    line.at("2026-11-22T07:15:00.000000Z")
    line.ack("undof", arrived["undof"][0], "Received; patrols informed")
    reads = line.clients["sarc"].get(f"/v1/notices/{convoy_id}/reads").json()
    assert {r["party"] for r in reads["reads"]} == {"idf"}
    assert {d["recipient"]: d["reply"] for d in reads["deliveries"]} == {
        "idf": "Received; convoy route noted",
        "rus": "Received",
        "undof": "Received; patrols informed",
    }

    # == 23 Nov 06:00: IDF's ground exercise near Line A ===================================
    exercise = file_notice(line, "idf", "n-idf-002")
    exercise_id = exercise["notice"]["id"]
    entry = one(exercise["alerts"], "zone-entry")
    assert entry["parties"] == ["idf", "rus"]
    assert "Area of Separation" in entry["explanation"]
    near_convoy = one(exercise["alerts"], "notice-overlap")
    assert set(near_convoy["subjects"]) == {exercise_id, convoy_id}
    # SARC may not see IDF's exercise: it is not told of the overlap with its own convoy.
    assert near_convoy["parties"] == ["idf"]
    assert "4,918 m" in near_convoy["explanation"]
    arrived = line.expect_arrivals(
        {
            "idf": alert_items(exercise["alerts"], "idf"),
            "rus": [("notice", exercise_id), *alert_items(exercise["alerts"], "rus")],
        }
    )
    line.at("2026-11-23T06:03:00.000000Z")
    line.ack_all("idf", arrived["idf"], "Received")
    line.ack_all("rus", arrived["rus"], "Received")
    assert line.clients["sarc"].get(f"/v1/notices/{exercise_id}").status_code == 404
    assert line.clients["sarc"].get(f"/v1/alerts/{near_convoy['id']}").status_code == 404

    # == 24 Nov: UNDOF's observations and RUS's patrol ======================================
    def observed(ident: str) -> list[dict[str, Any]]:
        answer = file_observation(line, ident)
        zone_alerts: list[dict[str, Any]] = answer["alerts"]
        for alert in zone_alerts:
            assert alert["kind"] == "zone-violation"
            assert alert["parties"] == ["idf", "rus", "undof"]
            assert answer["observation"]["id"] in alert["subjects"]
        arrived = line.expect_arrivals(
            {p: alert_items(zone_alerts, p) for p in ("idf", "rus", "undof")}
        )
        line.at(iso(line.now + timedelta(minutes=2)))
        for party in ("idf", "rus", "undof"):
            line.ack_all(party, arrived[party], "Received")
        return zone_alerts

    (militia,) = observed("o-001")
    assert "Iran-backed militia" in militia["explanation"]
    assert "45.0 km east of Line B" in militia["explanation"]
    assert "60 km buffer" in militia["explanation"]

    assert observed("o-002") == []  # 50 tanks: under the cap of 75

    patrol = file_notice(line, "rus", "n-rus-001")
    patrol_id = patrol["notice"]["id"]
    patrol_overlap = one(patrol["alerts"], "notice-overlap")
    assert set(patrol_overlap["subjects"]) == {patrol_id, convoy_id}
    assert patrol_overlap["parties"] == ["rus"]
    arrived = line.expect_arrivals(
        {"idf": [("notice", patrol_id)], "rus": [("alert", patrol_overlap["id"])]}
    )
    line.at("2026-11-24T08:01:00.000000Z")
    line.ack("idf", arrived["idf"][0], "Received")
    line.ack("rus", arrived["rus"][0], "Received")

    (tanks,) = observed("o-003")
    assert "80 tanks against a cap of 75" in tanks["explanation"]
    assert "syr-10" in tanks["subjects"]
    assert len(tanks["subjects"]) == 3  # the zone and both sightings
    assert tanks["figures"]

    written = golan("notices", "n-rus-002")
    line.at(written["filed_at"])
    replaced = line.clients["rus"].post(
        f"/v1/notices/{patrol_id}/replace",
        json={"title": written["title"], "volumes": written["volumes"]},
    )
    assert replaced.status_code == 201, replaced.text
    patrol_2 = replaced.json()
    patrol_2_id = patrol_2["notice"]["id"]
    assert patrol_2["notice"]["replaces"] == patrol_id
    # The overlap with the convoy carries over to the new version (updated, not raised again).
    (carried,) = patrol_2["alerts"]
    assert carried["id"] == patrol_overlap["id"]
    assert set(carried["subjects"]) == {patrol_2_id, convoy_id}
    arrived = line.expect_arrivals({"idf": [("notice", patrol_2_id)]})
    line.at("2026-11-24T08:51:00.000000Z")
    line.ack("idf", arrived["idf"][0], "Received")
    versions = line.clients["idf"].get(f"/v1/notices/{patrol_2_id}/versions").json()["versions"]
    assert [(v["id"], v["status"]) for v in versions] == [
        (patrol_id, "replaced"),
        (patrol_2_id, "current"),
    ]

    sam = observed("o-004")
    assert len(sam) == 2
    assert any("declared range of 40 km reaches Line A" in a["explanation"] for a in sam)
    assert any("No missiles within 25 km of Line B" in a["explanation"] for a in sam)

    # == 24 Nov 09:59:10: IDF's air operation, 50 s before it starts ========================
    air = file_notice(line, "idf", "n-idf-001")
    air_id = air["notice"]["id"]
    late = one(air["alerts"], "late-notice")
    assert late["parties"] == ["idf", "rus"]
    assert "filed 50 s before its first volume starts" in late["explanation"]
    assert "requires 30 min for air operations, 29 min 10 s more" in late["explanation"]
    with_patrol = one(air["alerts"], "notice-overlap", parties=["idf", "rus"])
    assert set(with_patrol["subjects"]) == {air_id, patrol_2_id}
    assert "1,533 m" in with_patrol["explanation"]
    hospitals = [a for a in air["alerts"] if a["kind"] == "protected-site"]
    assert {frozenset(a["subjects"]) for a in hospitals} == {
        frozenset({air_id, sites["site-quneitra-hospital"]}),
        frozenset({air_id, sites["site-quneitra-hospital-2024"]}),
    }
    # SARC registered the hospital, but is not an addressee of IDF's notices: only IDF is told.
    assert hospitals, "nothing to check: the assertion below would pass on nothing"
    assert all(a["parties"] == ["idf"] for a in hospitals)
    assert any("Quneitra National Hospital" in a["explanation"] for a in hospitals)
    over_convoy = one(air["alerts"], "notice-overlap", parties=["idf"])
    assert set(over_convoy["subjects"]) == {air_id, convoy_id}
    assert one(air["alerts"], "zone-entry")["parties"] == ["idf", "rus"]
    assert len(air["alerts"]) == 6
    (to_rus,) = [d for d in air["deliveries"] if d["item_type"] == "notice"]
    assert (to_rus["recipient"], to_rus["deadline_at"]) == ("rus", "2026-11-24T10:04:10.000000Z")
    arrived = line.expect_arrivals(
        {
            "idf": alert_items(air["alerts"], "idf"),
            "rus": [("notice", air_id), *alert_items(air["alerts"], "rus")],
        }
    )
    assert len(arrived["rus"]) == 4  # the notice, the late notice, the overlap, the zone entry
    # Need to know: SARC and UNDOF learn nothing of the air operation.
    for party in ("sarc", "undof"):
        assert line.clients[party].get(f"/v1/notices/{air_id}").status_code == 404
        assert all(air_id not in a["subjects"] for a in line.alerts(party).values())
        for alert in air["alerts"]:
            assert line.clients[party].get(f"/v1/alerts/{alert['id']}").status_code == 404
    line.at("2026-11-24T10:00:00.000000Z")
    line.ack_all("idf", arrived["idf"], "Received")
    # RUS answers the alerts but leaves the notice itself unanswered.
    line.at("2026-11-24T10:01:00.000000Z")
    rus_alerts = [i for i in arrived["rus"] if i["item_type"] == "alert"]
    for item in rus_alerts:
        reply = "Received. 50 seconds is not notice." if item["item_id"] == late["id"] else None
        line.ack("rus", item, reply)

    # One escalation: RUS's delivery of the air operation.
    line.at("2026-11-24T10:04:00.000000Z")
    assert api.escalate() == []
    line.at("2026-11-24T10:04:10.000000Z")
    (first,) = api.escalate()
    assert (first.delivery_id, first.level, first.party) == (to_rus["id"], 1, "rus")
    assert first.due_at == at("2026-11-24T10:04:10.000000Z")
    assert not first.to_monitors
    # The step says the level, never whom RUS called: its chain of contacts is its own.
    assert first.description == (
        f"notice {air_id} not acknowledged by Russian forces in Syria after 5 min: calling its "
        "duty contact 2 of 2"
    )
    (standing,) = line.clients["idf"].get(f"/v1/notices/{air_id}/reads").json()["deliveries"]
    assert (standing["status"], standing["level"], standing["next_at"]) == (
        "delivered",
        1,
        "2026-11-24T10:09:10.000000Z",
    )
    line.expect_arrivals({})  # the next contact is within RUS: nothing new in any inbox

    line.at("2026-11-24T10:09:10.000000Z")
    (second,) = api.escalate()
    assert (second.delivery_id, second.level, second.to_monitors) == (to_rus["id"], 2, True)
    assert second.due_at == at("2026-11-24T10:09:10.000000Z")
    assert second.description.endswith(
        "not acknowledged by Russian forces in Syria after 10 min and every duty contact: "
        "escalated to United Nations Disengagement Observer Force"
    )
    arrived = line.expect_arrivals({"undof": [("escalation", to_rus["id"])]})
    chase = arrived["undof"][0]
    assert chase["deadline_at"] is None
    opened = line.clients["undof"].get(f"/v1/inbox/{chase['id']}").json()
    # UNDOF learns which delivery is unanswered, not the notice: it is not an addressee.
    assert opened["item"]["id"] == to_rus["id"]
    assert (opened["item"]["recipient"], opened["item"]["level"]) == ("rus", 2)
    assert line.clients["undof"].get(f"/v1/notices/{air_id}").status_code == 404
    line.ack("undof", chase, "Received; calling Hmeimim")
    sent = line.clients["undof"].post(
        "/v1/messages",
        json={"to": "rus", "body": "An IDF notice to you is unanswered since 09:59:10."},
    )
    assert sent.status_code == 201, sent.text
    message_id = sent.json()["id"]
    arrived = line.expect_arrivals({"rus": [("message", message_id)]})

    line.at("2026-11-24T10:12:00.000000Z")
    (unanswered,) = [
        i for i in line.inbox("rus") if i["item_type"] == "notice" and i["item_id"] == air_id
    ]
    assert (unanswered["status"], unanswered["level"]) == ("delivered", 2)
    acked = line.ack("rus", unanswered, "Received; our patrol holds east of 36.0E", late=True)
    assert acked["level"] == 2
    line.ack("rus", arrived["rus"][0], "Acknowledged the IDF notice at 10:12")
    (standing,) = line.clients["idf"].get(f"/v1/notices/{air_id}/reads").json()["deliveries"]
    assert (standing["status"], standing["reply"]) == (
        "acknowledged",
        "Received; our patrol holds east of 36.0E",
    )
    line.at("2026-11-24T10:19:00.000000Z")
    assert api.escalate() == []  # acknowledged: the chase is over

    # == 10:20 heavy artillery, 11:00 the exercise cancelled, 11:40 rockets ================
    (artillery,) = observed("o-005")
    assert "6 × heavy artillery" in artillery["explanation"]
    assert "15.0 km west of Line A" in artillery["explanation"]

    written = golan("notices", "n-idf-003")
    line.at(written["filed_at"])
    cancelled = line.clients["idf"].post(
        f"/v1/notices/{exercise_id}/cancel", json={"title": written["title"]}
    )
    assert cancelled.status_code == 201, cancelled.text
    cancellation = cancelled.json()
    cancellation_id = cancellation["notice"]["id"]
    assert cancellation["alerts"] == []
    assert {a["id"] for a in cancellation["closed_alerts"]} == {entry["id"], near_convoy["id"]}
    for alert in cancellation["closed_alerts"]:
        assert alert["status"] == "closed"
        assert alert["closed_reason"] == f"notice {exercise_id} cancelled by {cancellation_id}"
    arrived = line.expect_arrivals({"rus": [("notice", cancellation_id)]})
    line.at("2026-11-24T11:01:00.000000Z")
    line.ack("rus", arrived["rus"][0], "Received")
    assert line.alerts("rus", status="closed").keys() == {entry["id"]}

    (rockets,) = observed("o-006")
    assert (
        "rocket artillery with a declared range of 70 km reaches Line A" in rockets["explanation"]
    )

    # == 12:00: a new agreement; 12:05 SARC suspended; 12:10 undelivered at once ============
    line.at("2026-11-24T12:00:00.000000Z")
    roads = {
        "id": "idf-sarc-roads",
        "name": "IDF road notices to SARC",
        "parties": ["idf", "sarc"],
        "notifications": [{"from": "idf", "to": ["sarc"], "kinds": ["ground_movement"]}],
        "acknowledgement": {"deadline": "30 min"},
        "monitors": ["undof"],
    }
    # Both parties it binds consent; the agreement is in force from the second consent.
    in_force = agree(api, "post", "/v1/agreements", roads, "idf")
    assert in_force["id"] == "idf-sarc-roads"
    (proposed,) = [
        p
        for p in api.as_("sarc", "admin").get("/v1/proposals").json()["proposals"]
        if p["item"]["id"] == "idf-sarc-roads"
    ]
    assert (proposed["status"], proposed["proposed_by"]) == ("in_force", "idf")
    assert set(proposed["consents"]) == set(proposed["required"]) >= {"idf", "sarc"}
    # Told to every party it concerns but the one that proposed it, undof as its monitor.
    assert proposed["concerned"] == ["idf", "sarc", "undof"]
    line.expect_arrivals({p: [("proposal", proposed["id"])] for p in ("sarc", "undof")})
    line.at("2026-11-24T12:05:00.000000Z")
    # A party suspends its own participation (as Russia once suspended the channel).
    suspended = api.as_("sarc", "admin").patch("/v1/parties/sarc", json={"status": "suspended"})
    assert suspended.status_code == 200, suspended.text
    assert suspended.json()["status"] == "suspended"

    line.at("2026-11-24T12:10:00.000000Z")
    closure = line.clients["idf"].post(
        "/v1/notices",
        json={
            "kind": "ground_movement",
            "title": "Road closed west of Line A for a convoy of ours",
            "volumes": [
                {
                    "outline": {"type": "circle", "center": "33.0000N 35.7000E", "radius": "2 km"},
                    "altitude": {"lower": "SFC", "upper": "100 m AGL"},
                    "window": {
                        "start": "2026-11-24T15:00:00.000000Z",
                        "end": "2026-11-24T17:00:00.000000Z",
                    },
                }
            ],
        },
    )
    assert closure.status_code == 201, closure.text
    closed_road = closure.json()
    road_id = closed_road["notice"]["id"]
    assert closed_road["alerts"] == []
    by_recipient = {
        d["recipient"]: d for d in closed_road["deliveries"] if d["item_type"] == "notice"
    }
    assert by_recipient["rus"]["status"] == "delivered"
    assert by_recipient["sarc"]["status"] == "undelivered"
    assert by_recipient["sarc"]["note"] == "Syrian Arab Red Crescent is suspended"
    (report,) = [d for d in closed_road["deliveries"] if d["item_type"] == "undelivered"]
    assert (report["recipient"], report["item_id"]) == ("idf", by_recipient["sarc"]["id"])
    arrived = line.expect_arrivals(
        {
            "idf": [("undelivered", by_recipient["sarc"]["id"])],
            "rus": [("notice", road_id)],
            "sarc": [("notice", road_id)],  # recorded in its inbox as undelivered
        }
    )
    assert arrived["sarc"][0]["status"] == "undelivered"
    assert arrived["idf"][0]["note"] == (
        f"notice {road_id} could not be delivered to Syrian Arab Red Crescent: "
        "the party is suspended"
    )
    opened = line.clients["idf"].get(f"/v1/inbox/{arrived['idf'][0]['id']}").json()
    assert (opened["item"]["recipient"], opened["item"]["status"]) == ("sarc", "undelivered")
    line.at("2026-11-24T12:11:00.000000Z")
    line.ack("rus", arrived["rus"][0], "Received")
    # Nothing to acknowledge in what was never delivered.
    never = line.clients["sarc"].post(f"/v1/inbox/{arrived['sarc'][0]['id']}/ack", json={})
    assert never.status_code == 409
    assert never.json()["error"]["type"] == "conflicting_record"

    # == the end of the day: nothing left to chase =========================================
    line.at("2026-11-24T23:59:00.000000Z")
    assert api.escalate() == []

    # == the streams ======================================================================
    with api.coordinator.db.reading() as connection:
        last = {p: max(e.seq for e in feed_since(connection, p, 0, 100_000)) for p in PARTIES}
    for party in PARTIES:
        line.streams[party].wait_for(last[party])
    api.services.feeds.request_close()
    for party in PARTIES:
        line.streams[party].ended()
        check_stream(line, party, line.streams[party].events)

    secret = (air_id, exercise_id, patrol_id, patrol_2_id)
    sarc_text = json.dumps([e.data for e in line.streams["sarc"].events])
    assert not any(ident in sarc_text for ident in secret)
    # Each escalation step is on the feeds concerned, recorded at the time it was due.
    escalated = {
        party: [
            (
                e.payload["escalation"]["level"],
                e.payload["escalation"]["to_monitors"],
                e.payload["escalation"]["due_at"],
                e.data["recorded_at"],
            )
            for e in line.streams[party].events
            if e.type == "delivery.escalated"
        ]
        for party in PARTIES
    }
    first_step = (1, False, "2026-11-24T10:04:10.000000Z", "2026-11-24T10:04:10.000000Z")
    to_monitor = (2, True, "2026-11-24T10:09:10.000000Z", "2026-11-24T10:09:10.000000Z")
    # IDF sent the notice: it learns that it escalated, never whom RUS called.
    idf_text = json.dumps([e.data for e in line.streams["idf"].events])
    assert "Hmeimim air command, chief of staff duty" not in idf_text
    assert escalated == {
        "idf": [first_step, to_monitor],
        "rus": [first_step, to_monitor],
        "sarc": [],
        "undof": [to_monitor],
    }


def check_stream(line: Line, party: str, events: list[Event]) -> None:
    """The party's stream holds its inbox, its alerts and its own filings, each event once, in
    order, and nothing that is not its own business."""
    ids = [e.id for e in events]
    assert ids == sorted(set(ids)), (party, "out of order or twice")
    for e in events:
        assert e.id == e.data["seq"]
        assert e.type == e.data["type"]

    inbox = {i["id"]: i for i in line.inbox(party)}
    alerts = line.alerts(party)
    client = line.clients[party]
    own = {
        n["id"]
        for n in client.get("/v1/notices", params={"author": party, "status": "all"}).json()[
            "notices"
        ]
    }
    if party == "undof":
        own |= {o["id"] for o in client.get("/v1/observations").json()["observations"]}
    else:
        own |= {s["id"] for s in client.get("/v1/sites", params={"owner": party}).json()["sites"]}

    of_type: dict[str, list[Event]] = {}
    for e in events:
        of_type.setdefault(e.type, []).append(e)
    # Nothing missing, nothing extra: every delivery to the party, every alert naming it; and
    # the deliveries of what the party sent (a sender must be able to prove delivery).
    created = [e.data["payload"]["delivery"] for e in of_type.get("delivery.created", [])]
    assert {d["id"] for d in created if d["recipient"] == party} == set(inbox), party
    assert created, "nothing to check: the assertion below would pass on nothing"
    assert all(d["recipient"] == party or d["sender"] == party for d in created), party
    assert {e.data["subject"] for e in of_type.get("alert.opened", [])} == set(alerts), party
    # Each inbox item's last event tells where it stands now.
    latest: dict[str, dict[str, Any]] = {}
    for e in events:
        if e.type.startswith("delivery."):
            latest[e.payload["delivery"]["id"]] = e.payload["delivery"]
    for ident, item in inbox.items():
        assert latest[ident]["status"] == item["status"], (party, item)
        assert latest[ident]["level"] == item["level"], (party, item)
    # Nothing of another party's.
    for e in events:
        if e.type.startswith("delivery."):
            d = e.payload["delivery"]
            concerned = {d["recipient"], d["sender"]}
            if e.type == "delivery.escalated" and e.payload["escalation"]["to_monitors"]:
                concerned |= set(d["monitors"])
            assert party in concerned, (party, e)
        elif e.type.startswith("alert."):
            assert party in e.payload["change"]["alert"]["parties"], (party, e)
            assert e.data["subject"] in alerts
        elif e.type == "message.sent":
            assert e.payload["message"]["sender"] == party
        elif e.type.startswith("proposal."):
            assert party in e.payload["proposal"]["concerned"], (party, e)
        elif e.type in ("party.recorded", "line.recorded"):
            pass  # everyone on the line knows who is on it and where the lines run
        elif e.type == "agreement.recorded":
            item = e.payload["item"]
            assert party in {*item["parties"], *item["monitors"]}, (party, e)
        elif e.type == "zone.recorded":
            item = e.payload["item"]
            assert party in {*item["signatories"], *item["monitors"]}, (party, e)
        elif e.type == "notice.filed":
            # Its author's, or addressed to the party (delivered to its inbox).
            received = {i["item_id"] for i in inbox.values() if i["item_type"] == "notice"}
            assert e.data["subject"] in own | received, (party, e)
        elif e.type == "site.recorded":
            # Sites are seen by their owner and the parties bound by an agreement with it.
            assert e.data["subject"] in own or party != e.payload["item"]["owner"], (party, e)
        else:
            # Its reporter's, or for a signatory or monitor of the zone agreements: the ones
            # who may be told that it breaks a zone rule (and may read it).
            assert e.type == "observation.filed", e.type
            zoned = {p for z in GOLAN["zones"] for p in (*z["signatories"], *z.get("monitors", []))}
            assert e.data["subject"] in own or party in zoned, (party, e)


def test_the_scenario_file_is_the_one_the_day_plays() -> None:
    """The day posts the scenario's own items: a guard against the file changing under it."""
    assert {n["id"] for n in GOLAN["notices"]} == {
        "n-sarc-001",
        "n-idf-002",
        "n-rus-001",
        "n-rus-002",
        "n-idf-001",
        "n-idf-003",
    }
    assert [o["id"] for o in GOLAN["observations"]] == [f"o-00{i}" for i in range(1, 7)]
    assert {a["id"]: a["acknowledgement"] for a in GOLAN["agreements"]}["idf-rus"] == {
        "deadline": "5 min",
        "step": "5 min",
    }
