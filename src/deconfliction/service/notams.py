"""NOTAMs in and out: import a batch as notices of the civil-aviation party, and propose a
notice as NOTAMs for an aeronautical information service.

A batch is **all or nothing** by default: every NOTAM is read, mapped and checked against the
record first (its references, its id); if any has a problem, every problem is raised together
and nothing is stored.  Otherwise every NOTAM is recorded, in order, in the caller's
transaction, so a NOTAMR may replace a NOTAMN of the same batch.  With ``each=True`` every valid
NOTAM is recorded and the others are reported with their problems.

A NOTAM already imported for the party with the same text changes nothing (``unchanged``); the
same id with another text is refused (a change is a NOTAMR).  Each NOTAM recorded makes two
ledger entries: the notice version (with its alerts and deliveries, as for any notice) and a
``notam.imported`` entry holding the NOTAM text as received.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from deconfliction.engine.errors import (
    DeconflictionError,
    Forbidden,
    InvalidInput,
    Problem,
)
from deconfliction.engine.model import Notice, NoticeKind
from deconfliction.engine.notam import (
    ExportContext,
    Notam,
    Proposal,
    kind_of,
    notice_parts,
    parse_batch,
    propose,
)
from deconfliction.engine.notam.aixm import aixm_event
from deconfliction.engine.notam.faa import PROPOSAL_NOTE, faa_geojson
from deconfliction.service import interop
from deconfliction.service.auth import Principal, Role
from deconfliction.service.coordinator import Tx
from deconfliction.service.notices import read_notice
from deconfliction.service.reading import Reader
from deconfliction.store import notams as notam_store

__all__ = [
    "MEDIA_TYPES",
    "ImportedNotam",
    "NotamFormat",
    "NotamImport",
    "ProposalSet",
    "import_notams",
    "may_import",
    "propose_notice",
]


@dataclass(frozen=True, slots=True)
class ImportedNotam:
    """What became of one NOTAM of a batch."""

    index: int
    id: str
    action: str
    status: str
    """``recorded``, ``unchanged`` or ``refused``."""
    notice_id: str | None = None
    flags: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    alerts: tuple[str, ...] = ()
    """Alerts the notice opened or updated (ids)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "id": self.id,
            "action": {"N": "new", "R": "replace", "C": "cancel"}.get(self.action, self.action),
            "status": self.status,
            "notice": self.notice_id,
            "flags": list(self.flags),
            "problems": [
                {"path": str(p).split(": ", 1)[0], "reason": p.reason} for p in self.problems
            ],
            "alerts": list(self.alerts),
        }


@dataclass(frozen=True, slots=True)
class NotamImport:
    party: str
    notams: list[ImportedNotam] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        out = {"recorded": 0, "unchanged": 0, "refused": 0}
        for n in self.notams:
            out[n.status] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "party": self.party,
            "counts": self.counts(),
            "notams": [n.to_dict() for n in self.notams],
        }


def may_import(principal: Principal, party: str) -> None:
    """A duty officer of the civil-aviation party, or an administrator, imports its NOTAMs."""
    if principal.role is Role.admin:
        return
    if principal.role is Role.duty_officer and principal.party == party:
        return
    raise Forbidden(
        f"NOTAMs are imported as notices of '{party}': only its duty officers or an "
        "administrator may import them"
    )


@dataclass
class _Plan:
    """One NOTAM ready to record: what it does to which notice."""

    index: int
    notam: Notam
    kind: NoticeKind
    title: str
    volumes: tuple[Any, ...]
    flags: tuple[str, ...]
    target: str | None
    """The NOTAM whose notice a NOTAMR/NOTAMC affects."""


def _located(index: int, notam: Notam | None, problems: list[Problem]) -> list[Problem]:
    ident = notam.id if notam else "?"
    return [Problem(("notams", index, *p.path), f"{ident}: {p.reason}") for p in problems]


