"""NOTAMs through the command line and the API, on both stores: N/R/C become versions of one
notice of the civil-aviation party; conflicts are found as for any notice; a batch is all or
nothing; every NOTAM and every version has its ledger entry."""

from __future__ import annotations

import json

import sqlalchemy as sa
from typer.testing import CliRunner

from deconfliction.cli.app import app
from deconfliction.store.database import Database
from deconfliction.store.schema import events
from tests.formats.conftest import WORLD, notam_text, world

runner = CliRunner()

IDF_NOTICE = {
    "kind": "air_operation",
    "title": "Patrol over the area",
    "volumes": [
        {
            "outline": {"type": "circle", "center": "33.2N 35.6E", "radius": "3 km"},
            "altitude": {"lower": "SFC", "upper": "FL080"},
            "window": {"start": "2026-11-24T07:00:00Z", "end": "2026-11-24T09:00:00Z"},
        }
    ],
}


def run(*args: str, **kwargs):
    return runner.invoke(app, list(args), env={"COLUMNS": "200"}, **kwargs)


def count_events(store: str, type_: str) -> int:
    db = Database(store)
    try:
        with db.reading() as c:
            return c.execute(
                sa.select(sa.func.count()).select_from(events).where(events.c.type == type_)
            ).scalar_one()
    finally:
        db.close()


def test_cli_imports_a_chain_and_exports_a_proposal(tmp_path, store_url):
    assert run("load", str(WORLD), "--db", store_url).exit_code == 0
    source = tmp_path / "batch.txt"
    source.write_text(
        notam_text("01_polygon_new.txt", "02_replace_circle_est.txt"), encoding="utf-8"
    )
    result = run("notam", "import", str(source), "--db", store_url, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["counts"] == {"recorded": 2, "unchanged": 0, "refused": 0}
    first, second = report["notams"]
    assert (first["action"], second["action"]) == ("new", "replace")
    assert second["flags"] == ["end estimated (EST)"]
    assert count_events(store_url, "notam.imported") == 2
    # The same batch again changes nothing.
    again = json.loads(run("notam", "import", str(source), "--db", store_url, "--json").stdout)
    assert again["counts"]["unchanged"] == 2
    assert count_events(store_url, "notam.imported") == 2
    # The cancellation, from standard input.
    cancel = run(
        "notam", "import", "-", "--db", store_url, "--json", input=notam_text("03_cancel.txt")
    )
    assert cancel.exit_code == 0, cancel.output
    assert json.loads(cancel.stdout)["notams"][0]["action"] == "cancel"
    # A proposal for the replacement keeps the NOTAM's own FIR, code and location.
    exported = run("notam", "export", second["notice"], "--db", store_url, "--json")
    assert exported.exit_code == 0, exported.output
    body = json.loads(exported.stdout)
    assert body["proposal"] is True
    (notam,) = body["notams"]
    assert notam["q_line"].startswith("LLLL/QRTCA/")
    assert "F) SFC G) FL100)" in notam["text"]
    # Proposing a cancellation is refused with the reason.
    refused = run(
        "notam", "export", json.loads(cancel.stdout)["notams"][0]["notice"], "--db", store_url
    )
    assert refused.exit_code == 2
    assert "cancellation" in refused.stderr


def test_a_bad_batch_stores_nothing_and_names_every_problem(tmp_path, store_url):
    assert run("load", str(WORLD), "--db", store_url).exit_code == 0
    bad = notam_text("01_polygon_new.txt") + (
        "\n(A0099/26 NOTAMR A0001/26\nQ) LLLL/QRTCA/IV/BO/W/000/100/3313N03536E005\n"
        "A) LLLL B) 2611240600 C) 2611251800\nD) DAILY SR-SS\nE) X\nF) SFC G) 100FT)\n"
    )
    source = tmp_path / "bad.txt"
    source.write_text(bad, encoding="utf-8")
    result = run("notam", "import", str(source), "--db", store_url)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert any("notams[1].header: A0099/26: NOTAMR A0001/26" in line for line in lines)
    assert any("notams[1].D: A0099/26: SR/SS" in line for line in lines)
    assert any("notams[1].G: A0099/26" in line and "no datum" in line for line in lines)
    assert count_events(store_url, "notam.imported") == 0
    # --each records the valid one and reports the other.
    each = run("notam", "import", str(source), "--db", store_url, "--each", "--json")
    assert each.exit_code == 2
    assert json.loads(each.stdout)["counts"] == {"recorded": 1, "unchanged": 0, "refused": 1}
    assert count_events(store_url, "notam.imported") == 1


def test_api_notams_raise_alerts_keep_need_to_know_and_carry_receipts(api):
    api.record(world())
    idf = api.as_("idf")
    assert idf.post("/v1/notices", json=IDF_NOTICE).status_code == 201
    # Only the civil-aviation party's duty officers (or an administrator) import.
    refused = idf.post("/v1/notams", json={"text": notam_text("01_polygon_new.txt")})
    assert refused.status_code == 403
    caa = api.as_("caa")
    answer = caa.post("/v1/notams", json={"text": notam_text("01_polygon_new.txt")})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["counts"]["recorded"] == 1
    assert body["notams"][0]["alerts"], "the NOTAM area overlaps the patrol"
    assert body["receipt"]["tree_head"]
    notice_id = body["notams"][0]["notice"]
    # The force sees the NOTAM's notice and the alert; a party outside the agreement does not.
    assert idf.get(f"/v1/notices/{notice_id}").status_code == 200
    assert api.as_("sarc").get(f"/v1/notices/{notice_id}").status_code == 404
    alerts = idf.get("/v1/alerts").json()["alerts"]
    assert any(notice_id in a["subjects"] for a in alerts)
    # The proposal, as the force may read it.
    proposal = idf.get(f"/v1/notices/{notice_id}/notam")
    assert proposal.status_code == 200, proposal.text
    assert proposal.json()["notams"][0]["text"].startswith("(X0001/26 NOTAMN")
    assert api.as_("sarc").get(f"/v1/notices/{notice_id}/notam").status_code == 404
    # An invalid batch: 422, every problem with its NOTAM and item, nothing stored.
    bad = caa.post(
        "/v1/notams",
        json={
            "text": "(A0001/26 NOTAMN\nQ) LLLL/QRTC/IV/BO/W/000/100/3313N03536E005\nA) LLLL B) 2611240600 C) 2611251800\nE) X)"
        },
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["problems"][0]["path"] == "notams[0].Q"
