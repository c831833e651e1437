"""Red lines: unilateral, watched on observations, never applied to notices, seen by the
audience the declarer chose and by nobody else (the leak test runs over the API, the ledger
export and the daily report)."""

from __future__ import annotations

import json
import shutil
import subprocess
from datetime import date
from typing import Any

import pytest

from deconfliction.engine.alerts import AlertStatus
from deconfliction.engine.detection.findings import AlertKind
from deconfliction.engine.errors import ConflictingRecord, InvalidInput
from deconfliction.engine.model import Agreement, Line, ZoneAgreement
from deconfliction.engine.model.red_lines import RedLine
from deconfliction.engine.situation import Situation
from deconfliction.service.reading import read
from deconfliction.service.records import export
from deconfliction.service.reports import daily_files
from tests.support.factory import notice, observation, party

LINE = Line(id="l", name="Line L", vertices=["33.0N 35.8E", "33.4N 35.8E"])


def red_line(**changes: Any) -> RedLine:
    body: dict[str, Any] = {
        "id": "rl-1",
        "declared_by": "a",
        "declared_at": "2026-11-24T00:00:00Z",
        "name": "No militia within 30 km east of Line L",
        "area": {"type": "band", "line": "l", "to": "30 km", "side": "east"},
        "rules": [{"type": "no_presence", "applies_to": {"affiliations": ["Militia X"]}}],
        "audience": {"type": "parties", "parties": ["b"]},
    }
    return RedLine.model_validate(body | changes)


@pytest.fixture
def situation() -> Situation:
    s = Situation()
    for p in ("a", "b", "c", "m"):
        s.file(party(p, kind="monitor" if p == "m" else "armed_force"))
    s.file(Agreement(id="ab", name="A-B", parties=["a", "b"], monitors=["m"]))
    s.file(LINE)
    # A zone agreement signed by a, b and c gives them sight of observations (the one rule).
    s.file(
        ZoneAgreement(
            id="z",
            name="Z",
            signatories=["a", "b", "c"],
            monitors=["m"],
            area={"type": "polygon", "vertices": ["31.0N 30.0E", "31.01N 30.0E", "31.0N 30.01E"]},
            rules=[{"type": "no_presence"}],
        )
    )
    s.file(red_line())
    return s


def militia(ident: str = "o-1", when: str = "2026-11-24T10:00:00Z", **changes: Any):
    return observation(
        ident,
        reported_by="m",
        observed_at=when,
        position="33.2000N 36.0000E",  # about 18.6 km east of Line L
        affiliation="Militia X",
        unit_category="militia",
        **changes,
    )


def test_a_crossing_is_told_to_the_declarer_and_its_audience(situation: Situation) -> None:
    (change,) = situation.file(militia()).changes
    alert = change.alert
    assert alert.kind is AlertKind.red_line
    assert alert.parties == ("a", "b")  # c signs the zone but is not in the audience
    assert alert.subjects == ("rl-1", "o-1")
    assert "watched, not enforced" in alert.explanation
    assert alert.figures["declared_by"] == "a"


def test_it_is_never_applied_to_notices(situation: Situation) -> None:
    """A notice deep inside the red line, by the party it would bar, raises nothing."""
    crossing = notice("n-9", author="b", center="33.2000N 36.0000E", radius="5 km")
    assert situation.file(crossing).changes == ()


def test_observations_made_before_the_declaration_are_not_checked(situation: Situation) -> None:
    assert situation.file(militia(when="2026-11-23T23:59:59Z")).changes == ()


def test_a_party_of_the_audience_that_may_not_see_the_observation_is_not_named() -> None:
    s = Situation()
    for p in ("a", "b", "m"):
        s.file(party(p))
    s.file(LINE)
    s.file(red_line())  # no zone agreement: only the reporter may see an observation
    seen_by_a = observation(
        "o-2",
        reported_by="a",
        observed_at="2026-11-24T10:00:00Z",
        position="33.2000N 36.0000E",
        affiliation="Militia X",
        unit_category="militia",
    )
    (change,) = s.file(seen_by_a).changes
    assert change.alert.parties == ("a",)


def test_an_ended_red_line_is_no_longer_watched(situation: Situation) -> None:
    situation.file(red_line(ended=True, declared_at="2026-11-24T01:00:00Z"))
    assert situation.file(militia()).changes == ()


def test_only_its_declarer_changes_it(situation: Situation) -> None:
    with pytest.raises(ConflictingRecord, match="only its declarer"):
        situation.file(red_line(declared_by="b"))


def test_an_agreement_as_audience_and_bad_references(situation: Situation) -> None:
    situation.file(red_line(id="rl-2", audience={"type": "agreement", "agreement": "ab"}))
    assert situation.audience(situation.red_lines["rl-2"].red_line) == {"a", "b"}
    with pytest.raises(InvalidInput) as error:
        situation.file(red_line(id="rl-3", audience={"type": "parties", "parties": ["zz"]}))
    assert [str(p) for p in error.value.problems] == ["audience.parties[0]: no party 'zz'"]
    with pytest.raises(ValueError, match="type 'agreement' names one agreement"):
        red_line(audience={"type": "agreement"})


