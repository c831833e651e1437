"""A small world on the record, built the way the server builds it: the Golan scenario (one
transaction per item, so that there are many signed tree heads) and then a few filings made
through the :class:`Writer` exactly as the API makes them (a notice, its delivery read and
acknowledged with a reply, a message, a site, a replacement), each with its receipts.
"""

from __future__ import annotations

import json
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from deconfliction.engine.ledger.heads import Keyring, keyring_from_text
from deconfliction.engine.ledger.receipts import Receipt
from deconfliction.engine.scenario import ordered_items
from deconfliction.service import hotline, notices, records, sites
from deconfliction.service.auth import Principal, Role
from deconfliction.service.clock import FixedClock
from deconfliction.service.coordinator import Coordinator, Tx, Writer
from deconfliction.service.documents import demo_path, load_scenario_file
from deconfliction.service.filing import file
from deconfliction.service.keys import KeyRecord
from deconfliction.store import deliveries as delivery_store
from deconfliction.store.database import Database, database_url
from deconfliction.store.schema import events
from tests.support.factory import site_details
from tests.support.factory import volume as volume_of

__all__ = [
    "START",
    "Step",
    "World",
    "build_world",
    "copy_store",
    "entry_count",
    "keys_json",
    "public_keyring",
    "volume",
]

START = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
"""The clock when the world is built (after the Golan scenario's last event)."""

EAST = "33.5000N 36.9000E"


def volume(
    start: str = "2026-11-25T10:00:00.000000Z", end: str = "2026-11-25T11:00:00.000000Z"
) -> dict:
    """A volume in a quiet corner east of Damascus, on a day of its own."""
    return {
        "outline": {"type": "circle", "center": EAST, "radius": "8 km"},
        "altitude": {"lower": "FL050", "upper": "FL120"},
        "window": {"start": start, "end": end},
    }


def who(party: str, role: Role = Role.duty_officer) -> Principal:
    return Principal(party, role)


@dataclass
class Step:
    """One write made through the writer, as a request would make it."""

    name: str
    party: str
    result: Any
    receipts: list[Receipt]


@dataclass
class World:
    store: str
    coordinator: Coordinator
    writer: Writer
    clock: FixedClock
    keys_directory: Path
    steps: list[Step] = field(default_factory=list)
    rotation: tuple[KeyRecord, KeyRecord] | None = None
    """(old, new) when the key was rotated."""

    def step(self, name: str) -> Step:
        (found,) = [s for s in self.steps if s.name == name]
        return found

    def write(self, name: str, party: str, command: Callable[[Tx], Any]) -> Step:
        """Run ``command`` on the writer as ``party``'s request, a second later than the last."""
        self.clock.advance(1)
        result, receipts = self.writer.execute_receipted(command, party)
        step = Step(name, party, result, receipts)
        self.steps.append(step)
        return step

    @property
    def notice_id(self) -> str:
        return self.step("file notice").result.notice.notice.id

    def close(self) -> None:
        self.writer.stop()
        self.coordinator.close()


def build_world(store: str, keys_directory: Path, *, rotate: bool = False) -> World:
    """The world on ``store`` (a SQLite path or a PostgreSQL URL), its keys in
    ``keys_directory``.  With ``rotate``, the signing key is then rotated and the notice
    cancelled under the new key.  Close it with :meth:`World.close`."""
    clock = FixedClock(START)
    coordinator = Coordinator.open(store, clock=clock, keys_directory=str(keys_directory))
    scenario = load_scenario_file(demo_path())
    for _, _, item in ordered_items(scenario):
        clock.advance(1)
        with coordinator.transaction() as tx:
            file(tx, item)
    writer = Writer(coordinator)
    writer.start()
    world = World(store, coordinator, writer, clock, keys_directory)
    idf, rus, sarc = who("idf"), who("rus"), who("sarc")
    filed = world.write(
        "file notice",
        "idf",
        lambda tx: notices.file_notice(
            tx, idf, kind="air_operation", volumes=[volume_of()], title="Strike package"
        ),
    )
    notice_id = filed.result.notice.notice.id

    def rus_delivery(tx: Tx) -> str:
        (delivery,) = [
            d
            for d in delivery_store.deliveries_of_item(tx.connection, "notice", notice_id)
            if d.recipient == "rus"
        ]
        return delivery.id

    delivery_id = writer.execute(rus_delivery)
    world.write("read", "rus", lambda tx: hotline.read_delivery(tx, rus, delivery_id))
    world.write(
        "acknowledge",
        "rus",
        lambda tx: hotline.acknowledge_delivery(tx, rus, delivery_id, "Received, holding west"),
    )
    world.write(
        "message",
        "idf",
        lambda tx: hotline.send_message(tx, idf, "rus", "Package moved by 10 minutes", notice_id),
    )
    world.write(
        "site",
        "sarc",
        lambda tx: sites.register_site(
            tx,
            sarc,
            site_details(
                name="Mobile clinic", location={"type": "point", "position": "33.6000N 36.9500E"}
            ),
        ),
    )
    world.write(
        "replace notice",
        "idf",
        lambda tx: notices.replace_notice(
            tx,
            idf,
            notice_id,
            volumes=[
                volume_of(start="2026-11-25T10:10:00.000000Z", end="2026-11-25T11:10:00.000000Z")
            ],
        ),
    )
    if rotate:
        clock.advance(1)
        world.rotation = records.rotate_key(coordinator)
        replaced = world.step("replace notice").result.notice.notice.id
        world.write("cancel notice", "idf", lambda tx: notices.cancel_notice(tx, idf, replaced))
    return world


def keys_json(coordinator: Coordinator) -> str:
    """The public keys as ``/.well-known/deconfliction/ledger-keys`` serves them."""
    return json.dumps({"keys": [r.to_dict() for r in records.key_records(coordinator)]}, indent=2)


def public_keyring(coordinator: Coordinator) -> Keyring:
    """Only what a third party holds: the published public keys, read back from text."""
    return keyring_from_text(keys_json(coordinator))


def entry_count(store: str) -> tuple[int, int | None]:
    """(number of entries, highest index) as stored."""
    database = Database(store)
    try:
        with database.reading() as connection:
            count, top = connection.execute(
                sa.select(sa.func.count(), sa.func.max(events.c.idx))
            ).one()
    finally:
        database.close()
    return int(count), top


def copy_store(source: str, tmp_path: Path) -> Iterator[str]:
    """Yield a copy of the closed store ``source`` (a SQLite file, or a PostgreSQL database
    copied with ``CREATE DATABASE ... TEMPLATE``); drop it afterwards."""
    if "://" not in source:
        target = str(tmp_path / "copy.sqlite3")
        for suffix in ("", "-wal", "-shm"):
            if Path(source + suffix).exists():
                shutil.copy(source + suffix, target + suffix)
        yield target
        return
    url = sa.engine.make_url(source)
    name = f"c_{uuid.uuid4().hex[:16]}"
    admin = sa.create_engine(
        database_url(url.set(database="postgres").render_as_string(hide_password=False)),
        isolation_level="AUTOCOMMIT",
        poolclass=sa.pool.NullPool,
    )
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{url.database}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
