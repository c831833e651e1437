"""``deconflict report daily`` and ``deconflict verify report``."""

from __future__ import annotations

import functools
import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from deconfliction.cli.common import (
    DbOption,
    JsonOption,
    PartyOption,
    command,
    open_store,
    out,
    resolve_settings,
)
from deconfliction.cli.ledger import (
    keyring_from_file,
    print_check,
    read_json,
    verify_app,
)
from deconfliction.engine.errors import InvalidInput
from deconfliction.engine.ledger.receipts import Check
from deconfliction.engine.ledger.verify import verify_export
from deconfliction.engine.reports.verify import verify_report
from deconfliction.service.reading import read
from deconfliction.service.reports import daily_files
from deconfliction.service.reports.collector import collector_paused

__all__ = ["register"]

report_app = typer.Typer(help="Reports computed from the signed record.", no_args_is_help=True)


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidInput.at(
            ("--date",), f"a day is YYYY-MM-DD (UTC), e.g. 2026-11-24; got {text!r}"
        ) from None


def daily(
    day: Annotated[str, typer.Option("--date", help="The UTC day, YYYY-MM-DD.")],
    out_dir: Annotated[
        Path,
        typer.Option(
            "--out",
            help="Directory to write report.html, report.pdf, report.json and the figures to.",
        ),
    ],
    party: PartyOption = None,
    tree_size: Annotated[
        int | None,
        typer.Option(
            "--tree-size",
            min=1,
            help="Compute at the signed tree head of this size (default: the newest).",
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """The daily report, as a monitoring mission publishes it: every figure linked to the
    ledger entries it counts; the same tree head gives the same bytes."""
    when = _day(day)
    with open_store(resolve_settings(db)) as coordinator:
        files = read(coordinator, None, lambda r: daily_files(r, when, tree_size), party=party)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        for name, content in sorted(files.items()):
            (out_dir / name).write_bytes(content)
    except OSError as exc:
        raise InvalidInput.at(("--out",), f"cannot write to {out_dir}: {exc.strerror}") from None
    head = json.loads(files["report.json"])["tree_head"]
    out().print(
        f"{out_dir}: {', '.join(sorted(files))} (tree head of size {head['tree_size']})",
        markup=False,
    )


def report_(
    file: Annotated[Path, typer.Argument(help="A report.json (`deconflict report daily`).")],
    export: Annotated[
        Path,
        typer.Option(
            "--export", help="The same party's ledger export (`deconflict ledger export`)."
        ),
    ],
    keys: Annotated[
        Path | None,
        typer.Option(
            "--key",
            help="The log's public keys: also check the export's and the report's signatures.",
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Recompute every figure of a report from a ledger export, offline, and name the first
    difference; with --key, also check the export and the report's tree head signatures."""
    document = read_json(file, "report")
    if not isinstance(document, dict):
        raise InvalidInput.at((), "not a daily report: a report is a JSON object").in_source(
            str(file)
        )
    ring = keyring_from_file(keys) if keys is not None else None
    try:
        check = Check()
        if ring is not None:
            with export.open("rb") as handle:
                check = verify_export(handle, ring)
        if check.ok:
            with export.open("rb") as handle, collector_paused():
                check = verify_report(document, handle, ring)
            if ring is None:
                check = Check(
                    check.problems, check.facts | {"signatures": "not checked (give --key)"}
                )
    except OSError as exc:
        raise InvalidInput.at(("--export",), f"cannot read {export}: {exc.strerror}") from None
    print_check(check, as_json, str(file))


def register(app: typer.Typer) -> None:
    functools.partial(command, report_app)(daily)
    command(verify_app, report_)
    app.add_typer(report_app, name="report")
