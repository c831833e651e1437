"""The JSON reader's bounds (engine/documents.py): sparing the walk over a small document
never changes what is read or refused."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deconfliction.engine.documents import MAX_DEPTH, check_shape, read_json
from deconfliction.engine.errors import InvalidInput

_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3)
    ),
    max_leaves=20,
)


def _nested(depth: int, leaf: Any) -> Any:
    for i in range(depth):
        leaf = [leaf] if i % 2 else {"k": leaf}
    return leaf


def _outcome(read: Any, text: str) -> Any:
    try:
        return ("read", read(text))
    except InvalidInput as exc:
        return ("refused", str(exc))


def _walked(text: str) -> Any:
    """The reader as it was: the walk always."""
    data = json.loads(text)
    check_shape(data)
    return data


@settings(max_examples=300)
@given(_values, st.integers(min_value=0, max_value=MAX_DEPTH + 3), st.booleans())
def test_the_reader_reads_and_refuses_as_the_walk_does(
    value: Any, depth: int, as_bytes: bool
) -> None:
    text = json.dumps(_nested(depth, value))
    assert _outcome(_walked, text) == _outcome(read_json, text.encode() if as_bytes else text)


def test_nesting_one_level_too_deep_is_refused_however_short() -> None:
    deepest = _nested(MAX_DEPTH, 1)  # containers at depths 0..MAX_DEPTH - 1: allowed
    assert read_json(json.dumps(deepest)) == deepest
    with pytest.raises(InvalidInput, match="nested more than"):
        read_json(json.dumps(_nested(MAX_DEPTH + 1, 1)))
