"""The evidence bundle of an incident: one file a party can hand to anyone, checked offline.

A bundle holds, for one incident and one party: the answers to the incident questions as that
party may see them; every ledger entry they cite, each with its inclusion proof under one
signed tree head; and the attachments the party may see.  :func:`verify_bundle` needs only
the bundle and the log's public keys (never the keys the bundle itself lists):

1. the tree head is signed by one of the keys given;
2. every entry hashes to its leaf hash, names its own index, and is in the signed tree;
3. every entry an answer cites is in the bundle;
4. the answers recomputed from the entries (:func:`.questions.answer`) are the answers stated;
5. every attachment hashes to its SHA-256, which an entry of the bundle cites.

It stops at the first thing that is wrong and names it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

from deconfliction.engine.differences import first_difference
from deconfliction.engine.errors import NotFound
from deconfliction.engine.incidents.questions import Answers, answer
from deconfliction.engine.ledger.entries import parse_entry
from deconfliction.engine.ledger.heads import Keyring, TreeHead
from deconfliction.engine.ledger.merkle import leaf_hash, verify_inclusion
from deconfliction.engine.ledger.receipts import Check, Receipt

__all__ = ["BUNDLE_FORMAT", "Attachment", "bundle_document", "verify_bundle"]

BUNDLE_FORMAT: Final = "deconfliction-incident-bundle/1"

Attachment = tuple[str, str, bytes]
"""An attachment in a bundle: SHA-256 (hex), media type, content."""


def bundle_document(
    answers: Answers,
    party: str | None,
    receipts: Sequence[Receipt],
    keys: Sequence[Mapping[str, Any]],
    attachments: Iterable[Attachment] = (),
) -> dict[str, Any]:
    """The bundle as JSON-ready data.  Every receipt must be under the same head."""
    heads = {r.tree_head.to_dict()["root_hash"] for r in receipts}
    if len(heads) > 1:
        raise ValueError("a bundle's entries are proved under one tree head")
    return {
        "format": BUNDLE_FORMAT,
        "incident": answers.incident.id,
        "party": party,
        "tree_head": receipts[0].tree_head.to_dict() if receipts else None,
        "keys": list(keys),
        "answers": answers.model_dump(mode="json"),
        "entries": [
            {
                "index": r.index,
                "leaf_hash": r.leaf_hash.hex(),
                "entry": r.entry.decode("utf-8"),
                "inclusion_proof": [p.hex() for p in r.inclusion_proof],
            }
            for r in sorted(receipts, key=lambda r: r.index)
        ],
        "evidence": [
            {
                "sha256": sha,
                "media_type": media_type,
                "size": len(content),
                "content_base64": base64.b64encode(content).decode("ascii"),
            }
            for sha, media_type, content in sorted(attachments)
        ],
    }


def _fail(problem: str, facts: dict[str, Any] | None = None) -> Check:
    return Check((problem,), facts or {})


def verify_bundle(data: Mapping[str, Any], keyring: Keyring) -> Check:
    """Check a bundle offline against the log's public keys; the first problem found."""
    if data.get("format") != BUNDLE_FORMAT:
        return _fail(f"not an incident bundle (format must be {BUNDLE_FORMAT})")
    try:
        head = TreeHead.from_dict(data["tree_head"])
        incident_id = str(data["incident"])
        listed = list(data["entries"])
        stated = data["answers"]
        evidence = list(data.get("evidence", []))
    except (KeyError, TypeError, ValueError) as exc:
        return _fail(f"the bundle is not readable: {exc}")
    facts: dict[str, Any] = {
        "incident": incident_id,
        "party": data.get("party"),
        "tree_size": head.tree_size,
        "key_id": head.key_id,
        "entries": len(listed),
        "attachments": len(evidence),
    }
    if head.key_id not in keyring:
        return _fail(
            f"tree head of size {head.tree_size}: signed by key {head.key_id}, not one of the "
            "keys given",
            facts,
        )
    if not keyring.verify(head):
        return _fail(f"tree head of size {head.tree_size}: the signature does not verify", facts)
    parsed = []
    cited_hashes: set[str] = set()
    for position, item in enumerate(listed):
        try:
            index = int(item["index"])
            raw = str(item["entry"]).encode("utf-8")
            leaf = bytes.fromhex(item["leaf_hash"])
            proof = [bytes.fromhex(p) for p in item["inclusion_proof"]]
        except (KeyError, TypeError, ValueError) as exc:
            return _fail(f"entries[{position}]: not readable ({exc})", facts)
        if leaf_hash(raw) != leaf:
            return _fail(
                f"entry {index}: its content does not match its leaf hash (altered)", facts
            )
        try:
            entry = parse_entry(raw)
        except (KeyError, TypeError, ValueError) as exc:
            return _fail(f"entry {index}: not a valid entry ({exc})", facts)
        if entry.index != index:
            return _fail(f"entry {index}: the entry says it is entry {entry.index} (moved)", facts)
        if not verify_inclusion(leaf, index, head.tree_size, proof, head.root_hash):
            return _fail(
                f"entry {index}: not in the signed tree of size {head.tree_size} (the inclusion "
                "proof fails)",
                facts,
            )
        parsed.append(entry)
        for record in (entry.event.get("incident"), entry.event.get("account")):
            if isinstance(record, dict):
                cited_hashes.update(str(e.get("sha256")) for e in record.get("evidence", []))
    try:
        recomputed = answer(parsed, incident_id)
    except NotFound:
        return _fail(f"incident {incident_id}: no entry in the bundle reports it", facts)
    present = {e.index for e in parsed}
    missing = sorted(recomputed.cited() - present)
    if missing:
        return _fail(f"entry {missing[0]}: cited by the answers but not in the bundle", facts)
    stated_cites = _cited_in(stated)
    absent = sorted(stated_cites - present)
    if absent:
        return _fail(f"entry {absent[0]}: cited by the answers but not in the bundle", facts)
    difference = first_difference(
        stated, json.loads(recomputed.model_dump_json()), "answers", who="the bundle"
    )
    if difference:
        return _fail(difference, facts)
    for item in evidence:
        sha = str(item.get("sha256"))
        try:
            content = base64.b64decode(item["content_base64"], validate=True)
        except (KeyError, TypeError, ValueError):
            return _fail(f"attachment {sha}: its content is not base64", facts)
        if hashlib.sha256(content).hexdigest() != sha:
            return _fail(f"attachment {sha}: its content does not match its SHA-256", facts)
        if sha not in cited_hashes:
            return _fail(f"attachment {sha}: no entry of the bundle cites it", facts)
    facts["answers_recomputed"] = True
    return Check((), facts)


def _cited_in(value: Any) -> set[int]:
    """Every index listed under an ``entries`` or ``incident_entries`` key of the answers."""
    out: set[int] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key in ("entries", "incident_entries") and isinstance(inner, list):
                out.update(int(i) for i in inner if isinstance(i, int))
            else:
                out |= _cited_in(inner)
    elif isinstance(value, list):
        for inner in value:
            out |= _cited_in(inner)
    return out
