"""ICAO NOTAMs as text: a batch split into NOTAMs, each into its header and items.

The layout is ICAO Annex 15 / Doc 8126::

    (A1234/26 NOTAMR A1200/26
    Q) LLLL/QRTCA/IV/BO/W/000/100/3313N03536E005
    A) LLLL B) 2611240600 C) 2611251800 EST
    D) DAILY 0600-1800
    E) TEMPORARY RESTRICTED AREA ...
    F) SFC G) 10000FT AMSL)

Items are found by their letter and parenthesis, in order (Q, A, B, C, D, E, F, G); inside item E
only F) and G) end the text, so free text may say "A)" without breaking anything.  Q-line fields
may be padded with spaces (``M  /AE``).  Every problem is reported with the item it is in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

from deconfliction.engine.errors import Problem
from deconfliction.engine.model.common import Position

__all__ = ["Notam", "QLine", "parse_batch", "parse_notam"]

_ID: Final = r"[A-Z]\d{4}/\d{2}"
_START_RE: Final = re.compile(rf"(?m)^[ \t]*\(?[ \t]*({_ID})[ \t]+NOTAM[NRC]\b")
_HEADER_RE: Final = re.compile(
    rf"^\s*\(?\s*(?P<id>{_ID})\s+NOTAM(?P<kind>[NRC])(?:\s+(?P<ref>{_ID}))?"
)
_ITEM_RE: Final = re.compile(r"(?<![A-Za-z0-9])([QA-G])\)")
_ORDER: Final = "QABCDEFG"
_TIME_RE: Final = re.compile(r"^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$")
_Q_CENTRE_RE: Final = re.compile(r"^(\d{2})(\d{2})([NS])(\d{3})(\d{2})([EW])(\d{3})?$")


@dataclass(frozen=True, slots=True)
class QLine:
    """Item Q: where and what, in the coarse form every AIS filters on."""

    fir: str
    code: str
    traffic: str
    purpose: str
    scope: str
    lower_fl: int
    upper_fl: int
    centre: Position | None
    radius_nm: int | None

    def text(self) -> str:
        """The Q line as written back (``LLLL/QRTCA/IV/BO/W/000/100/3313N03536E005``)."""
        where = ""
        if self.centre is not None:
            where = _q_position(self.centre) + (
                f"{self.radius_nm:03d}" if self.radius_nm is not None else ""
            )
        return "/".join(
            [
                self.fir,
                self.code,
                self.traffic,
                self.purpose,
                self.scope,
                f"{self.lower_fl:03d}",
                f"{self.upper_fl:03d}",
                where,
            ]
        )


def _q_position(p: Position) -> str:
    def part(value: float, width: int, hemis: str) -> str:
        minutes = round(abs(value) * 60)
        d, m = divmod(minutes, 60)
        return f"{d:0{width}d}{m:02d}{hemis[1] if value < 0 and minutes else hemis[0]}"

    return part(p.lat, 2, "NS") + part(p.lon, 3, "EW")


@dataclass(frozen=True, slots=True)
class Notam:
    """One NOTAM as written: the header and the raw text of each item, with Q, B and C read."""

    id: str
    action: str
    """``N`` (new), ``R`` (replaces ``ref``) or ``C`` (cancels ``ref``)."""
    ref: str | None
    q: QLine | None
    locations: tuple[str, ...]
    start: datetime | None
    end: datetime | None
    end_kind: str
    """``exact``, ``EST`` (estimated) or ``PERM`` (permanent); ``none`` for a cancellation."""
    schedule: str
    text: str
    lower: str
    upper: str
    raw: str
    items: dict[str, str] = field(default_factory=dict)

    @property
    def series(self) -> str:
        return self.id[0]


def _split(chunk: str) -> tuple[dict[str, str], list[Problem]]:
    """The raw text of each item, by letter."""
    items: dict[str, str] = {}
    problems: list[Problem] = []
    found: list[tuple[str, int, int]] = []
    last = -1
    for match in _ITEM_RE.finditer(chunk):
        letter = match.group(1)
        rank = _ORDER.index(letter)
        if rank <= last:
            continue  # inside E) or out of order: part of the text
        if last == _ORDER.index("E") and letter not in "FG":
            continue
        found.append((letter, match.start(), match.end()))
        last = rank
    for i, (letter, _, end) in enumerate(found):
        stop = found[i + 1][1] if i + 1 < len(found) else len(chunk)
        body = chunk[end:stop].strip()
        if i + 1 == len(found):
            body = body.rstrip()
            if body.endswith(")"):
                body = body[:-1].rstrip()
        items[letter] = body
    return items, problems


def _time(raw: str, item: str) -> datetime:
    match = _TIME_RE.match(raw)
    if match is None:
        raise ValueError(f"{item}) time {raw!r} is not yymmddhhmm (e.g. 2611241200)")
    yy, mo, dd, hh, mi = (int(g) for g in match.groups())
    try:
        # Two-digit years: 70-99 are the 1900s (archived NOTAMs), 00-69 the 2000s.
        return datetime((1900 if yy >= 70 else 2000) + yy, mo, dd, hh, mi, tzinfo=UTC)
    except ValueError as exc:
        raise ValueError(f"{item}) time {raw!r} is not a valid date and time: {exc}") from None


def _q_line(raw: str) -> QLine:
    fields = ["".join(f.split()) for f in raw.split("/")]
    if len(fields) == 7:
        fields.append("")
    if len(fields) != 8:
        raise ValueError(
            f"has {len(fields)} fields; expected 8: FIR/code/traffic/purpose/scope/lower/upper/"
            "centre and radius"
        )
    fir, code, traffic, purpose, scope, lower, upper, where = fields
    if not re.fullmatch(r"[A-Z]{4}", fir):
        raise ValueError(f"FIR {fir!r} is not four letters")
    if not re.fullmatch(r"Q[A-Z]{4}", code):
        raise ValueError(f"code {code!r} is not Q and four letters (e.g. QRTCA)")
    if not re.fullmatch(r"[IVK]{1,2}", traffic):
        raise ValueError(f"traffic {traffic!r} is not I, V, IV or K")
    if not re.fullmatch(r"[NBOMK]{1,4}", purpose):
        raise ValueError(f"purpose {purpose!r} is not made of N, B, O, M or K")
    if not re.fullmatch(r"[AEWK]{1,2}", scope):
        raise ValueError(f"scope {scope!r} is not A, E, W, AE, AW or K")
    levels = []
    for name, text in (("lower", lower), ("upper", upper)):
        if not re.fullmatch(r"\d{3}", text):
            raise ValueError(f"{name} flight level {text!r} is not three digits")
        levels.append(int(text))
    if levels[0] > levels[1]:
        raise ValueError(f"lower flight level {lower} is above upper {upper}")
    centre: Position | None = None
    radius: int | None = None
    if where:
        match = _Q_CENTRE_RE.match(where)
        if match is None:
            raise ValueError(
                f"centre and radius {where!r} is not ddmm[NS]dddmm[EW]rrr (e.g. 3313N03536E005)"
            )
        lat_d, lat_m, ns, lon_d, lon_m, ew, rad = match.groups()
        if int(lat_m) >= 60 or int(lon_m) >= 60:
            raise ValueError(f"centre {where!r}: minutes must be below 60")
        # Whole minutes over 60, as a proposal's centre is made (proposal._round_minutes), so
        # that a Q line read back is the very float written: d + m/60 can differ in the last bit.
        lat = (1 if ns == "N" else -1) * (int(lat_d) * 60 + int(lat_m)) / 60
        lon = (1 if ew == "E" else -1) * (int(lon_d) * 60 + int(lon_m)) / 60
        if abs(lat) > 90 or abs(lon) > 180:
            raise ValueError(f"centre {where!r} is not on the Earth")
        centre = Position(lon, lat)
        radius = int(rad) if rad is not None else None
    return QLine(fir, code, traffic, purpose, scope, levels[0], levels[1], centre, radius)


def parse_notam(chunk: str) -> tuple[Notam | None, list[Problem]]:
    """One NOTAM from its text; the problems found, each located at its item."""
    header = _HEADER_RE.match(chunk)
    if header is None:
        return None, [Problem(("header",), "does not start with an id and NOTAMN/R/C")]
    ident, action, ref = header.group("id", "kind", "ref")
    problems: list[Problem] = []
    if action in "RC" and ref is None:
        problems.append(Problem(("header",), f"NOTAM{action} must name the NOTAM it affects"))
    if action == "N" and ref is not None:
        problems.append(Problem(("header",), "NOTAMN names no other NOTAM"))
    items, _ = _split(chunk[header.end() :])

    def problem(item: str, reason: str) -> None:
        problems.append(Problem((item,), reason))

    q = None
    if "Q" not in items:
        problem("Q", "missing")
    else:
        try:
            q = _q_line(items["Q"])
        except ValueError as exc:
            problem("Q", str(exc))
    locations = tuple(items.get("A", "").replace("/", " ").split())
    if not locations:
        problem("A", "missing: at least one location (ICAO indicator)")
    for loc in locations:
        if not re.fullmatch(r"[A-Z]{4}", loc):
            problem("A", f"location {loc!r} is not a four-letter ICAO indicator")
    start: datetime | None = None
    if "B" not in items:
        problem("B", "missing")
    else:
        try:
            start = _time(items["B"], "B")
        except ValueError as exc:
            problem("B", str(exc))
    end: datetime | None = None
    end_kind = "none"
    if action != "C":
        raw_end = " ".join(items.get("C", "").split())
        if not raw_end:
            problem("C", "missing: an end time, EST or PERM")
        elif raw_end == "PERM":
            end_kind = "PERM"
        else:
            end_kind = "exact"
            if raw_end.endswith("EST"):
                end_kind = "EST"
                raw_end = raw_end[:-3].strip()
            try:
                end = _time(raw_end, "C")
            except ValueError as exc:
                problem("C", str(exc))
            if start is not None and end is not None and end <= start:
                problem("C", f"{items['C']} is not after B) {items.get('B')}")
    if "E" not in items and action != "C":
        problem("E", "missing")
    notam = Notam(
        id=ident,
        action=action,
        ref=ref,
        q=q,
        locations=locations,
        start=start,
        end=end,
        end_kind=end_kind,
        schedule=" ".join(items.get("D", "").split()),
        text=items.get("E", ""),
        lower=" ".join(items.get("F", "").split()),
        upper=" ".join(items.get("G", "").split()),
        raw=chunk.strip(),
        items=items,
    )
    return notam, problems


def parse_batch(text: str) -> tuple[list[Notam | None], list[Problem]]:
    """Every NOTAM of a batch, in order, and every problem, located at
    ``notams[i].<item>`` with the NOTAM's id at the start of its reason.

    >>> notams, problems = parse_batch('''(A0001/26 NOTAMN
    ... Q) LLLL/QRTCA/IV/BO/W/000/100/3313N03536E005
    ... A) LLLL B) 2611240600 C) 2611251800
    ... E) AREA ACTIVE)''')
    >>> notams[0].id, notams[0].q.code, str(notams[0].q.centre), problems
    ('A0001/26', 'QRTCA', '33.22N 35.60E', [])
    """
    starts = [m.start() for m in _START_RE.finditer(text)]
    if not starts:
        if text.strip():
            return [], [
                Problem(("notams",), "no NOTAM found: each starts with e.g. A1234/26 NOTAMN")
            ]
        return [], [Problem(("notams",), "empty: no NOTAM given")]
    problems: list[Problem] = []
    if text[: starts[0]].strip():
        problems.append(
            Problem(("notams",), f"text before the first NOTAM: {text[: starts[0]].strip()[:40]!r}")
        )
    out: list[Notam | None] = []
    for i, begin in enumerate(starts):
        chunk = text[begin : starts[i + 1] if i + 1 < len(starts) else len(text)]
        notam, found = parse_notam(chunk)
        ident = notam.id if notam else chunk.split()[0].lstrip("(")
        problems.extend(Problem(("notams", i, *p.path), f"{ident}: {p.reason}") for p in found)
        out.append(notam)
    return out, problems
