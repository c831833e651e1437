"""The demo's generated air picture: circuits flown as a real aircraft would (no jumps, the
track the direction of motion), lines every parser reads, and the staging that
``deconflict serve --demo`` does on a fresh Golan record."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st
from pyproj import Geod

from deconfliction.engine.tracks.formats.sbs import SbsParser
from deconfliction.service.clock import FixedClock
from deconfliction.service.coordinator import Coordinator
from deconfliction.service.demo_tracks import AIRCRAFT, REPLAY_S, Circuit, prepare, replay_lines
from deconfliction.service.documents import demo_path, load_scenario_file
from deconfliction.service.loading import load_scenario
from deconfliction.service.settings import Settings
from deconfliction.service.track_readers import parse_sources
from deconfliction.service.tracks import TrackService
from deconfliction.service.writer import Writer

GEOD = Geod(ellps="WGS84")
KT = 1852 / 3600


@given(
    st.sampled_from([p.circuit for p in AIRCRAFT]),
    st.floats(0, REPLAY_S, allow_nan=False),
)
def test_each_circuit_moves_at_its_speed_along_its_track(circuit: Circuit, t: float) -> None:
    lon0, lat0, track0 = circuit.at(t)
    lon1, lat1, _ = circuit.at(t + 1.0)
    azimuth, _, metres = GEOD.inv(lon0, lat0, lon1, lat1)
    speed = circuit.speed_kt * KT
    # One second flown: its speed (a chord of a turn a little shorter), within what the
    # generator's flat frame and its rounding to 1e-5 degrees (about a metre) allow.
    assert speed * 0.99 - 1.5 <= metres <= speed * 1.001 + 1.5
    # The reported track is the direction it moves (within the turn of one second).
    turn = math.degrees(speed / circuit.radius_m) if circuit.radius_m else 0.0
    assert abs((azimuth - track0 + 180) % 360 - 180) <= turn + 0.5


def test_the_receiver_lines_parse_without_a_rejection() -> None:
    parser = SbsParser("demo")
    text = "\n".join(replay_lines(1_800_000_000.0, 120.0)) + "\n"
    result = parser.feed(text.encode())
    assert not result.rejected
    assert {r.key for r in result.reports} == {f"icao:{p.address.lower()}" for p in AIRCRAFT}


def test_prepare_stages_declarations_notices_and_a_source_the_server_reads(
    tmp_path: Path,
) -> None:
    start = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)
    with Coordinator.open(str(tmp_path / "demo.sqlite3"), clock=FixedClock(start)) as coordinator:
        load_scenario(coordinator, load_scenario_file(demo_path()))
        before = set(coordinator.situation().notices)
        settings, start_tracks = prepare(coordinator, Settings(), tmp_path)
        (spec,) = parse_sources(settings.tracks_sources)
        assert (spec.party, spec.format) == ("undof", "sbs")
        later = FixedClock(start)
        coordinator.clock = later
        later.advance(30)  # the server took 30 s to start: the replay is stamped when it does
        writer = Writer(coordinator)
        start_tracks(writer).cancel()  # the late notice's timer: not in this test
        first = Path(spec.source).read_text(encoding="ascii").splitlines()[0]
        assert first.split(",")[6:8] == ["2026/12/07", "04:00:30.000"]  # the server's clock
        filed = [
            coordinator.situation().notices[n]
            for n in set(coordinator.situation().notices) - before
        ]
        assert sorted(n.author for n in filed) == ["idf", "rus"]
        assert all(n.volumes[0].window.start == start for n in filed)
        # A server started on this record attributes the aircraft as declared.
        tracks = TrackService(Writer(coordinator), settings, coordinator.clock)
        tracks.writer.start()
        try:
            tracks.start()
            for plane in AIRCRAFT:
                key = f"icao:{plane.address.lower()}"
                assert tracks.attribution.of(key, plane.callsign).party == plane.party
        finally:
            tracks.writer.stop()
