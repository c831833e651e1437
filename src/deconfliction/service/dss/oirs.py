"""Operational intent references: query, get, create, update, delete (utm.yaml), with the
reference DSS's rules where the text is silent (docs/design/formats.md)."""

from __future__ import annotations

from typing import Any

from deconfliction.engine.dss import (
    AirspaceConflict,
    Footprint,
    OirState,
    UssDown,
    footprint,
)
from deconfliction.engine.dss.wire import PutOirIn
from deconfliction.engine.errors import Forbidden, InvalidInput, NotFound
from deconfliction.service.coordinator import Tx
from deconfliction.service.dss import references, subscriptions
from deconfliction.service.dss.auth import DssClient, Scope
from deconfliction.service.dss.common import (
    DssConfig,
    check_id,
    constraint_view,
    find,
    oir_view,
    parse,
)
from deconfliction.store import dss as store

__all__ = ["delete_oir", "get_oir", "put_oir", "query_oirs"]

READ = (Scope.strategic_coordination, Scope.conformance_monitoring_sa)
KIND = references.KINDS["oir"]


def query_oirs(tx: Tx, client: DssClient, body: Any, config: DssConfig) -> dict[str, Any]:
    client.require(*READ)
    rows = find(tx, "oir", references.area_of_interest(body, config), config)
    return {"operational_intent_references": [oir_view(tx.connection, r, client.sub) for r in rows]}


def get_oir(tx: Tx, client: DssClient, entity_id: str) -> dict[str, Any]:
    client.require(*READ)
    row = store.get(tx.connection, "oir", check_id(entity_id))
    if row is None:
        raise NotFound("operational intent reference", entity_id)
    return {"operational_intent_reference": oir_view(tx.connection, row, client.sub)}


def _attach(
    tx: Tx,
    client: DssClient,
    params: PutOirIn,
    fp: Footprint,
    previous: dict[str, Any] | None,
    config: DssConfig,
) -> dict[str, Any] | None:
    """The subscription the intent will depend on (created, grown or checked)."""
    if params.subscription_id is None:
        if params.new_subscription is None:
            return None
        return subscriptions.create_implicit(tx, client, params, fp, config)
    sub_id = check_id(params.subscription_id, "subscription_id")
    sub = (
        previous
        if previous is not None and previous["id"] == sub_id
        else store.get(tx.connection, "subscription", sub_id)
    )
    if sub is None:
        raise InvalidInput.at(("subscription_id",), f"no subscription {sub_id}")
    if sub["manager"] != client.sub:
        raise Forbidden("the subscription is managed by another client")
    return subscriptions.cover(tx, sub, params.extents, fp, config)


def _check_key(
    tx: Tx,
    client: DssClient,
    entity_id: str,
    fp: Footprint,
    key: set[str],
    attached: dict[str, Any] | None,
    config: DssConfig,
) -> None:
    """AirspaceConflict (409) unless ``key`` holds the OVN of every intersecting entity."""
    others = [r for r in find(tx, "oir", fp, config) if r["id"] != entity_id]
    down = store.down_managers(tx.connection, [r["manager"] for r in others])
    missing = [
        r
        for r in others
        if r["ovn"] not in key and not (r["manager"] in down and r["state"] == OirState.Accepted)
    ]
    missing_constraints: list[dict[str, Any]] = []
    if attached is not None and attached["notify_for_constraints"]:
        missing_constraints = [r for r in find(tx, "constraint", fp, config) if r["ovn"] not in key]
    if missing or missing_constraints:
        message = "current OVNs not provided for one or more operational intents or constraints"
        body: dict[str, Any] = {"message": message}
        if missing:
            body["missing_operational_intents"] = [
                oir_view(tx.connection, r, client.sub) for r in missing
            ]
        if missing_constraints:
            body["missing_constraints"] = [
                constraint_view(tx.connection, r, client.sub) for r in missing_constraints
            ]
        raise AirspaceConflict(message, body)


def put_oir(
    tx: Tx, client: DssClient, entity_id: str, ovn: str, body: Any, config: DssConfig
) -> tuple[int, dict[str, Any]]:
    """Create (``ovn`` empty, 201) or update (200) an operational intent reference."""
    client.require(*READ)
    entity_id = check_id(entity_id)
    params: PutOirIn = parse(PutOirIn, body)
    fp = footprint(params.extents, max_area_km2=config.max_area_km2, require_bounds=True)
    assert fp.t1 is not None
    if fp.t1 < tx.now:
        raise InvalidInput.at(("extents",), "the end time may not be in the past")
    if not ovn and params.state is not OirState.Accepted:
        raise InvalidInput.at(
            ("state",), f"an operational intent is created Accepted, not {params.state}"
        )
    if params.subscription_id is not None and params.new_subscription is not None:
        raise InvalidInput.at(
            ("subscription_id",), "give subscription_id or new_subscription, not both"
        )
    if (
        params.state.needs_subscription
        and params.subscription_id is None
        and params.new_subscription is None
    ):
        raise InvalidInput.at(
            ("subscription_id",),
            f"state {params.state} needs a subscription: subscription_id or new_subscription",
        )
    if params.state.needs_cmsa and not client.has(Scope.conformance_monitoring_sa):
        raise Forbidden(
            f"only conformance monitoring ({Scope.conformance_monitoring_sa}) may declare {params.state}"
        )
    old = references.existing(tx, KIND, client, entity_id, ovn)
    if (
        params.state in (OirState.Accepted, OirState.Activated)
        and store.availability(tx.connection, client.sub)[0] == "Down"
    ):
        raise UssDown(
            f"{client.sub} is marked Down: it may not make operational intents {params.state}"
        )
    previous = (
        store.get(tx.connection, "subscription", old["subscription_id"])
        if old and old["subscription_id"]
        else None
    )
    attached = _attach(tx, client, params, fp, previous, config)
    if params.state.needs_key:
        _check_key(tx, client, entity_id, fp, set(params.key or ()), attached, config)
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
        title=f"UTM operational intent {entity_id} v{version} ({params.state}) of {client.sub}",
        fields={
            "state": params.state.value,
            "subscription_id": attached["id"] if attached else None,
        },
    )
    if previous is not None and (attached is None or attached["id"] != previous["id"]):
        subscriptions.drop_if_orphan_implicit(tx, previous, config)
    return (201 if old is None else 200), {
        "operational_intent_reference": oir_view(tx.connection, row, client.sub),
        "subscribers": to_notify,
    }


def delete_oir(
    tx: Tx, client: DssClient, entity_id: str, ovn: str, config: DssConfig
) -> dict[str, Any]:
    client.require(*READ)
    old = references.current(tx, KIND, client, entity_id, ovn)
    if store.availability(tx.connection, client.sub)[0] == "Down":
        raise UssDown(f"{client.sub} is marked Down: it may not delete operational intents")
    view = oir_view(tx.connection, old, client.sub)
    to_notify = references.delete(tx, KIND, config, client, old)
    if old["subscription_id"]:
        sub = store.get(tx.connection, "subscription", old["subscription_id"])
        if sub is not None:
            subscriptions.drop_if_orphan_implicit(tx, sub, config)
    return {"operational_intent_reference": view, "subscribers": to_notify}
