"""Red lines over the wire: a party's admin declares, changes or ends its own; each is seen by
its declarer and the audience it chose, nobody else.

A red line binds nobody, so it takes nobody's consent and is in force at once.  It is watched
on observations only (see :mod:`deconfliction.engine.detection.red_lines`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from deconfliction.engine.errors import Forbidden, NotFound
from deconfliction.engine.items import kind_named
from deconfliction.engine.model.red_lines import RedLine, RedLineTerms
from deconfliction.service.alerts import Outcome, outcome
from deconfliction.service.auth import Principal
from deconfliction.service.coordinator import Tx
from deconfliction.service.filing import file_as
from deconfliction.service.permissions import Action, require
from deconfliction.service.reading import Reader
from deconfliction.store import items as item_store
from deconfliction.store.schema import red_lines as table

__all__ = [
    "RedLineFiling",
    "change_red_line",
    "declare_red_line",
    "list_red_lines",
    "read_red_line",
]

RED_LINE = kind_named("red_line")


@dataclass(frozen=True, slots=True)
class RedLineFiling:
    red_line: RedLine
    outcome: Outcome


def _file(tx: Tx, principal: Principal, red_line_id: str, terms: RedLineTerms) -> RedLineFiling:
    red_line = RedLine(
        id=red_line_id, declared_by=principal.party, declared_at=tx.now, **dict(terms)
    )
    filed = file_as(tx, principal, red_line)
    return RedLineFiling(red_line, outcome(tx, principal, filed))


def declare_red_line(tx: Tx, principal: Principal, terms: RedLineTerms) -> RedLineFiling:
    """The caller's party declares a red line (the server names it ``rl-...``), in force at
    once and watched from now on."""
    require(principal, Action.declare_red_line)
    return _file(tx, principal, f"rl-{secrets.token_hex(8)}", terms)


def change_red_line(
    tx: Tx, principal: Principal, red_line_id: str, terms: RedLineTerms
) -> RedLineFiling:
    """New terms for one's own red line (``ended: true`` withdraws it)."""
    require(principal, Action.declare_red_line)
    found = tx.situation.red_lines.get(red_line_id)
    if found is None or principal.party not in found.audience:
        raise NotFound("red line", red_line_id)
    if found.red_line.declared_by != principal.party:
        raise Forbidden(
            f"red line '{red_line_id}' is {found.red_line.declared_by}'s: only its declarer "
            "may change it"
        )
    return _file(tx, principal, red_line_id, terms)


def read_red_line(reader: Reader, red_line_id: str) -> RedLine:
    found = item_store.load_one(
        reader.connection, reader.cache, RED_LINE, reader.party, red_line_id
    )
    if found is None:
        raise NotFound("red line", red_line_id)
    red_line: RedLine = found.item
    reader.show("red_line", red_line.id, red_line.declared_by)
    return red_line


def list_red_lines(reader: Reader) -> list[RedLine]:
    """The red lines the caller may see: its own and those declared to it."""
    query = item_store.select_items(RED_LINE, reader.party).order_by(
        table.c.declared_at, table.c.id
    )
    found = [s.item for s in item_store.load(reader.connection, reader.cache, RED_LINE, query)]
    for r in found:
        reader.show("red_line", r.id, r.declared_by)
    return found
