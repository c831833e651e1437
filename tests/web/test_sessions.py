"""Console sessions over real HTTP, on both stores: a token or a one-time code for an HttpOnly,
SameSite=Strict cookie; CSRF and origin checks on writes; sign-out, revocation and expiry end
the session; a session acts exactly as its token would, and its reads name the token."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa

from deconfliction.engine.times import parse_utc
from deconfliction.service import sessions
from deconfliction.service.auth import Role, revoke_token
from deconfliction.service.settings import Settings
from deconfliction.service.token_table import TokenTable
from deconfliction.store.schema import reads
from tests.api.bodies import notice
from tests.support.server import Api

LIFETIME_H = Settings().session_hours


def _sign_in(api: Api, **credential: str) -> tuple[httpx.Client, dict[str, str]]:
    """A cookie-holding client signed in with ``credential``; the session's answer."""
    client = api.client()
    answer = client.post("/v1/session", json=credential)
    assert answer.status_code == 201, answer.text
    return client, answer.json()


def _code(api: Api, token: str, minutes: float = 10) -> str:
    return sessions.issue_signin_code(
        api.coordinator.db, token.split("_")[1], api.clock.now(), timedelta(minutes=minutes)
    )


def test_a_token_opens_a_session_in_an_httponly_strict_cookie(served: Api) -> None:
    token = served.token("rus")
    client = served.client()
    answer = client.post("/v1/session", json={"token": token})
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (body["party"], body["role"]) == ("rus", "duty_officer")
    assert len(body["csrf_token"]) == 64
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{sessions.COOKIE}=")
    for attribute in ("HttpOnly", "SameSite=strict", "Path=/"):
        assert attribute.lower() in cookie.lower(), attribute
    assert "Secure" not in cookie  # plain HTTP on loopback; Secure is set behind HTTPS
    assert token.split("_", 2)[2] not in cookie
    assert answer.headers["cache-control"] == "no-store"
    assert client.get("/v1/me").json()["party"] == "rus"
    again = client.get("/v1/session").json()
    assert again["csrf_token"] == body["csrf_token"]


def test_a_session_lasts_no_longer_than_its_token(served: Api) -> None:
    token = served.token("rus", expires_at=served.clock.now() + timedelta(hours=1))
    _, body = _sign_in(served, token=token)
    assert body["expires_at"].startswith("2026-11-24T13:00:00")
    _, longer = _sign_in(served, token=served.token("rus"))
    assert parse_utc(longer["expires_at"]) == served.clock.now() + timedelta(hours=LIFETIME_H)


def test_writes_with_the_cookie_need_the_csrf_token_and_the_servers_origin(served: Api) -> None:
    client, body = _sign_in(served, token=served.token("idf"))
    refused = client.post("/v1/notices", json=notice())
    assert refused.status_code == 403
    assert refused.json()["error"]["type"] == "forbidden"
    assert "X-CSRF-Token" in refused.json()["error"]["message"]
    wrong = client.post("/v1/notices", json=notice(), headers={"X-CSRF-Token": "0" * 64})
    assert wrong.status_code == 403
    csrf = {"X-CSRF-Token": body["csrf_token"]}
    elsewhere = client.post(
        "/v1/notices", json=notice(), headers=csrf | {"Origin": "http://evil.example"}
    )
    assert elsewhere.status_code == 403
    assert "another origin" in elsewhere.json()["error"]["message"]
    filed = client.post("/v1/notices", json=notice(), headers=csrf | {"Origin": served.url})
    assert filed.status_code == 201, filed.text
    assert filed.json()["notice"]["author"] == "idf"
    # Reads need no CSRF token; a bearer token, sent as well, is what counts (no CSRF either).
    assert client.get("/v1/inbox").status_code == 200
    bearer = client.post(
        "/v1/notices",
        json=notice(),
        headers={"Authorization": f"Bearer {served.token('rus')}"},
    )
    assert bearer.status_code == 201
    assert bearer.json()["notice"]["author"] == "rus"


