"""Operations: request ids, structured (JSON) logs, Prometheus metrics.

Every request gets an id: the client's ``X-Request-ID`` when it is a short token, a new one
otherwise; it is sent back in the answer's ``X-Request-ID`` and is on every log line written
while the request runs (``request_id``), the access line included.  With ``--log-format json``
(the default of ``deconflict serve``) each log line is one JSON object.

Metrics (``GET /metrics``, Prometheus text format; with ``--workers N`` the workers' figures are
summed, through prometheus-client's multiprocess mode):

* ``deconfliction_http_requests_total{method,route,status}`` and
  ``deconfliction_http_request_seconds{method,route}``: every request, by route template;
* ``deconfliction_writer_queue_depth``: commands waiting for the writer;
* ``deconfliction_sse_clients``: open live streams;
* ``deconfliction_write_critical_section_seconds``: how long each write transaction held the
  writer's place (this bounds the throughput of the whole deployment: see docs/design/nodes.md);
* ``deconfliction_write_critical_section_cpu_seconds_total``: the writing thread's CPU time
  within those sections (the rest is waiting: for the GIL, the disk, the database);
* ``deconfliction_write_events_total``: events appended to the log;
* ``deconfliction_ledger_entries``: entries in the ledger.
"""

from __future__ import annotations

import contextvars
import functools
import itertools
import json
import logging
import os
import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from deconfliction.service.coordinator import Commit

__all__ = [
    "CONTENT_TYPE_LATEST",
    "OUTER_SEND",
    "JsonFormatter",
    "Metrics",
    "RequestContext",
    "log_config",
    "metrics",
    "request_id",
]

request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "deconfliction_request_id", default=None
)
"""The id of the request being handled (None outside a request)."""

OUTER_SEND = "deconfliction.send"
"""The scope key of the ``send`` that :class:`RequestContext` was given: the server's, beneath
the error middleware only.  A live stream sends its start through the layers within (they look
at the start: the request id, the status for the metrics and the error handlers), then each
of its chunks here (``api/routes/stream.py``): every layer within passes a body message on as
it is, and a stream sends one per event to each of its parties (three calls a chunk spared).
A layer added within that changes bodies (compression) would have to be added outside."""

_CLIENT_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_MULTIPROCESS = "PROMETHEUS_MULTIPROC_DIR"

access_log = logging.getLogger("deconfliction.access")


@dataclass(frozen=True)
class Metrics:
    requests: Counter
    latency: Histogram
    queue_depth: Gauge
    sse_clients: Gauge
    critical_section: Histogram
    critical_section_cpu: Counter
    events: Counter
    ledger_entries: Gauge

    def observe_commit(self, commit: Commit) -> None:
        self.critical_section.observe(commit.held_s)
        self.critical_section_cpu.inc(commit.held_cpu_s)
        self.events.inc(len(commit.events))
        self.ledger_entries.set(commit.ledger_size)

    def exposition(self) -> bytes:
        """The metrics in Prometheus' text format (every worker's, summed, under
        ``--workers``)."""
        if os.environ.get(_MULTIPROCESS):
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            return generate_latest(registry)
        return generate_latest()


@functools.cache
def metrics() -> Metrics:
    """The process's metrics, registered once (several apps in one process share them)."""
    return Metrics(
        requests=Counter(
            "deconfliction_http_requests",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
        ),
        latency=Histogram(
            "deconfliction_http_request_seconds",
            "Time from a request's arrival to its answer's start (a stream: to its headers).",
            ["method", "route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
        ),
        queue_depth=Gauge(
            "deconfliction_writer_queue_depth",
            "Commands waiting for the writer.",
            multiprocess_mode="livesum",
        ),
        sse_clients=Gauge(
            "deconfliction_sse_clients", "Open live streams.", multiprocess_mode="livesum"
        ),
        critical_section=Histogram(
            "deconfliction_write_critical_section_seconds",
            "How long each write transaction held the writer's place (lock to commit).",
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1),
        ),
        critical_section_cpu=Counter(
            "deconfliction_write_critical_section_cpu_seconds",
            "The writing thread's CPU time while it held the writer's place.",
        ),
        events=Counter("deconfliction_write_events", "Events appended to the log."),
        ledger_entries=Gauge(
            "deconfliction_ledger_entries",
            "Entries in the ledger (as this node last saw it).",
            multiprocess_mode="max",
        ),
    )


