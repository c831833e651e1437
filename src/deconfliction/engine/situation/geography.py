"""Lines on the ground and zone agreements compiled against them."""

from __future__ import annotations

from deconfliction.engine.detection.zone_areas import compile_area
from deconfliction.engine.detection.zones import CompiledZone, NamedLine
from deconfliction.engine.geodesy.lines import GeodesicPolyline
from deconfliction.engine.journal import Journal
from deconfliction.engine.model import Line, ZoneAgreement

__all__ = ["Geography"]


class Geography:
    """Lines by id (with their geodesic polylines) and zones compiled against them."""

    def __init__(self) -> None:
        self.lines: dict[str, Line] = {}
        self.line_geometry: dict[str, NamedLine] = {}
        self.zones: dict[str, CompiledZone] = {}

    def compile(self, zone: ZoneAgreement) -> CompiledZone:
        """``zone`` compiled against the lines as they stand (raises InvalidInput when a line
        it names is missing)."""
        return CompiledZone(zone, compile_area(zone, self.lines))

    def record_line(self, line: Line, journal: Journal) -> None:
        journal.set(self.lines, line.id, line)
        journal.set(
            self.line_geometry,
            line.id,
            NamedLine(
                line.name,
                GeodesicPolyline([p.lon for p in line.vertices], [p.lat for p in line.vertices]),
            ),
        )
        # Zones measured from a line move with it.
        for zid, cz in list(self.zones.items()):
            journal.set(self.zones, zid, self.compile(cz.zone))

    def record_zone(self, zone: ZoneAgreement, journal: Journal) -> None:
        if zone.ended:
            journal.pop(self.zones, zone.id)
        else:
            journal.set(self.zones, zone.id, self.compile(zone))
