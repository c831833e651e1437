"""What the record holds for tracks: declarations and track terms, read back at start."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from deconfliction.store.schema import events

__all__ = ["DECLARED", "EVIDENCE", "TERMS", "configuration"]

DECLARED = "tracks.declared"
TERMS = "tracks.terms"
EVIDENCE = "track.evidence"


def configuration(connection: Connection) -> list[tuple[str, str, dict[str, Any]]]:
    """Every declaration and terms event, oldest first: ``(type, subject, payload)``."""
    rows = connection.execute(
        sa.select(events.c.type, events.c.subject, events.c.body)
        .where(events.c.type.in_((DECLARED, TERMS)))
        .order_by(events.c.seq)
    )
    return [(r.type, r.subject, json.loads(r.body)) for r in rows]
