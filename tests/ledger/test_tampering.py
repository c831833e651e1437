"""Item 8 of the neutral record: tampering with the STORED data is caught, and named.

A world is recorded on each store (the Golan scenario one item per transaction, filings made
as the API makes them, a key rotation and a filing under the new key); its public keys and an
operator export are kept, as a party keeps them.  Then the database itself is changed with
SQLAlchemy, as anyone with access to it could: a character of any column of any entry (alone,
or with the leaf hash recomputed to match), a row deleted, two entries reordered, the signing
key swapped or the heads re-signed.  Each time the operator exports the store with
``deconflict ledger export`` and ``deconflict verify export`` checks it with the public keys
kept before the tampering, ``--against`` the export kept before: exit status 1, and the first
problem names the first wrong entry, or the signed head that gives a consistent rewrite away,
exactly.
"""

from __future__ import annotations

import base64
import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from deconfliction.cli.app import app
from deconfliction.engine.ledger.entries import entry_bytes
from deconfliction.engine.ledger.heads import key_id_of, signing_payload
from deconfliction.engine.ledger.merkle import leaf_hash
from deconfliction.service import notices
from deconfliction.service.auth import Principal, Role
from deconfliction.service.coordinator import Coordinator
from deconfliction.store.database import database_url
from tests.support.ledger_world import build_world, copy_store, keys_json, volume
from tests.support.stores import STORES, make_store_url

runner = CliRunner()

CONTENT = ("type", "subject", "body", "recorded_at")
"""The columns an entry's canonical bytes are made of (with its index)."""

EXAMPLES = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
"""Each example changes the store, exports, verifies, and puts the store back."""


def cli(*args: str, keys: Path) -> Any:
    return runner.invoke(app, list(args), env={"DECONFLICT_LEDGER_KEYS": str(keys)})


@dataclass(frozen=True)
class Pristine:
    """The world as recorded, and what a party kept of it before anyone tampered."""

    store: str
    keys_directory: Path
    keys_file: Path
    """The log's public keys, saved before the tampering (the only keys verify trusts)."""
    before: Path
    """The operator export taken before the tampering."""
    size: int
    head_sizes: tuple[int, ...]
    filed: tuple[int, ...]
    """Indexes of the entries written by the API-like filings."""

    def covering(self, index: int) -> tuple[int, int]:
        """(size of the first signed head covering entry ``index``, the size of the last one
        before it: every entry below it is vouched for)."""
        return (
            min(s for s in self.head_sizes if s > index),
            max((s for s in self.head_sizes if s <= index), default=0),
        )


@pytest.fixture(scope="module", params=STORES)
def pristine(request: pytest.FixtureRequest, tmp_path_factory) -> Iterator[Pristine]:
    directory = tmp_path_factory.mktemp(f"pristine-{request.param}")
    with contextmanager(make_store_url)(request.param, directory) as store:
        keys = directory / "keys"
        world = build_world(store, keys, rotate=True)
        try:
            published = keys_json(world.coordinator)
            filed = tuple(r.index for s in world.steps for r in s.receipts)
        finally:
            world.close()
        keys_file = directory / "ledger-keys.json"
        keys_file.write_text(published, encoding="utf-8")
        before = directory / "before.txt"
        exported = cli("ledger", "export", "--db", store, "--out", str(before), keys=keys)
        assert exported.exit_code == 0, exported.output
        header = json.loads(before.read_bytes().splitlines()[0])
        sizes = tuple(sorted(h["tree_size"] for h in header["tree_heads"]))
        assert len(sizes) > 30  # a head per transaction: many places to be named
        yield Pristine(store, keys, keys_file, before, header["tree_size"], sizes, filed)


@dataclass
class Case:
    """A copy of the world to tamper with."""

    store: str
    keys_directory: Path
    pristine: Pristine
    export: Path
    engine: sa.Engine

    @property
    def postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def sql(self) -> Iterator[sa.Connection]:
        """A transaction on the raw tables; on PostgreSQL with foreign keys not enforced (as a
        superuser can), so that rows others refer to can be deleted."""
        with self.engine.begin() as connection:
            if self.postgres:
                connection.execute(sa.text("SET LOCAL session_replication_role = replica"))
            yield connection

    def row(self, index: int) -> dict[str, Any]:
        with self.sql() as c:
            return dict(
                c.execute(sa.text("SELECT * FROM events WHERE idx = :i"), {"i": index})
                .one()
                ._mapping
            )

    def update(self, index: int, **values: Any) -> None:
        columns = ", ".join(f"{k} = :{k}" for k in values)
        with self.sql() as c:
            c.execute(
                sa.text(f"UPDATE events SET {columns} WHERE idx = :i"), {**values, "i": index}
            )

    def verify(self, *, against: bool = True) -> tuple[int, list[str]]:
        """Export the store as its operator, verify with the keys kept before: (exit status,
        the problems in the order reported)."""
        exported = cli(
            "ledger", "export", "--db", self.store, "--out", str(self.export),
            keys=self.keys_directory,
        )  # fmt: skip
        assert exported.exit_code == 0, exported.output
        args = ["verify", "export", str(self.export), "--key", str(self.pristine.keys_file)]
        if against:
            args += ["--against", str(self.pristine.before)]
        checked = cli(*args, keys=self.keys_directory)
        assert "Traceback" not in checked.output
        assert checked.stderr == ""
        prefix = f"{self.export}: "
        lines = [
            line.removeprefix(prefix)
            for line in checked.stdout.splitlines()
            if line.startswith(prefix)
        ]
        if checked.exit_code == 0:
            assert lines == ["verified"], checked.stdout
            return 0, []
        assert "verified" not in lines
        return checked.exit_code, lines


