"""Requests that find the token table stale together share one refresh, off the event loop
(``Services.fresh_tokens``): under load a whole batch of requests used to find it stale while
the first refresh ran, each starting its own."""

from __future__ import annotations

import asyncio

import pytest

from deconfliction.api.services import Services
from deconfliction.engine.model import Party
from deconfliction.service.auth import Role, create_token
from deconfliction.service.coordinator import Coordinator
from deconfliction.service.filing import file
from deconfliction.service.settings import Settings


@pytest.fixture
def services(store_url: str):
    with Coordinator.open(store_url) as coordinator:
        coordinator.run(
            lambda tx: file(
                tx,
                Party.model_validate(
                    {"id": "idf", "name": "IDF", "kind": "armed_force", "duty_contacts": []}
                ),
            )
        )
        found = Services(coordinator, Settings(token_refresh_s=60))
        ran: list[int] = []
        table_refresh = found.tokens.refresh

        def refresh() -> None:  # the table's own refresh, counted
            ran.append(1)
            table_refresh()

        found.tokens.refresh = refresh  # type: ignore[method-assign]
        yield found, ran


def test_requests_finding_the_table_stale_together_share_one_refresh(services):
    services, ran = services
    _, token = create_token(
        services.coordinator.db, party="idf", role=Role.duty_officer, now=services.clock.now()
    )

    async def scenario() -> None:
        assert services.tokens.stale()
        await asyncio.gather(*(services.fresh_tokens() for _ in range(30)))
        await services.fresh_tokens()  # fresh now: nothing to do

    asyncio.run(scenario())
    assert len(ran) == 1
    assert not services.tokens.stale()
    assert services.tokens.loads == 1  # the token created before is in the table
    assert services.tokens.authenticate(token, services.clock.now()).party == "idf"


def test_a_request_that_goes_away_does_not_cancel_the_others_refresh(services):
    services, ran = services

    async def scenario() -> None:
        first = asyncio.ensure_future(services.fresh_tokens())
        others = [asyncio.ensure_future(services.fresh_tokens()) for _ in range(5)]
        await asyncio.sleep(0)  # all of them waiting for the one refresh
        first.cancel()
        await asyncio.gather(*others)
        with pytest.raises(asyncio.CancelledError):
            await first

    asyncio.run(scenario())
    assert len(ran) == 1
    assert not services.tokens.stale()


def test_each_event_loop_gets_its_own_refresh(services):
    services, ran = services
    services.tokens.refresh_s = 0.0  # stale again at once

    asyncio.run(services.fresh_tokens())
    asyncio.run(services.fresh_tokens())  # a new loop: never waits on the first loop's
    assert len(ran) == 2


def test_a_failed_refresh_fails_every_waiter_and_the_next_request_tries_again(services):
    services, ran = services
    counted = services.tokens.refresh

    def failing_once() -> None:
        if not ran:
            ran.append(1)
            raise OSError("the store went away")  # before the table was read
        counted()

    services.tokens.refresh = failing_once  # type: ignore[method-assign]

    async def scenario() -> list[object]:
        outcomes = await asyncio.gather(
            *(services.fresh_tokens() for _ in range(3)), return_exceptions=True
        )
        await services.fresh_tokens()  # the table still stale: asked again, now it works
        return outcomes

    outcomes = asyncio.run(scenario())
    assert [type(o) for o in outcomes] == [OSError] * 3
    assert len(ran) == 2
    assert not services.tokens.stale()
