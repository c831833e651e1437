"""Lines on the ground (ceasefire lines, lines of contact), for zone bands and range rules."""

from __future__ import annotations

from pydantic import Field

from deconfliction.api.schemas.common import Geometry, Output
from deconfliction.engine.model import Identifier, Line
from deconfliction.service.geojson import line_geometry

__all__ = ["LineCreate", "LineList", "LinePublic", "LineReplace"]


class LineCreate(Line):
    """A new line (admin): vertices joined by geodesics."""


class LineReplace(Line):
    """The line's new vertices (admin); ``id`` may be left out (it is the path's).  Zones
    drawn from it follow."""

    id: Identifier | None = Field(default=None)  # type: ignore[assignment]


class LinePublic(Line):
    """A line as recorded, drawn as GeoJSON."""

    geometry: Geometry

    @classmethod
    def of(cls, line: Line) -> LinePublic:
        return cls.model_construct(**dict(line), geometry=line_geometry(line))


class LineList(Output):
    lines: list[LinePublic]
