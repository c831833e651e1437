"""The current air notices a round of live tracks reads, kept between rounds.

A round checks conformance against every current notice of kind ``air_operation`` or
``exercise``, grouped by author, and looks up notices by id.  Walking every current notice of
the situation for that, twice a second, cost as much as the round's own work at 20,000 notices,
and it ran in the writer.  :class:`AirNoticeKeeper` keeps the answer and changes it only where
the notice book's current versions changed: a new series is appended, a replaced version takes
its series' place, a cancelled one leaves; anything else (a series that becomes an air notice
in its place, a series gone from the book) rebuilds from scratch.  Each change gives a new
immutable :class:`AirNotices` (the round's thread reads it while the writer may make the next).

The answer equals :meth:`AirNotices.of` over the book's current versions, in the same order
(``tests/engine/tracks/test_context.py``, under Hypothesis).

Examples
--------
>>> from types import SimpleNamespace as N  # a notice's id, author and kind are all it reads
>>> notices = {"n1": N(id="n1", author="a", kind=NoticeKind.air_operation),
...            "n2": N(id="n2", author="a", kind=NoticeKind.ground_movement)}
>>> keeper = AirNoticeKeeper()
>>> [x.id for x in keeper.update({"n1": "n1", "n2": "n2"}, notices).notices]
['n1']
>>> notices["n1b"] = N(id="n1b", author="a", kind=NoticeKind.exercise)  # n1 replaced
>>> air = keeper.update({"n1": "n1b", "n2": "n2"}, notices)
>>> [x.id for x in air.notices], [x.id for x in air.by_author["a"]]
(['n1b'], ['n1b'])
>>> keeper.update({"n1": "n1b", "n2": "n2"}, notices) is air
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from deconfliction.engine.model import Notice, NoticeKind

__all__ = ["AIR_KINDS", "AirNoticeKeeper", "AirNotices"]

AIR_KINDS = frozenset({NoticeKind.air_operation, NoticeKind.exercise})
"""The notices aircraft are checked against, and that may leave aircraft too little time."""


@dataclass(frozen=True, eq=False)
class AirNotices:
    """The current air notices in the book's order, by id, and by author (each author's in
    the same order)."""

    notices: tuple[Notice, ...]
    by_id: Mapping[str, Notice]
    by_author: Mapping[str, tuple[Notice, ...]]

    @classmethod
    def of(cls, current: Iterable[Notice]) -> AirNotices:
        """From scratch, over the current versions in the book's order."""
        air = tuple(n for n in current if n.kind in AIR_KINDS)
        by_author: dict[str, list[Notice]] = {}
        for n in air:
            by_author.setdefault(n.author, []).append(n)
        return cls(air, {n.id: n for n in air}, {a: tuple(v) for a, v in by_author.items()})

    def same_as(self, other: AirNotices) -> bool:
        """The same notices, in the same order, everywhere (the equivalence the tests check)."""
        return (
            self.notices == other.notices
            and dict(self.by_id) == dict(other.by_id)
            and dict(self.by_author) == dict(other.by_author)
        )


_GONE = object()


class AirNoticeKeeper:
    """Keeps :class:`AirNotices` for a notice book's ``current`` (series to current version
    id, None once cancelled) and ``notices`` (version id to notice), changed only where
    ``current`` changed.  ``kind_of`` (version id to kind, by default read from ``notices``)
    lets a book that rebuilds its notices when read (``situation/notices.py``) rebuild only
    the air notices.  Used by one thread at a time (the writer)."""

    def __init__(self) -> None:
        self._current: dict[str, str | None] = {}
        self._series: dict[str, Notice] = {}
        """The air series, in the book's order: series to its current version."""
        self._authors: dict[str, dict[str, Notice]] = {}
        self.value = AirNotices((), {}, {})
        self.entered: tuple[Notice, ...] = ()
        """The air notice versions that entered at the last update (every one on a rebuild)."""

    def update(
        self,
        current: Mapping[str, str | None],
        notices: Mapping[str, Notice],
        kind_of: Callable[[str], NoticeKind] | None = None,
    ) -> AirNotices:
        if kind_of is None:

            def kind_of(version: str) -> NoticeKind:
                return notices[version].kind

        if current == self._current:  # one comparison in C: nothing changed, the same value
            self.entered = ()
            return self.value
        old = self._current
        changed = [(s, v) for s, v in current.items() if old.get(s, _GONE) != v]
        appended = sum(1 for s, _ in changed if s not in old)
        if len(old) + appended != len(current):  # a series left the book (a rollback)
            return self._rebuild(current, notices, kind_of)
        by_id = dict(self.value.by_id)
        touched: set[str] = set()
        entered: list[Notice] = []
        for s, v in changed:
            was = self._series.get(s)
            now = notices[v] if v is not None and kind_of(v) in AIR_KINDS else None
            if was is None and now is not None and s in old:
                return self._rebuild(current, notices, kind_of)  # it would take a place mid-order
            if was is not None:
                del by_id[was.id]
                touched.add(was.author)
                if now is None or now.author != was.author:
                    del self._series[s]
                    del self._authors[was.author][s]
            if now is not None:
                if now.author != (was.author if was is not None else None) and was is not None:
                    # another author takes its place
                    return self._rebuild(current, notices, kind_of)
                self._series[s] = now
                self._authors.setdefault(now.author, {})[s] = now
                by_id[now.id] = now
                touched.add(now.author)
                entered.append(now)
        self._current = dict(current)
        by_author = dict(self.value.by_author)
        for a in touched:
            mine = self._authors.get(a)
            if mine:
                by_author[a] = tuple(mine.values())
            else:
                by_author.pop(a, None)
                self._authors.pop(a, None)
        self.value = AirNotices(tuple(self._series.values()), by_id, by_author)
        self.entered = tuple(entered)
        return self.value

    def _rebuild(
        self,
        current: Mapping[str, str | None],
        notices: Mapping[str, Notice],
        kind_of: Callable[[str], NoticeKind],
    ) -> AirNotices:
        self._current = dict(current)
        self._series = {
            s: notices[v] for s, v in current.items() if v is not None and kind_of(v) in AIR_KINDS
        }
        self._authors = {}
        for s, n in self._series.items():
            self._authors.setdefault(n.author, {})[s] = n
        self.value = AirNotices.of(self._series.values())
        self.entered = self.value.notices
        return self.value
