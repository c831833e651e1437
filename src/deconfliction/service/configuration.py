"""Parties, agreements, lines and zone agreements over the wire.

A party's admins configure what their party takes part in.  Need to know binds every role:
every party sees the list of parties (without another party's duty contacts) and the lines; an
agreement is seen, and changed, only by its parties and monitors, a zone agreement by its
signatories and monitors; a party record is changed only by that party's own admins (a party
suspends or withdraws its own participation).  Whoever runs the server keeps full control
through the command line.  Anything a party may not see answers as if it did not exist.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from deconfliction.engine.consent import Bindable
from deconfliction.engine.detection.zone_areas import compile_area
from deconfliction.engine.detection.zones import CompiledZone
from deconfliction.engine.errors import (
    ConflictingRecord,
    Forbidden,
    InvalidInput,
    NotFound,
    Problem,
)
from deconfliction.engine.items import Item, kind_named, kind_of
from deconfliction.engine.model import Agreement, Line, Party, ZoneAgreement
from deconfliction.engine.scenario import (
    KnownIds,
    Scenario,
    ScenarioInfo,
    check_references,
    problems_from_validation,
)
from deconfliction.service import proposals
from deconfliction.service.auth import Principal
from deconfliction.service.coordinator import Tx
from deconfliction.service.filing import file_as
from deconfliction.service.permissions import Action, require
from deconfliction.service.proposals import ProposalOutcome
from deconfliction.service.reading import Reader
from deconfliction.store import items as item_store
from deconfliction.store.private import private_values_of
from deconfliction.store.schema import ITEM_TABLES

__all__ = [
    "ZoneView",
    "create_party",
    "get_agreement",
    "get_line",
    "get_party",
    "get_zone",
    "list_agreements",
    "list_lines",
    "list_parties",
    "list_zones",
    "propose_change",
    "propose_new",
    "shows_contacts",
    "update_party",
    "zone_view",
]


@dataclass(frozen=True, slots=True)
class ZoneView:
    """A zone agreement with its compiled area and the line a band is measured from."""

    compiled: CompiledZone
    lines: dict[str, Line]


def _takes_part(principal: Principal, item: Item) -> bool:
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


def _existing(tx: Tx, kind: type[Item], ident: str) -> Item | None:
    situation = tx.situation
    if kind is Party:
        return situation.roster.parties.get(ident)
    if kind is Agreement:
        return situation.roster.agreements.get(ident)
    if kind is Line:
        return situation.geography.lines.get(ident)
    return situation.roster.zones.get(ident)


def _check_references(tx: Tx, item: Bindable) -> Bindable:
    """What the item refers to must exist in the record (unknown parties, lines, zones),
    every problem located in the request."""
    section = kind_of(item).section
    situation = tx.situation
    known = KnownIds(
        parties=frozenset(situation.roster.parties),
        lines=frozenset(situation.geography.lines),
        zones=frozenset(situation.geography.zones),
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


def create_party(tx: Tx, principal: Principal, party: Party) -> Party:
    """Record a new party (admin); an id already in use is refused."""
    require(principal, Action.configure)
    if party.id in tx.situation.roster.parties:
        raise ConflictingRecord(f"party '{party.id}' already exists: change it instead")
    file_as(tx, principal, party)
    return party


def propose_new(tx: Tx, principal: Principal, item: Bindable) -> ProposalOutcome:
    """Propose a new agreement, zone agreement or line (admin): in force when every party it
    binds has consented (a new line, which binds nobody yet, at once).  An id already in use
    is refused (propose new terms for it instead)."""
    require(principal, Action.configure)
    name = kind_of(item).name
    existing = _existing(tx, type(item), item.id)
    if existing is not None:
        if not _takes_part(principal, existing):
            raise NotFound(name, item.id)
        raise ConflictingRecord(f"{name} '{item.id}' already exists: propose new terms for it")
    return proposals.propose(tx, principal, _check_references(tx, item))


def propose_change(tx: Tx, principal: Principal, ident: str, item: Bindable) -> ProposalOutcome:
    """Propose new terms for an existing agreement, zone agreement or line (admin; the item's
    id is the one in the path).  Leaving it, or receiving less under it, is in force at once;
    any other change waits for the consent of every party it binds."""
    require(principal, Action.configure)
    name = kind_of(item).name
    existing = _existing(tx, type(item), ident)
    if existing is None or not _takes_part(principal, existing):
        raise NotFound(name, ident)
    if item.id != ident:
        raise InvalidInput.at(("id",), f"'{item.id}' is not the {name} being changed ('{ident}')")
    return proposals.propose(tx, principal, _check_references(tx, item))


# -- parties -----------------------------------------------------------------------------------


def shows_contacts(principal: Principal, party: Party) -> bool:
    """A party's escalation chain is shown to that party only."""
    return party.id == principal.party


