"""The hotline: who receives what, by when they must acknowledge it, and who is called next.

Every notice reaches each addressee's inbox, and every alert each party it names.  A delivery
goes *delivered* -> *read* -> *acknowledged*; an acknowledgement means "received", nothing more,
and may carry a reply.  There is no approve or deny anywhere.

When an acknowledgement is due and has not come, the item escalates: first to the next duty
contact in the recipient's chain, then, one step later each time, to the following contacts,
and last to the monitor parties of the agreement.  Each step happens at its own scheduled time
(a server that was down catches up with every step, each at the time it was due).

A delivery to a suspended or withdrawn party is *undelivered* at once, and the sender is told.

Everything here is pure: time comes in as ``now``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import Field

from deconfliction.engine.alerts import Alert, Record
from deconfliction.engine.detection.roster import Roster
from deconfliction.engine.errors import ConflictingRecord
from deconfliction.engine.model import Agreement, Notice, PartyStatus
from deconfliction.engine.model.common import UtcTime
from deconfliction.engine.times import milliseconds

__all__ = [
    "AckTerms",
    "Delivery",
    "DeliveryStatus",
    "Escalation",
    "ItemType",
    "Message",
    "acknowledge",
    "alert_deliveries",
    "delivery_id",
    "escalate",
    "incident_deliveries",
    "mark_read",
    "message_deliveries",
    "notice_deliveries",
    "proposal_deliveries",
]


class ItemType(StrEnum):
    notice = "notice"
    alert = "alert"
    message = "message"
    escalation = "escalation"
    undelivered = "undelivered"
    proposal = "proposal"
    incident = "incident"


class DeliveryStatus(StrEnum):
    delivered = "delivered"
    read = "read"
    acknowledged = "acknowledged"
    undelivered = "undelivered"


@dataclass(frozen=True, slots=True)
class AckTerms:
    """How quickly a recipient must acknowledge, and who is called last."""

    deadline_s: float
    step_s: float
    monitors: tuple[str, ...]
    agreements: tuple[str, ...]


class Delivery(Record):
    """One item in one party's inbox: delivered -> read -> acknowledged (acknowledged means
    "received", nothing more), or undelivered when the recipient is suspended or withdrawn.

    ``deadline_at`` is when acknowledgement is due (None when none is asked for);
    ``level`` counts the escalation steps taken; ``next_at`` is when the next step is due
    (None when no further step remains or the item is acknowledged).
    """

    id: str
    item_type: ItemType
    item_id: str
    recipient: str
    sender: str | None
    status: DeliveryStatus
    delivered_at: UtcTime
    deadline_at: UtcTime | None = Field(
        default=None, description="When acknowledgement is due (if asked)."
    )
    step_s: float | None = Field(default=None, description="Seconds between escalation steps.")
    monitors: tuple[str, ...] = Field(default=(), description="Parties the item escalates to last.")
    level: int = Field(default=0, description="Escalation steps taken so far.")
    next_at: UtcTime | None = Field(
        default=None, description="When the next escalation step is due."
    )
    read_at: UtcTime | None = None
    acknowledged_at: UtcTime | None = None
    reply: str | None = Field(
        default=None, description="The reply sent with the acknowledgement, if any."
    )
    note: str = ""


class Escalation(Record):
    """One escalation step: the item was not acknowledged in time, so the recipient's next duty
    contact (``level`` in its chain) was called, or, last, the monitors (``to_monitors``).

    It says the level, never whom: a party's chain of duty contacts is its own (private), and
    the sender learns that its item escalated and how far, not who was called."""

    delivery_id: str
    level: int
    due_at: UtcTime
    party: str
    to_monitors: bool
    description: str


class Message(Record):
    """A message from one party to another, free or about a notice both may see."""

    id: str
    sender: str
    recipient: str
    notice_id: str | None
    sent_at: UtcTime
    body: str


def delivery_id(
    item_type: ItemType, item_id: str, recipient: str, at: datetime | None = None
) -> str:
    """A stable identifier: the same item to the same party is one delivery.

    With ``at`` (a notice's deliveries, all made in the transaction that records the notice,
    at its time), the identifier begins with that time in milliseconds since 1970, as 11
    hexadecimal digits, and ends with 12 digits of the digest: deliveries made together sort
    together and after those made before, so that the b-trees keyed by delivery id (the
    deliveries' key, the log's index of subjects) take a notice's nine deliveries at one place,
    where ids that are all digest are nine random places (nine pages a notice written in each;
    docs/design/record.md, "Delivery ids").  26 characters, 3 more than the form without time
    (more would be more bytes in every row, entry and index that names the delivery); the
    digest's 48 bits tell apart the deliveries of one millisecond.  Ids made before keep their
    form.  The id is no secret: who may read a delivery is its audience.

    Examples
    --------
    >>> delivery_id(ItemType.notice, "n-1", "rus") == delivery_id(ItemType.notice, "n-1", "rus")
    True
    >>> delivery_id(ItemType.notice, "n-1", "rus").startswith("dv-")
    True
    >>> from datetime import UTC
    >>> delivery_id(ItemType.notice, "n-1", "rus", datetime(2026, 12, 8, tzinfo=UTC))[:14]
    'dv-1a252f33400'
    """
    digest = hashlib.sha256(f"{item_type.value}\x1f{item_id}\x1f{recipient}".encode()).hexdigest()
    if at is None:
        return f"dv-{digest[:20]}"
    return f"dv-{milliseconds(at):011x}{digest[:12]}"


def _terms(agreements: Iterable[Agreement]) -> AckTerms | None:
    chosen = sorted(agreements, key=lambda a: a.id)
    if not chosen:
        return None
    deadline = min(a.acknowledgement.deadline.seconds for a in chosen)
    step = min((a.acknowledgement.step or a.acknowledgement.deadline).seconds for a in chosen)
    monitors = sorted({m for a in chosen for m in a.monitors})
    return AckTerms(deadline, max(step, 1.0), tuple(monitors), tuple(a.id for a in chosen))


def _active(roster: Roster, party: str) -> bool:
    found = roster.parties.get(party)
    return found is not None and found.status is PartyStatus.active


def _deliver(
    item_type: ItemType,
    item_id: str,
    recipient: str,
    sender: str | None,
    terms: AckTerms | None,
    roster: Roster,
    now: datetime,
    *,
    ordered: bool = False,
) -> list[Delivery]:
    """The delivery to ``recipient``, and when it cannot be delivered, the report to the
    sender.  Each delivery is constructed once, with its final fields (a notice makes one per
    addressee on the write path).  ``ordered``: its id begins with ``now`` (see
    :func:`delivery_id`)."""
    id = delivery_id(item_type, item_id, recipient, now if ordered else None)

    def delivery(status: DeliveryStatus, **more: Any) -> Delivery:
        return Delivery(
            id=id,
            item_type=item_type,
            item_id=item_id,
            recipient=recipient,
            sender=sender,
            status=status,
            delivered_at=now,
            **more,
        )

    if not _active(roster, recipient):
        party = roster.parties.get(recipient)
        status = party.status.value if party is not None else "unknown"
        out = [delivery(DeliveryStatus.undelivered, note=f"{roster.name(recipient)} is {status}")]
        if sender is not None and sender != recipient:
            out.append(
                Delivery(
                    id=delivery_id(ItemType.undelivered, id, sender),
                    item_type=ItemType.undelivered,
                    item_id=id,
                    recipient=sender,
                    sender=None,
                    status=DeliveryStatus.delivered,
                    delivered_at=now,
                    note=f"{item_type.value} {item_id} could not be delivered to "
                    f"{roster.name(recipient)}: the party is {status}",
                )
            )
        return out
    if terms is None:
        return [delivery(DeliveryStatus.delivered)]
    deadline = now + timedelta(seconds=terms.deadline_s)
    return [
        delivery(
            DeliveryStatus.delivered,
            deadline_at=deadline,
            step_s=terms.step_s,
            monitors=terms.monitors,
            next_at=deadline,
        )
    ]


def notice_deliveries(notice: Notice, roster: Roster, now: datetime) -> list[Delivery]:
    """A notice reaches every addressee; its deadline is the shortest among the agreements
    under which the author notifies that addressee."""
    author, kind = notice.author, notice.kind

    def plan() -> list[tuple[str, AckTerms | None]]:
        out = []
        for recipient in sorted(roster.addressees(author, kind)):
            binding = [
                a for a in roster.agreements.values() if recipient in a.addressees(author, kind)
            ]
            out.append((recipient, _terms(binding)))
        return out

    # The same for every notice of this author and kind until the agreements change.
    planned = roster.remembered(("notice deliveries", author, kind), plan)
    out: list[Delivery] = []
    alike: dict[AckTerms | None, Delivery] = {}
    for recipient, terms in planned:
        made = alike.get(terms)
        if made is not None and _active(roster, recipient):
            # Another addressee under the same terms: the same record but for whom it is, so
            # a copy with those two fields put in (a validated model costs twice as much, and
            # a notice makes one per addressee on the write path).  Both are plain strings:
            # the id made here, the recipient a party of the roster.
            id = delivery_id(ItemType.notice, notice.id, recipient, now)
            out.append(made.model_copy(update={"id": id, "recipient": recipient}))
            continue
        made_now = _deliver(
            ItemType.notice, notice.id, recipient, author, terms, roster, now, ordered=True
        )
        if made_now[0].status is DeliveryStatus.delivered:
            alike[terms] = made_now[0]
        out.extend(made_now)
    return out


def alert_deliveries(alert: Alert, roster: Roster, now: datetime) -> list[Delivery]:
    """An alert reaches every party it names; its deadline is the shortest among the
    agreements binding that party with another party the alert names (or any agreement of
    that party when it is the only one named)."""
    out: list[Delivery] = []
    for recipient in alert.parties:
        others = set(alert.parties) - {recipient}
        binding = [
            a
            for a in roster.agreements.values()
            if recipient in a.parties and (not others or others & set(a.parties))
        ]
        out.extend(
            _deliver(ItemType.alert, alert.id, recipient, None, _terms(binding), roster, now)
        )
    return out


def message_deliveries(
    message_id: str, sender: str, recipient: str, roster: Roster, now: datetime
) -> list[Delivery]:
    """A message between two parties; acknowledgement is due under the agreements binding
    them, if any."""
    binding = [a for a in roster.agreements.values() if a.binds(sender, recipient)]
    return _deliver(ItemType.message, message_id, recipient, sender, _terms(binding), roster, now)


def proposal_deliveries(
    proposal_id: str, proposer: str, concerned: Iterable[str], roster: Roster, now: datetime
) -> list[Delivery]:
    """A proposed change reaches every other party it concerns, for its admins to consent to,
    decline, or simply know of (a party leaving)."""
    out: list[Delivery] = []
    for party in sorted(set(concerned) - {proposer}):
        out.extend(_deliver(ItemType.proposal, proposal_id, party, proposer, None, roster, now))
    return out


def incident_deliveries(
    incident_id: str, told: Mapping[str, str], roster: Roster, now: datetime
) -> list[Delivery]:
    """An incident reaches each party in ``told`` (party: why it is told), so that it may
    give its account.  No sender is named (the reporter does not learn whom else it concerns)
    and no acknowledgement is due."""
    out: list[Delivery] = []
    for party in sorted(told):
        for d in _deliver(ItemType.incident, incident_id, party, None, None, roster, now):
            out.append(d.model_copy(update={"note": told[party]}) if not d.note else d)
    return out


def mark_read(delivery: Delivery, now: datetime) -> Delivery:
    """The first read is recorded; later reads change nothing."""
    if delivery.status is not DeliveryStatus.delivered:
        return delivery
    return delivery.model_copy(update={"status": DeliveryStatus.read, "read_at": now})


def acknowledge(delivery: Delivery, now: datetime, reply: str | None = None) -> Delivery:
    """Acknowledge receipt: stops escalation.  A second acknowledgement is refused."""
    if delivery.status is DeliveryStatus.undelivered:
        raise ConflictingRecord(
            f"delivery {delivery.id} was never delivered: nothing to acknowledge"
        )
    if delivery.status is DeliveryStatus.acknowledged:
        raise ConflictingRecord(
            f"delivery {delivery.id} was already acknowledged at {delivery.acknowledged_at}"
        )
    return delivery.model_copy(
        update={
            "status": DeliveryStatus.acknowledged,
            "read_at": delivery.read_at or now,
            "acknowledged_at": now,
            "reply": reply,
            "next_at": None,
        }
    )


def escalate(
    delivery: Delivery, roster: Roster, now: datetime
) -> tuple[Delivery, list[Escalation], list[Delivery]]:
    """Every escalation step due by ``now``: the updated delivery, the steps taken, and the
    deliveries to monitor parties the last step makes.

    Steps: level 1 .. k-1 call the recipient's duty contacts 1 .. k-1 (contact 0 received the
    item); the next level calls the monitors; then no step remains.
    """
    steps: list[Escalation] = []
    to_monitors: list[Delivery] = []
    party = roster.parties.get(delivery.recipient)
    contacts = list(party.duty_contacts) if party is not None else []
    current = delivery
    while (
        current.next_at is not None
        and current.next_at <= now
        and current.status in (DeliveryStatus.delivered, DeliveryStatus.read)
    ):
        level = current.level + 1
        due = current.next_at
        waited = (due - current.delivered_at).total_seconds()
        what = f"{current.item_type.value} {current.item_id}"
        if level < len(contacts):
            steps.append(
                Escalation(
                    delivery_id=current.id,
                    level=level,
                    due_at=due,
                    party=current.recipient,
                    to_monitors=False,
                    description=f"{what} not acknowledged by {roster.name(current.recipient)} after "
                    f"{waited / 60:.0f} min: calling its duty contact {level + 1} of {len(contacts)}",
                )
            )
            last = False
        else:
            names = ", ".join(roster.name(m) for m in current.monitors) or "no monitor party"
            steps.append(
                Escalation(
                    delivery_id=current.id,
                    level=level,
                    due_at=due,
                    party=current.recipient,
                    to_monitors=True,
                    description=f"{what} not acknowledged by {roster.name(current.recipient)} after "
                    f"{waited / 60:.0f} min and every duty contact: escalated to {names}",
                )
            )
            for monitor in current.monitors:
                if monitor == current.recipient:
                    continue
                to_monitors.extend(
                    d
                    for d in _deliver(
                        ItemType.escalation, current.id, monitor, None, None, roster, due
                    )
                    if d.recipient == monitor
                )
            last = True
        step = timedelta(seconds=current.step_s or 0.0)
        current = current.model_copy(
            update={"level": level, "next_at": None if last else due + step}
        )
    return current, steps, to_monitors
