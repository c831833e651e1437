"""Hostile and careless clients over real HTTP: strict JSON bodies, slow bodies, idle and slow
connections.  Each is refused with a reason (or dropped), changes nothing, and never reaches a
server error."""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import sqlalchemy as sa

from deconfliction.service.settings import Settings
from deconfliction.store.schema import events
from tests.api.bodies import golan, notice, problems
from tests.support.server import Api, running_server
from tests.support.stores import make_store_url

QUICK = Settings(idle_timeout_s=0.5, body_timeout_s=0.5)
"""Short limits, so that a test waits half a second for the server to act, not minutes."""
GUARD_S = 30
"""How long a test waits for the server before it fails (never reached when all is well)."""


@pytest.fixture
def quick(tmp_path: Path) -> Iterator[Api]:
    for url in make_store_url("sqlite", tmp_path):
        yield from running_server(url, settings=QUICK)


def _recorded(api: Api) -> int:
    with api.coordinator.db.reading() as connection:
        return connection.execute(sa.select(sa.func.count()).select_from(events)).scalar_one()


def _connect(api: Api) -> socket.socket:
    where = urlsplit(api.url)
    return socket.create_connection((where.hostname, where.port), timeout=GUARD_S)


def _read_all(connection: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    data = b""
    while chunk := connection.recv(65536):
        data += chunk
    return data


BODY = json.dumps(notice())


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (
            BODY[:-1] + ', "kind": "air_operation"}',
            "not valid JSON: key 'kind' appears twice in one object",
        ),
        ('{"title": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested more than 64 levels deep"),
        ('{"title": ' + "[" * 65 + "]" * 65 + "}", "nested more than 64 levels deep"),
        (BODY[:-1] + ', "extra": NaN}', "NaN is not a JSON number"),
    ],
    ids=["duplicate-key", "deep", "just-too-deep", "nan"],
)
def test_a_body_that_json_reads_two_ways_is_refused(api, raw, reason):
    c = golan(api)
    before = _recorded(api)
    for path in ("/v1/notices", "/v1/sites", "/v1/agreements"):
        response = c["idf"].post(
            path, content=raw.encode(), headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400, (path, response.text)
        assert response.json()["error"]["type"] == "malformed_request"
        assert reason in problems(response)["body"]
    assert _recorded(api) == before


def test_a_body_that_stalls_is_answered_408_and_the_connection_closed(quick):
    quick.load_golan()
    token = quick.token("idf")
    before = _recorded(quick)
    with _connect(quick) as connection:
        head = (
            "POST /v1/notices HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
            f"Authorization: Bearer {token}\r\nContent-Length: {len(BODY)}\r\n\r\n"
        )
        connection.sendall(head.encode() + BODY[:10].encode())
        answer = _read_all(connection)  # the server answers, then closes
    status, _, rest = answer.partition(b"\r\n")
    assert status == b"HTTP/1.1 408 Request Timeout", answer
    body = json.loads(rest.partition(b"\r\n\r\n")[2])
    assert body["error"]["type"] == "request_timeout"
    assert body["error"]["problems"][0]["path"] == "body"
    assert "paused for more than 0.5 s" in body["error"]["problems"][0]["reason"]
    assert _recorded(quick) == before


@pytest.mark.parametrize(
    "sent",
    [b"", b"GET /healthz HTTP/1.1\r\nHost: te"],
    ids=["silent", "head-never-finished"],
)
def test_an_idle_or_slow_connection_is_closed(quick, sent):
    with _connect(quick) as connection:
        connection.sendall(sent)
        assert _read_all(connection) == b""  # closed without an answer


def test_a_prompt_client_keeps_its_connection(quick):
    """The limits do not touch a client that sends its requests promptly: two requests on one
    kept-alive connection, each answered."""
    where = urlsplit(quick.url)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=GUARD_S)
    try:
        connection.request("GET", "/healthz")
        first = connection.getresponse()
        assert first.status == 200
        first.read()
        sock = connection.sock
        connection.request("POST", "/v1/notices", body=BODY, headers={"Authorization": "x"})
        second = connection.getresponse()
        assert second.status == 401  # answered, on the same connection
        assert connection.sock is sock
    finally:
        connection.close()


def test_two_authorization_headers_are_refused(api):
    golan(api)
    first, second = api.token("idf", "admin"), api.token("rus", "viewer")
    for one, other in ((first, second), (second, first)):
        response = httpx.get(
            f"{api.url}/v1/me",
            headers=[("Authorization", f"Bearer {one}"), ("Authorization", f"Bearer {other}")],
        )
        assert response.status_code == 400, response.text
        assert response.json()["error"]["type"] == "malformed_request"
        assert "more than one Authorization header" in response.json()["error"]["message"]


@pytest.mark.parametrize("role", ["viewer", "admin"])
def test_an_idempotency_key_replays_only_for_the_role_that_used_it(api, role):
    c = golan(api)
    key = {"Idempotency-Key": "filing-0001"}
    first = c["idf"].post("/v1/notices", json=notice(), headers=key)
    assert first.status_code == 201, first.text
    before = _recorded(api)
    other = api.as_("idf", role).post("/v1/notices", json=notice(), headers=key)
    assert other.status_code == 403, other.text
    assert first.json()["notice"]["id"] not in other.text  # nothing of the answer leaks
    assert "may not replay it" in other.json()["error"]["message"]
    assert _recorded(api) == before
    again = c["idf"].post("/v1/notices", json=notice(), headers=key)
    assert again.json()["notice"] == first.json()["notice"]


def test_a_json_body_without_a_content_type_follows_the_same_rule(api):
    c = golan(api)
    raw = BODY[:-1] + ', "kind": "air_operation"}'
    response = c["idf"].post("/v1/notices", content=raw.encode())
    assert response.status_code == 400, response.text
    assert "key 'kind' appears twice" in problems(response)["body"]


def test_an_oversized_request_head_is_refused_and_the_connection_closed(quick):
    """A head over 16 KiB (request line and fields) is answered 400 and the connection closed,
    before any route runs; one just under the bound is served."""
    filler = "a" * 1000
    with _connect(quick) as connection:
        fields = "".join(f"X-Filler-{i}: {filler}\r\n" for i in range(17))
        connection.sendall(f"GET /healthz HTTP/1.1\r\nHost: test\r\n{fields}\r\n".encode())
        answer = _read_all(connection)
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
    with _connect(quick) as connection:
        fields = "".join(f"X-Filler-{i}: {filler}\r\n" for i in range(15))
        connection.sendall(
            f"GET /healthz HTTP/1.1\r\nHost: test\r\nConnection: close\r\n{fields}\r\n".encode()
        )
        assert _read_all(connection).startswith(b"HTTP/1.1 200 ")
