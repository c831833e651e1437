"""A head's signed bytes are RFC 8785 canonical JSON, written out by hand for speed: the
general serializer is the reference."""

from __future__ import annotations

from datetime import UTC, datetime

import rfc8785
from hypothesis import given
from hypothesis import strategies as st

from deconfliction.engine.ledger.entries import format_time
from deconfliction.engine.ledger.heads import LOG_NAME, signing_payload

_TIMES = st.datetimes(  # Hypothesis takes naive bounds, and makes the times aware
    min_value=datetime(1970, 1, 1),  # noqa: DTZ001
    max_value=datetime(9999, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)


@given(
    size=st.integers(min_value=0, max_value=2**53 - 1),  # the canon's integers
    root=st.binary(min_size=32, max_size=32),
    timestamp=_TIMES,
    key_id=st.one_of(
        st.text(alphabet="0123456789abcdef", min_size=32, max_size=32),
        st.text(alphabet=st.characters(max_codepoint=127)),  # escapes, quotes, controls
        st.text(alphabet=st.characters(blacklist_categories=["Cs"])),  # beyond ASCII
    ),
)
def test_signing_payload_is_the_canonical_json_of_the_head(size, root, timestamp, key_id):
    expected = rfc8785.dumps(
        {
            "key_id": key_id,
            "log": LOG_NAME,
            "root_hash": root.hex(),
            "timestamp": format_time(timestamp),
            "tree_size": size,
        }
    )
    assert signing_payload(size, root, timestamp, key_id) == expected
