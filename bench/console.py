"""The console, measured in headless Chromium on loopback (issue 11, item 12).

    python bench/console.py                      # every part
    python bench/console.py --part scrub --volumes 10000 --scrubs 100

Parts:

* ``size``: JS + CSS of the built console, gzipped as served, without the basemap (and the
  basemap files apart).
* ``load``: first load of the Golan demo (``deconflict serve --demo``) by a browser with an
  empty cache and a session: from navigation to the map's first frame of the record
  (``performance.mark("console-ready")``), and the bytes that crossed loopback.
* ``bigload``: the console's first load of a store holding N notices (the scrub store below;
  default 10,000), served by this checkout and, with ``--baseline``, by another one in the
  same run: the time to the first volumes drawn (``console-first-volumes``, where the console
  reads the record in parts), to the whole record drawn (``console-ready``), the bytes of
  ``GET /v1/history`` on the wire and decoded, the server's and the browser's CPU.  Two loads
  each: the first on a fresh server (outlines not yet rendered), the second warm.
* ``scrub``: a store holding N active volumes (default 10,000: one idf notice each; polygons,
  geodesic circles and corridors over 1,000 km, windows staggered over five hours); the time
  from moving the instant to the browser showing the redrawn map (the console's probe:
  ``setInstant`` → deck.gl's next frame → the next animation frame), for instants where every
  volume is active (states unchanged: the attribute update is skipped) and for instants
  anywhere in the five hours (thousands of states change at each move).
* ``idle``: rus's console sitting live on the demo (its aircraft flying, nothing filed) for
  ``--seconds``: the CPU a second of the browser's GPU process and of the page's renderer, and
  the frames a second of the volumes' canvas.
* ``live``: ``POST /v1/notices`` by idf to the alert it raises shown in rus's open console
  (the toast with the alert's id), N filings one after another: the time from sending the
  request to the element's appearance (both clocks are this machine's).

The server is a real ``deconflict serve`` process on 127.0.0.1; the browser is Debian's
Chromium driven by Playwright, with WebGL in software (SwiftShader) as on this machine.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Browser, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # tests.support.browser: the same Chromium flags as the tests

from tests.support.browser import ARGS, CHROMIUM  # noqa: E402

from console_support import (  # noqa: E402  (beside this script)
    PageMeter,
    Served,
    browser_cpu_by_process,
    serving,
)
from deconfliction.engine.model import Agreement, Notice, Party  # noqa: E402
from deconfliction.service.auth import Role, create_token  # noqa: E402
from deconfliction.service.coordinator import Coordinator  # noqa: E402
from deconfliction.service.filing import file  # noqa: E402
from deconfliction.service.sessions import issue_signin_code  # noqa: E402
from deconfliction.web.app import static_directory  # noqa: E402
from server_common import describe_machine, percentile  # noqa: E402

T0 = datetime(2026, 12, 1, 6, 0, tzinfo=UTC)
"""The scrub store's first window start; every window starts by T0 + 2 h, ends after T0 + 3 h."""


def launch(playwright: Any) -> Browser:
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def _ready(page: Any) -> float:
    """Milliseconds from navigation to the console's first frame of the record."""
    page.wait_for_function(
        "() => performance.getEntriesByName('console-ready').length > 0", timeout=600_000
    )
    return float(page.evaluate("performance.getEntriesByName('console-ready')[0].startTime"))


# -- size ------------------------------------------------------------------------------------


def part_size() -> str:
    assets = static_directory() / "assets"
    code = sum(
        p.stat().st_size for p in assets.glob("*.gz") if re.search(r"\.(js|css)\.gz$", p.name)
    )
    raw = sum(p.stat().st_size for p in assets.iterdir() if re.search(r"\.(js|css)$", p.name))
    basemap = {p.name: p.stat().st_size for p in assets.glob("countries-*.json.gz")}
    lines = [
        "## size",
        f"JS + CSS: {raw / 1e6:.2f} MB, {code / 1e6:.3f} MB gzipped as served (goal <= 3 MB)",
        "basemap (fetched after the page, not counted): "
        + ", ".join(f"{n} {s / 1e6:.2f} MB" for n, s in sorted(basemap.items())),
    ]
    return "\n".join(lines)


