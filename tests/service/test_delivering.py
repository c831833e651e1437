"""Delivering many items at once: one statement per table, the same records as one by one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from deconfliction.engine.hotline import Delivery, DeliveryStatus, ItemType, delivery_id
from deconfliction.engine.model import Agreement
from deconfliction.service import hotline
from deconfliction.service.auth import Principal, Role
from deconfliction.service.clock import FixedClock
from deconfliction.service.coordinator import Coordinator
from deconfliction.service.filing import file
from deconfliction.service.hotline import deliver
from deconfliction.store import deliveries as store
from deconfliction.store.codec import payload, record_body
from deconfliction.store.feeds import feed_since
from deconfliction.store.schema import deliveries, events
from tests.support.factory import notice, party

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture
def coordinator(store_url):
    with Coordinator.open(store_url, clock=FixedClock(NOW)) as c:
        yield c


def _delivery(recipient: str, item: str = "n-1") -> Delivery:
    return Delivery(
        id=delivery_id(ItemType.notice, item, recipient),
        item_type=ItemType.notice,
        item_id=item,
        recipient=recipient,
        sender="author",
        status=DeliveryStatus.delivered,
        delivered_at=NOW,
        deadline_at=NOW,
        step_s=300.0,
        monitors=("m",),
        next_at=NOW,
    )


def test_many_deliveries_are_recorded_as_one_by_one_would(coordinator):
    planned = [_delivery(f"p{i:03d}") for i in range(120)]
    first = coordinator.run(lambda tx: deliver(tx, planned[:20]))
    # Again, with the first twenty already made and one planned twice: each is made once.
    second = coordinator.run(lambda tx: deliver(tx, [*planned, planned[50]]))
    assert first == planned[:20]
    assert second == planned[20:]

    with coordinator.db.reading() as connection:
        rows = connection.execute(
            sa.select(events.c.seq, events.c.type, events.c.subject, events.c.body).order_by(
                events.c.seq
            )
        ).all()
        assert [r.subject for r in rows] == [d.id for d in planned]
        assert {r.type for r in rows} == {"delivery.created"}
        seqs = [r.seq for r in rows]
        assert seqs == sorted(set(seqs))
        for d, row in zip(planned, rows, strict=True):
            # The event is exactly what appending it alone writes (the ledger hashes it).
            assert row.body == payload(delivery=record_body(d))
            assert [e.seq for e in feed_since(connection, d.recipient, 0)] == [row.seq]
            assert store.delivery(connection, d.id) == d
        stored = connection.execute(sa.select(deliveries.c.id, deliveries.c.seq)).all()
    assert dict(stored) == {d.id: r.seq for d, r in zip(planned, rows, strict=True)}


def test_delivering_nothing_writes_nothing(coordinator):
    assert coordinator.run(lambda tx: deliver(tx, [])) == []
    with coordinator.db.reading() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(events)).scalar() == 0


def test_a_store_with_deliveries_of_both_forms_lists_and_acknowledges_both(coordinator):
    """A notice filed now is delivered with ids that begin with its time; a delivery made
    before, in the form without time, stays where it was: the inbox lists both and each can be
    acknowledged."""

    def setup(tx):
        for p in ("a", "b"):
            file(tx, party(p))
        file(tx, Agreement.model_validate({"id": "g", "name": "g", "parties": ["a", "b"]}))
        deliver(tx, [_delivery("b", item="n-old")])  # as a store made before holds it

    coordinator.run(setup)
    old_id = delivery_id(ItemType.notice, "n-old", "b")
    filed = coordinator.run(lambda tx: file(tx, notice("n-new", "a")))
    (new,) = filed.deliveries
    assert new.recipient == "b"
    assert new.id == delivery_id(ItemType.notice, "n-new", "b", NOW) != old_id
    assert new.id.startswith(f"dv-{int(NOW.timestamp()) * 1000:011x}")
    assert len(old_id) == 23  # the old form: dv- and 20 digits
    with coordinator.db.reading() as connection:
        assert {d.id for d in store.inbox(connection, "b")} == {old_id, new.id}
    b = Principal(party="b", role=Role.duty_officer)
    for ident in (old_id, new.id):
        done = coordinator.run(lambda tx, ident=ident: hotline.acknowledge_delivery(tx, b, ident))
        assert done.id == ident
        assert done.status is DeliveryStatus.acknowledged
