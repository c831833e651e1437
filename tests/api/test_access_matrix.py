"""Who may do what: every endpoint of the application × every caller → the expected status.

The table below is the access matrix.  Each row is one endpoint (method and path, as the
application declares it) with three parties of the Golan scenario:

* **A** is the party the resource concerns: its owner, author, reporter or recipient, a party
  to the agreement or a signatory of the zone;
* **B** is a party that may see the resource without it being its own (an addressee, a
  monitor, a party bound by an agreement with the owner);
* **C** is a party that may not see it at all.

For rows that have no resource (a list, a creation), A, B and C are simply three parties.
``icrc`` is a humanitarian organisation added to the Golan world and bound by no agreement (in
the Golan scenario every party is bound to every other by the humanitarian agreement, so
without it nobody would be blind to a protected site).

The columns are the answer to a request without a token, with a revoked token and with an
expired one (both the idf duty officer's), then with a token of each role (admin,
duty_officer, monitor, viewer) of A, of B and of C.  A cell reads:

* ``200``, ``201``, ``401``, ``403``, ``404``: the status;
* ``200-``: a list answered without the resource in it (a list row's ``200`` means the
  resource is in the list);

Need to know binds admins too: an admin reads and changes only the agreements and zone
agreements its party takes part in, and only its own party's record.

Beyond the status, every answer must be no server error, every error must have the one error
shape, and whatever a party may not see must answer exactly as an id that does not exist:
same status, same body (but the id), same headers (but the date and the request id).

The matrix must name exactly the endpoints the application serves: a new endpoint without a
row fails ``test_the_matrix_covers_every_endpoint``.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from deconfliction.api.app import create_app
from deconfliction.engine.model import Party
from deconfliction.service.coordinator import Coordinator
from deconfliction.service.documents import demo_path, read_document
from tests.api.bodies import notice, observation, site
from tests.support.server import Api, running_server
from tests.support.stores import STORES, make_store_url

# fmt: off
MATRIX = """
#                                              parties           | token       | A: concerned    | B: sees it      | C: may not see it
# method path                                  A     B     C     | no  rev exp | adm dut mon vie | adm dut mon vie | adm  dut  mon  vie
GET    /openapi.json                           idf   rus   sarc  | 200 200 200 | 200 200 200 200 | 200 200 200 200 | 200  200  200  200
GET    /docs                                   idf   rus   sarc  | 200 200 200 | 200 200 200 200 | 200 200 200 200 | 200  200  200  200
GET    /docs/oauth2-redirect                   idf   rus   sarc  | 200 200 200 | 200 200 200 200 | 200 200 200 200 | 200  200  200  200
GET    /redoc                                  idf   rus   sarc  | 200 200 200 | 200 200 200 200 | 200 200 200 200 | 200  200  200  200
GET    /healthz                                idf   rus   sarc  | 200 200 200 | 200 200 200 200 | 200 200 200 200 | 200  200  200  200
GET    /readyz                                 idf   rus   sarc  | 200 200 200 | 200 200 200 200 | 200 200 200 200 | 200  200  200  200
GET    /metrics                                idf   rus   sarc  | 200 200 200 | 200 200 200 200 | 200 200 200 200 | 200  200  200  200
GET    /v1/me                                  idf   rus   sarc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 200  200  200  200
GET    /v1/stream                              idf   rus   sarc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 200  200  200  200

GET    /v1/parties                             rus   idf   icrc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 200  200  200  200
GET    /v1/parties/{party_id}                  rus   idf   icrc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 200  200  200  200
POST   /v1/parties                             idf   rus   icrc  | 401 401 401 | 201 403 403 403 | 201 403 403 403 | 201  403  403  403
PATCH  /v1/parties/{party_id}                  rus   idf   icrc  | 401 401 401 | 200 403 403 403 | 403 403 403 403 | 403  403  403  403

GET    /v1/agreements                          idf   undof sarc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 200- 200- 200- 200-
GET    /v1/agreements/{agreement_id}           idf   undof sarc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 404  404  404  404
POST   /v1/agreements                          idf   undof sarc  | 401 401 401 | 403 403 403 403 | 201 403 403 403 | 403  403  403  403
PUT    /v1/agreements/{agreement_id}           idf   undof sarc  | 401 401 401 | 200 403 403 403 | 200 403 403 403 | 404  403  403  403

GET    /v1/lines                               idf   rus   icrc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 200  200  200  200
GET    /v1/lines/{line_id}                     idf   rus   icrc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 200  200  200  200
POST   /v1/lines                               idf   rus   icrc  | 401 401 401 | 201 403 403 403 | 201 403 403 403 | 201  403  403  403
PUT    /v1/lines/{line_id}                     idf   rus   icrc  | 401 401 401 | 200 403 403 403 | 200 403 403 403 | 200  403  403  403

GET    /v1/zones                               idf   undof sarc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 200- 200- 200- 200-
GET    /v1/zones/{zone_id}                     idf   undof sarc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 404  404  404  404
POST   /v1/zones                               idf   undof sarc  | 401 401 401 | 201 403 403 403 | 201 403 403 403 | 403  403  403  403
PUT    /v1/zones/{zone_id}                     idf   undof sarc  | 401 401 401 | 200 403 403 403 | 200 403 403 403 | 404  403  403  403

