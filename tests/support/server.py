"""A real HTTP server for API tests: uvicorn on 127.0.0.1, a port the system picks, in a thread.

The ``api`` fixture starts the application around a coordinator on the ``store_url`` store (so
every API test runs on SQLite and on PostgreSQL) with a clock the test moves by hand and no
background escalation (tests escalate when they choose, with :meth:`Api.escalate`).  It yields
an :class:`Api`: clients for a party in a role, tokens, and a few direct hands on the service
for setting up a world.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import uvicorn

from deconfliction import web
from deconfliction.api.app import create_app
from deconfliction.api.connections import server_config
from deconfliction.api.services import Services
from deconfliction.engine.ledger.heads import Keyring, keyring_from_text
from deconfliction.engine.scenario import ordered_items
from deconfliction.engine.situation import Item
from deconfliction.service.auth import Role, create_token, revoke_token
from deconfliction.service.clock import FixedClock
from deconfliction.service.coordinator import Coordinator, Tx
from deconfliction.service.documents import demo_path, load_scenario_file
from deconfliction.service.filing import file
from deconfliction.service.hotline import escalate_due
from deconfliction.service.proposals import expire_due
from deconfliction.service.settings import Settings
from deconfliction.store.feeds import feed_since

__all__ = ["NOW", "Api", "api", "running_server"]

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
"""Where the test clock starts: just after the Golan scenario's last event (11:40)."""

_START_TIMEOUT_S = 20.0


@dataclass
class Api:
    """A running server, and what a test needs around it."""

    url: str
    coordinator: Coordinator
    clock: FixedClock
    services: Services
    _clients: list[httpx.Client] = field(default_factory=list)

    def token(
        self,
        party: str,
        role: Role | str = Role.duty_officer,
        *,
        expires_at: datetime | None = None,
    ) -> str:
        """A new bearer token for ``party`` in ``role``."""
        _, token = create_token(
            self.coordinator.db, party=party, role=role, now=self.clock.now(), expires_at=expires_at
        )
        return token

    def revoke(self, token: str) -> None:
        revoke_token(self.coordinator.db, token.split("_")[1], self.clock.now())

    def client(self, token: str | None = None, **headers: str) -> httpx.Client:
        """A client of the server, with the token if given (closed with the fixture)."""
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        client = httpx.Client(base_url=self.url, headers=headers, timeout=30.0)
        self._clients.append(client)
        return client

    def as_(self, party: str, role: Role | str = Role.duty_officer) -> httpx.Client:
        """A client acting for ``party`` in ``role``."""
        return self.client(self.token(party, role))

    def run(self, command: Any) -> Any:
        """Run ``command(tx)`` on the server's writer (as a request would)."""
        return self.services.writer.execute(command)

    def record(self, items: Sequence[Item]) -> None:
        """File items directly (parties, agreements ... as a scenario would)."""

        def command(tx: Tx) -> None:
            for item in items:
                file(tx, item)

        self.run(command)

    def load_golan(self) -> None:
        """Record the bundled Golan scenario, in the order it happened."""
        scenario = load_scenario_file(demo_path())
        self.record([item for _, _, item in ordered_items(scenario)])

    def escalate(self) -> Any:
        """Take every escalation step due at the clock's time."""
        return self.run(escalate_due)

    def expire_proposals(self) -> list[str]:
        """Expire every proposal past its deadline at the clock's time; their ids."""
        return [p.id for p in self.run(expire_due)]

    def keys(self) -> Keyring:
        """The log's public keys, as a party would fetch them."""
        listed = httpx.get(f"{self.url}/.well-known/deconfliction/ledger-keys").text
        return keyring_from_text(listed)

    def replay_stream(self, party: str) -> str:
        """The party's live stream (``/v1/stream``) replayed from the start up to the newest
        event on its feed: everything the push channel ever gave it, as text."""
        with self.coordinator.db.reading() as connection:
            events = feed_since(connection, party, 0, limit=1_000_000)
        upto = events[-1].seq if events else 0
        text = ""
        headers = {"Authorization": f"Bearer {self.token(party, 'viewer')}", "Last-Event-ID": "0"}
        with httpx.stream(
            "GET", f"{self.url}/v1/stream", headers=headers, timeout=30.0
        ) as response:
            assert response.status_code == 200
            for chunk in response.iter_text():
                text += chunk
                ids = [int(line[4:]) for line in text.splitlines() if line.startswith("id: ")]
                if ids and max(ids) >= upto:
                    break
        return text

    def close(self) -> None:
        for client in self._clients:
            client.close()


def running_server(
    store_url: str,
    clock: FixedClock | None = None,
    settings: Settings | None = None,
    *,
    console: bool = False,
) -> Iterator[Api]:
    """Start the server on ``store_url``; yield an :class:`Api`; stop it and close the store.
    ``console`` also serves the console and its session endpoints (as ``deconflict serve``)."""
    clock = clock or FixedClock(NOW)
    coordinator = Coordinator.open(store_url, clock=clock)
    app = create_app(coordinator, settings, background=False)
    if console:
        web.install(app, coordinator, settings or Settings())
    config = server_config(
        app,
        settings or Settings(),
        "127.0.0.1",
        0,
        log_level="warning",
        lifespan="on",
        access_log=False,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="api-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + _START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            server.should_exit = True
            thread.join(_START_TIMEOUT_S)
            coordinator.close()
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    api = Api(f"http://127.0.0.1:{port}", coordinator, clock, app.state.services)
    try:
        yield api
    finally:
        api.close()
        server.should_exit = True
        thread.join(_START_TIMEOUT_S)
        coordinator.close()


@pytest.fixture
def api(store_url: str) -> Iterator[Api]:
    """A running server on a fresh store (once on SQLite, once on PostgreSQL)."""
    yield from running_server(store_url)
