"""Item D: the schedule that makes a NOTAM active only in some periods between B) and C).

Grammar (ICAO Doc 8126 usage): groups of a day selector followed by periods.

* selectors: ``DAILY``/``DLY``; weekdays ``MON`` .. ``SUN`` and ranges ``MON-FRI`` (wrapping,
  ``SUN-THU``), optionally after ``EVERY``; dates ``24 25 31`` after a month ``DEC`` (the month
  carries forward: ``DEC 24 25 JAN 01``), date ranges ``MAR 01-05``;
* periods: ``HHMM-HHMM`` (the end earlier than the start crosses midnight; ``2400`` is the end of
  the day), ``H24``, or a span over several days ``MAR 09 2000-MAR 10 0500``;
* commas, semicolons and ``AND`` separate, and mean nothing else.

``SR``/``SS`` (sunrise, sunset) and ``EXC`` (except) are refused with the reason.  Periods are
clipped to B)–C), merged where they overlap or touch, and returned in order.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Final

__all__ = ["MAX_PERIODS", "expand_schedule", "format_schedule"]

MAX_PERIODS: Final = 1000
"""At most this many active periods (volumes) from one NOTAM."""

_MONTHS: Final = (
    "JAN",
    "FEB",
    "MAR",
    "APR",
    "MAY",
    "JUN",
    "JUL",
    "AUG",
    "SEP",
    "OCT",
    "NOV",
    "DEC",
)
_DAYS: Final = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
_M: Final = "|".join(_MONTHS)
_W: Final = "|".join(_DAYS)
_TOKEN_RE: Final = re.compile(
    rf"(?P<span>(?:{_M})\s*\d{{2}}\s+\d{{4}}\s*-\s*(?:{_M})\s*\d{{2}}\s+\d{{4}})"
    rf"|(?P<times>\d{{4}}\s*(?:-|TO)\s*\d{{4}})"
    r"|(?P<h24>H24)"
    r"|(?P<dayrange>\d{2}\s*-\s*\d{2})(?!\d)"
    r"|(?P<day>\d{2})(?!\d)"
    rf"|(?P<wdrange>(?:{_W})\s*-\s*(?:{_W}))"
    rf"|(?P<wd>{_W})"
    rf"|(?P<month>{_M})"
    r"|(?P<daily>DAILY|DLY)"
    r"|(?P<skip>EVERY|AND|[,;.])"
    r"|(?P<space>\s+)"
    r"|(?P<sun>SR|SS)"
    r"|(?P<exc>EXC)"
)


@dataclass
class _Group:
    days: list[Callable[[date], bool]] = field(default_factory=list)
    periods: list[tuple[int, int]] = field(default_factory=list)
    """Minutes from the day's start to the period's start and end (end may pass 1440)."""


def _minutes(hhmm: str) -> int:
    hh, mm = int(hhmm[:2]), int(hhmm[2:])
    if mm >= 60 or hh > 24 or (hh == 24 and mm):
        raise ValueError(f"time {hhmm} is not HHMM between 0000 and 2400")
    return hh * 60 + mm


def _next_day(day: int, after: date, end: datetime) -> date:
    """The first date on or after ``after`` whose day of the month is ``day`` (a date written
    without its month is in the month of B), or the next one)."""
    candidate = after
    while candidate <= end.date():
        if candidate.day == day:
            return candidate
        candidate += timedelta(days=1)
    raise ValueError(f"no day {day:02d} between B) and C)")


def _resolve(month: int, day: int, start: datetime, end: datetime) -> date:
    """The date of ``month`` and ``day`` within B)–C) (the year is not written)."""
    for year in range(start.year, end.year + 1):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if start.date() <= candidate <= end.date():
            return candidate
    raise ValueError(f"{_MONTHS[month - 1]} {day:02d} is not between B) and C)")


def _in_set(days: set[date]) -> Callable[[date], bool]:
    return lambda d: d in days


def _weekdays(days: set[int]) -> Callable[[date], bool]:
    return lambda d: d.weekday() in days


def expand_schedule(text: str, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The active periods of schedule ``text`` between ``start`` and ``end``.

    >>> b = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)   # a Monday
    >>> c = datetime(2026, 11, 30, 0, 0, tzinfo=UTC)
    >>> [(s.strftime("%a %d %H%M"), e.strftime("%a %d %H%M"))
    ...  for s, e in expand_schedule("MON WED 0600-0800, FRI 2200-0200", b, c)]
    [('Mon 23 0600', 'Mon 23 0800'), ('Wed 25 0600', 'Wed 25 0800'), ('Fri 27 2200', 'Sat 28 0200')]
    >>> expand_schedule("NOV 24 SR-SS", b, c)
    Traceback (most recent call last):
    ...
    ValueError: SR/SS (sunrise, sunset) needs the sun's position, which is not computed: give the times in UTC
    """
    upper = " ".join(text.upper().split())
    groups: list[_Group] = [_Group()]
    spans: list[tuple[datetime, datetime]] = []
    month: int | None = None
    last_date: date | None = None
    pos = 0
    while pos < len(upper):
        match = _TOKEN_RE.match(upper, pos)
        if match is None:
            raise ValueError(f"unexpected {upper[pos : pos + 12]!r} at column {pos + 1}")
        pos = match.end()
        kind = match.lastgroup
        value = match.group(0)
        group = groups[-1]
        if kind in ("space", "skip"):
            continue
        if kind == "sun":
            raise ValueError(
                "SR/SS (sunrise, sunset) needs the sun's position, which is not computed: "
                "give the times in UTC"
            )
        if kind == "exc":
            raise ValueError("EXC (except) is not read: list the active days instead")
        if kind in ("times", "h24"):
            if kind == "h24":
                group.periods.append((0, 1440))
            else:
                a, b = (_minutes(t.strip()) for t in re.split(r"-|TO", value))
                group.periods.append((a, b if b > a else b + 1440))
            continue
        if kind == "span":
            parts = re.findall(rf"({_M})\s*(\d{{2}})\s+(\d{{4}})", value)
            (m1, d1, t1), (m2, d2, t2) = parts
            s = _resolve(_MONTHS.index(m1) + 1, int(d1), start, end)
            e = _resolve(_MONTHS.index(m2) + 1, int(d2), start, end)
            begin = datetime(s.year, s.month, s.day, tzinfo=UTC) + timedelta(minutes=_minutes(t1))
            finish = datetime(e.year, e.month, e.day, tzinfo=UTC) + timedelta(minutes=_minutes(t2))
            if finish <= begin:
                raise ValueError(f"{value}: the end is not after the start")
            spans.append((begin, finish))
            month = _MONTHS.index(m2) + 1
            continue
        # A selector: it starts a new group when the current one already has its periods.
        if group.periods:
            group = _Group()
            groups.append(group)
        if kind == "month":
            month = _MONTHS.index(value) + 1
        elif kind == "daily":
            group.days.append(lambda d: True)
        elif kind == "wd":
            group.days.append(_weekdays({_DAYS.index(value)}))
        elif kind == "wdrange":
            a, b = (_DAYS.index(t.strip()) for t in value.split("-"))
            group.days.append(_weekdays({(a + k) % 7 for k in range((b - a) % 7 + 1)}))
        elif kind in ("day", "dayrange"):
            numbers = [int(t) for t in value.split("-")]
            if month is None:
                # No month written: the dates follow one another from B).
                first = _next_day(numbers[0], last_date or start.date(), end)
                final = _next_day(numbers[-1], first, end)
                dates = {first + timedelta(days=k) for k in range((final - first).days + 1)}
                last_date = final
            else:
                if numbers[-1] < numbers[0]:
                    raise ValueError(f"date range {value} runs backwards")
                dates = {_resolve(month, d, start, end) for d in range(numbers[0], numbers[-1] + 1)}
            group.days.append(_in_set(dates))
    if groups[-1].days and not groups[-1].periods:
        raise ValueError("ends with days but no times (e.g. 0600-1800 or H24)")
    periods: list[tuple[datetime, datetime]] = list(spans)
    day = start.date()
    while day <= end.date():
        midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
        for group in groups:
            if group.periods and (not group.days or any(test(day) for test in group.days)):
                for a, b in group.periods:
                    periods.append(
                        (midnight + timedelta(minutes=a), midnight + timedelta(minutes=b))
                    )
        day += timedelta(days=1)
        if len(periods) > 4 * MAX_PERIODS:
            break
    clipped = sorted((max(s, start), min(e, end)) for s, e in periods if e > start and s < end)
    merged: list[tuple[datetime, datetime]] = []
    for s, e in clipped:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    if not merged:
        raise ValueError("no active period between B) and C)")
    if len(merged) > MAX_PERIODS:
        raise ValueError(f"more than {MAX_PERIODS} active periods: split the NOTAM")
    return merged


def _stamp(t: datetime) -> str:
    return f"{_MONTHS[t.month - 1]} {t.day:02d}"


def format_schedule(periods: list[tuple[datetime, datetime]]) -> str:
    """Item D for ``periods`` (whole minutes, in order, not touching), one date each.

    >>> d = lambda day, h, m=0: datetime(2026, 11, day, h, m, tzinfo=UTC)
    >>> format_schedule([(d(24, 6), d(24, 18)), (d(25, 22), d(26, 2)), (d(27, 0), d(28, 12))])
    'NOV 24 0600-1800, NOV 25 2200-0200, NOV 27 0000-NOV 28 1200'
    """
    parts = []
    for s, e in periods:
        length = e - s
        if length < timedelta(days=1):
            same_day = e.date() == s.date() or (e - timedelta(microseconds=1)).date() == s.date()
            end_text = "2400" if e.date() != s.date() and same_day else e.strftime("%H%M")
            parts.append(f"{_stamp(s)} {s.strftime('%H%M')}-{end_text}")
        else:
            parts.append(f"{_stamp(s)} {s.strftime('%H%M')}-{_stamp(e)} {e.strftime('%H%M')}")
    return ", ".join(parts)
