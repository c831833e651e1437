"""What the map draws at an instant is what the API answers for that instant: for 200 random
instants of the Golan day, and at every instant where something starts, ends, is filed,
replaced, cancelled, raised or closed (and a microsecond either side), the drawn volumes
(with their state), zones and open alerts equal ``GET /v1/notices?at=``, ``/v1/zones?at=``
and ``/v1/alerts?at=``."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Browser

from deconfliction.engine.ledger.entries import format_time
from deconfliction.engine.model.common import parse_utc
from tests.console.conftest import new_context, open_console, probe
from tests.support.server import Api

RANDOM_INSTANTS = 200


def expected(client: httpx.Client, instant: datetime) -> dict[str, list[str]]:
    """The drawn state at ``instant`` as the API answers it (the rule: docs/design/console.md)."""
    at = format_time(instant)
    notices = client.get("/v1/notices", params={"at": at, "status": "all", "limit": 10000})
    zones = client.get("/v1/zones", params={"at": at})
    alerts = client.get("/v1/alerts", params={"at": at, "limit": 10000})
    for answer in (notices, zones, alerts):
        assert answer.status_code == 200, answer.text
    volumes = set()
    for n in notices.json()["notices"]:
        if n["status"] not in ("current", "cancelled"):
            continue
        for i, v in enumerate(n["volumes"]):
            start, end = parse_utc(v["window"]["start"]), parse_utc(v["window"]["end"])
            if end <= instant:
                continue
            state = (
                "cancelled"
                if n["status"] == "cancelled"
                else "active"
                if start <= instant
                else "upcoming"
            )
            volumes.add(f"{n['id']}#{i}:{state}")
    return {
        "volumes": sorted(volumes),
        "zones": sorted(z["id"] for z in zones.json()["zones"]),
        "alerts": sorted(a["id"] for a in alerts.json()["alerts"]),
    }


def boundaries(client: httpx.Client) -> list[datetime]:
    """Every instant at which the record says something changes."""
    found: set[datetime] = set()
    for n in client.get("/v1/notices", params={"status": "all"}).json()["notices"]:
        found.add(parse_utc(n["filed_at"]))
        for v in n["volumes"]:
            found |= {parse_utc(v["window"]["start"]), parse_utc(v["window"]["end"])}
    for a in client.get("/v1/alerts").json()["alerts"]:
        found |= {parse_utc(t) for t in (a["raised_at"], a["updated_at"], a["closed_at"]) if t}
    micro = timedelta(microseconds=1)
    return sorted({t + d for t in found for d in (-micro, timedelta(0), micro)})


@pytest.mark.parametrize(
    ("party", "role", "random_instants"),
    [
        ("idf", "duty_officer", RANDOM_INSTANTS),
        ("rus", "duty_officer", 40),
        ("undof", "monitor", 40),
    ],
)
def test_the_map_equals_the_api_at_every_instant(
    browser: Browser, golan: Api, party: str, role: str, random_instants: int
) -> None:
    client = golan.client(golan.token(party, role))
    instants = boundaries(client)
    assert len(instants) > 10
    day = datetime(2026, 11, 22, tzinfo=UTC), datetime(2026, 11, 25, tzinfo=UTC)
    spread = int((day[1] - day[0]).total_seconds() * 1e6)
    rng = random.Random(f"console-{party}")
    instants += [
        day[0] + timedelta(microseconds=rng.randrange(spread)) for _ in range(random_instants)
    ]

    context = new_context(browser)
    page = open_console(context, golan, party, role)
    drawn_at = probe(page, "drawnAt", [format_time(t) for t in instants])
    context.close()
    mismatches = []
    seen_volumes = set()
    for instant, drawn in zip(instants, drawn_at, strict=True):
        wanted = expected(client, instant)
        seen_volumes |= set(drawn["volumes"])
        if drawn != wanted:
            mismatches.append((format_time(instant), drawn, wanted))
    assert mismatches == []
    if party != "undof":  # not vacuous: volumes were drawn in each state at some instant
        assert {v.rsplit(":", 1)[1] for v in seen_volumes} >= {"active", "upcoming", "cancelled"}


def test_each_label_shows_the_band_exactly_as_filed(browser: Browser, golan: Api) -> None:
    """No bound converted: the labels on the map are the API's two bounds as they were filed
    (a flight level stays a flight level, AGL stays AGL)."""
    instant = "2026-11-24T10:05:00Z"
    client = golan.client(golan.token("idf"))
    filed = {
        f"{v['altitude']['lower']}–{v['altitude']['upper']}"
        for n in client.get("/v1/notices", params={"at": instant}).json()["notices"]
        for v in n["volumes"]
    }
    context = new_context(browser)
    page = open_console(context, golan, "idf", at=instant)
    page.wait_for_selector(".map-labels span")
    shown = set(page.locator(".map-labels span").all_inner_texts())
    context.close()
    assert shown
    assert shown <= filed
    assert {"FL050–FL250", "SFC–50 m AGL"} <= shown
