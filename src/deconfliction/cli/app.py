"""``deconflict``: the command line.

Every command exits 0 on success.  Bad input exits 2 with one line on standard error that
names the file, the place in it and the reason; nothing is stored.  No command ever shows a
traceback (set ``DECONFLICT_DEBUG=1`` to see one when reporting a bug).
"""

from __future__ import annotations

import functools
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from deconfliction import __version__
from deconfliction.cli.output import alerts_table, print_summary, summary
from deconfliction.engine.alerts import Alert
from deconfliction.engine.errors import (
    ConflictingRecord,
    DeconflictionError,
    InvalidInput,
    Problem,
)
from deconfliction.engine.model.common import parse_utc
from deconfliction.engine.scenario import KnownIds, Scenario, ordered_items, parse_scenario
from deconfliction.engine.situation import Situation
from deconfliction.service.coordinator import Coordinator
from deconfliction.service.documents import demo_path, read_document
from deconfliction.service.exporting import feature_collection
from deconfliction.service.loading import LoadReport, load_scenario
from deconfliction.service.queries import alerts_for
from deconfliction.service.schemas import scenario_json_schema
from deconfliction.service.settings import Settings

__all__ = ["app", "main"]

app = typer.Typer(
    name="deconflict",
    help=(
        "Deconfliction Line: a neutral notification channel.  Notices are accepted and "
        "delivered, never approved or denied; the engine finds what they conflict with."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

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


def _out() -> Console:
    return Console(soft_wrap=False)


def _err() -> Console:
    return Console(stderr=True, soft_wrap=True, highlight=False)


@contextmanager
def _errors() -> Iterator[None]:
    """Turn every failure into one line on standard error and an exit code."""
    try:
        yield
    except typer.Exit:
        raise
    except (InvalidInput, ConflictingRecord) as exc:
        _err().print(f"error: {exc}", markup=False)
        raise typer.Exit(2) from None
    except DeconflictionError as exc:
        _err().print(f"error: {exc}", markup=False)
        raise typer.Exit(1) from None
    except Exception as exc:
        if os.environ.get("DECONFLICT_DEBUG"):
            raise
        _err().print(
            f"error: unexpected failure ({type(exc).__name__}: {exc}); run again with "
            "DECONFLICT_DEBUG=1 to see where, and report it",
            markup=False,
        )
        raise typer.Exit(1) from None


def _settings(db: str | None) -> Settings:
    try:
        settings = Settings()
    except ValidationError as exc:
        raise InvalidInput(
            Problem(("DECONFLICT_" + "_".join(map(str, e["loc"])).upper(),), e["msg"])
            for e in exc.errors(include_url=False)
        ) from None
    return settings if db is None else settings.model_copy(update={"db": db})


def _exists(location: str) -> bool:
    """Whether a store is already there (a PostgreSQL URL always counts as existing)."""
    return "://" in location or Path(location).expanduser().exists()


def _known(situation: Situation) -> KnownIds:
    return KnownIds(
        parties=frozenset(situation.roster.parties),
        lines=frozenset(situation.lines),
        zones=frozenset(situation.zones),
        notices=frozenset(situation.notices),
    )


def _parse_file(path: Path, settings: Settings, known: KnownIds | None = None) -> Scenario:
    data = read_document(path)
    try:
        return parse_scenario(data, settings.limits(), known)
    except InvalidInput as exc:
        raise exc.in_source(str(path)) from None


def _load(coordinator: Coordinator, scenario: Scenario, source: str) -> LoadReport:
    total = len(ordered_items(scenario))
    try:
        if total < _PROGRESS_THRESHOLD or not sys.stderr.isatty():
            return load_scenario(coordinator, scenario)
        with Progress(
            TextColumn("loading"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=_err(),
            transient=True,
        ) as bar:
            task = bar.add_task("load", total=total)
            return load_scenario(coordinator, scenario, lambda n: bar.update(task, completed=n))
    except InvalidInput as exc:
        raise exc.in_source(source) from None


def _alerts_json(alerts: list[Alert], extra: dict[str, Any] | None = None) -> str:
    body = {"alerts": [a.to_dict() for a in alerts], "summary": summary(alerts) | (extra or {})}
    return json.dumps(body, indent=2, ensure_ascii=False)


def _time(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_utc(value)
    except ValueError as exc:
        raise InvalidInput.at((option,), str(exc)) from None


def _command(func: Callable[..., None]) -> Callable[..., None]:
    """Register a command whose body runs inside :func:`_errors`."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        with _errors():
            func(*args, **kwargs)

    return app.command(name=func.__name__.rstrip("_").replace("_", "-"))(wrapper)


@_command
def demo(
    as_json: JsonOption = False,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Keep the demo store at this path (default: a temporary one)."),
    ] = None,
) -> None:
    """Build the bundled Golan scenario in a fresh store and show its alerts."""
    settings = _settings(None)
    with tempfile.TemporaryDirectory(prefix="deconflict-demo-") as scratch:
        location = db or str(Path(scratch) / "demo.sqlite3")
        if db is not None and Path(db).exists():
            raise InvalidInput.at(("--db",), f"{db} already exists: the demo builds a fresh store")
        with Coordinator.open(location, limits=settings.limits()) as coordinator:
            scenario = _parse_file(demo_path(), settings)
            report = _load(coordinator, scenario, str(demo_path()))
            alerts = alerts_for(coordinator)
        if as_json:
            extra = {"scenario": scenario.scenario.name, "loaded": report.to_dict()}
            print(_alerts_json(alerts, extra))
            return
        console = _out()
        console.print(f"[bold]{scenario.scenario.name}[/bold]")
        console.print(scenario.scenario.description.strip())
        console.print(alerts_table(alerts, "Alerts"))
        print_summary(console, alerts)
        console.print(
            "Notices are never approved or denied: each alert tells the parties named what "
            "the record shows."
        )


@_command
def validate(
    file: Annotated[Path, typer.Argument(help="Scenario file (YAML or JSON).", show_default=False)],
    as_json: JsonOption = False,
) -> None:
    """Check a scenario file without storing anything; list every problem."""
    settings = _settings(None)
    try:
        scenario = _parse_file(file, settings)
        situation = Situation(settings.limits())
        changes = 0
        for section, index, item in ordered_items(scenario):
            try:
                changes += len(situation.file(item).changes)
            except InvalidInput as exc:
                raise exc.under(section, index).in_source(str(file)) from None
    except InvalidInput as exc:
        if as_json:
            problems = [
                {"path": str(p).split(": ", 1)[0], "reason": p.reason} for p in exc.problems
            ]
            print(json.dumps({"valid": False, "file": str(file), "problems": problems}, indent=2))
        else:
            for problem in exc.problems:
                _err().print(f"error: {file}: {problem}", markup=False)
        raise typer.Exit(2) from None
    counts = {
        section: len(getattr(scenario, section))
        for section in (
            "parties",
            "agreements",
            "lines",
            "zones",
            "sites",
            "notices",
            "observations",
        )
    }
    if as_json:
        print(
            json.dumps(
                {"valid": True, "file": str(file), "items": counts, "alert_changes": changes},
                indent=2,
            )
        )
        return
    listed = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
    _out().print(
        f"{file}: valid ({listed}); loading it into an empty store would make {changes} alert "
        "changes",
        markup=False,
    )


@_command
def load(
    file: Annotated[Path, typer.Argument(help="Scenario file (YAML or JSON).", show_default=False)],
    db: DbOption = None,
) -> None:
    """Record a scenario file in the store (all of it, or nothing)."""
    settings = _settings(db)
    if not _exists(settings.db):
        # Check the file before creating a store, so that bad input leaves nothing behind.
        _parse_file(file, settings)
    with Coordinator.open(settings.db, limits=settings.limits()) as coordinator:
        scenario = _parse_file(file, settings, _known(coordinator.situation()))
        report = _load(coordinator, scenario, str(file))
    recorded = sum(report.recorded.values())
    unchanged = sum(report.unchanged.values())
    changes = ", ".join(f"{n} {a}" for a, n in sorted(report.alert_changes.items())) or "none"
    _out().print(
        f"{file}: {recorded} items recorded, {unchanged} already recorded; alert changes: "
        f"{changes}; store: {settings.db}",
        markup=False,
    )


@_command
def alerts(
    db: DbOption = None,
    at: Annotated[
        str | None, typer.Option("--at", help="Show the alerts open at this RFC 3339 time.")
    ] = None,
    party: PartyOption = None,
    as_json: JsonOption = False,
) -> None:
    """Show the alerts in the store (all of them, or those open at a time)."""
    settings = _settings(db)
    instant = _time(at, "--at")
    with Coordinator.open(settings.db, limits=settings.limits()) as coordinator:
        found = alerts_for(coordinator, party=party, at=instant)
    if as_json:
        print(_alerts_json(found))
        return
    title = f"Alerts open at {instant.isoformat()}" if instant else "Alerts"
    console = _out()
    console.print(alerts_table(found, title + (f" for {party}" if party else "")))
    print_summary(console, found)


@_command
def export(
    geojson: Annotated[
        Path, typer.Option("--geojson", help="Write an RFC 7946 FeatureCollection here.")
    ],
    db: DbOption = None,
    party: PartyOption = None,
) -> None:
    """Export lines, zones, sites, notices, observations and alerts as GeoJSON."""
    settings = _settings(db)
    with Coordinator.open(settings.db, limits=settings.limits()) as coordinator:
        collection = feature_collection(coordinator.situation(), party)
    try:
        geojson.write_text(json.dumps(collection, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise InvalidInput.at(("--geojson",), f"cannot write {geojson}: {exc.strerror}") from None
    _out().print(f"{geojson}: {len(collection['features'])} features", markup=False)


@_command
def schema(
    out: Annotated[
        Path | None, typer.Option("--out", help="Write to this file instead of printing.")
    ] = None,
) -> None:
    """Print the JSON Schema of scenario files."""
    text = json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")


def _version(value: bool) -> None:
    if value:
        print(f"deconflict {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    """Deconfliction Line."""


def main() -> None:
    app()
