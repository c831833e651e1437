"""What every resource shares: the error body, GeoJSON geometry, deliveries, the input base."""

from __future__ import annotations

from typing import Annotated, Any, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field

from deconfliction.api.schemas.ledger import ReceiptPublic, TreeHeadPublic
from deconfliction.engine.hotline import Delivery

__all__ = [
    "ERRORS",
    "MAX_INT64",
    "DeliveryPublic",
    "ErrorBody",
    "Geometry",
    "Input",
    "LedgerEntries",
    "LedgerEntryRef",
    "Output",
    "Receipted",
    "answered",
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


DeliveryPublic = Delivery
"""One item in one party's inbox (the record itself: :class:`~deconfliction.engine.hotline.Delivery`)."""


class LedgerEntryRef(Output):
    """An entry a write made that the caller may read (its receipt:
    ``GET /v1/ledger/entries/{index}``)."""

    index: int
    leaf_hash: str = Field(description="hex")
    type: str
    subject: str


class LedgerEntries(Output):
    tree_head: TreeHeadPublic
    entries: list[LedgerEntryRef]


class Receipted(Output):
    """Base of every write's answer: what was recorded, with the ledger's proof of it.

    ``receipt`` proves the write's first entry the caller may read (the notice filed, the
    acknowledgement, ...): the entry itself, its index and hash, the signed tree head and the
    inclusion proof (check it offline with ``deconflict verify receipt``).  ``ledger`` lists
    every entry the write made that the caller may read.  Both are absent only when the write
    recorded nothing new (the same item filed again)."""

    receipt: ReceiptPublic | None = Field(
        default=None, description="Proof that the write is in the log (see docs/ledger.md)."
    )
    ledger: LedgerEntries | None = Field(
        default=None, description="Every entry of the write the caller may read."
    )


AnswerT = TypeVar("AnswerT", bound=Receipted)


def answered(answer: type[AnswerT], public: BaseModel) -> AnswerT:
    """``public`` as a write's answer: the same fields, and room for the receipt."""
    return cast(AnswerT, answer.model_construct(**dict(public)))
