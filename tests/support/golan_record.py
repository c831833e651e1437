"""The Golan day on the record as it would have happened: every item filed at its own time by
the server's clock (so that each entry's time is the item's), the hotline worked (notices
read and acknowledged, some late, some never), and the two incidents the accountability work
is tested on:

* **the Il-20 case**: Russia reports an aircraft shot down at 10:03, 3.7 km east of the area
  Israel notified 50 s before its air operation began; Israel's account disputes the place;
* **the hospital**: the Red Crescent reports the Quneitra hospital, notified and valid, struck
  at 10:20, inside Israel's notified area.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from deconfliction.engine.model.incidents import AccountStatement, IncidentReport
from deconfliction.engine.scenario import ordered_items
from deconfliction.service import evidence, hotline, incidents
from deconfliction.service.auth import Principal, Role
from deconfliction.service.clock import FixedClock
from deconfliction.service.coordinator import Coordinator, Tx
from deconfliction.service.documents import demo_path, load_scenario_file
from deconfliction.service.filing import file
from deconfliction.store.deliveries import deliveries_of_item

__all__ = ["HOSPITAL", "IL20", "GolanRecord", "at", "golan_record"]


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


IL20: dict[str, Any] = {
    "kind": "shoot_down",
    "title": "Il-20 reconnaissance aircraft lost",
    "place": {"type": "point", "position": "33.1200N 35.9700E"},
    "started_at": "2026-11-24T10:03:00Z",
    "description": (
        "Our aircraft was lost three minutes after the Israeli air operation began. The warning "
        "came less than a minute before the strike and named another area."
    ),
    "parties": ["idf"],
}
HOSPITAL: dict[str, Any] = {
    "kind": "site_damaged",
    "title": "Quneitra National Hospital struck",
    "place": {"type": "point", "position": "33.1130N 35.8640E"},
    "started_at": "2026-11-24T10:20:00Z",
    "description": "The east wing was hit. The hospital is on the notified list.",
}
IDF_ACCOUNT: dict[str, Any] = {
    "statement": (
        "The mechanism operated in the relevant timeframe: the operation was notified before it "
        "began, and our aircraft were back in Israeli airspace when the aircraft was lost."
    ),
    "positions": [
        {
            "fact": "place",
            "stance": "disputes",
            "note": "The aircraft was lost far east of the notified area.",
            "place": {"type": "circle", "center": "33.1500N 36.3000E", "radius": "5 km"},
        },
        {"fact": "time", "stance": "agrees"},
    ],
}


HOTLINE: tuple[tuple[str, str, str, str | None], ...] = (
    # (when, who, which notice, the reply: None to read it only)
    ("2026-11-22T07:20:00Z", "idf", "n-sarc-001", "Received; the route is clear"),
    ("2026-11-22T09:00:00Z", "rus", "n-sarc-001", None),
    ("2026-11-23T06:04:00Z", "rus", "n-idf-002", "Received"),
    ("2026-11-24T08:05:00Z", "idf", "n-rus-001", "Received"),
    ("2026-11-24T08:55:00Z", "idf", "n-rus-002", "Received"),
    ("2026-11-24T10:01:30Z", "rus", "n-idf-001", None),
    ("2026-11-24T10:02:00Z", "rus", "n-idf-001", "Received; our Il-20 is over the area"),
)
"""Who read and acknowledged what, when.  Russia never acknowledges the convoy's notice (it
escalates); Israel's air operation is acknowledged two minutes after it began."""


def who(party: str, role: Role = Role.duty_officer) -> Principal:
    return Principal(party, role)


@dataclass
class GolanRecord:
    coordinator: Coordinator
    clock: FixedClock
    ids: dict[str, str] = field(default_factory=dict)

    def run(self, when: str, command: Any) -> Any:
        """Run ``command(tx)`` at ``when`` (the clock never goes back)."""
        instant = at(when)
        if instant > self.clock.now():
            self.clock.set(instant)
        return self.coordinator.run(command)


def golan_record(
    store: str, keys: str | None = None, *, incidents_too: bool = True
) -> Iterator[GolanRecord]:
    """The Golan day on ``store``, with the hotline worked and (unless told not to) the two
    incidents and Israel's account of the Il-20."""
    clock = FixedClock(at("2025-06-01T00:00:00Z"))
    coordinator = Coordinator.open(store, clock=clock, keys_directory=keys)
    record = GolanRecord(coordinator, clock)
    try:
        scenario = load_scenario_file(demo_path())
        # The scenario's items at their own times, and the hotline as the day went.
        acts: list[tuple[datetime, int, Any]] = []
        for n, (_, _, item) in enumerate(ordered_items(scenario)):
            when = getattr(item, "filed_at", None) or getattr(item, "observed_at", None)
            when = when or getattr(item, "valid_from", None) or getattr(item, "declared_at", None)

            def command(tx: Tx, item: Any = item) -> None:
                file(tx, item)

            acts.append((when or clock.now(), n, command))
        for n, (when_text, party, notice, reply) in enumerate(HOTLINE):

            def answer(
                tx: Tx, party: str = party, notice: str = notice, reply: str | None = reply
            ) -> None:
                # The party's delivery of the notice, as its inbox lists it (its id begins
                # with the time the notice was filed).
                (ident,) = (
                    d.id
                    for d in deliveries_of_item(tx.connection, "notice", notice)
                    if d.recipient == party
                )
                if reply is None:
                    hotline.read_delivery(tx, who(party), ident)
                else:
                    hotline.acknowledge_delivery(tx, who(party), ident, reply)

            acts.append((at(when_text), 10_000 + n, answer))
        for when, _, command in sorted(acts, key=lambda a: (a[0], a[1])):
            if when > clock.now():
                clock.set(when)
            coordinator.run(command)
        record.run("2026-11-24T12:00:00Z", hotline.escalate_due)
        if incidents_too:
            il20 = IncidentReport.model_validate(IL20)
            found = record.run(
                "2026-11-24T10:40:00Z", lambda tx: incidents.report(tx, who("rus"), il20)
            )
            record.ids["il20"] = found.incident.id
            record.run(
                "2026-11-24T11:30:00Z",
                lambda tx: incidents.add_account(
                    tx, who("idf"), found.incident.id, AccountStatement.model_validate(IDF_ACCOUNT)
                ),
            )
            photo = record.run(
                "2026-11-24T12:05:00Z",
                lambda tx: evidence.upload(
                    tx, who("sarc"), b"east wing, 10:25", "image/jpeg", "wing.jpg"
                ),
            )
            hospital = IncidentReport.model_validate(
                {**HOSPITAL, "evidence": [photo.model_dump(mode="json")]}
            )
            found = record.run(
                "2026-11-24T12:10:00Z", lambda tx: incidents.report(tx, who("sarc"), hospital)
            )
            record.ids["hospital"] = found.incident.id
        yield record
    finally:
        coordinator.close()
