"""The questions asked after an incident, answered from the entries the caller may read.

The view gathers every entry that bears on the incident and is on the caller's feed -- its
versions, links and accounts; the linked notices, sites, zones, red lines, observations and
alerts; the deliveries, reads and acknowledgements of those notices and alerts -- up to the
newest signed tree head, and hands them to the one function that answers
(:func:`deconfliction.engine.incidents.questions.answer`).  The evidence bundle is the same
entries with their proofs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from deconfliction.engine.errors import NotFound
from deconfliction.engine.incidents.questions import INCIDENT_LINKED, Answers, answer
from deconfliction.engine.ledger.entries import Entry
from deconfliction.engine.ledger.heads import TreeHead
from deconfliction.service.reading import Reader
from deconfliction.store import deliveries as delivery_store
from deconfliction.store import incidents as store
from deconfliction.store import ledger as ledger_store
from deconfliction.store.ledger import StoredEntry

__all__ = ["IncidentView", "incident_view"]

_DELIVERED = ("notice", "alert")
"""Linked kinds whose deliveries (received, read, acknowledged) the questions ask about."""


@dataclass(frozen=True, slots=True)
class IncidentView:
    """The answers, the signed head they were read under, and the entries they came from."""

    answers: Answers
    head: TreeHead
    entries: list[StoredEntry]


def _gather(reader: Reader, incident_id: str, below: int) -> list[StoredEntry]:
    party = reader.party
    connection = reader.connection
    own = [e for e in ledger_store.by_subjects(connection, [incident_id], party) if e.index < below]
    linked: dict[str, str] = {}
    for entry in own:
        if entry.type == INCIDENT_LINKED:
            link = json.loads(entry.body)["link"]
            linked[link["id"]] = link["kind"]
            if link.get("via"):  # a track: the alert whose evidence holds the sighting
                linked.setdefault(link["via"], "evidence")
    delivery_ids = [
        d.id
        for item_id, kind in linked.items()
        if kind in _DELIVERED
        for d in delivery_store.deliveries_of_item(connection, kind, item_id)
    ]
    more = ledger_store.by_subjects(connection, [*linked, *delivery_ids], party)
    return sorted([*own, *(e for e in more if e.index < below)], key=lambda e: e.index)


def incident_view(reader: Reader, incident_id: str) -> IncidentView:
    """The answers for ``incident_id`` as the caller may see them (missing and hidden answer
    alike), under the newest signed tree head."""
    if store.incident(reader.connection, incident_id, reader.party) is None:
        raise NotFound("incident", incident_id)
    head = ledger_store.latest_head(reader.connection)
    if head is None:
        raise NotFound("incident", incident_id)
    stored = _gather(reader, incident_id, head.tree_size)
    parsed = [Entry(e.index, e.recorded_at, e.type, e.subject, json.loads(e.body)) for e in stored]
    found = answer(parsed, incident_id)
    reader.show("incident", incident_id, found.incident.reported_by)
    for n in found.notices:
        reader.show("notice", n.notice, n.author)
    for s in found.sites:
        reader.show("site", s.site, s.owner)
    for a in found.alerts:
        reader.show("alert", a.alert, None)
    return IncidentView(found, head, stored)
