"""A NOTAM as the parts of a notice: kind, title, volumes, and what was assumed (flags).

* the outline comes from the coordinates in item E when they describe one: a closed ring of
  three or more points (a polygon; several rings give several outlines), a circle ("RADIUS 2NM
  CENTRED ON ..."), a corridor ("2NM EITHER SIDE OF ..."), or three or more points not closed
  (a polygon); otherwise it is the Q-line circle, flagged ``coarse``;
* the band comes from items F and G in their own unit and datum; without them, from the Q-line
  flight levels (flagged);
* the window is B)–C), expanded by item D into one volume per active period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from pydantic import ValidationError

from deconfliction.engine.errors import Problem
from deconfliction.engine.model import (
    AltitudeBand,
    CircleOutline,
    CorridorOutline,
    Limits,
    NoticeKind,
    PolygonOutline,
    Position,
    Volume,
)
from deconfliction.engine.model.limits import altitude_problem, area_problem
from deconfliction.engine.model.volumes import Outline, TimeWindow
from deconfliction.engine.notam.coordinates import parse_limit, positions_in
from deconfliction.engine.notam.schedule import expand_schedule
from deconfliction.engine.notam.text import Notam
from deconfliction.engine.units import Altitude, AltitudeReference, AltitudeUnit, Length

__all__ = ["PERM_END", "PERM_SCHEDULE_DAYS", "NoticeParts", "kind_of", "notice_parts"]

PERM_END: Final = datetime(2999, 12, 31, 23, 59, tzinfo=UTC)
"""Where a permanent NOTAM's window ends (flagged ``permanent``)."""
PERM_SCHEDULE_DAYS: Final = 366
"""A permanent NOTAM with a schedule is expanded over this many days from B)."""

_LENGTH: Final = r"(\d+(?:\.\d+)?)\s?(NM|KM|M|FT)\b"
RADIUS_RE: Final = re.compile(rf"RADIUS\s+(?:OF\s+)?{_LENGTH}|{_LENGTH}\s+RADIUS")
SIDE_RE: Final = re.compile(rf"{_LENGTH}\s+(?:EACH|EITHER|BOTH)\s+SIDES?")
_UNITS: Final = {"NM": "NM", "KM": "km", "M": "m", "FT": "ft"}


@dataclass(frozen=True, slots=True)
class NoticeParts:
    """What a NOTAM says, as a notice would hold it."""

    kind: NoticeKind
    title: str
    volumes: tuple[Volume, ...]
    flags: tuple[str, ...]


def kind_of(code: str) -> NoticeKind:
    """The notice kind of a Q-code: exercises (``QWE..``, ``QWM..`` firing) are ``exercise``,
    everything else an ``air_operation``.

    >>> kind_of("QWELW"), kind_of("QRTCA")
    (<NoticeKind.exercise: 'exercise'>, <NoticeKind.air_operation: 'air_operation'>)
    """
    return NoticeKind.exercise if code[1:3] in ("WE", "WM") else NoticeKind.air_operation


def _reason(exc: ValidationError) -> str:
    return str(exc.errors()[0]["msg"]).removeprefix("Value error, ")


def _length(number: str, unit: str) -> Length:
    return Length.parse(f"{number} {_UNITS[unit]}")


def _lengths(pattern: re.Pattern[str], text: str) -> list[Length]:
    out = []
    for match in pattern.finditer(text):
        groups = [g for g in match.groups() if g is not None]
        out.append(_length(groups[0], groups[1]))
    return out


def outlines_from_text(text: str) -> list[dict[str, Any]]:
    """Outline data described by the coordinates of item E (empty when none is).

    >>> outlines_from_text("CIRCLE RADIUS 1KM CENTRED ON 331500N 0354500E")
    [{'type': 'circle', 'center': Position(lon=35.75, lat=33.25), 'radius': Length(value=1.0, unit=<LengthUnit.km: 'km'>)}]
    """
    upper = text.upper()
    points = [f.position for f in positions_in(upper)]
    if not points:
        return []
    sides = _lengths(SIDE_RE, upper)
    if sides and len(points) >= 2:
        return [{"type": "corridor", "route": points, "half_width": sides[0]}]
    radii = _lengths(RADIUS_RE, upper)
    if radii and len(radii) == len(points):
        return [
            {"type": "circle", "center": p, "radius": r} for p, r in zip(points, radii, strict=True)
        ]
    if radii and len(points) == 1:
        return [{"type": "circle", "center": points[0], "radius": radii[0]}]
    rings: list[list[Position]] = []
    ring: list[Position] = []
    for p in points:
        ring.append(p)
        if len(ring) >= 4 and p == ring[0]:
            rings.append(ring[:-1])
            ring = []
    if len(ring) >= 3:
        rings.append(ring)
    return [{"type": "polygon", "vertices": r} for r in rings]


