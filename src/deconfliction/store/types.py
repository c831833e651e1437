"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

from deconfliction.engine.times import format_time

__all__ = ["UtcTimestamp", "sqlite_text"]


def _utc(value: datetime) -> datetime:
    if value.tzinfo is UTC:  # the server's own times (a filing binds some forty of them)
        return value
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("naive datetime refused: the store keeps UTC instants only")
    return value.astimezone(UTC)


def sqlite_text(value: datetime) -> str:
    """How SQLite keeps an instant (see :class:`UtcTimestamp`); naive datetimes are refused."""
    return format_time(_utc(value))


class UtcTimestamp(sa.types.TypeDecorator[datetime]):
    """A timezone-aware UTC instant with microseconds.

    PostgreSQL stores ``timestamptz``.  SQLite has no time type, so the value is stored as
    fixed-width ISO 8601 text in UTC (``2026-11-24T09:59:10.000000Z``), which sorts
    chronologically as text.  Naive datetimes are refused rather than guessed.
    """

    impl = sa.String(27)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(sa.DateTime(timezone=True))
        return dialect.type_descriptor(sa.String(27))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return _utc(value) if dialect.name == "postgresql" else sqlite_text(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.astimezone(UTC)
        # Written by sqlite_text only (TIME_FORMAT, always 'Z'): fromisoformat reads that form
        # some forty times faster than strptime (reports read every entry's time).
        return datetime.fromisoformat(value).astimezone(UTC)
