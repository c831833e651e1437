"""The dispute timeline verifies in the browser; the evidence it downloads is accepted by
`deconflict verify evidence` offline; a tampered evidence file is reported as failed, by the
page and by the command, with what failed."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Browser
from typer.testing import CliRunner

from deconfliction.cli.app import app as cli
from tests.api.bodies import notice
from tests.console.conftest import (
    SCREENSHOTS,
    TIMEOUT_MS,
    goto_view,
    new_context,
    open_console,
)
from tests.support.server import Api


def test_the_dispute_timeline_verifies_and_a_tampered_file_fails(
    browser: Browser, golan: Api, tmp_path: Path
) -> None:
    idf, rus = golan.as_("idf"), golan.as_("rus")
    filed = idf.post("/v1/notices", json=notice(title="disputed")).json()
    notice_id = filed["notice"]["id"]
    golan.clock.advance(30)
    (delivery,) = [d for d in rus.get("/v1/inbox").json()["items"] if d["item_id"] == notice_id]
    assert rus.get(f"/v1/inbox/{delivery['id']}").status_code == 200  # read
    golan.clock.advance(60)
    assert (
        rus.post(f"/v1/inbox/{delivery['id']}/ack", json={"reply": "received"}).status_code == 200
    )
    sent = idf.post("/v1/messages", json={"to": "rus", "body": "confirm?", "notice_id": notice_id})
    assert sent.status_code == 201, sent.text
    keys = tmp_path / "keys.json"
    keys.write_text(idf.get("/.well-known/deconfliction/ledger-keys").text, encoding="utf-8")

    context = new_context(browser)
    page = open_console(context, golan, "idf")
    goto_view(page, f"timeline/{notice_id}")
    verdict = page.locator(".verdict[data-verdict]")
    verdict.wait_for()
    assert verdict.get_attribute("data-verdict") == "verified"
    events = page.locator("table.timeline-lines tbody tr td:nth-child(3)").all_inner_texts()
    for event in (
        "notice.filed",
        "delivery.created",
        "delivery.read",
        "delivery.acknowledged",
        "message.sent",
    ):
        assert any(event in e for e in events), event
    assert page.locator("table.timeline-lines td.failed").count() == 0
    page.screenshot(
        path=str(SCREENSHOTS / "dispute-timeline.png"), full_page=True, timeout=TIMEOUT_MS
    )
    axis = page.locator(".dispute-axis").text_content() or ""
    assert "lead time" in axis
    assert "acknowledged after 1 min 30 s" in axis

    with page.expect_download() as download:
        page.get_by_role("button", name="Download evidence").click()
    evidence = tmp_path / "evidence.json"
    download.value.save_as(evidence)
    runner = CliRunner()
    checked = runner.invoke(cli, ["verify", "evidence", str(evidence), "--key", str(keys)])
    assert checked.exit_code == 0, checked.output
    assert "verified" in checked.output

    # One byte changed in one entry (the time an addressee acknowledged).
    document = json.loads(evidence.read_text(encoding="utf-8"))
    (line,) = [x for x in document["timeline"]["lines"] if x["event"] == "delivery.acknowledged"]
    entry = line["receipt"]["entry"]
    line["receipt"]["entry"] = entry.replace('"reply":"received"', '"reply":"not received"')
    assert line["receipt"]["entry"] != entry
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps(document), encoding="utf-8")

    page.set_input_files("#evidence-file", str(tampered))
    result = page.locator("p.verdict.failed", has_text="tampered.json")
    result.wait_for()
    assert "verification failed" in result.inner_text()
    assert f"entry {line['index']}: its content does not match its leaf hash" in result.inner_text()
    refused = runner.invoke(cli, ["verify", "evidence", str(tampered), "--key", str(keys)])
    assert refused.exit_code == 1
    assert f"entry {line['index']}: its content does not match its leaf hash" in refused.output

    # The untouched file, given back to the page, checks.
    page.set_input_files("#evidence-file", str(evidence))
    page.locator("p.verdict.verified", has_text="evidence.json").wait_for()
    context.close()