@pytest.fixture
def case(pristine: Pristine, tmp_path: Path) -> Iterator[Case]:
    keys = tmp_path / "keys"
    shutil.copytree(pristine.keys_directory, keys)
    with contextmanager(copy_store)(pristine.store, tmp_path) as store:
        engine = sa.create_engine(database_url(store), poolclass=sa.pool.NullPool)
        try:
            yield Case(store, keys, pristine, tmp_path / "export.txt", engine)
        finally:
            engine.dispose()


def caught(case: Case, *expected: str, against: bool = True) -> None:
    """Exit status 1, the first problem reported is exactly ``expected[0]``, and every other
    line expected is reported too (after it, a consequence of the same change may be: the
    head over an entry found altered, say)."""
    status, problems = case.verify(against=against)
    assert status == 1
    assert problems, "nothing reported"
    assert problems[0] == expected[0], problems
    assert set(expected) <= set(problems), problems


def altered(index: int) -> str:
    return f"entry {index}: its content does not match its leaf hash (altered)"


def rewritten(index: int) -> str:
    return f"entry {index}: differs from your copy (the log was rewritten)"


def head_gives_away(pristine: Pristine, index: int) -> str:
    size, vouched = pristine.covering(index)
    return (
        f"tree head of size {size}: the entries do not produce its root; the first entry that "
        f"may be wrong is entry {vouched} (every entry before it matches an earlier signed head)"
    )


def truncated(pristine: Pristine) -> str:
    """The last entry is missing: the last head cannot be checked."""
    size = pristine.size
    vouched = pristine.covering(size - 1)[1]
    doubt = (
        f"; the first entry that may be wrong is entry {vouched} (every entry before it "
        "matches a signed head)"
        if vouched < size - 1
        else ""
    )
    return f"entry {size - 1}: missing (the header says {size} entries, the export has {size - 1}){doubt}"


def swapped_key(size: int, key_id: str) -> str:
    return (
        f"tree head of size {size}: signed by key {key_id}, which is neither trusted nor "
        "introduced by the log before it (the signing key was swapped?)"
    )


def leaf_of(row: dict[str, Any]) -> str:
    """The leaf hash of a row's entry, as someone rewriting it consistently computes it."""
    entry = entry_bytes(row["idx"], row["recorded_at"], row["type"], row["subject"], row["body"])
    return leaf_hash(entry).hex()


def change(value: str | datetime, data: st.DataObject) -> str | datetime:
    """``value`` with one character replaced by any other (a time kept as a time, as
    PostgreSQL keeps it, is moved instead, by at least a microsecond)."""
    if isinstance(value, datetime):
        shift = data.draw(
            st.integers(min_value=-(10**12), max_value=10**12).filter(bool), label="microseconds"
        )
        return value + timedelta(microseconds=shift)
    position = data.draw(st.integers(min_value=0, max_value=len(value) - 1), label="position")
    other = data.draw(
        st.characters(min_codepoint=1, blacklist_categories=["Cs"]).filter(
            lambda c: c != value[position]
        ),
        label="character",
    )
    return value[:position] + other + value[position + 1 :]


def entries(pristine_size: int) -> st.SearchStrategy[int]:
    return st.integers(min_value=0, max_value=pristine_size - 1)


# -- a clean store ----------------------------------------------------------------------------


def test_a_clean_store_verifies(case: Case):
    assert case.verify(against=False) == (0, [])
    assert case.verify() == (0, [])
    text = case.export.read_bytes()
    assert text == case.pristine.before.read_bytes()  # nothing re-signed, nothing added


# -- any character of any entry ---------------------------------------------------------------


@pytest.mark.parametrize("column", CONTENT)
@given(data=st.data())
@EXAMPLES
def test_changing_any_character_of_any_entry_names_the_entry(case: Case, column: str, data):
    index = data.draw(entries(case.pristine.size), label="entry")
    original = case.row(index)
    case.update(index, **{column: change(original[column], data)})
    try:
        caught(case, altered(index))
    finally:
        case.update(index, **{column: original[column]})


