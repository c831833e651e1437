"""What detection produces: findings, each a future alert."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

__all__ = ["AlertKind", "FigureValue", "Finding", "finding_key"]

FigureValue = float | int | str | None


class AlertKind(StrEnum):
    notice_overlap = "notice-overlap"
    protected_site = "protected-site"
    late_notice = "late-notice"
    zone_entry = "zone-entry"
    zone_violation = "zone-violation"
    site_duplicate = "site-duplicate"
    red_line = "red-line"
    # Tactical kinds, from live tracks (engine/tracks):
    track_conflict = "track-conflict"
    track_outside_volume = "track-outside-volume"
    track_outside_band = "track-outside-band"
    track_before_window = "track-before-window"
    track_overrun = "track-overrun"
    track_unnotified = "track-unnotified"
    cannot_clear = "cannot-clear"


def finding_key(kind: AlertKind, *parts: str) -> str:
    """A stable identifier for "the same finding": kind plus what it is about.

    Recomputing after a replacement yields the same key when the same pair still conflicts, so
    the alert is updated rather than raised twice.  Order matters: callers pass symmetric
    parts sorted.

    Examples
    --------
    >>> finding_key(AlertKind.notice_overlap, "b", "a") == finding_key(
    ...     AlertKind.notice_overlap, "a", "b")
    False
    >>> finding_key(AlertKind.late_notice, "n-1")
    'al-d13115a64104b2a5'
    """
    # A StrEnum member is its value as a string: joined as it is (reading ``.value`` goes
    # through the enum's descriptor, a fifth of the key's cost).
    digest = hashlib.sha256("\x1f".join((kind, *parts)).encode()).hexdigest()
    return f"al-{digest[:16]}"


@dataclass(frozen=True, slots=True)
class Finding:
    """One conflict or violation, explained for a duty officer.

    ``key`` identifies it across recomputations; ``parties`` are those to inform (each of them
    may see every subject); ``subjects`` the ids of the notices, sites, zones and observations
    concerned; ``figures`` the numbers behind the explanation.
    """

    kind: AlertKind
    key: str
    parties: tuple[str, ...]
    subjects: tuple[str, ...]
    explanation: str
    raised_at: datetime
    figures: dict[str, FigureValue] = field(default_factory=dict)
