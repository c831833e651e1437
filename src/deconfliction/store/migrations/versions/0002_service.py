"""The coordination service: tokens, deliveries, messages, reads, feeds, idempotency keys.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from deconfliction.store.types import UtcTimestamp

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "tokens",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("party_id", sa.String(64), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("label", sa.Text(), nullable=False, server_default=""),
        sa.Column("created_at", UtcTimestamp(), nullable=False),
        sa.Column("expires_at", UtcTimestamp(), nullable=True),
        sa.Column("revoked_at", UtcTimestamp(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_tokens"),
    )
    op.create_index("ix_tokens_party_id", "tokens", ["party_id"])
    op.create_table(
        "deliveries",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("item_type", sa.String(20), nullable=False),
        sa.Column("item_id", sa.String(64), nullable=False),
        sa.Column("recipient", sa.String(64), nullable=False),
        sa.Column("sender", sa.String(64), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("delivered_at", UtcTimestamp(), nullable=False),
        sa.Column("deadline_at", UtcTimestamp(), nullable=True),
        sa.Column("next_at", UtcTimestamp(), nullable=True),
        sa.Column("level", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("seq", Seq, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_deliveries"),
        sa.ForeignKeyConstraint(["seq"], ["events.seq"], name="fk_deliveries_seq_events"),
    )
    op.create_index("ix_deliveries_recipient", "deliveries", ["recipient", "delivered_at"])
    op.create_index("ix_deliveries_item", "deliveries", ["item_type", "item_id"])
    op.create_index("ix_deliveries_next_at", "deliveries", ["next_at"])
    op.create_table(
        "messages",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("sender", sa.String(64), nullable=False),
        sa.Column("recipient", sa.String(64), nullable=False),
        sa.Column("notice_id", sa.String(64), nullable=True),
        sa.Column("sent_at", UtcTimestamp(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("seq", Seq, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_messages"),
        sa.ForeignKeyConstraint(["seq"], ["events.seq"], name="fk_messages_seq_events"),
    )
    op.create_index("ix_messages_sender", "messages", ["sender"])
    op.create_index("ix_messages_recipient", "messages", ["recipient"])
    op.create_table(
        "reads",
        sa.Column("id", Seq, nullable=False, autoincrement=True),
        sa.Column("party_id", sa.String(64), nullable=False),
        sa.Column("token_id", sa.String(32), nullable=True),
        sa.Column("item_type", sa.String(20), nullable=False),
        sa.Column("item_id", sa.String(64), nullable=False),
        sa.Column("owner", sa.String(64), nullable=True),
        sa.Column("read_at", UtcTimestamp(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_reads"),
    )
    op.create_index("ix_reads_item", "reads", ["item_type", "item_id"])
    op.create_table(
        "feed",
        sa.Column("party_id", sa.String(64), nullable=False),
        sa.Column("seq", Seq, nullable=False),
        sa.PrimaryKeyConstraint("party_id", "seq", name="pk_feed"),
        sa.ForeignKeyConstraint(["seq"], ["events.seq"], name="fk_feed_seq_events"),
    )
    op.create_table(
        "idempotency",
        sa.Column("party_id", sa.String(64), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("created_at", UtcTimestamp(), nullable=False),
        sa.PrimaryKeyConstraint("party_id", "key", name="pk_idempotency"),
    )


def downgrade() -> None:
    for table in ("idempotency", "feed", "reads", "messages", "deliveries", "tokens"):
        op.drop_table(table)
