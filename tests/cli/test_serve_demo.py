"""The README's first command, as a newcomer runs it: ``deconflict serve --demo`` prints the
demo's tokens and serves the Golan day with live aircraft, each party seeing its own."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

DEADLINE_S = 120.0
"""Generous: the machine is shared; the first aircraft come within seconds on a quiet one."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _tokens(printed: str) -> dict[tuple[str, str], str]:
    """The token column of the printed table (folded over several lines)."""
    found: dict[tuple[str, str], str] = {}
    row: tuple[str, str] | None = None
    for line in printed.splitlines():
        m = re.match(r"│ (\w*) +│ (\w*) +│ (\S*) +│", line)
        if not m:
            continue
        party, role, part = m.groups()
        if party:
            row = (party, role)
            found[row] = part
        elif row is not None:
            found[row] += part
    return found


def _get(port: int, token: str, path: str) -> Any:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", headers={"Authorization": f"Bearer {token}"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def test_serve_demo_shows_each_party_its_live_aircraft(tmp_path: Path) -> None:
    port = _free_port()
    exe = Path(sys.executable).with_name("deconflict")
    out = (tmp_path / "out.txt").open("w+", encoding="utf-8")
    server = subprocess.Popen(
        [str(exe), "serve", "--demo", "--port", str(port), "--log-format", "text"],
        stdout=out, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + DEADLINE_S
        seen: dict[str, set[str | None]] = {}
        while time.monotonic() < deadline:
            printed = (tmp_path / "out.txt").read_text(encoding="utf-8")
            tokens = _tokens(printed)
            if "Uvicorn running" in printed and len(tokens) >= 4:
                for party, role in (("idf", "duty_officer"), ("undof", "monitor")):
                    tracks = _get(port, tokens[(party, role)], "/v1/tracks")["tracks"]
                    seen[party] = {t["callsign"] for t in tracks}
                if seen["idf"] >= {"IAF101", "IAF202"} and seen["undof"]:
                    break
            assert server.poll() is None, printed
            time.sleep(0.5)  # polling a real server for its first rounds; nothing is timed
        log = (tmp_path / "out.txt").read_text(encoding="utf-8")[-4000:]
        assert seen["idf"] >= {"IAF101", "IAF202"}, (seen, log)
        assert "CIV311" not in seen["idf"]
        assert seen["undof"] == {"CIV311"}, (seen, log)  # nobody's, shared with UNDOF only
    finally:
        server.terminate()
        server.wait(30)
        out.close()
