"""The SBS parser's memos (keys of hex idents, starts of minutes, quantities by their text)
change nothing: a stream read by one parser, its memos warm, gives the reports and the
rejections (with their reasons, in their order) that a fresh parser gives for each line."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deconfliction.engine.tracks.formats.sbs import SbsParser, sbs_line

T0 = 1796580000.0

numbers = st.one_of(
    st.none(),
    st.sampled_from([0.0, -1.0, 250.0, 37000.0, 90.0, 359.9, 1e309]),
    st.floats(-400, 50000, allow_nan=False).map(lambda v: round(v, 1)),
)


@st.composite
def lines(draw: st.DrawFn) -> str:
    line = sbs_line(
        draw(st.sampled_from([0x4CA123, 0x4CA124, 0x000001])),
        T0 + draw(st.sampled_from([0.0, 0.25, 59.999, 60.0, 3600.5, 86400.0])),
        transmission=draw(st.sampled_from([1, 3, 4])),
        callsign=draw(st.sampled_from(["", "RFR123 ", "IAF1"])),
        altitude_ft=draw(numbers),
        speed_kt=draw(numbers),
        track=draw(numbers),
        lat=draw(st.one_of(st.none(), st.floats(-95, 95).map(lambda v: round(v, 4)))),
        lon=draw(st.one_of(st.none(), st.floats(-185, 185).map(lambda v: round(v, 4)))),
        rate_fpm=draw(numbers),
    )
    fields = line.split(",")
    for _ in range(draw(st.integers(0, 2))):  # corrupt a field or two
        i = draw(st.integers(0, len(fields) - 1))
        fields[i] = draw(st.sampled_from(["", "x", "~4ca12", "~4CA12Z", "25:00:00.000",
                                          "12:61:00.000", "12:00:61.5", "12:00", "nan", "-5",
                                          "2026/13/01", "1e999", fields[i]]))  # fmt: skip
    return ",".join(fields)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(lines(), min_size=1, max_size=30), st.sampled_from([0.0, 7200.0, -1800.5]))
def test_warm_memos_read_as_a_fresh_parser_does(stream: list[str], offset: float) -> None:
    warm = SbsParser("r", utc_offset_s=offset).feed(("\n".join(stream) + "\n").encode())
    reports, rejected, ignored = [], [], 0
    for n, line in enumerate(stream, start=1):
        cold = SbsParser("r", utc_offset_s=offset)
        cold.line_no = n - 1  # the same line numbers
        one = cold.feed(line.encode() + b"\n")
        reports += one.reports
        rejected += one.rejected
        ignored += one.ignored
    assert warm.reports == reports
    assert warm.rejected == rejected
    assert warm.ignored == ignored
