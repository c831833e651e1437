"""The OpenAPI document, the readable docs, the words that must not appear, and a bounded
Schemathesis run against the live server with zero server errors."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.api.bodies import golan

FORBIDDEN = re.compile(r"approv|den(y|ied|ial)|accept|reject|permi(t|ssion)|grant|refus|veto", re.I)
"""Nothing is approved or denied: no field, value, parameter or path may say so."""

RESOURCES = [
    "/v1/parties",
    "/v1/agreements",
    "/v1/lines",
    "/v1/zones",
    "/v1/sites",
    "/v1/notices",
    "/v1/observations",
    "/v1/alerts",
    "/v1/inbox",
    "/v1/messages",
]


def _names(node: Any, where: str = "") -> Iterator[tuple[str, str]]:
    """Every property name, enum value, parameter name and operation id in the document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                for name in value:
                    yield f"{where}.properties", name
            elif key == "enum" and isinstance(value, list):
                for member in value:
                    yield f"{where}.enum", str(member)
            elif key in ("operationId", "title") and isinstance(value, str):
                yield f"{where}.{key}", value
            elif key == "parameters" and isinstance(value, list):
                for parameter in value:
                    if isinstance(parameter, dict) and "name" in parameter:
                        yield f"{where}.parameters", str(parameter["name"])
            yield from _names(value, f"{where}.{key}")
    elif isinstance(node, list):
        for item in node:
            yield from _names(item, where)


def test_the_openapi_document_and_the_docs_are_served(api):
    client = api.client()
    response = client.get("/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    paths = set(document["paths"])
    for resource in RESOURCES:
        assert resource in paths, resource
        assert any(p.startswith(resource + "/{") for p in paths), resource
    assert "/v1/notices/{notice_id}/replace" in paths
    assert "/v1/inbox/{delivery_id}/ack" in paths
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "text/html" in docs.headers["content-type"]
    assert "/openapi.json" in docs.text


def test_nothing_is_approved_or_denied_anywhere(api):
    document = api.client().get("/openapi.json").json()
    offending = [(where, name) for where, name in _names(document) if FORBIDDEN.search(name)]
    offending += [(path, path) for path in document["paths"] if FORBIDDEN.search(path)]
    assert offending == []


def test_every_error_answer_is_documented_with_the_one_error_shape(api):
    document = api.client().get("/openapi.json").json()
    assert set(document["components"]["schemas"]["ErrorBody"]["properties"]) == {"error"}
    for path, operations in document["paths"].items():
        if not path.startswith("/v1/") or path in ("/v1/stream", "/v1/tracks/stream", "/v1/me"):
            continue
        for method, operation in operations.items():
            documented = set(operation["responses"])
            assert {"401", "422"} <= documented, (method, path)
            if "{" in path:
                assert "404" in documented, (method, path)
            # Every write may be refused to some role, except marking one's own item read and
            # asking for a freshly signed tree head, which any party may do.
            if method != "get" and not path.endswith(("/read", "/ledger/tree-head")):
                assert "403" in documented, (method, path)
            for status in documented - {"200", "201"}:
                schema = operation["responses"][status]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (method, path)


def test_every_endpoint_refuses_a_missing_bad_or_revoked_token(api):
    golan(api)
    document = api.client().get("/openapi.json").json()
    token = api.token("idf")
    api.revoke(token)
    from datetime import timedelta

    short = api.token("idf", expires_at=api.clock.now() + timedelta(seconds=5))
    api.clock.advance(10)
    clients = {
        "none": api.client(),
        "malformed": api.client("not-a-token"),
        "unknown": api.client("dlt_0123456789abcdef_" + "x" * 43),
        "revoked": api.client(token),
        "expired": api.client(short),
    }
    for path, operations in document["paths"].items():
        if not path.startswith("/v1/"):
            continue
        concrete = re.sub(r"\{[^}]+\}", "x", path)
        for method in operations:
            for why, client in clients.items():
                response = client.request(method, concrete, json={})
                assert response.status_code == 401, (why, method, path)
                assert response.headers["WWW-Authenticate"].startswith("Bearer")
                assert response.json()["error"]["type"] == "unauthenticated"


# -- Schemathesis --------------------------------------------------------------------------

EXAMPLES = int(os.environ.get("DECONFLICT_FUZZ_EXAMPLES", "12"))
"""Cases per operation and generation mode: bounded, so the run stays short (raise it with
``DECONFLICT_FUZZ_EXAMPLES`` for a deeper search)."""


def _operations(document: dict[str, Any]) -> list[Any]:
    schema = schemathesis.openapi.from_dict(document)
    out = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path not in (
            "/v1/stream",
            "/v1/tracks/stream",
        ):  # endless streams: tested on their own
            out.append(operation)
    return out


def test_schemathesis_finds_no_server_error(api):
    golan(api)
    document = api.client().get("/openapi.json").json()
    tokens = {
        "duty_officer": api.token("idf"),
        "monitor": api.token("undof", "monitor"),
        "admin": api.token("undof", "admin"),
    }
    failures: list[str] = []
    for operation in _operations(document):
        strategy = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        )

        @settings(
            max_examples=EXAMPLES * 2,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=strategy, role=st.sampled_from(sorted(tokens)))
        def check(case: Any, role: str) -> None:
            headers = {"Authorization": f"Bearer {tokens[role]}"}
            response = case.call(base_url=api.url, headers=headers, timeout=30)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")
                return
            content_type = response.headers.get("content-type", [""])[0]
            # JSON everywhere, but the ledger export, which is text for `deconflict verify`.
            plain = case.formatted_path == "/v1/ledger/export" and response.status_code == 200
            expected = "text/plain" if plain else "application/json"
            assert content_type.startswith(expected), (case.method, case.formatted_path)
            if response.status_code >= 400:
                body = response.json()
                assert set(body) == {"error"}, body
                assert body["error"]["status"] == response.status_code

        check()
    assert failures == []


NOT_RECORDED = {("post", "/v1/ledger/tree-head"), ("post", "/v1/tracks/feed")}
"""Writes that append nothing to the log (signing a tree head; raw track reports, which are
merged into the air picture and recorded only as the evidence of an alert): no entry, no
receipt."""


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_every_write_answer_carries_the_ledger_receipt_in_the_contract(api):
    """docs/ledger.md promises a receipt on every write: the OpenAPI document says so for each
    one (the answer models are the contract, not a merge after the fact)."""
    document = api.client().get("/openapi.json").json()
    writes = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if method not in ("post", "put", "patch", "delete") or (method, path) in NOT_RECORDED:
                continue
            success = next(
                (v for k, v in operation["responses"].items() if k.startswith("2")), None
            )
            assert success is not None, (method, path)
            schema = _resolve(document, success["content"]["application/json"]["schema"])
            properties = schema.get("properties", {})
            assert "receipt" in properties, (method, path, sorted(properties))
            assert "ledger" in properties, (method, path, sorted(properties))
            receipt = _resolve(document, properties["receipt"]["anyOf"][0])
            assert {"index", "entry", "tree_head", "inclusion_proof"} <= set(
                receipt["properties"]
            ), (method, path)
            writes.append((method, path))
    assert len(writes) >= 17, writes
