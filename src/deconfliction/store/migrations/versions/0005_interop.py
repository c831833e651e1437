"""Interoperability formats: NOTAMs imported, and the ASTM F3548-21 DSS entities.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from deconfliction.store.types import UtcTimestamp

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

_ENTITIES: dict[str, list[Any]] = {
    "dss_operational_intents": [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("ovn", sa.String(128), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("subscription_id", sa.String(36), nullable=True),
        sa.Column("notice_id", sa.String(64), nullable=False),
    ],
    "dss_constraints": [
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("ovn", sa.String(128), nullable=False),
        sa.Column("notice_id", sa.String(64), nullable=False),
    ],
    "dss_subscriptions": [
        sa.Column("version", sa.String(128), nullable=False),
        sa.Column("notification_index", sa.Integer(), nullable=False),
        sa.Column("notify_for_operational_intents", sa.Boolean(), nullable=False),
        sa.Column("notify_for_constraints", sa.Boolean(), nullable=False),
        sa.Column("implicit", sa.Boolean(), nullable=False),
    ],
}


def upgrade() -> None:
    op.create_table(
        "notams",
        sa.Column("party", sa.String(64), nullable=False),
        sa.Column("id", sa.String(16), nullable=False, comment="series/number/year: A1234/26"),
        sa.Column("action", sa.String(1), nullable=False),
        sa.Column("ref", sa.String(16), nullable=True),
        sa.Column("notice_id", sa.String(64), nullable=False),
        sa.Column("q_line", sa.Text(), nullable=False),
        sa.Column("locations", sa.Text(), nullable=False),
        sa.Column("flags", sa.Text(), nullable=False, comment="JSON list"),
        sa.Column("text", sa.Text(), nullable=False, comment="the NOTAM as received"),
        sa.Column("imported_at", UtcTimestamp(), nullable=False),
        sa.Column("seq", Seq, nullable=False),
        sa.ForeignKeyConstraint(["seq"], ["events.seq"], name="fk_notams_seq_events"),
        sa.PrimaryKeyConstraint("party", "id", name="pk_notams"),
    )
    op.create_index("ix_notams_notice_id", "notams", ["notice_id"])
    for name, columns in _ENTITIES.items():
        op.create_table(
            name,
            sa.Column("id", sa.String(36), nullable=False),
            sa.Column("manager", sa.String(255), nullable=False),
            sa.Column("uss_base_url", sa.Text(), nullable=False),
            *columns,
            sa.Column("t0", UtcTimestamp(), nullable=False),
            sa.Column("t1", UtcTimestamp(), nullable=False),
            sa.Column("alt_lo", sa.Float(), nullable=True),
            sa.Column("alt_hi", sa.Float(), nullable=True),
            sa.Column("west", sa.Float(), nullable=False),
            sa.Column("south", sa.Float(), nullable=False),
            sa.Column("east", sa.Float(), nullable=False),
            sa.Column("north", sa.Float(), nullable=False),
            sa.Column("extents", sa.Text(), nullable=False, comment="JSON: the Volume4D list"),
            sa.Column("seq", Seq, nullable=False),
            sa.ForeignKeyConstraint(["seq"], ["events.seq"], name=f"fk_{name}_seq_events"),
            sa.PrimaryKeyConstraint("id", name=f"pk_{name}"),
        )
        op.create_index(f"ix_{name}_manager", name, ["manager"])
        op.create_index(f"ix_{name}_t1", name, ["t1"])
    op.create_index(
        "ix_dss_operational_intents_subscription_id",
        "dss_operational_intents",
        ["subscription_id"],
    )
    op.create_table(
        "dss_availability",
        sa.Column("uss", sa.String(255), nullable=False),
        sa.Column("availability", sa.String(10), nullable=False),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("seq", Seq, nullable=False),
        sa.ForeignKeyConstraint(["seq"], ["events.seq"], name="fk_dss_availability_seq_events"),
        sa.PrimaryKeyConstraint("uss", name="pk_dss_availability"),
    )
    op.create_table(
        "dss_reports",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("reporter", sa.String(255), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("received_at", UtcTimestamp(), nullable=False),
        sa.Column("seq", Seq, nullable=False),
        sa.ForeignKeyConstraint(["seq"], ["events.seq"], name="fk_dss_reports_seq_events"),
        sa.PrimaryKeyConstraint("id", name="pk_dss_reports"),
    )


def downgrade() -> None:
    for name in ("dss_reports", "dss_availability", *_ENTITIES, "notams"):
        op.drop_table(name)
