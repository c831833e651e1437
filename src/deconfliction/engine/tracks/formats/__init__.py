"""Parsers, one per format, all pure: text or bytes in, :class:`ParseResult` out.

Each parser is fed what a transport received (``feed``), keeps only what a message split
across two reads needs, and never raises on bad input: what it cannot read is a
:class:`~deconfliction.engine.tracks.reports.Rejected` with its place and reason.
"""

from __future__ import annotations

from typing import Protocol

from deconfliction.engine.tracks.reports import ParseResult

__all__ = ["Parser"]


class Parser(Protocol):
    source: str

    def feed(self, data: bytes, received: float | None = None) -> ParseResult:
        """Parse what arrived; ``received`` is this process's time of reception."""
        ...

    def finish(self) -> ParseResult:
        """Parse what is left at the end of the input (a last line without its newline)."""
        ...
