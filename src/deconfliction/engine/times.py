"""Time as the record writes it: one format, read strictly.

Everything the service writes or signs -- ledger entries and tree heads, item payloads, alerts,
deliveries, messages, the live stream, the command line's JSON -- writes a time as fixed-width
UTC with microseconds, ``2026-11-24T10:00:00.000000Z`` (RFC 3339).  One width means the text
sorts as the times do and the same instant is always the same bytes.  Input is read as RFC 3339
with an explicit offset and converted to UTC.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, Final

__all__ = ["EARLIEST", "LATEST", "TIME_FORMAT", "format_time", "milliseconds", "parse_utc"]

TIME_FORMAT: Final = "%Y-%m-%dT%H:%M:%S.%fZ"
"""Fixed-width UTC with microseconds."""


def milliseconds(instant: datetime) -> int:
    """Whole milliseconds since 1970 (none before): what an id that sorts by the time it was
    made begins with (a notice's deliveries'), so that the b-trees keyed by such ids take the
    ones made together at one place.

    >>> milliseconds(datetime(1970, 1, 1, 0, 0, 1, 999, tzinfo=UTC))
    1000
    """
    return max(0, (instant - _EPOCH) // _MILLISECOND)


_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND: Final = timedelta(milliseconds=1)


def format_time(instant: datetime) -> str:
    """The one written form of a time.

    >>> format_time(datetime(2026, 11, 24, 9, 59, 10, tzinfo=UTC))
    '2026-11-24T09:59:10.000000Z'
    """
    if instant.tzinfo is None:
        raise ValueError("times are timezone-aware")
    return _written(instant)


@lru_cache(maxsize=4096)
def _written(instant: datetime) -> str:
    # A write stamps the same instant on every entry, row and body it makes (a notice to nine
    # parties: some forty times), and ``strftime`` is the dear part.  Aware datetimes are
    # equal exactly when they are the same instant, which is what the text says.  A UTC time
    # of a four-digit year (every time the engine accepts) is written without ``strftime``,
    # several times faster: a notice book writes three times a notice as it records it.
    if instant.tzinfo is UTC and instant.year >= 1000:
        return (
            f"{instant.year}-{instant.month:02d}-{instant.day:02d}T{instant.hour:02d}:"
            f"{instant.minute:02d}:{instant.second:02d}.{instant.microsecond:06d}Z"
        )
    return instant.astimezone(UTC).strftime(TIME_FORMAT)


EARLIEST: Final = datetime(1900, 1, 1, tzinfo=UTC)
LATEST: Final = datetime(2999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)
"""Times outside these are typing errors (and would overflow the calendar when a margin or a
deadline is added to them)."""


_RFC3339: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?P<fraction>\.\d+)?(?P<offset>[Zz]|[+-]\d{2}:\d{2})?"
)
"""RFC 3339's date-time (section 5.6), the offset made optional here only to say that it is
missing.  ISO 8601's other forms (week and ordinal dates, basic format, reduced precision) are
not RFC 3339 and are refused: a time in the record must read one way only."""


def parse_utc(raw: Any) -> datetime:
    """Read an RFC 3339 time with an explicit offset and return it in UTC.

    Fractions of a second beyond microseconds are refused rather than rounded: the record keeps
    microseconds, and a time must not silently become another.

    Examples
    --------
    >>> parse_utc("2026-11-24T12:00:00+02:00").isoformat()
    '2026-11-24T10:00:00+00:00'
    >>> parse_utc("2026-11-24T12:00:00")
    Traceback (most recent call last):
    ...
    ValueError: time '2026-11-24T12:00:00' has no timezone: write it in RFC 3339 with an offset, e.g. 2026-11-24T12:00:00Z
    >>> parse_utc("2027-W01-1T10:00:00Z")
    Traceback (most recent call last):
    ...
    ValueError: time '2027-W01-1T10:00:00Z' is not RFC 3339, e.g. 2026-11-24T12:00:00Z
    """
    if isinstance(raw, datetime):
        if raw.tzinfo is UTC and EARLIEST <= raw <= LATEST:
            # Already what the record keeps (every model built from the server's own times
            # comes here: three times for each of a notice's deliveries).
            return raw
        value = raw
        text = raw.isoformat()
    elif isinstance(raw, str):
        text = raw.strip()
        match = _RFC3339.fullmatch(text)
        if match is None:
            raise ValueError(f"time {raw!r} is not RFC 3339, e.g. 2026-11-24T12:00:00Z")
        fraction = match.group("fraction")
        if fraction is not None and len(fraction) > 7:
            raise ValueError(
                f"time {raw!r} is more precise than the record's microseconds: give at most "
                "six digits after the seconds"
            )
        candidate = text[:-1] + "+00:00" if text[-1:] in ("Z", "z") else text
        try:
            value = datetime.fromisoformat(candidate)
        except ValueError:
            raise ValueError(
                f"time {raw!r} is not a valid date and time (RFC 3339), e.g. 2026-11-24T12:00:00Z"
            ) from None
    else:
        raise ValueError(f"a time is an RFC 3339 string, e.g. 2026-11-24T12:00:00Z; got {raw!r}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"time {text!r} has no timezone: write it in RFC 3339 with an offset, "
            f"e.g. {text.split('+')[0]}Z"
        )
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        utc = None
    if utc is None or not EARLIEST <= utc <= LATEST:
        raise ValueError(
            f"time {text!r} is out of range: times are between the years 1900 and 2999"
        )
    return utc
