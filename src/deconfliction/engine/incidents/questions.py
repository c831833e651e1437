"""The questions asked after an incident, answered from ledger entries alone.

:func:`answer` takes the entries a party may read (the server's view, or an evidence bundle's)
and answers, for one incident:

1. which notices covered its place and time, and which came near;
2. when each was filed and the lead time it gave, to its start and to the incident;
3. who received, read and acknowledged each notice (and each alert), and when;
4. which alerts were raised before the incident, and to whom;
5. whether a protected site there was registered before the incident and valid at its time;
6. which accounts agree or disagree on which facts.

Every answer names the indexes of the entries that prove it.  The same function answers on
the server and in the offline check of a bundle (:mod:`.bundles`), which is how a bundle's
answers are recomputed instead of trusted.  Nothing here reads a clock or a store.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from pydantic import Field

from deconfliction.engine.alerts import Record
from deconfliction.engine.errors import NotFound
from deconfliction.engine.ledger.entries import Entry
from deconfliction.engine.model.incidents import FACTS, Account, Incident
from deconfliction.engine.times import format_time, parse_utc

__all__ = [
    "AccountSummary",
    "AlertAnswer",
    "Answers",
    "DeliveryAnswer",
    "FactAnswer",
    "LinkAnswer",
    "NoticeAnswer",
    "SiteAnswer",
    "answer",
]

INCIDENT_REPORTED = "incident.reported"
INCIDENT_LINKED = "incident.linked"
INCIDENT_ACCOUNT = "incident.account"


class DeliveryAnswer(Record):
    """What became of one delivery: to whom, and when it was delivered, read, acknowledged."""

    delivery: str
    recipient: str
    status: str
    delivered_at: str
    read_at: str | None
    acknowledged_at: str | None
    reply: str | None
    escalation_steps: int
    escalated_to_monitors: bool
    entries: tuple[int, ...]


class NoticeAnswer(Record):
    notice: str
    author: str
    action: str
    relation: str = Field(description="covers, near or cancels (see the link)")
    filed_at: str = Field(description="The notice's filing time, as recorded.")
    recorded_at: str = Field(description="The server's time of its entry.")
    starts_at: str | None
    lead_time_s: float | None = Field(description="From filing to the start of operations.")
    lead_to_incident_s: float = Field(description="From filing to the incident's start.")
    deliveries: tuple[DeliveryAnswer, ...]
    entries: tuple[int, ...]


class AlertAnswer(Record):
    alert: str
    kind: str
    raised_at: str
    parties: tuple[str, ...]
    explanation: str
    before_incident_s: float
    deliveries: tuple[DeliveryAnswer, ...]
    entries: tuple[int, ...]


class SiteAnswer(Record):
    site: str
    name: str
    owner: str
    relation: str
    registered_at: str | None = Field(description="When its first entry was recorded.")
    registered_before_incident: bool
    valid_at_incident: bool = Field(
        description="Per the version recorded last before the incident (False if none was)."
    )
    valid_from: str | None
    valid_until: str | None
    entries: tuple[int, ...]


class LinkAnswer(Record):
    kind: str
    id: str
    relation: str
    distance_m: float | None
    gap_s: float | None
    explanation: str
    entries: tuple[int, ...] = Field(description="The link's entry, then the linked item's.")


class AccountSummary(Record):
    account: str
    party: str
    version: int
    replaces: str | None
    submitted_at: str
    statement: str
    current: bool = Field(description="False once a later version replaced it.")
    entries: tuple[int, ...]


class Dispute(Record):
    party: str
    account: str
    note: str
    alternative: dict[str, Any] | None


class FactAnswer(Record):
    """Who agrees with one fact of the incident and who disputes it (current accounts; the
    reporter stands by its own report)."""

    fact: str
    agree: tuple[str, ...]
    dispute: tuple[Dispute, ...]
    entries: tuple[int, ...]


class Answers(Record):
    incident: Incident
    incident_entries: tuple[int, ...]
    links: tuple[LinkAnswer, ...]
    notices: tuple[NoticeAnswer, ...]
    alerts: tuple[AlertAnswer, ...]
    sites: tuple[SiteAnswer, ...]
    accounts: tuple[AccountSummary, ...]
    facts: tuple[FactAnswer, ...]

    def cited(self) -> set[int]:
        """Every entry index any answer cites."""
        out = set(self.incident_entries)
        for group in (self.links, self.notices, self.alerts, self.sites, self.accounts):
            for answer in group:
                out.update(answer.entries)
        for notice in self.notices:
            for d in notice.deliveries:
                out.update(d.entries)
        for alert in self.alerts:
            for d in alert.deliveries:
                out.update(d.entries)
        for fact in self.facts:
            out.update(fact.entries)
        return out


def _seconds(a: datetime, b: datetime) -> float:
    return round((a - b).total_seconds(), 6)


def _deliveries(entries: Iterable[Entry]) -> dict[str, list[DeliveryAnswer]]:
    """Each delivery's final state, grouped by the item it delivered."""
    by_id: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        if entry.type.startswith("delivery."):
            by_id[entry.subject].append(entry)
    out: dict[str, list[DeliveryAnswer]] = defaultdict(list)
    for delivery_id, group in sorted(by_id.items()):
        last = group[-1].event["delivery"]
        steps = [e.event["escalation"] for e in group if e.type == "delivery.escalated"]
        out[str(last["item_id"])].append(
            DeliveryAnswer(
                delivery=delivery_id,
                recipient=last["recipient"],
                status=last["status"],
                delivered_at=last["delivered_at"],
                read_at=last.get("read_at"),
                acknowledged_at=last.get("acknowledged_at"),
                reply=last.get("reply"),
                escalation_steps=len(steps),
                escalated_to_monitors=any(s.get("to_monitors") for s in steps),
                entries=tuple(e.index for e in group),
            )
        )
    return out


