"""The server reading track sources itself: ``DECONFLICT_TRACKS_SOURCES`` names them.

Each source is ``PARTY:FORMAT:SOURCE`` (``a:sbs:tcp://127.0.0.1:30003``,
``a:readsb:http://127.0.0.1/data/aircraft.json``, ``a:sbs:/var/log/recorded.sbs``), sources
separated by whitespace.  A reader thread per source reads what :func:`chunks` gives (a TCP
port, a URL polled, a file replayed at its own pace) and feeds it to the
:class:`~deconfliction.service.tracks.TrackService` as the party's monitor would through
``POST /v1/tracks/feed``: same parsers, same counts of what was unreadable.  A lost connection
or an unreachable URL is counted, logged and tried again after a growing pause; nothing a
source does stops the server.

Examples
--------
>>> [(s.party, s.format, s.source, s.name) for s in parse_sources("a:sbs:tcp://10.0.0.2:30003")]
[('a', 'sbs', 'tcp://10.0.0.2:30003', '10.0.0.2-30003')]
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from deconfliction.engine.errors import InvalidInput
from deconfliction.service.auth import Principal, Role
from deconfliction.service.track_sources import chunks, paced
from deconfliction.service.tracks import FORMATS, TrackService

__all__ = ["SETTING", "SourceReader", "SourceSpec", "parse_sources", "start_readers"]

log = logging.getLogger("deconfliction.tracks.sources")

SETTING = "DECONFLICT_TRACKS_SOURCES"
_PARTY = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_RETRY_S = (1.0, 30.0)
"""The first pause after a failure, and the longest (it doubles in between)."""


@dataclass(frozen=True, slots=True)
class SourceSpec:
    party: str
    format: str
    source: str
    name: str
    """The source's name in the air picture (from ``source``, as ``deconflict tracks ingest``
    names it)."""


def parse_sources(text: str) -> list[SourceSpec]:
    """The sources named by the setting; a bad one is refused naming the setting and the
    source's place in it."""
    out = []
    for i, item in enumerate(text.split()):
        parts = item.split(":", 2)
        if len(parts) != 3 or not parts[2]:
            raise InvalidInput.at((SETTING, i), f"{item!r} is not PARTY:FORMAT:SOURCE")
        party, fmt, source = parts
        if not _PARTY.match(party):
            raise InvalidInput.at((SETTING, i), f"{party!r} is not a party identifier")
        if fmt not in FORMATS or fmt == "beast":
            usable = ", ".join(f for f in FORMATS if f != "beast")
            raise InvalidInput.at((SETTING, i), f"format {fmt!r}: one of {usable}")
        stem = source.split("://", 1)[-1].rstrip("/").rsplit("/", 1)[-1] or "source"
        name = "".join(c if c.isalnum() or c in "._-" else "-" for c in stem)[:100]
        out.append(SourceSpec(party, fmt, source, name))
    return out


class SourceReader:
    """Reads one source in a thread of its own until stopped (a file: until it ends)."""

    def __init__(self, tracks: TrackService, spec: SourceSpec, *, poll_s: float = 1.0) -> None:
        self.tracks = tracks
        self.spec = spec
        self.poll_s = poll_s
        self.reports = 0
        self.rejected = 0
        self.failures = 0
        self.last_failure: str | None = None
        self.finished = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"tracks-source-{spec.name}", daemon=True
        )

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout_s: float = 1.0) -> None:
        """Ask the reader to stop; a reader blocked on a silent connection stops when its
        read times out (it is a daemon thread: it never holds the server up)."""
        self._stop.set()
        self._thread.join(timeout_s)

    def _run(self) -> None:
        spec = self.spec
        principal = Principal(spec.party, Role.monitor)
        pause = _RETRY_S[0]
        is_file = "://" not in spec.source
        while not self._stop.is_set():
            try:
                pieces = chunks(spec.source, spec.format, poll_s=self.poll_s)
                for piece in paced(pieces, spec.format, 1.0) if is_file else pieces:
                    if self._stop.is_set():
                        break
                    result = self.tracks.feed(principal, spec.format, spec.name, piece)
                    self.reports += result.reports
                    self.rejected += result.rejected
                    pause = _RETRY_S[0]
            except Exception as exc:  # a source never stops the server; say why, try again
                self.failures += 1
                self.last_failure = str(exc)
                log.warning("track source %s failed: %s", spec.source, exc)
            if is_file:
                break
            self._stop.wait(pause)
            pause = min(2 * pause, _RETRY_S[1])
        self.finished.set()


def start_readers(tracks: TrackService, specs: Iterable[SourceSpec]) -> list[SourceReader]:
    readers = [SourceReader(tracks, spec) for spec in specs]
    for reader in readers:
        reader.start()
    return readers
