"""Which parser reads which format: the one factory for the server, the feeder and the
benchmarks."""

from __future__ import annotations

from datetime import date

from deconfliction.engine.errors import InvalidInput
from deconfliction.engine.tracks.formats import Parser

__all__ = ["FORMATS", "make_parser"]

FORMATS = ("sbs", "readsb", "opensky", "opensky-csv", "asterix", "beast")


def make_parser(
    fmt: str,
    source: str,
    *,
    utc_offset_s: float = 0.0,
    day: date | None = None,
    reference: tuple[float, float] | None = None,
    start: float | None = None,
) -> Parser:
    """A parser for ``fmt`` (one of :data:`FORMATS`)."""
    from deconfliction.engine.tracks.formats.asterix import AsterixParser
    from deconfliction.engine.tracks.formats.opensky import OpenSkyParser
    from deconfliction.engine.tracks.formats.readsb import ReadsbParser
    from deconfliction.engine.tracks.formats.sbs import SbsParser

    if fmt == "sbs":
        return SbsParser(source, utc_offset_s)
    if fmt == "readsb":
        return ReadsbParser(source)
    if fmt in ("opensky", "opensky-csv"):
        return OpenSkyParser(source, csv=fmt == "opensky-csv")
    if fmt == "asterix":
        return AsterixParser(source, day)
    if fmt == "beast":
        from deconfliction.engine.tracks.formats.beast import BeastParser

        if reference is None:
            raise InvalidInput.at(("reference",), "Beast input needs the receiver's lat,lon")
        try:
            return BeastParser(source, reference, start)
        except ValueError as exc:
            raise InvalidInput.at(("format",), str(exc)) from None
    raise InvalidInput.at(("format",), f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")
