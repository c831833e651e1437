"""Alerts: what the service found (conflicts, late notices, protected sites, zone rules),
told to the parties it names.  Information, never a refusal."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from deconfliction.api.schemas.common import DeliveryPublic, Geometry, Output, Receipted
from deconfliction.engine.alerts import Alert
from deconfliction.service.alerts import AlertView, Outcome

__all__ = ["AlertList", "AlertPublic", "Filed"]


class AlertPublic(Alert):
    """An alert (the record itself) and where it happens."""

    geometry: Geometry | None = Field(
        default=None, description="Where it happens, when it has one place (GeoJSON)."
    )

    @classmethod
    def of(cls, view: AlertView) -> AlertPublic:
        return cls.model_construct(**dict(view.alert), geometry=view.geometry)


class AlertList(Output):
    alerts: list[AlertPublic]

    @classmethod
    def of(cls, views: list[AlertView]) -> AlertList:
        return cls.model_construct(alerts=[AlertPublic.of(v) for v in views])


class Filed(Receipted):
    """What recording an item did, as far as the caller may see it: the alerts it opened or
    updated, those it closed, and its deliveries."""

    alerts: list[AlertPublic] = Field(description="Alerts opened or updated by this filing.")
    closed_alerts: list[AlertPublic] = Field(description="Alerts this filing closed.")
    deliveries: list[DeliveryPublic]

    @classmethod
    def outcome(cls, outcome: Outcome) -> dict[str, Any]:
        """The fields of :class:`Filed` for ``outcome`` (given to the answer's own
        ``model_construct``: no :class:`Filed` is made only to be read back)."""
        return {
            "alerts": [AlertPublic.of(a) for a in outcome.alerts],
            "closed_alerts": [AlertPublic.of(a) for a in outcome.closed_alerts],
            "deliveries": list(outcome.deliveries),
        }
