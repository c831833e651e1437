"""Projection rows: ``rows_of`` (copies of one record read off once) gives ``row_of``'s rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from deconfliction.engine.hotline import Delivery, DeliveryStatus, ItemType, delivery_id
from deconfliction.store.rows import row_of, rows_of
from deconfliction.store.schema import deliveries
from tests.support.factory import notice_delivery

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@settings(max_examples=40, deadline=None)
@given(
    recipients=st.lists(st.text(min_size=1, max_size=8), min_size=1, max_size=6, unique=True),
    changed=st.lists(
        st.sampled_from(["status", "level", "next_at", "sender", "item_type"]), max_size=2
    ),
    other=st.booleans(),
)
def test_rows_of_copies_are_each_records_own_row(recipients, changed, other) -> None:
    first = notice_delivery(recipients[0], NOW)
    values = {
        "status": DeliveryStatus.read,
        "level": 2,
        "next_at": NOW + timedelta(minutes=30),
        "sender": "someone else",
        "item_type": ItemType.alert,
    }
    records = [first]
    for n, r in enumerate(recipients[1:]):
        update = {"id": delivery_id(ItemType.notice, "n-1", r), "recipient": r}
        if n % 2:
            update |= {name: values[name] for name in changed}
        records.append(first.model_copy(update=update))
    if other:  # a record made on its own, equal fields in other objects
        records.append(Delivery.model_validate_json(first.model_dump_json()))
    extras = [{"body": f"body {n}", "seq": n + 1} for n in range(len(records))]
    assert rows_of(records, deliveries, extras) == [
        row_of(r, deliveries, **e) for r, e in zip(records, extras, strict=True)
    ]
