"""Alerts: what the service found (conflicts, late notices, protected sites, zone rules),
told to the parties it names."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from deconfliction.api.schemas.common import DeliveryPublic, Geometry, Output
from deconfliction.engine.alerts import AlertStatus
from deconfliction.engine.detection.findings import AlertKind
from deconfliction.engine.model import UtcTime
from deconfliction.service.alerts import AlertView, Outcome

__all__ = ["AlertList", "AlertPublic", "outcome_fields"]


class AlertPublic(Output):
    id: str
    kind: AlertKind
    status: AlertStatus
    parties: list[str] = Field(description="The parties told (each may see every subject).")
    subjects: list[str] = Field(description="The notices, sites, zones, observations concerned.")
    explanation: str
    figures: dict[str, float | int | str | None] = Field(
        description="The numbers behind the explanation."
    )
    raised_at: UtcTime
    updated_at: UtcTime
    closed_at: UtcTime | None
    closed_reason: str | None
    geometry: Geometry | None = Field(
        description="Where it happens, when it has one place (GeoJSON)."
    )

    @classmethod
    def of(cls, view: AlertView) -> AlertPublic:
        a = view.alert
        return cls.model_construct(
            id=a.id,
            kind=a.kind,
            status=a.status,
            parties=list(a.parties),
            subjects=list(a.subjects),
            explanation=a.explanation,
            figures=dict(a.figures),
            raised_at=a.raised_at,
            updated_at=a.updated_at,
            closed_at=a.closed_at,
            closed_reason=a.closed_reason,
            geometry=view.geometry,
        )


class AlertList(Output):
    alerts: list[AlertPublic]

    @classmethod
    def of(cls, views: list[AlertView]) -> AlertList:
        return cls.model_construct(alerts=[AlertPublic.of(v) for v in views])


def outcome_fields(outcome: Outcome) -> dict[str, Any]:
    """``alerts``, ``closed_alerts`` and ``deliveries`` of a filing's answer."""
    return {
        "alerts": [AlertPublic.of(a) for a in outcome.alerts],
        "closed_alerts": [AlertPublic.of(a) for a in outcome.closed_alerts],
        "deliveries": [DeliveryPublic.of(d) for d in outcome.deliveries],
    }
