"""Filing: record an item, raise its alerts, and deliver the notice and the new alerts."""

from __future__ import annotations

from dataclasses import dataclass, field

from deconfliction.engine.alerts import ChangeAction
from deconfliction.engine.detection.roster import Roster
from deconfliction.engine.errors import Forbidden
from deconfliction.engine.hotline import Delivery, alert_deliveries, notice_deliveries
from deconfliction.engine.model import (
    Agreement,
    Line,
    Notice,
    Observation,
    Party,
    ProtectedSite,
    ZoneAgreement,
)
from deconfliction.engine.situation import Item
from deconfliction.service.auth import Principal
from deconfliction.service.coordinator import Recorded, Tx
from deconfliction.service.hotline import deliver
from deconfliction.service.permissions import Action, require

__all__ = ["Filed", "file", "file_as"]


@dataclass(frozen=True, slots=True)
class Filed:
    recorded: Recorded
    deliveries: list[Delivery] = field(default_factory=list)


def _own_audience(item: Item, roster: Roster) -> list[str]:
    """Who may read the item's own ledger entry (and sees it on their live feed): the parties
    need to know lets see the item, as it stands when it is recorded."""
    everyone = set(roster.parties)
    if isinstance(item, Notice):
        audience = roster.notice_audience(item)
    elif isinstance(item, ProtectedSite):
        audience = roster.site_audience(item)
    elif isinstance(item, Observation):
        audience = {item.reported_by}
    elif isinstance(item, Agreement):
        audience = set(item.parties) | set(item.monitors)
    elif isinstance(item, ZoneAgreement):
        audience = set(item.signatories) | set(item.monitors)
    else:  # parties and lines: everyone on the line knows who is on it and where lines run
        audience = everyone | ({item.id} if isinstance(item, Party) else set())
    return sorted(audience)


def file(tx: Tx, item: Item, location: tuple[str | int, ...] = ()) -> Filed:
    """Record ``item`` with its alert changes, then deliver it (a notice) and every alert it
    opened.  Filing the same item again changes nothing."""
    recorded = tx.record(item, location, _own_audience(item, tx.situation.roster))
    if recorded.seq is None:
        return Filed(recorded)
    roster = tx.situation.roster
    planned: list[Delivery] = []
    if isinstance(item, Notice):
        planned.extend(notice_deliveries(item, roster, tx.now))
    for change in recorded.assessment.changes:
        if change.action is ChangeAction.opened:
            planned.extend(alert_deliveries(change.alert, roster, tx.now))
    return Filed(recorded, deliver(tx, planned))


_OWNER_FIELD = {Notice: "author", ProtectedSite: "owner", Observation: "reported_by"}
_ACTION = {
    Notice: Action.file_notice,
    ProtectedSite: Action.register_site,
    Observation: Action.file_observation,
    Party: Action.configure,
    Agreement: Action.configure,
    Line: Action.configure,
    ZoneAgreement: Action.configure,
}


def file_as(tx: Tx, principal: Principal, item: Item) -> Filed:
    """File on behalf of ``principal``: its role must allow it, and a party files only its own
    notices, sites and observations."""
    require(principal, _ACTION[type(item)])
    owner_field = _OWNER_FIELD.get(type(item))
    if owner_field is not None and getattr(item, owner_field) != principal.party:
        raise Forbidden(
            f"{principal.party} may not file for {getattr(item, owner_field)}: "
            f"{owner_field} must be the caller's own party"
        )
    return file(tx, item)