# -- load ------------------------------------------------------------------------------------


def _load_one(browser: Browser, runs: int, source: Path | None) -> tuple[list[float], list[int]]:
    with serving("--demo", source=source) as served:
        url = served.url
        link = re.findall(r"http://127\.0\.0\.1:\d+/#code=[A-Za-z0-9_-]+", served.printed)[0]
        first = browser.new_context()
        page = first.new_page()
        page.goto(link + "&at=2026-11-24T10:05:00Z")
        _ready(page)
        state = first.storage_state()
        first.close()
        times, sizes = [], []
        for _ in range(runs):
            context = browser.new_context(
                storage_state=state, viewport={"width": 1280, "height": 800}
            )
            page = context.new_page()
            page.goto(url + "/#/map?at=2026-11-24T10:05:00Z")
            times.append(_ready(page))
            page.wait_for_timeout(500)
            sizes.append(
                page.evaluate(
                    "performance.getEntries().filter(e => 'transferSize' in e)"
                    ".reduce((n, e) => n + e.transferSize, 0)"
                )
            )
            context.close()
    return times, sizes


def part_load(browser: Browser, runs: int, baseline: Path | None) -> str:
    lines = ["## load"]
    for name, source in (("before", baseline), ("after", None)):
        if name == "before" and source is None:
            continue
        times, sizes = _load_one(browser, runs, source)
        prefix = f"{name}: " if baseline is not None else ""
        lines += [
            f"{prefix}first load to the map's first frame, {runs} cold loads (empty cache, "
            f"signed in): median {percentile(times, 50):.0f} ms, p95 "
            f"{percentile(times, 95):.0f} ms, max {max(times):.0f} ms (goal <= 2000 ms)",
            f"{prefix}bytes the page fetched until then (its worker then fetches the basemap): "
            f"median {percentile(sizes, 50) / 1e6:.2f} MB; load average {os.getloadavg()[0]:.1f}",
        ]
    return "\n".join(lines)


# -- bigload ---------------------------------------------------------------------------------

HISTORY_BYTES = """() => performance.getEntriesByType('resource')
  .filter((e) => e.name.includes('/v1/history'))
  .reduce((n, e) => [n[0] + e.transferSize, n[1] + e.decodedBodySize], [0, 0])"""


def _mark(page: Any, name: str) -> float | None:
    found = page.evaluate("(n) => performance.getEntriesByName(n).map((e) => e.startTime)", name)
    return float(found[0]) if found else None