GET    /v1/red-lines                           idf   rus   sarc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 200- 200- 200- 200-
GET    /v1/red-lines/{red_line_id}             idf   rus   sarc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 404  404  404  404
POST   /v1/red-lines                           idf   rus   sarc  | 401 401 401 | 201 403 403 403 | 201 403 403 403 | 201  403  403  403
PUT    /v1/red-lines/{red_line_id}             idf   rus   sarc  | 401 401 401 | 200 403 403 403 | 403 403 403 403 | 404  403  403  403

GET    /v1/proposals                           idf   rus   sarc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 200- 200- 200- 200-
GET    /v1/proposals/{proposal_id}             idf   rus   sarc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 404  404  404  404
POST   /v1/proposals/{proposal_id}/consent     idf   rus   sarc  | 401 401 401 | 409 403 403 403 | 200 403 403 403 | 404  403  403  403
POST   /v1/proposals/{proposal_id}/decline     idf   rus   sarc  | 401 401 401 | 200 403 403 403 | 200 403 403 403 | 404  403  403  403
POST   /v1/proposals/{proposal_id}/withdraw    idf   rus   sarc  | 401 401 401 | 200 403 403 403 | 403 403 403 403 | 404  403  403  403

GET    /v1/sites                               sarc  idf   icrc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 200- 200- 200- 200-
GET    /v1/sites/{site_id}                     sarc  idf   icrc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 404  404  404  404
POST   /v1/sites                               sarc  idf   icrc  | 401 401 401 | 403 201 403 403 | 403 201 403 403 | 403  201  403  403
PUT    /v1/sites/{site_id}                     sarc  idf   icrc  | 401 401 401 | 403 200 403 403 | 403 403 403 403 | 403  404  403  403

GET    /v1/notices                             idf   rus   sarc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 200- 200- 200- 200-
GET    /v1/notices/{notice_id}                 idf   rus   sarc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 404  404  404  404
GET    /v1/notices/{notice_id}/versions        idf   rus   sarc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 404  404  404  404
GET    /v1/notices/{notice_id}/reads           idf   rus   sarc  | 401 401 401 | 200 200 200 200 | 404 404 404 404 | 404  404  404  404
POST   /v1/notices                             idf   rus   sarc  | 401 401 401 | 403 201 403 403 | 403 201 403 403 | 403  201  403  403
POST   /v1/notices/preview                     idf   rus   sarc  | 401 401 401 | 403 200 403 403 | 403 200 403 403 | 403  200  403  403
POST   /v1/notices/{notice_id}/replace         idf   rus   sarc  | 401 401 401 | 403 201 403 403 | 403 403 403 403 | 403  404  403  403
POST   /v1/notices/{notice_id}/cancel          idf   rus   sarc  | 401 401 401 | 403 201 403 403 | 403 403 403 403 | 403  404  403  403

GET    /v1/observations                        undof idf   sarc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 200- 200- 200- 200-
GET    /v1/observations/{observation_id}       undof idf   sarc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 404  404  404  404
POST   /v1/observations                        undof idf   sarc  | 401 401 401 | 403 403 201 403 | 403 403 201 403 | 403  403  201  403

GET    /v1/alerts                              idf   rus   sarc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 200- 200- 200- 200-
GET    /v1/alerts/{alert_id}                   idf   rus   sarc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 404  404  404  404

GET    /v1/incidents                           sarc  idf   rus   | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 200- 200- 200- 200-
GET    /v1/incidents/{incident_id}             sarc  idf   rus   | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 404  404  404  404
GET    /v1/incidents/{incident_id}/bundle      sarc  idf   rus   | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 404  404  404  404
POST   /v1/incidents                           sarc  idf   rus   | 401 401 401 | 403 201 201 403 | 403 201 201 403 | 403  201  201  403
PUT    /v1/incidents/{incident_id}             sarc  idf   rus   | 401 401 401 | 403 200 200 403 | 403 403 403 403 | 403  404  404  403
POST   /v1/incidents/{incident_id}/accounts    sarc  idf   rus   | 401 401 401 | 403 201 201 403 | 403 201 201 403 | 403  404  404  403
POST   /v1/evidence                            sarc  idf   rus   | 401 401 401 | 403 201 201 403 | 403 201 201 403 | 403  201  201  403
GET    /v1/evidence/{sha256}                   sarc  idf   rus   | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 404  404  404  404
GET    /v1/reports/daily                       idf   rus   sarc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 200  200  200  200

GET    /v1/inbox                               rus   idf   sarc  | 401 401 401 | 200 200 200 200 | 200- 200- 200- 200- | 200- 200- 200- 200-
GET    /v1/inbox/{delivery_id}                 rus   idf   sarc  | 401 401 401 | 200 200 200 200 | 404 404 404 404 | 404  404  404  404
POST   /v1/inbox/{delivery_id}/read            rus   idf   sarc  | 401 401 401 | 200 200 200 200 | 404 404 404 404 | 404  404  404  404
POST   /v1/inbox/{delivery_id}/ack             rus   idf   sarc  | 401 401 401 | 403 200 200 403 | 403 404 404 403 | 403  404  404  403

