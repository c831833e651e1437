"""``deconflict incident ...`` and ``deconflict verify bundle``.

The operator records incidents and accounts on a party's behalf from files (the API is the
parties' own way); ``show`` answers the incident questions as a party may see them, every
answer with the ledger entries that prove it; ``bundle`` writes the evidence bundle that
``verify bundle`` checks offline with the log's public keys alone.
"""

from __future__ import annotations

import functools
import json
import mimetypes
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel, ValidationError
from rich.table import Table

from deconfliction.cli.common import (
    DbOption,
    JsonOption,
    PartyOption,
    command,
    open_store,
    out,
    resolve_settings,
    unknown_is_bad_input,
)
from deconfliction.cli.ledger import (
    KeyOption,
    keyring_from_file,
    print_check,
    read_json,
    verify_app,
)
from deconfliction.engine.errors import InvalidInput
from deconfliction.engine.incidents.bundles import verify_bundle
from deconfliction.engine.incidents.questions import Answers
from deconfliction.engine.model.incidents import AccountStatement, IncidentReport
from deconfliction.engine.scenario import problems_from_validation
from deconfliction.service import incidents
from deconfliction.service.bundles import incident_bundle
from deconfliction.service.documents import read_document
from deconfliction.service.incident_view import incident_view
from deconfliction.service.reading import read

__all__ = ["register"]

incident_app = typer.Typer(
    help="Incidents: report, give accounts, answer the questions from the record, bundle.",
    no_args_is_help=True,
)

EvidenceOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--evidence",
        help="A file to attach (kept by content; the ledger holds its SHA-256). Repeat for more.",
    ),
]
ByParty = Annotated[str, typer.Option("--party", help="The party on whose behalf it is recorded.")]


def _document(model: type[BaseModel], path: Path) -> Any:
    try:
        return model.model_validate(read_document(path))
    except ValidationError as exc:
        raise InvalidInput(problems_from_validation(exc)).in_source(str(path)) from None


def _attachments(paths: list[Path] | None) -> list[tuple[bytes, str, str]]:
    out = []
    for path in paths or ():
        try:
            content = path.read_bytes()
        except OSError as exc:
            raise InvalidInput.at(("--evidence",), f"cannot read {path}: {exc.strerror}") from None
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        out.append((content, media_type, path.name))
    return out


def report(
    file: Annotated[
        Path,
        typer.Argument(help="The incident (YAML or JSON): kind, title, place, started_at, ..."),
    ],
    party: ByParty,
    evidence: EvidenceOption = None,
    db: DbOption = None,
) -> None:
    """Record an incident reported by PARTY; it is linked to the record and told to the
    parties it concerns."""
    details = _document(IncidentReport, file)
    attached = _attachments(evidence)
    with open_store(resolve_settings(db)) as coordinator:
        recorded = coordinator.run(lambda tx: incidents.report_for(tx, party, details, attached))
    found = recorded.incident
    out().print(
        f"{found.id}: recorded for {party}; {len(recorded.links)} links it may see; told "
        f"{', '.join(sorted(d.recipient for d in recorded.deliveries)) or 'nobody else'}",
        markup=False,
    )


def account(
    incident_id: Annotated[str, typer.Argument(help="The incident.")],
    file: Annotated[
        Path, typer.Argument(help="The account (YAML or JSON): statement, positions, ...")
    ],
    party: ByParty,
    evidence: EvidenceOption = None,
    db: DbOption = None,
) -> None:
    """Record (a new version of) PARTY's account of an incident."""
    statement = _document(AccountStatement, file)
    attached = _attachments(evidence)
    with open_store(resolve_settings(db)) as coordinator, unknown_is_bad_input():
        recorded = coordinator.run(
            lambda tx: incidents.account_for(tx, party, incident_id, statement, attached)
        )
    out().print(f"{recorded.id}: version {recorded.version} of {party}'s account", markup=False)