@pytest.mark.parametrize("column", CONTENT)
@given(data=st.data())
@EXAMPLES
def test_a_consistent_rewrite_is_named_by_the_head_and_by_your_copy(case: Case, column: str, data):
    """The character changed and the leaf hash recomputed to match: the entry alone looks
    right; the first signed head that covers it gives it away, and the party's own older copy
    names the entry."""
    index = data.draw(entries(case.pristine.size), label="entry")
    original = case.row(index)
    forged = original | {column: change(original[column], data)}
    case.update(index, **{column: forged[column], "leaf_hash": leaf_of(forged)})
    # An export is one line per entry (canonical JSON has no raw newline): a newline written
    # into the event's body, which the entry holds as it is stored, tears its line, and the
    # entry is named as altered before any head is checked.  The other columns are written
    # into the entry as JSON strings, where a newline is escaped: nothing tears.
    torn = column == "body" and "\n" in str(forged[column])
    first = altered(index) if torn else head_gives_away(case.pristine, index)
    try:
        caught(case, first, against=False)
        caught(case, first, *(() if torn else (rewritten(index),)))
    finally:
        case.update(index, **{column: original[column], "leaf_hash": original["leaf_hash"]})


def test_a_time_altered_into_something_that_is_not_a_time_is_named(case: Case):
    """SQLite keeps times as text; one that no longer reads as a time still exports."""
    if case.postgres:
        pytest.skip("PostgreSQL keeps a time as a time")
    index = case.pristine.filed[0]
    case.update(index, recorded_at="2026-13-24T12:00:32.000000Z")
    caught(case, altered(index))


# -- a row deleted ----------------------------------------------------------------------------


@given(data=st.data())
@EXAMPLES
def test_deleting_an_entry_names_it(case: Case, data):
    size = case.pristine.size
    index = data.draw(entries(size), label="entry")
    original = case.row(index)
    with case.sql() as c:
        c.execute(sa.text("DELETE FROM events WHERE idx = :i"), {"i": index})
    try:
        if index < size - 1:
            expected = [f"entry {index}: missing (the next line is entry {index + 1})"]
            expected.append(rewritten(index))
        else:
            expected = [
                truncated(case.pristine),
                f"entry {index}: in your copy but no longer in the log (removed)",
            ]
        caught(case, *expected)
    finally:
        with case.sql() as c:
            c.execute(sa.insert(sa.table("events", *map(sa.column, original))), original)


@pytest.mark.parametrize("which", ["first", "filed", "last but one"])
@pytest.mark.parametrize("consistent", [False, True], ids=["renumbered", "rehashed"])
def test_deleting_an_entry_and_closing_the_gap_names_it(case: Case, which: str, consistent):
    """The rows after it renumbered so that no index is missing (and, rehashed, their leaf
    hashes recomputed for their new places)."""
    size = case.pristine.size
    index = {"first": 0, "filed": case.pristine.filed[0], "last but one": size - 2}[which]
    with case.sql() as c:
        c.execute(sa.text("DELETE FROM events WHERE idx = :i"), {"i": index})
        # Two steps, so that no two rows share an index on the way.
        c.execute(sa.text("UPDATE events SET idx = -idx - 1 WHERE idx > :i"), {"i": index})
        c.execute(sa.text("UPDATE events SET idx = -idx - 2 WHERE idx < 0"))
    if consistent:
        for at in range(index, size - 1):
            case.update(at, leaf_hash=leaf_of(case.row(at)))
        # The head over the last entries cannot be checked any more (one entry is missing at
        # the end): only the copy kept pins the entry down.
        last = case.pristine.covering(index)[0] == size
        first = truncated(case.pristine) if last else head_gives_away(case.pristine, index)
        expected = [first, rewritten(index)]
    else:
        expected = [altered(index), rewritten(index)]
    caught(case, *expected)


# -- two entries reordered --------------------------------------------------------------------


def pairs(size: int) -> st.SearchStrategy[tuple[int, int]]:
    return (
        st.lists(st.integers(min_value=0, max_value=size - 1), min_size=2, max_size=2, unique=True)
        .map(sorted)
        .map(tuple)
    )


@given(data=st.data())
@EXAMPLES
def test_swapping_the_indexes_of_two_entries_names_the_first(case: Case, data):
    first, second = data.draw(pairs(case.pristine.size), label="entries")

    def swap() -> None:
        with case.sql() as c:
            for a, b in ((first, -1), (second, first), (-1, second)):
                c.execute(sa.text("UPDATE events SET idx = :b WHERE idx = :a"), {"a": a, "b": b})

    swap()
    try:
        caught(case, altered(first), rewritten(first))
    finally:
        swap()


