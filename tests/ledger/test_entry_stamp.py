"""An entry's time, type and subject read from its tail (what every write's receipt shows)
are those the whole entry, read by the standard JSON reader, holds."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from deconfliction.engine.ledger.entries import entry_bytes, entry_stamp
from deconfliction.engine.ledger.receipts import RECEIPT_FORMAT, Receipt
from deconfliction.engine.times import format_time

_KEY = ',"recorded_at":"'
"""The text that marks the entry's own fields, put where it must not be mistaken for them."""

texts = st.one_of(
    st.text(max_size=20),
    st.sampled_from([_KEY, '"}', "\\", '","subject":"x', "é\u2028", "recorded_at"]),
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | texts,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.one_of(texts, st.just("recorded_at")), inner, max_size=3)
    ),
    max_leaves=8,
)
EARLY = datetime(1900, 1, 1)  # noqa: DTZ001  (Hypothesis bounds are naive)
LATE = datetime(2999, 12, 31, 23, 59, 59, 999999)  # noqa: DTZ001
instants = st.datetimes(min_value=EARLY, max_value=LATE, timezones=st.just(UTC))


def _read_whole(entry: bytes) -> tuple[str, str, str]:
    """The reference: the standard reader over the whole entry, the time written again."""
    raw = json.loads(entry)
    recorded = datetime.strptime(raw["recorded_at"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    return format_time(recorded), raw["type"], raw["subject"]


@given(
    index=st.integers(0, 2**40),
    at=instants,
    type=texts,
    subject=texts,
    event=st.dictionaries(st.one_of(texts, st.just("recorded_at")), json_values, max_size=4),
)
def test_the_stamp_is_the_whole_entrys(
    index: int, at: datetime, type: str, subject: str, event: dict[str, Any]
):
    entry = entry_bytes(index, at, type, subject, rfc8785.dumps(event).decode())
    assert entry_stamp(entry) == _read_whole(entry) == (format_time(at), type, subject)


@pytest.mark.parametrize(
    ("stored", "refused"),
    [
        ("2026-11-24T10:00:00.000000Z", None),
        ("2026-11-24T10:00:00Z", "does not match format"),
        ("2026-13-24T10:00:00.000000Z", r"month must be in 1\.\.12|does not match format"),
    ],
)
def test_a_time_stored_in_another_form_reads_as_the_whole_entry_reads(
    stored: str, refused: str | None
):
    """A time altered in the store is read (or refused) as reading the whole entry would."""
    entry = entry_bytes(3, stored, "notice.filed", "n-1", '{"recorded_at":"x"}')
    if refused is None:
        assert entry_stamp(entry) == _read_whole(entry)
        return
    with pytest.raises(ValueError, match=refused):
        _read_whole(entry)
    with pytest.raises(ValueError, match=refused):
        entry_stamp(entry)


def test_an_entry_not_written_here_is_read_whole():
    entry = b'{"index":1,"subject":"s","type":"t","recorded_at":"2026-11-24T10:00:00.000000Z","event":{}}'
    assert entry_stamp(entry) == ("2026-11-24T10:00:00.000000Z", "t", "s")


def test_a_receipt_shows_its_entrys_stamp():
    at = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    entry = entry_bytes(5, at, "delivery.created", 'd-"1', '{"recorded_at":"1999"}')
    head = Receipt.from_dict(
        {
            "format": RECEIPT_FORMAT,
            "index": 5,
            "leaf_hash": "00",
            "entry": entry.decode(),
            "tree_head": {
                "tree_size": 6,
                "root_hash": "00",
                "timestamp": "2026-11-24T10:00:01.000000Z",
                "key_id": "k",
                "signature": "",
            },
            "inclusion_proof": [],
        }
    )
    shown = head.to_dict()
    assert (shown["recorded_at"], shown["type"], shown["subject"]) == _read_whole(entry)
