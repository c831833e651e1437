"""The indexes' boxes: degrees that do not wrap, and seconds since the epoch."""

from __future__ import annotations

from datetime import datetime

from deconfliction.engine.detection.roster import Roster
from deconfliction.engine.errors import InvalidInput
from deconfliction.engine.geodesy.shapes import Shape
from deconfliction.engine.geodesy.validity import check_extent

__all__ = ["Box", "check_reach", "epoch_s"]

Box = tuple[float, float, float, float, float, float]
"""West, south, east, north in degrees; start and end in seconds since the epoch."""


def check_reach(path: tuple[str | int, ...], shape: Shape, roster: Roster) -> None:
    """Refuse a shape whose widest margin reaches across 180 degrees or a pole.

    The indexes work in degrees and do not wrap: such a shape would silently miss what lies
    just across the antimeridian, so it is refused instead.
    """
    margin = roster.widest_lateral_margin()
    try:
        check_extent(shape, margin)
    except ValueError as exc:
        raise InvalidInput.at(path, f"{exc} (with the {margin:,.0f} m margin)") from None


def epoch_s(t: datetime) -> float:
    """Seconds since the epoch: the time axis of the indexes' boxes."""
    return t.timestamp()