GET    /v1/messages                            idf   rus   sarc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 200- 200- 200- 200-
GET    /v1/messages/{message_id}               idf   rus   sarc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 404  404  404  404
POST   /v1/messages                            idf   rus   sarc  | 401 401 401 | 403 201 201 403 | 403 201 201 403 | 403  201  201  403

GET    /.well-known/deconfliction/ledger-keys  idf   rus   sarc  | 200 200 200 | 200 200 200 200 | 200 200 200 200 | 200  200  200  200
GET    /v1/ledger/tree-head                    idf   rus   sarc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 200  200  200  200
POST   /v1/ledger/tree-head                    idf   rus   sarc  | 401 401 401 | 200 403 403 403 | 200 403 403 403 | 200  403  403  403
GET    /v1/ledger/entries/{index}              idf   rus   sarc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 404  404  404  404
GET    /v1/ledger/consistency                  idf   rus   sarc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 200  200  200  200
GET    /v1/ledger/export                       idf   rus   sarc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 200  200  200  200
GET    /v1/notices/{notice_id}/timeline        idf   rus   sarc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 404  404  404  404
GET    /v1/history                             idf   rus   sarc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 200- 200- 200- 200-

POST   /v1/notams                              idf   rus   sarc  | 401 401 401 | 201 403 403 403 | 201 403 403 403 | 201  403  403  403
GET    /v1/notices/{notice_id}/notam           idf   rus   sarc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 404  404  404  404
POST   /v1/imports/geojson                     idf   rus   sarc  | 401 401 401 | 403 201 403 403 | 403 201 403 403 | 403  201  403  403
POST   /v1/tracks/feed                         idf   rus   sarc  | 401 401 401 | 200 200 200 403 | 200 200 200 403 | 200  200  200  403
GET    /v1/tracks                              idf   rus   sarc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 200  200  200  200
POST   /v1/tracks/aircraft                     idf   rus   sarc  | 401 401 401 | 403 201 403 403 | 403 201 403 403 | 403  201  403  403
GET    /v1/tracks/stream                       idf   rus   sarc  | 401 401 401 | 200 200 200 200 | 200 200 200 200 | 200  200  200  200
"""
# fmt: on

ROLES = ("admin", "duty_officer", "monitor", "viewer")
GROUPS = ("A", "B", "C")
TOKENLESS = ("no token", "revoked", "expired")
CALLERS: tuple[str, ...] = (
    *TOKENLESS,
    *(f"{group} {role}" for group in GROUPS for role in ROLES),
)
"""The columns of the matrix, in order."""

ERROR_TYPES = {
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    409: "conflicting_record",
}


@dataclass(frozen=True)
class Cell:
    status: int
    listed: bool = True
    """For list rows: whether the resource is in the list."""

    @classmethod
    def parse(cls, text: str) -> Cell:
        listed = not text.endswith("-")
        return cls(int(text.removesuffix("-")), listed)


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    parties: dict[str, str]
    cells: dict[str, Cell]

    @property
    def endpoint(self) -> tuple[str, str]:
        return self.method, self.path

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def _parse(table: str) -> list[Row]:
    rows = []
    for line in table.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        words = line.replace("|", " ").split()
        method, path, a, b, c, *cells = words
        assert len(cells) == len(CALLERS), f"{method} {path}: {len(cells)} cells"
        rows.append(
            Row(
                method,
                path,
                {"A": a, "B": b, "C": c},
                {caller: Cell.parse(text) for caller, text in zip(CALLERS, cells, strict=True)},
            )
        )
    return rows


ROWS = _parse(MATRIX)


# -- the world -----------------------------------------------------------------------------

GOLAN = read_document(demo_path())
"""The Golan scenario as written (request bodies are taken from it)."""


def _golan(section: str, ident: str) -> dict[str, Any]:
    found: dict[str, Any] = next(x for x in GOLAN[section] if x["id"] == ident)
    return copy.deepcopy(found)


ICRC = Party.model_validate(
    {"id": "icrc", "name": "International Committee of the Red Cross", "kind": "humanitarian"}
)
"""A party on the line bound by no agreement: it may see no one's sites."""
CAA = Party.model_validate(
    {"id": "caa", "name": "Civil Aviation Authority", "kind": "civil_aviation"}
)
"""The civil-aviation party NOTAMs are imported for (bound by no agreement)."""
NOTAM = """(A0001/26 NOTAMN
Q) LLLL/QRTCA/IV/BO/W/000/050/3100N03000E001
A) LLLL B) 2612010000 C) 2612020000
E) MATRIX TEST AREA CIRCLE RADIUS 1KM CENTRED ON 310000N 0300000E
F) SFC G) 5000FT AMSL)"""


