"""Private values: fields only an item's own party may read, kept apart from the log.

The log's entry for the item holds a commitment to each value (its hash with a random nonce:
:func:`deconfliction.engine.items.commitment`); the value and the nonce are kept here, keyed by
the entry, so that the party (or whoever runs the server) can read the value and prove that the
log committed to it.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from deconfliction.store.schema import private_values

__all__ = ["PrivateValue", "private_values_of", "write_private"]


@dataclass(frozen=True, slots=True)
class PrivateValue:
    field: str
    value: str
    """Canonical JSON."""
    nonce: str


def write_private(
    connection: Connection, kind: str, item_id: str, seq: int, values: list[PrivateValue]
) -> None:
    if values:
        connection.execute(
            sa.insert(private_values),
            [
                {
                    "seq": seq,
                    "field": v.field,
                    "kind": kind,
                    "item_id": item_id,
                    "nonce": v.nonce,
                    "value": v.value,
                }
                for v in values
            ],
        )


def private_values_of(connection: Connection, seq: int) -> list[PrivateValue]:
    """The private values recorded with entry ``seq``."""
    rows = connection.execute(
        sa.select(private_values.c.field, private_values.c.value, private_values.c.nonce)
        .where(private_values.c.seq == seq)
        .order_by(private_values.c.field)
    )
    return [PrivateValue(r.field, r.value, r.nonce) for r in rows]
