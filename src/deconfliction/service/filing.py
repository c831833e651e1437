"""Filing: record an item, raise its alerts, and deliver the notice and the new alerts."""

from __future__ import annotations

from dataclasses import dataclass, field

from deconfliction.engine.alerts import ChangeAction
from deconfliction.engine.errors import Forbidden
from deconfliction.engine.hotline import Delivery, alert_deliveries, notice_deliveries
from deconfliction.engine.items import Item, kind_named, kind_of
from deconfliction.engine.model import Agreement, Limits, Notice
from deconfliction.service.auth import Principal
from deconfliction.service.coordinator import OPERATOR, Recorded, Tx
from deconfliction.service.hotline import deliver
from deconfliction.store import items as item_store
from deconfliction.store.feeds import grant

__all__ = ["Filed", "file", "file_as"]


@dataclass(frozen=True, slots=True)
class Filed:
    recorded: Recorded
    deliveries: list[Delivery] = field(default_factory=list)


def file(
    tx: Tx,
    item: Item,
    location: tuple[str | int, ...] = (),
    limits: Limits | None = None,
    *,
    by: str = OPERATOR,
) -> Filed:
    """Record ``item`` with its alert changes, then deliver it (a notice) and every alert it
    opened.  Filing the same item again changes nothing; a new item is held to ``limits``.
    ``by`` is who records it (see :meth:`Tx.record`)."""
    recorded = tx.record(item, location, limits, by=by)
    if recorded.seq is None:
        return Filed(recorded)
    roster = tx.situation.roster
    planned: list[Delivery] = []
    if isinstance(item, Notice):
        planned.extend(notice_deliveries(item, roster, tx.now))
    elif isinstance(item, Agreement):
        _share_sites(tx, item)
    for change in recorded.assessment.changes:
        if change.action is ChangeAction.opened:
            planned.extend(alert_deliveries(change.alert, roster, tx.now))
    return Filed(recorded, deliver(tx, planned))


def _share_sites(tx: Tx, agreement: Agreement) -> None:
    """A party bound by an agreement with a site's owner may read the owner's sites: it is
    given their entries, so that it can prove what it was told (the site's audience follows
    the agreements; see :meth:`~deconfliction.engine.detection.roster.Roster.audience`)."""
    owners = set(agreement.parties)
    sites = [s for s in tx.situation.sites.values() if s.owner in owners]
    seqs = item_store.seqs_of(tx.connection, kind_named("site"), (s.id for s in sites))
    for site in sites:
        grant(tx.connection, seqs[site.id], tx.situation.audience(site))


def file_as(tx: Tx, principal: Principal, item: Item) -> Filed:
    """File new input on behalf of ``principal``, whose role the use case checked first: a
    party files only its own notices, sites and observations, and the item is held to the
    server's limits (new input only: see :mod:`deconfliction.engine.model.limits`)."""
    kind = kind_of(item)
    owner = kind.owner(item)
    if owner is not None and owner != principal.party:
        raise Forbidden(
            f"{principal.party} may not file for {owner}: {kind.owner_field} must be the "
            "caller's own party"
        )
    return file(tx, item, limits=tx.limits, by=principal.party)
