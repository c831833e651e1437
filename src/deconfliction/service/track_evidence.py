"""Tactical alert changes into the record, each after the evidence it was computed from."""

from __future__ import annotations

from deconfliction.engine.tracks.alerts import Evidenced
from deconfliction.service.coordinator import Tx
from deconfliction.store import tracks as track_store

__all__ = ["record_with_evidence"]


def record_with_evidence(tx: Tx, changes: list[Evidenced]) -> None:
    """The evidence of every change, then the changes themselves (one statement per table
    for all of them), then the situation."""
    tx.append_many(
        [
            (
                track_store.EVIDENCE,
                e.change.alert.id,
                {
                    "evidence": {
                        "alert": e.change.alert.id,
                        "kind": e.change.alert.kind.value,
                        "action": e.change.action.value,
                        "reports": [r.to_dict() for r in e.reports],
                    }
                },
                e.change.alert.parties,
            )
            for e in changes
        ]
    )
    tx.record_changes([e.change for e in changes])  # logged, projected, in the situation
