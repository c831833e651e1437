"""Changes to what binds parties: proposed, consented to, in force -- or declined, expired,
withdrawn.

An admin's change to an agreement, a zone agreement or a line is recorded as a proposal and
delivered to every other party it concerns; it comes in force, and is recorded, when the admin
of every party it binds has consented.  A party leaving, or receiving less, needs nobody's
consent: its change is in force at once, and the others are told.  Every step is an entry in
the log on the feeds of the parties concerned, each answered with its receipt.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from deconfliction.engine import consent as rules
from deconfliction.engine.consent import Bindable, Proposal, ProposalStatus
from deconfliction.engine.errors import ConflictingRecord, NotFound
from deconfliction.engine.hotline import proposal_deliveries
from deconfliction.engine.items import kind_of
from deconfliction.engine.model import Agreement, BandArea, Line, RangeRule, ZoneAgreement
from deconfliction.service.auth import Principal
from deconfliction.service.coordinator import Tx
from deconfliction.service.filing import file
from deconfliction.service.hotline import deliver
from deconfliction.service.permissions import Action, require
from deconfliction.service.reading import Reader
from deconfliction.store import items as item_store
from deconfliction.store import proposals as store
from deconfliction.store.codec import payload, record_body

__all__ = [
    "ProposalOutcome",
    "consent_to",
    "decline",
    "expire_due",
    "list_proposals",
    "propose",
    "read_proposal",
    "withdraw",
]


@dataclass(frozen=True, slots=True)
class ProposalOutcome:
    """A proposal as it now stands, and the item it put in force (None while it waits)."""

    proposal: Proposal
    in_force: Bindable | None


def _current(tx: Tx, item: Bindable) -> Bindable | None:
    situation = tx.situation
    if isinstance(item, Agreement):
        return situation.roster.agreements.get(item.id)
    if isinstance(item, ZoneAgreement):
        return situation.roster.zones.get(item.id)
    return situation.geography.lines.get(item.id)


def _zones_on(tx: Tx, item: Bindable) -> list[ZoneAgreement]:
    """The zone agreements measured from a line (a band from it, a range to it)."""
    if not isinstance(item, Line):
        return []
    return [
        zone
        for zone in tx.situation.roster.zones.values()
        if (isinstance(zone.area, BandArea) and zone.area.line == item.id)
        or any(isinstance(r, RangeRule) and r.target_line == item.id for r in zone.rules)
    ]


def _base_seq(tx: Tx, item: Bindable) -> int | None:
    return item_store.seqs_of(tx.connection, kind_of(item), [item.id]).get(item.id)


def _record(tx: Tx, proposal: Proposal, event: str) -> None:
    body = record_body(proposal)
    seq = tx.append(event, proposal.id, payload(proposal=body), proposal.concerned)
    store.write_proposal(tx.connection, proposal, body, seq)


def _in_force(tx: Tx, proposal: Proposal) -> Bindable:
    """Record the proposed item, now agreed (the entry names the proposal)."""
    if _base_seq(tx, proposal.item) != proposal.base_seq:
        raise ConflictingRecord(
            f"the terms proposal '{proposal.id}' changes were changed since it was made: "
            "propose the change again"
        )
    file(tx, proposal.item, by=f"consent:{proposal.id}")
    return proposal.item


def propose(tx: Tx, principal: Principal, item: Bindable) -> ProposalOutcome:
    """Propose ``item`` (new, or new terms of an existing one) on behalf of the caller's
    party, which consents by proposing."""
    require(principal, Action.configure)
    situation = tx.situation
    situation.assess(item)  # what it names must exist; nothing is recorded yet
    proposal = rules.propose(
        f"pr-{secrets.token_hex(8)}",
        item,
        _current(tx, item),
        base_seq=_base_seq(tx, item),
        by=principal.party,
        now=tx.now,
        ttl_s=tx.limits.proposal_ttl_s,
        lines_of=_zones_on(tx, item),
    )
    _record(tx, proposal, "proposal.recorded")
    deliver(
        tx,
        proposal_deliveries(
            proposal.id, proposal.proposed_by, proposal.concerned, situation.roster, tx.now
        ),
    )
    in_force = _in_force(tx, proposal) if proposal.status is ProposalStatus.in_force else None
    return ProposalOutcome(proposal, in_force)


def _pending(tx: Tx, principal: Principal, proposal_id: str) -> Proposal:
    require(principal, Action.configure)
    found = store.proposal(tx.connection, proposal_id, principal.party)
    if found is None:
        raise NotFound("proposal", proposal_id)
    return found


def consent_to(tx: Tx, principal: Principal, proposal_id: str) -> ProposalOutcome:
    """The caller's party consents; the change comes in force with the last consent."""
    proposal = rules.consent(_pending(tx, principal, proposal_id), principal.party, tx.now)
    in_force = None
    if proposal.status is ProposalStatus.in_force:
        in_force = _in_force(tx, proposal)
    _record(tx, proposal, f"proposal.{'in_force' if in_force else 'consented'}")
    return ProposalOutcome(proposal, in_force)


def decline(tx: Tx, principal: Principal, proposal_id: str, note: str = "") -> ProposalOutcome:
    """The caller's party declines: the proposal ends, the old terms stay in force."""
    proposal = rules.decline(_pending(tx, principal, proposal_id), principal.party, tx.now, note)
    _record(tx, proposal, "proposal.declined")
    return ProposalOutcome(proposal, None)


def withdraw(tx: Tx, principal: Principal, proposal_id: str) -> ProposalOutcome:
    """Its proposer takes it back."""
    proposal = rules.withdraw(_pending(tx, principal, proposal_id), principal.party, tx.now)
    _record(tx, proposal, "proposal.withdrawn")
    return ProposalOutcome(proposal, None)


def expire_due(tx: Tx) -> list[Proposal]:
    """Every pending proposal past its deadline expires (the old terms stay)."""
    expired = []
    for due in store.due_proposals(tx.connection, tx.now):
        ended = rules.expire(due, tx.now)
        if ended is not None:
            _record(tx, ended, "proposal.expired")
            expired.append(ended)
    return expired


def read_proposal(reader: Reader, proposal_id: str) -> Proposal:
    found = store.proposal(reader.connection, proposal_id, reader.party)
    if found is None:
        raise NotFound("proposal", proposal_id)
    reader.show("proposal", found.id, found.proposed_by)
    return found


def list_proposals(
    reader: Reader, status: ProposalStatus | None = None, *, opened: bool = True
) -> list[Proposal]:
    """The proposals concerning the caller's party, newest first (``opened`` False: shown
    among many, their deliveries stay unread)."""
    found = store.visible_proposals(reader.connection, reader.party, status)
    for p in found:
        reader.show("proposal", p.id, p.proposed_by, opened=opened)
    return found
