"""Request ids (api/observability.py): one per request, the client's when it is a short token,
never the same twice, in every process."""

from __future__ import annotations

import os

from deconfliction.api.observability import _ids


def test_each_request_has_an_id_of_its_own_or_the_clients(api) -> None:
    client = api.client()
    seen = {client.get("/healthz").headers["X-Request-ID"] for _ in range(20)}
    assert len(seen) == 20
    assert all(len(ident) == 32 and int(ident, 16) >= 0 for ident in seen)
    assert (
        client.get("/healthz", headers={"X-Request-ID": "probe-7"}).headers["X-Request-ID"]
        == "probe-7"
    )
    replaced = client.get("/healthz", headers={"X-Request-ID": "no spaces allowed"})
    assert replaced.headers["X-Request-ID"] not in ("no spaces allowed", *seen)


def test_a_forked_worker_names_its_requests_apart_from_its_parent() -> None:
    before = _ids.new()
    reading, writing = os.pipe()
    child = os.fork()
    if child == 0:  # the worker: its first id, then gone
        os.write(writing, _ids.new().encode())
        os._exit(0)
    os.close(writing)
    theirs = os.read(reading, 64).decode()
    os.close(reading)
    os.waitpid(child, 0)
    ours = _ids.new()
    assert theirs[:16] != ours[:16] == before[:16]
    assert len({before, ours, theirs}) == 3
