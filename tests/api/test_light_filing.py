"""The light path of ``POST /v1/notices`` (api/fast.py): the answers it gives are the
framework route's, byte for byte up to the ids and keys each store draws at random, and every
request it is not sure of goes on to the framework's route."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from starlette.requests import Request

from deconfliction.api.bodies import PARSED
from deconfliction.api.routes.notices import FAST_ROUTES
from tests.api.bodies import notice, problems, volume
from tests.support.server import running_server

_VOLATILE_HEADERS = {"date", "x-request-id"}


def _same_up_to_renaming(
    a: Any,
    b: Any,
    names: dict[str, str],
    sets: list[tuple[str, list[str], list[str]]] | None,
    where: str,
) -> None:
    """``a`` and ``b`` alike: the same keys in the same order, the same numbers, booleans and
    nulls, and strings equal up to one consistent renaming (the random ids, hashes and
    signatures of each store).  Lists of strings (ids, sorted: their order follows the random
    names) are put in ``sets`` to be compared once every name is known."""
    assert type(a) is type(b), where
    if isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            _same_up_to_renaming(a[key], b[key], names, sets, f"{where}.{key}")
    elif isinstance(a, list) and a and all(isinstance(x, str) for x in a) and sets is not None:
        sets.append((where, a, b))
    elif isinstance(a, list):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same_up_to_renaming(x, y, names, sets, f"{where}[{i}]")
    elif isinstance(a, str):
        assert names.setdefault(a, b) == b, f"{where}: {a} named {names[a]} and {b}"
    else:
        assert a == b, where


def _alike(a: Any, b: Any) -> None:
    names: dict[str, str] = {}
    sets: list[tuple[str, list[str], list[str]]] = []
    _same_up_to_renaming(a, b, names, sets, "")
    for where, x, y in sets:
        # Those named elsewhere are found by their names; the others (an inclusion proof's
        # hashes, an id named nowhere else) pair in order.
        assert len(x) == len(y), where
        named = [names[item] for item in x if item in names]
        assert set(named) <= set(y), where
        rest = [item for item in y if item not in named]
        _same_up_to_renaming([i for i in x if i not in names], rest, names, None, where)
    assert len(set(names.values())) == len(names), "two strings renamed to one"


def test_the_light_path_answers_as_the_framework_route_does(tmp_path: Path) -> None:
    """Two servers with the same record and clock; the same filing, taken by the light path
    on one and by the framework's route on the other (a query string sends it there)."""
    answers, taken = [], []
    (route,) = FAST_ROUTES
    for name, path in (("light", "/v1/notices"), ("framework", "/v1/notices?via=framework")):
        for server in running_server(f"sqlite:///{tmp_path / name}.db"):
            before = route.answered
            server.load_golan()
            rus, idf = server.as_("rus"), server.as_("idf")
            assert rus.post(path, json=notice()).status_code == 201
            server.clock.advance(30)
            # Overlapping the first: the answer has an alert, deliveries, receipts.
            answers.append(idf.post(path, json=notice(), headers={"Idempotency-Key": "k-1"}))
            taken.append(route.answered - before)
    assert taken == [2, 0]
    light, framework = answers
    assert light.status_code == framework.status_code == 201
    assert len(light.content) == len(framework.content)
    assert [(k, v) for k, v in light.headers.multi_items() if k not in _VOLATILE_HEADERS] == [
        (k, v) for k, v in framework.headers.multi_items() if k not in _VOLATILE_HEADERS
    ]
    first, second = light.json(), framework.json()
    assert first["alerts"], "nothing to compare: the filing raised no alert"
    _alike(first, second)
    # The answer's bytes are pydantic's compact JSON, as the framework writes it.
    assert light.content == json.dumps(first, separators=(",", ":"), ensure_ascii=False).encode()


def _request(body: bytes, query: bytes = b"", **headers: str | list[str]) -> Request:
    raw = []
    for name, values in headers.items():
        for value in [values] if isinstance(values, str) else values:
            raw.append((name.replace("_", "-").lower().encode(), value.encode()))
    scope: dict[str, Any] = {
        "type": "http",
        "method": "POST",
        "path": "/v1/notices",
        "query_string": query,
        "headers": raw,
    }
    if body:
        scope[PARSED] = json.loads(body)
    return Request(scope)


_GOOD = json.dumps(notice()).encode()
_JSON = "application/json"


