"""The projections of incidents (each in its latest version) and of every account version."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from deconfliction.engine.model.incidents import Account, Incident
from deconfliction.store.feeds import on_feed
from deconfliction.store.rows import row_of, upsert
from deconfliction.store.schema import events, feed, incident_accounts, incidents
from deconfliction.store.tracks import EVIDENCE

__all__ = [
    "accounts_of",
    "incident",
    "incidents_between",
    "readers_of",
    "track_evidence_since",
    "visible_incidents",
    "write_account",
    "write_incident",
]


def write_incident(connection: Connection, found: Incident, body: str, seq: int) -> None:
    """Project one version of an incident (its row holds the latest)."""
    upsert(connection, incidents, found.id, row_of(found, incidents, body=body, seq=seq))


def write_account(connection: Connection, account: Account, body: str, seq: int) -> None:
    connection.execute(
        sa.insert(incident_accounts), row_of(account, incident_accounts, body=body, seq=seq)
    )


def _incidents(connection: Connection, query: sa.Select[str]) -> list[Incident]:
    return [Incident.model_validate_json(b) for b in connection.execute(query).scalars()]


def incident(connection: Connection, incident_id: str, party: str | None = None) -> Incident | None:
    """The latest version of an incident (only if its entry is on ``party``'s feed, when
    given: missing and hidden answer alike)."""
    query = sa.select(incidents.c.body).where(incidents.c.id == incident_id)
    if party is not None:
        query = query.where(on_feed(incidents.c.seq, party))
    found = _incidents(connection, query)
    return found[0] if found else None


def visible_incidents(
    connection: Connection,
    party: str | None,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 1000,
) -> list[Incident]:
    """The incidents ``party`` may see (every one for ``None``), newest first; with ``start``
    and ``end``, those that began in [start, end)."""
    query = sa.select(incidents.c.body)
    if party is not None:
        query = query.where(on_feed(incidents.c.seq, party))
    if start is not None:
        query = query.where(incidents.c.started_at >= start)
    if end is not None:
        query = query.where(incidents.c.started_at < end)
    query = query.order_by(incidents.c.started_at.desc(), incidents.c.id).limit(limit)
    return _incidents(connection, query)


def incidents_between(connection: Connection, start: datetime, end: datetime) -> list[str]:
    """Ids of the incidents that began in [start, end)."""
    rows = connection.execute(
        sa.select(incidents.c.id).where(
            incidents.c.started_at >= start, incidents.c.started_at < end
        )
    )
    return [r.id for r in rows]


def accounts_of(
    connection: Connection, incident_id: str, party: str | None = None
) -> list[Account]:
    """Every version of every account of an incident ``party`` may read, in the order given."""
    query = sa.select(incident_accounts.c.body).where(
        incident_accounts.c.incident_id == incident_id
    )
    if party is not None:
        query = query.where(on_feed(incident_accounts.c.seq, party))
    query = query.order_by(incident_accounts.c.seq)
    return [Account.model_validate_json(b) for b in connection.execute(query).scalars()]


def readers_of(connection: Connection, seq: int) -> set[str]:
    """The parties on whose feed entry ``seq`` was put."""
    rows = connection.execute(sa.select(feed.c.party_id).where(feed.c.seq == seq))
    return {r.party_id for r in rows}


def track_evidence_since(connection: Connection, since: datetime) -> list[dict[str, Any]]:
    """The ``evidence`` member of every ``track.evidence`` entry recorded since ``since``,
    oldest first: what the record holds of live tracks, for linking an incident.  Bounded
    below only: a replayed recording is entered long after its reports' own times."""
    rows = connection.execute(
        sa.select(events.c.body)
        .where(events.c.type == EVIDENCE, events.c.recorded_at >= since)
        .order_by(events.c.seq)
    ).scalars()
    return [json.loads(body)["evidence"] for body in rows]
