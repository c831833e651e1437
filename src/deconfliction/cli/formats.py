"""``deconflict notam import|export`` and ``deconflict import geojson``."""

from __future__ import annotations

import functools
import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from deconfliction.cli.common import (
    DbOption,
    JsonOption,
    PartyOption,
    command,
    err,
    open_store,
    out,
    resolve_settings,
)
from deconfliction.engine.errors import InvalidInput
from deconfliction.service.documents import read_document
from deconfliction.service.geojson_import import import_collection
from deconfliction.service.notams import NotamFormat, import_notams, propose_notice
from deconfliction.service.reading import read

__all__ = ["register"]

notam_app = typer.Typer(
    help="ICAO NOTAMs in (as notices) and out (as proposals).", no_args_is_help=True
)
import_app = typer.Typer(help="Import items from other formats.", no_args_is_help=True)


def _read_text(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    path = Path(source)
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput.at((), f"cannot read {source}: {exc}").in_source(source) from None


def import_(
    source: Annotated[str, typer.Argument(help="A file of NOTAMs, or - for standard input.")],
    db: DbOption = None,
    party: Annotated[
        str | None,
        typer.Option(help="The civil-aviation party (default: DECONFLICT_NOTAM_PARTY)."),
    ] = None,
    each: Annotated[
        bool,
        typer.Option(
            "--each",
            help="Record every valid NOTAM and report the others (default: all or nothing).",
        ),
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Import ICAO NOTAMs as notices: NOTAMN new, NOTAMR replace, NOTAMC cancel."""
    text = _read_text(source)
    settings = resolve_settings(db)
    author = party or settings.notam_party
    with open_store(settings) as coordinator:
        try:
            report = coordinator.run(lambda tx: import_notams(tx, author, text, each=each))
        except InvalidInput as exc:
            for problem in exc.problems:
                err().print(f"error: {source}: {problem}", markup=False)
            raise typer.Exit(2) from None
    if as_json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        table = Table(title=f"NOTAMs from {source} as notices of {author}")
        for column in ("NOTAM", "action", "status", "notice", "flags / problems"):
            table.add_column(column, overflow="fold")
        for n in report.notams:
            detail = (
                "; ".join(n.flags) if n.status != "refused" else "; ".join(map(str, n.problems))
            )
            table.add_row(n.id, n.to_dict()["action"], n.status, n.notice_id or "", detail)
        out().print(table)
        counts = report.counts()
        out().print(
            f"{counts['recorded']} recorded, {counts['unchanged']} unchanged, "
            f"{counts['refused']} refused",
            markup=False,
        )
    if report.counts()["refused"]:
        raise typer.Exit(2)


def export(
    notice: Annotated[str, typer.Argument(help="The notice (any version's id).")],
    db: DbOption = None,
    party: PartyOption = None,
    series: Annotated[str, typer.Option(help="Placeholder series letter.")] = "X",
    number: Annotated[int, typer.Option(min=0, max=9999, help="Placeholder first number.")] = 1,
    fmt: Annotated[
        NotamFormat,
        typer.Option("--format", help="icao (text), faa-geojson or aixm: the same proposals."),
    ] = NotamFormat.icao,
    as_json: JsonOption = False,
) -> None:
    """Write a notice as NOTAM proposals: ICAO text, the FAA NOTAM API's GeoJSON or an AIXM 5.1
    Event (for an AIS: never a publication)."""
    if len(series) != 1 or not series.isalpha() or not series.isupper():
        raise InvalidInput.at(("--series",), "one capital letter, e.g. X")
    settings = resolve_settings(db)
    with open_store(settings) as coordinator:
        found = read(
            coordinator,
            None,
            lambda r: propose_notice(
                r, notice, fir=settings.notam_fir, series=series, number=number
            ),
            party=party,
        )
    if fmt is not NotamFormat.icao:
        print(found.render(fmt))
        return
    if as_json:
        print(json.dumps(found.to_dict(), indent=2, ensure_ascii=False))
        return
    for proposal in found.proposals:
        print(proposal.text)
        for note in proposal.notes:
            err().print(f"note: {proposal.id}: {note}", markup=False)
    err().print(
        f"{len(found.proposals)} NOTAM proposal(s) for notice {found.notice_id}: for an "
        "aeronautical information service, not a publication",
        markup=False,
    )


def geojson(
    file: Annotated[
        Path, typer.Argument(help="An RFC 7946 FeatureCollection.", show_default=False)
    ],
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Import lines, zones, sites and notices from GeoJSON (the export's shape); all or nothing."""
    data = read_document(file, as_json=True)
    settings = resolve_settings(db)
    with open_store(settings) as coordinator:
        try:
            report = coordinator.run(lambda tx: import_collection(tx, None, data))
        except InvalidInput as exc:
            for problem in exc.problems:
                err().print(f"error: {file}: {problem}", markup=False)
            raise typer.Exit(2) from None
    if as_json:
        print(json.dumps(report.to_dict(), indent=2))
        return
    recorded = sum(report.load.recorded.values())
    unchanged = sum(report.load.unchanged.values())
    skipped = ", ".join(f"{n} {k}" for k, n in sorted(report.skipped.items())) or "none"
    changes = ", ".join(f"{n} {a}" for a, n in sorted(report.load.alert_changes.items())) or "none"
    out().print(
        f"{file}: {recorded} items recorded, {unchanged} already recorded, skipped: {skipped}; "
        f"alert changes: {changes}; store: {settings.db}",
        markup=False,
    )


def register(app: typer.Typer) -> None:
    """Add the ``notam`` and ``import`` groups to ``app``."""
    on_notam = functools.partial(command, notam_app)
    on_notam(import_)
    on_notam(export)
    command(import_app, geojson)
    app.add_typer(notam_app, name="notam")
    app.add_typer(import_app, name="import")
