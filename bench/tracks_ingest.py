"""Benchmark: ingest rate per source format, one core.

Issue 12, item 9: "ingest rate per source (goal >= 100,000 SBS lines/s per core)".  For each
format, ``--aircraft`` aircraft reporting for ``--seconds`` seconds are written in that format
(by the project's own writers: ``sbs_line``, the libasterix encoder, ``beast_frame``; JSON
documents one per second), then parsed by the format's parser and merged into a
``TrackTable``, single-threaded.  Reported: messages per CPU second (``time.process_time``)
for parsing alone and for parsing plus merging, and the reports produced.

Usage::

    python bench/tracks_ingest.py [--aircraft 2000] [--seconds 30] [--seed 5]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Callable

import numpy as np

from deconfliction.engine.tracks.formats.asterix import encode_cat021, encode_cat062
from deconfliction.engine.tracks.formats.sbs import sbs_line
from deconfliction.engine.tracks.state import TrackTable
from deconfliction.service.tracks import make_parser

T0 = 1796580000.0


def fleet(n: int, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    return {
        "lat": rng.uniform(32.0, 35.0, n),
        "lon": rng.uniform(34.0, 38.0, n),
        "alt": rng.integers(100, 400, n) * 100.0,
        "gs": rng.uniform(200, 480, n).round(1),
        "trk": rng.uniform(0, 360, n).round(1),
    }


def sbs(f: dict[str, np.ndarray], seconds: int) -> tuple[list[bytes], int]:
    lines = []
    for s in range(seconds):
        for i in range(len(f["lat"])):
            t = T0 + s + i * 1e-4
            a = 0x400000 + i
            lines.append(sbs_line(a, t, altitude_ft=f["alt"][i], lat=f["lat"][i], lon=f["lon"][i]))
            lines.append(sbs_line(a, t, transmission=4, speed_kt=f["gs"][i], track=f["trk"][i],
                                  rate_fpm=0))  # fmt: skip
            if s % 10 == 0:
                lines.append(sbs_line(a, t, transmission=1, callsign=f"X{i:05d}"))
    data = ("\n".join(lines) + "\n").encode()
    return [data[i : i + 65536] for i in range(0, len(data), 65536)], len(lines)


def readsb(f: dict[str, np.ndarray], seconds: int) -> tuple[list[bytes], int]:
    docs = []
    for s in range(seconds):
        aircraft = [
            {"hex": f"{0x400000 + i:06x}", "flight": f"X{i:05d}", "alt_baro": f["alt"][i],
             "alt_geom": f["alt"][i] + 500, "gs": f["gs"][i], "track": f["trk"][i],
             "baro_rate": 0, "lat": f["lat"][i], "lon": f["lon"][i], "seen_pos": 0.3,
             "seen": 0.1}
            for i in range(len(f["lat"]))
        ]  # fmt: skip
        docs.append(json.dumps({"now": T0 + s, "messages": 1, "aircraft": aircraft}).encode())
    return docs, seconds * len(f["lat"])


def opensky(f: dict[str, np.ndarray], seconds: int) -> tuple[list[bytes], int]:
    docs = []
    for s in range(seconds):
        states = [
            [f"{0x400000 + i:06x}", f"X{i:05d}", "Nowhere", T0 + s, T0 + s, f["lon"][i],
             f["lat"][i], f["alt"][i] * 0.3048, False, f["gs"][i] * 0.5144, f["trk"][i], 0.0,
             None, f["alt"][i] * 0.3048 + 150, None, False, 0]
            for i in range(len(f["lat"]))
        ]  # fmt: skip
        docs.append(json.dumps({"time": T0 + s, "states": states}).encode())
    return docs, seconds * len(f["lat"])


def asterix(f: dict[str, np.ndarray], seconds: int) -> tuple[list[bytes], int]:
    blocks = []
    n = len(f["lat"])
    for s in range(seconds):
        for i in range(n):
            tod = 3600.0 + s
            if i % 2:
                blocks.append(encode_cat021(0x400000 + i, tod, lat=f["lat"][i], lon=f["lon"][i],
                                            flight_level=f["alt"][i] / 100, speed_kt=f["gs"][i],
                                            track=f["trk"][i], callsign="X"))  # fmt: skip
            else:
                th = np.radians(f["trk"][i])
                v = f["gs"][i] * 0.5144
                blocks.append(encode_cat062(i, tod, lat=f["lat"][i], lon=f["lon"][i],
                                            vx=v * np.sin(th), vy=v * np.cos(th),
                                            flight_level=f["alt"][i] / 100))  # fmt: skip
    data = b"".join(blocks)
    return [data[i : i + 65536] for i in range(0, len(data), 65536)], len(blocks)


def beast(f: dict[str, np.ndarray], seconds: int) -> tuple[list[bytes], int]:
    from deconfliction.engine.tracks.formats.beast import beast_frame

    examples = [
        "8D40621D58C382D690C8AC2863A7",
        "8D40621D58C386435CC412692AD6",
        "8D485020994409940838175B284F",
        "8D4840D6202CC371C32CE0576098",
    ]
    frames = [
        beast_frame(0x33, k * 1200, 0x40, bytes.fromhex(examples[k % 4]))
        for k in range(seconds * len(f["lat"]))
    ]
    data = b"".join(frames)
    return [data[i : i + 65536] for i in range(0, len(data), 65536)], len(frames)


FORMATS: dict[str, tuple[Callable[..., tuple[list[bytes], int]], dict[str, object]]] = {
    "sbs": (sbs, {}),
    "readsb": (readsb, {}),
    "opensky": (opensky, {}),
    "asterix": (asterix, {"day": None}),
    "beast": (beast, {"reference": (52.25, 3.92), "start": T0}),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--aircraft", type=int, default=2000)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--formats", default=",".join(FORMATS))
    args = parser.parse_args()
    print(f"# {platform.machine()}, Python {platform.python_version()}")
    f = fleet(args.aircraft, args.seed)
    for name in args.formats.split(","):
        make, options = FORMATS[name]
        seconds = args.seconds if name not in ("asterix",) else max(1, args.seconds // 10)
        pieces, messages = make(f, seconds)
        received = T0 + seconds
        for merge in (False, True):
            p = make_parser(name, "bench", **options)  # type: ignore[arg-type]
            table = TrackTable()
            reports = 0
            cpu = time.process_time()
            for piece in pieces:
                result = p.feed(piece, received)
                reports += len(result.reports)
                if merge:
                    table.ingest(result.reports)
            cpu = time.process_time() - cpu
            label = "parse+merge" if merge else "parse"
            print(
                f"{name:8} {label:12} {messages:>9,} messages {reports:>9,} reports "
                f"{cpu:7.3f} s CPU  {messages / cpu:>10,.0f} messages/s"
            )


if __name__ == "__main__":
    main()
