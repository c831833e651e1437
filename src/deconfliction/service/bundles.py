"""The evidence bundle of an incident for one party (see
:mod:`deconfliction.engine.incidents.bundles` for what it holds and how it is checked)."""

from __future__ import annotations

import json
from typing import Any

from deconfliction.engine.incidents.bundles import bundle_document
from deconfliction.service.incident_view import incident_view
from deconfliction.service.ledger import Ledger
from deconfliction.service.reading import Reader
from deconfliction.store import evidence as evidence_store

__all__ = ["incident_bundle"]


def incident_bundle(reader: Reader, ledger: Ledger, incident_id: str) -> dict[str, Any]:
    """The bundle for ``incident_id`` as the reader's party may see it: the answers, every
    entry they cite with its proof under one signed head, the log's keys, and the attachments
    those entries cite that the party may read."""
    view = incident_view(reader, incident_id)
    cited = view.answers.cited()
    connection = reader.connection
    receipts = [
        ledger.stored_receipt(connection, e.index, view.head)
        for e in view.entries
        if e.index in cited
    ]
    hashes: set[str] = set()
    for e in view.entries:
        if e.index not in cited:
            continue
        event = json.loads(e.body)
        for record in (event.get("incident"), event.get("account")):
            if isinstance(record, dict):
                hashes.update(ref["sha256"] for ref in record.get("evidence", []))
    attachments = []
    for sha in sorted(hashes):
        found = evidence_store.attachment(connection, sha, reader.party)
        if found is not None:
            attachments.append((found.sha256, found.media_type, found.content))
    keys = [r.to_dict() for r in ledger.keys.records()]
    return bundle_document(view.answers, reader.party, receipts, keys, attachments)
