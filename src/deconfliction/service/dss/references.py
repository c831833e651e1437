"""What operational intent and constraint references share: the checks of a change against the
current version, and recording a version or a deletion (the ledger entry, the subscriptions it
triggers with their new notification indexes, the notice, the row)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from deconfliction.engine.dss import Footprint, VersionMismatch, footprint
from deconfliction.engine.dss.wire import QueryIn, Volume4DIn
from deconfliction.engine.errors import Forbidden, InvalidInput, NotFound
from deconfliction.service.coordinator import Tx
from deconfliction.service.dss.auth import DssClient
from deconfliction.service.dss.common import (
    DssConfig,
    bound_columns,
    check_id,
    entry,
    new_secret,
    parse,
    row_footprint,
    sha256,
    subscribers,
    triggered,
)
from deconfliction.service.dss.notices import cancel_notice, file_notice
from deconfliction.store import dss as store

__all__ = ["KINDS", "Kind", "area_of_interest", "current", "delete", "existing", "record"]


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of reference: its table, its words, and which subscriptions it triggers."""

    table: str
    name: str
    notice: str
    for_constraints: bool


KINDS = {
    "oir": Kind("oir", "operational intent", "oir", for_constraints=False),
    "constraint": Kind("constraint", "constraint", "cr", for_constraints=True),
}


def area_of_interest(body: Any, config: DssConfig) -> Footprint:
    """The footprint of a query's ``area_of_interest`` (required; within the area limit)."""
    query = parse(QueryIn, body)
    if query.area_of_interest is None:
        raise InvalidInput.at(("area_of_interest",), "required")
    return footprint(
        [query.area_of_interest], max_area_km2=config.max_area_km2, where="area_of_interest"
    )


def existing(
    tx: Tx, kind: Kind, client: DssClient, entity_id: str, ovn: str
) -> dict[str, Any] | None:
    """The current version a change applies to (None for a creation): only its manager may
    change it, with its current OVN."""
    old = store.get(tx.connection, kind.table, entity_id)
    if old is not None:
        if old["manager"] != client.sub:
            raise Forbidden(f"the {kind.name} is managed by another client")
        if old["ovn"] != ovn:
            raise VersionMismatch(f"the OVN given is not the {kind.name}'s current OVN")
    elif ovn:
        raise InvalidInput.at(("ovn",), f"no {kind.name} {entity_id} to update")
    return old


def current(tx: Tx, kind: Kind, client: DssClient, entity_id: str, ovn: str) -> dict[str, Any]:
    """The version a deletion applies to: it exists, the caller manages it, the OVN is its."""
    entity_id = check_id(entity_id)
    if not ovn:
        raise InvalidInput.at(("ovn",), f"the OVN of the {kind.name} is required")
    old = store.get(tx.connection, kind.table, entity_id)
    if old is None:
        raise NotFound(f"{kind.name} reference", entity_id)
    return existing(tx, kind, client, entity_id, ovn) or old


def record(
    tx: Tx,
    kind: Kind,
    config: DssConfig,
    client: DssClient,
    *,
    entity_id: str,
    old: dict[str, Any] | None,
    fp: Footprint,
    extents: Sequence[Volume4DIn],
    uss_base_url: str,
    title: str,
    fields: dict[str, Any],
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Record a new version: returns its row and the subscribers to notify.  ``fields`` are
    the kind's own columns (state, subscription), also written to the ledger entry."""
    version = 1 if old is None else old["version"] + 1
    ovn = new_secret()
    notified = triggered(
        tx,
        [fp, *([row_footprint(old, config)] if old else [])],
        config,
        for_constraints=kind.for_constraints,
    )
    to_notify, states = subscribers(notified)
    seq = entry(
        tx,
        config,
        f"{kind.table}.{'created' if old is None else 'updated'}",
        entity_id,
        {
            "id": entity_id,
            "manager": client.sub,
            "version": version,
            "ovn_sha256": sha256(ovn),
            "uss_base_url": uss_base_url,
            "extents": [e.model_dump(mode="json", exclude_none=True) for e in extents],
            "notified": states,
            **fields,
        },
    )
    store.bump_notification_index(tx.connection, [r["id"] for r in notified], seq)
    notice_id = file_notice(
        tx,
        config,
        what=kind.notice,
        title=title,
        extents=extents,
        current=old["notice_id"] if old else None,
    )
    row = {
        "id": entity_id,
        "manager": client.sub,
        "uss_base_url": uss_base_url,
        "version": version,
        "ovn": ovn,
        "notice_id": notice_id,
        "seq": seq,
        **fields,
        **bound_columns(fp, extents),
    }
    store.put(tx.connection, kind.table, row)
    return row, to_notify


def delete(
    tx: Tx, kind: Kind, config: DssConfig, client: DssClient, old: dict[str, Any]
) -> list[dict[str, Any]]:
    """Record the deletion of ``old``: returns the subscribers to notify."""
    notified = triggered(
        tx, [row_footprint(old, config)], config, for_constraints=kind.for_constraints
    )
    to_notify, states = subscribers(notified)
    seq = entry(
        tx,
        config,
        f"{kind.table}.deleted",
        old["id"],
        {"id": old["id"], "manager": client.sub, "version": old["version"], "notified": states},
    )
    store.bump_notification_index(tx.connection, [r["id"] for r in notified], seq)
    store.delete(tx.connection, kind.table, old["id"])
    cancel_notice(
        tx,
        config,
        what=kind.notice,
        title=f"UTM {kind.name} {old['id']} deleted by {client.sub}",
        current=old["notice_id"],
    )
    return to_notify
