"""Tables of the interoperability formats (migration 0004): NOTAMs imported, and the entities of
the ASTM F3548-21 DSS facade.

Like every other table they sit beside the log: each row names the event (``seq``) that last
wrote it.  The DSS rows also keep the entity's union bounds (a box in degrees, times, heights)
for a SQL pre-filter, its extents as JSON for the exact test, and, for operational intents and
constraints, the OVN: a secret of the manager that the log keeps only as a SHA-256.
"""

from __future__ import annotations

import sqlalchemy as sa

from deconfliction.store.schema import Seq, metadata
from deconfliction.store.types import UtcTimestamp

__all__ = [
    "dss_availability",
    "dss_constraints",
    "dss_operational_intents",
    "dss_reports",
    "dss_subscriptions",
    "notams",
]

notams = sa.Table(
    "notams",
    metadata,
    sa.Column("party", sa.String(64), primary_key=True),
    sa.Column("id", sa.String(16), primary_key=True, comment="series/number/year: A1234/26"),
    sa.Column("action", sa.String(1), nullable=False),
    sa.Column("ref", sa.String(16), nullable=True),
    sa.Column("notice_id", sa.String(64), nullable=False, index=True),
    sa.Column("q_line", sa.Text(), nullable=False),
    sa.Column("locations", sa.Text(), nullable=False),
    sa.Column("flags", sa.Text(), nullable=False, comment="JSON list"),
    sa.Column("text", sa.Text(), nullable=False, comment="the NOTAM as received"),
    sa.Column("imported_at", UtcTimestamp(), nullable=False),
    sa.Column("seq", Seq, sa.ForeignKey("events.seq"), nullable=False),
)


def _extent_columns() -> list[sa.Column[object]]:
    """The union bounds and the extents of a DSS entity."""
    return [
        sa.Column("t0", UtcTimestamp(), nullable=False),
        sa.Column("t1", UtcTimestamp(), nullable=False, index=True),
        sa.Column("alt_lo", sa.Float(), nullable=True),
        sa.Column("alt_hi", sa.Float(), nullable=True),
        sa.Column("west", sa.Float(), nullable=False),
        sa.Column("south", sa.Float(), nullable=False),
        sa.Column("east", sa.Float(), nullable=False),
        sa.Column("north", sa.Float(), nullable=False),
        sa.Column("extents", sa.Text(), nullable=False, comment="JSON: the Volume4D list"),
    ]


def _entity(name: str, *columns: sa.Column[object]) -> sa.Table:
    return sa.Table(
        name,
        metadata,
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("manager", sa.String(255), nullable=False, index=True),
        sa.Column("uss_base_url", sa.Text(), nullable=False),
        *columns,
        *_extent_columns(),
        sa.Column("seq", Seq, sa.ForeignKey("events.seq"), nullable=False),
    )


dss_operational_intents = _entity(
    "dss_operational_intents",
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("ovn", sa.String(128), nullable=False),
    sa.Column("state", sa.String(20), nullable=False),
    sa.Column("subscription_id", sa.String(36), nullable=True, index=True),
    sa.Column("notice_id", sa.String(64), nullable=False),
)
dss_constraints = _entity(
    "dss_constraints",
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("ovn", sa.String(128), nullable=False),
    sa.Column("notice_id", sa.String(64), nullable=False),
)
dss_subscriptions = _entity(
    "dss_subscriptions",
    sa.Column("version", sa.String(128), nullable=False),
    sa.Column("notification_index", sa.Integer(), nullable=False),
    sa.Column("notify_for_operational_intents", sa.Boolean(), nullable=False),
    sa.Column("notify_for_constraints", sa.Boolean(), nullable=False),
    sa.Column("implicit", sa.Boolean(), nullable=False),
)
dss_availability = sa.Table(
    "dss_availability",
    metadata,
    sa.Column("uss", sa.String(255), primary_key=True),
    sa.Column("availability", sa.String(10), nullable=False),
    sa.Column("version", sa.String(64), nullable=False),
    sa.Column("seq", Seq, sa.ForeignKey("events.seq"), nullable=False),
)
dss_reports = sa.Table(
    "dss_reports",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("reporter", sa.String(255), nullable=False),
    sa.Column("body", sa.Text(), nullable=False),
    sa.Column("received_at", UtcTimestamp(), nullable=False),
    sa.Column("seq", Seq, sa.ForeignKey("events.seq"), nullable=False),
)
