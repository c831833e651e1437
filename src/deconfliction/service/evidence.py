"""Evidence: attachments kept by content, apart from the ledger.

A party uploads an attachment (a photograph, a track file, a statement) and gets back its
reference -- SHA-256, size, media type -- to cite in an incident or an account; the ledger
holds only the reference.  The same bytes are kept once.  A party may read an attachment it
uploaded or one cited by an incident or account it may see.
"""

from __future__ import annotations

import hashlib

from deconfliction.engine.errors import InvalidInput, NotFound, Problem
from deconfliction.engine.model.incidents import EvidenceRef
from deconfliction.service.auth import Principal
from deconfliction.service.coordinator import Tx
from deconfliction.service.permissions import Action, require
from deconfliction.service.reading import Reader
from deconfliction.store import evidence as store

__all__ = ["read_attachment", "require_held", "store_evidence", "upload"]


def store_evidence(
    tx: Tx, party: str, content: bytes, media_type: str, name: str = ""
) -> EvidenceRef:
    """Keep ``content`` as an attachment held by ``party`` and return its reference.
    Refused when larger than the server's limit or when the media type is not one."""
    limit = tx.limits.evidence_max_bytes
    if len(content) > limit:
        raise InvalidInput.at(
            ("body",), f"the attachment is {len(content):,} bytes; at most {limit:,} are kept"
        )
    try:
        ref = EvidenceRef(
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
            media_type=media_type or "application/octet-stream",
            name=name,
        )
    except ValueError as exc:
        raise InvalidInput.at(("Content-Type",), str(exc).splitlines()[-1].strip()) from None
    store.store_attachment(
        tx.connection,
        store.Attachment(ref.sha256, ref.size, ref.media_type, content),
        party,
        tx.now,
    )
    return ref


def upload(
    tx: Tx, principal: Principal, content: bytes, media_type: str, name: str = ""
) -> EvidenceRef:
    """The caller's party uploads an attachment (to cite in an incident or an account)."""
    require(principal, Action.report_incident)
    return store_evidence(tx, principal.party, content, media_type, name)


def require_held(tx: Tx, party: str, refs: list[EvidenceRef], where: tuple[str, ...]) -> None:
    """Every attachment cited must have been uploaded by ``party``, with the size stated."""
    held = store.held_by(tx.connection, party, (r.sha256 for r in refs))
    problems = []
    for i, ref in enumerate(refs):
        found = store.attachment(tx.connection, ref.sha256, party) if ref.sha256 in held else None
        if found is None:
            problems.append(
                Problem(
                    (*where, i, "sha256"),
                    f"no attachment {ref.sha256[:12]}... uploaded by {party}: upload it first "
                    "(POST /v1/evidence)",
                )
            )
        elif found.size != ref.size:
            problems.append(
                Problem(
                    (*where, i, "size"), f"the attachment is {found.size} bytes, not {ref.size}"
                )
            )
    if problems:
        raise InvalidInput(problems)


def read_attachment(reader: Reader, sha256: str) -> store.Attachment:
    """An attachment the caller may read (missing and hidden answer alike)."""
    found = store.attachment(reader.connection, sha256, reader.party)
    if found is None:
        raise NotFound("attachment", sha256)
    reader.show("evidence", sha256, None)
    return found
