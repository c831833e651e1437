"""Protected sites over the wire: register, update or recertify, list and read them.

A site is registered by its owner's duty officer (the owner is the caller's party) and seen by
the owner and every party bound by an agreement with the owner; any other party is answered as
if it did not exist.  Every read of another party's site is recorded.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from deconfliction.engine.errors import Forbidden, InvalidInput, NotFound
from deconfliction.engine.model import ProtectedSite
from deconfliction.engine.scenario import problems_from_validation
from deconfliction.service.alerts import Outcome, outcome
from deconfliction.service.auth import Principal
from deconfliction.service.coordinator import Tx
from deconfliction.service.filing import file_as
from deconfliction.service.hotline import mark_item_read
from deconfliction.service.permissions import Action, require
from deconfliction.service.visibility import Visibility

__all__ = ["SiteFiling", "list_sites", "read_site", "register_site", "update_site"]


@dataclass(frozen=True, slots=True)
class SiteFiling:
    site: ProtectedSite
    outcome: Outcome


def _visible(tx: Tx, principal: Principal, site_id: str) -> ProtectedSite:
    site = tx.situation.sites.get(site_id)
    if site is None or not Visibility(tx.situation, principal.party).site(site):
        raise NotFound("site", site_id)
    return site


def _file(tx: Tx, principal: Principal, site_id: str, data: Mapping[str, Any]) -> SiteFiling:
    try:
        site = ProtectedSite.model_validate(
            {**data, "id": site_id, "owner": principal.party},
            context={"limits": tx.coordinator.limits},
        )
    except ValidationError as exc:
        raise InvalidInput(problems_from_validation(exc)) from None
    filed = file_as(tx, principal, site)
    return SiteFiling(site, outcome(tx, principal, filed))


def register_site(tx: Tx, principal: Principal, data: Mapping[str, Any]) -> SiteFiling:
    """Register a new site owned by the caller's party (the server names it ``s-...``)."""
    require(principal, Action.register_site)
    return _file(tx, principal, f"s-{secrets.token_hex(8)}", data)


def update_site(tx: Tx, principal: Principal, site_id: str, data: Mapping[str, Any]) -> SiteFiling:
    """File a site again: new details, or a later ``valid_until`` (recertification).  Only the
    owner may; a party that may see the site but does not own it is refused."""
    require(principal, Action.register_site)
    site = _visible(tx, principal, site_id)
    if site.owner != principal.party:
        raise Forbidden(f"site '{site_id}' belongs to '{site.owner}': only its owner may update it")
    return _file(tx, principal, site_id, data)


def read_site(tx: Tx, principal: Principal, site_id: str) -> ProtectedSite:
    """One site the caller may see; the read is recorded."""
    site = _visible(tx, principal, site_id)
    mark_item_read(tx, principal, "site", site.id, site.owner)
    return site


def list_sites(
    tx: Tx, principal: Principal, *, owner: str | None = None, valid_only: bool = False
) -> list[ProtectedSite]:
    """Sites the caller may see (only ``owner``'s when given; only those valid now when
    ``valid_only``); each read of another party's site is recorded."""
    see = Visibility(tx.situation, principal.party)
    found = [
        s
        for s in tx.situation.sites.values()
        if see.site(s)
        and (owner is None or s.owner == owner)
        and (not valid_only or s.valid_from <= tx.now < s.valid_until)
    ]
    found.sort(key=lambda s: s.id)
    for site in found:
        mark_item_read(tx, principal, "site", site.id, site.owner)
    return found
