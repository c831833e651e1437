"""``deconflict ledger``, ``deconflict verify`` and ``deconflict timeline``.

``verify`` needs no server and no store: a receipt, an export, two tree heads or an evidence
file, and the log's public keys, are enough.  Its exit status is 0 when everything holds and 1 when something was
altered, removed, reordered or signed by an unknown key, with the first wrong place named.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from deconfliction.cli.common import (
    DbOption,
    JsonOption,
    command,
    open_store,
    out,
    resolve_settings,
    unknown_is_bad_input,
)
from deconfliction.engine import documents
from deconfliction.engine.errors import InvalidInput
from deconfliction.engine.ledger.evidence import verify_evidence
from deconfliction.engine.ledger.heads import LOG_NAME, Keyring, TreeHead, keyring_from_text
from deconfliction.engine.ledger.merkle import verify_consistency
from deconfliction.engine.ledger.receipts import Check, Receipt, verify_receipt
from deconfliction.engine.ledger.verify import compare_exports, read_header, verify_export
from deconfliction.service import records
from deconfliction.service.coordinator import Coordinator
from deconfliction.service.reading import read
from deconfliction.service.timeline import timeline as reconstruct

__all__ = ["KeyOption", "keyring_from_file", "print_check", "read_json", "register", "verify_app"]

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
    return open_store(resolve_settings(db))


def _read(path: Path, what: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InvalidInput.at((what,), f"cannot read {path}: {exc.strerror}").in_source(
            str(path)
        ) from None


_UNREADABLE = (ValueError, KeyError, TypeError, AttributeError)
"""What reading a document of the wrong shape raises."""


def _why(exc: Exception) -> str:
    return f"{exc.args[0]} is missing" if isinstance(exc, KeyError) else str(exc)


def keyring_from_file(path: Path) -> Keyring:
    try:
        return keyring_from_text(_read(path, "--key"))
    except _UNREADABLE as exc:
        raise InvalidInput.at(("--key",), f"not a public key or key list: {_why(exc)}").in_source(
            str(path)
        ) from None


def read_json(path: Path, what: str) -> Any:
    try:
        return documents.read_json(_read(path, what))
    except InvalidInput as exc:
        raise exc.in_source(str(path)) from None


def _export_header(path: Path) -> None:
    """Refuse a file that is not an export at all: bad input (exit 2), not a failed check."""
    try:
        with path.open("rb") as handle:
            first = handle.readline()
    except OSError as exc:
        raise InvalidInput.at((), f"cannot read: {exc.strerror}").in_source(str(path)) from None
    try:
        read_header(first)
    except _UNREADABLE as exc:
        raise InvalidInput.at(
            (), f"not a ledger export: its first line is not an export header ({_why(exc)})"
        ).in_source(str(path)) from None


def print_check(check: Check, as_json: bool, what: str) -> None:
    if as_json:
        print(
            json.dumps(
                {"ok": check.ok, "problems": list(check.problems), "facts": check.facts}, indent=2
            )
        )
    else:
        # Plain lines, never wrapped at the terminal's width: scripts read them.
        if check.ok:
            print(f"{what}: verified")
        for problem in check.problems:
            print(f"{what}: {problem}")
        for key, value in check.facts.items():
            print(f"  {key}: {value}")
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


def proof(
    first: Annotated[int, typer.Argument(help="The earlier tree size.")],
    second: Annotated[int, typer.Argument(help="The later tree size.")],
    db: DbOption = None,
) -> None:
    """Print the proof (JSON) that the tree of size SECOND extends the tree of size FIRST, for
    `deconflict verify consistency --proof`."""
    with _open(db) as coordinator:
        coordinator.situation()  # the tree, caught up with the log
        found = records.consistency_proof(coordinator.ledger, first, second)
    print(json.dumps(found, indent=2))


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
    data = read_json(file, "receipt")
    try:
        found = Receipt.from_dict(data.get("receipt", data))
    except _UNREADABLE as exc:
        reason = _why(exc)
        if not reason.startswith("not a receipt"):
            reason = f"not a receipt: {reason}"
        raise InvalidInput.at((), reason).in_source(str(file)) from None
    print_check(verify_receipt(found, keyring_from_file(keys)), as_json, str(file))


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
    """Check a whole export end to end; name the first entry that is wrong.  With --against,
    also name the first entry that differs from your older copy (the only way to pin down an
    entry rewritten together with its hash)."""
    ring = keyring_from_file(keys)
    for path in (file, against):
        if path is not None:
            _export_header(path)
    try:
        with file.open("rb") as handle:
            check = verify_export(handle, ring)
        if against is not None:
            with against.open("rb") as older, file.open("rb") as newer:
                compared = compare_exports(older, newer)
            check = Check(check.problems + compared.problems, check.facts | compared.facts)
    except OSError as exc:
        raise InvalidInput.at((), f"cannot read: {exc.strerror}").in_source(
            str(exc.filename)
        ) from None
    print_check(check, as_json, str(file))


def consistency(
    old: Annotated[Path, typer.Option(help="The earlier signed tree head (JSON).")],
    new: Annotated[Path, typer.Option(help="The later signed tree head (JSON).")],
    proof: Annotated[Path, typer.Option(help="The proof (JSON of GET /v1/ledger/consistency).")],
    keys: KeyOption,
    as_json: JsonOption = False,
) -> None:
    """Check that a later tree head extends an earlier one (no history rewritten, no fork)."""
    ring = keyring_from_file(keys)
    first, second = _tree_head(old, "--old"), _tree_head(new, "--new")
    try:
        path = [bytes.fromhex(p) for p in read_json(proof, "--proof")["proof"]]
    except _UNREADABLE as exc:
        raise InvalidInput.at((), f"not a consistency proof: {_why(exc)}").in_source(
            str(proof)
        ) from None
    problems = [
        f"tree head of size {h.tree_size}: signed by unknown key {h.key_id}"
        if h.key_id not in ring
        else f"tree head of size {h.tree_size}: the signature does not verify"
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
    print_check(Check(tuple(problems), facts), as_json, "consistency")


def evidence(
    file: Annotated[
        Path, typer.Argument(help="An evidence file saved by the console (a notice's timeline).")
    ],
    keys: KeyOption,
    as_json: JsonOption = False,
) -> None:
    """Check a dispute timeline's evidence: every line's receipt, every line against its
    entry, every version's filing and lead time against the notice in its entry."""
    data = read_json(file, "evidence")
    if not isinstance(data, dict):
        raise InvalidInput.at((), "not an evidence file: not a JSON object").in_source(str(file))
    print_check(verify_evidence(data, keyring_from_file(keys)), as_json, str(file))


