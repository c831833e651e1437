"""What every command shares: error handling, settings, options."""

from __future__ import annotations

import functools
import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from deconfliction.cli.output import summary
from deconfliction.engine.alerts import Alert
from deconfliction.engine.errors import (
    ConflictingRecord,
    DeconflictionError,
    InvalidInput,
    NotFound,
    Problem,
)
from deconfliction.engine.items import KINDS
from deconfliction.engine.model.common import parse_utc
from deconfliction.engine.scenario import KnownIds, Scenario, parse_scenario
from deconfliction.engine.situation import Situation
from deconfliction.service.coordinator import Coordinator
from deconfliction.service.documents import read_document
from deconfliction.service.loading import LoadReport, load_scenario
from deconfliction.service.settings import Settings

__all__ = [
    "DbOption",
    "JsonOption",
    "PartyOption",
    "command",
    "err",
    "open_store",
    "out",
]

_PROGRESS_THRESHOLD = 200
"""Loads of at least this many items show a progress bar."""

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="SQLite file or postgresql:// URL (default: DECONFLICT_DB or the user data directory).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
PartyOption = Annotated[
    str | None, typer.Option("--party", help="Only what this party may see (need to know).")
]


def out() -> Console:
    return Console(soft_wrap=False)


def err() -> Console:
    return Console(stderr=True, soft_wrap=True, highlight=False)


@contextmanager
def errors() -> Iterator[None]:
    """Turn every failure into one line on standard error and an exit code."""
    try:
        yield
    except typer.Exit:
        raise
    except (InvalidInput, ConflictingRecord) as exc:
        err().print(f"error: {exc}", markup=False)
        raise typer.Exit(2) from None
    except DeconflictionError as exc:
        err().print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from None
    except Exception as exc:
        if os.environ.get("DECONFLICT_DEBUG"):
            raise
        err().print(
            f"error: unexpected failure ({type(exc).__name__}: {exc}); run again with "
            "DECONFLICT_DEBUG=1 to see where, and report it",
            markup=False,
        )
        raise typer.Exit(1) from None


@contextmanager
def unknown_is_bad_input() -> Iterator[None]:
    """An unknown id given on the command line is a wrong argument (exit status 2)."""
    try:
        yield
    except NotFound as exc:
        raise InvalidInput.at((), str(exc)) from None


def resolve_settings(db: str | None) -> Settings:
    try:
        settings = Settings()
    except ValidationError as exc:
        raise InvalidInput(
            Problem(
                ("DECONFLICT_" + "_".join(map(str, e["loc"])).upper(),),
                e["msg"].removeprefix("Value error, "),
            )
            for e in exc.errors(include_url=False)
        ) from None
    return settings if db is None else settings.model_copy(update={"db": db})


def store_exists(location: str) -> bool:
    """Whether a store is already there (a PostgreSQL URL always counts as existing)."""
    return "://" in location or Path(location).expanduser().exists()


def open_store(settings: Settings, location: str | None = None) -> Coordinator:
    """The store the settings name (or ``location``), opened (created and migrated if
    needed) with the settings' limits and ledger keys: every command opens it here."""
    return Coordinator.open(
        location or settings.db,
        limits=settings.limits(),
        keys_directory=None if location is not None else settings.ledger_keys,
    )


def known_ids(situation: Situation) -> KnownIds:
    return KnownIds(
        parties=frozenset(situation.roster.parties),
        lines=frozenset(situation.geography.lines),
        zones=frozenset(situation.geography.zones),
        notices=frozenset(situation.notices),
    )


def parse_file(path: Path, settings: Settings, known: KnownIds | None = None) -> Scenario:
    """Read and validate a scenario file; for an empty record (``known`` not given) every item
    is new input, held to the settings' limits (otherwise the load holds the new ones)."""
    data = read_document(path)
    try:
        return parse_scenario(data, settings.limits() if known is None else None, known)
    except InvalidInput as exc:
        raise exc.in_source(str(path)) from None


def load_with_progress(coordinator: Coordinator, scenario: Scenario, source: str) -> LoadReport:
    total = sum(len(getattr(scenario, kind.section)) for kind in KINDS)
    limits = coordinator.limits
    try:
        if total < _PROGRESS_THRESHOLD or not sys.stderr.isatty():
            return load_scenario(coordinator, scenario, limits=limits)
        with Progress(
            TextColumn("loading"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err(),
            transient=True,
        ) as bar:
            task = bar.add_task("load", total=total)
            return load_scenario(
                coordinator, scenario, lambda n: bar.update(task, completed=n), limits=limits
            )
    except InvalidInput as exc:
        raise exc.in_source(source) from None


def alerts_json(alerts: list[Alert], extra: dict[str, Any] | None = None) -> str:
    body = {
        "alerts": [a.model_dump(mode="json") for a in alerts],
        "summary": summary(alerts) | (extra or {}),
    }
    return json.dumps(body, indent=2, ensure_ascii=False)


def time_option(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_utc(value)
    except ValueError as exc:
        raise InvalidInput.at((option,), str(exc)) from None


def command(app: typer.Typer, func: Callable[..., None]) -> Callable[..., None]:
    """Register ``func`` on ``app`` as a command whose body runs inside :func:`errors`."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        with errors():
            func(*args, **kwargs)

    return app.command(name=func.__name__.rstrip("_").replace("_", "-"))(wrapper)
