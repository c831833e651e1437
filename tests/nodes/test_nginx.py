"""docs/deploy/nginx.conf in front of two nodes on one PostgreSQL (issue 10, item 6).

Debian's nginx runs the example configuration as it is (ports and paths put in), in front of two
``deconflict serve`` processes: requests are spread over both, request ids pass through, a live
stream through nginx carries what either node records, and when a node is killed the other takes
the requests.  Skipped without nginx or PostgreSQL (``.ci/run`` installs nginx and sets
``DECONFLICT_REQUIRE_NGINX=1``, which makes a missing nginx a failure).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.crash import free_port, prepare_world
from tests.support.nodes import SAFETY_S, nodes, overlapping

ROOT = Path(__file__).resolve().parents[2]


def _nginx() -> str | None:
    return shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx",) if Path(p).exists()), None
    )


@pytest.fixture
def nginx_binary() -> str:
    found = _nginx()
    if found is None:
        if os.environ.get("DECONFLICT_REQUIRE_NGINX") == "1":
            pytest.fail("DECONFLICT_REQUIRE_NGINX=1 but nginx is not installed")
        pytest.skip("nginx is not installed (.ci/run installs it)")
    return found


@pytest.fixture
def proxied(
    nginx_binary: str, pg_store: str, tmp_path: Path
) -> Iterator[tuple[str, dict[str, str], list]]:
    keys, log = tmp_path / "keys", tmp_path / "nodes.log"
    tokens = prepare_world(pg_store, keys)
    with nodes(pg_store, keys, log, 2) as (a, b):
        # nginx's workers run as an unprivileged user (when the tests run as root): their
        # directory must be reachable by it, which pytest's own temporary tree is not.
        runtime = Path(tempfile.mkdtemp(prefix="deconflict-nginx-", dir="/tmp"))
        runtime.chmod(0o777)
        port = free_port()
        text = (ROOT / "docs" / "deploy" / "nginx.conf").read_text(encoding="utf-8")
        for marker, value in {
            "@RUNTIME@": str(runtime),
            "@NODE_A@": f"127.0.0.1:{a.port}",
            "@NODE_B@": f"127.0.0.1:{b.port}",
            "@LISTEN@": f"127.0.0.1:{port}",
        }.items():
            text = text.replace(marker, value)
        assert not re.search(r"@[A-Z_]+@", text), "a marker was left"
        config = runtime / "nginx.conf"
        config.write_text(text, encoding="utf-8")
        check = subprocess.run(
            [nginx_binary, "-t", "-p", str(runtime), "-c", str(config)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert check.returncode == 0, check.stderr
        process = subprocess.Popen(
            [nginx_binary, "-p", str(runtime), "-c", str(config), "-g", "daemon off;"],
            stderr=subprocess.PIPE,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + SAFETY_S
            while time.monotonic() < deadline:
                try:
                    if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.05)
            yield base, tokens, [a, b]
        finally:
            process.terminate()
            process.wait(30)
            shutil.rmtree(runtime, ignore_errors=True)


def test_nginx_spreads_requests_streams_and_fails_over(proxied) -> None:
    base, tokens, (a, b) = proxied
    ready = httpx.get(base + "/readyz", headers={"X-Request-ID": "probe-42"}, timeout=30)
    assert ready.status_code == 200
    assert ready.headers["X-Request-ID"] == "probe-42"  # passed through, both ways

    # Idle nodes: least_conn takes them in turn.
    upstreams = set()
    for i in range(6):
        answer = _file(base, tokens["alpha"], overlapping(i, f"through nginx {i}"))
        upstreams.add(answer.headers["X-Upstream"])
    assert upstreams == {f"127.0.0.1:{a.port}", f"127.0.0.1:{b.port}"}, upstreams

    # A stream for bravo through nginx holds one node; least_conn sends the filings to the
    # other, and what that node records reaches the stream (through the database).
    arrived: list[str] = []
    opened = threading.Event()
    held: list[str] = []

    def listen() -> None:
        headers = {"Authorization": f"Bearer {tokens['bravo']}"}
        with (
            httpx.Client(timeout=httpx.Timeout(SAFETY_S)) as client,
            client.stream("GET", base + "/v1/stream", headers=headers) as stream,
        ):
            held.append(stream.headers["X-Upstream"])
            for line in stream.iter_lines():
                if line.startswith("retry:"):
                    opened.set()
                if line.startswith("data: ") and '"delivery.created"' in line:
                    arrived.append(line)
                    if len(arrived) >= 4:
                        return

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    assert opened.wait(SAFETY_S)
    filed = []
    for i in range(4):
        answer = _file(base, tokens["alpha"], overlapping(20 + i, f"to the stream {i}"))
        assert answer.headers["X-Upstream"] != held[0], "filed on the stream's own node"
        filed.append(answer.json()["notice"]["id"])
    listener.join(SAFETY_S)
    assert all(any(n in line for line in arrived) for n in filed), "a delivery did not arrive"

    # One node gone: nginx sends everything to the other.
    a.kill()
    for i in range(4):
        answer = _file(base, tokens["alpha"], overlapping(40 + i, f"after a node {i}"))
        assert answer.headers["X-Upstream"].endswith(f":{b.port}")


def _file(base: str, token: str, body: dict[str, Any]) -> httpx.Response:
    """File through nginx on a connection of its own."""
    with httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30
    ) as client:
        answer = client.post("/v1/notices", json=body)
    assert answer.status_code == 201, answer.text[:300]
    return answer
