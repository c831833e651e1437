"""Agreements: who notifies whom, how early, with which margins, and how quickly an item must
be acknowledged before it escalates."""

from __future__ import annotations

from pydantic import Field

from deconfliction.api.schemas.common import Output
from deconfliction.engine.model import Agreement, Identifier

__all__ = [
    "AgreementCreate",
    "AgreementList",
    "AgreementPublic",
    "AgreementReplace",
]


class AgreementCreate(Agreement):
    """A new agreement (admin), as in scenario files."""


class AgreementReplace(Agreement):
    """The agreement's new content (admin); ``id`` may be left out (it is the path's)."""

    id: Identifier | None = Field(default=None)  # type: ignore[assignment]


class AgreementPublic(Agreement):
    """An agreement, seen by its parties and monitors."""

    @classmethod
    def of(cls, agreement: Agreement) -> AgreementPublic:
        return cls.model_construct(**dict(agreement))


class AgreementList(Output):
    agreements: list[AgreementPublic]
