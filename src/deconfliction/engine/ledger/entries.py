"""The canonical bytes of a log entry: what a leaf hash is computed over.

An entry is RFC 8785 canonical JSON with its keys in canonical order::

    {"event":{...},"index":17,"recorded_at":"2026-11-24T09:59:10.000000Z",
     "subject":"n-idf-001","type":"notice.filed"}

``event`` is the event itself (already canonical JSON), ``index`` its position in the log
(0-based, dense), ``recorded_at`` the server's time.  The bytes are built by concatenation,
never by re-serialising, so that a verifier hashes exactly what the server hashed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeGuard

import rfc8785

from deconfliction.engine.times import TIME_FORMAT, format_time

__all__ = [
    "TIME_FORMAT",
    "Entry",
    "entries_bytes",
    "entry_bytes",
    "entry_header",
    "entry_stamp",
    "format_time",
    "parse_entries",
    "parse_entry",
]


_ENCODER = json.JSONEncoder(ensure_ascii=False)
"""``json.dumps(value, ensure_ascii=False)``, its encoder built once rather than at each call
(three strings an entry)."""


def _string(value: str) -> str:
    if value.isascii():
        # For ASCII text the standard library's C encoder writes RFC 8785's very bytes (only
        # '"', '\\' and control characters escaped, as \\u00xx in lower case or the short
        # forms); rfc8785 walks the string in Python, and every entry has three of them.
        return _ENCODER.encode(value)
    return rfc8785.dumps(value).decode("utf-8")


def entry_bytes(
    index: int, recorded_at: datetime | str, type: str, subject: str, event: str
) -> bytes:
    """The canonical entry.  ``event`` must already be canonical JSON (the store keeps it so).
    ``recorded_at`` is a time, or the text a store keeps for it, taken as it is (so that an
    export shows a stored time that was altered into something else, rather than failing).

    >>> from datetime import UTC, datetime
    >>> entry_bytes(0, datetime(2026, 1, 1, tzinfo=UTC), "party.recorded", "idf", '{"a":1}')
    b'{"event":{"a":1},"index":0,"recorded_at":"2026-01-01T00:00:00.000000Z","subject":"idf","type":"party.recorded"}'
    """
    if index < 0:
        raise ValueError("an entry index is not negative")
    time = recorded_at if isinstance(recorded_at, str) else format_time(recorded_at)
    return _bytes(event, index, _string(time), _string(subject), _string(type))


def _bytes(event: str, index: int, time: str, subject: str, type: str) -> bytes:
    """The entry, its strings already written as JSON."""
    return (
        f'{{"event":{event},"index":{index},"recorded_at":{time},'
        f'"subject":{subject},"type":{type}}}'
    ).encode()


def entries_bytes(
    first: int, recorded_at: datetime, entries: Sequence[tuple[str, str, str]]
) -> list[bytes]:
    """:func:`entry_bytes` of ``(type, subject, event)`` entries with indexes from ``first``,
    all recorded at ``recorded_at`` (what one write appends): the same bytes, the time and
    each type written once.

    >>> at = datetime(2026, 1, 1, tzinfo=UTC)
    >>> entries_bytes(4, at, [("a.b", "x", "{}"), ("a.b", "y", "{}")]) == [
    ...     entry_bytes(4, at, "a.b", "x", "{}"), entry_bytes(5, at, "a.b", "y", "{}")]
    True
    """
    if first < 0:
        raise ValueError("an entry index is not negative")
    time = _string(format_time(recorded_at))
    types: dict[str, str] = {}
    out = []
    for n, (type, subject, event) in enumerate(entries):
        written = types.get(type)
        if written is None:
            written = types[type] = _string(type)
        out.append(_bytes(event, first + n, time, _string(subject), written))
    return out


@dataclass(frozen=True, slots=True)
class Entry:
    index: int
    recorded_at: datetime
    type: str
    subject: str
    event: dict[str, Any]


def entry_header(data: bytes | str) -> tuple[str, str]:
    """``(type, subject)`` of an entry, without reading its time."""
    raw = json.loads(data)
    return raw["type"], raw["subject"]


_STAMP = b',"recorded_at":'
"""Where an entry's own fields begin: they follow its event (:func:`_bytes`), and no JSON
string can hold this text (its quotes would be escaped), so its last occurrence is theirs."""


def entry_stamp(data: bytes) -> tuple[str, str, str]:
    """``(recorded_at, type, subject)`` of an entry, its time as written (a receipt shows it).

    An entry written here ends with these three fields, after its event: they are read from
    that tail alone rather than from the whole entry (a notice's entry is mostly its volumes;
    every filing's answer carries a receipt).  The answer is :func:`parse_entry`'s, its time
    written again in the one form; an entry of any other form is read whole.

    >>> entry_stamp(entry_bytes(3, "2026-11-24T10:00:00.000000Z", "a.b", "x", '{"recorded_at":1}'))
    ('2026-11-24T10:00:00.000000Z', 'a.b', 'x')
    """
    at = data.rfind(_STAMP)
    if at >= 0:
        try:
            tail = json.loads(b"{" + data[at + 1 :])
        except ValueError:
            tail = None
        if isinstance(tail, dict) and len(tail) == 3:
            text, type, subject = tail.get("recorded_at"), tail.get("type"), tail.get("subject")
            if _written_form(text) and isinstance(type, str) and isinstance(subject, str):
                # Read as :func:`_entry` reads it (a time of that shape that is no time fails).
                return format_time(datetime.fromisoformat(text)), type, subject
    parsed = parse_entry(data)
    return format_time(parsed.recorded_at), parsed.type, parsed.subject


def _written_form(text: object) -> TypeGuard[str]:
    """Whether ``text`` has the shape of a time as :func:`format_time` writes it."""
    return (
        isinstance(text, str)
        and len(text) == 27
        and text[10] == "T"
        and text[19] == "."
        and text[26] == "Z"
    )


def parse_entry(data: bytes | str) -> Entry:
    """Read an entry back (for display and for checks on its content)."""
    return _entry(json.loads(data))


def parse_entries(data: Sequence[bytes]) -> list[Entry]:
    """Read many entries back at once (one decoder call for all: a report check reads a
    quarter of a million).

    >>> [e.index for e in parse_entries([entry_bytes(3, "2026-11-24T10:00:00.000000Z",
    ...     "party.recorded", "idf", '{"a":1}')] * 2)]
    [3, 3]
    """
    read = json.loads(b"[" + b",".join(data) + b"]")
    if len(read) != len(data):  # an entry that is not one JSON value
        return [parse_entry(d) for d in data]
    return [_entry(raw) for raw in read]


def _entry(raw: dict[str, Any]) -> Entry:
    text = raw["recorded_at"]
    if _written_form(text):
        # The one written form (what every entry holds), read the fast way; anything else
        # is read strictly, and refused unless it is that form.
        recorded = datetime.fromisoformat(text)
    else:
        recorded = datetime.strptime(text, TIME_FORMAT).replace(tzinfo=UTC)
    return Entry(raw["index"], recorded, raw["type"], raw["subject"], raw["event"])