@pytest.mark.parametrize(
    ("body", "query", "headers"),
    [
        (_GOOD, b"x=1", {"authorization": "Bearer t", "content_type": _JSON}),
        (
            json.dumps(notice(title="\u00e9")).encode(),  # a \u escape: looked into by the guard
            b"",
            {"authorization": "Bearer t", "content_type": _JSON},
        ),
        (_GOOD, b"", {"authorization": "Bearer t"}),
        (_GOOD, b"", {"authorization": "Bearer t", "content_type": "text/plain"}),
        (_GOOD, b"", {"authorization": ["Bearer t", "Bearer u"], "content_type": _JSON}),
        (_GOOD, b"", {"authorization": "Basic dTpw", "content_type": _JSON}),
        (_GOOD, b"", {"authorization": "Bearer ", "content_type": _JSON}),
        (_GOOD, b"", {"content_type": _JSON, "cookie": "session=x"}),
        (
            _GOOD,
            b"",
            {"authorization": "Bearer t", "content_type": _JSON, "idempotency_key": ["a", "b"]},
        ),
        (
            _GOOD,
            b"",
            {"authorization": "Bearer t", "content_type": _JSON, "idempotency_key": "k" * 201},
        ),
        (
            json.dumps({**notice(), "volumes": []}).encode(),
            b"",
            {"authorization": "Bearer t", "content_type": _JSON},
        ),
        (b"", b"", {"authorization": "Bearer t", "content_type": _JSON}),
    ],
)
def test_a_request_of_another_kind_goes_on_to_the_framework(
    body: bytes, query: bytes, headers: dict[str, Any]
) -> None:
    (route,) = FAST_ROUTES
    assert route._read(_request(body, query, **headers), body) is None


def test_a_well_formed_filing_takes_the_light_path() -> None:
    (route,) = FAST_ROUTES
    headers = {
        "authorization": "bearer  t-1 ",
        "content_type": "application/json; charset=utf-8",
        "idempotency_key": "k" * 200,
    }
    found = route._read(_request(_GOOD, **headers), _GOOD)
    assert found is not None
    model, token, key = found
    assert (token, key) == ("t-1", "k" * 200)
    assert model.volumes[0].window.end > model.volumes[0].window.start


def test_a_route_with_a_guard_the_light_path_would_skip_cannot_take_it() -> None:
    """A dependency added to the filing route or its router later (a new guard) must not be
    skipped unseen by the light path: building it refuses."""
    from fastapi import Depends
    from fastapi.routing import APIRoute

    from deconfliction.api.fast import FastRoute
    from deconfliction.api.routes.notices import file_notice, router

    (framework,) = [
        r for r in router.routes if isinstance(r, APIRoute) and r.endpoint is file_notice
    ]
    assert FastRoute.of(framework).path == framework.path  # the text guard is covered

    async def another_guard() -> None:
        return None

    guarded = APIRoute(
        framework.path,
        file_notice,
        methods=sorted(framework.methods),
        response_model=framework.response_model,
        status_code=framework.status_code,
        dependencies=[*framework.dependencies, Depends(another_guard)],
    )
    with pytest.raises(TypeError, match="would skip"):
        FastRoute.of(guarded)


def test_errors_of_declined_filings_keep_the_one_shape(api) -> None:
    """A body the model refuses is declined, and the framework's route names the field."""
    api.load_golan()
    bad = {**notice(), "volumes": [{**volume(), "altitude": {"lower": "FL100", "upper": "x"}}]}
    response = api.as_("idf").post("/v1/notices", json=bad)
    assert response.status_code == 422
    assert any(path.startswith("volumes[0].altitude") for path in problems(response))
    unknown = api.client("dlt_nobody_x").post("/v1/notices", json=notice())
    assert unknown.status_code == 401
    assert unknown.json()["error"]["type"] == "unauthenticated"


def test_errors_raised_on_the_light_path_are_the_framework_routes_byte_for_byte(api) -> None:
    """An unknown token (401) and a role that may not file (403) are well-formed requests: the
    light path takes them and answers with the application's handlers, as the framework's route
    does (a query string sends the same request there): the same status, headers and bytes."""
    api.load_golan()
    (route,) = FAST_ROUTES
    callers = [api.client("dlt_nobody_x"), api.as_("idf", "viewer")]
    for caller in callers:
        before = route.answered
        light = caller.post("/v1/notices", json=notice())
        assert route.answered == before + 1
        framework = caller.post("/v1/notices?via=framework", json=notice())
        assert route.answered == before + 1
        assert light.status_code == framework.status_code
        assert light.status_code in (401, 403)
        assert light.content == framework.content
        assert [(k, v) for k, v in light.headers.multi_items() if k not in _VOLATILE_HEADERS] == [
            (k, v) for k, v in framework.headers.multi_items() if k not in _VOLATILE_HEADERS
        ]
        assert light.headers["x-request-id"] != framework.headers["x-request-id"]