@dataclass
class World:
    """The Golan scenario on a running server, with a token for every party in every role."""

    api: Api
    tokens: dict[tuple[str, str], str]
    revoked: str
    expired: str
    ids: dict[str, str] = field(default_factory=dict)
    _clients: dict[str | None, httpx.Client] = field(default_factory=dict)
    _serial: Iterator[int] = field(default_factory=itertools.count)

    def client(self, token: str | None) -> httpx.Client:
        if token not in self._clients:
            self._clients[token] = self.api.client(token)
        return self._clients[token]

    def as_(self, party: str, role: str = "duty_officer") -> httpx.Client:
        return self.client(self.tokens[party, role])

    def serial(self) -> int:
        return next(self._serial)

    def fresh_notice(self) -> dict[str, Any]:
        """A new idf notice (addressed to rus), the clock then moved past its filing (a
        notice can only be replaced or cancelled after the time it was filed)."""
        answer = self.as_("idf").post("/v1/notices", json=notice(title=f"fresh {self.serial()}"))
        assert answer.status_code == 201, answer.text
        self.api.clock.advance(1)
        filed: dict[str, Any] = answer.json()
        return filed


PARTIES = ("idf", "rus", "sarc", "undof", "icrc")


def _hospital_struck(evidence: list[dict[str, Any]]) -> dict[str, Any]:
    """SARC's report: the hospital struck during the idf air operation (which concerns idf;
    rus, whose notices did not cover it, may not see it)."""
    return {
        "kind": "site_damaged",
        "title": "Quneitra National Hospital struck",
        "place": {"type": "point", "position": "33.1130N 35.8640E"},
        "started_at": "2026-11-24T10:20:00Z",
        "evidence": evidence,
    }


def _quiet_incident(world: World, party: str) -> dict[str, Any]:
    # Far east of everything: links nothing, concerns only its reporter.
    return {
        "kind": "other",
        "title": f"Shots heard {world.serial()}",
        "place": {"type": "point", "position": "33.5000N 36.9000E"},
        "started_at": "2026-11-24T11:00:00Z",
    }


def _quiet_red_line(world: World, party: str) -> dict[str, Any]:
    return {
        "name": f"Matrix red line {world.serial()}",
        "area": {
            "type": "polygon",
            "vertices": ["31.00N 30.00E", "31.01N 30.00E", "31.00N 30.01E"],
        },
        "rules": [{"type": "no_presence"}],
    }


def _same_red_line(world: World, party: str) -> dict[str, Any]:
    content = _golan("red_lines", "rl-idf-militias-60")
    for key in ("id", "declared_by", "declared_at"):
        content.pop(key)
    return content


def _world(api: Api) -> World:
    api.load_golan()
    api.record([ICRC, CAA])
    tokens = {(p, r): api.token(p, r) for p in PARTIES for r in ROLES}
    revoked = api.token("idf")
    api.revoke(revoked)
    expired = api.token("idf", expires_at=api.clock.now() + timedelta(minutes=1))
    api.clock.advance(120)
    world = World(api, tokens, revoked, expired)

    idf, rus = world.as_("idf"), world.as_("rus")
    sent = idf.post(
        "/v1/messages",
        json={"to": "rus", "body": "Air operation east of Quneitra", "notice_id": "n-idf-001"},
    )
    assert sent.status_code == 201, sent.text
    (late,) = idf.get("/v1/alerts", params={"kind": "late-notice"}).json()["alerts"]
    proposed = world.as_("idf", "admin").post(
        "/v1/agreements", json={"id": "matrix-proposed", "name": "P", "parties": ["idf", "rus"]}
    )
    assert proposed.status_code == 201, proposed.text
    (delivery,) = [i for i in rus.get("/v1/inbox").json()["items"] if i["item_id"] == "n-idf-001"]
    sarc = world.as_("sarc")
    photo = sarc.post(
        "/v1/evidence", content=b"the east wing", headers={"Content-Type": "image/jpeg"}
    )
    assert photo.status_code == 201, photo.text
    struck = sarc.post("/v1/incidents", json=_hospital_struck([photo.json()["evidence"]]))
    assert struck.status_code == 201, struck.text
    world.ids = {
        "party": "rus",
        "agreement": "idf-rus",
        "line": "line-a",
        "zone": "aos",
        "site": "site-quneitra-hospital",
        "notice": "n-idf-001",
        "observation": "o-001",
        "alert": late["id"],
        "delivery": delivery["id"],
        "message": sent.json()["id"],
        "proposal": proposed.json()["proposal"]["id"],
        "red_line": "rl-idf-militias-60",
        "incident": struck.json()["incident"]["id"],
        "evidence": photo.json()["evidence"]["sha256"],
        # The ledger entry that records n-idf-001: idf and rus may read it, sarc may not.
        "entry": str(idf.get("/v1/notices/n-idf-001/timeline").json()["lines"][0]["index"]),
    }
    return world