def _q_band(notam: Notam) -> AltitudeBand:
    assert notam.q is not None
    lower = (
        Altitude.surface()
        if notam.q.lower_fl == 0
        else Altitude(notam.q.lower_fl, AltitudeUnit.FL, AltitudeReference.STD)
    )
    return AltitudeBand(
        lower=lower, upper=Altitude(notam.q.upper_fl, AltitudeUnit.FL, AltitudeReference.STD)
    )


def notice_parts(
    notam: Notam, limits: Limits | None = None
) -> tuple[NoticeParts | None, list[Problem]]:
    """The notice parts of a new or replacing NOTAM, or the problems (each at its item)."""
    problems: list[Problem] = []
    flags: list[str] = []
    limits = limits or Limits()
    q = notam.q
    if q is None or notam.start is None:
        return None, problems  # already reported by the parser
    # The outline(s).
    outlines: list[Outline] = []
    described = outlines_from_text(notam.text)
    if described:
        for data in described:
            try:
                described_outline: Outline = (
                    PolygonOutline.model_validate(data)
                    if data["type"] == "polygon"
                    else CircleOutline.model_validate(data)
                    if data["type"] == "circle"
                    else CorridorOutline.model_validate(data)
                )
            except ValidationError as exc:
                reason = _reason(exc)
                problems.append(Problem(("E",), f"the {data['type']} described: {reason}"))
                continue
            too_large = area_problem(described_outline, limits)
            if too_large is not None:
                problems.append(Problem(("E",), f"the {data['type']} described: {too_large}"))
            outlines.append(described_outline)
    elif q.centre is not None and q.radius_nm:
        try:
            circle = CircleOutline.model_validate(
                {"center": q.centre, "radius": Length.parse(f"{q.radius_nm} NM")}
            )
            beyond = area_problem(circle, limits)
            if beyond is not None:
                problems.append(
                    Problem(("Q",), f"the Q-line circle (E) gives no outline): {beyond}")
                )
            outlines.append(circle)
        except ValidationError as exc:
            reason = _reason(exc)
            problems.append(Problem(("Q",), f"the Q-line circle (E) gives no outline): {reason}"))
        flags.append("coarse: no outline in E), the Q-line circle is used")
    else:
        problems.append(
            Problem(
                ("E",), "gives no outline and the Q line no centre and radius: nowhere to place it"
            )
        )
    # The band.
    band: AltitudeBand | None = None
    if notam.lower or notam.upper:
        limits_found: list[Altitude] = []
        for item, raw in (("F", notam.lower), ("G", notam.upper)):
            if not raw:
                problems.append(Problem((item,), "missing while the other limit is given"))
                continue
            try:
                limits_found.append(parse_limit(raw))
            except ValueError as exc:
                problems.append(Problem((item,), str(exc)))
        if len(limits_found) == 2:
            try:
                band = AltitudeBand(lower=limits_found[0], upper=limits_found[1])
            except ValidationError as exc:
                item = "F" if exc.errors()[0]["loc"] == ("lower",) else "G"
                problems.append(Problem((item,), _reason(exc)))
    else:
        try:
            band = _q_band(notam)
            flags.append("band from the Q-line flight levels (no F/G)")
        except ValidationError as exc:
            reason = _reason(exc)
            problems.append(Problem(("Q",), reason))
    if band is not None:
        given = notam.lower or notam.upper
        for item, bound in (
            ("F" if given else "Q", band.lower),
            ("G" if given else "Q", band.upper),
        ):
            too_high = altitude_problem(bound, limits)
            if too_high is not None:
                problems.append(Problem((item,), f"{bound} {too_high}"))
    # The windows.
    end = notam.end
    if notam.end_kind == "EST":
        flags.append("end estimated (EST)")
    if notam.end_kind == "PERM":
        if notam.schedule:
            end = notam.start + timedelta(days=PERM_SCHEDULE_DAYS)
            flags.append(f"permanent: schedule shown for {PERM_SCHEDULE_DAYS} days from B)")
        else:
            end = PERM_END
            flags.append("permanent (PERM)")
    windows: list[tuple[datetime, datetime]] = []
    if end is not None:
        if notam.schedule:
            try:
                windows = expand_schedule(notam.schedule, notam.start, end)
            except ValueError as exc:
                problems.append(Problem(("D",), str(exc)))
        else:
            windows = [(notam.start, end)]
    if problems or band is None:
        return None, problems
    volumes = tuple(
        Volume.model_validate(
            {
                "label": notam.id + (f" #{i + 1}" if len(windows) * len(outlines) > 1 else ""),
                "outline": outline,
                "altitude": band,
                "window": TimeWindow(start=s, end=e),
            }
        )
        for i, (outline, (s, e)) in enumerate((o, w) for w in windows for o in outlines)
    )
    title = f"NOTAM {notam.id} {q.code} {' '.join(notam.locations)}: {' '.join(notam.text.split())}"
    return NoticeParts(kind_of(q.code), title[:300], volumes, tuple(flags)), []
