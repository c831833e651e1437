"""Where reports come from: files (replayed at their own pace), TCP on loopback, URL polling;
and a feeder that posts what a source gives to a running server.

A source is a URL-like spec: a file or directory path, ``tcp://host:port`` (readsb's SBS port
30003 or Beast port 30005), or ``http(s)://...`` (an ``aircraft.json`` or the OpenSky REST
API, polled).  :func:`chunks` yields what it reads; :func:`paced` holds each chunk back until
its reports' own time, scaled by the replay speed; :class:`Feeder` posts chunks to
``POST /v1/tracks/feed`` and adds up the server's answers.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from deconfliction.engine.errors import InvalidInput
from deconfliction.service.tracks import make_parser

__all__ = ["DOCUMENT_FORMATS", "Feeder", "chunks", "paced"]

DOCUMENT_FORMATS = frozenset({"readsb", "opensky"})
"""Formats whose unit is a whole document (one per file or per poll)."""
LINE_FORMATS = frozenset({"sbs", "opensky-csv"})
_READ = 1 << 16


def chunks(
    spec: str, fmt: str, *, poll_s: float = 1.0, polls: int | None = None
) -> Iterator[bytes]:
    """What ``spec`` gives, in pieces: lines for line formats (grouped), whole documents for
    document formats, byte blocks for binary ones."""
    if spec.startswith("tcp://"):
        yield from _tcp(spec)
        return
    if spec.startswith(("http://", "https://")):
        yield from _poll(spec, poll_s, polls)
        return
    path = Path(spec)
    if path.is_dir():
        for item in sorted(p for p in path.iterdir() if p.is_file()):
            yield item.read_bytes()
        return
    if not path.is_file():
        raise InvalidInput.at(("SOURCE",), f"{spec}: no such file, directory or URL")
    if fmt in DOCUMENT_FORMATS:
        yield path.read_bytes()
        return
    with path.open("rb") as f:
        while block := f.read(_READ):
            yield block


def _tcp(spec: str) -> Iterator[bytes]:
    parsed = urllib.parse.urlsplit(spec)
    if parsed.hostname is None or parsed.port is None:
        raise InvalidInput.at(("SOURCE",), f"{spec}: a TCP source is tcp://host:port")
    try:
        conn = socket.create_connection((parsed.hostname, parsed.port), timeout=30)
    except OSError as exc:
        raise InvalidInput.at(("SOURCE",), f"{spec}: cannot connect ({exc})") from None
    with conn:
        while data := conn.recv(_READ):
            yield data


def _poll(url: str, poll_s: float, polls: int | None) -> Iterator[bytes]:
    count = 0
    while polls is None or count < polls:
        count += 1
        began = time.monotonic()
        try:
            with urllib.request.urlopen(url, timeout=30) as answer:
                yield answer.read()
        except (urllib.error.URLError, OSError) as exc:
            if polls is not None and count >= polls:
                raise InvalidInput.at(("SOURCE",), f"{url}: {exc}") from None
        time.sleep(max(0.0, poll_s - (time.monotonic() - began)))


def paced(
    pieces: Iterable[bytes],
    fmt: str,
    speed: float,
    parser_options: dict[str, Any] | None = None,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[bytes]:
    """``pieces`` held back to their reports' own pace divided by ``speed`` (0: no pacing).

    Line formats are cut at line ends and grouped by second of report time, so that a replayed
    file flows as it was received; other formats are paced chunk by chunk."""
    if speed <= 0:
        yield from pieces
        return
    parser = make_parser(fmt, "pace", **(parser_options or {}))
    first: float | None = None
    started = clock()
    for piece in _groups(pieces, fmt, parser):
        data, t = piece
        if t is not None:
            if first is None:
                first = t
            wait = (t - first) / speed - (clock() - started)
            if wait > 0:
                sleep(wait)
        yield data


def _groups(pieces: Iterable[bytes], fmt: str, parser: Any) -> Iterator[tuple[bytes, float | None]]:
    if fmt not in LINE_FORMATS:
        for piece in pieces:
            result = parser.feed(piece)
            times = [r.t for r in result.reports]
            yield piece, (min(times) if times else None)
        return
    rest = b""
    group: list[bytes] = []
    second: float | None = None
    for piece in pieces:
        lines = (rest + piece).split(b"\n")
        rest = lines.pop()
        for line in lines:
            reports = parser.feed(line + b"\n").reports
            t = reports[0].t if reports else None
            if t is not None and second is not None and int(t) != int(second) and group:
                yield b"".join(group), second
                group = []
            if t is not None and (second is None or int(t) != int(second)):
                second = t
            group.append(line + b"\n")
    if rest:
        group.append(rest)
    if group:
        yield b"".join(group), second


@dataclass
class Feeder:
    """Posts chunks to a server's ``/v1/tracks/feed`` and adds up its answers."""

    server: str
    token: str
    fmt: str
    source: str
    params: dict[str, str] = field(default_factory=dict)
    reports: int = 0
    ignored: int = 0
    unreadable: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    posts: int = 0

    def post(self, data: bytes) -> None:
        if not data:
            return
        query = urllib.parse.urlencode({"format": self.fmt, "source": self.source, **self.params})
        request = urllib.request.Request(
            f"{self.server.rstrip('/')}/v1/tracks/feed?{query}",
            data=data,
            method="POST",
            headers={
                "Authorization": f"Bearer {self.token}",
                "Content-Type": "application/octet-stream",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                body = json.loads(answer.read())
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode("utf-8", "replace")
            try:
                message = json.loads(detail)["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = detail[:200]
            raise InvalidInput.at(("--server",), f"the server refused: {message}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise InvalidInput.at(("--server",), f"cannot reach {self.server}: {exc}") from None
        self.posts += 1
        self.reports += body["reports"]
        self.ignored += body["ignored"]
        self.unreadable += body["unreadable"]
        self.reasons.update(body["reasons"])
