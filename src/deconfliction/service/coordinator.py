"""The coordinator: the database, the in-memory situation, and atomic recording.

Recording an item is one write transaction: catch the mirror up with events other writers
appended, assess the item against it, append the item and every alert change it causes to the
log, project them, commit.  Only after the commit does the mirror move.  Because the
transaction holds the single writer's place from the catch-up to the commit, no other filing can
slip between the check and the insert, so no conflict is ever lost.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy.engine import Connection

from deconfliction.engine.alerts import AlertChange
from deconfliction.engine.errors import InvalidInput
from deconfliction.engine.model import Limits
from deconfliction.engine.situation import Assessment, Item, Situation
from deconfliction.service.clock import Clock, SystemClock
from deconfliction.store import events as event_log
from deconfliction.store import projections
from deconfliction.store.codec import (
    change_from_json,
    change_to_json,
    item_event_type,
    item_from_json,
    item_kind,
    item_to_json,
)
from deconfliction.store.database import Database

__all__ = ["Coordinator", "Recorded"]


@dataclass(frozen=True, slots=True)
class Recorded:
    """An item as recorded: its assessment and the log sequence of its event (None when it
    was already recorded identically and nothing was written)."""

    assessment: Assessment
    seq: int | None


class Coordinator:
    """Owns a :class:`Database` and the :class:`Situation` mirrored from its log."""

    def __init__(
        self, database: Database, *, limits: Limits | None = None, clock: Clock | None = None
    ) -> None:
        self.db = database
        self.limits = limits or Limits()
        self.clock: Clock = clock or SystemClock()
        self._situation = Situation(self.limits)
        self._seq = 0

    @classmethod
    def open(
        cls, location: str, *, limits: Limits | None = None, clock: Clock | None = None
    ) -> Coordinator:
        """Open (creating and migrating if needed) the database at ``location``."""
        database = Database(location)
        database.migrate()
        return cls(database, limits=limits, clock=clock)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Coordinator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the mirror ---------------------------------------------------------------------------

    def _catch_up(self, connection: Connection) -> None:
        for stored in event_log.since(connection, self._seq):
            payload = stored.payload()
            if "change" in payload:
                self._situation.record_change(change_from_json(payload["change"]))
            else:
                self._situation.restore(item_from_json(payload["kind"], payload["item"]))
            self._seq = stored.seq

    def _reset(self) -> None:
        self._situation = Situation(self.limits)
        self._seq = 0

    def situation(self) -> Situation:
        """The situation as of the latest committed event (read-only: do not mutate)."""
        with self.db.reading() as connection:
            self._catch_up(connection)
        return self._situation

    # -- writing ------------------------------------------------------------------------------

    def _persist(self, connection: Connection, assessment: Assessment) -> int:
        item = assessment.item
        now = self.clock.now()
        seq = event_log.append(
            connection,
            type=item_event_type(item),
            subject=item.id,
            payload={"kind": item_kind(item), "item": item_to_json(item)},
            recorded_at=now,
        )
        projections.write_item(connection, item, seq, assessment.series)
        for change in assessment.changes:
            self._persist_change(connection, change)
        return seq

    def _persist_change(self, connection: Connection, change: AlertChange) -> int:
        seq = event_log.append(
            connection,
            type=f"alert.{change.action.value}",
            subject=change.alert.id,
            payload={"change": change_to_json(change)},
            recorded_at=self.clock.now(),
        )
        projections.write_change(connection, change, seq)
        return seq

    def record(self, item: Item) -> Recorded:
        """Check ``item`` against everything recorded and record it with its alert changes,
        atomically.  Raises :class:`InvalidInput` (nothing stored) when it cannot be recorded."""
        return self.record_many([item])[0]

    def record_many(
        self,
        items: Sequence[Item],
        *,
        locations: Sequence[tuple[str | int, ...]] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> list[Recorded]:
        """Record several items in one transaction: all of them, or none.

        ``locations`` gives each item's place in its document, so that an error names it
        (``notices[3].replaces: ...``).  ``progress`` is called after each item.
        """
        results: list[Recorded] = []
        try:
            with self.db.writing() as connection:
                self._catch_up(connection)
                for i, item in enumerate(items):
                    try:
                        assessment = self._situation.assess(item)
                    except InvalidInput as exc:
                        raise exc.under(*locations[i]) if locations else exc from None
                    seq = None if assessment.duplicate else self._persist(connection, assessment)
                    self._situation.apply(assessment)
                    if seq is not None:
                        self._seq = event_log.last_seq(connection)
                    results.append(Recorded(assessment, seq))
                    if progress is not None:
                        progress(i + 1)
        except BaseException:
            # The transaction rolled back; the mirror may hold uncommitted items.
            self._reset()
            raise
        return results

    def record_all(self, items: Iterable[Item]) -> list[Recorded]:
        return self.record_many(list(items))
