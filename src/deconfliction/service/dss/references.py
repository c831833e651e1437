"""Operational intent and constraint references, from one definition: a :class:`Kind`
describes each (its table, words, scopes, wire model, view and its own :class:`Rules`), and the
use cases (query, get, create or update, delete) are written once for both.

Recording a version or a deletion is shared too: the ledger entry, the subscriptions it
triggers with their new notification indexes, the notice, the row."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from deconfliction.engine.dss import Footprint, VersionMismatch, footprint
from deconfliction.engine.dss.wire import QueryIn, Volume4DIn
from deconfliction.engine.errors import Forbidden, InvalidInput, NotFound
from deconfliction.service.coordinator import Tx
from deconfliction.service.dss import index
from deconfliction.service.dss.auth import DssClient, Scope
from deconfliction.service.dss.common import (
    DssConfig,
    bound_columns,
    check_id,
    entry,
    find,
    new_secret,
    parse,
    sha256,
    subscribers,
    triggered,
)
from deconfliction.service.dss.notices import cancel_notice, file_notice
from deconfliction.store import dss as store

__all__ = [
    "Kind",
    "Prepared",
    "Rules",
    "area_of_interest",
    "current",
    "delete",
    "delete_reference",
    "existing",
    "get_reference",
    "put_reference",
    "query_references",
    "record",
]


@dataclass(frozen=True, slots=True)
class Prepared:
    """What a kind's rules decided for a new version: its own columns (also in the ledger
    entry), a detail for the notice's title, and what to do once the version is recorded."""

    fields: dict[str, Any] = field(default_factory=dict)
    detail: str = ""
    after: Callable[[], None] = lambda: None


class Rules:
    """A kind's own rules around the shared use cases; by default none (a constraint's)."""

    def check(self, tx: Tx, client: DssClient, params: Any, ovn: str) -> None:
        """Refuse a change before the current version is read."""

    def prepare(
        self,
        tx: Tx,
        client: DssClient,
        entity_id: str,
        params: Any,
        fp: Footprint,
        old: dict[str, Any] | None,
        config: DssConfig,
    ) -> Prepared:
        """Check a change against the current version ``old`` and the airspace."""
        return Prepared()

    def deleting(self, tx: Tx, client: DssClient) -> None:
        """Refuse a deletion."""

    def deleted(self, tx: Tx, old: dict[str, Any], config: DssConfig) -> None:
        """Tidy up after a deletion."""


View = Callable[[Any, dict[str, Any], str], dict[str, Any]]
"""A stored row as a viewer (a client's ``sub``) may see it, in the standard's shape."""


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of reference: its table, its words, who may read and write it, its request
    body, its view, its rules, and which subscriptions it triggers."""

    table: str
    name: str
    notice: str
    for_constraints: bool
    collection: str
    """The path of its collection (``/dss/v1/<collection>``) and, less its ``s``, the key of
    one reference in an answer."""
    short: str
    """Its short name in route names (``query_<short>s``, ``get_<short>``...)."""
    read: tuple[Scope, ...]
    write: tuple[Scope, ...]
    wire: type[BaseModel]
    view: View
    rules: Rules = field(default_factory=Rules)

    @property
    def one(self) -> str:
        return self.collection.removesuffix("s")


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
        [fp, *([index.footprint_of(tx, kind.table, old)] if old else [])],
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
    index.put(tx, kind.table, row, fp)
    return row, to_notify


def delete(
    tx: Tx, kind: Kind, config: DssConfig, client: DssClient, old: dict[str, Any]
) -> list[dict[str, Any]]:
    """Record the deletion of ``old``: returns the subscribers to notify."""
    notified = triggered(
        tx,
        [index.footprint_of(tx, kind.table, old)],
        config,
        for_constraints=kind.for_constraints,
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
    index.delete(tx, kind.table, old["id"])
    cancel_notice(
        tx,
        config,
        what=kind.notice,
        title=f"UTM {kind.name} {old['id']} deleted by {client.sub}",
        current=old["notice_id"],
    )
    return to_notify


# -- the use cases, once for every kind ------------------------------------------------------


def query_references(
    kind: Kind, tx: Tx, client: DssClient, body: Any, config: DssConfig
) -> dict[str, Any]:
    """The references of ``kind`` intersecting the query's ``area_of_interest``."""
    client.require(*kind.read)
    rows = find(tx, kind.table, area_of_interest(body, config), config)
    return {kind.collection: [kind.view(tx.connection, r, client.sub) for r in rows]}


def get_reference(kind: Kind, tx: Tx, client: DssClient, entity_id: str) -> dict[str, Any]:
    client.require(*kind.read)
    row = store.get(tx.connection, kind.table, check_id(entity_id))
    if row is None:
        raise NotFound(f"{kind.name} reference", entity_id)
    return {kind.one: kind.view(tx.connection, row, client.sub)}


def put_reference(
    kind: Kind, tx: Tx, client: DssClient, entity_id: str, ovn: str, body: Any, config: DssConfig
) -> tuple[int, dict[str, Any]]:
    """Create (``ovn`` empty, 201) or update (200) a reference of ``kind``."""
    client.require(*kind.write)
    entity_id = check_id(entity_id)
    params = parse(kind.wire, body)
    fp = footprint(params.extents, max_area_km2=config.max_area_km2, require_bounds=True)
    if fp.t1 is not None and fp.t1 < tx.now:
        raise InvalidInput.at(("extents",), "the end time may not be in the past")
    kind.rules.check(tx, client, params, ovn)
    old = existing(tx, kind, client, entity_id, ovn)
    prepared = kind.rules.prepare(tx, client, entity_id, params, fp, old, config)
    version = 1 if old is None else old["version"] + 1
    row, to_notify = record(
        tx,
        kind,
        config,
        client,
        entity_id=entity_id,
        old=old,
        fp=fp,
        extents=params.extents,
        uss_base_url=params.uss_base_url,
        title=f"UTM {kind.name} {entity_id} v{version}{prepared.detail} of {client.sub}",
        fields=prepared.fields,
    )
    prepared.after()
    return (201 if old is None else 200), {
        kind.one: kind.view(tx.connection, row, client.sub),
        "subscribers": to_notify,
    }


def delete_reference(
    kind: Kind, tx: Tx, client: DssClient, entity_id: str, ovn: str, config: DssConfig
) -> dict[str, Any]:
    client.require(*kind.write)
    old = current(tx, kind, client, entity_id, ovn)
    kind.rules.deleting(tx, client)
    view = kind.view(tx.connection, old, client.sub)
    to_notify = delete(tx, kind, config, client, old)
    kind.rules.deleted(tx, old, config)
    return {kind.one: view, "subscribers": to_notify}
