"""Serving the built console: ``/`` and ``/assets/``, with a strict Content-Security-Policy.

The files are built from ``web/`` (the TypeScript project at the repository's root) into
``static/`` when the package is built; they are not in the repository.  Each built file may
have a gzip twin (``name.gz``) made by the build, served to browsers that accept it.
"""

from __future__ import annotations

import mimetypes
from datetime import timedelta
from importlib import resources
from pathlib import Path

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from deconfliction.engine.errors import NotFound
from deconfliction.service.compression import accepts
from deconfliction.service.coordinator import Coordinator
from deconfliction.service.settings import Settings
from deconfliction.web.sessions import Console
from deconfliction.web.sessions import router as session_router

__all__ = ["CONTENT_SECURITY_POLICY", "install", "static_directory"]

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # deck.gl and the page set element styles from script.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
"""Everything from the server the page came from, nothing from anywhere else."""

_SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}

_NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Deconfliction Line</title></head>
<body><main><h1>Deconfliction Line</h1>
<p>The console was not built into this installation.  Install from a source tree with Node.js
20 and npm available (<code>pip install .</code> builds it), or use the API:
<a href="/docs">/docs</a>.</p></main></body></html>
"""


def static_directory() -> Path:
    """Where the built console lives inside the installed package."""
    return Path(str(resources.files("deconfliction.web"))) / "static"


def _asset(directory: Path, path: str, request: Request) -> Response:
    root = (directory / "assets").resolve()
    target = (root / path).resolve()
    if root not in target.parents or not target.is_file():
        raise NotFound("asset", path)
    media_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    # Built names carry a content hash: they never change.
    headers = {"Cache-Control": "public, max-age=31536000, immutable", **_SECURITY_HEADERS}
    zipped = target.with_name(target.name + ".gz")
    if not zipped.is_file():
        return FileResponse(target, media_type=media_type, headers=headers)
    # Either answer depends on the header: a cache must not give one for the other.
    headers["Vary"] = "Accept-Encoding"
    if accepts(request.headers.get("accept-encoding"), "gzip", wildcard="*"):
        headers["Content-Encoding"] = "gzip"
        return FileResponse(zipped, media_type=media_type, headers=headers)
    return FileResponse(target, media_type=media_type, headers=headers)


def _router(directory: Path) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/", response_class=HTMLResponse)
    def index() -> Response:
        page = directory / "index.html"
        headers = {"Cache-Control": "no-store", **_SECURITY_HEADERS}
        if not page.is_file():
            return HTMLResponse(_NOT_BUILT, headers=headers)
        return FileResponse(page, media_type="text/html; charset=utf-8", headers=headers)

    @router.get("/assets/{path:path}")
    def asset(path: str, request: Request) -> Response:
        return _asset(directory, path, request)

    return router


def install(
    app: FastAPI,
    coordinator: Coordinator,
    settings: Settings,
    *,
    directory: Path | None = None,
) -> None:
    """Serve the console at ``/`` and its session endpoints on ``app`` (the API's)."""
    app.state.console = Console(
        coordinator.db, coordinator.clock, timedelta(hours=settings.session_hours)
    )
    app.include_router(session_router)
    app.include_router(_router(directory or static_directory()))
