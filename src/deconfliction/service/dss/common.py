"""What every DSS use case shares: configuration, OVNs, footprints of stored rows, exact
searches, the views the standard defines, the subscribers to notify, and the ledger entry."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError

from deconfliction.engine.dss import Footprint, footprint
from deconfliction.engine.dss.wire import Volume4DIn
from deconfliction.engine.errors import DeconflictionError, InvalidInput, Problem
from deconfliction.service import interop
from deconfliction.service.coordinator import Tx
from deconfliction.store import dss as store

__all__ = [
    "NO_OVN",
    "NULL_SUBSCRIPTION",
    "DssConfig",
    "Misconfigured",
    "bounds_of",
    "check_id",
    "entry",
    "find",
    "new_secret",
    "oir_view",
    "parse",
    "row_footprint",
    "sha256",
    "subscribers",
    "time_json",
    "triggered",
]

NO_OVN = "Available from USS"
"""What others see instead of an OVN (as the reference DSS writes it)."""
NULL_SUBSCRIPTION = "00000000-0000-4000-8000-000000000000"
_UUID4_RE = re.compile(
    r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-4[0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$"
)


@dataclass(frozen=True, slots=True)
class DssConfig:
    """The party whose notices DSS entities become, and the largest area accepted."""

    party: str
    max_area_km2: float = 2500.0


def check_id(value: str, what: str = "entity id") -> str:
    if not _UUID4_RE.match(value):
        raise InvalidInput.at((what,), f"{value!r} is not a version-4 UUID")
    return value.lower()


def parse(model: type[BaseModel], body: Any) -> Any:
    """A request body as ``model``; InvalidInput (400) naming the field otherwise."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise InvalidInput(
            Problem(tuple(e["loc"]), str(e["msg"])) for e in exc.errors(include_url=False)
        ) from None


def new_secret() -> str:
    """A fresh OVN or version: 43 URL-safe characters (256 bits)."""
    return secrets.token_urlsafe(32)


def new_id() -> str:
    return str(uuid.uuid4())


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def time_json(t: datetime) -> dict[str, str]:
    return {"value": t.isoformat().replace("+00:00", "Z"), "format": "RFC3339"}


def extents_json(extents: Sequence[Volume4DIn]) -> str:
    return json.dumps(
        [e.model_dump(mode="json", exclude_none=True) for e in extents], sort_keys=True
    )


def row_footprint(row: dict[str, Any], config: DssConfig) -> Footprint:
    """The footprint of a stored entity (its extents as recorded)."""
    extents = [Volume4DIn.model_validate(e) for e in json.loads(row["extents"])]
    found = footprint(extents, max_area_km2=float("inf"), require_outline=False)
    # The stored bounds (a subscription's times are adjusted when recorded) are authoritative.
    return Footprint(
        found.shapes, found.areas_km2, row["alt_lo"], row["alt_hi"], row["t0"], row["t1"]
    )


def bounds_of(fp: Footprint) -> store.Bounds:
    return (fp.bbox() if fp.shapes else None, fp.t0, fp.t1, fp.alt_lo, fp.alt_hi)


def bound_columns(fp: Footprint, extents: Sequence[Volume4DIn]) -> dict[str, Any]:
    west, south, east, north = fp.bbox()
    return {
        "t0": fp.t0,
        "t1": fp.t1,
        "alt_lo": fp.alt_lo,
        "alt_hi": fp.alt_hi,
        "west": west,
        "south": south,
        "east": east,
        "north": north,
        "extents": extents_json(extents),
    }


def find(
    tx: Tx,
    kind: str,
    fp: Footprint,
    config: DssConfig,
    *,
    manager: str | None = None,
) -> list[dict[str, Any]]:
    """Stored entities of ``kind`` whose footprint intersects ``fp`` exactly."""
    if not fp.shapes:
        return []
    rows = store.candidates(tx.connection, kind, bounds_of(fp), manager=manager)
    return [r for r in rows if row_footprint(r, config).intersects(fp)]


def _availability(connection: Any, manager: str) -> str:
    return store.availability(connection, manager)[0]


def constraint_view(connection: Any, row: dict[str, Any], viewer: str) -> dict[str, Any]:
    """A ConstraintReference as ``viewer`` may see it (the OVN to its manager only)."""
    return {
        "id": row["id"],
        "manager": row["manager"],
        "uss_availability": _availability(connection, row["manager"]),
        "version": row["version"],
        "ovn": row["ovn"] if row["manager"] == viewer else NO_OVN,
        "time_start": time_json(row["t0"]),
        "time_end": time_json(row["t1"]),
        "uss_base_url": row["uss_base_url"],
    }


def oir_view(connection: Any, row: dict[str, Any], viewer: str) -> dict[str, Any]:
    """An OperationalIntentReference: a constraint's fields, its state and subscription."""
    return constraint_view(connection, row, viewer) | {
        "state": row["state"],
        "subscription_id": row["subscription_id"] or NULL_SUBSCRIPTION,
    }


def subscription_view(connection: Any, row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "version": row["version"],
        "notification_index": row["notification_index"],
        "time_start": time_json(row["t0"]),
        "time_end": time_json(row["t1"]),
        "uss_base_url": row["uss_base_url"],
        "notify_for_operational_intents": row["notify_for_operational_intents"],
        "notify_for_constraints": row["notify_for_constraints"],
        "implicit_subscription": row["implicit"],
        "dependent_operational_intents": store.dependents(connection, row["id"]),
    }


def triggered(
    tx: Tx, fps: Iterable[Footprint], config: DssConfig, *, for_constraints: bool
) -> list[dict[str, Any]]:
    """The live subscriptions a change in ``fps`` triggers (operational intents' or
    constraints'), by id."""
    flag = "notify_for_constraints" if for_constraints else "notify_for_operational_intents"
    found: dict[str, dict[str, Any]] = {}
    for fp in fps:
        for row in find(tx, "subscription", fp, config):
            if row[flag] and row["t1"] >= tx.now:
                found[row["id"]] = row
    return [found[k] for k in sorted(found)]


def subscribers(
    rows: Sequence[dict[str, Any]],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The subscribers to notify (by base URL) and each subscription's next notification index."""
    by_url: dict[str, list[dict[str, Any]]] = {}
    states = []
    for row in rows:
        state = {"subscription_id": row["id"], "notification_index": row["notification_index"] + 1}
        by_url.setdefault(row["uss_base_url"], []).append(state)
        states.append(state)
    return [{"uss_base_url": u, "subscriptions": s} for u, s in by_url.items()], states


class Misconfigured(DeconflictionError):
    """The DSS is enabled but its party is not in the record (a server error: 500)."""


def entry(tx: Tx, config: DssConfig, type_: str, subject: str, payload: dict[str, Any]) -> int:
    """The ledger entry of a DSS write, readable by the DSS party."""
    if not interop.has_party(tx, config.party):
        raise Misconfigured(
            f"the DSS party '{config.party}' is not in the record: declare it "
            "(DECONFLICT_DSS_PARTY names it)"
        )
    return interop.append_entry(tx, f"dss.{type_}", subject, payload, [config.party])
