"""``deconflict``: the command line.

Every command exits 0 on success.  Bad input exits 2 with one line on standard error that
names the file, the place in it and the reason; nothing is stored.  No command ever shows a
traceback (set ``DECONFLICT_DEBUG=1`` to see one when reporting a bug).
"""

from __future__ import annotations

import functools
import json
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from deconfliction import __version__
from deconfliction.cli import formats, incidents, ledger, reports, server, tracks
from deconfliction.cli.common import (
    DbOption,
    JsonOption,
    PartyOption,
    alerts_json,
    command,
    err,
    known_ids,
    load_with_progress,
    open_store,
    out,
    parse_file,
    resolve_settings,
    store_exists,
    time_option,
)
from deconfliction.cli.output import alerts_table, print_summary
from deconfliction.engine.errors import InvalidInput
from deconfliction.engine.items import KINDS
from deconfliction.engine.scenario import ordered_items
from deconfliction.engine.situation import Situation
from deconfliction.engine.times import format_time
from deconfliction.service.alerts import alerts_for
from deconfliction.service.documents import demo_path
from deconfliction.service.exporting import feature_collection
from deconfliction.service.reading import read
from deconfliction.service.schemas import scenario_json_schema

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
_command = functools.partial(command, app)


@_command
def demo(
    as_json: JsonOption = False,
    db: Annotated[
        str | None,
        typer.Option("--db", help="Keep the demo store at this path (default: a temporary one)."),
    ] = None,
) -> None:
    """Build the bundled Golan scenario in a fresh store and show its alerts."""
    settings = resolve_settings(None)
    with tempfile.TemporaryDirectory(prefix="deconflict-demo-") as scratch:
        location = db or str(Path(scratch) / "demo.sqlite3")
        if db is not None and Path(db).exists():
            raise InvalidInput.at(("--db",), f"{db} already exists: the demo builds a fresh store")
        scenario = parse_file(demo_path(), settings)
        with open_store(settings, location) as coordinator:
            report = load_with_progress(coordinator, scenario, str(demo_path()))
            alerts = alerts_for(coordinator)
        if as_json:
            extra = {"scenario": scenario.scenario.name, "loaded": report.to_dict()}
            print(alerts_json(alerts, extra))
            return
        console = out()
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
    settings = resolve_settings(None)
    try:
        scenario = parse_file(file, settings)
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
                err().print(f"error: {file}: {problem}", markup=False)
        raise typer.Exit(2) from None
    counts = {kind.section: len(getattr(scenario, kind.section)) for kind in KINDS}
    if as_json:
        print(
            json.dumps(
                {"valid": True, "file": str(file), "items": counts, "alert_changes": changes},
                indent=2,
            )
        )
        return
    listed = ", ".join(f"{n} {k}" for k, n in counts.items() if n)
    out().print(
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
    settings = resolve_settings(db)
    # A new store is created only for a file already checked: bad input leaves nothing behind.
    scenario = None if store_exists(settings.db) else parse_file(file, settings)
    with open_store(settings) as coordinator:
        if scenario is None:
            scenario = parse_file(file, settings, known_ids(coordinator.situation()))
        report = load_with_progress(coordinator, scenario, str(file))
    recorded = sum(report.recorded.values())
    unchanged = sum(report.unchanged.values())
    changes = ", ".join(f"{n} {a}" for a, n in sorted(report.alert_changes.items())) or "none"
    out().print(
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
    settings = resolve_settings(db)
    instant = time_option(at, "--at")
    with open_store(settings) as coordinator:
        found = alerts_for(coordinator, party=party, at=instant)
    if as_json:
        print(alerts_json(found))
        return
    title = f"Alerts open at {format_time(instant)}" if instant else "Alerts"
    console = out()
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
    settings = resolve_settings(db)
    with open_store(settings) as coordinator:
        collection = read(coordinator, None, feature_collection, party=party)
    try:
        geojson.write_text(json.dumps(collection, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise InvalidInput.at(("--geojson",), f"cannot write {geojson}: {exc.strerror}") from None
    out().print(f"{geojson}: {len(collection['features'])} features", markup=False)


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


server.register(app)
ledger.register(app)
formats.register(app)
tracks.register(app)
incidents.register(app)
reports.register(app)


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
