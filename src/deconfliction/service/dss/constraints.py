"""Constraint references: query, get, create, update, delete (utm.yaml)."""

from __future__ import annotations

from typing import Any

from deconfliction.engine.dss import footprint
from deconfliction.engine.dss.wire import PutConstraintIn
from deconfliction.engine.errors import InvalidInput, NotFound
from deconfliction.service.coordinator import Tx
from deconfliction.service.dss import references
from deconfliction.service.dss.auth import DssClient, Scope
from deconfliction.service.dss.common import DssConfig, check_id, constraint_view, find, parse
from deconfliction.store import dss as store

__all__ = ["delete_constraint", "get_constraint", "put_constraint", "query_constraints"]

READ = (Scope.constraint_management, Scope.constraint_processing)
WRITE = (Scope.constraint_management,)
KIND = references.KINDS["constraint"]


def query_constraints(tx: Tx, client: DssClient, body: Any, config: DssConfig) -> dict[str, Any]:
    client.require(*READ)
    fp = references.area_of_interest(body, config)
    rows = find(tx, "constraint", fp, config)
    return {"constraint_references": [constraint_view(tx.connection, r, client.sub) for r in rows]}


def get_constraint(tx: Tx, client: DssClient, entity_id: str) -> dict[str, Any]:
    client.require(*READ)
    row = store.get(tx.connection, "constraint", check_id(entity_id))
    if row is None:
        raise NotFound("constraint reference", entity_id)
    return {"constraint_reference": constraint_view(tx.connection, row, client.sub)}


def put_constraint(
    tx: Tx, client: DssClient, entity_id: str, ovn: str, body: Any, config: DssConfig
) -> tuple[int, dict[str, Any]]:
    """Create (``ovn`` empty, 201) or update (200) a constraint reference."""
    client.require(*WRITE)
    entity_id = check_id(entity_id)
    params: PutConstraintIn = parse(PutConstraintIn, body)
    fp = footprint(params.extents, max_area_km2=config.max_area_km2, require_bounds=True)
    if fp.t1 is not None and fp.t1 < tx.now:
        raise InvalidInput.at(("extents",), "the end time may not be in the past")
    old = references.existing(tx, KIND, client, entity_id, ovn)
    version = 1 if old is None else old["version"] + 1
    row, to_notify = references.record(
        tx,
        KIND,
        config,
        client,
        entity_id=entity_id,
        old=old,
        fp=fp,
        extents=params.extents,
        uss_base_url=params.uss_base_url,
        title=f"UTM constraint {entity_id} v{version} of {client.sub}",
        fields={},
    )
    return (201 if old is None else 200), {
        "constraint_reference": constraint_view(tx.connection, row, client.sub),
        "subscribers": to_notify,
    }


def delete_constraint(
    tx: Tx, client: DssClient, entity_id: str, ovn: str, config: DssConfig
) -> dict[str, Any]:
    client.require(*WRITE)
    old = references.current(tx, KIND, client, entity_id, ovn)
    view = constraint_view(tx.connection, old, client.sub)
    return {
        "constraint_reference": view,
        "subscribers": references.delete(tx, KIND, config, client, old),
    }
