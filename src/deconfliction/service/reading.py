"""Reading the record: off the writer, as of the last commit, and every read recorded.

A read runs in a read transaction of its own (:meth:`Coordinator.reading`), on the caller's
thread: the store is a consistent snapshot of the record as of the last commit, and the writer
is never asked to read.  What the read showed the caller of another party's items, and which
of its own deliveries it opened, is then recorded through the writer (a read is an event of the
record), before the answer goes out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol, TypeVar

from sqlalchemy.engine import Connection

from deconfliction.service.auth import Principal
from deconfliction.service.coordinator import Coordinator, Tx
from deconfliction.service.hotline import ItemRead, record_reads
from deconfliction.store.items import ItemCache

__all__ = ["Reader", "Run", "read"]

T = TypeVar("T")


class Run(Protocol):
    """Runs a command on the writer and waits for its commit (``Writer.execute``)."""

    def __call__(self, command: Callable[[Tx], T], /) -> T: ...


class Reader:
    """One read of the record as ``party`` may see it (``None``: whoever runs the server, who
    sees everything).  Use cases call :meth:`show` for each item they put in front of the
    caller; the reads of a ``principal`` are recorded (the operator's, looking through the
    command line, are not)."""

    def __init__(
        self,
        connection: Connection,
        cache: ItemCache,
        now: datetime,
        party: str | None = None,
        principal: Principal | None = None,
    ) -> None:
        self.connection = connection
        self.cache = cache
        self.now = now
        self.principal = principal
        self.party = principal.party if principal is not None else party
        self.shown: list[ItemRead] = []

    def show(self, item_type: str, item_id: str, owner: str | None, *, opened: bool = True) -> None:
        """Note that the caller was shown an item (recorded when the read ends); ``opened``
        False: shown among many, its delivery stays unread."""
        if self.principal is not None:
            self.shown.append(ItemRead(item_type, item_id, owner, opened))


def read(
    coordinator: Coordinator,
    principal: Principal | None,
    query: Callable[[Reader], T],
    run: Run | None = None,
    *,
    party: str | None = None,
) -> T:
    """Run ``query`` in a read transaction, then record what it showed ``principal`` (through
    ``run``, the writer; in a transaction of its own when none is given).  Without a
    principal, the record is read as ``party`` may see it (everything for ``None``), and
    nothing is recorded."""
    with coordinator.reading() as connection:
        reader = Reader(connection, coordinator.cache, coordinator.clock.now(), party, principal)
        found = query(reader)
    if reader.shown and principal is not None:
        shown = reader.shown

        def record(tx: Tx) -> None:
            record_reads(tx, principal, shown)

        (run or coordinator.run)(record)
    return found
