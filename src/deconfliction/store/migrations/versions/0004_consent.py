"""Proposals (changes that need the consent of the parties they bind), and private values
(kept apart from the public log, which holds only their commitments).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from deconfliction.store.types import UtcTimestamp

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "proposals",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("proposed_by", sa.String(64), nullable=False),
        sa.Column("expires_at", UtcTimestamp(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("seq", Seq, sa.ForeignKey("events.seq"), nullable=False),
    )
    op.create_index("ix_proposals_status_expires_at", "proposals", ["status", "expires_at"])
    op.create_table(
        "private_values",
        sa.Column("seq", Seq, sa.ForeignKey("events.seq"), primary_key=True),
        sa.Column("field", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("item_id", sa.String(64), nullable=False),
        sa.Column("nonce", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False, comment="RFC 8785 canonical JSON"),
    )
    op.create_index("ix_private_values_item", "private_values", ["kind", "item_id"])


def downgrade() -> None:
    op.drop_index("ix_private_values_item", "private_values")
    op.drop_table("private_values")
    op.drop_index("ix_proposals_status_expires_at", "proposals")
    op.drop_table("proposals")
