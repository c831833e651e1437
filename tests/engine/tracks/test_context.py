"""The air notices a round reads, kept between rounds (:class:`AirNoticeKeeper`), equal the
ones built from scratch over the situation's current versions after every filing: new notices
of air and other kinds, replacements (of another kind too), cancellations, and a filing undone
(a series leaving the book)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deconfliction.engine.errors import DeconflictionError
from deconfliction.engine.situation import Situation
from deconfliction.engine.tracks.context import AirNoticeKeeper, AirNotices
from tests.support import factory

KINDS = ["air_operation", "air_operation", "exercise", "ground_movement"]

operations = st.lists(
    st.tuples(
        st.sampled_from(["new", "new", "new", "replace", "replace", "replace", "cancel", "undo"]),
        st.integers(0, 30),
        st.sampled_from(KINDS),
        st.sampled_from(["a", "b", "c"]),
    ),
    min_size=1,
    max_size=16,
)


def _scratch(situation: Situation) -> AirNotices:
    return AirNotices.of(situation.notices.current_versions())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(operations, st.integers(1, 4))
def test_kept_air_notices_equal_the_ones_built_from_scratch(ops, every) -> None:
    situation = Situation()
    for p in ("a", "b", "c"):
        situation.file(factory.party(p))
    keeper = AirNoticeKeeper()
    book = situation.notices
    for step, (action, pick, kind, author) in enumerate(ops):
        series = list(book.current)
        live = [s for s in series if book.current[s] is not None]
        ident = f"n-{step}"
        try:
            if action == "new" or not live:
                situation.file(factory.notice(ident, author, kind=kind))
            elif action == "undo":  # a series leaves the book, as a rolled-back filing does
                del book.current[series[pick % len(series)]]
            else:
                target = book[book.current[live[pick % len(live)]]]  # type: ignore[index]
                situation.file(factory.notice(
                    ident, target.author, kind=kind if action == "replace" else target.kind.value,
                    action=action, replaces=target.id,
                ))  # fmt: skip
        except DeconflictionError:
            continue  # refused: nothing changed
        if step % every == 0:  # the keeper is asked every round, not after every filing
            kept = keeper.update(book.current, book, book.kind_of)
            assert kept.same_as(_scratch(situation))
    assert keeper.update(book.current, book, book.kind_of).same_as(_scratch(situation))


def test_an_unchanged_book_gives_the_same_value() -> None:
    situation = Situation()
    situation.file(factory.party("a"))
    situation.file(factory.notice("n-1", "a"))
    keeper = AirNoticeKeeper()
    first = keeper.update(situation.notices.current, situation.notices)
    assert [n.id for n in first.notices] == ["n-1"]
    assert keeper.update(situation.notices.current, situation.notices) is first
