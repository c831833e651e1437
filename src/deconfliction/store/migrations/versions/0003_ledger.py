"""The ledger: a dense index and a leaf hash per event, and signed tree heads.

Revision ID: 0003
Revises: 0002

Existing events get their index (in sequence order) and their leaf hash, computed from the
canonical entry exactly as new events are.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from deconfliction.engine.ledger.entries import entry_bytes
from deconfliction.engine.ledger.merkle import leaf_hash
from deconfliction.store.types import UtcTimestamp

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("idx", sa.BigInteger(), nullable=True, comment="ledger index"))
        batch.add_column(
            sa.Column("leaf_hash", sa.String(64), nullable=True, comment="RFC 9162 leaf hash, hex")
        )
    events = sa.table(
        "events",
        sa.column("seq", sa.BigInteger()),
        sa.column("recorded_at", UtcTimestamp()),
        sa.column("type", sa.String()),
        sa.column("subject", sa.String()),
        sa.column("body", sa.Text()),
        sa.column("idx", sa.BigInteger()),
        sa.column("leaf_hash", sa.String()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(
            events.c.seq, events.c.recorded_at, events.c.type, events.c.subject, events.c.body
        ).order_by(events.c.seq)
    ).all()
    for index, row in enumerate(rows):
        digest = leaf_hash(
            entry_bytes(index, row.recorded_at, row.type, row.subject, row.body)
        ).hex()
        connection.execute(
            sa.update(events).where(events.c.seq == row.seq).values(idx=index, leaf_hash=digest)
        )
    with op.batch_alter_table("events") as batch:
        batch.alter_column("idx", nullable=False)
        batch.alter_column("leaf_hash", nullable=False)
        batch.create_unique_constraint("uq_events_idx", ["idx"])
    op.create_table(
        "tree_heads",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            autoincrement=True,
        ),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.String(64), nullable=False),
        sa.Column("signed_at", UtcTimestamp(), nullable=False),
        sa.Column("key_id", sa.String(32), nullable=False),
        sa.Column("signature", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tree_heads"),
    )
    op.create_index("ix_tree_heads_tree_size", "tree_heads", ["tree_size"])


def downgrade() -> None:
    op.drop_table("tree_heads")
    with op.batch_alter_table("events") as batch:
        batch.drop_constraint("uq_events_idx", type_="unique")
        batch.drop_column("leaf_hash")
        batch.drop_column("idx")
