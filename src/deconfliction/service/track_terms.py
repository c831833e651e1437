"""What the agreements in force bind a round to: the separation minima between two parties'
aircraft (or one party's and unattributed traffic), and the widest margins binding a party.

Both are read from the agreements a round took (``TrackService._context``), never from the
live roster, so one round decides with one set of terms.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from deconfliction.engine.model import Agreement
from deconfliction.engine.tracks.conformance import Tolerances
from deconfliction.engine.tracks.findings import Minima

__all__ = ["minima_between", "widest_margins"]


def minima_between(
    agreements: Sequence[Agreement],
) -> Callable[[str | None, str | None], Minima | None]:
    """The minima (horizontal m, vertical m, look-ahead s) between aircraft of parties ``a``
    and ``b`` (None: unattributed), the widest of every agreement binding both (or binding the
    one party and admitting unattributed traffic); None where no agreement applies.  Answers
    are remembered for the round."""
    cache: dict[tuple[str | None, str | None], Minima | None] = {}

    def minima(a: str | None, b: str | None) -> Minima | None:
        if (a, b) in cache:
            return cache[(a, b)]
        found: Minima | None = None
        if a != b and not (a is None and b is None):
            party = a if b is None else b
            other = a if a is not None and b is not None else None
            for agreement in agreements:
                terms = agreement.tracks
                if party not in agreement.parties:
                    continue
                if other is None and not terms.include_unattributed:
                    continue
                if other is not None and other not in agreement.parties:
                    continue
                m = (terms.horizontal.metres, terms.vertical.metres, terms.lookahead.seconds)
                found = m if found is None else tuple(map(max, found, m))  # type: ignore[assignment]
        cache[(a, b)] = found
        return found

    return minima


def widest_margins(agreements: Sequence[Agreement], party: str) -> Tolerances:
    """The widest lateral, vertical and time margins of the agreements binding ``party``
    (none: no margins)."""
    binding = [a for a in agreements if party in a.parties]
    if not binding:
        return Tolerances()
    return Tolerances(
        max(a.margins.lateral.metres for a in binding),
        max(a.margins.vertical.metres for a in binding),
        max(a.margins.time.timedelta for a in binding),
    )