def _item_entries(entries: Iterable[Entry]) -> dict[str, list[Entry]]:
    """Entries recording items (notices, sites, zones, ...) and alert changes, by subject."""
    out: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        if "item" in entry.event or "change" in entry.event:
            out[entry.subject].append(entry)
    return out


def _evidence(entries: Iterable[Entry], link: Mapping[str, Any]) -> list[Entry]:
    """The entries holding the evidence a track link names (its alert's ``evidence``)."""
    return [
        e
        for e in entries
        if e.subject == link["via"] and e.event.get("evidence", {}).get("alert") == link["via"]
    ]


def _notice_answer(
    link: Mapping[str, Any],
    filed: Entry,
    incident: Incident,
    deliveries: Mapping[str, list[DeliveryAnswer]],
) -> NoticeAnswer:
    item = filed.event["item"]
    filed_at = parse_utc(item["filed_at"])
    starts = [parse_utc(v["window"]["start"]) for v in item.get("volumes", [])]
    start = min(starts) if starts else None
    return NoticeAnswer(
        notice=item["id"],
        author=item["author"],
        action=item.get("action", "new"),
        relation=link["relation"],
        filed_at=format_time(filed_at),
        recorded_at=format_time(filed.recorded_at),
        starts_at=None if start is None else format_time(start),
        lead_time_s=None if start is None else _seconds(start, filed_at),
        lead_to_incident_s=_seconds(incident.started_at, filed_at),
        deliveries=tuple(deliveries.get(item["id"], ())),
        entries=(filed.index,),
    )


def _alert_answer(
    group: list[Entry], incident: Incident, deliveries: Mapping[str, list[DeliveryAnswer]]
) -> AlertAnswer:
    alert = group[0].event["change"]["alert"]
    raised = parse_utc(alert["raised_at"])
    before = [e for e in group if parse_utc(e.event["change"]["at"]) <= incident.end] or group[:1]
    return AlertAnswer(
        alert=alert["id"],
        kind=alert["kind"],
        raised_at=format_time(raised),
        parties=tuple(alert["parties"]),
        explanation=alert["explanation"],
        before_incident_s=_seconds(incident.started_at, raised),
        deliveries=tuple(deliveries.get(alert["id"], ())),
        entries=tuple(e.index for e in before),
    )


def _site_answer(link: Mapping[str, Any], group: list[Entry], incident: Incident) -> SiteAnswer:
    at = incident.started_at
    earlier = [e for e in group if e.recorded_at <= at]
    item = (earlier or group)[-1].event["item"]
    valid_from, valid_until = parse_utc(item["valid_from"]), parse_utc(item["valid_until"])
    return SiteAnswer(
        site=item["id"],
        name=item["name"],
        owner=item["owner"],
        relation=link["relation"],
        registered_at=format_time(group[0].recorded_at),
        registered_before_incident=bool(earlier),
        valid_at_incident=bool(earlier) and valid_from <= at < valid_until,
        valid_from=format_time(valid_from),
        valid_until=format_time(valid_until),
        entries=tuple(e.index for e in group),
    )


