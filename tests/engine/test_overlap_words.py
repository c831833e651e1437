"""The overlap finding's words: the fast forms say exactly what the general ones say."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from deconfliction.engine.detection.overlap_words import iso_time
from deconfliction.engine.times import format_time

# Hypothesis takes naive bounds and attaches the zone itself.
EARLY = datetime(1900, 1, 1)  # noqa: DTZ001
LATE = datetime(2999, 12, 31)  # noqa: DTZ001


@given(
    st.datetimes(min_value=EARLY, max_value=LATE),
    st.sampled_from(
        [UTC, timezone(timedelta(hours=3)), timezone(timedelta(hours=-5, minutes=-30))]
    ),
)
def test_iso_time_is_format_time(t: datetime, zone: timezone) -> None:
    at = t.replace(tzinfo=zone)
    assert iso_time(at) == format_time(at)
