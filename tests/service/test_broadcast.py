"""The broadcaster hands the hub this process's commits only when they follow its cursor
without a gap; anything another process wrote in between is read from the log."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime

from deconfliction.service.broadcast import Broadcaster
from deconfliction.service.coordinator import Commit
from deconfliction.store.events import StoredEvent

AT = datetime(2026, 11, 24, 10, tzinfo=UTC)


def _commit(after: int, *seqs: int) -> Commit:
    events = tuple(StoredEvent(s, AT, "notice.filed", f"n-{s}", "{}") for s in seqs)
    return Commit(after, events, tuple(("idf",) for _ in seqs))


def test_local_commits_that_follow_the_cursor_are_handed_out_in_order():
    hub = Broadcaster()
    hub.publish(_commit(10, 11, 12))
    hub.publish(_commit(12, 13))
    chain = hub.commits_after(10)
    assert chain is not None
    assert [s for c in chain for s in c.seqs] == [11, 12, 13]
    assert hub.commits_after(13) == []  # nothing newer


def test_a_commit_of_another_process_in_between_sends_the_hub_to_the_log():
    hub = Broadcaster()
    hub.publish(_commit(10, 11))
    hub.notify(14)  # another node committed 12..14
    hub.publish(_commit(14, 15))  # began after it: its "after" is 14
    chain = hub.commits_after(10)
    assert chain is not None
    assert [c.seqs for c in chain] == [[11]]  # up to the gap
    assert hub.commits_after(11) is None  # 12..14 are only in the log
    assert [c.seqs for c in hub.commits_after(14) or []] == [[15]]  # after reading them


def test_sequence_numbers_lost_to_a_rollback_are_no_gap():
    """PostgreSQL's sequence skips numbers a rolled-back transaction took: what matters is
    that nothing was committed between the cursor and the commit."""
    hub = Broadcaster()
    hub.publish(_commit(10, 13, 14))  # 11 and 12 were rolled back
    chain = hub.commits_after(10)
    assert chain is not None
    assert [s for c in chain for s in c.seqs] == [13, 14]


def test_nothing_published_and_nothing_known_newer():
    hub = Broadcaster()
    assert hub.commits_after(0) == []
    hub.notify(5)
    assert hub.commits_after(0) is None


def test_a_wait_is_woken_by_a_commit_on_another_thread_and_times_out_without_one():
    broadcaster = Broadcaster()

    async def scenario() -> list[bool]:
        outcomes = [await broadcaster.wait(0.05)]  # nothing published: the time runs out
        waiting = asyncio.ensure_future(broadcaster.wait(30.0))
        await asyncio.sleep(0.01)
        writer = threading.Thread(target=broadcaster.publish, args=(_commit(0, 1),))
        writer.start()
        outcomes.append(await asyncio.wait_for(waiting, 10.0))
        writer.join()
        outcomes.append(await broadcaster.wait(30.0, after=0))  # published already: at once
        outcomes.append(await broadcaster.wait(0.01, after=1))  # nothing after 1
        return outcomes

    assert asyncio.run(scenario()) == [False, True, True, False]
    assert not broadcaster._waiters  # every wait left, none is woken again


def test_a_cancelled_wait_leaves_no_waiter_behind():
    broadcaster = Broadcaster()

    async def scenario() -> None:
        waiting = asyncio.ensure_future(broadcaster.wait(30.0))
        await asyncio.sleep(0.01)
        waiting.cancel()
        await asyncio.gather(waiting, return_exceptions=True)
        broadcaster.publish(_commit(0, 1))  # wakes nobody, and does not fail
        await asyncio.sleep(0.01)

    asyncio.run(scenario())
    assert not broadcaster._waiters