@pytest.fixture(scope="module", params=STORES)
def world(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    """One server per store for the whole matrix (each row leaves the others' answers as
    they were: writes are idempotent, create fresh items, or work on items made for them)."""
    for url in make_store_url(request.param, tmp_path_factory.mktemp(request.param)):
        for api in running_server(url):
            try:
                yield _world(api)
            finally:
                api.services.feeds.request_close()


# -- how each endpoint is called -----------------------------------------------------------

Params = Callable[[World], dict[str, str]]
Body = Callable[[World, str], Any]


@dataclass(frozen=True)
class Call:
    """How to call an endpoint: its path parameters (made afresh for every caller when the
    call uses them up), its body for a caller's party, and for a list, where the resource is
    listed."""

    params: Params | None = None
    body: Body | None = None
    listing: tuple[str, str] | None = None
    """(the list's key in the answer, the name of the resource in ``World.ids``)"""
    query: dict[str, str] | None = None


def _known(*names: str) -> Params:
    def params(world: World) -> dict[str, str]:
        return {f"{name}_id": world.ids[name] for name in names}

    return params


def _fresh_notice(world: World) -> dict[str, str]:
    return {"notice_id": world.fresh_notice()["notice"]["id"]}


def _fresh_delivery(world: World) -> dict[str, str]:
    filed = world.fresh_notice()
    (to_rus,) = [
        d for d in filed["deliveries"] if d["recipient"] == "rus" and d["item_type"] == "notice"
    ]
    return {"delivery_id": to_rus["id"]}


def _fresh_proposal(world: World) -> dict[str, str]:
    """A new agreement between idf and rus, proposed by idf: rus's consent is awaited."""
    body = {"id": f"matrix-{world.serial()}", "name": "Proposed", "parties": ["idf", "rus"]}
    answer = world.as_("idf", "admin").post("/v1/agreements", json=body)
    assert answer.status_code == 201, answer.text
    return {"proposal_id": answer.json()["proposal"]["id"]}


def _new_party(world: World, party: str) -> dict[str, Any]:
    return {"id": f"matrix-{world.serial()}", "name": "Matrix test party", "kind": "humanitarian"}


def _new_agreement(world: World, party: str) -> dict[str, Any]:
    # Between icrc and undof: nothing else changes (sarc's sites stay hidden from icrc).
    return {"id": f"matrix-{world.serial()}", "name": "Matrix test", "parties": ["icrc", "undof"]}


def _new_line(world: World, party: str) -> dict[str, Any]:
    return {
        "id": f"matrix-{world.serial()}",
        "name": "Matrix test line",
        "vertices": ["31.00N 30.00E", "31.10N 30.00E"],
    }


def _new_zone(world: World, party: str) -> dict[str, Any]:
    return {
        "id": f"matrix-{world.serial()}",
        "name": "Matrix test zone",
        "signatories": ["idf", "rus"],
        "monitors": ["undof"],
        "area": {
            "type": "polygon",
            "vertices": ["31.00N 30.00E", "31.01N 30.00E", "31.00N 30.01E"],
        },
        "rules": [{"type": "no_presence", "description": "nobody"}],
    }


def _same(section: str, ident: str, *drop: str) -> Body:
    """The item's content as the scenario has it: changing it to itself changes nothing."""

    def body(world: World, party: str) -> dict[str, Any]:
        content = _golan(section, ident)
        for key in drop:
            content.pop(key, None)
        return content

    return body


def _quiet_observation(world: World, party: str) -> dict[str, Any]:
    # Far east of the 60 km buffer: breaks no rule.
    return observation(
        position="33.5000N 36.9000E",
        affiliation="Syrian Arab Army",
        unit_category="armour",
        counts={"tanks": 1},
    )


def _geojson_notice(world: World, party: str) -> dict[str, Any]:
    """A FeatureCollection of one new notice of the caller's party, far from everything."""
    props = {
        "type": "notice",
        "id": f"n-geo-{world.serial()}",
        "author": party,
        "kind": "air_operation",
        "action": "new",
        "filed_at": world.api.clock.now().isoformat(),
        "volume": 0,
        "lower": "SFC",
        "upper": "FL050",
        "start": "2026-12-01T00:00:00Z",
        "end": "2026-12-01T01:00:00Z",
        "outline": {"type": "circle", "center": [30.0, 31.0], "radius": "1 km"},
    }
    return {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "geometry": None, "properties": props}],
    }


