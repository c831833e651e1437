"""Whom an incident concerns, who may see it, and who may see each of its links.

An incident *concerns* its reporter, the parties it names, the authors of the notices that
cover its place and time, and the owners of the protected sites at its place: each of them may
give its account.  Its *audience* adds the monitors of every agreement a concerned party is
party to, and of every zone agreement whose area holds the place: a monitor sees what its
agreements give it.

A link is shown only to the members of the audience that may see the linked item itself (the
one audience rule, :meth:`~deconfliction.engine.detection.roster.Roster.audience`): an
incident never shows a party a notice, an observation or an alert it could not read anyway.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from deconfliction.engine.detection.roster import may_see
from deconfliction.engine.incidents.linking import Link
from deconfliction.engine.model.incidents import Incident
from deconfliction.engine.situation import Situation

__all__ = ["REASONS", "audience", "concerned", "link_audience"]

REASONS: Final = {
    "reporter": "reported the incident",
    "named": "named by the reporter",
    "notice": "author of a notice covering the place and time",
    "site": "owner of a protected site at the place",
}


def concerned(incident: Incident, links: Sequence[Link], situation: Situation) -> dict[str, str]:
    """Each party the incident concerns, with why (a key of :data:`REASONS`); the first
    reason found is kept."""
    out: dict[str, str] = {incident.reported_by: "reporter"}
    for party in incident.parties:
        out.setdefault(party, "named")
    for link in links:
        if link.kind == "notice" and link.relation == "covers":
            out.setdefault(situation.notices[link.id].author, "notice")
        elif link.kind == "site" and link.distance_m == 0.0:
            out.setdefault(situation.sites[link.id].owner, "site")
    return out


def audience(
    incident: Incident,
    links: Sequence[Link],
    concerned_parties: Sequence[str],
    situation: Situation,
) -> set[str]:
    """The concerned parties and the monitors their agreements, and the zone agreements
    holding the place, give them."""
    roster = situation.roster
    out = set(concerned_parties)
    for agreement in roster.agreements.values():
        if out & set(agreement.parties):
            out |= set(agreement.monitors)
    for link in links:
        if link.kind == "zone" and link.relation == "inside":
            zone = roster.zones.get(link.id)
            if zone is not None:
                out |= set(zone.monitors)
    return out - {"*"}


def link_audience(link: Link, incident_audience: set[str], situation: Situation) -> set[str]:
    """The members of the incident's audience that may see the linked item."""
    item_audience: frozenset[str] | tuple[str, ...]
    if link.kind == "alert":
        item_audience = situation.alerts[link.id].parties
    elif link.kind == "notice":
        item_audience = situation.audience(situation.notices[link.id])
    elif link.kind == "site":
        item_audience = situation.audience(situation.sites[link.id])
    elif link.kind == "zone":
        item_audience = situation.audience(situation.roster.zones[link.id])
    elif link.kind == "red_line":
        item_audience = situation.red_lines[link.id].audience
    elif link.kind == "observation":
        item_audience = situation.audience(situation.observations[link.id])
    elif link.kind == "track" and link.via is not None and link.via in situation.alerts:
        item_audience = situation.alerts[link.via].parties  # who was shown the sighting
    else:
        item_audience = ()
    return {p for p in incident_audience if may_see(p, item_audience)}
