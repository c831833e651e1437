"""Accountability: red lines (an item kind), incidents and the parties' accounts of them,
and the evidence they refer to by content (kept apart from the ledger, which holds only the
references).

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from deconfliction.store.types import UtcTimestamp

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "red_lines",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("declared_by", sa.String(64), nullable=False),
        sa.Column("declared_at", UtcTimestamp(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("seq", Seq, sa.ForeignKey("events.seq"), nullable=False),
    )
    op.create_index("ix_red_lines_declared_by", "red_lines", ["declared_by"])
    op.create_table(
        "incidents",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("reported_by", sa.String(64), nullable=False),
        sa.Column("started_at", UtcTimestamp(), nullable=False),
        sa.Column("ended_at", UtcTimestamp(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("seq", Seq, sa.ForeignKey("events.seq"), nullable=False),
    )
    op.create_index("ix_incidents_reported_by", "incidents", ["reported_by"])
    op.create_index("ix_incidents_started_at", "incidents", ["started_at"])
    op.create_table(
        "incident_accounts",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("incident_id", sa.String(64), nullable=False),
        sa.Column("party", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("replaces", sa.String(64), nullable=True),
        sa.Column("submitted_at", UtcTimestamp(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("seq", Seq, sa.ForeignKey("events.seq"), nullable=False),
    )
    op.create_index("ix_incident_accounts_incident_id", "incident_accounts", ["incident_id"])
    op.create_table(
        "evidence",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(130), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("stored_at", UtcTimestamp(), nullable=False),
    )
    op.create_table(
        "evidence_holders",
        sa.Column("sha256", sa.String(64), sa.ForeignKey("evidence.sha256"), primary_key=True),
        sa.Column("party_id", sa.String(64), primary_key=True),
        sa.Column("uploaded_at", UtcTimestamp(), nullable=False),
    )
    op.create_table(
        "evidence_refs",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("seq", Seq, sa.ForeignKey("events.seq"), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("evidence_refs")
    op.drop_table("evidence_holders")
    op.drop_table("evidence")
    op.drop_index("ix_incident_accounts_incident_id", "incident_accounts")
    op.drop_table("incident_accounts")
    op.drop_index("ix_incidents_started_at", "incidents")
    op.drop_index("ix_incidents_reported_by", "incidents")
    op.drop_table("incidents")
    op.drop_index("ix_red_lines_declared_by", "red_lines")
    op.drop_table("red_lines")
