"""Reading entries for a report: the latest version of each item, every alert, delivery,
incident and account, and the day a record's own time places it in."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from deconfliction.engine.ledger.entries import Entry
from deconfliction.engine.reports.model import USED_TYPES, Figure
from deconfliction.engine.times import format_time, parse_utc

__all__ = ["Day", "Records", "area_text", "count", "km", "opened", "percentile"]


@dataclass
class Records:
    """The latest version of each item, and every alert and delivery, read from the entries
    (what the report counts, and what its map and tables draw)."""

    items: dict[str, dict[str, tuple[int, dict[str, Any]]]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    """kind -> id -> (entry index, item)."""
    alerts: dict[str, list[tuple[Entry, dict[str, Any]]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    deliveries: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    incidents: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    accounts: dict[str, list[Entry]] = field(default_factory=lambda: defaultdict(list))
    notices: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    observations: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    opened: list[tuple[datetime, Entry, dict[str, Any]]] = field(default_factory=list)
    """Each alert's first opening: its ``raised_at``, the entry, the alert."""
    opened_by_kind: dict[str, list[tuple[datetime, Entry, dict[str, Any]]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    """The same, by the alert's kind (each section asks for one kind)."""
    opened_in: dict[tuple[Day, str | None], dict[str, tuple[Entry, dict[str, Any]]]] = field(
        default_factory=dict
    )
    """What :func:`opened` found, by (day, kind)."""

    @classmethod
    def read(cls, entries: Iterable[Entry]) -> Records:
        out = cls()
        for e in sorted(entries, key=lambda e: e.index):
            if e.type not in USED_TYPES:
                continue
            event = e.event
            if "item" in event:
                kind = event["kind"]
                out.items[kind][e.subject] = (e.index, event["item"])
                if kind == "notice":
                    out.notices.append((e.index, event["item"]))
                elif kind == "observation":
                    out.observations.append((e.index, event["item"]))
            elif "change" in event:
                change = event["change"]
                if change["action"] == "opened" and e.subject not in out.alerts:
                    alert = change["alert"]
                    first = (parse_utc(alert["raised_at"]), e, alert)
                    out.opened.append(first)
                    out.opened_by_kind[alert["kind"]].append(first)
                out.alerts[e.subject].append((e, change))
            elif "delivery" in event:
                out.deliveries[e.subject].append(e)
            elif "incident" in event:
                out.incidents[e.subject].append(e)
            elif "account" in event:
                out.accounts[e.subject].append(e)
        return out

    def name(self, party: str) -> str:
        found = self.items["party"].get(party)
        return str(found[1]["name"]) if found else party


@dataclass(frozen=True, slots=True)
class Day:
    start: datetime
    end: datetime
    _start_text: str = field(init=False, repr=False, compare=False)
    _end_text: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_start_text", format_time(self.start))
        object.__setattr__(self, "_end_text", format_time(self.end))

    def holds(self, text: str | None) -> bool:
        """Whether the time written ``text`` falls in the day.

        A time in the record's one written form (fixed-width UTC, :mod:`.times`) sorts as the
        times do, so it is compared as text, unread: a busy day asks this of every delivery
        and observation several times.  Any other form is read.

        >>> from datetime import UTC
        >>> day = Day(datetime(2026, 11, 24, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC))
        >>> day.holds("2026-11-24T23:59:59.999999Z"), day.holds("2026-11-25T00:00:00.000000Z")
        (True, False)
        >>> day.holds("2026-11-25T01:00:00+02:00")
        True
        """
        if text is None:
            return False
        if len(text) == 27 and text[26] == "Z" and text[10] == "T" and text[19] == ".":
            return self._start_text <= text < self._end_text
        return self.start <= _instant(text) < self.end


@lru_cache(maxsize=1 << 17)
def _instant(text: str) -> datetime:
    """``parse_utc``, remembered: a report asks of the same delivery time for each figure."""
    return parse_utc(text)


def count(fid: str, label: str, today: Sequence[int], before: Sequence[int]) -> Figure:
    return Figure(
        id=fid,
        label=label,
        value=len(today),
        previous=len(before),
        entries=tuple(sorted(today)),
        previous_entries=tuple(sorted(before)),
    )


def opened(
    records: Records, day: Day, kind: str | None = None
) -> dict[str, tuple[Entry, dict[str, Any]]]:
    """Alerts (of ``kind``) first opened with a ``raised_at`` in ``day``: id -> (entry, alert).

    Remembered in ``records`` (sections ask the same of a day several times); not to be
    changed by the caller."""
    key = (day, kind)
    found = records.opened_in.get(key)
    if found is None:
        found = records.opened_in[key] = {
            e.subject: (e, alert)
            for raised, e, alert in (
                records.opened if kind is None else records.opened_by_kind[kind]
            )
            if day.start <= raised < day.end
        }
    return found


def km(metres: Any) -> str:
    return "" if metres is None else f"{float(metres) / 1000:.1f} km"


def area_text(zone: dict[str, Any], lines: dict[str, tuple[int, dict[str, Any]]]) -> str:
    """A zone's area in words, lengths as written.

    >>> area_text({"area": {"type": "band", "line": "b", "from": "0 km", "to": "10 km",
    ...     "side": "east"}}, {"b": (0, {"name": "Line B"})})
    '0–10 km east of Line B'
    """
    area = zone["area"]
    if area["type"] != "band":
        return "polygon"
    line = lines.get(area["line"])
    name = line[1]["name"] if line else area["line"]
    side = area.get("side", "both")
    where = f"either side of {name}" if side == "both" else f"{side} of {name}"
    low, high = str(area.get("from", "0 km")), str(area["to"])
    unit = high.rsplit(" ", 1)[-1]
    if low.endswith(f" {unit}"):
        low = low.removesuffix(f" {unit}")
    return f"{low}–{high} {where}"


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile by the nearest-rank method (no interpolation: an observed value)."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 1))
    return ordered[int(rank) - 1]
