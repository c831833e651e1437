"""Recording through the coordinator: atomic, idempotent, replayable; on both stores."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from deconfliction.engine.errors import ConflictingRecord, InvalidInput
from deconfliction.engine.scenario import ordered_items
from deconfliction.engine.situation import Situation
from deconfliction.service.alerts import alerts_for
from deconfliction.service.clock import FixedClock
from deconfliction.service.coordinator import Coordinator
from deconfliction.service.documents import load_scenario_file
from deconfliction.service.loading import load_scenario
from deconfliction.store import events
from deconfliction.store.schema import events as events_table

RECORDED_AT = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.fixture
def coordinator(store_url):
    with Coordinator.open(store_url, clock=FixedClock(RECORDED_AT)) as c:
        yield c


@pytest.fixture
def golan(golan_path):
    return load_scenario_file(golan_path)


def _event_count(coordinator: Coordinator) -> int:
    with coordinator.db.reading() as connection:
        return events.last_seq(connection)


def test_loading_twice_records_nothing_twice(coordinator, golan):
    first = load_scenario(coordinator, golan)
    count = _event_count(coordinator)
    second = load_scenario(coordinator, golan)
    assert sum(first.recorded.values()) == 31
    assert sum(second.recorded.values()) == 0
    assert sum(second.unchanged.values()) == 31
    assert _event_count(coordinator) == count


def test_store_matches_an_in_memory_run(coordinator, golan):
    load_scenario(coordinator, golan)
    memory = Situation()
    for _, _, item in ordered_items(golan):
        memory.file(item)
    stored = {a.id: a for a in alerts_for(coordinator)}
    assert stored == memory.alerts


def test_a_reopened_store_rebuilds_the_same_situation(store_url, golan):
    location = store_url
    with Coordinator.open(location) as first:
        load_scenario(first, golan)
        expected = first.situation().alerts
    with Coordinator.open(location) as second:
        assert second.situation().alerts == expected


def test_an_error_midway_stores_nothing(coordinator, golan):
    items = [item for _, _, item in ordered_items(golan)]
    bad = golan.notices[-1].model_copy(update={"id": "n-bad", "replaces": "n-missing"})
    with pytest.raises(InvalidInput, match=r"notices\[9\]\.replaces: no notice 'n-missing'"):
        coordinator.record_many([*items, bad], locations=[("x", 0)] * len(items) + [("notices", 9)])
    assert _event_count(coordinator) == 0
    # The mirror was reset too: the same items record cleanly afterwards.
    coordinator.record_many(items)
    assert len(alerts_for(coordinator)) == 16


def test_a_different_notice_under_a_recorded_id_is_refused(coordinator, golan):
    load_scenario(coordinator, golan)
    count = _event_count(coordinator)
    changed = golan.notices[0].model_copy(update={"title": "something else"})
    with pytest.raises(ConflictingRecord, match="append-only"):
        coordinator.record(changed)
    assert _event_count(coordinator) == count


def test_server_time_is_the_clock_and_alert_time_is_the_scenario(coordinator, golan):
    load_scenario(coordinator, golan)
    with coordinator.db.reading() as connection:
        recorded = {r for (r,) in connection.execute(sa.select(events_table.c.recorded_at))}
    assert recorded == {RECORDED_AT}
    late = next(a for a in alerts_for(coordinator) if a.kind.value == "late-notice")
    assert late.raised_at == datetime(2026, 11, 24, 9, 59, 10, tzinfo=UTC)


def test_alerts_as_of_a_time(coordinator, golan):
    load_scenario(coordinator, golan)
    before_cancel = alerts_for(coordinator, at=datetime(2026, 11, 24, 10, 59, tzinfo=UTC))
    after_cancel = alerts_for(coordinator, at=datetime(2026, 11, 24, 11, 1, tzinfo=UTC))
    closed = {a.id for a in before_cancel} - {a.id for a in after_cancel}
    assert {a.kind.value for a in before_cancel if a.id in closed} == {
        "zone-entry",
        "notice-overlap",
    }
    assert alerts_for(coordinator, at=datetime(2025, 1, 1, tzinfo=UTC)) == []


def test_alerts_for_a_party_only_name_that_party(coordinator, golan):
    load_scenario(coordinator, golan)
    for party in ("idf", "rus", "sarc", "undof"):
        seen = alerts_for(coordinator, party=party)
        assert seen, party
        assert all(party in a.parties for a in seen)
    assert {a.kind.value for a in alerts_for(coordinator, party="sarc")} == {"site-duplicate"}
