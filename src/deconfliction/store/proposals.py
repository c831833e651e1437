"""The projection of proposals: each in its current state (its changes are in the log)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from deconfliction.engine.consent import Proposal, ProposalStatus
from deconfliction.store.feeds import on_feed
from deconfliction.store.rows import row_of
from deconfliction.store.schema import proposals

__all__ = ["due_proposals", "proposal", "visible_proposals", "write_proposal"]


def write_proposal(connection: Connection, p: Proposal, body: str, seq: int) -> None:
    values = row_of(p, proposals, body=body, seq=seq)
    values.pop("id")
    updated = connection.execute(
        sa.update(proposals).where(proposals.c.id == sa.bindparam("_key")), {"_key": p.id, **values}
    )
    if updated.rowcount == 0:
        connection.execute(sa.insert(proposals), {"id": p.id, **values})


def _read(connection: Connection, query: sa.Select[str]) -> list[Proposal]:
    return [Proposal.model_validate_json(b) for b in connection.execute(query).scalars()]


def proposal(connection: Connection, proposal_id: str, party: str | None = None) -> Proposal | None:
    """One proposal (only if its current entry is on ``party``'s feed, when given)."""
    query = sa.select(proposals.c.body).where(proposals.c.id == proposal_id)
    if party is not None:
        query = query.where(on_feed(proposals.c.seq, party))
    found = _read(connection, query)
    return found[0] if found else None


def visible_proposals(
    connection: Connection, party: str | None, status: ProposalStatus | None = None
) -> list[Proposal]:
    """The proposals ``party`` may read (every one for ``None``), newest first."""
    query = sa.select(proposals.c.body)
    if party is not None:
        query = query.where(on_feed(proposals.c.seq, party))
    if status is not None:
        query = query.where(proposals.c.status == status.value)
    return _read(connection, query.order_by(proposals.c.seq.desc()))


def due_proposals(connection: Connection, now: datetime) -> list[Proposal]:
    """Pending proposals whose deadline has passed."""
    return _read(
        connection,
        sa.select(proposals.c.body).where(
            proposals.c.status == ProposalStatus.pending.value, proposals.c.expires_at <= now
        ),
    )
