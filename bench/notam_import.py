"""NOTAM import rate: the codec alone, and the whole import into a store, against a peer parser
in the same run.

    python bench/notam_import.py [--count 2000] [--seed 7] [--corpus DIR]

Generates ``--count`` NOTAMs in the ICAO format over the Tel Aviv FIR (a third polygons, a third
circles, a third corridors in item E; a third with a D) schedule; limits in ft AMSL, m AGL or
flight levels), then measures:

1. the codec (``parse_batch`` + ``notice_parts``): NOTAMs per second, wall and CPU;
2. the peer, ``aviconv-notam`` (PyPI, MIT; ``pip install aviconv-notam``), parsing the same
   texts (parse only: it builds no 4D volumes), when installed;
3. the import into a fresh SQLite store (``import_notams``, one transaction: parse, map, record
   each notice with its conflict check, ledger entries, NOTAM rows).

With ``--corpus DIR`` (a fetched copy of PyNotam's tests/test_data, GPL, never vendored), it
also reports how many of the corpus's NOTAMs each parser reads.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

from deconfliction.engine.notam import notice_parts, parse_batch
from deconfliction.service.coordinator import Coordinator
from deconfliction.service.documents import load_scenario_file
from deconfliction.service.loading import load_scenario
from deconfliction.service.notams import import_notams

WORLD = Path(__file__).resolve().parents[1] / "scripts" / "interuss" / "world.yaml"


def _dms(value: float, width: int, hemis: str) -> str:
    s = round(abs(value) * 3600)
    d, rest = divmod(s, 3600)
    m, sec = divmod(rest, 60)
    return f"{d:0{width}d}{m:02d}{sec:02d}{hemis[0] if value >= 0 else hemis[1]}"


def _pos(lat: float, lon: float) -> str:
    return f"{_dms(lat, 2, 'NS')} {_dms(lon, 3, 'EW')}"


def generate(count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        lat, lon = rng.uniform(29.6, 33.2), rng.uniform(34.3, 35.8)
        kind = i % 3
        d = rng.uniform(0.01, 0.05)
        if kind == 0:
            ring = [(lat, lon), (lat, lon + d), (lat - d, lon + d), (lat - d, lon), (lat, lon)]
            e = "AREA BOUNDED BY " + " - ".join(_pos(a, b) for a, b in ring)
        elif kind == 1:
            e = f"CIRCLE RADIUS {rng.randint(1, 5)}KM CENTRED ON {_pos(lat, lon)}"
        else:
            e = f"CORRIDOR 500M EITHER SIDE OF LINE {_pos(lat, lon)} - {_pos(lat + d, lon + d)}"
        day = rng.randint(1, 27)
        schedule = (
            f"D) DAILY {rng.randint(5, 9):02d}00-{rng.randint(12, 18)}00\n" if i % 3 == 0 else ""
        )
        limits = rng.choice(
            ["F) SFC G) 5000FT AMSL", "F) 30M AGL G) 150M AGL", "F) FL050 G) FL150"]
        )
        out.append(
            f"(A{i % 10000:04d}/{27 + i // 10000} NOTAMN\n"
            f"Q) LLLL/QRTCA/IV/BO/W/000/150/{int(lat):02d}{int(lat % 1 * 60):02d}N"
            f"{int(lon):03d}{int(lon % 1 * 60):02d}E005\n"
            f"A) LLLL B) 2612{day:02d}0000 C) 2612{day + 1:02d}2359\n{schedule}E) {e}\n{limits})"
        )
    return out


def measure(label: str, work, count: int) -> None:
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(
        f"| {label} | {count:,} | {wall:.2f} | {cpu:.2f} | {count / wall:,.0f} | {count / cpu:,.0f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--corpus", type=Path)
    args = parser.parse_args()
    texts = generate(args.count, args.seed)
    batch = "\n".join(texts)
    print("| what | NOTAMs | wall s | CPU s | per s (wall) | per s (CPU) |")
    print("|---|---|---|---|---|---|")

    def codec() -> None:
        notams, problems = parse_batch(batch)
        assert not problems, problems[:3]
        for n in notams:
            assert n is not None
            _, found = notice_parts(n)
            assert not found, found

    measure("codec: parse only", lambda: parse_batch(batch), len(texts))
    measure("codec: parse + 4D volumes", codec, len(texts))
    try:
        from aviconv_notam import parser as peer
    except ImportError:
        print("| aviconv-notam: not installed (pip install aviconv-notam) | | | | | |")
    else:
        measure(
            "aviconv-notam 0.3: parse only",
            lambda: [peer.parse(t[1:-1]) for t in texts],
            len(texts),
        )

    with (
        tempfile.TemporaryDirectory() as scratch,
        Coordinator.open(str(Path(scratch) / "bench.sqlite3")) as coordinator,
    ):
        load_scenario(coordinator, load_scenario_file(WORLD))
        report = {}

        def store() -> None:
            report["r"] = coordinator.run(lambda tx: import_notams(tx, "caa", batch))

        measure("import into SQLite (one transaction)", store, len(texts))
        assert report["r"].counts()["recorded"] == len(texts)

    if args.corpus:
        files = sorted(args.corpus.glob("*.txt"))
        ours = 0
        for path in files:
            _notams, problems = parse_batch(path.read_text(encoding="utf-8", errors="replace"))
            ours += not problems
        print(f"\ncorpus {args.corpus}: {len(files)} files; ours read {ours}")
        try:
            from aviconv_notam import parser as peer
        except ImportError:
            return
        theirs = 0
        for path in files:
            text = path.read_text(encoding="utf-8", errors="replace").strip()
            try:
                peer.parse(text[1:-1] if text.startswith("(") else text)
                theirs += 1
            except Exception:
                pass
        print(f"aviconv-notam read {theirs}")


if __name__ == "__main__":
    main()
