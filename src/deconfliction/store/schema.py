"""Tables.  The ``events`` log is the record; every other table is a projection of it that
can be rebuilt by replaying the log."""

from __future__ import annotations

import sqlalchemy as sa

from deconfliction.store.types import UtcTimestamp

__all__ = [
    "agreements",
    "alert_changes",
    "alert_parties",
    "alerts",
    "events",
    "lines",
    "metadata",
    "notices",
    "observations",
    "parties",
    "sites",
    "zones",
]

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Seq = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

events = sa.Table(
    "events",
    metadata,
    sa.Column("seq", Seq, primary_key=True, autoincrement=True),
    sa.Column("recorded_at", UtcTimestamp(), nullable=False),
    sa.Column("type", sa.String(40), nullable=False),
    sa.Column("subject", sa.String(128), nullable=False),
    sa.Column("body", sa.Text(), nullable=False, comment="RFC 8785 canonical JSON"),
)
sa.Index("ix_events_subject", events.c.subject, events.c.seq)


def _item_table(name: str, *columns: sa.Column[object]) -> sa.Table:
    return sa.Table(
        name,
        metadata,
        sa.Column("id", sa.String(64), primary_key=True),
        *columns,
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("seq", Seq, sa.ForeignKey("events.seq"), nullable=False),
    )


parties = _item_table(
    "parties",
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
)
agreements = _item_table("agreements")
lines = _item_table("lines")
zones = _item_table("zones")
sites = _item_table(
    "sites",
    sa.Column("owner", sa.String(64), nullable=False, index=True),
    sa.Column("category", sa.String(40), nullable=False),
    sa.Column("valid_from", UtcTimestamp(), nullable=False),
    sa.Column("valid_until", UtcTimestamp(), nullable=False),
)
notices = _item_table(
    "notices",
    sa.Column("series", sa.String(64), nullable=False, index=True),
    sa.Column("author", sa.String(64), nullable=False, index=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("action", sa.String(10), nullable=False),
    sa.Column("replaces", sa.String(64), nullable=True),
    sa.Column("filed_at", UtcTimestamp(), nullable=False, index=True),
    sa.Column("starts_at", UtcTimestamp(), nullable=True),
    sa.Column("ends_at", UtcTimestamp(), nullable=True),
    sa.Column("superseded_by", sa.String(64), nullable=True),
)
observations = _item_table(
    "observations",
    sa.Column("observed_at", UtcTimestamp(), nullable=False, index=True),
    sa.Column("reported_by", sa.String(64), nullable=False),
)

alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(40), nullable=False, index=True),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("raised_at", UtcTimestamp(), nullable=False),
    sa.Column("updated_at", UtcTimestamp(), nullable=False),
    sa.Column("closed_at", UtcTimestamp(), nullable=True),
    sa.Column("closed_reason", sa.Text(), nullable=True),
    sa.Column("explanation", sa.Text(), nullable=False),
    sa.Column("parties", sa.Text(), nullable=False),
    sa.Column("subjects", sa.Text(), nullable=False),
    sa.Column("figures", sa.Text(), nullable=False),
    sa.Column("seq", Seq, sa.ForeignKey("events.seq"), nullable=False),
)
alert_parties = sa.Table(
    "alert_parties",
    metadata,
    sa.Column("alert_id", sa.String(64), sa.ForeignKey("alerts.id"), primary_key=True),
    sa.Column("party_id", sa.String(64), primary_key=True, index=True),
)
alert_changes = sa.Table(
    "alert_changes",
    metadata,
    sa.Column("seq", Seq, sa.ForeignKey("events.seq"), primary_key=True),
    sa.Column("alert_id", sa.String(64), nullable=False),
    sa.Column("action", sa.String(10), nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("at", UtcTimestamp(), nullable=False),
)
sa.Index("ix_alert_changes_alert_at", alert_changes.c.alert_id, alert_changes.c.at)
