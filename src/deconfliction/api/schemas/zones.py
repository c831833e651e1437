"""Zone agreements: areas with rules on presence, numbers and weapons."""

from __future__ import annotations

from pydantic import Field

from deconfliction.api.schemas.common import Geometry, Output
from deconfliction.engine.model import Identifier, ZoneAgreement
from deconfliction.service.configuration import ZoneView
from deconfliction.service.geojson import zone_geometry

__all__ = ["ZoneCreate", "ZoneList", "ZonePublic", "ZoneReplace"]


class ZoneCreate(ZoneAgreement):
    """A new zone agreement (admin), as in scenario files."""


class ZoneReplace(ZoneAgreement):
    """The zone agreement's new content (admin); ``id`` may be left out (it is the path's)."""

    id: Identifier | None = Field(default=None)  # type: ignore[assignment]


class ZonePublic(ZoneAgreement):
    """A zone agreement, seen by its signatories and monitors, with its area in words and
    drawn as GeoJSON."""

    area_description: str = Field(description="The area in words.")
    geometry: Geometry

    @classmethod
    def of(cls, view: ZoneView) -> ZonePublic:
        zone = view.compiled.zone
        return cls.model_construct(
            **dict(zone),
            area_description=view.compiled.area.describe(),
            geometry=zone_geometry(view.compiled, view.lines),
        )


class ZoneList(Output):
    zones: list[ZonePublic]
