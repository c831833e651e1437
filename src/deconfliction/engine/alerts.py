"""Alerts: findings with a lifecycle.

A finding becomes an open alert the first time it is found; recomputing after a replacement,
a new site or a new observation updates it (same key, new explanation or figures) or closes it
with a reason.  Alerts are closed, never deleted, and every change is kept with its time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from deconfliction.engine.detection.findings import AlertKind, FigureValue, Finding

__all__ = ["Alert", "AlertChange", "AlertStatus", "ChangeAction"]


class AlertStatus(StrEnum):
    open = "open"
    closed = "closed"


class ChangeAction(StrEnum):
    opened = "opened"
    updated = "updated"
    closed = "closed"


@dataclass(frozen=True, slots=True)
class Alert:
    id: str
    kind: AlertKind
    status: AlertStatus
    parties: tuple[str, ...]
    subjects: tuple[str, ...]
    explanation: str
    raised_at: datetime
    updated_at: datetime
    figures: dict[str, FigureValue] = field(default_factory=dict)
    closed_at: datetime | None = None
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

    def updated(self, finding: Finding, at: datetime) -> Alert:
        """This alert, still open, with ``finding``'s parties, subjects, text and figures."""
        return Alert(
            id=self.id,
            kind=self.kind,
            status=AlertStatus.open,
            parties=finding.parties,
            subjects=finding.subjects,
            explanation=finding.explanation,
            raised_at=self.raised_at,
            updated_at=at,
            figures=dict(finding.figures),
        )

    def closed(self, at: datetime, reason: str) -> Alert:
        """This alert, closed at ``at`` for ``reason``."""
        return Alert(
            id=self.id,
            kind=self.kind,
            status=AlertStatus.closed,
            parties=self.parties,
            subjects=self.subjects,
            explanation=self.explanation,
            raised_at=self.raised_at,
            updated_at=at,
            figures=self.figures,
            closed_at=at,
            closed_reason=reason,
        )

    def same_content(self, finding: Finding) -> bool:
        return (
            self.parties == finding.parties
            and self.subjects == finding.subjects
            and self.explanation == finding.explanation
            and self.figures == finding.figures
        )

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form with stable keys."""
        return {
            "id": self.id,
            "kind": self.kind.value,
            "status": self.status.value,
            "parties": list(self.parties),
            "subjects": list(self.subjects),
            "explanation": self.explanation,
            "figures": dict(self.figures),
            "raised_at": self.raised_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
            "closed_reason": self.closed_reason,
        }


@dataclass(frozen=True, slots=True)
class AlertChange:
    """One change in an alert's life: the alert as it is after the change, and when."""

    action: ChangeAction
    alert: Alert
    at: datetime