def _tree_head(path: Path, what: str) -> TreeHead:
    """A signed tree head given alone, or inside a receipt."""
    data = read_json(path, what)
    try:
        inner = data.get("tree_head", data)
        if not isinstance(inner, dict):
            raise ValueError("a tree head is a JSON object")
        return TreeHead.from_dict(inner)
    except _UNREADABLE as exc:
        raise InvalidInput.at((), f"not a signed tree head: {_why(exc)}").in_source(
            str(path)
        ) from None


def timeline(
    notice_id: Annotated[str, typer.Argument(help="Any version of the notice.")],
    party: Annotated[str | None, typer.Option(help="As this party may see it.")] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """What happened to a notice: filing, versions, delivery, reading, acknowledgement,
    escalation, lead time; each line with the receipt of its ledger entry (in --json)."""
    with _open(db) as coordinator, unknown_is_bad_input():  # a wrong argument: exit status 2
        found = read(
            coordinator,
            None,
            lambda r: reconstruct(r, coordinator.ledger, notice_id),
            party=party,
        )
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
    on_ledger(proof)
    on_ledger(export)
    on_verify = functools.partial(command, verify_app)
    on_verify(receipt)
    on_verify(export_)
    on_verify(consistency)
    on_verify(evidence)
    command(app, timeline)
    app.add_typer(ledger_app, name="ledger")
    app.add_typer(verify_app, name="verify")
