"""Incidents and accounts: reported, linked, told, and every version kept with its receipt.

Reporting an incident (or correcting it: a new version) records three kinds of entry, in one
transaction:

* ``incident.reported``: the incident as reported, on the feeds of its audience (the parties
  it concerns and the monitors their agreements give them; see
  :mod:`deconfliction.engine.incidents.concerned`);
* ``incident.linked``: one per link, on the feeds of the members of that audience who may see
  the linked item, so that nobody learns through an incident of a notice or an observation it
  could not read;
* a delivery of the incident to every member of the audience but the reporter, with why it is
  told (no sender is named: the reporter does not learn whom else it concerns).

An account (``incident.account``) is a party's own statement; a new version names the one it
replaces, and none is ever overwritten.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from deconfliction.engine.errors import Forbidden, InvalidInput, NotFound, Problem
from deconfliction.engine.hotline import Delivery, incident_deliveries
from deconfliction.engine.incidents.concerned import REASONS, audience, concerned, link_audience
from deconfliction.engine.incidents.linking import Link, Sighting, link_incident
from deconfliction.engine.incidents.questions import (
    INCIDENT_ACCOUNT,
    INCIDENT_LINKED,
    INCIDENT_REPORTED,
)
from deconfliction.engine.model.incidents import (
    Account,
    AccountStatement,
    EvidenceRef,
    Incident,
    IncidentReport,
)
from deconfliction.engine.situation.reach import check_reach
from deconfliction.service.auth import Principal
from deconfliction.service.coordinator import OPERATOR, Tx
from deconfliction.service.evidence import require_held, store_evidence
from deconfliction.service.hotline import deliver
from deconfliction.service.permissions import Action, require
from deconfliction.service.reading import Reader
from deconfliction.store import incidents as store
from deconfliction.store.codec import Canonical, payload, record_body
from deconfliction.store.evidence import add_refs
from deconfliction.store.ledger import by_subjects

__all__ = [
    "Attachment",
    "IncidentRecorded",
    "account_for",
    "add_account",
    "correct",
    "incident_audience",
    "list_incidents",
    "read_incident",
    "record_account",
    "record_incident",
    "report",
    "report_for",
]


@dataclass(frozen=True, slots=True)
class IncidentRecorded:
    """An incident version as recorded, the links the recording party may see, and the
    deliveries made."""

    incident: Incident
    links: list[Link]
    deliveries: list[Delivery]


def incident_audience(tx: Tx, incident_id: str) -> set[str]:
    """Every party that may see some version of the incident (its feeds)."""
    return {
        party
        for entry in by_subjects(tx.connection, [incident_id])
        if entry.type == INCIDENT_REPORTED
        for party in store.readers_of(tx.connection, entry.seq)
    }


def _check_parties(tx: Tx, incident: Incident) -> None:
    roster = tx.situation.roster
    problems = [
        Problem(("parties", i), f"no party '{p}'")
        for i, p in enumerate(incident.parties)
        if p not in roster.parties
    ]
    if incident.reported_by not in roster.parties:
        problems.append(Problem(("reported_by",), f"no party '{incident.reported_by}'"))
    if problems:
        raise InvalidInput(problems)
    check_reach(("place",), incident.place.shape, roster)


_EVIDENCE_DELAY = timedelta(minutes=10)
"""How long after its own time a report's evidence may be entered (the tick after it came)."""


def _sightings(tx: Tx, incident: Incident) -> list[Sighting]:
    """Aircraft positions the record holds from the incident's search period on."""
    since = incident.started_at - timedelta(seconds=incident.search.before.seconds)
    return [
        s
        for evidence in store.track_evidence_since(tx.connection, since - _EVIDENCE_DELAY)
        for s in Sighting.from_evidence(evidence)
    ]


def record_incident(tx: Tx, incident: Incident, *, by: str = OPERATOR) -> IncidentRecorded:
    """Link ``incident`` against the situation and record it with its links, and tell the
    parties it concerns.  ``by`` says who recorded it (the reporter, or the operator)."""
    _check_parties(tx, incident)
    require_held(tx, incident.reported_by, list(incident.evidence), ("evidence",))
    situation = tx.situation
    links = link_incident(incident, situation, sightings=_sightings(tx, incident))
    why = concerned(incident, links, situation)
    told = audience(incident, links, list(why), situation)
    if incident.version > 1:
        told |= incident_audience(tx, incident.id)
    body = record_body(incident)
    seq = tx.append(INCIDENT_REPORTED, incident.id, payload(incident=body, by=by), sorted(told))
    store.write_incident(tx.connection, incident, body, seq)
    add_refs(tx.connection, seq, (e.sha256 for e in incident.evidence))
    version = Canonical(str(incident.version))
    tx.append_many(
        [
            (
                INCIDENT_LINKED,
                incident.id,
                payload(link=record_body(link), version=version),
                sorted(link_audience(link, told, situation)),
            )
            for link in links
        ]
    )
    notes = {
        party: REASONS.get(why.get(party, ""), "monitor of an agreement of a party it concerns")
        for party in told
        if party != incident.reported_by
    }
    delivered = deliver(tx, incident_deliveries(incident.id, notes, situation.roster, tx.now))
    reporter_sees = [
        link
        for link in links
        if incident.reported_by in link_audience(link, {incident.reported_by}, situation)
    ]
    return IncidentRecorded(incident, reporter_sees, delivered)


def _new(tx: Tx, party: str, details: IncidentReport) -> Incident:
    return Incident(
        id=f"inc-{secrets.token_hex(8)}",
        version=1,
        reported_by=party,
        reported_at=tx.now,
        **dict(details),
    )