def _facts(
    incident: Incident,
    incident_entry: int,
    accounts: list[tuple[Account, Entry]],
    link_ids: list[str],
) -> list[FactAnswer]:
    current: dict[str, tuple[Account, Entry]] = {}
    for account, entry in accounts:
        current[account.party] = (account, entry)  # accounts come in log order
    out = []
    for fact in (*FACTS, *(f"link:{i}" for i in link_ids)):
        agree = [incident.reported_by] if not fact.startswith("link:") else []
        dispute: list[Dispute] = []
        cited = [incident_entry]
        for party in sorted(current):
            account, entry = current[party]
            for position in account.positions:
                if position.fact != fact:
                    continue
                cited.append(entry.index)
                if position.stance.value == "agrees":
                    agree.append(party)
                else:
                    alternative = position.model_dump(
                        mode="json", include={"place", "started_at", "ended_at"}, exclude_none=True
                    )
                    dispute.append(
                        Dispute(
                            party=party,
                            account=account.id,
                            note=position.note,
                            alternative=alternative or None,
                        )
                    )
        if fact.startswith("link:") and not agree and not dispute:
            continue
        out.append(
            FactAnswer(
                fact=fact,
                agree=tuple(dict.fromkeys(agree)),
                dispute=tuple(dispute),
                entries=tuple(sorted(set(cited))),
            )
        )
    return out


def answer(entries: Iterable[Entry], incident_id: str) -> Answers:
    """The answers for ``incident_id`` from ``entries`` (any order; those not concerning it
    are ignored).  Raises NotFound when no entry reports the incident."""
    ordered = sorted(entries, key=lambda e: e.index)
    reports = [e for e in ordered if e.type == INCIDENT_REPORTED and e.subject == incident_id]
    if not reports:
        raise NotFound("incident", incident_id)
    incident = Incident.model_validate(reports[-1].event["incident"])
    links = [
        e
        for e in ordered
        if e.type == INCIDENT_LINKED
        and e.subject == incident_id
        and e.event["version"] == incident.version
    ]
    items = _item_entries(ordered)
    deliveries = _deliveries(ordered)

    link_answers = []
    notices: list[NoticeAnswer] = []
    alerts: list[AlertAnswer] = []
    sites: list[SiteAnswer] = []
    for entry in links:
        link = entry.event["link"]
        group = items.get(link["id"], []) if link.get("via") is None else _evidence(ordered, link)
        link_answers.append(
            LinkAnswer(
                kind=link["kind"],
                id=link["id"],
                relation=link["relation"],
                distance_m=link.get("distance_m"),
                gap_s=link.get("gap_s"),
                explanation=link["explanation"],
                entries=(entry.index, *(e.index for e in group)),
            )
        )
        if not group:
            continue
        if link["kind"] == "notice":
            notices.append(_notice_answer(link, group[0], incident, deliveries))
        elif link["kind"] == "alert":
            alerts.append(_alert_answer(group, incident, deliveries))
        elif link["kind"] == "site":
            sites.append(_site_answer(link, group, incident))

    accounts: list[tuple[Account, Entry]] = [
        (Account.model_validate(e.event["account"]), e)
        for e in ordered
        if e.type == INCIDENT_ACCOUNT and e.subject == incident_id
    ]
    replaced = {a.replaces for a, _ in accounts if a.replaces}
    summaries = tuple(
        AccountSummary(
            account=a.id,
            party=a.party,
            version=a.version,
            replaces=a.replaces,
            submitted_at=format_time(a.submitted_at),
            statement=a.statement,
            current=a.id not in replaced,
            entries=(e.index,),
        )
        for a, e in accounts
    )
    notices.sort(key=lambda n: (n.relation != "covers", n.filed_at, n.notice))
    alerts.sort(key=lambda a: (a.raised_at, a.alert))
    return Answers(
        incident=incident,
        incident_entries=tuple(e.index for e in reports),
        links=tuple(link_answers),
        notices=tuple(notices),
        alerts=tuple(alerts),
        sites=tuple(sites),
        accounts=summaries,
        facts=tuple(_facts(incident, reports[-1].index, accounts, [la.id for la in link_answers])),
    )
