"""The log's signing keys, kept apart from the data.

A directory (``DECONFLICT_LEDGER_KEYS``, by default ``ledger-keys`` in the user's config
directory, never inside the database) holds one PKCS #8 file per Ed25519 private key (mode
0600) and ``keys.json``, the public record of every key: id, public key, when it was created
and when it was retired.  The newest key that is not retired signs; public keys are never
deleted, so heads signed by retired keys stay verifiable forever.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import platformdirs
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from deconfliction.engine.errors import InvalidInput
from deconfliction.engine.ledger.entries import format_time
from deconfliction.engine.ledger.heads import (
    Keyring,
    key_id_of,
    public_key_from_text,
    public_key_text,
)

__all__ = ["KeyRecord", "LedgerKeys", "default_keys_directory", "keys_directory_for"]

_LOCK = threading.Lock()


def default_keys_directory() -> str:
    return str(Path(platformdirs.user_config_dir("deconfliction")) / "ledger-keys")


def keys_directory_for(location: str) -> str:
    """Where a store's signing keys live unless told otherwise: beside a SQLite file
    (``<file>.keys``, a separate directory, never inside the database), or, for a PostgreSQL
    database, in the user's configuration directory under the database's name."""
    if "://" not in location:
        return str(Path(location).expanduser().resolve()) + ".keys"
    name = "".join(c if c.isalnum() else "_" for c in location.split("://", 1)[1].split("@")[-1])
    return str(Path(default_keys_directory()) / name)


@dataclass(frozen=True, slots=True)
class KeyRecord:
    key_id: str
    public_key: str
    created_at: str
    retired_at: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key_id": self.key_id,
            "algorithm": "Ed25519",
            "public_key": self.public_key,
            "created_at": self.created_at,
            "retired_at": self.retired_at,
        }


class LedgerKeys:
    """The key directory: load, create on first use, rotate."""

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory).expanduser()
        self._records: list[KeyRecord] = []
        self._active: Ed25519PrivateKey | None = None

    @property
    def _index(self) -> Path:
        return self.directory / "keys.json"

    @classmethod
    def open(cls, directory: str | Path, now: datetime) -> LedgerKeys:
        """Load the keys, creating the first one when the directory holds none."""
        keys = cls(directory)
        with _LOCK:
            try:
                keys.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            except OSError as exc:
                raise InvalidInput.at(
                    ("ledger_keys",), f"cannot create {keys.directory}: {exc.strerror}"
                ) from None
            if keys._index.exists():
                keys._load()
            else:
                keys._add(now)
        return keys

    def _load(self) -> None:
        try:
            data = json.loads(self._index.read_text(encoding="utf-8"))
            self._records = [
                KeyRecord(r["key_id"], r["public_key"], r["created_at"], r.get("retired_at"))
                for r in data["keys"]
            ]
        except (OSError, ValueError, KeyError) as exc:
            raise InvalidInput.at(
                ("ledger_keys",), f"{self._index} is not readable: {exc}"
            ) from None
        active = self.active_record()
        pem = (self.directory / f"{active.key_id}.pem").read_bytes()
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, Ed25519PrivateKey) or key_id_of(key.public_key()) != active.key_id:
            raise InvalidInput.at(
                ("ledger_keys",), f"the private key file of {active.key_id} does not match its id"
            )
        self._active = key

    def _write_index(self) -> None:
        tmp = self._index.with_suffix(".tmp")
        tmp.write_text(
            json.dumps({"keys": [r.to_dict() for r in self._records]}, indent=2) + "\n",
            encoding="utf-8",
        )
        os.replace(tmp, self._index)

    def _add(self, now: datetime, key: Ed25519PrivateKey | None = None) -> KeyRecord:
        key = key or Ed25519PrivateKey.generate()
        record = KeyRecord(
            key_id_of(key.public_key()), public_key_text(key.public_key()), format_time(now), None
        )
        path = self.directory / f"{record.key_id}.pem"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(
                key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
            handle.flush()
            os.fsync(handle.fileno())
        self._records.append(record)
        self._write_index()
        self._active = key
        return record

    def active_record(self) -> KeyRecord:
        for record in reversed(self._records):
            if record.retired_at is None:
                return record
        raise InvalidInput.at(("ledger_keys",), "no active signing key")

    @property
    def signer(self) -> Ed25519PrivateKey:
        assert self._active is not None
        return self._active

    def records(self) -> list[KeyRecord]:
        return list(self._records)

    def keyring(self) -> Keyring:
        return Keyring(public_key_from_text(r.public_key) for r in self._records)

    def install(self, key: Ed25519PrivateKey, now: datetime) -> tuple[KeyRecord, KeyRecord]:
        """Make ``key`` the signing key and retire the previous one; returns (old, new).

        Call it only after the new key has been recorded in the log under a head signed by
        the old key (:func:`deconfliction.service.ledger.rotate_key` does both), which is what
        lets a verifier who trusts the old key follow the rotation.
        """
        with _LOCK:
            old = self.active_record()
            self._records = [
                KeyRecord(r.key_id, r.public_key, r.created_at, format_time(now))
                if r.key_id == old.key_id
                else r
                for r in self._records
            ]
            new = self._add(now, key)
        return old, new