def _items(reader: Reader, name: str) -> list[Any]:
    kind = kind_named(name)
    table = ITEM_TABLES[name]
    query = item_store.select_items(kind, reader.party).order_by(table.c.id)
    return [s.item for s in item_store.load(reader.connection, reader.cache, kind, query)]


def _item(reader: Reader, name: str, ident: str) -> Any:
    found = item_store.load_one(
        reader.connection, reader.cache, kind_named(name), reader.party, ident
    )
    if found is None:
        raise NotFound(name, ident)
    return found.item


def _revealed(reader: Reader, stored: item_store.Stored[Party]) -> Party:
    """A party as the reader may see it: its private fields (its escalation chain) for itself
    and for whoever runs the server only."""
    party = stored.item
    if reader.party is not None and reader.party != party.id:
        return party
    values = private_values_of(reader.connection, stored.seq)
    data = party.model_dump(mode="json", by_alias=True)
    return Party.model_validate(data | {v.field: json.loads(v.value) for v in values})


def list_parties(reader: Reader) -> list[Party]:
    kind = kind_named("party")
    query = item_store.select_items(kind, reader.party).order_by(ITEM_TABLES["party"].c.id)
    found = item_store.load(reader.connection, reader.cache, kind, query)
    return [_revealed(reader, s) for s in found]


def get_party(reader: Reader, party_id: str) -> Party:
    found = item_store.load_one(
        reader.connection, reader.cache, kind_named("party"), reader.party, party_id
    )
    if found is None:
        raise NotFound("party", party_id)
    return _revealed(reader, found)


def update_party(tx: Tx, principal: Principal, party_id: str, changes: Mapping[str, Any]) -> Party:
    """Change some of a party's fields (admin), e.g. its status: deliveries to a suspended or
    withdrawn party are reported to their senders as undelivered from then on."""
    require(principal, Action.configure)
    current = tx.situation.roster.parties.get(party_id)
    if current is None:
        raise NotFound("party", party_id)
    if current.id != principal.party:
        raise Forbidden(f"only {party_id}'s own admins may change its record")
    merged = {**current.model_dump(mode="json", by_alias=True), **changes, "id": party_id}
    try:
        party = Party.model_validate(merged)
    except ValidationError as exc:
        raise InvalidInput(problems_from_validation(exc)) from None
    file_as(tx, principal, party)
    return party


# -- agreements, lines, zones ------------------------------------------------------------------


def list_agreements(reader: Reader) -> list[Agreement]:
    return _items(reader, "agreement")


def get_agreement(reader: Reader, agreement_id: str) -> Agreement:
    agreement: Agreement = _item(reader, "agreement", agreement_id)
    return agreement


def list_lines(reader: Reader) -> list[Line]:
    return _items(reader, "line")


def get_line(reader: Reader, line_id: str) -> Line:
    line: Line = _item(reader, "line", line_id)
    return line


def zone_view(reader: Reader, zone: ZoneAgreement) -> ZoneView:
    """The zone (any version of it) compiled against its line as the record holds it now."""
    line_id = getattr(zone.area, "line", None)
    lines: dict[str, Line] = {}
    if isinstance(line_id, str):
        found = item_store.load_one(
            reader.connection, reader.cache, kind_named("line"), None, line_id
        )
        if found is not None:
            lines[line_id] = found.item
    line = lines.get(line_id) if isinstance(line_id, str) else None
    return ZoneView(_compiled(zone.model_dump_json(), line and line.model_dump_json()), lines)


@functools.lru_cache(maxsize=256)
def _compiled(zone_json: str, line_json: str | None) -> CompiledZone:
    """A zone compiled against its line (compiling a band costs geometry: kept per content)."""
    zone = ZoneAgreement.model_validate_json(zone_json)
    lines = {} if line_json is None else {(line := Line.model_validate_json(line_json)).id: line}
    return CompiledZone(zone, compile_area(zone, lines))


def list_zones(reader: Reader) -> list[ZoneView]:
    return [zone_view(reader, z) for z in _items(reader, "zone")]


def get_zone(reader: Reader, zone_id: str) -> ZoneView:
    return zone_view(reader, _item(reader, "zone", zone_id))
