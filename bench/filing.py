"""Benchmark: filing one notice against N active notices.

Issue 2, item 9: "Filing one notice against N active notices (N = 10k, 100k, 1M, spread over a
1000 km x 1000 km region and 7 days, 5-50 km across, 15 min-6 h long): median and p99 of the
conflict check.  Goal: p99 under 2 ms at 1M."

What is generated (deterministic for a given ``--seed``):

* six parties (four armed forces, a humanitarian organisation and a monitor), all bound by one
  agreement with the default margins (3 NM laterally, 500 ft vertically, none in time), under
  which every party notifies every other;
* N active notices of one volume each, centred uniformly over a 1000 km x 1000 km region
  around 34N 38E, starting uniformly over 7 days, 15 min to 6 h long, 5 to 50 km across: a
  third geodesic circles, a third corridors (a 2-4 point route 5-50 km long, 0.5-3 km half
  width), a third star-shaped polygons of 4-9 vertices; random altitude bands (from the
  surface or from an altitude, in feet AMSL or flight levels, 1,000 to 15,000 ft thick).

Building a million validated pydantic models takes minutes and is not what is measured, so the
N background notices are built as *trusted* data with pydantic's ``model_construct`` (no
validation); the first 500 are also validated with ``model_validate`` to check that the
generator only makes valid notices.  They are recorded with ``Situation.restore`` (the path a
store takes to reload its log: recorded and indexed, not assessed).  The probe notices are
fully validated, as a filed notice would be.

What is measured is the production conflict check, ``Situation.notice_conflicts``: the index
query (``NoticeBook.candidate_rows``: the candidates' volumes as columns, straight from the
index), the bulk screen and exact detection (``detection/screen.py``: time and altitude tests
over the columns, geodesic separations, the worst pair per candidate), answered as columns
(``detection/conflicts.py``), plus the site, late-notice and zone checks, which this scenario
leaves empty.  The check *with words* adds every conflict's finding, explanation and all (what
``Situation.notice_findings`` does, and what filing the notice does: each conflict becomes an
alert), so that nobody reads the first figure as the cost of filing.  ``time.perf_counter``
around each call, for ``--probes`` probe notices per N, after a warm-up; ``time.thread_time``
too, to tell the check's own CPU time from time lost to other processes on a shared machine.
The index query alone, as ``NoticeBook.candidate_rows`` (the candidates' columns, no notice
rebuilt), is timed too, and so is the overlap check alone (rows and screen).  The reference
the screen is checked against lives in the tests (``tests/engine/overlap_reference.py``);
before/after figures come from running this script on both commits (on a commit without
``notice_conflicts``, the check is ``notice_findings``, words included).  ``--dump PREFIX``
writes every probe's findings to ``PREFIX-N.txt``: run it on both commits and compare the
files, byte for byte.

The peer (``bench/strtree_peer.py``, left out with ``--no-strtree``): a plain shapely STRtree
over the same N notices, built from the same generated specs (not from the project's models),
answers the same probes; its load time, memory, time per probe, and its conflict pairs against
the engine's (found by both, by one only, each difference printed with the peer's measures).
The second peer (``bench/postgis_peer.py``, left out with ``--no-postgis``): the same notices in
a PostGIS table with a GiST index on ``geography``, one ``ST_DWithin`` query per probe, on
the throw-away server of ``scripts/postgres`` (the benchmark must run under it, as the tests
do); its CPU is the server backend's, its memory the table's size with its indexes.

Usage::

    bash scripts/postgres python bench/filing.py [--sizes 10000,100000,1000000] [--probes 2000]
        [--seed 7] [--no-strtree] [--no-postgis] [--region-km 1000] [--dump PREFIX]

Cyclic garbage collection: after loading, the bench calls ``gc.freeze()`` so that the million
long-lived models are not traversed by every full collection during the measurement (what a
long-running service holding them should do too); ``--no-freeze`` measures without it.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import platform
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from deconfliction.engine.detection import screen
from deconfliction.engine.detection.findings import AlertKind
from deconfliction.engine.model import (
    Agreement,
    AltitudeBand,
    CircleOutline,
    CorridorOutline,
    Margins,
    Notice,
    NoticeAction,
    NoticeKind,
    Party,
    PolygonOutline,
    Position,
    TimeWindow,
    Volume,
)
from deconfliction.engine.situation import Situation
from deconfliction.engine.units import Altitude, AltitudeReference, AltitudeUnit, Length, LengthUnit
from postgis_peer import PostgisPeer, postgis_url  # beside this script, on sys.path
from strtree_peer import StrtreePeer

screen_overlaps = screen.screen_overlaps
overlap_conflicts = getattr(screen, "overlap_conflicts", None)

T0 = datetime(2026, 11, 24, tzinfo=UTC)
WEEK_S = 7 * 86400.0
REGION_KM = 1000.0
LAT0, LON0 = 34.0, 38.0
KM_PER_DEG_LAT = 110.95
PARTIES = ("army-a", "army-b", "army-c", "army-d", "relief", "monitor")
KINDS = (
    NoticeKind.air_operation,
    NoticeKind.ground_movement,
    NoticeKind.exercise,
    NoticeKind.humanitarian_movement,
)


def _rss_mb() -> tuple[float, float]:
    """Resident and peak resident memory of this process, in MiB (Linux)."""
    now = peak = 0.0
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    now = int(line.split()[1]) / 1024
                elif line.startswith("VmHWM:"):
                    peak = int(line.split()[1]) / 1024
    except OSError:
        pass
    return now, peak


def _offset(lat: float, lon: float, east_km: float, north_km: float) -> tuple[float, float]:
    """A point some kilometres east and north of another (a local approximation is enough to
    *generate* shapes; every measurement uses the engine's exact geometry)."""
    lat2 = lat + north_km / KM_PER_DEG_LAT
    lon2 = lon + east_km / (111.32 * math.cos(math.radians(lat)))
    return lat2, lon2


class Generator:
    """Deterministic random notices (plain data: lists of points and numbers).

    Every random number is drawn up front, in arrays, so that a million specs take seconds.
    """

    MAX_VERTICES = 9

    def __init__(self, seed: int, n: int, prefix: str) -> None:
        rng = np.random.default_rng(seed)
        self.prefix = prefix
        half = REGION_KM / 2
        self.x = rng.uniform(-half, half, n).tolist()
        self.y = rng.uniform(-half, half, n).tolist()
        self.across = rng.uniform(5.0, 50.0, n).tolist()
        duration = rng.uniform(15 * 60, 6 * 3600, n)
        start = rng.uniform(0.0, 1.0, n) * (WEEK_S - duration)
        self.start = np.round(start).tolist()
        self.end = np.round(start + duration).tolist()
        self.shape = rng.integers(3, size=n).tolist()
        self.author = rng.integers(len(PARTIES), size=n).tolist()
        self.kind = rng.integers(len(KINDS), size=n).tolist()
        self.legs = rng.integers(1, 4, size=n).tolist()
        self.heading = rng.uniform(0, 2 * math.pi, n).tolist()
        self.turns = rng.uniform(-0.6, 0.6, (n, 3)).tolist()
        self.half_width = rng.uniform(0.5, 3.0, n).tolist()
        self.count = rng.integers(4, self.MAX_VERTICES + 1, size=n).tolist()
        self.jitter = rng.uniform(0.0, 0.8, (n, self.MAX_VERTICES)).tolist()
        self.radii = rng.uniform(0.5, 1.0, (n, self.MAX_VERTICES)).tolist()
        thickness = rng.uniform(1_000, 15_000, n)
        lower = np.round(rng.uniform(500, 30_000, n), -2)
        self.surface = (rng.random(n) < 0.2).tolist()
        self.flight_levels = (rng.random(n) < 0.5).tolist()
        self.lower = lower.tolist()
        self.upper = np.round(lower + thickness, -2).tolist()
        self.thickness = np.round(thickness, -2).tolist()

    def spec(self, i: int) -> dict[str, Any]:
        lat, lon = _offset(LAT0, LON0, self.x[i], self.y[i])
        across = self.across[i]
        out: dict[str, Any] = {
            "id": f"{self.prefix}-{i}",
            "author": PARTIES[self.author[i]],
            "kind": KINDS[self.kind[i]],
            "start": self.start[i],
            "end": self.end[i],
            "altitude": self._altitude(i),
        }
        shape = self.shape[i]
        if shape == 0:
            out["outline"] = ("circle", (lon, lat), across / 2)
        elif shape == 1:
            legs = self.legs[i]
            heading = self.heading[i]
            leg = across / legs
            la, lo = _offset(
                lat, lon, -math.sin(heading) * across / 2, -math.cos(heading) * across / 2
            )
            route = [(lo, la)]
            for turn in self.turns[i][:legs]:
                heading += turn
                la, lo = _offset(la, lo, math.sin(heading) * leg, math.cos(heading) * leg)
                route.append((lo, la))
            out["outline"] = ("corridor", route, self.half_width[i])
        else:
            count = self.count[i]
            ring = []
            for k in range(count):
                a = (k + self.jitter[i][k]) * (2 * math.pi / count)
                r = self.radii[i][k] * across / 2
                la, lo = _offset(lat, lon, math.sin(a) * r, math.cos(a) * r)
                ring.append((lo, la))
            out["outline"] = ("polygon", ring, 0.0)
        return out

    def _altitude(self, i: int) -> tuple[tuple[float, str], tuple[float, str]]:
        """(lower, upper), each (value, 'SFC' | 'ft' | 'FL'): 1,000 to 15,000 ft thick."""
        if self.surface[i]:
            return (0.0, "SFC"), (self.thickness[i], "ft")
        lower, upper = self.lower[i], self.upper[i]
        if self.flight_levels[i]:
            return (lower / 100, "FL"), (upper / 100, "FL")
        return (lower, "ft"), (upper, "ft")


def _altitude(value: float, unit: str) -> Altitude:
    if unit == "SFC":
        return Altitude.surface()
    if unit == "FL":
        return Altitude(value, AltitudeUnit.FL, AltitudeReference.STD)
    return Altitude(value, AltitudeUnit.ft, AltitudeReference.AMSL)


def _time(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def construct(spec: dict[str, Any]) -> Notice:
    """A notice from trusted generated data, without validation (``model_construct``)."""
    kind, points, size = spec["outline"]
    outline: CircleOutline | CorridorOutline | PolygonOutline
    if kind == "circle":
        outline = CircleOutline.model_construct(
            type="circle", center=Position(*points), radius=Length(round(size, 3), LengthUnit.km)
        )
    elif kind == "corridor":
        outline = CorridorOutline.model_construct(
            type="corridor",
            route=[Position(*p) for p in points],
            half_width=Length(round(size, 3), LengthUnit.km),
        )
    else:
        outline = PolygonOutline.model_construct(
            type="polygon", vertices=[Position(*p) for p in points]
        )
    (lo_v, lo_u), (hi_v, hi_u) = spec["altitude"]
    volume = Volume.model_construct(
        label="",
        outline=outline,
        altitude=AltitudeBand.model_construct(
            lower=_altitude(lo_v, lo_u), upper=_altitude(hi_v, hi_u)
        ),
        window=TimeWindow.model_construct(start=_time(spec["start"]), end=_time(spec["end"])),
    )
    return Notice.model_construct(
        id=spec["id"],
        author=spec["author"],
        kind=spec["kind"],
        action=NoticeAction.new,
        replaces=None,
        filed_at=_time(spec["start"] - 86400.0),
        title="",
        volumes=[volume],
    )


def document(spec: dict[str, Any]) -> dict[str, Any]:
    """The same notice as a plain document, for full validation."""
    kind, points, size = spec["outline"]
    if kind == "circle":
        outline: dict[str, Any] = {
            "type": "circle",
            "center": list(points),
            "radius": f"{round(size, 3)} km",
        }
    elif kind == "corridor":
        outline = {
            "type": "corridor",
            "route": [list(p) for p in points],
            "half_width": f"{round(size, 3)} km",
        }
    else:
        outline = {"type": "polygon", "vertices": [list(p) for p in points]}

    def alt(value: float, unit: str) -> str:
        if unit == "SFC":
            return "SFC"
        if unit == "FL":
            return f"FL{round(value):03d}"
        return f"{value:g} ft AMSL"

    (lo_v, lo_u), (hi_v, hi_u) = spec["altitude"]
    return {
        "id": spec["id"],
        "author": spec["author"],
        "kind": spec["kind"].value,
        "filed_at": _time(spec["start"] - 86400.0).isoformat(),
        "volumes": [
            {
                "outline": outline,
                "altitude": {"lower": alt(lo_v, lo_u), "upper": alt(hi_v, hi_u)},
                "window": {
                    "start": _time(spec["start"]).isoformat(),
                    "end": _time(spec["end"]).isoformat(),
                },
            }
        ],
    }


def build(n: int, seed: int) -> tuple[Situation, float]:
    """A situation holding ``n`` active notices; returns it and the seconds taken."""
    started = time.perf_counter()
    situation = Situation()
    for pid in PARTIES:
        kind = (
            "monitor" if pid == "monitor" else "humanitarian" if pid == "relief" else "armed_force"
        )
        situation.file(Party(id=pid, name=pid.replace("-", " ").title(), kind=kind))
    situation.file(
        Agreement(
            id="regional",
            name="Regional deconfliction agreement",
            parties=list(PARTIES),
            margins=Margins(lateral=Length.parse("3 NM"), vertical=Length.parse("500 ft")),
        )
    )
    gen = Generator(seed, n, "bg")
    # Loading makes millions of long-lived objects and no garbage cycles: with the cyclic
    # collector on, each full collection walks every object loaded so far, and the load grows
    # quadratically (a million notices took 29 min instead of a few).  A service reloading
    # its log would do the same (collect once at the end, then gc.freeze()).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for i in range(n):
            spec = gen.spec(i)
            notice = construct(spec)
            if i < 500:
                checked = Notice.model_validate(document(spec))
                if checked != notice:
                    raise AssertionError(f"generated notice {i} differs once validated")
            situation.restore(notice)
            if (i + 1) % 100_000 == 0:
                print(f"  ... {i + 1:,} notices loaded", file=sys.stderr, flush=True)
    finally:
        if collecting:
            gc.enable()
    return situation, time.perf_counter() - started


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def run(
    n: int, probes: int, seed: int, freeze: bool, peers: list[str], dump: str | None = None
) -> dict[str, float]:
    gc.collect()
    rss_before, _ = _rss_mb()
    load_cpu = time.process_time()
    situation, build_s = build(n, seed)
    load_cpu = time.process_time() - load_cpu
    gc.collect()
    rss_after, peak = _rss_mb()
    if freeze:
        gc.freeze()
    warmup = 100
    gen = Generator(seed + 1_000_003, probes + warmup, "probe")
    docs = [document(gen.spec(i)) for i in range(probes + warmup)]
    probe_notices = [Notice.model_validate(d) for d in docs]
    for notice in probe_notices[:warmup]:
        situation.notice_findings(notice, notice.id)
    query_ms: list[float] = []
    check_ms: list[float] = []
    check_cpu_ms: list[float] = []
    words_cpu_ms: list[float] = []
    candidates = 0
    findings = 0
    perf = time.perf_counter
    cpu = time.thread_time
    engine_sets: list[set[str]] = []
    screen_cpu_ms: list[float] = []
    findings_each: list[int] = []
    # The check answers conflicts as columns (Situation.notice_conflicts); its findings, words
    # and all, are made when asked.  A commit before it (a "before" run with PYTHONPATH set to
    # it) has only notice_findings: then the check is that, words included.
    columns = getattr(situation, "notice_conflicts", None)
    dumped = [] if dump is not None else None
    for notice in probe_notices[warmup:]:
        t = perf()
        # The index and its columns only: candidate_series would rebuild every candidate
        # notice from its bytes, which no check does (and its garbage would land in the
        # check's timing as collections).
        found = situation.notices.candidate_rows(notice, notice.id, situation.roster)
        query_ms.append((perf() - t) * 1e3)
        c = cpu()
        t = perf()
        if columns is not None:
            conflicts = columns(notice, notice.id)
            check_ms.append((perf() - t) * 1e3)
            check_cpu_ms.append((cpu() - c) * 1e3)
            result = conflicts.findings()
        else:
            result = situation.notice_findings(notice, notice.id)
            check_ms.append((perf() - t) * 1e3)
            check_cpu_ms.append((cpu() - c) * 1e3)
        words_cpu_ms.append((cpu() - c) * 1e3)
        if dumped is not None:
            dumped.extend(repr(f) for f in result)
        candidates += int(found.owner.max()) + 1 if found.owner.size else 0
        findings += len(result)
        findings_each.append(len(result))
        c = cpu()
        rows = situation.notices.candidate_rows(notice, notice.id, situation.roster)
        if columns is not None:
            assert overlap_conflicts is not None
            overlap_conflicts(notice, rows, situation.roster, situation.notices.series_of)
        else:
            screen_overlaps(notice, rows, situation.roster, situation.notices.series_of)
        screen_cpu_ms.append((cpu() - c) * 1e3)
        engine_sets.append(
            {
                subject
                for f in result
                if f.kind is AlertKind.notice_overlap
                for subject in f.subjects
                if subject != notice.id
            }
        )
    if dumped is not None and dump is not None:
        with open(dump, "w", encoding="utf-8") as out:
            out.write("\n".join(dumped) + "\n")
    if freeze:
        gc.unfreeze()
    peer: dict[str, float] = {}
    if peers:
        del situation, probe_notices
        gc.collect()
    for name in peers:
        peer |= run_peer(name, n, seed, gen, (probes, warmup), engine_sets)
    cpu_p99 = percentile(check_cpu_ms, 99)
    return peer | {
        "n": n,
        "build_s": build_s,
        "build_cpu_s": load_cpu,
        "rss_mb": rss_after - rss_before,
        "peak_mb": peak,
        "q_median": statistics.median(query_ms),
        "q_p99": percentile(query_ms, 99),
        "median": statistics.median(check_ms),
        "p95": percentile(check_ms, 95),
        "p99": percentile(check_ms, 99),
        "max": max(check_ms),
        "cpu_median": statistics.median(check_cpu_ms),
        "cpu_p99": cpu_p99,
        "words_cpu_median": statistics.median(words_cpu_ms),
        "words_cpu_p99": percentile(words_cpu_ms, 99),
        "screen_cpu_median": statistics.median(screen_cpu_ms),
        "screen_cpu_p99": percentile(screen_cpu_ms, 99),
        "candidates": candidates / probes,
        "findings": findings / probes,
        # What the slowest probes explain: the check's cost grows with its conflicts.
        "tail_findings": statistics.mean(
            f for f, c in zip(findings_each, check_cpu_ms, strict=True) if c >= cpu_p99
        ),
    }


def run_peer(
    name: str,
    n: int,
    seed: int,
    gen: Generator,
    counts: tuple[int, int],
    engine_sets: list[set[str]],
) -> dict[str, float]:
    """One peer (``strtree``: ``bench/strtree_peer.py``; ``postgis``: ``bench/postgis_peer.py``)
    over the same N notices and probes: its memory, its time per probe, and its conflict sets
    against the engine's, pair by pair."""
    probes, warmup = counts
    rss_before, _ = _rss_mb()
    started = time.perf_counter()
    background = Generator(seed, n, "bg")
    specs_in = (background.spec(i) for i in range(n))
    lateral_m, vertical_ft = 3 * 1852.0, 500.0
    peer: StrtreePeer | PostgisPeer
    if name == "postgis":
        url = postgis_url()
        assert url is not None
        peer = PostgisPeer(url, specs_in, lateral_m, vertical_ft)
    else:
        peer = StrtreePeer(specs_in, lateral_m=lateral_m, vertical_ft=vertical_ft)
    del background, specs_in
    build_s = time.perf_counter() - started
    gc.collect()
    rss_after, _ = _rss_mb()
    memory = peer.size_mb() if isinstance(peer, PostgisPeer) else rss_after - rss_before
    specs = [gen.spec(i) for i in range(probes + warmup)]
    for spec in specs[:warmup]:
        peer.conflicts(spec)
    wall: list[float] = []
    cpu_ms: list[float] = []
    only_engine: list[tuple[str, str]] = []
    only_peer: list[tuple[str, str]] = []
    agreed = 0
    server_cpu0 = peer.backend_cpu_s() if isinstance(peer, PostgisPeer) else 0.0
    for spec, engine in zip(specs[warmup:], engine_sets, strict=True):
        c = time.thread_time()
        t = time.perf_counter()
        found = peer.conflicts(spec)
        wall.append((time.perf_counter() - t) * 1e3)
        cpu_ms.append((time.thread_time() - c) * 1e3)
        agreed += len(found & engine)
        only_engine += [(spec["id"], other) for other in sorted(engine - found)]
        only_peer += [(spec["id"], other) for other in sorted(found - engine)]
    if isinstance(peer, PostgisPeer):
        # The work is the server's: its CPU per probe (counted in 10 ms ticks, so averaged).
        server_ms = (peer.backend_cpu_s() - server_cpu0) * 1e3 / max(1, probes)
        cpu_ms = [server_ms + c for c in cpu_ms]
    by_id = {s["id"]: s for s in specs}
    for label, pairs in (("engine only", only_engine), (f"{name} only", only_peer)):
        for probe, other in pairs[:20]:
            print(f"  {label}: {probe} ~ {other}: {peer.explain(by_id[probe], other)}")
    if isinstance(peer, PostgisPeer):
        peer.close()
    return {
        f"{name}_build_s": build_s,
        f"{name}_mb": memory,
        f"{name}_median": statistics.median(wall),
        f"{name}_p99": percentile(wall, 99),
        f"{name}_cpu_median": statistics.median(cpu_ms),
        f"{name}_cpu_p99": percentile(cpu_ms, 99),
        f"{name}_agreed": agreed,
        f"{name}_only_engine": len(only_engine),
        f"{name}_only_peer": len(only_peer),
    }


def main(argv: list[str] | None = None) -> None:
    global REGION_KM  # the generator's region (--region-km)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--probes", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--region-km",
        type=float,
        default=REGION_KM,
        help="side of the square the notices are spread over (316.2 puts 100,000 notices at "
        "the density of a million over 1,000 km)",
    )
    parser.add_argument("--no-freeze", dest="freeze", action="store_false")
    parser.add_argument(
        "--dump",
        metavar="PREFIX",
        help="write every probe's findings (their repr, one a line) to PREFIX-N.txt for each "
        "size N, to compare two commits byte for byte (run both, then cmp the files)",
    )
    parser.add_argument(
        "--no-strtree",
        dest="strtree",
        action="store_false",
        help="leave out the STRtree peer (bench/strtree_peer.py)",
    )
    parser.add_argument(
        "--no-postgis",
        dest="postgis",
        action="store_false",
        help="leave out the PostGIS peer (bench/postgis_peer.py; run under scripts/postgres)",
    )
    args = parser.parse_args(argv)
    peers = ["strtree"] if args.strtree else []
    if args.postgis and postgis_url() is not None:
        peers.append("postgis")
    elif args.postgis:
        print("PostGIS peer left out: run under 'bash scripts/postgres' to include it")
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    REGION_KM = args.region_km
    print(
        f"filing benchmark: python {platform.python_version()}, numpy {np.__version__}, "
        f"{os.cpu_count()} CPUs, seed {args.seed}, {args.probes} probes per size, "
        f"gc.freeze {'on' if args.freeze else 'off'}, region {REGION_KM:g} km"
    )
    header = (
        f"{'N':>9} {'load s':>7} {'MiB':>7} {'query ms':>9} {'q p99':>7} "
        f"{'check ms':>9} {'p95':>7} {'p99':>7} {'max':>7} {'cpu med':>8} {'cpu p99':>8} "
        f"{'cand':>7} {'find':>6}"
    )
    print(header)
    for n in sizes:
        dump = None if args.dump is None else f"{args.dump}-{n}.txt"
        r = run(n, args.probes, args.seed, args.freeze, peers, dump)
        print(
            f"{r['n']:>9,} {r['build_s']:>7.1f} {r['rss_mb']:>7.0f} {r['q_median']:>9.3f} "
            f"{r['q_p99']:>7.3f} {r['median']:>9.3f} {r['p95']:>7.3f} {r['p99']:>7.3f} "
            f"{r['max']:>7.2f} {r['cpu_median']:>8.3f} {r['cpu_p99']:>8.3f} "
            f"{r['candidates']:>7.1f} {r['findings']:>6.2f}",
            flush=True,
        )
        print(
            f"{'':>9} load {r['build_cpu_s']:.1f} s of CPU; "
            f"{r['rss_mb'] * 1024 / r['n']:.2f} KiB per active notice; check with every "
            f"finding's words, cpu median / p99: {r['words_cpu_median']:.3f} / "
            f"{r['words_cpu_p99']:.3f} ms; overlap check "
            f"alone (bulk screen), cpu median / p99: {r['screen_cpu_median']:.3f} / "
            f"{r['screen_cpu_p99']:.3f} ms; findings a probe at or above the p99 of CPU: "
            f"{r['tail_findings']:.1f}",
            flush=True,
        )
        for name in peers:
            print(
                f"{'':>9} {name} peer: load {r[name + '_build_s']:.1f} s, "
                f"{r[name + '_mb']:.0f} MiB, check {r[name + '_median']:.3f} ms median, "
                f"{r[name + '_p99']:.3f} ms p99 (cpu {r[name + '_cpu_median']:.3f} / "
                f"{r[name + '_cpu_p99']:.3f}; ratio of p99 cpu, peer / engine: "
                f"{r[name + '_cpu_p99'] / r['cpu_p99']:.2f}); conflict pairs: "
                f"{r[name + '_agreed']:.0f} found by both, "
                f"{r[name + '_only_engine']:.0f} by the engine only, "
                f"{r[name + '_only_peer']:.0f} by {name} only",
                flush=True,
            )
        gc.collect()
    print(
        "query: NoticeBook.candidate_rows (index and columns only); check: "
        "Situation.notice_conflicts (index + exact detection, conflicts as columns; "
        "Situation.notice_findings on a commit without it), wall time (perf_counter); the "
        "check with words: the same plus every conflict's finding (Situation.notice_findings'"
        " work); cpu: the same checks "
        "in thread CPU time (time.thread_time: unaffected by other processes taking the "
        "core); times in ms per probe notice; MiB: resident memory added by loading the N "
        "notices; cand/find: per probe."
    )


if __name__ == "__main__":
    main()