def report(tx: Tx, principal: Principal, details: IncidentReport) -> IncidentRecorded:
    """The caller's party reports an incident (the server names it ``inc-...``)."""
    require(principal, Action.report_incident)
    return record_incident(tx, _new(tx, principal.party, details), by=principal.party)


Attachment = tuple[bytes, str, str]
"""An attachment given with a report or an account: content, media type, name."""


def _with(
    tx: Tx, party: str, refs: list[EvidenceRef], attachments: Sequence[Attachment]
) -> list[EvidenceRef]:
    return [*refs, *(store_evidence(tx, party, *a) for a in attachments)]


def report_for(
    tx: Tx, party: str, details: IncidentReport, attachments: Sequence[Attachment] = ()
) -> IncidentRecorded:
    """Whoever runs the server records an incident reported by ``party`` (the command line),
    keeping its attachments first; the entry says the operator recorded it."""
    if party not in tx.situation.roster.parties:
        raise InvalidInput.at(("--party",), f"no party '{party}'")
    evidence = _with(tx, party, list(details.evidence), attachments)
    details = details.model_copy(update={"evidence": evidence})
    return record_incident(tx, _new(tx, party, IncidentReport.model_validate(dict(details))))


def account_for(
    tx: Tx,
    party: str,
    incident_id: str,
    statement: AccountStatement,
    attachments: Sequence[Attachment] = (),
) -> Account:
    """Whoever runs the server records ``party``'s account (the command line)."""
    evidence = _with(tx, party, list(statement.evidence), attachments)
    checked = AccountStatement.model_validate(
        dict(statement.model_copy(update={"evidence": evidence}))
    )
    return record_account(tx, party, incident_id, checked)


def correct(
    tx: Tx, principal: Principal, incident_id: str, details: IncidentReport
) -> IncidentRecorded:
    """The reporter corrects its report: a new version, linked again; the old one stays."""
    require(principal, Action.report_incident)
    current = store.incident(tx.connection, incident_id, principal.party)
    if current is None:
        raise NotFound("incident", incident_id)
    if current.reported_by != principal.party:
        raise Forbidden(
            f"only {current.reported_by}, which reported incident {incident_id}, may correct it: "
            "give an account instead"
        )
    incident = Incident(
        id=incident_id,
        version=current.version + 1,
        reported_by=principal.party,
        reported_at=tx.now,
        **dict(details),
    )
    return record_incident(tx, incident, by=principal.party)


def _visible_links(tx: Tx, incident: Incident, party: str) -> set[str]:
    """Ids of the current version's links ``party`` may see."""
    out = set()
    for entry in by_subjects(tx.connection, [incident.id], party):
        if entry.type != INCIDENT_LINKED:
            continue
        data = json.loads(entry.body)
        if data["version"] == incident.version:
            out.add(data["link"]["id"])
    return out


def record_account(
    tx: Tx, party: str, incident_id: str, statement: AccountStatement, *, by: str = OPERATOR
) -> Account:
    """Record a new version of ``party``'s account of the incident."""
    current = store.incident(tx.connection, incident_id, party)
    if current is None:
        raise NotFound("incident", incident_id)
    seen_by = incident_audience(tx, incident_id)
    problems: list[Problem] = []
    visible = _visible_links(tx, current, party)
    for i, position in enumerate(statement.positions):
        if position.fact.startswith("link:") and position.fact[5:] not in visible:
            problems.append(
                Problem(
                    ("positions", i, "fact"),
                    f"incident {incident_id} has no link "
                    f"'{position.fact[5:]}' that {party} may see",
                )
            )
    for i, p in enumerate(statement.shared_with or ()):
        if p not in seen_by:
            problems.append(
                Problem(
                    ("shared_with", i),
                    f"'{p}' does not see incident {incident_id}: an "
                    "account is shared only with the incident's audience",
                )
            )
    if problems:
        raise InvalidInput(problems)
    require_held(tx, party, list(statement.evidence), ("evidence",))
    earlier = [a for a in store.accounts_of(tx.connection, incident_id) if a.party == party]
    account = Account(
        id=f"ac-{secrets.token_hex(8)}",
        incident_id=incident_id,
        party=party,
        version=len(earlier) + 1,
        replaces=earlier[-1].id if earlier else None,
        submitted_at=tx.now,
        **dict(statement),
    )
    shown_to = (
        seen_by
        if statement.shared_with is None
        else set(statement.shared_with) | {party, current.reported_by}
    )
    body = record_body(account)
    seq = tx.append(INCIDENT_ACCOUNT, incident_id, payload(account=body, by=by), sorted(shown_to))
    store.write_account(tx.connection, account, body, seq)
    add_refs(tx.connection, seq, (e.sha256 for e in account.evidence))
    return account


def add_account(
    tx: Tx, principal: Principal, incident_id: str, statement: AccountStatement
) -> Account:
    """The caller's party gives (a new version of) its account of an incident it may see."""
    require(principal, Action.report_incident)
    if store.incident(tx.connection, incident_id, principal.party) is None:
        raise NotFound("incident", incident_id)
    return record_account(tx, principal.party, incident_id, statement, by=principal.party)


def read_incident(reader: Reader, incident_id: str) -> Incident:
    found = store.incident(reader.connection, incident_id, reader.party)
    if found is None:
        raise NotFound("incident", incident_id)
    reader.show("incident", found.id, found.reported_by)
    return found


def list_incidents(reader: Reader, *, limit: int = 1000) -> list[Incident]:
    """The incidents the caller may see, newest first."""
    found = store.visible_incidents(reader.connection, reader.party, limit=limit)
    for i in found:
        reader.show("incident", i.id, i.reported_by)
    return found
