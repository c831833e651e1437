"""The broadcaster hands the hub this process's commits only when they follow its cursor
without a gap; anything another process wrote in between is read from the log."""

from __future__ import annotations

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