CALLS: dict[tuple[str, str], Call] = {
    ("GET", "/v1/parties"): Call(listing=("parties", "party")),
    ("GET", "/v1/parties/{party_id}"): Call(_known("party")),
    ("POST", "/v1/parties"): Call(body=_new_party),
    ("PATCH", "/v1/parties/{party_id}"): Call(
        _known("party"), lambda w, p: {"name": _golan("parties", "rus")["name"]}
    ),
    ("GET", "/v1/agreements"): Call(listing=("agreements", "agreement")),
    ("GET", "/v1/agreements/{agreement_id}"): Call(_known("agreement")),
    ("POST", "/v1/agreements"): Call(body=_new_agreement),
    ("PUT", "/v1/agreements/{agreement_id}"): Call(
        _known("agreement"), _same("agreements", "idf-rus")
    ),
    ("GET", "/v1/lines"): Call(listing=("lines", "line")),
    ("GET", "/v1/lines/{line_id}"): Call(_known("line")),
    ("POST", "/v1/lines"): Call(body=_new_line),
    ("PUT", "/v1/lines/{line_id}"): Call(_known("line"), _same("lines", "line-a")),
    ("GET", "/v1/zones"): Call(listing=("zones", "zone")),
    ("GET", "/v1/zones/{zone_id}"): Call(_known("zone")),
    ("POST", "/v1/zones"): Call(body=_new_zone),
    ("PUT", "/v1/zones/{zone_id}"): Call(_known("zone"), _same("zones", "aos")),
    ("GET", "/v1/proposals"): Call(listing=("proposals", "proposal")),
    ("GET", "/v1/proposals/{proposal_id}"): Call(_known("proposal")),
    ("POST", "/v1/proposals/{proposal_id}/consent"): Call(_fresh_proposal),
    ("POST", "/v1/proposals/{proposal_id}/decline"): Call(_fresh_proposal),
    ("POST", "/v1/proposals/{proposal_id}/withdraw"): Call(_fresh_proposal),
    ("GET", "/v1/sites"): Call(listing=("sites", "site")),
    ("GET", "/v1/sites/{site_id}"): Call(_known("site")),
    ("POST", "/v1/sites"): Call(body=lambda w, p: site(name=f"Clinic {w.serial()}")),
    ("PUT", "/v1/sites/{site_id}"): Call(
        _known("site"), _same("sites", "site-quneitra-hospital", "id", "owner")
    ),
    ("GET", "/v1/notices"): Call(listing=("notices", "notice")),
    ("GET", "/v1/notices/{notice_id}"): Call(_known("notice")),
    ("GET", "/v1/notices/{notice_id}/versions"): Call(_known("notice")),
    ("GET", "/v1/notices/{notice_id}/reads"): Call(_known("notice")),
    ("GET", "/v1/notices/{notice_id}/timeline"): Call(_known("notice")),
    ("GET", "/v1/ledger/entries/{index}"): Call(lambda w: {"index": w.ids["entry"]}),
    ("GET", "/v1/ledger/consistency"): Call(query={"first": "3", "second": "20"}),
    ("POST", "/v1/notices"): Call(body=lambda w, p: notice(title=f"{p} notice {w.serial()}")),
    ("POST", "/v1/notices/preview"): Call(body=lambda w, p: notice(title=f"{p} draft")),
    ("GET", "/v1/history"): Call(listing=("notices", "notice")),
    ("POST", "/v1/notams"): Call(body=lambda w, p: {"text": NOTAM}),
    ("GET", "/v1/notices/{notice_id}/notam"): Call(_known("notice")),
    ("POST", "/v1/imports/geojson"): Call(body=lambda w, p: _geojson_notice(w, p)),
    ("POST", "/v1/notices/{notice_id}/replace"): Call(
        _fresh_notice, lambda w, p: {"title": "moved", "volumes": notice()["volumes"]}
    ),
    ("POST", "/v1/notices/{notice_id}/cancel"): Call(_fresh_notice, lambda w, p: {"title": "off"}),
    ("GET", "/v1/observations"): Call(listing=("observations", "observation")),
    ("GET", "/v1/observations/{observation_id}"): Call(_known("observation")),
    ("POST", "/v1/observations"): Call(body=_quiet_observation),
    ("GET", "/v1/alerts"): Call(listing=("alerts", "alert")),
    ("GET", "/v1/alerts/{alert_id}"): Call(_known("alert")),
    ("GET", "/v1/inbox"): Call(listing=("items", "delivery")),
    ("GET", "/v1/inbox/{delivery_id}"): Call(_known("delivery")),
    ("POST", "/v1/inbox/{delivery_id}/read"): Call(_known("delivery")),
    ("POST", "/v1/inbox/{delivery_id}/ack"): Call(
        _fresh_delivery, lambda w, p: {"reply": "Received"}
    ),
    ("GET", "/v1/red-lines"): Call(listing=("red_lines", "red_line")),
    ("GET", "/v1/red-lines/{red_line_id}"): Call(_known("red_line")),
    ("POST", "/v1/red-lines"): Call(body=_quiet_red_line),
    ("PUT", "/v1/red-lines/{red_line_id}"): Call(_known("red_line"), _same_red_line),
    ("GET", "/v1/incidents"): Call(listing=("incidents", "incident")),
    ("GET", "/v1/incidents/{incident_id}"): Call(_known("incident")),
    ("GET", "/v1/incidents/{incident_id}/bundle"): Call(_known("incident")),
    ("POST", "/v1/incidents"): Call(body=_quiet_incident),
    ("PUT", "/v1/incidents/{incident_id}"): Call(
        _known("incident"), lambda w, p: _hospital_struck([])
    ),
    ("POST", "/v1/incidents/{incident_id}/accounts"): Call(
        _known("incident"), lambda w, p: {"statement": f"{p}'s account {w.serial()}"}
    ),
    ("POST", "/v1/evidence"): Call(body=lambda w, p: {"photo": w.serial()}),
    ("GET", "/v1/evidence/{sha256}"): Call(lambda w: {"sha256": w.ids["evidence"]}),
    ("GET", "/v1/reports/daily"): Call(query={"date": "2026-11-24"}),
    ("GET", "/v1/messages"): Call(listing=("messages", "message")),
    ("GET", "/v1/messages/{message_id}"): Call(_known("message")),
    ("POST", "/v1/messages"): Call(body=lambda w, p: {"to": "undof", "body": f"from {p}"}),
    ("POST", "/v1/tracks/feed"): Call(query={"format": "sbs", "source": "matrix"}),
    ("POST", "/v1/tracks/aircraft"): Call(body=lambda w, p: {"callsigns": [f"M{w.serial()}*"]}),
}
"""Endpoints not named here take no parameters and no body."""


