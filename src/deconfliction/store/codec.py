"""Items and alert changes to and from canonical JSON (RFC 8785).

Canonical JSON makes the same event always the same bytes, so that its hash (the ledger's leaf)
does not depend on the library that wrote it.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Final

import rfc8785

from deconfliction.engine.alerts import Alert, AlertChange, AlertStatus, ChangeAction
from deconfliction.engine.detection.findings import AlertKind
from deconfliction.engine.model import (
    Agreement,
    Line,
    Notice,
    Observation,
    Party,
    ProtectedSite,
    ZoneAgreement,
)
from deconfliction.engine.model.common import parse_utc
from deconfliction.engine.situation import Item

__all__ = [
    "ITEM_TYPES",
    "Canonical",
    "canonical",
    "change_from_json",
    "change_to_json",
    "item_event_type",
    "item_from_json",
    "item_kind",
    "item_to_json",
]

ITEM_TYPES: Final[dict[str, type[Item]]] = {
    "party": Party,
    "agreement": Agreement,
    "line": Line,
    "zone": ZoneAgreement,
    "site": ProtectedSite,
    "notice": Notice,
    "observation": Observation,
}
_KIND_OF: Final = {cls: kind for kind, cls in ITEM_TYPES.items()}
_EVENT_TYPES: Final = {
    "notice": "notice.filed",
    "observation": "observation.filed",
}


_SAFE_INT: Final = 2**53 - 1


class _Unplain(Exception):
    """The value holds something the fast path does not write exactly as RFC 8785 does."""


def _plain(value: Any) -> Any:
    """``value`` with integral floats as ints, when ``json.dumps`` then writes exactly the RFC
    8785 text: str, in-range int, bool, None, integral float below 2**53 (RFC 8785 writes
    600.0 as ``600``), other floats between 1e-4 and 1e16, lists, and dicts with ASCII keys
    (sorted by code point, which for ASCII is the UTF-16 order RFC 8785 asks).  Raises
    ``_Unplain`` otherwise."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return value
    if kind is int:
        if -_SAFE_INT <= value <= _SAFE_INT:
            return value
        raise _Unplain
    if kind is float:
        if value.is_integer():
            if -_SAFE_INT <= value <= _SAFE_INT:
                return int(value)
        elif 1e-4 <= abs(value) < 1e16:
            # Both write the shortest digits that read back as the same float; in this range
            # neither uses an exponent (Python's repr switches outside it, ECMAScript's at
            # 1e-7 and 1e21), so the texts agree.
            return value
        raise _Unplain
    if kind is dict:
        out = {}
        for key, item in value.items():
            if type(key) is not str or not key.isascii():
                raise _Unplain
            out[key] = _plain(item)
        return out
    if kind is list or kind is tuple:
        return [_plain(item) for item in value]
    raise _Unplain


class Canonical(str):
    """JSON text already in canonical form: :func:`canonical` returns it as it is."""

    __slots__ = ()


def canonical(value: Any) -> str:
    """RFC 8785 canonical JSON text.

    Payloads of strings, integers, ordinary floats (coordinates, distances), lists and objects
    with ASCII keys are written by the standard library's C encoder, which then produces the
    same text as RFC 8785, ten times faster; anything else (very small or large floats,
    non-ASCII keys, other types) goes through ``rfc8785``.  A test compares the two on random
    values.
    """
    if type(value) is Canonical:
        return str(value)
    try:
        plain = _plain(value)
    except _Unplain:
        return rfc8785.dumps(value).decode("utf-8")
    text = json.dumps(plain, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: let rfc8785 refuse them its way
            return rfc8785.dumps(value).decode("utf-8")
    return text


def item_kind(item: Item | type[Item]) -> str:
    """The short name of an item's kind ("notice"), from the item or its class."""
    cls = item if isinstance(item, type) else type(item)
    return _KIND_OF[cls]


def item_event_type(item: Item) -> str:
    kind = item_kind(item)
    return _EVENT_TYPES.get(kind, f"{kind}.recorded")


def item_to_json(item: Item) -> dict[str, Any]:
    data: dict[str, Any] = item.model_dump(mode="json", by_alias=True)
    return data


def item_from_json(kind: str, data: dict[str, Any]) -> Item:
    """Rebuild an item from its stored form (validated again: the store is not trusted
    blindly)."""
    return ITEM_TYPES[kind].model_validate(data)


def _alert_from_dict(data: dict[str, Any]) -> Alert:
    def time(key: str) -> datetime | None:
        raw = data.get(key)
        return None if raw is None else parse_utc(raw)

    raised = time("raised_at")
    updated = time("updated_at")
    assert raised is not None
    assert updated is not None
    return Alert(
        id=data["id"],
        kind=AlertKind(data["kind"]),
        status=AlertStatus(data["status"]),
        parties=tuple(data["parties"]),
        subjects=tuple(data["subjects"]),
        explanation=data["explanation"],
        raised_at=raised,
        updated_at=updated,
        figures=dict(data["figures"]),
        closed_at=time("closed_at"),
        closed_reason=data.get("closed_reason"),
    )


def change_to_json(change: AlertChange) -> dict[str, Any]:
    return {
        "action": change.action.value,
        "at": change.at.isoformat(),
        "alert": change.alert.to_dict(),
    }


def change_from_json(data: dict[str, Any]) -> AlertChange:
    return AlertChange(
        ChangeAction(data["action"]), _alert_from_dict(data["alert"]), parse_utc(data["at"])
    )


def alert_from_row(row: Any) -> Alert:
    """An alert from a row of the ``alerts`` projection."""
    return _alert_from_dict(
        {
            "id": row.id,
            "kind": row.kind,
            "status": row.status,
            "parties": json.loads(row.parties),
            "subjects": json.loads(row.subjects),
            "explanation": row.explanation,
            "figures": json.loads(row.figures),
            "raised_at": row.raised_at.isoformat(),
            "updated_at": row.updated_at.isoformat(),
            "closed_at": row.closed_at.isoformat() if row.closed_at else None,
            "closed_reason": row.closed_reason,
        }
    )
