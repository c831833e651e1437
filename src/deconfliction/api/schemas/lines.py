"""Lines on the ground (ceasefire lines, lines of contact), for zone bands and range rules."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from deconfliction.api.schemas.common import Geometry, Output
from deconfliction.engine.model import Identifier, Line
from deconfliction.service.geojson import line_geometry

__all__ = ["LineCreate", "LineList", "LinePublic", "LineReplace"]


class LineCreate(Line):
    """A new line (admin): vertices joined by geodesics."""

    def data(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


class LineReplace(Line):
    """The line's new vertices (admin); ``id`` may be left out (it is the path's).  Zones
    drawn from it follow."""

    id: Identifier | None = Field(default=None)  # type: ignore[assignment]

    def data(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True)


class LinePublic(Line):
    geometry: Geometry

    @classmethod
    def of(cls, line: Line) -> LinePublic:
        return cls.model_construct(**dict(line), geometry=line_geometry(line))


class LineList(Output):
    lines: list[LinePublic]
