"""Protected sites: places the parties have been told must not be struck."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import Field, ValidationInfo, field_validator

from deconfliction.api.schemas.alerts import AlertPublic, outcome_fields
from deconfliction.api.schemas.common import DeliveryPublic, Geometry, Input, Output
from deconfliction.api.schemas.geometry import LocationInput, location_data
from deconfliction.engine.model import ProtectedSite, SiteCategory, UtcTime
from deconfliction.engine.model.sites import SiteLocation
from deconfliction.service.geojson import site_geometry
from deconfliction.service.sites import SiteFiling

__all__ = ["SiteCreate", "SiteFiled", "SiteList", "SitePublic", "SiteReplace"]


class SiteCreate(Input):
    """A protected site owned by the caller's party (the server names it).  Sites expire:
    after ``valid_until`` it raises no alert until its owner files it again (``PUT``)."""

    name: str = Field(min_length=1, max_length=500)
    category: SiteCategory
    location: LocationInput
    valid_from: UtcTime
    valid_until: UtcTime
    note: str = Field(default="", max_length=2000)

    @field_validator("valid_until")
    @classmethod
    def _after_valid_from(cls, value: datetime, info: ValidationInfo) -> datetime:
        start = info.data.get("valid_from")
        if start is not None and value <= start:
            raise ValueError(f"must be after valid_from ({start.isoformat()})")
        return value

    def data(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "category": self.category.value,
            "location": location_data(self.location),
            "valid_from": self.valid_from.isoformat(),
            "valid_until": self.valid_until.isoformat(),
            "note": self.note,
        }


class SiteReplace(SiteCreate):
    """The site's new details, e.g. a later ``valid_until`` to recertify it (owner only)."""


class SitePublic(Output):
    id: str
    name: str
    category: SiteCategory
    owner: str
    location: SiteLocation = Field(description="The location exactly as recorded.")
    valid_from: UtcTime
    valid_until: UtcTime
    note: str
    geometry: Geometry

    @classmethod
    def of(cls, site: ProtectedSite) -> SitePublic:
        return cls.model_construct(
            id=site.id,
            name=site.name,
            category=site.category,
            owner=site.owner,
            location=site.location,
            valid_from=site.valid_from,
            valid_until=site.valid_until,
            note=site.note,
            geometry=site_geometry(site),
        )


class SiteList(Output):
    sites: list[SitePublic]

    @classmethod
    def of(cls, sites: list[ProtectedSite]) -> SiteList:
        return cls.model_construct(sites=[SitePublic.of(s) for s in sites])


class SiteFiled(Output):
    """The site as recorded, the alerts it opened, updated or closed (those naming the
    caller), and the deliveries concerning the caller."""

    site: SitePublic
    alerts: list[AlertPublic]
    closed_alerts: list[AlertPublic]
    deliveries: list[DeliveryPublic]

    @classmethod
    def of(cls, filing: SiteFiling) -> SiteFiled:
        return cls.model_construct(
            site=SitePublic.of(filing.site), **outcome_fields(filing.outcome)
        )