def list_(party: PartyOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """The incidents (as a party may see them), newest first."""
    with open_store(resolve_settings(db)) as coordinator:
        found = read(coordinator, None, incidents.list_incidents, party=party)
    if as_json:
        print(json.dumps({"incidents": [i.model_dump(mode="json") for i in found]}, indent=2))
        return
    table = Table(title="Incidents")
    for column in ("id", "kind", "began", "reported by", "version", "title"):
        table.add_column(column, overflow="fold")
    for i in found:
        table.add_row(i.id, i.kind.value, str(i.started_at), i.reported_by, str(i.version), i.title)
    out().print(table)


def _cites(entries: tuple[int, ...]) -> str:
    return ", ".join(str(e) for e in entries)


def _print_answers(answers: Answers, tree: dict[str, Any]) -> None:
    console = out()
    i = answers.incident
    console.print(
        f"{i.id} (version {i.version}): {i.kind.value}, {i.title}; reported by {i.reported_by} "
        f"at {i.reported_at:%Y-%m-%d %H:%M:%SZ}; began {i.started_at:%Y-%m-%d %H:%M:%SZ} "
        f"[entries {_cites(answers.incident_entries)}]",
        markup=False,
    )
    notices = Table(title="1-3. Notices that covered or came near the place and time", expand=True)
    for column in (
        "notice",
        "relation",
        "filed",
        "lead time",
        "to the incident",
        "received / read / acknowledged",
        "entries",
    ):
        notices.add_column(column, overflow="fold")
    for n in answers.notices:
        lead = "" if n.lead_time_s is None else f"{n.lead_time_s:g} s"
        told = "; ".join(
            f"{d.recipient}: {d.status}, read {d.read_at or '-'}, ack {d.acknowledged_at or '-'}"
            + (f", {d.escalation_steps} escalation steps" if d.escalation_steps else "")
            for d in n.deliveries
        )
        cited = _cites((*n.entries, *(e for d in n.deliveries for e in d.entries)))
        notices.add_row(
            f"{n.notice} ({n.author})",
            n.relation,
            n.filed_at,
            lead,
            f"{n.lead_to_incident_s:g} s",
            told,
            cited,
        )
    console.print(notices)
    alerts = Table(title="4. Alerts raised before the incident, and to whom", expand=True)
    for column in ("alert", "kind", "raised", "to", "entries"):
        alerts.add_column(column, overflow="fold")
    for a in answers.alerts:
        alerts.add_row(a.alert, a.kind, a.raised_at, ", ".join(a.parties), _cites(a.entries))
    console.print(alerts)
    sites = Table(title="5. Protected sites there", expand=True)
    for column in ("site", "owner", "relation", "registered before", "valid then", "entries"):
        sites.add_column(column, overflow="fold")
    for s in answers.sites:
        sites.add_row(
            s.name,
            s.owner,
            s.relation,
            "yes" if s.registered_before_incident else "no",
            "yes" if s.valid_at_incident else "no",
            _cites(s.entries),
        )
    console.print(sites)
    facts = Table(title="6. Who agrees and who disputes", expand=True)
    for column in ("fact", "agree", "dispute", "entries"):
        facts.add_column(column, overflow="fold")
    for f in answers.facts:
        disputes = "; ".join(f"{d.party}: {d.note}" for d in f.dispute)
        facts.add_row(f.fact, ", ".join(f.agree), disputes, _cites(f.entries))
    console.print(facts)
    console.print(
        f"Read under the tree head of size {tree['tree_size']} signed at {tree['timestamp']}; "
        "`deconflict incident bundle` writes every cited entry with its proof.",
        markup=False,
    )


def show(
    incident_id: Annotated[str, typer.Argument(help="The incident.")],
    party: PartyOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """The incident questions answered from the record, each answer with its entries."""
    with open_store(resolve_settings(db)) as coordinator, unknown_is_bad_input():
        view = read(coordinator, None, lambda r: incident_view(r, incident_id), party=party)
    tree = view.head.to_dict()
    if as_json:
        print(
            json.dumps(
                {"answers": view.answers.model_dump(mode="json"), "tree_head": tree},
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    _print_answers(view.answers, tree)


def bundle(
    incident_id: Annotated[str, typer.Argument(help="The incident.")],
    party: Annotated[
        str, typer.Option("--party", help="Whose bundle: only what this party may see.")
    ],
    out_file: Annotated[Path, typer.Option("--out", help="Write the bundle here (JSON).")] = Path(
        "bundle.json"
    ),
    db: DbOption = None,
) -> None:
    """Write the evidence bundle: the answers as PARTY may see them, every entry they cite
    with its proof, the attachments; `deconflict verify bundle` checks it offline."""
    with open_store(resolve_settings(db)) as coordinator, unknown_is_bad_input():
        found = read(
            coordinator,
            None,
            lambda r: incident_bundle(r, coordinator.ledger, incident_id),
            party=party,
        )
    try:
        out_file.write_text(
            json.dumps(found, indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    except OSError as exc:
        raise InvalidInput.at(("--out",), f"cannot write {out_file}: {exc.strerror}") from None
    out().print(
        f"{out_file}: {len(found['entries'])} entries, {len(found['evidence'])} attachments",
        markup=False,
    )


def bundle_(
    file: Annotated[
        Path,
        typer.Argument(
            help="A bundle (`deconflict incident bundle`, or GET /v1/incidents/{id}/bundle)."
        ),
    ],
    keys: KeyOption,
    as_json: JsonOption = False,
) -> None:
    """Check an incident bundle offline: the head's signature, every entry's proof, the
    answers recomputed from the entries, the attachments' hashes; name the first thing wrong."""
    data = read_json(file, "bundle")
    if not isinstance(data, dict):
        raise InvalidInput.at((), "not an incident bundle: a bundle is a JSON object").in_source(
            str(file)
        )
    print_check(verify_bundle(data, keyring_from_file(keys)), as_json, str(file))


def register(app: typer.Typer) -> None:
    on_incident = functools.partial(command, incident_app)
    on_incident(report)
    on_incident(account)
    on_incident(list_)
    on_incident(show)
    on_incident(bundle)
    command(verify_app, bundle_)
    app.add_typer(incident_app, name="incident")
