"""Red lines by id, compiled against the lines they are measured from."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from deconfliction.engine.detection.red_lines import CompiledRedLine, compile_red_line
from deconfliction.engine.detection.roster import Roster
from deconfliction.engine.journal import Journal
from deconfliction.engine.model import Line

__all__ = ["RedLineBook"]


class RedLineBook(Mapping[str, CompiledRedLine]):
    """The latest version of every red line, compiled.  A red line measured from a line
    moves with it (:meth:`recompile`)."""

    def __init__(self) -> None:
        self.red_lines: dict[str, CompiledRedLine] = {}

    def __getitem__(self, key: str) -> CompiledRedLine:
        return self.red_lines[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.red_lines)

    def __len__(self) -> int:
        return len(self.red_lines)

    def watched(self) -> list[CompiledRedLine]:
        """The red lines still watched (not ended), in the order they were declared."""
        return [c for c in self.red_lines.values() if not c.red_line.ended]

    def record(self, compiled: CompiledRedLine, journal: Journal) -> None:
        journal.set(self.red_lines, compiled.red_line.id, compiled)

    def recompile(self, lines: Mapping[str, Line], roster: Roster, journal: Journal) -> None:
        """Compile every red line again (a line they are measured from changed); each keeps
        the audience it was recorded with."""
        for rid, old in list(self.red_lines.items()):
            new = compile_red_line(old.red_line, lines, roster)
            journal.set(self.red_lines, rid, CompiledRedLine(old.red_line, new.zone, old.audience))
