"""``deconflict serve --workers N``: several worker processes on one record.

Each worker is a whole node: its own writer, situation, ledger tree, token table and live
streams, sharing the record through the database (writes take turns under the database's
writer lock, and each catches its node up from the log first: see docs/design/nodes.md).  The
supervisor (uvicorn's) binds the socket once, opens and migrates the store and its signing keys
once, so that the workers do not race to create them, and restarts a worker that dies.  A
worker stops with its supervisor, however the supervisor ends (see ``end_with_supervisor``).
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import signal
import tempfile
import threading
from typing import TYPE_CHECKING, Any

from deconfliction.cli.common import open_store, resolve_settings
from deconfliction.service.coordinator import Coordinator
from deconfliction.service.settings import Settings

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["app_for_worker", "end_with_supervisor", "serve_workers", "whole_app"]


def whole_app(coordinator: Coordinator, settings: Settings) -> FastAPI:
    """What a node serves: the API and the console (one process or each worker alike)."""
    from deconfliction import web
    from deconfliction.api.app import create_app

    app = create_app(coordinator, settings)
    web.install(app, coordinator, settings)
    return app


def app_for_worker() -> Any:
    """The application of one worker process (uvicorn calls it in each worker): the store and
    settings come from the environment the supervisor set."""
    end_with_supervisor()
    settings = resolve_settings(None)
    return whole_app(open_store(settings), settings)


def end_with_supervisor() -> None:
    """Stop this worker, as SIGTERM does (in-flight requests finished, streams closed), when
    its supervisor process is gone.

    A supervisor asked to stop stops its workers itself; one killed outright (SIGKILL, the
    out-of-memory killer) cannot, and its workers lived on: still accepting on the shared
    socket, still taking the record's writer lock, but never restarted or stopped by anyone,
    and holding the port against the supervisor an operator starts next.  The parent's
    sentinel (multiprocessing's pipe, closed by the kernel when the parent dies) is waited on
    by a thread that does nothing else: no polling, nothing on the event loop.
    """
    parent = multiprocessing.parent_process()
    if parent is None:  # not started by a supervisor
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="supervisor-watch", daemon=True).start()


def serve_workers(
    settings: Settings, host: str, port: int, log_level: str, log_config: dict[str, Any]
) -> None:
    from uvicorn.supervisors import Multiprocess

    from deconfliction.api.connections import server_config

    with open_store(settings):
        pass  # created, migrated, signing keys made: before any worker starts
    with tempfile.TemporaryDirectory(prefix="deconflict-metrics-") as metrics:
        os.environ.update(
            {
                "DECONFLICT_DB": settings.db,
                "DECONFLICT_WORKERS": str(settings.workers),
                # Workers' metrics summed at /metrics (prometheus-client multiprocess mode).
                "PROMETHEUS_MULTIPROC_DIR": metrics,
            }
        )
        if settings.ledger_keys is not None:
            os.environ["DECONFLICT_LEDGER_KEYS"] = settings.ledger_keys
        config = server_config(  # the connection limits, as for one process
            f"{__name__}:app_for_worker",
            settings,
            host,
            port,
            factory=True,
            workers=settings.workers,
            log_level=log_level,
            log_config=log_config,
            access_log=False,
            # Live streams never end by themselves: give them a moment, then close them
            # (clients resume on another worker or node with Last-Event-ID).
            timeout_graceful_shutdown=3,
        )
        Multiprocess(config, sockets=[config.bind_socket()]).run()
