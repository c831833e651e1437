"""Tables.  The ``events`` log is the record; every other table is a projection of it that
can be rebuilt by replaying the log."""

from __future__ import annotations

import sqlalchemy as sa

from deconfliction.store.types import UtcTimestamp

__all__ = [
    "ITEM_TABLES",
    "agreements",
    "alert_changes",
    "alert_parties",
    "alerts",
    "deliveries",
    "events",
    "evidence",
    "evidence_holders",
    "evidence_refs",
    "feed",
    "idempotency",
    "incident_accounts",
    "incidents",
    "lines",
    "messages",
    "metadata",
    "notices",
    "observations",
    "parties",
    "private_values",
    "proposals",
    "reads",
    "red_lines",
    "sessions",
    "signin_codes",
    "sites",
    "tokens",
    "tree_heads",
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
    sa.Column("idx", sa.BigInteger(), nullable=False, unique=True, comment="ledger index"),
    sa.Column("leaf_hash", sa.String(64), nullable=False, comment="RFC 9162 leaf hash, hex"),
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
red_lines = _item_table(
    "red_lines",
    sa.Column("declared_by", sa.String(64), nullable=False, index=True),
    sa.Column("declared_at", UtcTimestamp(), nullable=False),
)
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


# -- the coordination service (migration 0002) -----------------------------------------------

tokens = sa.Table(
    "tokens",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("party_id", sa.String(64), nullable=False, index=True),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("secret_hash", sa.String(64), nullable=False),
    sa.Column("label", sa.Text(), nullable=False, server_default=""),
    sa.Column("created_at", UtcTimestamp(), nullable=False),
    sa.Column("expires_at", UtcTimestamp(), nullable=True),
    sa.Column("revoked_at", UtcTimestamp(), nullable=True),
)
deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
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
    sa.Column("seq", Seq, sa.ForeignKey("events.seq"), nullable=False),
)
sa.Index("ix_deliveries_recipient", deliveries.c.recipient, deliveries.c.delivered_at)
sa.Index("ix_deliveries_item", deliveries.c.item_type, deliveries.c.item_id)
sa.Index("ix_deliveries_next_at", deliveries.c.next_at)
messages = sa.Table(
    "messages",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("sender", sa.String(64), nullable=False, index=True),
    sa.Column("recipient", sa.String(64), nullable=False, index=True),
    sa.Column("notice_id", sa.String(64), nullable=True),
    sa.Column("sent_at", UtcTimestamp(), nullable=False),
    sa.Column("body", sa.Text(), nullable=False),
    sa.Column("seq", Seq, sa.ForeignKey("events.seq"), nullable=False),
)
reads = sa.Table(
    "reads",
    metadata,
    sa.Column("id", Seq, primary_key=True, autoincrement=True),
    sa.Column("party_id", sa.String(64), nullable=False),
    sa.Column("token_id", sa.String(32), nullable=True),
    sa.Column("item_type", sa.String(20), nullable=False),
    sa.Column("item_id", sa.String(64), nullable=False),
    sa.Column("owner", sa.String(64), nullable=True),
    sa.Column("read_at", UtcTimestamp(), nullable=False),
)
sa.Index("ix_reads_item", reads.c.item_type, reads.c.item_id)
feed = sa.Table(
    "feed",
    metadata,
    sa.Column("party_id", sa.String(64), primary_key=True),
    sa.Column("seq", Seq, sa.ForeignKey("events.seq"), primary_key=True),
)
idempotency = sa.Table(
    "idempotency",
    metadata,
    sa.Column("party_id", sa.String(64), primary_key=True),
    sa.Column("key", sa.String(200), primary_key=True),
    sa.Column("request_hash", sa.String(64), nullable=False),
    sa.Column("status", sa.Integer(), nullable=False),
    sa.Column("response", sa.Text(), nullable=False),
    sa.Column("created_at", UtcTimestamp(), nullable=False),
)


# -- the ledger (migration 0003) ---------------------------------------------------------------

tree_heads = sa.Table(
    "tree_heads",
    metadata,
    sa.Column("id", Seq, primary_key=True, autoincrement=True),
    sa.Column("tree_size", sa.BigInteger(), nullable=False, index=True),
    sa.Column("root_hash", sa.String(64), nullable=False),
    sa.Column("signed_at", UtcTimestamp(), nullable=False),
    sa.Column("key_id", sa.String(32), nullable=False),
    sa.Column("signature", sa.String(100), nullable=False),
)


