"""The daily report: its figures from the Golan day, byte-identical from the same tree head,
recomputed offline from a ledger export, every difference named; the commands."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from deconfliction.cli.app import app
from deconfliction.engine.detection.findings import AlertKind
from deconfliction.engine.reports.verify import verify_report
from deconfliction.service.incident_view import incident_view
from deconfliction.service.reading import read
from deconfliction.service.records import export
from deconfliction.service.reports import compute_daily, daily_files
from deconfliction.service.reports.charts import MapCounts
from deconfliction.service.reports.document import build_document, texts
from tests.support.golan_record import GolanRecord, golan_record
from tests.support.ledger_world import public_keyring

DAY = date(2026, 11, 24)


def files_of(
    record: GolanRecord, party: str | None, tree_size: int | None = None
) -> dict[str, bytes]:
    found: dict[str, bytes] = read(
        record.coordinator, None, lambda r: daily_files(r, DAY, tree_size), party=party
    )
    return found


def report_of(files: dict[str, bytes]) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(files["report.json"])["report"]
    return found


def figure(report: dict[str, Any], ident: str) -> dict[str, Any]:
    (found,) = [f for f in report["summary"] if f["id"] == ident]
    return found


def table(report: dict[str, Any], ident: str) -> list[list[Any]]:
    (found,) = [t for t in report["tables"] if t["id"] == ident]
    return [r["cells"] for r in found["rows"]]


def test_the_golan_day_in_figures(record: GolanRecord) -> None:
    report = report_of(files_of(record, None))
    assert figure(report, "summary.notices_new")["value"] == 2  # the patrol, the air operation
    assert figure(report, "summary.notices_new")["previous"] == 1  # the exercise, on the 23rd
    assert figure(report, "summary.notices_replace")["value"] == 1
    assert figure(report, "summary.notices_cancel")["value"] == 1
    assert figure(report, "summary.alerts.late-notice")["value"] == 1
    assert figure(report, "summary.alerts.zone-violation")["value"] == 5
    assert figure(report, "summary.alerts.red-line")["value"] == 1
    assert figure(report, "summary.observations")["value"] == 6
    assert figure(report, "summary.incidents")["value"] == 2
    (late,) = table(report, "late.notices")
    assert late[0] == "n-idf-001"
    assert (late[5], late[6], late[7]) == (50.0, 1800.0, 1750.0)
    by_party = {row[0]: row for row in table(report, "acknowledgement.by_party")}
    # Russia acknowledged the air operation 170 s after its delivery (09:59:10 to 10:02).
    assert 170.0 in next(s for s in report["latencies"] if s["party"] == "rus")["latencies_s"]
    assert by_party["rus"][1] >= 1
    incidents = {row[3]: row[7] for row in table(report, "incidents")}
    assert incidents == {
        "Il-20 reconnaissance aircraft lost": "disputed: place",
        "Quneitra National Hospital struck": "reported",
    }
    zones = {(row[0], row[3]) for row in table(report, "violations.by_zone")}
    assert ("syr-10", 1) in zones
    assert ("isr-20", 1) in zones
    # Every figure cites entries, and every cited entry is one the report could read.
    assert all(f["entries"] for f in report["summary"] if f["value"])
    # Every kind of alert is counted, the live tracks' too.
    counted = {f["id"].removeprefix("summary.alerts.") for f in report["summary"]}
    assert {kind.value for kind in AlertKind} <= counted


def test_each_party_sees_its_own_day(record: GolanRecord) -> None:
    sarc = report_of(files_of(record, "sarc"))
    rus = report_of(files_of(record, "rus"))
    assert figure(sarc, "summary.alerts.red-line")["value"] == 0
    assert table(sarc, "red_lines.crossings") == []
    assert figure(rus, "summary.alerts.red-line")["value"] == 1
    assert [row[1] for row in table(rus, "red_lines.crossings")] == ["rl-idf-militias-60"]
    # Russia is not concerned by the hospital; the Red Crescent not by the Il-20.
    assert [row[3] for row in table(rus, "incidents")] == ["Il-20 reconnaissance aircraft lost"]
    assert [row[3] for row in table(sarc, "incidents")] == ["Quneitra National Hospital struck"]


def test_the_same_head_gives_the_same_bytes(record: GolanRecord) -> None:
    first = files_of(record, "idf")
    head = json.loads(first["report.json"])["tree_head"]["tree_size"]
    # The log grows (a head is signed on demand); the report at the old head does not change.
    record.coordinator.run(lambda tx: tx.ledger.sign(tx.connection, tx.now))
    again = files_of(record, "idf", tree_size=head)
    assert (
        sorted(first)
        == sorted(again)
        == [
            "ack_latency.svg",
            "lead_times.svg",
            "map.svg",
            "report.html",
            "report.json",
            "report.pdf",
            "violations_by_hour.svg",
        ]
    )
    for name in first:
        assert first[name] == again[name], name
    assert first["report.pdf"].startswith(b"%PDF-")
    assert len(re.findall(rb"/Type\s*/Page\b", first["report.pdf"])) >= 3


@pytest.mark.parametrize("party", [None, "undof"])
def test_every_number_is_recomputed_from_an_export(record: GolanRecord, party: str | None) -> None:
    document = json.loads(files_of(record, party)["report.json"])
    exported = b"".join(export(record.coordinator, party)).splitlines(keepends=True)
    keys = public_keyring(record.coordinator)
    check = verify_report(document, exported, keys)
    assert check.ok, check.problems
    assert check.facts["figures_recomputed"] > 20
    # Any figure changed, any entry left out or added, is named.
    changed = json.loads(json.dumps(document))
    figure(changed["report"], "summary.alerts.zone-violation")["value"] = 4
    (problem,) = verify_report(changed, exported, keys).problems
    assert problem == (
        "report.summary[summary.alerts.zone-violation].value: the report says 4; the record gives 5"
    ) or problem.startswith("report.summary[summary.alerts.zone-violation].value")
    dropped = json.loads(json.dumps(document))
    counted = next(f for f in dropped["report"]["summary"] if f["entries"])
    counted["entries"] = counted["entries"][1:]
    (problem,) = verify_report(dropped, exported, keys).problems
    assert f"report.summary[{counted['id']}].entries" in problem


def test_a_report_is_checked_against_the_same_partys_export(record: GolanRecord) -> None:
    document = json.loads(files_of(record, "idf")["report.json"])
    whole = b"".join(export(record.coordinator, None)).splitlines(keepends=True)
    (problem,) = verify_report(document, whole, public_keyring(record.coordinator)).problems
    assert "export the same party's view" in problem


def test_no_word_of_permission(record: GolanRecord) -> None:
    reader_report = read(record.coordinator, None, lambda r: compute_daily(r, DAY))
    report, records, head = reader_report
    document = build_document(
        report,
        records,
        head,
        {k: k for k in ("map", "violations", "lead_times", "latency")},
        MapCounts(0, {}),
    )
    words = " ".join(texts(document)).lower()
    # Nor in the answers after an incident (the view, the bundle and `incident show`).
    for ident in record.ids.values():
        view = read(record.coordinator, None, lambda r, i=ident: incident_view(r, i))
        words += view.answers.model_dump_json().lower()
    for word in ("approv", "denied", "deny", "permit", "authoriz", "reject", "granted"):
        assert word not in words


def test_the_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    store = tmp_path / "golan.sqlite3"
    for _ in golan_record(str(store)):
        pass
    out = tmp_path / "report"
    run = runner.invoke(
        app,
        [
            "report",
            "daily",
            "--date",
            "2026-11-24",
            "--party",
            "idf",
            "--out",
            str(out),
            "--db",
            str(store),
        ],
    )
    assert run.exit_code == 0, run.output
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF-")
    exported = tmp_path / "export.txt"
    assert (
        runner.invoke(
            app, ["ledger", "export", "--party", "idf", "--out", str(exported), "--db", str(store)]
        ).exit_code
        == 0
    )
    keys = tmp_path / "keys.json"
    keys.write_text(
        runner.invoke(app, ["ledger", "key", "--json", "--db", str(store)]).output, encoding="utf-8"
    )
    check = runner.invoke(
        app,
        [
            "verify",
            "report",
            str(out / "report.json"),
            "--export",
            str(exported),
            "--key",
            str(keys),
        ],
    )
    assert check.exit_code == 0, check.output
    assert "verified" in check.output
    document = json.loads((out / "report.json").read_text(encoding="utf-8"))
    document["report"]["summary"][0]["value"] += 1
    (out / "changed.json").write_text(json.dumps(document), encoding="utf-8")
    check = runner.invoke(
        app, ["verify", "report", str(out / "changed.json"), "--export", str(exported)]
    )
    assert check.exit_code == 1
    assert "summary.notices_new" in check.output
    bad = runner.invoke(
        app, ["report", "daily", "--date", "24/11/2026", "--out", str(out), "--db", str(store)]
    )
    assert bad.exit_code == 2
    assert "--date" in bad.output
    bad = runner.invoke(
        app,
        [
            "report",
            "daily",
            "--date",
            "2026-11-24",
            "--tree-size",
            "999999",
            "--out",
            str(out),
            "--db",
            str(store),
        ],
    )
    assert bad.exit_code == 2
    assert "no tree head of size 999999" in bad.output


def test_a_busy_map_marks_a_sample_and_says_so(
    record: GolanRecord, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the cap the map marks an even sample of the violations and its caption says how
    many of how many; the report's figures still count every one."""
    whole = files_of(record, None)
    monkeypatch.setattr("deconfliction.service.reports.charts.MAX_MARKERS_DRAWN", 2)
    capped = files_of(record, None)
    assert capped["report.json"] == whole["report.json"]
    assert capped["map.svg"] != whole["map.svg"]
    html = capped["report.html"].decode()
    # Five violations seen in six observations, every third marked: two.
    assert (
        "2 of the 6 observations in zone violations are marked (an even sample); the figures "
        "count every one."
    ) in html
    assert "in red-line crossings" not in html  # one crossing: under the cap, all marked
    assert "are marked" not in whole["report.html"].decode()
