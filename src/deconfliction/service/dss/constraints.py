"""Constraint references: query, get, create, update, delete (utm.yaml)."""

from __future__ import annotations

from typing import Any

from deconfliction.engine.dss import VersionMismatch, footprint
from deconfliction.engine.dss.wire import PutConstraintIn, QueryIn
from deconfliction.engine.errors import Forbidden, InvalidInput, NotFound
from deconfliction.service.coordinator import Tx
from deconfliction.service.dss.auth import DssClient, Scope
from deconfliction.service.dss.common import (
    DssConfig,
    bound_columns,
    check_id,
    constraint_view,
    entry,
    find,
    new_secret,
    parse,
    row_footprint,
    sha256,
    subscribers,
    triggered,
)
from deconfliction.service.dss.notices import cancel_notice, file_notice
from deconfliction.store import dss as store

__all__ = ["delete_constraint", "get_constraint", "put_constraint", "query_constraints"]

READ = (Scope.constraint_management, Scope.constraint_processing)
WRITE = (Scope.constraint_management,)


def query_constraints(tx: Tx, client: DssClient, body: Any, config: DssConfig) -> dict[str, Any]:
    client.require(*READ)
    query = parse(QueryIn, body)
    if query.area_of_interest is None:
        raise InvalidInput.at(("area_of_interest",), "required")
    fp = footprint(
        [query.area_of_interest], max_area_km2=config.max_area_km2, where="area_of_interest"
    )
    return {
        "constraint_references": [
            constraint_view(tx.connection, r, client.sub)
            for r in find(tx, "constraint", fp, config)
        ]
    }


def get_constraint(tx: Tx, client: DssClient, entity_id: str) -> dict[str, Any]:
    client.require(*READ)
    row = store.get(tx.connection, "constraint", check_id(entity_id))
    if row is None:
        raise NotFound("constraint reference", entity_id)
    return {"constraint_reference": constraint_view(tx.connection, row, client.sub)}


def put_constraint(
    tx: Tx, client: DssClient, entity_id: str, ovn: str, body: Any, config: DssConfig
) -> tuple[int, dict[str, Any]]:
    client.require(*WRITE)
    entity_id = check_id(entity_id)
    params: PutConstraintIn = parse(PutConstraintIn, body)
    fp = footprint(params.extents, max_area_km2=config.max_area_km2, require_bounds=True)
    assert fp.t1 is not None
    if fp.t1 < tx.now:
        raise InvalidInput.at(("extents",), "the end time may not be in the past")
    old = store.get(tx.connection, "constraint", entity_id)
    if old is not None:
        if old["manager"] != client.sub:
            raise Forbidden("the constraint is managed by another client")
        if old["ovn"] != ovn:
            raise VersionMismatch("the OVN given is not the constraint's current OVN")
    elif ovn:
        raise InvalidInput.at(("ovn",), f"no constraint {entity_id} to update")
    version = 1 if old is None else old["version"] + 1
    new_ovn = new_secret()
    fps = [fp, *([row_footprint(old, config)] if old else [])]
    notified = triggered(tx, fps, config, for_constraints=True)
    to_notify, states = subscribers(notified)
    seq = entry(
        tx,
        config,
        "constraint.created" if old is None else "constraint.updated",
        entity_id,
        {
            "id": entity_id,
            "manager": client.sub,
            "version": version,
            "ovn_sha256": sha256(new_ovn),
            "uss_base_url": params.uss_base_url,
            "extents": [e.model_dump(mode="json", exclude_none=True) for e in params.extents],
            "notified": states,
        },
    )
    store.bump_notification_index(tx.connection, [r["id"] for r in notified], seq)
    notice_id = file_notice(
        tx,
        config,
        what="cr",
        entity_id=entity_id,
        title=f"UTM constraint {entity_id} v{version} of {client.sub}",
        extents=params.extents,
        current=old["notice_id"] if old else None,
    )
    row = {
        "id": entity_id,
        "manager": client.sub,
        "uss_base_url": params.uss_base_url,
        "version": version,
        "ovn": new_ovn,
        "notice_id": notice_id,
        "seq": seq,
        **bound_columns(fp, params.extents),
    }
    store.put(tx.connection, "constraint", row)
    return (201 if old is None else 200), {
        "constraint_reference": constraint_view(tx.connection, row, client.sub),
        "subscribers": to_notify,
    }


def delete_constraint(
    tx: Tx, client: DssClient, entity_id: str, ovn: str, config: DssConfig
) -> dict[str, Any]:
    client.require(*WRITE)
    entity_id = check_id(entity_id)
    old = store.get(tx.connection, "constraint", entity_id)
    if old is None:
        raise NotFound("constraint reference", entity_id)
    if old["manager"] != client.sub:
        raise Forbidden("the constraint is managed by another client")
    if old["ovn"] != ovn:
        raise VersionMismatch("the OVN given is not the constraint's current OVN")
    notified = triggered(tx, [row_footprint(old, config)], config, for_constraints=True)
    to_notify, states = subscribers(notified)
    seq = entry(
        tx,
        config,
        "constraint.deleted",
        entity_id,
        {"id": entity_id, "manager": client.sub, "version": old["version"], "notified": states},
    )
    store.bump_notification_index(tx.connection, [r["id"] for r in notified], seq)
    view = constraint_view(tx.connection, old, client.sub)
    store.delete(tx.connection, "constraint", entity_id)
    cancel_notice(
        tx,
        config,
        what="cr",
        title=f"UTM constraint {entity_id} deleted by {client.sub}",
        current=old["notice_id"],
    )
    return {"constraint_reference": view, "subscribers": to_notify}