def test_signing_out_ends_the_session_on_the_server(served: Api) -> None:
    client, body = _sign_in(served, token=served.token("idf"))
    kept = dict(client.cookies)
    assert client.delete("/v1/session").status_code == 403  # a write: CSRF token needed
    out = client.delete("/v1/session", headers={"X-CSRF-Token": body["csrf_token"]})
    assert out.status_code == 204
    assert sessions.COOKIE in out.headers["set-cookie"]
    assert "max-age=0" in out.headers["set-cookie"].lower()
    replayed = served.client()
    replayed.cookies.update(kept)
    answer = replayed.get("/v1/inbox")
    assert answer.status_code == 401
    assert "ended" in answer.json()["error"]["message"]
    assert replayed.get("/v1/session").status_code == 401


def test_revoking_the_token_or_time_passing_ends_the_session(served: Api) -> None:
    token = served.token("sarc")
    client, _ = _sign_in(served, token=token)
    revoke_token(served.coordinator.db, token.split("_")[1], served.clock.now())
    answer = client.get("/v1/inbox")
    assert answer.status_code == 401
    assert "revoked" in answer.json()["error"]["message"]

    client, _ = _sign_in(served, token=served.token("sarc"))
    served.clock.advance(LIFETIME_H * 3600 + 1)
    answer = client.get("/v1/inbox")
    assert answer.status_code == 401
    assert "expired" in answer.json()["error"]["message"]


def test_a_signin_code_works_once(served: Api) -> None:
    token = served.token("undof", Role.monitor)
    code = _code(served, token)
    client, body = _sign_in(served, code=code)
    assert (body["party"], body["role"]) == ("undof", "monitor")
    assert client.get("/v1/me").json()["role"] == "monitor"
    again = served.client().post("/v1/session", json={"code": code})
    assert again.status_code == 401
    assert "used or expired" in again.json()["error"]["message"]
    # A code is never a bearer token.
    assert served.client(code).get("/v1/me").status_code == 401


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ({"code": "too-short"}, 401, "malformed sign-in code"),
        ({"token": "dlt_nonsense"}, 401, "malformed token"),
        ({}, 422, "one of them"),
        ({"token": "dlt_x", "code": "y" * 30}, 422, "one of them"),
        ({"token": "x", "password": "y"}, 422, "password"),
    ],
)
def test_bad_sign_ins_are_refused_with_a_reason(
    served: Api, body: dict[str, str], status: int, words: str
) -> None:
    answer = served.client().post("/v1/session", json=body)
    assert answer.status_code == status, answer.text
    error = answer.json()["error"]
    assert words in error["message"] or any(words in p["path"] for p in error.get("problems", []))


def test_an_expired_or_revoked_code_opens_nothing(served: Api) -> None:
    token = served.token("rus")
    late = _code(served, token, minutes=1)
    served.clock.advance(61)
    assert served.client().post("/v1/session", json={"code": late}).status_code == 401
    fresh = _code(served, token)
    revoke_token(served.coordinator.db, token.split("_")[1], served.clock.now())
    answer = served.client().post("/v1/session", json={"code": fresh})
    assert answer.status_code == 401
    assert "revoked" in answer.json()["error"]["message"]


def test_reads_through_a_session_name_its_token(served: Api) -> None:
    token = served.token("rus")
    client, _ = _sign_in(served, token=token)
    assert client.get("/v1/notices/n-idf-001").status_code == 200
    with served.coordinator.db.reading() as connection:
        found = connection.execute(
            sa.select(reads.c.token_id).where(
                reads.c.party_id == "rus", reads.c.item_id == "n-idf-001"
            )
        ).all()
    assert {r.token_id for r in found} == {token.split("_")[1]}


def test_a_live_stream_holds_only_while_its_session_does(served: Api) -> None:
    client, body = _sign_in(served, token=served.token("rus"))
    with client.stream("GET", "/v1/stream") as stream:
        assert stream.status_code == 200
        first = next(stream.iter_lines())
        assert first.startswith("retry:")
    db = served.coordinator.db
    principal, _, _ = sessions.session_principal(
        db, client.cookies[sessions.COOKIE], served.clock.now()
    )
    assert principal.session_id is not None
    assert principal.token_id is not None
    table = TokenTable(db, refresh_s=0.0)  # what the server's streams ask
    assert table.still_valid(principal, served.clock.now())
    client.delete("/v1/session", headers={"X-CSRF-Token": body["csrf_token"]})
    assert not table.still_valid(principal, served.clock.now())
