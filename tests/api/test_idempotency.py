"""Writes retried under the same Idempotency-Key are performed once and answered the same."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.api.bodies import golan, notice, observation, problems, site


def assert_same_answer(again: dict, first: dict) -> None:
    """A replay gives the same answer, and a receipt for the same ledger entry (under the
    newest signed head, which may have grown since)."""
    strip = {"receipt", "ledger"}
    assert {k: v for k, v in again.items() if k not in strip} == {
        k: v for k, v in first.items() if k not in strip
    }
    for field in ("index", "leaf_hash", "entry"):
        assert again["receipt"][field] == first["receipt"][field]
    assert again["receipt"]["tree_head"]["tree_size"] >= first["receipt"]["tree_head"]["tree_size"]


def _notices(client) -> list[str]:
    return [n["id"] for n in client.get("/v1/notices", params={"status": "all"}).json()["notices"]]


def test_a_retried_filing_is_filed_once_and_answered_the_same(api):
    c = golan(api)
    idf = c["idf"]
    before = _notices(idf)
    first = idf.post("/v1/notices", json=notice(), headers={"Idempotency-Key": "file-1"})
    assert first.status_code == 201
    assert "Idempotent-Replayed" not in first.headers
    api.clock.advance(5)
    again = idf.post("/v1/notices", json=notice(), headers={"Idempotency-Key": "file-1"})
    assert again.status_code == 201
    assert again.headers["Idempotent-Replayed"] == "true"
    assert_same_answer(again.json(), first.json())
    assert _notices(idf) == [*before, first.json()["notice"]["id"]]
    # rus received it once.
    items = c["rus"].get("/v1/inbox").json()["items"]
    assert [i["item_id"] for i in items].count(first.json()["notice"]["id"]) == 1


def test_the_same_request_in_other_words_is_the_same_request(api):
    golan(api)
    idf = api.as_("idf")
    body = notice(radius="8 km")
    first = idf.post("/v1/notices", json=body, headers={"Idempotency-Key": "k"})
    reordered = dict(reversed(list(body.items())))
    again = idf.post("/v1/notices", json=reordered, headers={"Idempotency-Key": "k"})
    assert_same_answer(again.json(), first.json())


def test_a_key_reused_for_another_request_is_refused(api):
    golan(api)
    idf = api.as_("idf")
    idf.post("/v1/notices", json=notice(), headers={"Idempotency-Key": "k"})
    before = _notices(idf)
    for path, body in (
        ("/v1/notices", notice(title="something else")),
        ("/v1/sites", site()),
        ("/v1/messages", {"to": "rus", "body": "hello"}),
    ):
        response = idf.post(path, json=body, headers={"Idempotency-Key": "k"})
        assert response.status_code == 422, path
        assert response.json()["error"]["type"] == "idempotency_key_reused"
    assert _notices(idf) == before


def test_keys_belong_to_a_party(api):
    golan(api)
    idf, rus = api.as_("idf"), api.as_("rus")
    mine = idf.post("/v1/notices", json=notice(), headers={"Idempotency-Key": "same"})
    theirs = rus.post("/v1/notices", json=notice(), headers={"Idempotency-Key": "same"})
    assert theirs.status_code == 201
    assert theirs.json()["notice"]["author"] == "rus"
    assert theirs.json()["notice"]["id"] != mine.json()["notice"]["id"]
    # Another token of the same party shares the party's keys.
    again = api.as_("idf").post("/v1/notices", json=notice(), headers={"Idempotency-Key": "same"})
    assert_same_answer(again.json(), mine.json())


def test_concurrent_retries_file_once(api):
    golan(api)
    idf = api.as_("idf")
    before = len(_notices(idf))

    def post(_: int):
        return idf.post("/v1/notices", json=notice(), headers={"Idempotency-Key": "burst"})

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(post, range(8)))
    assert {r.status_code for r in answers} == {201}
    assert len({r.json()["notice"]["id"] for r in answers}) == 1
    assert len(_notices(idf)) == before + 1


def test_every_write_is_idempotent(api):
    c = golan(api)
    admin = api.as_("undof", "admin")
    item = c["rus"].get("/v1/inbox").json()["items"][0]["id"]
    writes = [
        (c["idf"], "post", "/v1/sites", site()),
        (c["undof"], "post", "/v1/observations", observation()),
        (c["idf"], "post", "/v1/messages", {"to": "rus", "body": "hello"}),
        (c["rus"], "post", f"/v1/inbox/{item}/ack", {"reply": "received"}),
        (admin, "post", "/v1/parties", {"id": "x", "name": "X", "kind": "monitor"}),
        (admin, "patch", "/v1/parties/undof", {"affiliations": ["UNDOF", "UN observers"]}),
        (
            admin,
            "post",
            "/v1/lines",
            {"id": "l", "name": "L", "vertices": ["33N 36E", "33.1N 36E"]},
        ),
    ]
    for client, method, path, body in writes:
        first = client.request(method, path, json=body, headers={"Idempotency-Key": path})
        assert first.status_code in (200, 201), (path, first.text)
        again = client.request(method, path, json=body, headers={"Idempotency-Key": path})
        assert (again.status_code, again.json()) == (first.status_code, first.json()), path
        assert again.headers["Idempotent-Replayed"] == "true"
    # Without a key, a second acknowledgement is refused: it was performed once.
    assert c["rus"].post(f"/v1/inbox/{item}/ack", json={}).status_code == 409


def test_a_key_that_is_too_long_or_empty(api):
    golan(api)
    idf = api.as_("idf")
    for key in ("", "k" * 201):
        response = idf.post("/v1/notices", json=notice(), headers={"Idempotency-Key": key})
        assert response.status_code == 422
        assert "Idempotency-Key" in problems(response)
