"""What every resource shares: the error body, GeoJSON geometry, deliveries, the input base."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from deconfliction.engine.hotline import Delivery, DeliveryStatus, ItemType
from deconfliction.engine.model import UtcTime

__all__ = [
    "ERRORS",
    "MAX_INT64",
    "DeliveryPublic",
    "ErrorBody",
    "Geometry",
    "Input",
    "Output",
    "errors",
]

MAX_INT64 = 2**63 - 1
"""The largest number a sequence or index column holds: a larger one in a path, query or header
is refused with 422 before it reaches the store (PostgreSQL's ``bigint`` would fail on it)."""

Geometry = Annotated[
    dict[str, Any],
    Field(
        description=(
            "GeoJSON geometry (RFC 7946), longitude first, for display: circles, corridors and "
            "geodesic edges rendered to about a metre.  Decisions use the exact outline."
        ),
        examples=[{"type": "Point", "coordinates": [35.864, 33.113]}],
    ),
]


class Input(BaseModel):
    """Base of request bodies: unknown fields are refused (a misspelt field must not be
    silently dropped), surrounding whitespace is trimmed."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Output(BaseModel):
    """Base of response bodies."""

    model_config = ConfigDict(frozen=True)


class Problem(Output):
    path: str = Field(description="Where in the request, e.g. `volumes[0].outline`.")
    reason: str


class ErrorDetail(Output):
    status: int
    type: str = Field(
        description=(
            "invalid_input, malformed_request, idempotency_key_reused, unauthenticated, "
            "forbidden, not_found, conflicting_record, method_not_allowed"
        )
    )
    message: str
    problems: list[Problem] | None = Field(
        default=None, description="Every problem found in the request (for invalid input)."
    )


class ErrorBody(Output):
    """Every error has this shape."""

    error: ErrorDetail


_ERROR_TEXT = {
    400: "The body is not valid JSON.",
    401: "No token, or one that is unknown, expired or revoked.",
    403: "The caller's role may not do this.",
    404: "No such item, or none the caller's party may see (the two answer alike).",
    409: "The request contradicts the record (e.g. replacing a notice already replaced).",
    422: "Invalid input: every problem with its path and reason, or an idempotency key reused.",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` for these error statuses."""
    return {s: {"model": ErrorBody, "description": _ERROR_TEXT[s]} for s in statuses}


ERRORS = errors(401, 404, 422)
"""The errors every authenticated read may answer."""


class DeliveryPublic(Output):
    """One item in one party's inbox: delivered -> read -> acknowledged (acknowledged means
    "received", nothing more), or undelivered when the recipient is suspended or withdrawn."""

    id: str
    item_type: ItemType
    item_id: str
    recipient: str
    sender: str | None
    status: DeliveryStatus
    delivered_at: UtcTime
    deadline_at: UtcTime | None = Field(description="When acknowledgement is due (if asked).")
    step_s: float | None = Field(description="Seconds between escalation steps.")
    monitors: list[str] = Field(description="Parties the item escalates to last.")
    level: int = Field(description="Escalation steps taken so far.")
    next_at: UtcTime | None = Field(description="When the next escalation step is due.")
    read_at: UtcTime | None
    acknowledged_at: UtcTime | None
    reply: str | None = Field(description="The reply sent with the acknowledgement, if any.")
    note: str

    @classmethod
    def of(cls, d: Delivery) -> DeliveryPublic:
        return cls(
            id=d.id,
            item_type=d.item_type,
            item_id=d.item_id,
            recipient=d.recipient,
            sender=d.sender,
            status=d.status,
            delivered_at=d.delivered_at,
            deadline_at=d.deadline_at,
            step_s=d.step_s,
            monitors=list(d.monitors),
            level=d.level,
            next_at=d.next_at,
            read_at=d.read_at,
            acknowledged_at=d.acknowledged_at,
            reply=d.reply,
            note=d.note,
        )
