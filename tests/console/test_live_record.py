"""News merged into an open console keeps the map equal to the API: after a filing, a
replacement and a cancellation arrive on the live stream (rows kept, rows appended, spans of
rows already drawn changed in place), the drawn volumes, zones and open alerts at every
boundary instant equal ``GET /v1/notices?at=``, ``/v1/zones?at=`` and ``/v1/alerts?at=``."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Browser

from deconfliction.engine.ledger.entries import format_time
from tests.console.conftest import new_context, open_console, probe, wait_until
from tests.console.test_instants import boundaries, expected
from tests.support.server import NOW, Api


def _volume(hours: int) -> dict[str, object]:
    start = NOW + timedelta(hours=hours)
    return {
        "outline": {"type": "circle", "center": "33.10N 35.80E", "radius": "8 km"},
        "altitude": {"lower": "FL050", "upper": "FL150"},
        "window": {"start": format_time(start), "end": format_time(start + timedelta(hours=2))},
    }


def test_news_merged_live_draws_what_the_api_answers(browser: Browser, golan: Api) -> None:
    idf = golan.client(golan.token("idf"))
    rus = golan.client(golan.token("rus"))
    context = new_context(browser)
    page = open_console(context, golan, "idf")
    wait_until(page, "() => window.deconflictionConsole.liveStatus() === 'live'")
    before = probe(page, "position")

    mine = [
        n["id"]
        for n in idf.get("/v1/notices", params={"status": "current"}).json()["notices"]
        if n["author"] == "idf"
    ]
    assert mine
    filed = rus.post("/v1/notices", json={"kind": "air_operation", "volumes": [_volume(3)]})
    own = idf.post("/v1/notices", json={"kind": "air_operation", "volumes": [_volume(5)]})
    replaced = idf.post(
        f"/v1/notices/{mine[0]}/replace",
        json={"kind": "air_operation", "title": "moved", "volumes": [_volume(4)]},
    )
    assert own.status_code == 201, own.text
    gone = own.json()["notice"]["id"]
    cancelled = idf.post(f"/v1/notices/{gone}/cancel", json={"title": "off"})
    for answer in (filed, replaced, cancelled):
        assert answer.status_code == 201, answer.text
    position = idf.get("/v1/history").json()["position"]
    assert position > before
    wait_until(
        page, "(p) => window.deconflictionConsole.position() >= p", arg=position, timeout_ms=120_000
    )

    instants = boundaries(idf)
    drawn_at = probe(page, "drawnAt", [format_time(t) for t in instants])
    context.close()
    mismatches = [
        (format_time(t), drawn, wanted)
        for t, drawn in zip(instants, drawn_at, strict=True)
        if drawn != (wanted := expected(idf, t))
    ]
    assert mismatches == []
    ids = {v.split("#")[0] for d in drawn_at for v in d["volumes"]}
    # Not vacuous: the news is drawn at some instant, the cancelled version drawn cancelled.
    assert replaced.json()["notice"]["id"] in ids
    other = filed.json()["notice"]["id"]
    assert (other in ids) == (idf.get(f"/v1/notices/{other}").status_code == 200)
    assert any(f"{gone}#0:cancelled" in d["volumes"] for d in drawn_at)
