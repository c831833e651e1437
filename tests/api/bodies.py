"""Request bodies and answers the API tests share."""

from __future__ import annotations

import copy
from typing import Any

import httpx

from deconfliction.engine.model import Party
from tests.support.server import Api

# A quiet corner far from everything in the Golan scenario (east of Damascus), on a day of its
# own, so that tests file there without meeting the scenario's notices.
EAST = "33.5000N 36.9000E"
START = "2026-11-25T10:00:00Z"
END = "2026-11-25T11:00:00Z"


def volume(
    *,
    center: str = EAST,
    radius: str = "8 km",
    start: str = START,
    end: str = END,
    lower: str = "FL050",
    upper: str = "FL120",
    label: str = "",
) -> dict[str, Any]:
    return {
        "label": label,
        "outline": {"type": "circle", "center": center, "radius": radius},
        "altitude": {"lower": lower, "upper": upper},
        "window": {"start": start, "end": end},
    }


def notice(kind: str = "air_operation", title: str = "test notice", **volume_args: Any) -> dict:
    return {"kind": kind, "title": title, "volumes": [volume(**volume_args)]}


def site(**changes: Any) -> dict[str, Any]:
    body = {
        "name": "Field hospital",
        "category": "hospital",
        "location": {"type": "point", "position": EAST},
        "valid_from": "2026-01-01T00:00:00Z",
        "valid_until": "2027-01-01T00:00:00Z",
    }
    return body | changes


def observation(**changes: Any) -> dict[str, Any]:
    body = {
        "observed_at": "2026-11-24T11:50:00Z",
        "position": "33.0090N 36.3813E",
        "affiliation": "Iran-backed militia",
        "unit_category": "militia",
        "counts": {"troops": 40},
    }
    return body | changes


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
    api.record(
        [Party.model_validate({"id": i, "name": i.upper(), "kind": "armed_force"}) for i in idents]
    )


def golan(api: Api) -> dict[str, httpx.Client]:
    """Load the Golan scenario; a duty officer's client for each party, and undof's monitor."""
    api.load_golan()
    return {
        "idf": api.as_("idf"),
        "rus": api.as_("rus"),
        "sarc": api.as_("sarc"),
        "undof": api.as_("undof", "monitor"),
    }
