"""Parties, agreements, lines and zone agreements over the wire.

A party's admins configure what their party takes part in.  Need to know binds every role:
every party sees the list of parties (without another party's duty contacts) and the lines; an
agreement is seen, and changed, only by its parties and monitors, a zone agreement by its
signatories and monitors; a party record is changed only by that party's own admins (a party
suspends or withdraws its own participation).  Whoever runs the server keeps full control
through the command line.  Anything a party may not see answers as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import ValidationError

from deconfliction.engine.detection.zones import CompiledZone
from deconfliction.engine.errors import (
    ConflictingRecord,
    Forbidden,
    InvalidInput,
    NotFound,
    Problem,
)
from deconfliction.engine.model import Agreement, Line, Party, ZoneAgreement
from deconfliction.engine.model.common import DomainModel
from deconfliction.engine.scenario import (
    KnownIds,
    Scenario,
    ScenarioInfo,
    check_references,
    problems_from_validation,
)
from deconfliction.service.auth import Principal
from deconfliction.service.coordinator import Tx
from deconfliction.service.filing import file_as
from deconfliction.service.permissions import Action, require

__all__ = [
    "ZoneView",
    "create",
    "get_agreement",
    "get_line",
    "get_party",
    "get_zone",
    "list_agreements",
    "list_lines",
    "list_parties",
    "list_zones",
    "replace",
    "shows_contacts",
    "update_party",
]

M = TypeVar("M", Party, Agreement, Line, ZoneAgreement)

_SECTIONS: dict[type, tuple[str, str]] = {
    Party: ("parties", "party"),
    Agreement: ("agreements", "agreement"),
    Line: ("lines", "line"),
    ZoneAgreement: ("zones", "zone"),
}


@dataclass(frozen=True, slots=True)
class ZoneView:
    """A zone agreement with its compiled area and the line a band is measured from."""

    compiled: CompiledZone
    lines: dict[str, Line]


def _takes_part(principal: Principal, item: DomainModel) -> bool:
    """Whether the caller's party takes part in a party record, agreement or zone agreement
    (lines are shared geography: everyone takes part)."""
    party = principal.party
    if isinstance(item, Party):
        return item.id == party
    if isinstance(item, Agreement):
        return party in item.parties or party in item.monitors
    if isinstance(item, ZoneAgreement):
        return party in item.signatories or party in item.monitors
    return True


def _existing(tx: Tx, kind: type[DomainModel], ident: str) -> DomainModel | None:
    situation = tx.situation
    if kind is Party:
        return situation.roster.parties.get(ident)
    if kind is Agreement:
        return situation.roster.agreements.get(ident)
    if kind is Line:
        return situation.lines.get(ident)
    zone = situation.zones.get(ident)
    return None if zone is None else zone.zone


def _validate(tx: Tx, kind: type[M], data: Mapping[str, Any]) -> M:
    """Build the item, then check what it refers to against the record (unknown parties,
    lines, zones), with every problem located in the request."""
    try:
        item = kind.model_validate(dict(data), context={"limits": tx.coordinator.limits})
    except ValidationError as exc:
        raise InvalidInput(problems_from_validation(exc)) from None
    section, _ = _SECTIONS[kind]
    situation = tx.situation
    known = KnownIds(
        parties=frozenset(situation.roster.parties),
        lines=frozenset(situation.lines),
        zones=frozenset(situation.zones),
    )
    sections: dict[str, Any] = {section: [item]}
    document = Scenario.model_construct(scenario=ScenarioInfo(name="request"), **sections)
    problems = [
        Problem(p.path[2:], p.reason)
        for p in check_references(document, known)
        if p.path[:2] == (section, 0)
    ]
    if problems:
        raise InvalidInput(problems)
    return item


def create(tx: Tx, principal: Principal, kind: type[M], data: Mapping[str, Any]) -> M:
    """Record a new party, agreement, line or zone agreement (admin); an id already in use
    is refused (replace it instead)."""
    require(principal, Action.configure)
    item = _validate(tx, kind, data)
    _, name = _SECTIONS[kind]
    existing = _existing(tx, kind, item.id)
    if existing is not None:
        if not isinstance(existing, Party) and not _takes_part(principal, existing):
            raise NotFound(name, item.id)
        raise ConflictingRecord(f"{name} '{item.id}' already exists: change it instead")
    if kind is not Party and not _takes_part(principal, item):
        raise Forbidden(
            f"{principal.party} may only record an {name} it takes part in (as a party, "
            "signatory or monitor)"
            if name[0] in "aeiou"
            else f"{principal.party} may only record a {name} it takes part in (as a party, "
            "signatory or monitor)"
        )
    file_as(tx, principal, item)
    return item


def replace(tx: Tx, principal: Principal, kind: type[M], ident: str, data: Mapping[str, Any]) -> M:
    """Replace an existing agreement, line or zone agreement (admin) with new content."""
    require(principal, Action.configure)
    _, name = _SECTIONS[kind]
    existing = _existing(tx, kind, ident)
    if existing is None or not _takes_part(principal, existing):
        raise NotFound(name, ident)
    given = data.get("id")
    if given is not None and given != ident:
        raise InvalidInput.at(("id",), f"'{given}' is not the {name} being changed ('{ident}')")
    item = _validate(tx, kind, {**data, "id": ident})
    if not _takes_part(principal, item):
        raise Forbidden(f"{principal.party} may not remove itself from the {name} it changes")
    file_as(tx, principal, item)
    return item


# -- parties -----------------------------------------------------------------------------------


def shows_contacts(principal: Principal, party: Party) -> bool:
    """A party's escalation chain is shown to that party only."""
    return party.id == principal.party