class _RequestIds:
    """New request ids: this process's random prefix and a counter, unique across the
    processes and nodes of a deployment (64 random bits each) and within each.  A ``uuid4``
    for each request read the kernel's random source every time, a system call that was the
    dearest line of the access path."""

    def __init__(self) -> None:
        self.renew()

    def renew(self) -> None:
        """A new prefix: at start, and in each worker forked from the process that made one."""
        self._prefix = secrets.token_hex(8)
        self._count = itertools.count()

    def new(self) -> str:
        return f"{self._prefix}{next(self._count):016x}"


_ids = _RequestIds()
os.register_at_fork(after_in_child=_ids.renew)


class RequestContext:
    """ASGI middleware: a request id for every request, an access log line, and the request
    metrics.  ``gauges`` is called after each request to refresh the gauges (queue depth,
    streams)."""

    def __init__(self, app: ASGIApp, gauges: Any = None) -> None:
        self.app = app
        self.gauges = gauges
        # The metrics' labelled series, looked up once each (prometheus-client's ``labels``
        # takes a lock and builds its key on every call).
        self._counted: dict[tuple[str, str, int], Any] = {}
        self._timed: dict[tuple[str, str], Any] = {}

    def _observe(self, method: str, template: str, status: int, answered: float) -> None:
        counted = self._counted.get((method, template, status))
        if counted is None:
            counted = metrics().requests.labels(method, template, str(status))
            self._counted[(method, template, status)] = counted
        counted.inc()
        timed = self._timed.get((method, template))
        if timed is None:
            timed = self._timed[(method, template)] = metrics().latency.labels(method, template)
        timed.observe(answered)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = None
        for name, value in scope.get("headers", ()):
            if name == b"x-request-id":
                given = value.decode("latin-1")
                break
        ident = given if given is not None and _CLIENT_ID.match(given) else _ids.new()
        scope[OUTER_SEND] = send
        token = request_id.set(ident)
        started = time.perf_counter()
        status = 500
        answered = 0.0

        async def send_with_id(message: Message) -> None:
            nonlocal status, answered
            if message["type"] == "http.response.start":
                status = message["status"]
                answered = time.perf_counter() - started
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", ident.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "")
            self._observe(method, template, status, answered)
            if self.gauges is not None:
                self.gauges()
            if access_log.isEnabledFor(logging.INFO):  # the line's fields only when written
                access_log.info(
                    "%s %s %d",
                    method,
                    scope.get("path", ""),
                    status,
                    extra={
                        "method": method,
                        "path": scope.get("path", ""),
                        "route": template,
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                    },
                )
            request_id.reset(token)


_STANDARD = frozenset(
    logging.LogRecord("", 0, "", 0, "", (), None).__dict__.keys() | {"message", "asctime"}
)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, the request id when
    there is one, whatever the call gave as ``extra``, and the traceback of an exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="microseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        ident = request_id.get()
        if ident is not None:
            line["request_id"] = ident
        for key, value in record.__dict__.items():
            if key not in _STANDARD and not key.startswith("_") and key not in line:
                line[key] = value if isinstance(value, str | int | float | bool) else str(value)
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def log_config(level: str, fmt: str) -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the server (uvicorn's loggers and ours):
    ``fmt`` is ``json`` or ``text``."""
    formatter = (
        {"()": f"{__name__}.JsonFormatter"}
        if fmt == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}
    )
    handler = {"class": "logging.StreamHandler", "formatter": "main", "stream": "ext://sys.stderr"}
    loud = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        "handlers": {"main": handler},
        "loggers": {
            "uvicorn": {"handlers": ["main"], "level": loud, "propagate": False},
            "uvicorn.error": {"level": loud},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
            "deconfliction": {"handlers": ["main"], "level": loud, "propagate": False},
            # One line per request: only when asked for (info and below).
            "deconfliction.access": {"level": loud},
        },
    }