def import_notams(tx: Tx, party: str, text: str, *, each: bool = False) -> NotamImport:
    """Import the NOTAMs in ``text`` as notices of ``party`` (see the module documentation)."""
    if not interop.has_party(tx, party):
        raise InvalidInput.at(
            ("party",),
            f"no party '{party}' to author NOTAMs: declare the civil-aviation party first "
            "(DECONFLICT_NOTAM_PARTY names it)",
        )
    parsed, problems = parse_batch(text)
    by_index: dict[int, list[Problem]] = {}
    for p in problems:
        if len(p.path) >= 2 and isinstance(p.path[1], int):
            by_index.setdefault(p.path[1], []).append(p)
        elif not each or not parsed:
            raise InvalidInput(problems)
    stored = notam_store.find(
        tx.connection, party, [n.id for n in parsed if n] + [n.ref for n in parsed if n and n.ref]
    )
    plans: list[_Plan | None] = []
    seen: dict[str, str] = {}  # NOTAM id -> its text, for this batch
    for i, notam in enumerate(parsed):
        found = list(by_index.get(i, []))
        if notam is None:
            plans.append(None)
            by_index[i] = found
            continue
        local: list[Problem] = []
        earlier = stored.get(notam.id)
        if notam.id in seen:
            local.append(Problem(("header",), "appears twice in the batch"))
        elif earlier is not None and earlier.text != notam.raw:
            local.append(
                Problem(("header",), "already imported with a different text: a change is a NOTAMR")
            )
        seen[notam.id] = notam.raw
        target = notam.ref
        if target is not None and target not in stored and target not in seen:
            local.append(
                Problem(
                    ("header",),
                    f"NOTAM{notam.action} {target}: no NOTAM {target} of '{party}' is recorded",
                )
            )
        parts = None
        if notam.action != "C":
            parts, mapped = notice_parts(notam, tx.coordinator.limits)
            local.extend(mapped)
        if local or found:
            by_index[i] = found + _located(i, notam, local)
            plans.append(None)
            continue
        assert notam.q is not None
        plans.append(
            _Plan(
                i,
                notam,
                parts.kind if parts else kind_of(notam.q.code),
                parts.title if parts else f"NOTAM {notam.id} cancels {notam.ref}",
                parts.volumes if parts else (),
                parts.flags if parts else (),
                target,
            )
        )
    refused = [p for ps in by_index.values() for p in ps]
    if refused and not each:
        raise InvalidInput(refused)
    result = NotamImport(party)
    notice_of: dict[str, str] = {k: v.notice_id for k, v in stored.items()}
    for i, notam in enumerate(parsed):
        plan = plans[i]
        ident = notam.id if notam else "?"
        action = notam.action if notam else "?"
        if plan is None:
            result.notams.append(
                ImportedNotam(i, ident, action, "refused", problems=tuple(by_index.get(i, ())))
            )
            continue
        assert notam is not None
        if notam.id in stored and stored[notam.id].text == notam.raw:
            result.notams.append(
                ImportedNotam(
                    i,
                    ident,
                    action,
                    "unchanged",
                    stored[notam.id].notice_id,
                    stored[notam.id].flags,
                )
            )
            continue
        try:
            result.notams.append(_record(tx, party, plan, notice_of))
        except DeconflictionError as exc:
            if not each:
                raise _under(exc, i, notam) from None
            reasons = exc.problems if isinstance(exc, InvalidInput) else (Problem((), str(exc)),)
            result.notams.append(
                ImportedNotam(
                    i, ident, action, "refused", problems=tuple(_located(i, notam, list(reasons)))
                )
            )
    return result


def _under(exc: DeconflictionError, index: int, notam: Notam) -> DeconflictionError:
    if isinstance(exc, InvalidInput):
        return InvalidInput(_located(index, notam, list(exc.problems)))
    return exc


