"""Dispute reconstruction: what happened to a notice, entry by entry, with proofs.

For a notice (every version of its series): when each version was filed (the server's time,
not the author's claim), its geometry, its lead time to the start of operations; when each
addressee received, read and acknowledged it, with any reply; every escalation step; every
undelivered report; the messages about it (each party sees those it sent or received).  Each line names its ledger entry, and the answer carries a receipt for
each entry under one signed head, so that a third party holding only the log's public key can
check every line.

Need to know: the author sees every addressee's lines; an addressee only its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from deconfliction.engine.errors import NotFound
from deconfliction.engine.ledger.entries import parse_entry
from deconfliction.engine.ledger.receipts import Receipt
from deconfliction.engine.model import Notice, NoticeAction
from deconfliction.engine.times import format_time
from deconfliction.engine.units import format_duration
from deconfliction.service.ledger import Ledger
from deconfliction.service.notices import notice_versions
from deconfliction.service.reading import Reader
from deconfliction.store import deliveries as delivery_store
from deconfliction.store import ledger as store
from deconfliction.store.messages import messages_about

__all__ = ["TimelineLine", "timeline"]


@dataclass(frozen=True, slots=True)
class TimelineLine:
    at: datetime
    event: str
    party: str | None
    detail: str
    index: int
    receipt: Receipt

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": format_time(self.at),
            "event": self.event,
            "party": self.party,
            "detail": self.detail,
            "index": self.index,
            "receipt": self.receipt.to_dict(),
        }


def timeline(reader: Reader, ledger: Ledger, notice_id: str) -> dict[str, Any]:
    """The reconstruction for ``notice_id`` as the reader's party may see it (everything for
    whoever runs the server), under the newest signed tree head of the read."""
    views = notice_versions(reader, notice_id)
    versions: list[Notice] = sorted((v.notice for v in views), key=lambda n: n.filed_at)
    notice = next(v.notice for v in views if v.notice.id == notice_id)
    party = reader.party
    is_author = party is None or party == notice.author
    connection = reader.connection
    deliveries = [
        d
        for v in versions
        for d in delivery_store.deliveries_of_item(connection, "notice", v.id)
        if is_author or d.recipient == party
    ]
    subjects = [v.id for v in versions] + [d.id for d in deliveries]
    if is_author:
        subjects += [
            r.id
            for d in deliveries
            for r in delivery_store.deliveries_of_item(connection, "undelivered", d.id)
        ]
    for message in messages_about(connection, [v.id for v in versions]):
        if party is not None and party not in (message.sender, message.recipient):
            continue
        if party is None or party == message.sender:  # the sending is the sender's entry
            subjects.append(message.id)
        subjects += [
            d.id
            for d in delivery_store.deliveries_of_item(connection, "message", message.id)
            if party is None or party in (d.recipient, d.sender)
        ]
    head = store.latest_head(connection)
    if head is None:
        raise NotFound("notice", notice_id)
    by_id = {v.id: v for v in versions}
    lines: list[TimelineLine] = []
    summary: list[dict[str, Any]] = []
    for stored in store.by_subjects(connection, subjects):
        if stored.index >= head.tree_size:
            continue
        entry = parse_entry(stored.canonical())
        event = entry.event
        who: str | None
        if stored.type == "notice.filed":
            version = by_id[stored.subject]
            who = version.author
            start = version.start
            if version.action is NoticeAction.cancel or start is None:
                detail = f"{version.id} cancels {version.replaces}"
            else:
                lead = (start - stored.recorded_at).total_seconds()
                outlines = "; ".join(
                    f"{vol.outline.describe()}, {vol.altitude}, {vol.window}"
                    for vol in version.volumes
                )
                detail = (
                    f"{version.id} ({version.action.value}) filed {format_duration(lead)} before "
                    f"its start ({format_time(start)}): {outlines}"
                )
                summary.append(
                    {
                        "notice": version.id,
                        "action": version.action.value,
                        "filed_at_server": format_time(stored.recorded_at),
                        "filed_at_claimed": format_time(version.filed_at),
                        "starts_at": format_time(start),
                        "lead_time_s": round(lead, 6),
                        "volumes": [v.model_dump(mode="json") for v in version.volumes],
                    }
                )
        elif stored.type == "message.sent":
            message = event.get("message", {})
            who = message.get("sender")
            detail = f"message to {message.get('recipient')}: {message.get('body')!r}"
        else:
            delivery = event.get("delivery", {})
            who = delivery.get("recipient")
            if stored.type == "delivery.created":
                status = delivery.get("status")
                if delivery.get("item_type") == "undelivered":
                    detail = delivery.get("note", "")
                elif status == "undelivered":
                    detail = f"{delivery.get('item_id')} not delivered: {delivery.get('note')}"
                else:
                    deadline = delivery.get("deadline_at")
                    detail = f"{delivery.get('item_id')} delivered" + (
                        f"; acknowledgement due {deadline}" if deadline else ""
                    )
            elif stored.type == "delivery.read":
                detail = f"{delivery.get('item_id')} read"
            elif stored.type == "delivery.acknowledged":
                reply = delivery.get("reply")
                detail = f"{delivery.get('item_id')} acknowledged (received)" + (
                    f", reply: {reply!r}" if reply else ""
                )
            elif stored.type == "delivery.escalated":
                step = event.get("escalation", {})
                detail = f"escalation step {step.get('level')} due {step.get('due_at')}: {step.get('description')}"
            else:
                detail = stored.type
        lines.append(
            TimelineLine(
                stored.recorded_at,
                stored.type,
                who,
                detail,
                stored.index,
                ledger.stored_receipt(connection, stored.index, head),
            )
        )
    return {
        "notice": notice_id,
        "series": views[0].series,
        "author": notice.author,
        "versions": summary,
        "lines": [line.to_dict() for line in lines],
        "tree_head": head.to_dict(),
    }