ITEM_TABLES = {
    "party": parties,
    "agreement": agreements,
    "line": lines,
    "zone": zones,
    "red_line": red_lines,
    "site": sites,
    "notice": notices,
    "observation": observations,
}
"""The projection of each kind of item (:mod:`deconfliction.engine.items`), by its name."""


# -- consent and private values (migration 0004) ------------------------------------------------

proposals = sa.Table(
    "proposals",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("proposed_by", sa.String(64), nullable=False),
    sa.Column("expires_at", UtcTimestamp(), nullable=False),
    sa.Column("body", sa.Text(), nullable=False),
    sa.Column("seq", Seq, sa.ForeignKey("events.seq"), nullable=False),
)
sa.Index("ix_proposals_status_expires_at", proposals.c.status, proposals.c.expires_at)
private_values = sa.Table(
    "private_values",
    metadata,
    sa.Column("seq", Seq, sa.ForeignKey("events.seq"), primary_key=True),
    sa.Column("field", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("item_id", sa.String(64), nullable=False),
    sa.Column("nonce", sa.String(64), nullable=False),
    sa.Column("value", sa.Text(), nullable=False, comment="RFC 8785 canonical JSON"),
)
sa.Index("ix_private_values_item", private_values.c.kind, private_values.c.item_id)


# -- console sessions (migration 0006) ---------------------------------------------------------

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("token_id", sa.String(32), sa.ForeignKey("tokens.id"), nullable=False, index=True),
    sa.Column("party_id", sa.String(64), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("secret_hash", sa.String(64), nullable=False),
    sa.Column("created_at", UtcTimestamp(), nullable=False),
    sa.Column("expires_at", UtcTimestamp(), nullable=False),
    sa.Column("ended_at", UtcTimestamp(), nullable=True),
)
signin_codes = sa.Table(
    "signin_codes",
    metadata,
    sa.Column("code_hash", sa.String(64), primary_key=True),
    sa.Column("token_id", sa.String(32), sa.ForeignKey("tokens.id"), nullable=False),
    sa.Column("created_at", UtcTimestamp(), nullable=False),
    sa.Column("expires_at", UtcTimestamp(), nullable=False),
    sa.Column("used_at", UtcTimestamp(), nullable=True),
)


# -- incidents, accounts and their evidence (migration 0007) -----------------------------------

incidents = sa.Table(
    "incidents",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("reported_by", sa.String(64), nullable=False, index=True),
    sa.Column("started_at", UtcTimestamp(), nullable=False, index=True),
    sa.Column("ended_at", UtcTimestamp(), nullable=True),
    sa.Column("body", sa.Text(), nullable=False),  # the latest version
    sa.Column("seq", Seq, sa.ForeignKey("events.seq"), nullable=False),
)
incident_accounts = sa.Table(
    "incident_accounts",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("incident_id", sa.String(64), nullable=False, index=True),
    sa.Column("party", sa.String(64), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("replaces", sa.String(64), nullable=True),
    sa.Column("submitted_at", UtcTimestamp(), nullable=False),
    sa.Column("body", sa.Text(), nullable=False),
    sa.Column("seq", Seq, sa.ForeignKey("events.seq"), nullable=False),
)
evidence = sa.Table(
    "evidence",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("size", sa.BigInteger(), nullable=False),
    sa.Column("media_type", sa.String(130), nullable=False),
    sa.Column("content", sa.LargeBinary(), nullable=False),
    sa.Column("stored_at", UtcTimestamp(), nullable=False),
)
evidence_holders = sa.Table(
    "evidence_holders",
    metadata,
    sa.Column("sha256", sa.String(64), sa.ForeignKey("evidence.sha256"), primary_key=True),
    sa.Column("party_id", sa.String(64), primary_key=True),
    sa.Column("uploaded_at", UtcTimestamp(), nullable=False),
)
evidence_refs = sa.Table(
    "evidence_refs",
    metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("seq", Seq, sa.ForeignKey("events.seq"), primary_key=True),
)


# The interoperability formats declare their tables on the same metadata (migration 0005).
from deconfliction.store import interop as _interop  # noqa: E402, F401

# Track history declares its table on the same metadata (migration 0008).
from deconfliction.store import track_history as _track_history  # noqa: E402, F401
