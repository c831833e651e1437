"""The token table: requests authenticated from memory, tokens created or revoked elsewhere
seen at once (created) or within ``refresh_s`` (revoked)."""

from __future__ import annotations

import pytest

from deconfliction.engine.errors import Unauthenticated
from deconfliction.engine.model import Party
from deconfliction.service.auth import Principal, Role, create_token, revoke_token
from deconfliction.service.coordinator import Coordinator
from deconfliction.service.filing import file
from deconfliction.service.token_table import TokenTable


@pytest.fixture
def coordinator(store_url: str):
    with Coordinator.open(store_url) as coordinator:
        coordinator.run(
            lambda tx: file(
                tx,
                Party.model_validate(
                    {"id": "idf", "name": "IDF", "kind": "armed_force", "duty_contacts": []}
                ),
            )
        )
        yield coordinator


def _token(coordinator: Coordinator) -> tuple[str, str]:
    record, token = create_token(
        coordinator.db, party="idf", role=Role.duty_officer, now=coordinator.clock.now()
    )
    return record.id, token


def test_a_known_token_is_checked_without_reading_the_store(coordinator):
    table = TokenTable(coordinator.db, refresh_s=3600)
    _, token = _token(coordinator)
    now = coordinator.clock.now()
    assert table.authenticate(token, now) == Principal("idf", Role.duty_officer, token[4:20])
    for _ in range(20):
        table.authenticate(token, now)
    assert table.loads == 1


def test_a_token_created_elsewhere_is_known_at_once(coordinator):
    table = TokenTable(coordinator.db, refresh_s=3600)
    _, first = _token(coordinator)
    table.authenticate(first, coordinator.clock.now())
    _, second = _token(coordinator)  # by another process, say: the table was loaded before
    assert table.authenticate(second, coordinator.clock.now()).party == "idf"
    with pytest.raises(Unauthenticated, match="unknown token"):
        table.authenticate("dlt_0123456789abcdef_" + "x" * 43, coordinator.clock.now())


def test_a_token_revoked_elsewhere_is_refused_after_the_refresh(coordinator):
    now = coordinator.clock.now()
    cached = TokenTable(coordinator.db, refresh_s=3600)
    fresh = TokenTable(coordinator.db, refresh_s=0.0)  # asks the store on every request
    token_id, token = _token(coordinator)
    cached.authenticate(token, now)
    fresh.authenticate(token, now)
    revoke_token(coordinator.db, token_id, now)
    # Within refresh_s the table may still take it (the documented bound) ...
    assert cached.authenticate(token, now).party == "idf"
    # ... after it, never.
    with pytest.raises(Unauthenticated, match="revoked"):
        fresh.authenticate(token, now)
    assert not fresh.still_valid(Principal("idf", Role.duty_officer, token_id), now)