def test_a_cap_red_line_opens_and_closes(situation: Situation) -> None:
    situation.file(
        red_line(
            id="rl-cap",
            rules=[
                {
                    "type": "cap",
                    "applies_to": {"affiliations": ["Militia X"]},
                    "caps": {"troops": 100},
                }
            ],
        )
    )
    situation.file(militia("o-a", counts={"troops": 80}, unit_id="u1"))
    opened = situation.file(
        militia("o-b", when="2026-11-24T11:00:00Z", counts={"troops": 30}, unit_id="u2")
    )
    caps = [c for c in opened.changes if "troops_count" in c.alert.figures]
    assert [c.alert.figures["troops_count"] for c in caps] == [110]
    closed = situation.file(
        militia("o-c", when="2026-11-24T12:00:00Z", counts={"troops": 10}, unit_id="u2")
    )
    (cap,) = [c.alert for c in closed.changes if c.alert.id == caps[0].alert.id]
    assert cap.status is AlertStatus.closed


def test_weapons_and_their_transfer_into_the_area(situation: Situation) -> None:
    """ "No advanced weapons transferred to Militia X east of the line": a transfer is seen as
    the receiving unit holding the class inside the area (the zone rules' ``no_weapons``); a
    unit of another affiliation, or with other weapons, crosses nothing."""
    situation.file(
        red_line(
            id="rl-arms",
            name="No surface-to-surface missiles for Militia X east of Line L",
            rules=[
                {
                    "type": "no_weapons",
                    "applies_to": {"affiliations": ["Militia X"]},
                    "weapon_classes": ["ssm", "sam"],
                }
            ],
        )
    )
    armed = militia("o-arms", weapons=[{"class": "ssm", "count": 2}])
    kinds = {(c.alert.kind, c.alert.subjects[0]) for c in situation.file(armed).changes}
    assert (AlertKind.red_line, "rl-arms") in kinds
    rifles = militia("o-rifles", when="2026-11-24T10:05:00Z", weapons=[{"class": "small_arms"}])
    assert all(c.alert.subjects[0] != "rl-arms" for c in situation.file(rifles).changes)
    others = observation(
        "o-other",
        reported_by="m",
        observed_at="2026-11-24T10:10:00Z",
        position="33.2000N 36.0000E",
        affiliation="Army Y",
        unit_category="artillery",
        weapons=[{"class": "ssm"}],
    )
    assert situation.file(others).changes == ()


# -- the leak test, over the API, the ledger export and the daily report ----------------------


def pdf_text(pdf: bytes, expected: str = "") -> str:
    """The PDF's text by poppler's ``pdftotext``; where it is not installed, ``expected``
    (the check of the PDF is then left to the HTML and JSON it is typeset from)."""
    if shutil.which("pdftotext") is None:
        return expected
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return " ".join(done.stdout.decode("utf-8").split())


def test_nobody_outside_the_audience_learns_of_the_red_line(api) -> None:
    """Israel's red line is told to Russia.  UNDOF (which reported the militia) and the Red
    Crescent must not learn of it or of its crossing anywhere: not its item, not its alert,
    not its ledger entries, not their daily report."""
    api.load_golan()
    ident = "rl-idf-militias-60"
    clients = {p: api.as_(p) for p in ("idf", "rus", "sarc")}
    clients["undof"] = api.as_("undof", "monitor")
    (crossing,) = clients["idf"].get("/v1/alerts", params={"kind": "red-line"}).json()["alerts"]
    assert crossing["parties"] == ["idf", "rus"]
    for p in ("idf", "rus"):
        assert clients[p].get(f"/v1/red-lines/{ident}").status_code == 200
        assert clients[p].get(f"/v1/alerts/{crossing['id']}").status_code == 200
    coordinator = api.coordinator
    for p in ("undof", "sarc"):
        assert clients[p].get(f"/v1/red-lines/{ident}").status_code == 404
        assert clients[p].get("/v1/red-lines").json() == {"red_lines": []}
        assert clients[p].get(f"/v1/alerts/{crossing['id']}").status_code == 404
        assert crossing["id"] not in json.dumps(
            clients[p].get("/v1/alerts", params={"status": "all"}).json()
        )
        inbox = clients[p].get("/v1/inbox").json()["items"]
        assert crossing["id"] not in {i["item_id"] for i in inbox}
        exported = b"".join(export(coordinator, p))
        assert ident.encode() not in exported
        assert crossing["id"].encode() not in exported
        report = clients[p].get("/v1/reports/daily", params={"date": "2026-11-24"})
        assert report.status_code == 200, report.text
        assert ident not in report.text
        assert crossing["id"] not in report.text
        files = read(
            coordinator, None, lambda r, day=date(2026, 11, 24): daily_files(r, day), party=p
        )
        for name, content in files.items():
            assert ident.encode() not in content, (p, name)
            assert crossing["id"].encode() not in content, (p, name)
        assert "rl-idf" not in pdf_text(files["report.pdf"])
        pushed = api.replay_stream(p)
        assert ident not in pushed
        assert crossing["id"] not in pushed
    seen = read(coordinator, None, lambda r: daily_files(r, date(2026, 11, 24)), party="rus")
    assert ident.encode() in seen["report.json"]
    assert b"Red-line crossings" in seen["report.html"]
    shown = pdf_text(seen["report.pdf"], "rl-idf")
    assert "rl-idf" in shown, shown[shown.find("Red-line crossings") :][:600]
    assert crossing["id"] in api.replay_stream("rus")
