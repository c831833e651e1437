"""Canonical JSON: the fast path writes exactly what RFC 8785 (the ``rfc8785`` package) writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from deconfliction.engine.hotline import Delivery, DeliveryStatus, ItemType, delivery_id
from deconfliction.engine.ledger.entries import entry_bytes
from deconfliction.store.codec import canonical, record_bodies, record_body
from tests.support.factory import notice_delivery

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.integers(min_value=-(10**6), max_value=10**6).map(float)
    | st.floats(min_value=-1e17, max_value=1e17)
    | st.floats(min_value=-1e-3, max_value=1e-3)
    | st.sampled_from(
        [0.0, -0.0, 600.0, 1e16, 2.0**53, 1e20, 1e21, 1e-7, 1e-4, 0.1, 1.5e300, 35.77, 5e-324]
    )
    | st.text()
)
_values = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=40,
)


@settings(max_examples=2000)
@given(_values)
def test_the_fast_path_writes_what_rfc8785_writes(value: object) -> None:
    assert canonical(value) == rfc8785.dumps(value).decode("utf-8")


@pytest.mark.parametrize(
    "value",
    [2**53, -(2**53), float("nan"), float("inf"), {"x": "\ud800"}, {1: "not a string key"}],
)
def test_what_rfc8785_refuses_is_refused(value: object) -> None:
    with pytest.raises(rfc8785.CanonicalizationError):
        rfc8785.dumps(value)
    with pytest.raises(rfc8785.CanonicalizationError):
        canonical(value)


def test_keys_sort_by_utf16_code_units() -> None:
    # U+FF5E sorts after U+1F600 in UTF-16 (a surrogate pair starts with 0xD83D), not before.
    value = {"\uff5e": 1, "\U0001f600": 2, "a": 3}
    assert canonical(value) == rfc8785.dumps(value).decode("utf-8")
    assert canonical(value).index("\U0001f600") < canonical(value).index("\uff5e")


@settings(max_examples=300)
@given(st.text(), st.text(alphabet=st.characters(max_codepoint=127)))
def test_entry_strings_are_what_rfc8785_writes(subject: str, ascii_subject: str) -> None:
    """An entry's strings (time, subject, type) take a fast path for ASCII text: the bytes are
    RFC 8785's either way."""
    when = datetime(2026, 1, 1, tzinfo=UTC)
    for text in (subject, ascii_subject, '\x7f\x1f"\\'):
        try:
            expected = rfc8785.dumps(text).decode("utf-8")
        except rfc8785.CanonicalizationError:
            continue  # a lone surrogate: refused by rfc8785 either way
        entry = entry_bytes(0, when, "t", text, "{}").decode("utf-8")
        assert f'"subject":{expected},' in entry


_ids = st.text(min_size=1, max_size=12)


@settings(max_examples=300)
@given(
    recipients=st.lists(_ids, min_size=1, max_size=6, unique=True),
    sender=st.none() | _ids,
    note=st.text(max_size=8),
    deadline=st.none() | st.integers(min_value=1, max_value=10**6),
    monitors=st.lists(_ids, max_size=3),
    undelivered=st.integers(min_value=-1, max_value=5),
)
def test_bodies_of_alike_records_are_each_ones_own_body(
    recipients, sender, note, deadline, monitors, undelivered
) -> None:
    """``record_bodies`` writes one text for records that differ in strings only; each body is
    still exactly the record's own (strings with quotes, backslashes, control and non-ASCII
    characters; records that differ in other fields too)."""
    now = datetime(2026, 12, 7, 12, 0, 0, 123456, tzinfo=UTC)
    due = None if deadline is None else now + timedelta(seconds=deadline)
    records = [
        Delivery(
            id=delivery_id(ItemType.notice, "n-1", recipient),
            item_type=ItemType.notice,
            item_id="n-1",
            recipient=recipient,
            sender=sender,
            status=DeliveryStatus.undelivered if n == undelivered else DeliveryStatus.delivered,
            delivered_at=now,
            deadline_at=due,
            step_s=None if deadline is None else deadline / 7,
            monitors=tuple(monitors),
            next_at=due,
            note=note,
        )
        for n, recipient in enumerate(recipients)
    ]
    assert record_bodies(records) == [record_body(r) for r in records]


@settings(max_examples=40, deadline=None)
@given(
    recipients=st.lists(_ids, min_size=2, max_size=6, unique=True),
    note=st.text(max_size=8),
    changed=st.sampled_from(["note", "sender", "item_id", None]),
)
def test_bodies_of_copies_of_one_record(recipients, note, changed) -> None:
    """Copies of one record share the objects of the fields they did not change, which
    ``record_bodies`` tells alike without comparing them: each body is still the record's own,
    whichever fields the copies changed."""
    now = datetime(2026, 12, 7, 12, 0, 0, 123456, tzinfo=UTC)
    first = notice_delivery(recipients[0], now, note=note)
    records = [first] + [
        first.model_copy(
            update={
                "id": delivery_id(ItemType.notice, "n-1", r),
                "recipient": r,
                **({changed: f"{changed}-{r}"} if changed else {}),
            }
        )
        for r in recipients[1:]
    ]
    assert record_bodies(records) == [record_body(r) for r in records]