# -- calling and checking ------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: Any

    def text_without(self, ident: str) -> str:
        return repr(self.body).replace(ident, "{id}")


def _request(
    client: httpx.Client, method: str, url: str, body: Any, *, stream: bool = False
) -> Answer:
    kwargs: dict[str, Any] = {} if body is None else {"json": body}
    with client.stream(method, url, **kwargs) as response:
        headers = {k.lower(): v for k, v in response.headers.items()}
        if stream and response.status_code == 200:
            # An endless event stream: its first bytes are enough; closing it disconnects.
            assert headers["content-type"].startswith("text/event-stream")
            first = next(response.iter_bytes())
            assert first.startswith((b"retry:", b"id:")), first
            return Answer(200, headers, None)
        response.read()
        content = response.json() if "json" in headers.get("content-type", "") else response.text
        return Answer(response.status_code, headers, content)


def _caller(world: World, row: Row, caller: str) -> tuple[httpx.Client, str]:
    """The client for a column, and the party it acts for."""
    if caller == "no token":
        return world.client(None), row.parties["A"]
    if caller == "revoked":
        return world.client(world.revoked), "idf"
    if caller == "expired":
        return world.client(world.expired), "idf"
    group, role = caller.split()
    party = row.parties[group]
    return world.client(world.tokens[party, role]), party


