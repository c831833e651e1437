"""Request bodies and answers the API tests share."""

from __future__ import annotations

import copy
from typing import Any

import httpx

from tests.support.factory import (
    EAST,
    END,
    START,
    notice_body,
    observation_body,
    party,
    site_body,
    volume_body,
)
from tests.support.server import Api

__all__ = [
    "EAST",
    "END",
    "MISSING",
    "START",
    "agree",
    "changed",
    "file_notice",
    "golan",
    "not_found",
    "notice",
    "observation",
    "parties",
    "problems",
    "site",
    "volume",
]

volume = volume_body
notice = notice_body
site = site_body
observation = observation_body


def changed(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A deep copy of ``body`` with the value at ``path`` (``a.b[0].c``) set, or removed when
    ``value`` is :data:`MISSING`."""
    out = copy.deepcopy(body)
    parts: list[str | int] = []
    for piece in path.replace("]", "").replace("[", ".").split("."):
        parts.append(int(piece) if piece.isdigit() else piece)
    target: Any = out
    for part in parts[:-1]:
        target = target[part]
    if value is MISSING:
        del target[parts[-1]]
    else:
        target[parts[-1]] = value
    return out


MISSING = object()


def problems(response: httpx.Response) -> dict[str, str]:
    """``{path: reason}`` of an error answer (asserting its shape)."""
    body = response.json()
    assert set(body) == {"error"}, body
    error = body["error"]
    assert error["status"] == response.status_code
    assert {"status", "type", "message"} <= set(error)
    return {p["path"]: p["reason"] for p in error.get("problems") or []}


def not_found(kind: str, ident: str) -> dict[str, Any]:
    """The exact body of a 404."""
    return {
        "error": {"status": 404, "type": "not_found", "message": f"not found: {kind} '{ident}'"}
    }


def file_notice(client: httpx.Client, body: dict | None = None, **kw: Any) -> dict[str, Any]:
    response = client.post("/v1/notices", json=body or notice(**kw))
    assert response.status_code == 201, response.text
    return response.json()


def parties(api: Api, *idents: str) -> None:
    """Record bare parties (armed forces bound by nothing)."""
    api.record([party(i) for i in idents])


def agree(api: Api, method: str, path: str, body: dict[str, Any], proposer: str) -> Any:
    """Propose a change as ``proposer``'s admin, then have the admin of every other party it
    needs consent; the item as it is now in force."""
    answer = api.as_(proposer, "admin").request(method, path, json=body)
    assert answer.status_code in (200, 201), answer.text
    outcome = answer.json()
    proposal = outcome["proposal"]
    for required in proposal["required"]:
        if required not in proposal["consents"]:
            consented = api.as_(required, "admin").post(f"/v1/proposals/{proposal['id']}/consent")
            assert consented.status_code == 200, consented.text
            outcome = consented.json()
    assert outcome["proposal"]["status"] == "in_force", outcome
    return outcome["in_force"]


def golan(api: Api) -> dict[str, httpx.Client]:
    """Load the Golan scenario; a duty officer's client for each party, and undof's monitor."""
    api.load_golan()
    return {
        "idf": api.as_("idf"),
        "rus": api.as_("rus"),
        "sarc": api.as_("sarc"),
        "undof": api.as_("undof", "monitor"),
    }