def _bigload_one(browser: Browser, served: Served, code: str | None, state: Any) -> tuple[str, Any]:
    """One cold load (empty cache) of the console at an instant where every volume stands,
    signing in with ``code`` or with the session in ``state``; (figures, session)."""
    context = browser.new_context(storage_state=state, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    at = (T0 + timedelta(hours=2, minutes=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    meter = PageMeter(page, exclude=set())
    meter.start()
    server_cpu = served.cpu()
    started = time.perf_counter()
    page.goto(f"{served.url}/#code={code}&at={at}" if code else f"{served.url}/#/map?at={at}")
    ready = _ready(page)
    wall = time.perf_counter() - started
    server_s = served.cpu() - server_cpu
    browser_ms, _task, script_ms = meter.stop(1)
    first = _mark(page, "console-first-volumes")
    drawn = page.evaluate("window.deconflictionConsole.drawn().volumes.length")
    wire, decoded = page.evaluate(HISTORY_BYTES)
    state = context.storage_state()
    context.close()
    return (
        f"first volumes drawn {'-' if first is None else f'{first / 1000:.1f} s'}, whole record "
        f"drawn {ready / 1000:.1f} s (wall {wall:.1f} s); {drawn} volumes drawn; /v1/history "
        f"{wire / 1e6:.2f} MB on the wire ({decoded / 1e6:.2f} MB decoded); server CPU "
        f"{server_s:.1f} s, browser CPU {browser_ms / 1000:.1f} s (page script "
        f"{script_ms / 1000:.1f} s); load average {os.getloadavg()[0]:.1f}",
        state,
    )


def on_scrub_store(
    lines: list[str], part: str, volumes: int, seed: int, baseline: Path | None
) -> Iterator[tuple[str, Served, str]]:
    """The scrub store, built once (its heading added to ``lines``), served in turn by
    ``baseline`` (another checkout's root, its console built) when given and by this checkout:
    for each, its name ("before", "after"), its server and a one-time sign-in code for idf."""
    with tempfile.TemporaryDirectory() as scratch:
        store = Path(scratch) / "scrub.sqlite3"
        started = time.perf_counter()
        build_scrub_store(store, volumes, seed)
        lines.append(
            f"## {part} ({volumes} volumes; store built in {time.perf_counter() - started:.0f} s)"
        )
        for name, source in (("before", baseline), ("after", None)):
            if name == "before" and source is None:
                continue
            with Coordinator.open(str(store)) as coordinator:
                now = coordinator.clock.now()
                record, _ = create_token(
                    coordinator.db, party="idf", role=Role.duty_officer, now=now
                )
                code = issue_signin_code(coordinator.db, record.id, now, timedelta(hours=2))
            keys = {"DECONFLICT_LEDGER_KEYS": str(Path(scratch) / "keys")}
            with serving("--db", str(store), env=keys, source=source) as served:
                yield name, served, code


def part_bigload(browser: Browser, volumes: int, seed: int, baseline: Path | None) -> str:
    lines: list[str] = []
    for name, served, code in on_scrub_store(lines, "bigload", volumes, seed, baseline):
        figures, state = _bigload_one(browser, served, code, None)
        lines.append(f"{name}, fresh server (signing in): {figures}")
        figures, _ = _bigload_one(browser, served, None, state)
        lines.append(f"{name}, warm server: {figures}")
    return "\n".join(lines)


# -- scrub -----------------------------------------------------------------------------------


def _outline(rng: random.Random) -> dict[str, Any]:
    lat = 34.0 + rng.uniform(-4.5, 4.5)
    lon = 38.0 + rng.uniform(-5.5, 5.5)
    kind = rng.random()
    if kind < 0.6:
        r = rng.uniform(0.02, 0.05)
        ring = [
            [
                round(lon + r * math.cos(a) * (1 if i % 2 else 0.5), 5),
                round(lat + r * math.sin(a) * (1 if i % 2 else 0.5), 5),
            ]
            for i, a in enumerate(math.tau * k / 8 for k in range(8))
        ]
        return {"type": "polygon", "vertices": ring}
    if kind < 0.8:
        return {
            "type": "circle",
            "center": [round(lon, 5), round(lat, 5)],
            "radius": f"{rng.uniform(2, 4):.1f} km",
        }
    return {
        "type": "corridor",
        "route": [[round(lon, 5), round(lat, 5)], [round(lon + 0.08, 5), round(lat + 0.05, 5)]],
        "half_width": "500 m",
    }


def build_scrub_store(path: Path, volumes: int, seed: int) -> None:
    rng = random.Random(seed)
    with Coordinator.open(str(path)) as coordinator, coordinator.transaction() as tx:
        for p in ("idf", "rus"):
            file(tx, Party.model_validate({"id": p, "name": p.upper(), "kind": "armed_force"}))
        file(tx, Agreement.model_validate({"id": "a", "name": "A", "parties": ["idf", "rus"]}))
        for i in range(volumes):
            start = T0 + timedelta(seconds=rng.uniform(0, 7200))
            end = T0 + timedelta(seconds=10800 + rng.uniform(0, 7200))
            lower = rng.choice(["SFC", "FL050", "FL150", "3000 ft AMSL"])
            upper = {
                "SFC": "FL040",
                "FL050": "FL140",
                "FL150": "FL300",
                "3000 ft AMSL": "9000 ft AMSL",
            }[lower]
            notice = Notice.model_validate(
                {
                    "id": f"n-{i:05d}",
                    "author": "idf",
                    "kind": "air_operation",
                    "filed_at": T0 - timedelta(days=1),
                    "volumes": [
                        {
                            "outline": _outline(rng),
                            "altitude": {"lower": lower, "upper": upper},
                            "window": {"start": start, "end": end},
                        }
                    ],
                }
            )
            file(tx, notice)


CANVAS = """() => {
  const map = document.querySelector('#map');
  return `map canvas ${map.width}x${map.height} px at device pixel ratio ${devicePixelRatio}`;
}"""


def _scrub_one(
    browser: Browser, served: Served, code: str, scrubs: int, seed: int
) -> tuple[float, float, float, str, list[tuple[str, str, list[float], tuple[float, ...]]]]:
    """Load the console on ``served``; (ready s, wall s, server CPU s, what is drawn, moves)."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    all_active = T0 + timedelta(hours=2, minutes=30)
    loaded, server_cpu = time.perf_counter(), served.cpu()
    page.goto(f"{served.url}/#code={code}&at={all_active.strftime('%Y-%m-%dT%H:%M:%SZ')}")
    ready = _ready(page) / 1000
    load_s, server_s = time.perf_counter() - loaded, served.cpu() - server_cpu
    drawn = page.evaluate("window.deconflictionConsole.drawn().volumes.length")
    canvas = page.evaluate(CANVAS)
    rng = random.Random(seed)
    meter = PageMeter(page, exclude=set())

    def measure(lo: datetime, hi: datetime) -> list[float]:
        span = (hi - lo).total_seconds()
        out = []
        for _ in range(scrubs):
            t = lo + timedelta(seconds=rng.uniform(0, span))
            micros = int(t.timestamp()) * 1_000_000 + t.microsecond
            out.append(page.evaluate("(t) => window.deconflictionConsole.scrub(t)", micros))
        return out

    moves = []
    for view, look in (("whole region (dots)", None), ("1:250,000 (outlines)", (38.0, 34.0, 9.0))):
        if look is not None:
            page.evaluate("(v) => window.deconflictionConsole.lookAt(...v)", list(look))
            page.wait_for_timeout(3000)
        measure(T0 + timedelta(hours=2), T0 + timedelta(hours=3))  # warm-up
        for case, lo, hi in (
            ("no state changes", T0 + timedelta(hours=2), T0 + timedelta(hours=3)),
            ("states change", T0, T0 + timedelta(hours=5)),
        ):
            meter.start()
            values = measure(lo, hi)
            moves.append((view, case, values, meter.stop(scrubs)))
    context.close()
    return ready, load_s, server_s, f"{drawn} volumes drawn; {canvas}", moves


def part_scrub(
    browser: Browser, volumes: int, scrubs: int, seed: int, baseline: Path | None
) -> str:
    """The scrub store served by this checkout and, when given, by ``baseline`` (another
    checkout's root, its console built) in the same run, one after the other."""
    lines: list[str] = []
    for name, served, code in on_scrub_store(lines, "scrub", volumes, seed, baseline):
        ready, load_s, server_s, drawn, moves = _scrub_one(browser, served, code, scrubs, seed)
        lines.append(
            f"{name}: console ready (history fetched, first frame) {ready:.1f} s, wall "
            f"{load_s:.1f} s, server CPU {server_s:.1f} s; {drawn}; "
            f"load average {os.getloadavg()[0]:.1f}"
        )
        for view, case, values, (cpu, task, script) in moves:
            lines.append(
                f"  {name} {view}, {case}: p50 {percentile(values, 50):.0f} ms, "
                f"p95 {percentile(values, 95):.0f} ms, max {max(values):.0f} ms "
                f"({len(values)} moves; a move: browser CPU {cpu:.0f} ms, page main "
                f"thread {task:.0f} ms of which script {script:.0f} ms)"
            )
    lines.append("goal: p95 <= 100 ms")
    return "\n".join(lines)


# -- live ------------------------------------------------------------------------------------

OBSERVER = """() => {
  window.__seen = {};
  new MutationObserver((changes) => {
    const now = performance.timeOrigin + performance.now();
    for (const c of changes) for (const n of c.addedNodes) {
      if (n.nodeType === 1 && n.dataset && n.dataset.alertId && !(n.dataset.alertId in window.__seen)) window.__seen[n.dataset.alertId] = now;
    }
  }).observe(document.body, {childList: true, subtree: true});
}"""


def _live_one(browser: Browser, filings: int, source: Path | None) -> str:
    with serving("--demo", source=source) as served:
        links = re.findall(r"http://127\.0\.0\.1:\d+/#code=[A-Za-z0-9_-]+", served.printed)
        tokens = re.findall(r"dlt_[0-9a-f]{16}_[A-Za-z0-9_-]+", served.printed)
        auth = [{"Authorization": f"Bearer {token}"} for token in tokens[:2]]
        idf = httpx.Client(base_url=served.url, headers=auth[0])
        rus_api = httpx.Client(base_url=served.url, headers=auth[1])
        start = datetime.now(UTC) + timedelta(hours=2)
        window = {
            "start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "end": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }
        volume = {
            "outline": {"type": "circle", "center": "33.50N 36.90E", "radius": "10 km"},
            "altitude": {"lower": "FL050", "upper": "FL150"},
            "window": window,
        }
        standing = rus_api.post("/v1/notices", json={"kind": "air_operation", "volumes": [volume]})
        assert standing.status_code == 201, standing.text
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto(links[1])  # rus
        page.wait_for_function(
            "() => window.deconflictionConsole?.liveStatus() === 'live'", timeout=600_000
        )
        page.evaluate(OBSERVER)
        meter = PageMeter(page, exclude=set())
        meter.start()
        server_cpu = served.cpu()
        latencies, answered = [], []
        for i in range(filings):
            sent = time.time() * 1000
            answer = idf.post(
                "/v1/notices",
                json={"kind": "air_operation", "title": f"live {i}", "volumes": [volume]},
            )
            answered.append(time.time() * 1000 - sent)
            assert answer.status_code == 201, answer.text
            alert = next(a["id"] for a in answer.json()["alerts"] if a["kind"] == "notice-overlap")
            page.wait_for_function("(id) => id in window.__seen", arg=alert, timeout=60_000)
            latencies.append(page.evaluate("(id) => window.__seen[id]", alert) - sent)
        server_per = (served.cpu() - server_cpu) * 1000 / filings
        cpu, task, _script = meter.stop(filings)
        context.close()
    pushed = [total - post for total, post in zip(latencies, answered, strict=True)]
    return (
        f"POST -> alert shown, {filings} filings: p50 {percentile(latencies, 50):.0f} ms, "
        f"p99 {percentile(latencies, 99):.0f} ms, max {max(latencies):.0f} ms; of which the POST's "
        f"answer p50 {percentile(answered, 50):.0f} / p99 {percentile(answered, 99):.0f} ms and "
        f"shown after the answer p50 {percentile(pushed, 50):.0f} / p99 {percentile(pushed, 99):.0f} ms; "
        f"a filing: server CPU {server_per:.0f} ms, browser CPU {cpu:.0f} ms (page main thread "
        f"{task:.0f} ms); load average {os.getloadavg()[0]:.1f}"
    )


def _idle_one(browser: Browser, seconds: float, source: Path | None) -> str:
    with serving("--demo", source=source) as served:
        links = re.findall(r"http://127\.0\.0\.1:\d+/#code=[A-Za-z0-9_-]+", served.printed)
        context = browser.new_context(viewport={"width": 1280, "height": 800})
        page = context.new_page()
        page.goto(links[1])  # rus
        page.wait_for_function(
            "() => window.deconflictionConsole?.liveStatus() === 'live'", timeout=600_000
        )
        page.wait_for_timeout(3_000)  # the first air picture drawn
        aircraft = page.evaluate("window.deconflictionConsole.aircraft().aircraft.length")
        cpu, frames = (
            browser_cpu_by_process(),
            page.evaluate("window.deconflictionConsole.renders()"),
        )
        started = time.perf_counter()
        page.wait_for_timeout(seconds * 1000)
        wall = time.perf_counter() - started
        cpu_end = browser_cpu_by_process()
        frames = page.evaluate("window.deconflictionConsole.renders()") - frames
        context.close()
    per = {kind: (cpu_end[kind] - cpu[kind]) * 1000 / wall for kind in cpu}
    return (
        f"{aircraft} aircraft, {wall:.0f} s: CPU a second: GPU process {per['gpu']:.0f} ms, "
        f"renderer {per['renderer']:.0f} ms, other {per['other']:.0f} ms; volumes' canvas "
        f"{frames / wall:.2f} frames a second; load average {os.getloadavg()[0]:.1f}"
    )


def _before_after(title: str, one: Callable[[Path | None], str], baseline: Path | None) -> str:
    """A part's lines: with a baseline, its run ("before") and this checkout's ("after")."""
    lines = [title]
    if baseline is not None:
        lines.append("before: " + one(baseline))
    lines.append(("after: " if baseline is not None else "") + one(None))
    return "\n".join(lines)


def part_idle(browser: Browser, seconds: float, baseline: Path | None) -> str:
    title = "## idle (the demo's aircraft flying, nothing filed)"
    return _before_after(title, lambda b: _idle_one(browser, seconds, b), baseline)


def part_live(browser: Browser, filings: int, baseline: Path | None) -> str:
    title = "## live (goal p99 <= 1000 ms)"
    return _before_after(title, lambda b: _live_one(browser, filings, b), baseline)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--part",
        choices=["size", "load", "bigload", "scrub", "idle", "live", "all"],
        default="all",
    )
    parser.add_argument("--seconds", type=float, default=15.0, help="idle: how long")
    parser.add_argument("--runs", type=int, default=10, help="cold loads")
    parser.add_argument("--volumes", type=int, default=10_000)
    parser.add_argument("--scrubs", type=int, default=100)
    parser.add_argument("--filings", type=int, default=100)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--baseline",
        type=Path,
        help="another checkout's root (its console built): load, bigload, scrub, idle and live "
        "measured on it too, "
        "in the same run, for a before/after comparison",
    )
    args = parser.parse_args()
    print(describe_machine("sqlite"))
    print(
        f"Chromium: {subprocess.run([CHROMIUM, '--version'], capture_output=True, text=True).stdout.strip()}"
    )
    started_cpu = time.process_time()
    parts = (
        ["size", "load", "bigload", "scrub", "idle", "live"] if args.part == "all" else [args.part]
    )
    with sync_playwright() as playwright:
        browser = launch(playwright)
        for part in parts:
            t = time.perf_counter()
            if part == "size":
                print(part_size())
            elif part == "load":
                print(part_load(browser, args.runs, args.baseline))
            elif part == "bigload":
                print(part_bigload(browser, args.volumes, args.seed, args.baseline))
            elif part == "scrub":
                print(part_scrub(browser, args.volumes, args.scrubs, args.seed, args.baseline))
            elif part == "idle":
                print(part_idle(browser, args.seconds, args.baseline))
            else:
                print(part_live(browser, args.filings, args.baseline))
            print(
                f"({part}: {time.perf_counter() - t:.0f} s wall, load average {os.getloadavg()[0]:.1f})\n",
                flush=True,
            )
        browser.close()
    print(f"bench process CPU: {time.process_time() - started_cpu:.1f} s")


if __name__ == "__main__":
    main()
