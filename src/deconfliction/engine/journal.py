"""An undo log for the in-memory situation.

A write transaction records several items, and each must be assessed against the ones before
it (two notices filed in one batch still conflict), so the situation moves as each item is
recorded, before the transaction commits.  Every change is journaled with its inverse; when a
command or the whole transaction fails, the journal puts the situation back exactly as it was,
without rebuilding it from the log.

Examples
--------
>>> state = {"a": 1}
>>> journal = Journal()
>>> journal.set(state, "a", 2)
>>> journal.set(state, "b", 3)
>>> mark = journal.mark()
>>> journal.set(state, "a", 4)
>>> journal.rollback(mark)
>>> state
{'a': 2, 'b': 3}
>>> journal.rollback()
>>> state
{'a': 1}
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from typing import Any, Final, TypeVar

__all__ = ["Journal", "NoJournal", "or_no_journal"]

K = TypeVar("K")
V = TypeVar("V")

_MISSING: Final = object()


class Journal:
    """Inverse operations, newest last; :meth:`rollback` runs them newest first."""

    __slots__ = ("_undo",)

    def __init__(self) -> None:
        self._undo: list[Callable[[], None]] = []

    def __len__(self) -> int:
        return len(self._undo)

    def mark(self) -> int:
        """A point to roll back to."""
        return len(self._undo)

    def on_undo(self, undo: Callable[[], None]) -> None:
        """Remember how to undo a change just made."""
        self._undo.append(undo)

    def set(self, mapping: MutableMapping[K, V], key: K, value: V) -> None:
        """``mapping[key] = value``, journaled."""
        old: Any = mapping.get(key, _MISSING)
        mapping[key] = value
        self._undo.append(lambda: _restore(mapping, key, old))

    def pop(self, mapping: MutableMapping[K, V], key: K) -> None:
        """``mapping.pop(key, None)``, journaled."""
        old: Any = mapping.get(key, _MISSING)
        mapping.pop(key, None)
        self._undo.append(lambda: _restore(mapping, key, old))

    def rollback(self, mark: int = 0) -> None:
        """Undo every change made since ``mark`` (everything by default)."""
        while len(self._undo) > mark:
            self._undo.pop()()

    def forget(self) -> None:
        """The changes are final (the transaction committed)."""
        self._undo.clear()


def _restore(mapping: MutableMapping[K, V], key: K, old: Any) -> None:
    if old is _MISSING:
        mapping.pop(key, None)
    else:
        mapping[key] = old


class NoJournal(Journal):
    """Changes that need no undo (replaying the trusted log, tools without a store)."""

    __slots__ = ()

    def on_undo(self, undo: Callable[[], None]) -> None:
        pass

    def set(self, mapping: MutableMapping[K, V], key: K, value: V) -> None:
        mapping[key] = value

    def pop(self, mapping: MutableMapping[K, V], key: K) -> None:
        mapping.pop(key, None)


def or_no_journal(journal: Journal | None) -> Journal:
    """``journal`` itself, or a :class:`NoJournal` where none was given.  Tested against None,
    not for truth: an empty journal has length 0, and ``journal or NoJournal()`` dropped it, so
    the first change made under a fresh journal was never undone."""
    return NoJournal() if journal is None else journal
