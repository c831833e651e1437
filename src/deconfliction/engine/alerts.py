"""Alerts: findings with a lifecycle.

A finding becomes an open alert the first time it is found; recomputing after a replacement,
a new site or a new observation updates it (same key, new explanation or figures) or closes it
with a reason.  Alerts are closed, never deleted, and every change is kept with its time.

:class:`Alert` and :class:`AlertChange` are the one definition of these records: the ledger's
payload, the store's projection and the API's answer are all derived from them.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from deconfliction.engine.detection.findings import AlertKind, FigureValue, Finding
from deconfliction.engine.model.common import UtcTime

__all__ = ["Alert", "AlertChange", "AlertStatus", "ChangeAction", "Record"]


class Record(BaseModel):
    """Base of the records the engine derives (alerts, deliveries, messages): immutable, and
    built by the engine itself, so nothing unknown may appear in them."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class AlertStatus(StrEnum):
    open = "open"
    closed = "closed"


class ChangeAction(StrEnum):
    opened = "opened"
    updated = "updated"
    closed = "closed"


class Alert(Record):
    """A conflict or violation found by the engine, explained for a duty officer.  It is
    information for the parties it names: nothing is refused because of it."""

    id: str = Field(description="Stable across recomputations: the same finding, the same id.")
    kind: AlertKind
    status: AlertStatus
    parties: tuple[str, ...] = Field(
        description="The parties informed (each may see every subject)."
    )
    subjects: tuple[str, ...] = Field(
        description="The notices, sites, zones and observations concerned."
    )
    explanation: str
    raised_at: UtcTime
    updated_at: UtcTime
    figures: dict[str, FigureValue] = Field(
        default_factory=dict, description="The numbers behind the explanation."
    )
    closed_at: UtcTime | None = None
    closed_reason: str | None = None

    @classmethod
    def from_finding(cls, finding: Finding, at: datetime) -> Alert:
        return cls(
            id=finding.key,
            kind=finding.kind,
            status=AlertStatus.open,
            parties=finding.parties,
            subjects=finding.subjects,
            explanation=finding.explanation,
            raised_at=finding.raised_at if finding.raised_at <= at else at,
            updated_at=at,
            figures=dict(finding.figures),
        )

    def same_content(self, finding: Finding) -> bool:
        return (
            self.parties == finding.parties
            and self.subjects == finding.subjects
            and self.explanation == finding.explanation
            and self.figures == finding.figures
        )

    def updated(self, finding: Finding, at: datetime) -> Alert:
        """The alert, open, with what ``finding`` says now."""
        return self.model_copy(
            update={
                "status": AlertStatus.open,
                "parties": finding.parties,
                "subjects": finding.subjects,
                "explanation": finding.explanation,
                "figures": dict(finding.figures),
                "updated_at": at,
            }
        )

    def closed(self, at: datetime, reason: str) -> Alert:
        """The alert, closed at ``at`` for ``reason``."""
        return self.model_copy(
            update={
                "status": AlertStatus.closed,
                "updated_at": at,
                "closed_at": at,
                "closed_reason": reason,
            }
        )


class AlertChange(Record):
    """One change in an alert's life: the alert as it is after the change, and when."""

    action: ChangeAction
    alert: Alert
    at: UtcTime
