"""Agreements change only with the consent of every party they bind.

An agreement, a zone agreement or a line binds parties: it says who must notify whom, how
early, with which margins, who is told, who monitors, where a band runs.  In the mechanisms
this product learns from, an agreement is a meeting of minds: nobody's obligations or
disclosures change without them.  So a change -- a new agreement, new terms, a party joining
-- is a :class:`Proposal`, in force only once the admin of every party it binds or names, in
its old terms or its new ones, has consented.  Any of them can decline; a proposal expires.
Until then the old terms stay in force.

Two changes need nobody's consent: a party *leaving* an agreement (or a zone agreement), and a
party *receiving less* under one (no longer an addressee of some notices, no longer a monitor).
Nobody can be held to receive what it no longer wants; the others are told.  Everything else --
lead times, margins, acknowledgement deadlines, monitors, duties to notify -- is a proposal.

Everything here is pure: time comes in as ``now``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import Field

from deconfliction.engine.alerts import Record
from deconfliction.engine.errors import ConflictingRecord, Forbidden
from deconfliction.engine.model import Agreement, Line, NotificationDuty, ZoneAgreement
from deconfliction.engine.model.common import UtcTime

__all__ = [
    "Bindable",
    "Proposal",
    "ProposalStatus",
    "bound_by",
    "consent",
    "decline",
    "expire",
    "is_reduction",
    "propose",
    "withdraw",
    "without",
]

Bindable = Agreement | ZoneAgreement | Line
"""What binds parties and so changes only by consent."""

_KIND = {Agreement: "agreement", ZoneAgreement: "zone", Line: "line"}


class ProposalStatus(StrEnum):
    pending = "pending"
    in_force = "in_force"
    declined = "declined"
    expired = "expired"
    withdrawn = "withdrawn"


class Proposal(Record):
    """A change to an agreement, a zone agreement or a line, waiting for the consent of every
    party it binds.  ``item`` is the agreement as proposed; ``base_seq`` the entry of the
    version it changes (None for a new one): if another change comes in force first, this one
    no longer applies and must be proposed again."""

    id: str
    kind: str = Field(description="agreement, zone or line")
    item: Agreement | ZoneAgreement | Line
    base_seq: int | None = None
    proposed_by: str
    proposed_at: UtcTime
    expires_at: UtcTime
    required: tuple[str, ...] = Field(
        description="The parties whose consent it needs: all it binds or names, before and after."
    )
    concerned: tuple[str, ...] = Field(
        description="The parties told of it: every party it binds or names, before and after."
    )
    consents: dict[str, UtcTime] = Field(default_factory=dict)
    status: ProposalStatus = ProposalStatus.pending
    decided_at: UtcTime | None = None
    declined_by: str | None = None
    note: str = ""

    @property
    def waiting_for(self) -> tuple[str, ...]:
        """The parties that have not consented yet."""
        return tuple(p for p in self.required if p not in self.consents)


def _duty_parties(duties: Iterable[NotificationDuty] | None) -> set[str]:
    return {p for d in duties or () for p in (d.from_party, *d.to)}


def bound_by(item: Bindable, lines_of: Iterable[ZoneAgreement] = ()) -> set[str]:
    """Every party ``item`` binds or names.  For a line: the signatories and monitors of the
    zone agreements measured from it (``lines_of``)."""
    if isinstance(item, Agreement):
        return (
            set(item.parties)
            | set(item.monitors)
            | _duty_parties(item.notifications)
            | set(item.tracks.unattributed_visible_to)
        )
    if isinstance(item, ZoneAgreement):
        named = {
            p
            for rule in item.rules
            for selector in (rule.applies_to, getattr(rule, "except_", None))
            if selector is not None
            for p in selector.parties
        }
        return set(item.signatories) | set(item.monitors) | named
    return {p for zone in lines_of for p in (*zone.signatories, *zone.monitors)}


def without(item: Agreement | ZoneAgreement, party: str) -> Agreement | ZoneAgreement:
    """``item`` with ``party`` gone: no longer a party, signatory or monitor, notifying nobody
    and notified of nothing.  An agreement left with fewer than two parties, or a zone
    agreement with no signatory, has ended (``ended`` set)."""
    if isinstance(item, Agreement):
        parties = [p for p in item.parties if p != party]
        duties = None
        if item.notifications is not None:
            duties = [
                d.model_copy(update={"to": [t for t in d.to if t != party]})
                for d in item.notifications
                if d.from_party != party
            ]
            duties = [d for d in duties if d.to]
        return item.model_copy(
            update={
                "parties": parties if len(parties) >= 2 else list(item.parties),
                "monitors": [m for m in item.monitors if m != party],
                "notifications": duties,
                "ended": item.ended or len(parties) < 2,
            }
        )
    signatories = [s for s in item.signatories if s != party]
    return item.model_copy(
        update={
            "signatories": signatories or list(item.signatories),
            "monitors": [m for m in item.monitors if m != party],
            "ended": item.ended or not signatories,
        }
    )


def _receives_less(old: Agreement, new: Agreement, party: str) -> bool:
    """``new`` is ``old`` with ``party`` removed from some of what it receives (an addressee of
    a duty, a monitor), and nothing else changed."""
    unchanged = new.model_copy(
        update={"monitors": old.monitors, "notifications": old.notifications}
    )
    if unchanged != old:
        return False
    gone = set(old.monitors) - set(new.monitors)
    if set(new.monitors) - set(old.monitors) or gone - {party}:
        return False
    if old.notifications is None or new.notifications is None:
        return old.notifications is None and new.notifications is None
    if len(old.notifications) != len(new.notifications):
        return False
    for before, after in zip(old.notifications, new.notifications, strict=True):
        if (before.from_party, before.kinds) != (after.from_party, after.kinds):
            return False
        if set(after.to) - set(before.to) or set(before.to) - set(after.to) - {party}:
            return False
    return True


def is_reduction(old: Bindable | None, new: Bindable, party: str) -> bool:
    """Whether ``party`` may make this change alone: it leaves ``old`` (``new`` is
    :func:`without` it), or receives less under it.  A line, and anything new, never is."""
    if old is None or isinstance(old, Line) or type(old) is not type(new):
        return False
    if new == without(old, party):
        return True
    return (
        isinstance(old, Agreement)
        and isinstance(new, Agreement)
        and _receives_less(old, new, party)
    )


def propose(
    ident: str,
    item: Bindable,
    old: Bindable | None,
    *,
    base_seq: int | None,
    by: str,
    now: datetime,
    ttl_s: float,
    lines_of: Iterable[ZoneAgreement] = (),
) -> Proposal:
    """A proposal to record ``item`` (changing ``old``), made and consented to by ``by``: in
    force at once when nobody else need consent (``by`` leaves, or receives less, or is the
    only party it binds), pending otherwise."""
    zones = list(lines_of)
    concerned = bound_by(item, zones) | ({by} if isinstance(item, Line) else set())
    if old is not None:
        concerned |= bound_by(old, zones)
    if by not in concerned:
        raise Forbidden(
            f"{by} may only propose changes to what binds it (as a party, signatory, monitor or "
            "named party)"
        )
    # Leaving, or receiving less, is a party's own business: nobody else need consent.
    required = {by} if is_reduction(old, item, by) else concerned
    return Proposal(
        id=ident,
        kind=_KIND[type(item)],
        item=item,
        base_seq=base_seq,
        proposed_by=by,
        proposed_at=now,
        expires_at=now + timedelta(seconds=ttl_s),
        required=tuple(sorted(required)),
        concerned=tuple(sorted(concerned)),
        consents={by: now},
        status=ProposalStatus.in_force if required == {by} else ProposalStatus.pending,
        decided_at=now if required == {by} else None,
    )


def _open(proposal: Proposal, now: datetime) -> None:
    if proposal.status is not ProposalStatus.pending:
        raise ConflictingRecord(f"proposal '{proposal.id}' is {proposal.status.value}")
    if now >= proposal.expires_at:
        raise ConflictingRecord(f"proposal '{proposal.id}' expired at its deadline")


def consent(proposal: Proposal, party: str, now: datetime) -> Proposal:
    """``party`` consents; in force once every required party has."""
    _open(proposal, now)
    if party not in proposal.required:
        raise Forbidden(f"{party} is not a party to proposal '{proposal.id}'")
    if party in proposal.consents:
        raise ConflictingRecord(f"{party} already consented to proposal '{proposal.id}'")
    consents = {**proposal.consents, party: now}
    complete = all(p in consents for p in proposal.required)
    return proposal.model_copy(
        update={
            "consents": consents,
            "status": ProposalStatus.in_force if complete else ProposalStatus.pending,
            "decided_at": now if complete else None,
        }
    )


def decline(proposal: Proposal, party: str, now: datetime, note: str = "") -> Proposal:
    """``party`` declines: the proposal ends, the old terms stay."""
    _open(proposal, now)
    if party not in proposal.required:
        raise Forbidden(f"{party} is not a party to proposal '{proposal.id}'")
    return proposal.model_copy(
        update={
            "status": ProposalStatus.declined,
            "decided_at": now,
            "declined_by": party,
            "note": note,
        }
    )


def withdraw(proposal: Proposal, party: str, now: datetime) -> Proposal:
    """Its proposer takes it back."""
    _open(proposal, now)
    if party != proposal.proposed_by:
        raise Forbidden(f"only {proposal.proposed_by}, who made it, may withdraw it")
    return proposal.model_copy(update={"status": ProposalStatus.withdrawn, "decided_at": now})


def expire(proposal: Proposal, now: datetime) -> Proposal | None:
    """The proposal, expired, once its deadline has passed while it waited (None otherwise)."""
    if proposal.status is not ProposalStatus.pending or now < proposal.expires_at:
        return None
    return proposal.model_copy(
        update={"status": ProposalStatus.expired, "decided_at": proposal.expires_at}
    )
