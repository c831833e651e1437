"""Positions, lengths and vertical limits as NOTAMs write them.

Positions are degrees, minutes and optionally seconds with hemisphere letters, latitude first:
``3313N03536E`` (the Q line, whole minutes), ``331500N 0354500E`` or ``331500.25N0354500.5E``
(item E, decimal seconds allowed).  Vertical limits are ``SFC``, ``GND``, ``UNL``, ``FL130``,
``3000FT AMSL``, ``1500FT AGL`` or ``300M AMSL``: each becomes an
:class:`~deconfliction.engine.units.Altitude` in the unit and datum written, never converted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from deconfliction.engine.model.common import Position
from deconfliction.engine.units import (
    Altitude,
    AltitudeReference,
    AltitudeUnit,
    Length,
    LengthUnit,
)

__all__ = [
    "DMS_RE",
    "Found",
    "format_dms",
    "format_length",
    "parse_limit",
    "positions_in",
]

DMS_RE: Final = re.compile(
    r"(?<![0-9.])(\d{2})(\d{2})(\d{2}(?:\.\d+)?)?\s?([NS])\s?"
    r"(\d{3})(\d{2})(\d{2}(?:\.\d+)?)?\s?([EW])(?![A-Z])"
)
"""A position: latitude ``ddmm[ss[.s]]`` and hemisphere, then longitude ``dddmm[ss[.s]]``."""


@dataclass(frozen=True, slots=True)
class Found:
    """A position found in a text, where it starts and ends."""

    position: Position
    start: int
    end: int


def _angle(deg: str, minutes: str, seconds: str | None, hemi: str, limit: int) -> float:
    d, m = int(deg), int(minutes)
    s = float(seconds) if seconds else 0.0
    if m >= 60 or s >= 60:
        raise ValueError(f"minutes and seconds must be below 60 in {deg}{minutes}{seconds or ''}")
    value = d + m / 60 + s / 3600
    if value > limit:
        raise ValueError(f"{deg}{minutes}{seconds or ''}{hemi} is beyond {limit} degrees")
    return -value if hemi in "SW" else value


def positions_in(text: str) -> Iterator[Found]:
    """Every position in ``text``, in order.

    >>> [f.position for f in positions_in("CENTRED ON 331500.5N 0354500E AND 3313N03536E")]
    [Position(lon=35.75, lat=33.25013888888889), Position(lon=35.6, lat=33.21666666666667)]
    """
    for match in DMS_RE.finditer(text):
        g = match.groups()
        lat = _angle(g[0], g[1], g[2], g[3], 90)
        lon = _angle(g[4], g[5], g[6], g[7], 180)
        yield Found(Position(lon, lat), match.start(), match.end())


def _dms(value: float, width: int, hemis: str) -> str:
    hundredths = round(abs(value) * 360_000)
    degrees, rest = divmod(hundredths, 360_000)
    minutes, rest = divmod(rest, 6_000)
    seconds, frac = divmod(rest, 100)
    hemi = hemis[1] if value < 0 and hundredths else hemis[0]
    return f"{degrees:0{width}d}{minutes:02d}{seconds:02d}.{frac:02d}{hemi}"


def format_dms(position: Position) -> str:
    """A position to the hundredth of a second (about 0.3 m), as item E writes it.

    >>> format_dms(Position(35.75, 33.25013888888889))
    '331500.50N 0354500.00E'
    """
    return f"{_dms(position.lat, 2, 'NS')} {_dms(position.lon, 3, 'EW')}"


_NOTAM_LENGTH_UNITS: Final = {
    LengthUnit.NM: "NM",
    LengthUnit.km: "KM",
    LengthUnit.m: "M",
    LengthUnit.ft: "FT",
}


def format_length(length: Length) -> str:
    """A length as item E writes it, in its own unit (``2.5NM``, ``500M``).

    >>> format_length(Length.parse("2.5 NM")), format_length(Length.parse("1 km"))
    ('2.5NM', '1KM')
    """
    return str(length).replace(" ", "").replace(length.unit.value, _NOTAM_LENGTH_UNITS[length.unit])


_LIMIT_RE: Final = re.compile(
    r"^(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>FT|M)\s*(?P<datum>AMSL|MSL|AGL|SFC|GND)?$"
)
_FL_RE: Final = re.compile(r"^FL\s*(\d{1,3})$")


def parse_limit(raw: str) -> Altitude:
    """A vertical limit of item F or G, in the unit and datum written.

    >>> [str(parse_limit(t)) for t in ("SFC", "GND", "UNL", "FL130", "3000FT AMSL", "300 M AGL")]
    ['SFC', 'SFC', 'UNL', 'FL130', '3000 ft AMSL', '300 m AGL']
    >>> parse_limit("3000FT")
    Traceback (most recent call last):
    ...
    ValueError: limit '3000FT' has no datum: write AMSL or AGL (e.g. 3000FT AMSL)
    """
    # "12 200 M (40 000 FT) MSL." -> "12200 M MSL": drop a conversion in parentheses, a final
    # full stop, and spaces between groups of thousands.
    text = re.sub(r"\([^)]*\)", " ", raw.upper()).strip().rstrip(".")
    text = re.sub(r"(?<=\d) (?=\d{3}\b)", "", " ".join(text.split()))
    if text in ("SFC", "GND"):
        return Altitude.surface()
    if text == "UNL":
        return Altitude.parse("UNL")
    fl = _FL_RE.match(text)
    if fl:
        return Altitude(int(fl.group(1)), AltitudeUnit.FL, AltitudeReference.STD)
    match = _LIMIT_RE.match(text)
    if match is None:
        raise ValueError(
            f"limit {raw!r} is not SFC, GND, UNL, FLnnn, nnnnFT AMSL/AGL or nnnM AMSL/AGL"
        )
    datum = match.group("datum")
    if datum is None:
        raise ValueError(
            f"limit {raw!r} has no datum: write AMSL or AGL (e.g. {match.group('value')}"
            f"{match.group('unit')} AMSL)"
        )
    reference = AltitudeReference.AGL if datum in ("AGL", "SFC", "GND") else AltitudeReference.AMSL
    unit = AltitudeUnit.ft if match.group("unit") == "FT" else AltitudeUnit.m
    return Altitude(float(match.group("value")), unit, reference)
