"""Subscriptions: explicit ones (create, get, query, update, delete) and the implicit ones the
DSS manages for operational intents, with their notification indexes."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from deconfliction.engine.dss import Footprint, VersionMismatch, footprint
from deconfliction.engine.dss.wire import PutOirIn, PutSubscriptionIn, Volume4DIn
from deconfliction.engine.errors import ConflictingRecord, Forbidden, InvalidInput, NotFound
from deconfliction.service.coordinator import Tx
from deconfliction.service.dss import references
from deconfliction.service.dss.auth import DssClient, Scope
from deconfliction.service.dss.common import (
    DssConfig,
    bound_columns,
    check_id,
    constraint_view,
    entry,
    find,
    new_id,
    new_secret,
    oir_view,
    parse,
    row_footprint,
    subscription_view,
)
from deconfliction.store import dss as store

__all__ = [
    "cover",
    "create_implicit",
    "delete_subscription",
    "drop_if_orphan_implicit",
    "get_subscription",
    "put_subscription",
    "query_subscriptions",
]

SCOPES = (Scope.strategic_coordination, Scope.constraint_processing)
MAX_DURATION = timedelta(hours=24)
CLOCK_SKEW = timedelta(minutes=5)


def _extents(row: dict[str, Any]) -> list[Volume4DIn]:
    return [Volume4DIn.model_validate(e) for e in json.loads(row["extents"])]


def _save(tx: Tx, row: dict[str, Any], type_: str, config: DssConfig) -> None:
    payload = {k: v for k, v in row.items() if k not in ("seq", "version", "extents")}
    payload |= {
        "t0": row["t0"].isoformat(),
        "t1": row["t1"].isoformat(),
        "extents": json.loads(row["extents"]),
    }
    row["seq"] = entry(tx, config, type_, row["id"], payload)
    store.put(tx.connection, "subscription", row)


def create_implicit(
    tx: Tx, client: DssClient, params: PutOirIn, fp: Footprint, config: DssConfig
) -> dict[str, Any]:
    """A subscription the DSS creates for one operational intent, covering it."""
    assert params.new_subscription is not None
    row: dict[str, Any] = {
        "id": new_id(),
        "manager": client.sub,
        "uss_base_url": params.new_subscription.uss_base_url,
        "version": new_secret(),
        "notification_index": 0,
        "notify_for_operational_intents": True,
        "notify_for_constraints": params.new_subscription.notify_for_constraints,
        "implicit": True,
        **bound_columns(fp, params.extents),
    }
    _save(tx, row, "subscription.created", config)
    return row


def cover(
    tx: Tx, sub: dict[str, Any], extents: list[Volume4DIn], fp: Footprint, config: DssConfig
) -> dict[str, Any]:
    """The subscription ``sub`` made to cover ``fp``: an implicit one grows, an explicit one
    that does not cover it is refused (400)."""
    mine = row_footprint(sub, config)
    assert fp.t0 is not None
    assert fp.t1 is not None
    short = []
    if sub["t0"] > fp.t0:
        short.append("begins after the operational intent starts")
    if sub["t1"] < fp.t1:
        short.append("ends before the operational intent ends")
    if not mine.covers(fp):
        short.append("does not cover the operational intent's area")
    if not short:
        return sub
    if not sub["implicit"]:
        raise InvalidInput.at(("subscription_id",), "the subscription " + " and ".join(short))
    grown_extents = _extents(sub) + list(extents)
    grown = footprint(grown_extents, max_area_km2=float("inf"), require_outline=False)
    row = dict(sub) | bound_columns(grown, grown_extents)
    row["t0"] = min(sub["t0"], fp.t0)
    row["t1"] = max(sub["t1"], fp.t1)
    row["version"] = new_secret()
    _save(tx, row, "subscription.updated", config)
    return row


def drop_if_orphan_implicit(tx: Tx, sub: dict[str, Any], config: DssConfig) -> None:
    """Delete an implicit subscription no operational intent depends on any more."""
    if sub["implicit"] and not store.dependents(tx.connection, sub["id"]):
        entry(
            tx,
            config,
            "subscription.deleted",
            sub["id"],
            {"id": sub["id"], "manager": sub["manager"], "implicit": True},
        )
        store.delete(tx.connection, "subscription", sub["id"])


def _owned(connection: Any, client: DssClient, sub_id: str) -> dict[str, Any]:
    row = store.get(connection, "subscription", check_id(sub_id, "subscription id"))
    if row is None:
        raise NotFound("subscription", sub_id)
    if row["manager"] != client.sub:
        raise Forbidden("the subscription is managed by another client")
    return row


def get_subscription(tx: Tx, client: DssClient, sub_id: str) -> dict[str, Any]:
    client.require(*SCOPES)
    return {"subscription": subscription_view(tx.connection, _owned(tx.connection, client, sub_id))}


def query_subscriptions(tx: Tx, client: DssClient, body: Any, config: DssConfig) -> dict[str, Any]:
    client.require(*SCOPES)
    fp = references.area_of_interest(body, config)
    rows = [
        r for r in find(tx, "subscription", fp, config, manager=client.sub) if r["t1"] >= tx.now
    ]
    return {"subscriptions": [subscription_view(tx.connection, r) for r in rows]}


def _within(sub_fp: Footprint, oir: dict[str, Any], config: DssConfig) -> bool:
    """Whether a subscription still covers an operational intent that depends on it."""
    fp = row_footprint(oir, config)
    assert sub_fp.t0 is not None
    assert sub_fp.t1 is not None
    if sub_fp.t0 - oir["t0"] > CLOCK_SKEW or oir["t1"] > sub_fp.t1:
        return False
    if sub_fp.alt_lo is not None and oir["alt_lo"] is not None and oir["alt_lo"] < sub_fp.alt_lo:
        return False
    if sub_fp.alt_hi is not None and oir["alt_hi"] is not None and oir["alt_hi"] > sub_fp.alt_hi:
        return False
    return sub_fp.covers(fp)


def put_subscription(
    tx: Tx, client: DssClient, sub_id: str, version: str, body: Any, config: DssConfig
) -> dict[str, Any]:
    """Create (``version`` empty) or update a subscription (200 both)."""
    client.require(*SCOPES)
    sub_id = check_id(sub_id, "subscription id")
    params: PutSubscriptionIn = parse(PutSubscriptionIn, body)
    if not params.notify_for_operational_intents and not params.notify_for_constraints:
        raise InvalidInput.at(
            ("notify_for_operational_intents",),
            "no notification requested: set at least one notify_for_* flag",
        )
    fp = footprint([params.extents], max_area_km2=config.max_area_km2, require_outline=False)
    old = store.get(tx.connection, "subscription", sub_id)
    start = fp.t0 or (old["t0"] if old else tx.now)
    if fp.t0 is not None and tx.now - fp.t0 > CLOCK_SKEW:
        raise InvalidInput.at(("extents", "time_start"), "must not be in the past")
    end = fp.t1 or (old["t1"] if old else start + MAX_DURATION)
    if end < start:
        raise InvalidInput.at(("extents", "time_end"), "must be after time_start")
    if end - start > MAX_DURATION:
        raise InvalidInput.at(("extents", "time_end"), "a subscription lasts at most 24 hours")
    if old is None:
        if version:
            raise InvalidInput.at(("version",), f"no subscription {sub_id} to update")
    else:
        if not version:
            raise ConflictingRecord(
                f"subscription {sub_id} already exists: give its version to update it"
            )
        if old["version"] != version:
            raise VersionMismatch("the version given is not the subscription's current version")
        if old["manager"] != client.sub:
            raise Forbidden("the subscription is managed by another client")
    fp = Footprint(fp.shapes, fp.areas_km2, fp.alt_lo, fp.alt_hi, start, end)
    dependents = store.dependents(tx.connection, sub_id) if old else []
    for oir in store.get_many(tx.connection, "oir", dependents):
        if not _within(fp, oir, config):
            raise InvalidInput.at(
                ("extents",),
                f"the subscription would no longer cover operational intent {oir['id']}, which depends on it",
            )
    row: dict[str, Any] = {
        "id": sub_id,
        "manager": client.sub,
        "uss_base_url": params.uss_base_url,
        "version": new_secret(),
        "notification_index": old["notification_index"] if old else 0,
        "notify_for_operational_intents": params.notify_for_operational_intents,
        "notify_for_constraints": params.notify_for_constraints,
        "implicit": old["implicit"] if old else False,
        **bound_columns(fp, [params.extents]),
    }
    row["t0"], row["t1"] = start, end
    _save(tx, row, "subscription.created" if old is None else "subscription.updated", config)
    answer: dict[str, Any] = {"subscription": subscription_view(tx.connection, row)}
    if params.notify_for_operational_intents:
        answer["operational_intent_references"] = [
            oir_view(tx.connection, r, client.sub) for r in find(tx, "oir", fp, config)
        ]
    if params.notify_for_constraints:
        answer["constraint_references"] = [
            constraint_view(tx.connection, r, client.sub)
            for r in find(tx, "constraint", fp, config)
        ]
    return answer


def delete_subscription(
    tx: Tx, client: DssClient, sub_id: str, version: str, config: DssConfig
) -> dict[str, Any]:
    client.require(*SCOPES)
    row = _owned(tx.connection, client, sub_id)
    if row["version"] != version:
        raise VersionMismatch("the version given is not the subscription's current version")
    if store.dependents(tx.connection, row["id"]):
        raise InvalidInput.at(
            ("subscription id",), "operational intents depend on this subscription"
        )
    view = subscription_view(tx.connection, row)
    entry(tx, config, "subscription.deleted", row["id"], {"id": row["id"], "manager": client.sub})
    store.delete(tx.connection, "subscription", row["id"])
    return {"subscription": view}
