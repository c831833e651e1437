"""The one place tests build notices, volumes, sites, observations, parties and deliveries.

Each builder comes twice: ``*_body`` gives the JSON a client sends (a request body, a scenario
entry), and the plain name gives the domain object, read from that body through the product's
own models, exactly as the edge reads it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from deconfliction.engine.hotline import Delivery, DeliveryStatus, ItemType, delivery_id
from deconfliction.engine.model import (
    Notice,
    Observation,
    Party,
    ProtectedSite,
    Volume,
)
from deconfliction.engine.model.observations import ObservationReport
from deconfliction.engine.model.sites import SiteDetails

__all__ = [
    "EAST",
    "END",
    "START",
    "notice",
    "notice_body",
    "notice_delivery",
    "observation",
    "observation_body",
    "party",
    "report",
    "site",
    "site_body",
    "site_details",
    "volume",
    "volume_body",
]

# A quiet corner far from everything in the Golan scenario (east of Damascus), on a day of its
# own, so that tests file there without meeting the scenario's notices.
EAST = "33.5000N 36.9000E"
START = "2026-11-25T10:00:00.000000Z"
END = "2026-11-25T11:00:00.000000Z"


def volume_body(
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


def volume(**kw: Any) -> Volume:
    return Volume.model_validate(volume_body(**kw))


def notice_body(
    kind: str = "air_operation", title: str = "test notice", **volume_args: Any
) -> dict[str, Any]:
    """A request body for ``POST /v1/notices``."""
    return {"kind": kind, "title": title, "volumes": [volume_body(**volume_args)]}


def notice(
    ident: str = "n-1",
    author: str = "a",
    *,
    filed_at: str = "2026-11-24T08:00:00.000000Z",
    kind: str = "air_operation",
    action: str = "new",
    replaces: str | None = None,
    volumes: list[dict[str, Any]] | None = None,
    **volume_args: Any,
) -> Notice:
    """A recorded notice version (as a scenario file gives it)."""
    body: dict[str, Any] = {
        "id": ident,
        "author": author,
        "kind": kind,
        "action": action,
        "filed_at": filed_at,
        "volumes": [] if action == "cancel" else volumes or [volume_body(**volume_args)],
    }
    if replaces is not None:
        body["replaces"] = replaces
    return Notice.model_validate(body)


def site_body(**changes: Any) -> dict[str, Any]:
    """A request body for ``POST /v1/sites``."""
    body = {
        "name": "Field hospital",
        "category": "hospital",
        "location": {"type": "point", "position": EAST},
        "valid_from": "2026-01-01T00:00:00.000000Z",
        "valid_until": "2027-01-01T00:00:00.000000Z",
    }
    return body | changes


def site_details(**changes: Any) -> SiteDetails:
    return SiteDetails.model_validate(site_body(**changes))


def site(ident: str = "s-1", owner: str = "h", **changes: Any) -> ProtectedSite:
    return ProtectedSite.model_validate({"id": ident, "owner": owner, **site_body(**changes)})


def observation_body(**changes: Any) -> dict[str, Any]:
    """A request body for ``POST /v1/observations``."""
    body = {
        "observed_at": "2026-11-24T11:50:00.000000Z",
        "position": "33.0090N 36.3813E",
        "affiliation": "Iran-backed militia",
        "unit_category": "militia",
        "counts": {"troops": 40},
    }
    return body | changes


def report(**changes: Any) -> ObservationReport:
    return ObservationReport.model_validate(observation_body(**changes))


def observation(ident: str = "o-1", reported_by: str = "m", **changes: Any) -> Observation:
    return Observation.model_validate(
        {"id": ident, "reported_by": reported_by, **observation_body(**changes)}
    )


def party(ident: str, kind: str = "armed_force", **changes: Any) -> Party:
    return Party.model_validate({"id": ident, "name": ident.upper(), "kind": kind, **changes})


def notice_delivery(recipient: str, at: datetime, **fields: Any) -> Delivery:
    """The delivery of notice ``n-1`` from ``author`` to ``recipient``, made at ``at`` and due
    ten minutes later (``fields``: other values for any field)."""
    due = at + timedelta(minutes=10)
    values: dict[str, Any] = {
        "id": delivery_id(ItemType.notice, "n-1", recipient),
        "item_type": ItemType.notice,
        "item_id": "n-1",
        "recipient": recipient,
        "sender": "author",
        "status": DeliveryStatus.delivered,
        "delivered_at": at,
        "deadline_at": due,
        "step_s": 600.0,
        "next_at": due,
    }
    return Delivery(**(values | fields))
