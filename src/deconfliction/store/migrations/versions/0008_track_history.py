"""Track history: the live tracks' samples, kept in the record for replay beyond memory
(``store/track_history.py``).

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "track_samples",
        sa.Column("aircraft", sa.String(100), primary_key=True),
        sa.Column("t", sa.Float(), primary_key=True, comment="Unix seconds, UTC"),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("alt_m", sa.Float(), nullable=True),
        sa.Column("track", sa.Float(), nullable=True),
        sa.Column("baro_value", sa.Float(), nullable=True),
        sa.Column("baro_unit", sa.String(8), nullable=True),
        sa.Column("baro_datum", sa.String(16), nullable=True),
        sa.Column("geom_value", sa.Float(), nullable=True),
        sa.Column("geom_unit", sa.String(8), nullable=True),
        sa.Column("geom_datum", sa.String(16), nullable=True),
        sa.Column("speed_value", sa.Float(), nullable=True),
        sa.Column("speed_unit", sa.String(8), nullable=True),
        sa.Column("callsign", sa.String(16), nullable=True),
    )
    op.create_index("ix_track_samples_t", "track_samples", ["t"])


def downgrade() -> None:
    op.drop_index("ix_track_samples_t", table_name="track_samples")
    op.drop_table("track_samples")
