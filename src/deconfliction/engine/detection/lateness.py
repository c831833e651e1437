"""``late-notice``: a notice filed with less lead time than its agreements require.

Lead time is the start of the notice's first volume minus its ``filed_at``.  Each agreement
under which the author must notify someone of that kind of notice may set a minimum; the
finding names every agreement whose minimum is not met, and goes to the author and to every
addressee.  A lead time equal to the minimum meets it: the comparison is made in whole
microseconds against the minimum as written (:attr:`~deconfliction.engine.units.Duration.exact_microseconds`).
"""

from __future__ import annotations

from datetime import timedelta

from deconfliction.engine.detection.explain import when
from deconfliction.engine.detection.findings import AlertKind, Finding, finding_key
from deconfliction.engine.detection.roster import Roster
from deconfliction.engine.model import Notice
from deconfliction.engine.times import format_time
from deconfliction.engine.units import format_duration

__all__ = ["late_notice"]

_MICROSECOND = timedelta(microseconds=1)


def late_notice(notice: Notice, roster: Roster) -> Finding | None:
    """The late-notice finding for ``notice``, or None when every lead time is met."""
    start = notice.start
    if start is None:
        return None
    lead = (start - notice.filed_at).total_seconds()
    lead_us = (start - notice.filed_at) // _MICROSECOND
    short = [
        (agreement, required)
        for agreement, required in roster.required_lead(notice.author, notice.kind)
        if lead_us < required.exact_microseconds
    ]
    if not short:
        return None
    kind = notice.kind.value.replace("_", " ")
    if lead >= 0:
        lead_text = f"was filed {format_duration(lead)} before its first volume starts"
    else:
        lead_text = f"was filed {format_duration(-lead)} after its first volume had started"
    terms = "; ".join(
        f"{agreement.name} ({agreement.id}) requires {required} for {kind}s, "
        f"{format_duration(required.seconds - lead)} more"
        for agreement, required in short
    )
    addressees = set().union(*(a.addressees(notice.author, notice.kind) for a, _ in short))
    worst_required = max(required.seconds for _, required in short)
    return Finding(
        kind=AlertKind.late_notice,
        key=finding_key(AlertKind.late_notice, notice.id),
        parties=tuple(sorted({notice.author} | addressees)),
        subjects=(notice.id,),
        explanation=(
            f"{roster.name(notice.author)} {kind} {notice.id} {lead_text} ({when(start)}): {terms}."
        ),
        raised_at=notice.filed_at,
        figures={
            "lead_time_s": round(lead, 3),
            "required_lead_time_s": worst_required,
            "shortfall_s": round(worst_required - lead, 3),
            "filed_at": format_time(notice.filed_at),
            "starts_at": format_time(start),
            "agreements": ",".join(a.id for a, _ in short),
        },
    )
