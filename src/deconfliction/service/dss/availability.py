"""USS availability (Unknown, Normal, Down) and reports of communication problems."""

from __future__ import annotations

import json
from typing import Any

from deconfliction.engine.dss import VersionMismatch
from deconfliction.engine.dss.wire import ReportIn, SetAvailabilityIn
from deconfliction.service.coordinator import Tx
from deconfliction.service.dss.auth import DssClient, Scope
from deconfliction.service.dss.common import DssConfig, entry, new_id, new_secret, parse
from deconfliction.store import dss as store

__all__ = ["get_availability", "make_report", "set_availability"]

READ = (
    Scope.availability_arbitration,
    Scope.strategic_coordination,
    Scope.conformance_monitoring_sa,
)


def _view(uss: str, availability: str, version: str) -> dict[str, Any]:
    return {"status": {"uss": uss, "availability": availability}, "version": version}


def get_availability(tx: Tx, client: DssClient, uss: str) -> dict[str, Any]:
    client.require(*READ)
    return _view(uss, *store.availability(tx.connection, uss))


def set_availability(
    tx: Tx, client: DssClient, uss: str, body: Any, config: DssConfig
) -> dict[str, Any]:
    client.require(Scope.availability_arbitration)
    params: SetAvailabilityIn = parse(SetAvailabilityIn, body)
    _, version = store.availability(tx.connection, uss)
    if params.old_version != version:
        raise VersionMismatch("old_version is not the current version of this USS's availability")
    new_version = new_secret()
    seq = entry(
        tx,
        config,
        "availability.set",
        uss,
        {"uss": uss, "availability": params.availability, "by": client.sub},
    )
    store.set_availability(tx.connection, uss, params.availability, new_version, seq)
    return _view(uss, params.availability, new_version)


def make_report(tx: Tx, client: DssClient, body: Any, config: DssConfig) -> dict[str, Any]:
    client.require(*Scope)
    report = parse(ReportIn, body)
    report_id = new_id()
    text = json.dumps(body, sort_keys=True)
    seq = entry(
        tx,
        config,
        "report.received",
        report_id,
        {"id": report_id, "reporter": client.sub, "report": report.model_dump(mode="json")},
    )
    store.insert_report(tx.connection, report_id, client.sub, text, tx.now, seq)
    return dict(body) | {"report_id": report_id}
