"""Queries on the notices' projection: chains, status, time windows.

A version's status follows from the projection alone: ``cancellation`` (it cancels another),
``current`` (nothing superseded it), ``cancelled`` (a cancellation superseded it) or
``replaced``.  A cancellation is *placed* where the version it cancels was: its window and
area are that version's.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from deconfliction.store.schema import notices

__all__ = ["PLACED", "STATUS", "select_notices"]

_successor = notices.alias("successor")
_placed = notices.alias("placed")

_status = sa.case(
    (notices.c.action == "cancel", "cancellation"),
    (notices.c.superseded_by.is_(None), "current"),
    (_successor.c.action == "cancel", "cancelled"),
    else_="replaced",
)
STATUS = _status.label("status")
PLACED = sa.case((notices.c.action == "cancel", _placed.c.body), else_=None).label("placed_body")
"""For a cancellation, the body of the version it cancels (None for any other version)."""


def select_notices(
    base: sa.Select[Any],
    *,
    statuses: frozenset[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> sa.Select[Any]:
    """``base`` (a :func:`~deconfliction.store.items.select_items` of notices, with
    :data:`STATUS` and :data:`PLACED` among its columns) joined to what status and placing
    need, narrowed to ``statuses`` and to versions whose (placed) span meets [start, end)."""
    query = base.outerjoin(_successor, _successor.c.id == notices.c.superseded_by).outerjoin(
        _placed, sa.and_(notices.c.action == "cancel", _placed.c.id == notices.c.replaces)
    )
    if statuses is not None:
        query = query.where(_status.in_(sorted(statuses)))
    starts = sa.func.coalesce(notices.c.starts_at, _placed.c.starts_at)
    ends = sa.func.coalesce(notices.c.ends_at, _placed.c.ends_at)
    if end is not None:
        query = query.where(starts < end)
    if start is not None:
        query = query.where(ends > start)
    return query
