"""``deconflict serve`` and ``deconflict token``."""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from deconfliction.cli.common import (
    DbOption,
    command,
    err,
    open_store,
    out,
    parse_file,
    resolve_settings,
    time_option,
)
from deconfliction.engine.errors import InvalidInput
from deconfliction.engine.times import format_time
from deconfliction.engine.units import Duration
from deconfliction.service.auth import Role, create_token, list_tokens, revoke_token
from deconfliction.service.coordinator import Coordinator
from deconfliction.service.documents import demo_path
from deconfliction.service.loading import load_scenario
from deconfliction.service.sessions import issue_signin_code
from deconfliction.service.settings import Settings

if TYPE_CHECKING:
    from deconfliction.service.writer import Writer

__all__ = ["register"]

DEMO_TOKENS = (
    ("idf", Role.duty_officer),
    ("rus", Role.duty_officer),
    ("sarc", Role.duty_officer),
    ("undof", Role.monitor),
    ("undof", Role.admin),
    ("idf", Role.viewer),
)


DEMO_LINK_LIFETIME = timedelta(hours=24)
"""How long the demo's one-time sign-in links stay usable."""


def _url_host(host: str) -> str:
    """The host as a URL names it: an IPv6 address in brackets; any-address as loopback."""
    if host in ("0.0.0.0", "::"):
        return "127.0.0.1"
    return f"[{host}]" if ":" in host else host


def _serve(
    coordinator: Coordinator,
    settings: Settings,
    host: str,
    port: int,
    log_level: str,
    log_format: str = "json",
    on_start: Callable[[Writer], object] | None = None,
) -> None:
    import uvicorn  # the server only: other commands should not pay for importing it

    from deconfliction.api.connections import server_config
    from deconfliction.api.observability import log_config
    from deconfliction.cli.node import whole_app

    app = whole_app(coordinator, settings)
    if on_start is not None:
        on_start(app.state.services.writer)

    class Server(uvicorn.Server):
        def handle_exit(self, sig: int, frame: FrameType | None) -> None:
            # End the live streams first: the server waits for open responses to finish.
            app.state.services.feeds.request_close()
            super().handle_exit(sig, frame)

    config = server_config(
        app,
        settings,
        host,
        port,
        log_level=log_level,
        log_config=log_config(log_level, log_format),
        access_log=False,  # our own access line carries the request id (observability.py)
    )
    Server(config).run()


def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port.")] = 8080,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Start on a fresh store with the Golan scenario and print a token for each demo party.",
        ),
    ] = False,
    log_level: Annotated[
        str, typer.Option(help="critical, error, warning, info or debug.")
    ] = "info",
    log_format: Annotated[
        str,
        typer.Option(help="json (one object per line, with request ids) or text."),
    ] = "json",
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=64,
            help="Worker processes, one record (default: DECONFLICT_WORKERS, 1).",
        ),
    ] = None,
) -> None:
    """Run the HTTP API (OpenAPI at /openapi.json, readable docs at /docs; /healthz, /readyz
    and /metrics for operations)."""
    if log_level not in ("critical", "error", "warning", "info", "debug"):
        raise InvalidInput.at(("--log-level",), f"unknown level '{log_level}'")
    if log_format not in ("json", "text"):
        raise InvalidInput.at(("--log-format",), f"unknown format '{log_format}': json or text")
    settings = resolve_settings(db)
    if workers is not None:
        settings = settings.model_copy(update={"workers": workers})
    if settings.workers > 1:
        if demo:
            raise InvalidInput.at(("--workers",), "--demo runs one process: leave --workers out")
        from deconfliction.api.observability import log_config
        from deconfliction.cli.node import serve_workers

        serve_workers(settings, host, port, log_level, log_config(log_level, log_format))
        return
    if not demo:
        with open_store(settings) as coordinator:
            _serve(coordinator, settings, host, port, log_level, log_format)
        return
    from deconfliction.service import demo_tracks

    with tempfile.TemporaryDirectory(prefix="deconflict-serve-demo-") as scratch:
        location = db or str(Path(scratch) / "demo.sqlite3")
        if db is not None and Path(db).exists():
            raise InvalidInput.at(("--db",), f"{db} already exists: --demo builds a fresh store")
        scenario = parse_file(demo_path(), settings)
        with open_store(settings, location) as coordinator:
            load_scenario(coordinator, scenario)
            settings, start_tracks = demo_tracks.prepare(coordinator, settings, Path(scratch))
            table = Table(
                title="Demo tokens and console sign-in links (valid while this server runs)"
            )
            for column in ("party", "role", "token", "console (one-time sign-in link)"):
                table.add_column(column, overflow="fold")
            now = coordinator.clock.now()
            base = f"http://{_url_host(host)}:{port}"
            first = ""
            for party, role in DEMO_TOKENS:
                record, token = create_token(
                    coordinator.db, party=party, role=role, now=now, label="demo"
                )
                code = issue_signin_code(coordinator.db, record.id, now, DEMO_LINK_LIFETIME)
                first = first or token
                table.add_row(party, role.value, token, f"{base}/#code={code}")
            console = out()
            console.print(table)
            console.print(
                f"Console: open a sign-in link above (each works once), or {base}/ and paste a "
                f"token.\nTry: curl -H 'Authorization: Bearer {first}' {base}/v1/inbox\n"
                f"API docs: {base}/docs",
                markup=False,
                soft_wrap=True,
            )
            _serve(coordinator, settings, host, port, log_level, log_format, start_tracks)


