"""Signed tree heads and the keys that sign them (Ed25519).

A tree head states "the log had ``tree_size`` entries with root ``root_hash`` at
``timestamp``", signed by the log's key.  The signed bytes are RFC 8785 canonical JSON of those
fields, the key's id and the log's name, so any language can check them.

Keys rotate: the log records each new key as an entry (``ledger.key_added``) under a head
signed by the previous key, so a verifier who trusts the first key can follow every rotation
from the log itself; old heads stay verifiable with the key that signed them.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from deconfliction.engine.ledger.entries import TIME_FORMAT, format_time

__all__ = [
    "LOG_NAME",
    "Keyring",
    "TreeHead",
    "key_id_of",
    "keyring_from_text",
    "public_key_from_text",
    "public_key_text",
    "sign_head",
]

LOG_NAME = "deconfliction-line/1"


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id_of(public: Ed25519PublicKey) -> str:
    """The first 16 bytes of the SHA-256 of the raw public key, in hex."""
    return hashlib.sha256(_raw(public)).hexdigest()[:32]


def public_key_text(public: Ed25519PublicKey) -> str:
    """The public key as base64 of its 32 raw bytes."""
    return base64.b64encode(_raw(public)).decode("ascii")


def public_key_from_text(text: str) -> Ed25519PublicKey:
    """A public key from base64 raw bytes or a PEM block."""
    stripped = text.strip()
    if stripped.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(stripped.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return key
    try:
        raw = base64.b64decode(stripped, validate=True)
    except ValueError:
        raise ValueError("a public key is base64 of 32 bytes, or PEM") from None
    if len(raw) != 32:
        raise ValueError("an Ed25519 public key is 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


@dataclass(frozen=True, slots=True)
class TreeHead:
    tree_size: int
    root_hash: bytes
    timestamp: datetime
    key_id: str
    signature: bytes

    def payload(self) -> bytes:
        return signing_payload(self.tree_size, self.root_hash, self.timestamp, self.key_id)

    def to_dict(self) -> dict[str, Any]:
        return {
            "tree_size": self.tree_size,
            "root_hash": self.root_hash.hex(),
            "timestamp": format_time(self.timestamp),
            "key_id": self.key_id,
            "signature": base64.b64encode(self.signature).decode("ascii"),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TreeHead:
        return cls(
            tree_size=int(data["tree_size"]),
            root_hash=bytes.fromhex(data["root_hash"]),
            timestamp=_parse_time(data["timestamp"]),
            key_id=str(data["key_id"]),
            signature=base64.b64decode(data["signature"]),
        )


def _parse_time(text: str) -> datetime:
    return datetime.strptime(text, TIME_FORMAT).replace(tzinfo=UTC)


def signing_payload(size: int, root: bytes, timestamp: datetime, key_id: str) -> bytes:
    """The RFC 8785 canonical JSON of a head's signed fields.

    Written out in the canon's member order rather than through the general serializer: every
    write transaction signs one head, and the general path was a third of signing it.  Its
    strings are ASCII (a key id read from an export may be anything, a size too large for the
    canon's numbers: the general path then, which refuses it), which ``json.dumps`` escapes as
    the canon does when told not to escape what the canon writes as it is (DEL, for one: a test
    compares the two)."""
    if not key_id.isascii() or not 0 <= size <= _MOST_SAFE_INTEGER:
        return rfc8785.dumps(
            {
                "key_id": key_id,
                "log": LOG_NAME,
                "root_hash": root.hex(),
                "timestamp": format_time(timestamp),
                "tree_size": size,
            }
        )
    return (
        f'{{"key_id":{json.dumps(key_id, ensure_ascii=False)},"log":{_LOG_NAME_JSON},"root_hash":"{root.hex()}",'
        f'"timestamp":{json.dumps(format_time(timestamp))},"tree_size":{int(size)}}}'
    ).encode()


_LOG_NAME_JSON = json.dumps(LOG_NAME)
_MOST_SAFE_INTEGER = 2**53 - 1
"""The largest integer RFC 8785 writes (an IEEE double's exact integers)."""


def sign_head(
    private: Ed25519PrivateKey,
    size: int,
    root: bytes,
    timestamp: datetime,
    *,
    key_id: str | None = None,
) -> TreeHead:
    """A head signed by ``private`` (``key_id``: its id, when the caller knows it already)."""
    kid = key_id if key_id is not None else key_id_of(private.public_key())
    signature = private.sign(signing_payload(size, root, timestamp, kid))
    return TreeHead(size, root, timestamp, kid, signature)


class Keyring:
    """Public keys by id, for checking heads."""

    def __init__(self, keys: Iterable[Ed25519PublicKey] = ()) -> None:
        self._keys: dict[str, Ed25519PublicKey] = {}
        for key in keys:
            self.add(key)

    def add(self, key: Ed25519PublicKey) -> str:
        kid = key_id_of(key)
        self._keys[kid] = key
        return kid

    def copy(self) -> Keyring:
        ring = Keyring()
        ring._keys = dict(self._keys)
        return ring

    def __contains__(self, key_id: object) -> bool:
        return key_id in self._keys

    def ids(self) -> list[str]:
        return sorted(self._keys)

    def verify(self, head: TreeHead) -> bool:
        """True when ``head`` is signed by a key of this ring."""
        return self.verify_bytes(head.key_id, head.signature, head.payload())

    def verify_bytes(self, key_id: str, signature: bytes, payload: bytes) -> bool:
        """True when ``signature`` over ``payload`` is by the key ``key_id`` of this ring."""
        key = self._keys.get(key_id)
        if key is None:
            return False
        try:
            key.verify(signature, payload)
        except InvalidSignature:
            return False
        return True


def keyring_from_text(text: str) -> Keyring:
    """Public keys from any form the log publishes them in: the JSON of
    ``/.well-known/deconfliction/ledger-keys`` or ``deconflict ledger key --json`` (every key
    listed), a PEM public key, or the base64 of a raw key.

    >>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    >>> key = Ed25519PrivateKey.generate().public_key()
    >>> keyring_from_text(public_key_text(key)).ids() == [key_id_of(key)]
    True
    """
    stripped = text.strip()
    if stripped.startswith("{"):
        data = json.loads(stripped)
        listed = data.get("keys", [data])
        return Keyring(public_key_from_text(k["public_key"]) for k in listed)
    return Keyring([public_key_from_text(stripped)])
