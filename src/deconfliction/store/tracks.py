"""What the record holds for tracks: declarations, read back at start, and evidence."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from deconfliction.store.schema import events

__all__ = ["DECLARED", "EVIDENCE", "configuration"]

DECLARED = "tracks.declared"
EVIDENCE = "track.evidence"


def configuration(connection: Connection) -> list[tuple[str, str, dict[str, Any]]]:
    """Every declaration, oldest first: ``(type, subject, payload)``."""
    rows = connection.execute(
        sa.select(events.c.type, events.c.subject, events.c.body)
        .where(events.c.type == DECLARED)
        .order_by(events.c.seq)
    )
    return [(r.type, r.subject, json.loads(r.body)) for r in rows]
