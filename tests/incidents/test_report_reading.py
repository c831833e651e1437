"""The report's fast paths give what the plain ones give: its JSON text as ``json.dumps``
writes it, a day's times compared as written as when read, entries read a batch at a time as
one by one, equal lists of indexes as equal element by element."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deconfliction.engine.differences import first_difference
from deconfliction.engine.ledger.entries import entry_bytes, parse_entries, parse_entry
from deconfliction.engine.reports.reading import Day
from deconfliction.engine.times import format_time
from deconfliction.service.reports.jsontext import dumps_indented

_json: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.lists(st.integers(), max_size=8)
        | st.dictionaries(st.text(max_size=6), inner, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=300)
@given(_json)
def test_the_report_text_is_json_dumps_text(value: Any) -> None:
    assert dumps_indented(value) == json.dumps(value, indent=1, ensure_ascii=False, sort_keys=True)


def test_the_report_text_refuses_what_json_cannot_write() -> None:
    with pytest.raises(TypeError):
        dumps_indented({"a": {1, 2}})


_START = datetime(2026, 11, 24, tzinfo=UTC)
_DAY = Day(_START, _START + timedelta(days=1))


@given(st.integers(-2 * 86_400_000_000, 3 * 86_400_000_000), st.integers(-14 * 60, 14 * 60))
def test_a_time_is_in_the_day_as_written_as_when_read(micros: int, offset_min: int) -> None:
    instant = _START + timedelta(microseconds=micros)
    inside = _DAY.start <= instant < _DAY.end
    assert _DAY.holds(format_time(instant)) is inside  # the written form: compared as text
    shifted = instant.astimezone(timezone(timedelta(minutes=offset_min)))
    assert _DAY.holds(shifted.isoformat()) is inside  # any other form: read


def test_the_edges_of_a_day() -> None:
    assert _DAY.holds("2026-11-24T00:00:00.000000Z")
    assert not _DAY.holds("2026-11-25T00:00:00.000000Z")
    assert not _DAY.holds("2026-11-23T23:59:59.999999Z")
    assert not _DAY.holds(None)


def _entries(times: list[str]) -> list[bytes]:
    return [
        entry_bytes(i, t, "notice.filed", f"n-{i}", json.dumps({"item": {"n": i}}))
        for i, t in enumerate(times)
    ]


@given(st.lists(st.integers(0, 10**15), max_size=20))
def test_entries_read_a_batch_at_a_time_as_one_by_one(micros: list[int]) -> None:
    data = _entries([format_time(_START + timedelta(microseconds=m)) for m in micros])
    assert parse_entries(data) == [parse_entry(d) for d in data]


def test_an_entry_time_in_another_form_is_refused_either_way() -> None:
    (data,) = _entries(["2026-11-24T10:00:00Z"])
    with pytest.raises(ValueError, match="does not match format"):
        parse_entry(data)
    with pytest.raises(ValueError, match="does not match format"):
        parse_entries([data])


def test_equal_lists_of_indexes_and_a_boolean_among_them() -> None:
    assert first_difference({"e": [1, 2, 3]}, {"e": [1, 2, 3]}, "r") is None
    assert first_difference({"e": [1, True]}, {"e": [1, 1]}, "r") == (
        "r.e[1]: the document says True; the record gives 1"
    )
