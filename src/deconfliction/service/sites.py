"""Protected sites over the wire: register, update or recertify, list and read them.

A site is registered by its owner's duty officer (the owner is the caller's party) and seen by
the owner and every party bound by an agreement with the owner; any other party is answered as
if it did not exist.  Every read of another party's site is recorded.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from deconfliction.engine.detection.roster import may_see
from deconfliction.engine.errors import Forbidden, NotFound
from deconfliction.engine.items import kind_named
from deconfliction.engine.model import ProtectedSite
from deconfliction.engine.model.sites import SiteDetails
from deconfliction.service.alerts import Outcome, outcome
from deconfliction.service.auth import Principal
from deconfliction.service.coordinator import Tx
from deconfliction.service.filing import file_as
from deconfliction.service.permissions import Action, require
from deconfliction.service.reading import Reader
from deconfliction.store import items as item_store
from deconfliction.store.schema import sites as table

__all__ = ["SiteFiling", "list_sites", "read_site", "register_site", "update_site"]

SITE = kind_named("site")


@dataclass(frozen=True, slots=True)
class SiteFiling:
    site: ProtectedSite
    outcome: Outcome


def _file(tx: Tx, principal: Principal, site_id: str, details: SiteDetails) -> SiteFiling:
    site = ProtectedSite(id=site_id, owner=principal.party, **dict(details))
    filed = file_as(tx, principal, site)
    return SiteFiling(site, outcome(tx, principal, filed))


def register_site(tx: Tx, principal: Principal, details: SiteDetails) -> SiteFiling:
    """Register a new site owned by the caller's party (the server names it ``s-...``)."""
    require(principal, Action.register_site)
    return _file(tx, principal, f"s-{secrets.token_hex(8)}", details)


def update_site(tx: Tx, principal: Principal, site_id: str, details: SiteDetails) -> SiteFiling:
    """File a site again: new details, or a later ``valid_until`` (recertification).  Only the
    owner may; a party that may see the site but does not own it is refused."""
    require(principal, Action.register_site)
    site = tx.situation.sites.get(site_id)
    if site is None or not may_see(principal.party, tx.situation.audience(site)):
        raise NotFound("site", site_id)
    if site.owner != principal.party:
        raise Forbidden(f"site '{site_id}' belongs to '{site.owner}': only its owner may update it")
    return _file(tx, principal, site_id, details)


def read_site(reader: Reader, site_id: str) -> ProtectedSite:
    """One site the caller may see; the read is recorded."""
    found = item_store.load_one(reader.connection, reader.cache, SITE, reader.party, site_id)
    if found is None:
        raise NotFound("site", site_id)
    site: ProtectedSite = found.item
    reader.show("site", site.id, site.owner)
    return site


def list_sites(
    reader: Reader, *, owner: str | None = None, valid_only: bool = False
) -> list[ProtectedSite]:
    """Sites the caller may see (only ``owner``'s when given; only those valid now when
    ``valid_only``); each read of another party's site is recorded."""
    query = item_store.select_items(SITE, reader.party)
    if owner is not None:
        query = query.where(table.c.owner == owner)
    if valid_only:
        query = query.where(table.c.valid_from <= reader.now, table.c.valid_until > reader.now)
    found = [
        s.item
        for s in item_store.load(reader.connection, reader.cache, SITE, query.order_by(table.c.id))
    ]
    for site in found:
        reader.show("site", site.id, site.owner)
    return found
