"""The record (events) and its projections.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from deconfliction.store.types import UtcTimestamp

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _item(name: str, *columns: sa.Column[object]) -> None:
    op.create_table(
        name,
        sa.Column("id", sa.String(64), nullable=False),
        *columns,
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("seq", Seq, nullable=False),
        sa.PrimaryKeyConstraint("id", name=f"pk_{name}"),
        sa.ForeignKeyConstraint(["seq"], ["events.seq"], name=f"fk_{name}_seq_events"),
    )


def upgrade() -> None:
    op.create_table(
        "events",
        sa.Column("seq", Seq, nullable=False, autoincrement=True),
        sa.Column("recorded_at", UtcTimestamp(), nullable=False),
        sa.Column("type", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(128), nullable=False),
        sa.Column("body", sa.Text(), nullable=False, comment="RFC 8785 canonical JSON"),
        sa.PrimaryKeyConstraint("seq", name="pk_events"),
    )
    op.create_index("ix_events_subject", "events", ["subject", "seq"])
    _item(
        "parties",
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
    )
    _item("agreements")
    _item("lines")
    _item("zones")
    _item(
        "sites",
        sa.Column("owner", sa.String(64), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("valid_from", UtcTimestamp(), nullable=False),
        sa.Column("valid_until", UtcTimestamp(), nullable=False),
    )
    op.create_index("ix_sites_owner", "sites", ["owner"])
    _item(
        "notices",
        sa.Column("series", sa.String(64), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("replaces", sa.String(64), nullable=True),
        sa.Column("filed_at", UtcTimestamp(), nullable=False),
        sa.Column("starts_at", UtcTimestamp(), nullable=True),
        sa.Column("ends_at", UtcTimestamp(), nullable=True),
        sa.Column("superseded_by", sa.String(64), nullable=True),
    )
    op.create_index("ix_notices_series", "notices", ["series"])
    op.create_index("ix_notices_author", "notices", ["author"])
    op.create_index("ix_notices_filed_at", "notices", ["filed_at"])
    _item(
        "observations",
        sa.Column("observed_at", UtcTimestamp(), nullable=False),
        sa.Column("reported_by", sa.String(64), nullable=False),
    )
    op.create_index("ix_observations_observed_at", "observations", ["observed_at"])
    op.create_table(
        "alerts",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("raised_at", UtcTimestamp(), nullable=False),
        sa.Column("updated_at", UtcTimestamp(), nullable=False),
        sa.Column("closed_at", UtcTimestamp(), nullable=True),
        sa.Column("closed_reason", sa.Text(), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("parties", sa.Text(), nullable=False),
        sa.Column("subjects", sa.Text(), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.Column("seq", Seq, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_alerts"),
        sa.ForeignKeyConstraint(["seq"], ["events.seq"], name="fk_alerts_seq_events"),
    )
    op.create_index("ix_alerts_kind", "alerts", ["kind"])
    op.create_table(
        "alert_parties",
        sa.Column("alert_id", sa.String(64), nullable=False),
        sa.Column("party_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("alert_id", "party_id", name="pk_alert_parties"),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alerts.id"], name="fk_alert_parties_alert_id_alerts"
        ),
    )
    op.create_index("ix_alert_parties_party_id", "alert_parties", ["party_id"])
    op.create_table(
        "alert_changes",
        sa.Column("seq", Seq, nullable=False),
        sa.Column("alert_id", sa.String(64), nullable=False),
        sa.Column("action", sa.String(10), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("at", UtcTimestamp(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_alert_changes"),
        sa.ForeignKeyConstraint(["seq"], ["events.seq"], name="fk_alert_changes_seq_events"),
    )
    op.create_index("ix_alert_changes_alert_at", "alert_changes", ["alert_id", "at"])


def downgrade() -> None:
    for table in (
        "alert_changes",
        "alert_parties",
        "alerts",
        "observations",
        "notices",
        "sites",
        "zones",
        "lines",
        "agreements",
        "parties",
        "events",
    ):
        op.drop_table(table)