def _missing(ident: str) -> str:
    """An id that names nothing, as long as ``ident`` (a ledger index: one far beyond the log,
    still a valid index)."""
    if ident.isdigit():
        return "9" * 18
    head = ident[: max(2, len(ident) // 2)]
    return head + "z" * (len(ident) - len(head))


def _check_shape(where: str, answer: Answer) -> list[str]:
    problems = []
    if answer.status >= 500:
        problems.append(f"{where}: server error {answer.status}: {answer.body}")
    if answer.status >= 400:
        body = answer.body
        ok = (
            isinstance(body, dict)
            and set(body) == {"error"}
            and isinstance(body["error"], dict)
            and {"status", "type", "message"} <= set(body["error"])
            and set(body["error"]) <= {"status", "type", "message", "problems"}
            and body["error"]["status"] == answer.status
            and body["error"]["type"] == ERROR_TYPES.get(answer.status, body["error"]["type"])
            and isinstance(body["error"]["message"], str)
        )
        if not ok:
            problems.append(f"{where}: not the one error shape: {body!r}")
        if (
            answer.status == 401
            and "bearer" not in answer.headers.get("www-authenticate", "").lower()
        ):
            problems.append(f"{where}: 401 without WWW-Authenticate: Bearer")
    return problems


def _same_as_missing(
    where: str, url: str, params: dict[str, str], real: Answer, missing: Answer
) -> list[str]:
    """``real`` (an item the caller may not see) must answer exactly as ``missing`` (an id
    that names nothing) but for the id."""
    real_text, missing_text = repr(real.body), repr(missing.body)
    for name, ident in params.items():
        real_text = real_text.replace(ident, "{" + name + "}")
        missing_text = missing_text.replace(_missing(ident), "{" + name + "}")
    problems = []
    if (real.status, real_text) != (missing.status, missing_text):
        problems.append(
            f"{where}: answers {real.status} {real.body!r}, but an unknown id answers "
            f"{missing.status} {missing.body!r}"
        )
    # The bodies are equal but for the ids (above), so their lengths say nothing more.
    ignored = {"date", "content-length", "x-request-id"}  # the last: each request's own
    headers = {k: v for k, v in real.headers.items() if k not in ignored}
    unknown = {k: v for k, v in missing.headers.items() if k not in ignored}
    if headers != unknown:
        problems.append(f"{where}: headers {headers} differ from an unknown id's {unknown}")
    return problems


def _blind(row: Row, caller: str) -> bool:
    """Whether ``caller`` may not see the row's item: a 404 expected, or any caller of a
    party C that may not see it (whatever its role, it must learn nothing)."""
    if caller in TOKENLESS:
        return False
    if row.cells[caller].status == 404:
        return True
    c_blind = any(row.cells[f"C {role}"].status == 404 for role in ROLES)
    return caller.startswith("C ") and c_blind


def _check_cell(world: World, row: Row, caller: str) -> list[str]:
    """Call ``row``'s endpoint as ``caller`` and list what is wrong with the answer."""
    cell = row.cells[caller]
    client, party = _caller(world, row, caller)
    call = CALLS.get(row.endpoint, Call())
    params = call.params(world) if call.params is not None else {}
    body = call.body(world, party) if call.body is not None else None
    url = row.path.format(**params)
    if call.query:
        url += "?" + "&".join(f"{k}={v}" for k, v in call.query.items())
    where = f"{row} as {caller} ({party})"
    answer = _request(
        client, row.method, url, body, stream=row.path in ("/v1/stream", "/v1/tracks/stream")
    )
    problems = _check_shape(where, answer)
    if answer.status != cell.status:
        problems.append(f"{where}: expected {cell.status}, got {answer.status}: {answer.body!r}")
    elif call.listing is not None and answer.status == 200:
        key, name = call.listing
        listed = world.ids[name] in {item["id"] for item in answer.body[key]}
        if listed != cell.listed:
            problems.append(f"{where}: {world.ids[name]} {'not ' if not listed else ''}listed")
    if params and _blind(row, caller):
        unknown = {name: _missing(ident) for name, ident in params.items()}
        missing = _request(client, row.method, row.path.format(**unknown), body)
        problems += _check_shape(f"{where} (unknown id)", missing)
        problems += _same_as_missing(where, url, params, answer, missing)
    return problems


# -- the tests -----------------------------------------------------------------------------


def _served(app: FastAPI) -> set[tuple[str, str]]:
    """Every (method, path) the application serves (HEAD aside: it is GET without a body)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # a FastAPI that keeps included routes flat in app.routes
        pairs = [(route.path, getattr(route, "methods", None)) for route in app.routes]
    else:
        pairs = [
            (context.path, getattr(context.original_route, "methods", None))
            for context in iter_route_contexts(app.routes)
        ]
    return {
        (method, path) for path, methods in pairs for method in methods or () if method != "HEAD"
    }


def test_the_matrix_covers_every_endpoint(tmp_path: Path) -> None:
    with Coordinator.open(str(tmp_path / "store.sqlite3")) as coordinator:
        app = create_app(coordinator, background=False)
        served = _served(app)
    tabled = [row.endpoint for row in ROWS]
    assert len(tabled) == len(set(tabled)), "an endpoint has two rows"
    assert set(tabled) - served == set(), "rows for endpoints the application does not serve"
    assert served - set(tabled) == set(), "endpoints without a row in the access matrix"
    assert set(CALLS) <= set(tabled), "calls for endpoints without a row"
    # Every endpoint with a path parameter says how to fill it.
    assert [row for row in ROWS if "{" in row.path and row.endpoint not in CALLS] == []


def test_the_openapi_document_lists_the_same_endpoints(world: World) -> None:
    document = world.client(None).get("/openapi.json")
    assert document.status_code == 200, document.text
    documented = {
        (method.upper(), path)
        for path, operations in document.json()["paths"].items()
        for method in operations
    }
    undocumented = {
        ("GET", p) for p in ("/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc")
    }
    assert documented == {row.endpoint for row in ROWS} - undocumented


@pytest.mark.parametrize("row", ROWS, ids=str)
def test_access(world: World, row: Row) -> None:
    problems = [p for caller in CALLERS for p in _check_cell(world, row, caller)]
    assert problems == []


def test_reads_are_recorded_and_refusals_are_not(world: World) -> None:
    """A read by an addressee is recorded for the author; an attempt by a party that may not
    see the notice is not a read."""
    path = f"/v1/notices/{world.ids['notice']}"
    assert world.as_("rus", "viewer").get(path).status_code == 200
    for role in ROLES:
        assert world.as_("sarc", role).get(path).status_code == 404
    reads = world.as_("idf").get(f"{path}/reads").json()["reads"]
    assert "rus" in {r["party"] for r in reads}
    assert {r["party"] for r in reads} <= {"rus"}


# -- need to know over time ----------------------------------------------------------------

# Who may see a notice is fixed when it is filed: amending an agreement later neither opens
# old notices to new addressees nor closes them to parties they were delivered to.


def _amend(api: Api, ident: str, change: Callable[[dict[str, Any]], None]) -> None:
    content = _golan("agreements", ident)
    change(content)
    answer = api.as_("undof", "admin").put(f"/v1/agreements/{ident}", json=content)
    assert answer.status_code == 200, answer.text


def test_a_new_addressee_does_not_see_notices_filed_before(api: Api) -> None:
    api.load_golan()
    sarc = api.as_("sarc")
    assert sarc.get("/v1/notices/n-idf-001").status_code == 404
    # From now on idf tells sarc of everything: that says nothing of the 09:59 air operation.
    _amend(
        api,
        "hns-golan",
        lambda a: a["notifications"].append({"from": "idf", "to": ["sarc"]}),
    )
    assert sarc.get("/v1/notices/n-idf-001").status_code == 404


def test_a_notice_delivered_stays_readable_by_its_addressee(api: Api) -> None:
    api.load_golan()
    rus = api.as_("rus")
    (delivered,) = [i for i in rus.get("/v1/inbox").json()["items"] if i["item_id"] == "n-idf-001"]
    # From now on idf no longer notifies rus; the air operation was delivered to rus all the same.
    _amend(api, "idf-rus", lambda a: a.update(notifications=[{"from": "rus", "to": ["idf"]}]))
    assert rus.get(f"/v1/inbox/{delivered['id']}").json()["item"] is not None
    assert rus.get("/v1/notices/n-idf-001").status_code == 200
