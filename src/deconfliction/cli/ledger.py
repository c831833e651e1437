"""``deconflict ledger``, ``deconflict verify`` and ``deconflict timeline``.

``verify`` needs no server and no store: a receipt, an export or two tree heads, and the log's
public keys, are enough.  Its exit status is 0 when everything holds and 1 when something was
altered, removed, reordered or signed by an unknown key, with the first wrong place named.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from deconfliction.cli.common import DbOption, JsonOption, command, out, resolve_settings
from deconfliction.engine.errors import InvalidInput
from deconfliction.engine.ledger.heads import LOG_NAME, Keyring, TreeHead, keyring_from_text
from deconfliction.engine.ledger.merkle import verify_consistency
from deconfliction.engine.ledger.receipts import Check, Receipt, verify_receipt
from deconfliction.engine.ledger.verify import compare_exports, verify_export
from deconfliction.service import records
from deconfliction.service.coordinator import Coordinator
from deconfliction.service.timeline import timeline as reconstruct

__all__ = ["register"]

ledger_app = typer.Typer(help="The signed record: keys, tree heads, exports.", no_args_is_help=True)
verify_app = typer.Typer(
    help="Check receipts, exports and tree heads offline, with the log's public keys.",
    no_args_is_help=True,
)

KeyOption = Annotated[
    Path,
    typer.Option(
        "--key",
        help="The log's public keys: the JSON of /.well-known/deconfliction/ledger-keys or of "
        "`deconflict ledger key --json`, a PEM public key, or base64.",
    ),
]


def _open(db: str | None) -> Coordinator:
    settings = resolve_settings(db)
    return Coordinator.open(
        settings.db, limits=settings.limits(), keys_directory=settings.ledger_keys
    )


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput.at((what,), f"cannot read {path}: {exc.strerror}").in_source(
            str(path)
        ) from None


def _keyring(path: Path) -> Keyring:
    try:
        return keyring_from_text(_read(path, "--key"))
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput.at(("--key",), f"not a public key or key list: {exc}").in_source(
            str(path)
        ) from None


def _report(check: Check, as_json: bool, what: str) -> None:
    if as_json:
        print(
            json.dumps(
                {"ok": check.ok, "problems": list(check.problems), "facts": check.facts}, indent=2
            )
        )
    else:
        console = out()
        if check.ok:
            console.print(f"{what}: verified", markup=False)
        for problem in check.problems:
            console.print(f"{what}: {problem}", markup=False)
        for key, value in check.facts.items():
            console.print(f"  {key}: {value}", markup=False)
    if not check.ok:
        raise typer.Exit(1)


def key(db: DbOption = None, as_json: JsonOption = False) -> None:
    """The log's public keys (every key it ever signed with)."""
    with _open(db) as coordinator:
        found = records.key_records(coordinator)
    if as_json:
        print(json.dumps({"log": LOG_NAME, "keys": [r.to_dict() for r in found]}, indent=2))
        return
    table = Table(title=f"Ledger keys of {LOG_NAME}")
    for column in ("key id", "public key (base64)", "created", "retired"):
        table.add_column(column, overflow="fold")
    for r in found:
        table.add_row(r.key_id, r.public_key, r.created_at, r.retired_at or "(signing)")
    out().print(table)


def rotate_key(db: DbOption = None) -> None:
    """Introduce a new signing key; the log records it under a head signed by the old one."""
    with _open(db) as coordinator:
        old, new = records.rotate_key(coordinator)
    out().print(f"signing key {old.key_id} retired; {new.key_id} signs from now on", markup=False)


def head(db: DbOption = None) -> None:
    """Sign a tree head now and print it (JSON)."""
    with _open(db) as coordinator:
        signed = coordinator.run(records.sign_head_now)
    print(json.dumps(signed.to_dict(), indent=2))


