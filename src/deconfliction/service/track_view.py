"""What a party may see of the air picture beyond its own aircraft, as one immutable value.

The round's thread changes the open tactical alerts while API threads answer
``GET /v1/tracks`` and the track stream: readers must never walk the round's live dictionaries.
The round builds a :class:`TrackView` after each change and swaps it in with one assignment;
a reader takes the attribute once and works on that value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from deconfliction.engine.alerts import Alert, AlertStatus
from deconfliction.engine.model import Agreement

__all__ = ["TrackView"]


@dataclass(frozen=True, slots=True)
class TrackView:
    concerned: Mapping[str, frozenset[str]] = field(default_factory=dict)
    """Per party, the aircraft named by an open tactical alert that names the party."""
    unattributed: frozenset[str] = frozenset()
    """The parties that track terms let see unattributed aircraft."""

    @classmethod
    def of(cls, alerts: Iterable[Alert], agreements: Iterable[Agreement]) -> TrackView:
        concerned: dict[str, set[str]] = {}
        for alert in alerts:
            if alert.status is AlertStatus.open:
                for party in alert.parties:
                    concerned.setdefault(party, set()).update(alert.subjects)
        return cls(
            {p: frozenset(keys) for p, keys in concerned.items()},
            frozenset(p for a in agreements for p in a.tracks.unattributed_visible_to),
        )