def list_parties(tx: Tx, principal: Principal) -> list[Party]:
    return sorted(tx.situation.roster.parties.values(), key=lambda p: p.id)


def get_party(tx: Tx, principal: Principal, party_id: str) -> Party:
    found = tx.situation.roster.parties.get(party_id)
    if found is None:
        raise NotFound("party", party_id)
    return found


def update_party(tx: Tx, principal: Principal, party_id: str, changes: Mapping[str, Any]) -> Party:
    """Change some of a party's fields (admin), e.g. its status: deliveries to a suspended or
    withdrawn party are reported to their senders as undelivered from then on."""
    require(principal, Action.configure)
    current = get_party(tx, principal, party_id)
    if current.id != principal.party:
        raise Forbidden(f"only {party_id}'s own admins may change its record")
    merged = {**current.model_dump(mode="json", by_alias=True), **changes, "id": party_id}
    party = _validate(tx, Party, merged)
    file_as(tx, principal, party)
    return party


# -- agreements, lines, zones ------------------------------------------------------------------


def _agreement_visible(principal: Principal, agreement: Agreement) -> bool:
    return _takes_part(principal, agreement)


def list_agreements(tx: Tx, principal: Principal) -> list[Agreement]:
    found = tx.situation.roster.agreements.values()
    return sorted((a for a in found if _agreement_visible(principal, a)), key=lambda a: a.id)


def get_agreement(tx: Tx, principal: Principal, agreement_id: str) -> Agreement:
    found = tx.situation.roster.agreements.get(agreement_id)
    if found is None or not _agreement_visible(principal, found):
        raise NotFound("agreement", agreement_id)
    return found


def list_lines(tx: Tx, principal: Principal) -> list[Line]:
    return sorted(tx.situation.lines.values(), key=lambda line: line.id)


def get_line(tx: Tx, principal: Principal, line_id: str) -> Line:
    found = tx.situation.lines.get(line_id)
    if found is None:
        raise NotFound("line", line_id)
    return found


def _zone_visible(principal: Principal, zone: ZoneAgreement) -> bool:
    return _takes_part(principal, zone)


def _zone_view(tx: Tx, compiled: CompiledZone) -> ZoneView:
    line_id = getattr(compiled.zone.area, "line", None)
    line = tx.situation.lines.get(line_id) if isinstance(line_id, str) else None
    return ZoneView(compiled, {} if line is None else {line.id: line})


def list_zones(tx: Tx, principal: Principal) -> list[ZoneView]:
    found = tx.situation.zones.values()
    return [
        _zone_view(tx, z)
        for z in sorted(found, key=lambda z: z.zone.id)
        if _zone_visible(principal, z.zone)
    ]


def get_zone(tx: Tx, principal: Principal, zone_id: str) -> ZoneView:
    found = tx.situation.zones.get(zone_id)
    if found is None or not _zone_visible(principal, found.zone):
        raise NotFound("zone", zone_id)
    return _zone_view(tx, found)