def export(
    out_file: Annotated[Path, typer.Option("--out", help="Write the export here.")],
    party: Annotated[
        str | None, typer.Option(help="Only what this party may read (others: hashes only).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Export the log for offline verification (`deconflict verify export`)."""
    with _open(db) as coordinator:
        try:
            with out_file.open("wb") as handle:
                for line in records.export(coordinator, party):
                    handle.write(line)
        except OSError as exc:
            raise InvalidInput.at(("--out",), f"cannot write {out_file}: {exc.strerror}") from None
    out().print(f"{out_file}: ledger export written", markup=False)


def receipt(
    file: Annotated[Path, typer.Argument(help="A receipt (JSON) kept from a write answer.")],
    keys: KeyOption,
    as_json: JsonOption = False,
) -> None:
    """Check a receipt: the entry's hash, the head's signature, the inclusion proof."""
    try:
        data = json.loads(_read(file, "receipt"))
        found = Receipt.from_dict(data.get("receipt", data))
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput.at((), f"not a receipt: {exc}").in_source(str(file)) from None
    _report(verify_receipt(found, _keyring(keys)), as_json, str(file))


def export_(
    file: Annotated[
        Path,
        typer.Argument(help="An export (`deconflict ledger export`, or GET /v1/ledger/export)."),
    ],
    keys: KeyOption,
    against: Annotated[
        Path | None, typer.Option(help="Your own older export: the log must extend it unchanged.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Check a whole export end to end; name the first entry that is wrong."""
    ring = _keyring(keys)
    try:
        with file.open("rb") as handle:
            check = verify_export(handle, ring)
        if against is not None and check.ok:
            with against.open("rb") as older, file.open("rb") as newer:
                compared = compare_exports(older, newer)
            check = Check(compared.problems, check.facts | compared.facts)
    except OSError as exc:
        raise InvalidInput.at((), f"cannot read: {exc.strerror}").in_source(
            str(exc.filename)
        ) from None
    _report(check, as_json, str(file))


def consistency(
    old: Annotated[Path, typer.Option(help="The earlier signed tree head (JSON).")],
    new: Annotated[Path, typer.Option(help="The later signed tree head (JSON).")],
    proof: Annotated[Path, typer.Option(help="The proof (JSON of GET /v1/ledger/consistency).")],
    keys: KeyOption,
    as_json: JsonOption = False,
) -> None:
    """Check that a later tree head extends an earlier one (no history rewritten, no fork)."""
    ring = _keyring(keys)
    try:
        first = TreeHead.from_dict(_head(json.loads(_read(old, "--old"))))
        second = TreeHead.from_dict(_head(json.loads(_read(new, "--new"))))
        path = [bytes.fromhex(p) for p in json.loads(_read(proof, "--proof"))["proof"]]
    except (ValueError, KeyError, TypeError) as exc:
        raise InvalidInput.at((), f"not a tree head or proof: {exc}") from None
    problems = [
        f"tree head of size {h.tree_size}: the signature does not verify"
        for h in (first, second)
        if not ring.verify(h)
    ]
    if not problems and not verify_consistency(
        first.tree_size, second.tree_size, first.root_hash, second.root_hash, path
    ):
        problems.append(
            f"tree head of size {second.tree_size} does not extend tree head of size "
            f"{first.tree_size}: the log was rewritten or forked"
        )
    facts = {"first": first.tree_size, "second": second.tree_size}
    _report(Check(tuple(problems), facts), as_json, "consistency")


def _head(data: dict[str, Any]) -> dict[str, Any]:
    """A head given alone, or inside a receipt."""
    inner = data.get("tree_head", data)
    if not isinstance(inner, dict):
        raise ValueError("a tree head is a JSON object")
    return inner


def timeline(
    notice_id: Annotated[str, typer.Argument(help="Any version of the notice.")],
    party: Annotated[str | None, typer.Option(help="As this party may see it.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """What happened to a notice: filing, versions, delivery, reading, acknowledgement,
    escalation, lead time; each line with the receipt of its ledger entry (in --json)."""
    with _open(db) as coordinator:
        found = coordinator.run(lambda tx: reconstruct(tx, party, notice_id))
    if as_json:
        print(json.dumps(found, indent=2, ensure_ascii=False))
        return
    console = out()
    for version in found["versions"]:
        console.print(
            f"{version['notice']} ({version['action']}): filed {version['filed_at_server']} "
            f"(server), starts {version['starts_at']}: lead time {version['lead_time_s']:g} s",
            markup=False,
        )
    table = Table(title=f"Timeline of {notice_id}", expand=True)
    for column in ("time (UTC, server)", "entry", "event", "party", "detail"):
        table.add_column(column, overflow="fold")
    for line in found["lines"]:
        table.add_row(
            line["at"], str(line["index"]), line["event"], line["party"] or "", line["detail"]
        )
    console.print(table)
    head_ = found["tree_head"]
    console.print(
        f"Every line is in the log under the tree head of size {head_['tree_size']} signed at "
        f"{head_['timestamp']} by key {head_['key_id']}; --json gives each line's receipt.",
        markup=False,
    )


def register(app: typer.Typer) -> None:
    on_ledger = functools.partial(command, ledger_app)
    on_ledger(key)
    on_ledger(rotate_key)
    on_ledger(head)
    on_ledger(export)
    on_verify = functools.partial(command, verify_app)
    on_verify(receipt)
    on_verify(export_)
    on_verify(consistency)
    command(app, timeline)
    app.add_typer(ledger_app, name="ledger")
    app.add_typer(verify_app, name="verify")
