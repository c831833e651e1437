"""Projection rows derived from a record's own definition.

A projection table keeps, beside a record's canonical ``body``, the fields queries filter and
sort on, under the field's own name.  Which fields those are is said once, by the table's
columns: the row is read off the record by name, never written out field by field, so that a
record and its row cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import Enum
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.engine import Connection

from deconfliction.store.codec import canonical

__all__ = ["row_of", "rows_of", "upsert"]


def row_of(record: BaseModel, table: sa.Table, **extra: Any) -> dict[str, Any]:
    """The values of ``table``'s columns for ``record``: each column named after one of the
    record's fields takes that field's value (enums as their value, collections as canonical
    JSON), and ``extra`` gives the rest (``body``, ``seq``, computed columns).  A column that neither gives is an error: a
    table may not quietly hold a column nobody writes."""
    row: dict[str, Any] = {}
    for name, is_field, optional in _columns(type(record), table):
        if name in extra:
            row[name] = extra[name]
        elif is_field:
            row[name] = _value(record, name)
        elif not optional:
            raise KeyError(f"{table.name}.{name}: no field of {type(record).__name__} and no value")
    return row


def rows_of(
    records: Sequence[BaseModel], table: sa.Table, extras: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """:func:`row_of` of each record with its ``extra``, for records made together (a notice's
    deliveries, copies of one record with a few fields changed): a field holding the very
    object the first record holds has the first row's value, read off once."""
    if not records:
        return []
    model, first = type(records[0]), records[0].__dict__
    base = row_of(records[0], table, **extras[0])
    fields = [name for name, is_field, _ in _columns(model, table) if is_field]
    out = [base]
    for record, extra in zip(records[1:], extras[1:], strict=True):
        if type(record) is not model or extra.keys() != extras[0].keys():
            out.append(row_of(record, table, **extra))
            continue
        own = record.__dict__
        row = {**base, **extra}
        for name in fields:
            if name not in extra and own[name] is not first[name]:
                row[name] = _value(record, name)
        out.append(row)
    return out


def _value(record: BaseModel, name: str) -> Any:
    """A field's value as its column keeps it: enums as their value, collections as canonical
    JSON."""
    value = getattr(record, name)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list | dict):
        return canonical(record.model_dump(mode="json", include={name})[name])
    return value


@lru_cache(maxsize=256)
def _columns(model: type[BaseModel], table: sa.Table) -> tuple[tuple[str, bool, bool], ...]:
    """Each column of ``table``: its name, whether it is a field of ``model``, and whether it
    may be left out (nullable, defaulted or generated).  Worked out once per model and table:
    a notice's nine deliveries each asked it again."""
    fields = model.model_fields
    return tuple(
        (
            column.name,
            column.name in fields,
            bool(
                column.nullable or column.server_default is not None or column.autoincrement is True
            ),
        )
        for column in table.columns
    )


def upsert(connection: Connection, table: sa.Table, key: str, values: dict[str, Any]) -> None:
    """Make ``values`` the row of ``table`` whose ``id`` is ``key`` (a projection holds each
    record's latest version)."""
    values = {k: v for k, v in values.items() if k != "id"}
    updated = connection.execute(
        sa.update(table).where(table.c.id == sa.bindparam("_key")), {"_key": key, **values}
    )
    if updated.rowcount == 0:
        connection.execute(sa.insert(table), {"id": key, **values})