def _record(tx: Tx, party: str, plan: _Plan, notice_of: dict[str, str]) -> ImportedNotam:
    notam = plan.notam
    supersedes = None
    if plan.target is not None:
        supersedes = interop.current_version(tx, notice_of[plan.target])
        if supersedes is None:
            raise InvalidInput.at(("header",), f"{plan.target} was already cancelled")
    version = interop.file_version(
        tx,
        party,
        notice_id=f"n-{secrets.token_hex(8)}",
        kind=plan.kind,
        title=plan.title,
        volumes=plan.volumes,
        supersedes=supersedes,
        cancel=notam.action == "C",
    )
    assert notam.q is not None
    record = notam_store.StoredNotam(
        party=party,
        id=notam.id,
        action=notam.action,
        ref=notam.ref,
        notice_id=version.notice.id,
        q_line=notam.q.text(),
        locations=notam.locations,
        flags=plan.flags,
        text=notam.raw,
    )
    seq = interop.append_entry(
        tx,
        "notam.imported",
        notam.id,
        {
            "party": party,
            "notam": notam.id,
            "action": notam.action,
            "ref": notam.ref,
            "notice": version.notice.id,
            "flags": list(plan.flags),
            "text": notam.raw,
        },
        version.audience,
    )
    notam_store.insert(tx.connection, record, tx.now, seq)
    notice_of[notam.id] = version.notice.id
    alerts = tuple(
        c.alert.id for c in version.filed.recorded.assessment.changes if c.action.value != "closed"
    )
    return ImportedNotam(
        plan.index, notam.id, notam.action, "recorded", version.notice.id, plan.flags, alerts=alerts
    )


# -- export -------------------------------------------------------------------------------------


class NotamFormat(StrEnum):
    """The formats a notice's NOTAM proposals are written in: the ICAO text (the default),
    the FAA NOTAM API's GeoJSON, an AIXM 5.1 Event (docs/design/formats.md)."""

    icao = "icao"
    faa_geojson = "faa-geojson"
    aixm = "aixm"


MEDIA_TYPES: Final = {
    NotamFormat.icao: "application/json",
    NotamFormat.faa_geojson: "application/geo+json",
    NotamFormat.aixm: "application/xml",
}


@dataclass(frozen=True, slots=True)
class ProposalSet:
    """The NOTAM proposals for one notice."""

    notice_id: str
    margin_m: float
    proposals: list[Proposal]
    notice: Notice

    def render(self, fmt: NotamFormat) -> str:
        """The proposals as text in ``fmt`` (the ICAO form as this set's JSON)."""
        if fmt is NotamFormat.faa_geojson:
            return json.dumps(faa_geojson(self.notice, self.proposals), ensure_ascii=False)
        if fmt is NotamFormat.aixm:
            return aixm_event(self.notice, self.proposals)
        return json.dumps(self.to_dict(), ensure_ascii=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "notice": self.notice_id,
            "proposal": True,
            "note": PROPOSAL_NOTE,
            "margin_m": self.margin_m,
            "resolution": {
                "position": "0.01 arc-second",
                "time": "1 minute",
                "limits": "1 ft or 1 m",
            },
            "notams": [
                {
                    "id": p.id,
                    "text": p.text,
                    "q_line": p.q.text(),
                    "volumes": list(p.volumes),
                    "notes": list(p.notes),
                }
                for p in self.proposals
            ],
        }


def propose_notice(
    reader: Reader,
    notice_id: str,
    *,
    fir: str,
    series: str = "X",
    number: int = 1,
) -> ProposalSet:
    """NOTAM proposals for a notice the reader may see; the read is recorded."""
    notice = read_notice(reader, notice_id).notice
    if not notice.volumes:
        raise InvalidInput.at(("notice",), f"{notice_id} is a cancellation: nothing to propose")
    imported = notam_store.by_notice(reader.connection, notice_id)
    context = ExportContext(
        fir=fir,
        margin_m=interop.lateral_margin_of(reader, notice.author),
        series=series,
        number=number,
    )
    if imported is not None:
        q_fields = imported.q_line.split("/")
        context = ExportContext(
            fir=q_fields[0],
            locations=imported.locations,
            margin_m=context.margin_m,
            series=series,
            number=number,
            code=q_fields[1],
        )
    try:
        proposals = propose(notice, context)
    except ValueError as exc:
        raise InvalidInput.at(("notice",), str(exc)) from None
    return ProposalSet(notice.id, context.margin_m, proposals, notice)
