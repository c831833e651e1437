"""Operational intent references: query, get, create, update, delete (utm.yaml), with the
reference DSS's rules where the text is silent (docs/design/formats.md).  The use cases are the
shared ones of :mod:`~deconfliction.service.dss.references`; an operational intent's own rules
(its state, its subscription, the OVNs of the intents it intersects, a Down manager) are
:class:`OirRules`."""

from __future__ import annotations

from functools import partial
from typing import Any

from deconfliction.engine.dss import (
    AirspaceConflict,
    Footprint,
    OirState,
    UssDown,
)
from deconfliction.engine.dss.wire import PutOirIn
from deconfliction.engine.errors import Forbidden, InvalidInput
from deconfliction.service.coordinator import Tx
from deconfliction.service.dss import references, subscriptions
from deconfliction.service.dss.auth import DssClient, Scope
from deconfliction.service.dss.common import (
    DssConfig,
    check_id,
    constraint_view,
    find,
    oir_view,
)
from deconfliction.store import dss as store

__all__ = ["KIND", "OirRules", "delete_oir", "get_oir", "put_oir", "query_oirs"]


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


class OirRules(references.Rules):
    """What an operational intent adds to the shared use cases."""

    def check(self, tx: Tx, client: DssClient, params: PutOirIn, ovn: str) -> None:
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
                f"only conformance monitoring ({Scope.conformance_monitoring_sa}) may declare "
                f"{params.state}"
            )

    def prepare(
        self,
        tx: Tx,
        client: DssClient,
        entity_id: str,
        params: PutOirIn,
        fp: Footprint,
        old: dict[str, Any] | None,
        config: DssConfig,
    ) -> references.Prepared:
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

        def after() -> None:
            if previous is not None and (attached is None or attached["id"] != previous["id"]):
                subscriptions.drop_if_orphan_implicit(tx, previous, config)

        return references.Prepared(
            fields={
                "state": params.state.value,
                "subscription_id": attached["id"] if attached else None,
            },
            detail=f" ({params.state})",
            after=after,
        )

    def deleting(self, tx: Tx, client: DssClient) -> None:
        if store.availability(tx.connection, client.sub)[0] == "Down":
            raise UssDown(f"{client.sub} is marked Down: it may not delete operational intents")

    def deleted(self, tx: Tx, old: dict[str, Any], config: DssConfig) -> None:
        if old["subscription_id"]:
            sub = store.get(tx.connection, "subscription", old["subscription_id"])
            if sub is not None:
                subscriptions.drop_if_orphan_implicit(tx, sub, config)


_SC = (Scope.strategic_coordination, Scope.conformance_monitoring_sa)

KIND = references.Kind(
    table="oir",
    name="operational intent",
    notice="oir",
    for_constraints=False,
    collection="operational_intent_references",
    short="oir",
    read=_SC,
    write=_SC,
    wire=PutOirIn,
    view=oir_view,
    rules=OirRules(),
)

query_oirs = partial(references.query_references, KIND)
get_oir = partial(references.get_reference, KIND)
put_oir = partial(references.put_reference, KIND)
delete_oir = partial(references.delete_reference, KIND)