@pytest.mark.parametrize("hashes", ["kept", "swapped", "recomputed"])
@given(data=st.data())
@EXAMPLES
def test_swapping_the_contents_of_two_entries_names_the_first(case: Case, hashes: str, data):
    """Each row keeps its index and takes the other's type, subject, body and time; the leaf
    hashes stay in place, move with the contents, or are recomputed for the new places."""
    first, second = data.draw(pairs(case.pristine.size), label="entries")
    rows = {first: case.row(first), second: case.row(second)}
    assume(any(rows[first][k] != rows[second][k] for k in CONTENT))
    for here, there in ((first, second), (second, first)):
        values = {k: rows[there][k] for k in CONTENT}
        if hashes == "swapped":
            values["leaf_hash"] = rows[there]["leaf_hash"]
        elif hashes == "recomputed":
            values["leaf_hash"] = leaf_of(rows[here] | values)
        case.update(here, **values)
    try:
        expected = {
            "kept": [altered(first)],
            "swapped": [altered(first), rewritten(first)],
            "recomputed": [head_gives_away(case.pristine, first), rewritten(first)],
        }[hashes]
        caught(case, *expected)
    finally:
        for index, row in rows.items():
            case.update(index, **{k: row[k] for k in (*CONTENT, "leaf_hash")})


# -- the signing key swapped ------------------------------------------------------------------


def replace_key_directory(case: Case) -> None:
    """A new key directory: the server creates a fresh key in it on its next start."""
    shutil.rmtree(case.keys_directory)


def new_key_id(case: Case) -> str:
    data = json.loads((case.keys_directory / "keys.json").read_text(encoding="utf-8"))
    (record,) = data["keys"]
    return str(record["key_id"])


def test_a_new_key_signing_a_head_is_caught(case: Case):
    replace_key_directory(case)
    signed = cli("ledger", "head", "--db", case.store, keys=case.keys_directory)
    assert signed.exit_code == 0, signed.output
    head = json.loads(signed.stdout)
    assert head["tree_size"] == case.pristine.size
    caught(case, swapped_key(case.pristine.size, new_key_id(case)))


def test_a_new_key_signing_further_filings_is_caught(case: Case):
    replace_key_directory(case)
    with Coordinator.open(case.store, keys_directory=str(case.keys_directory)) as coordinator:
        coordinator.run(
            lambda tx: notices.file_notice(
                tx,
                Principal("idf", Role.duty_officer),
                kind="air_operation",
                volumes=[volume("2026-11-26T10:00:00.000000Z", "2026-11-26T11:00:00.000000Z")],
            )
        )
        grown = coordinator.ledger.size()
    assert grown > case.pristine.size
    caught(case, swapped_key(grown, new_key_id(case)))


def stored_heads(case: Case) -> list[dict[str, Any]]:
    with case.sql() as c:
        rows = c.execute(sa.text("SELECT * FROM tree_heads ORDER BY id")).all()
    return [dict(r._mapping) for r in rows]


def resign(case: Case, rows: list[dict[str, Any]], key: Ed25519PrivateKey, key_id: str) -> None:
    """Sign the stored heads ``rows`` again with ``key``, under ``key_id``."""
    with case.sql() as c:
        for row in rows:
            signed_at = row["signed_at"]
            if isinstance(signed_at, str):  # SQLite keeps times as text
                signed_at = datetime.strptime(signed_at, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
                    tzinfo=UTC
                )
            payload = signing_payload(
                row["tree_size"], bytes.fromhex(row["root_hash"]), signed_at, key_id
            )
            signature = key.sign(payload)
            c.execute(
                sa.text("UPDATE tree_heads SET key_id = :k, signature = :s WHERE id = :id"),
                {"k": key_id, "s": base64.b64encode(signature).decode(), "id": row["id"]},
            )


@pytest.mark.parametrize("which", ["every head", "one head", "the last head"])
def test_heads_re_signed_with_another_key_are_caught(case: Case, which: str):
    heads = stored_heads(case)
    chosen = {"every head": heads, "one head": heads[len(heads) // 2 : len(heads) // 2 + 1]}.get(
        which, heads[-1:]
    )
    other = Ed25519PrivateKey.generate()
    resign(case, chosen, other, key_id_of(other.public_key()))
    first = min(r["tree_size"] for r in chosen)
    caught(case, swapped_key(first, key_id_of(other.public_key())))


def test_a_head_re_signed_under_the_logs_own_key_id_is_caught(case: Case):
    """Another key's signature under the genuine key id: the signature does not verify."""
    heads = stored_heads(case)
    target = heads[len(heads) // 3]
    resign(case, [target], Ed25519PrivateKey.generate(), target["key_id"])
    size = target["tree_size"]
    caught(case, f"tree head of size {size}: the signature does not verify")