tokens = typer.Typer(help="Create, list and revoke bearer tokens.", no_args_is_help=True)


def create(
    party: Annotated[str, typer.Option(help="The party the token acts for.")],
    role: Annotated[Role, typer.Option(help="admin, duty_officer, monitor or viewer.")],
    expires_in: Annotated[
        str | None, typer.Option(help='Lifetime, e.g. "30 d" or "12 h" (default: no expiry).')
    ] = None,
    expires_at: Annotated[str | None, typer.Option(help="Expiry as an RFC 3339 time.")] = None,
    label: Annotated[str, typer.Option(help="A note on who holds it.")] = "",
    db: DbOption = None,
) -> None:
    """Create a token.  It is printed once and stored only as a hash."""
    settings = resolve_settings(db)
    with open_store(settings) as coordinator:
        now = coordinator.clock.now()
        if expires_in is not None and expires_at is not None:
            raise InvalidInput.at(("--expires-in",), "give --expires-in or --expires-at, not both")
        expiry = time_option(expires_at, "--expires-at")
        if expires_in is not None:
            try:
                expiry = now + timedelta(seconds=Duration.parse(expires_in).seconds)
            except ValueError as exc:
                raise InvalidInput.at(("--expires-in",), str(exc)) from None
        record, token = create_token(
            coordinator.db, party=party, role=role, now=now, expires_at=expiry, label=label
        )
    print(token)
    err().print(
        f"token {record.id} for {party} as {role.value}"
        + (f", expires {format_time(expiry)}" if expiry else ", no expiry")
        + ". It is shown only now.",
        markup=False,
    )


def revoke(
    token_id: Annotated[str, typer.Argument(help="The token's id (the part after dlt_).")],
    db: DbOption = None,
) -> None:
    """Revoke a token: it is refused from now on."""
    settings = resolve_settings(db)
    with open_store(settings) as coordinator:
        revoke_token(
            coordinator.db, token_id.removeprefix("dlt_").split("_")[0], coordinator.clock.now()
        )
    out().print(f"token {token_id} revoked", markup=False)


def list_(
    party: Annotated[str | None, typer.Option(help="Only this party's tokens.")] = None,
    db: DbOption = None,
) -> None:
    """List tokens (never their secrets)."""
    settings = resolve_settings(db)
    with open_store(settings) as coordinator:
        found = list_tokens(coordinator.db, party)
    table = Table(title="Tokens")
    for column in ("id", "party", "role", "label", "created", "expires", "revoked"):
        table.add_column(column)
    for t in found:
        table.add_row(
            t.id,
            t.party_id,
            t.role,
            t.label,
            format_time(t.created_at),
            format_time(t.expires_at) if t.expires_at else "",
            format_time(t.revoked_at) if t.revoked_at else "",
        )
    out().print(table)


def register(app: typer.Typer) -> None:
    """Add ``serve`` and the ``token`` group to ``app``."""
    command(app, serve)
    on_tokens = functools.partial(command, tokens)
    on_tokens(create)
    on_tokens(revoke)
    on_tokens(list_)
    app.add_typer(tokens, name="token")
