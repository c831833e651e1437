"""Two parties with declared aircraft, and an SBS feed of those aircraft converging: the live
tracks' end-to-end world, shared by the tracks tests and the incident tests that link them."""

from __future__ import annotations

from deconfliction.engine.model import Agreement, Party
from deconfliction.engine.tracks.formats.sbs import sbs_line
from tests.support.server import Api

__all__ = ["KT", "declared_world", "sbs_lines"]

KT = 400.0


def _party(ident: str) -> Party:
    return Party.model_validate(
        {"id": ident, "name": ident.upper(), "kind": "armed_force",
         "duty_contacts": [{"name": f"{ident} duty"}]}
    )  # fmt: skip


def declared_world(api: Api) -> Api:
    """Parties a, b (agreement ab) and c; a declares 100001 (AAA1), b 200002 (BBB*)."""
    api.record(
        [
            _party("a"),
            _party("b"),
            _party("c"),
            Agreement.model_validate({"id": "ab", "name": "A and B", "parties": ["a", "b"]}),
        ]
    )
    for party, address, sign in (("a", "100001", "AAA1"), ("b", "200002", "BBB*")):
        answer = api.as_(party).post(
            "/v1/tracks/aircraft", json={"addresses": [address], "callsigns": [sign]}
        )
        assert answer.status_code == 201, answer.text
    return api


def sbs_lines(api: Api, b_track: float, dt: float = 0.0) -> bytes:
    """A at 35.0E flying east, B at 35.4E on ``b_track``; both at 33N, 30000 ft, 400 kt."""
    t = api.clock.now().timestamp() + dt
    rows = []
    for address, lon, track, sign in (
        (0x100001, 35.0, 90.0, "AAA1"),
        (0x200002, 35.4, b_track, "BBB7"),
    ):
        rows += [
            sbs_line(address, t, transmission=1, callsign=sign),
            sbs_line(address, t, altitude_ft=30000, lat=33.0, lon=lon),
            sbs_line(address, t, transmission=4, speed_kt=KT, track=track, rate_fpm=0),
        ]
    return ("\n".join(rows) + "\n").encode()
