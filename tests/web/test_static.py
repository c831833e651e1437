"""Serving the built console: the page with a strict Content-Security-Policy, hashed assets
gzipped when the browser takes gzip, nothing outside the assets directory, and a plain page
that says so when the console was not built."""

from __future__ import annotations

import gzip
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from deconfliction import web
from deconfliction.api.app import create_app
from deconfliction.service.coordinator import Coordinator
from deconfliction.service.settings import Settings
from deconfliction.web.app import CONTENT_SECURITY_POLICY


class _Client:
    """Requests to the application in process (no server, no lifespan: files only)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def get(self, path: str, headers: dict[str, str] | None = None) -> httpx.Response:
        # Starlette's client runs the app in a thread of its own: it works whether or not the
        # test's thread already runs an event loop (asyncio.run would refuse then).
        # Not entered as a context: no lifespan, the files only.
        return TestClient(self.app, base_url="http://t").get(path, headers=headers)


def _app(tmp_path: Path, directory: Path) -> tuple[FastAPI, Coordinator]:
    coordinator = Coordinator.open(str(tmp_path / "store.sqlite3"))
    app = create_app(coordinator, background=False)
    web.install(app, coordinator, Settings(), directory=directory)
    return app, coordinator


@pytest.fixture
def built(tmp_path: Path) -> Path:
    directory = tmp_path / "static"
    (directory / "assets").mkdir(parents=True)
    (directory / "index.html").write_text("<!doctype html><title>console</title>", "utf-8")
    script = b"console.log('deconfliction');" * 50
    (directory / "assets" / "index-abc123.js").write_bytes(script)
    (directory / "assets" / "index-abc123.js.gz").write_bytes(gzip.compress(script))
    (tmp_path / "secret.txt").write_text("not for the web", "utf-8")
    return directory


def test_the_page_and_its_assets(tmp_path: Path, built: Path) -> None:
    app, coordinator = _app(tmp_path, built)
    with coordinator:
        client = _Client(app)
        page = client.get("/")
        assert page.status_code == 200
        assert "console" in page.text
        assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert "default-src 'self'" in CONTENT_SECURITY_POLICY
        assert "connect-src 'self'" in CONTENT_SECURITY_POLICY
        assert page.headers["cache-control"] == "no-store"
        zipped = client.get("/assets/index-abc123.js", headers={"Accept-Encoding": "gzip"})
        assert zipped.headers["content-encoding"] == "gzip"
        assert zipped.headers["content-type"].startswith("text/javascript")
        assert "immutable" in zipped.headers["cache-control"]
        assert zipped.text.startswith("console.log")  # httpx undid the gzip
        plain = client.get("/assets/index-abc123.js", headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in plain.headers
        for path in (
            "/assets/../../secret.txt",
            "/assets/%2e%2e/%2e%2e/secret.txt",
            "/assets/nope.js",
        ):
            answer = client.get(path)
            assert answer.status_code == 404, path
            assert "not for the web" not in answer.text
            assert answer.json()["error"]["type"] == "not_found"


@pytest.mark.parametrize(
    ("accept_encoding", "zipped"),
    [
        ("gzip", True),
        ("gzip, deflate, br, zstd", True),
        ("GZIP;Q=0.5", True),
        ("*", True),  # any coding
        ("br, *;q=0.1", True),
        (None, False),
        ("identity", False),
        ("gzip;q=0", False),  # q=0: "not acceptable" (RFC 9110, 12.5.3)
        ("br;q=1.0, gzip;q=0", False),
        ("gzip;q=0.000, *", False),  # the entry naming gzip decides, not the wildcard
        ("br, *;q=0", False),
        ("x-gzip-but-not-really", False),
    ],
)
def test_an_asset_is_gzipped_only_when_the_header_admits_gzip(
    tmp_path: Path, built: Path, accept_encoding: str | None, zipped: bool
) -> None:
    app, coordinator = _app(tmp_path, built)
    with coordinator:
        # Starlette's test client would add its own header: ask without one when there is none.
        headers = {"Accept-Encoding": accept_encoding or ""}
        answer = _Client(app).get("/assets/index-abc123.js", headers=headers)
        assert answer.status_code == 200
        assert answer.headers.get("content-encoding") == ("gzip" if zipped else None)
        assert answer.text.startswith("console.log")
        assert answer.headers["vary"] == "Accept-Encoding"


def test_a_console_not_built_says_so(tmp_path: Path) -> None:
    app, coordinator = _app(tmp_path, tmp_path / "missing")
    with coordinator:
        client = _Client(app)
        page = client.get("/")
        assert page.status_code == 200
        assert "was not built" in page.text
        assert client.get("/docs").status_code == 200


def test_the_installed_console_is_built() -> None:
    """The test command builds the console before the tests: the package holds it."""
    index = web.app.static_directory() / "index.html"
    assert index.is_file()
    assert '<script type="module"' in index.read_text("utf-8")
