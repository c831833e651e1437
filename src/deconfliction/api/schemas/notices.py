"""Notices: what a party is about to do, told to the parties concerned.  Never approved or
denied: accepted, recorded, delivered, and checked for conflicts."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from deconfliction.api.schemas.alerts import AlertPublic, outcome_fields
from deconfliction.api.schemas.common import DeliveryPublic, Geometry, Input, Output
from deconfliction.api.schemas.geometry import VolumeInput
from deconfliction.engine.model import AltitudeBand, NoticeKind, Outline, TimeWindow, UtcTime
from deconfliction.service.geojson import outline_geometry
from deconfliction.service.notices import Filing, NoticeReads, NoticeView, Preview

__all__ = [
    "NoticeCancel",
    "NoticeCreate",
    "NoticeDraft",
    "NoticeFiled",
    "NoticeList",
    "NoticePreview",
    "NoticePublic",
    "NoticeReadsPublic",
    "NoticeReplace",
    "NoticeVersions",
    "VolumePublic",
]


class NoticeCreate(Input):
    """A new notice.  The server names it, sets its author (the caller's party) and stamps
    ``filed_at`` with its own clock: the lead time counts from the server's receipt.  The
    addressees come from the agreements."""

    kind: NoticeKind
    title: str = Field(default="", max_length=500, description="A line for the duty officer.")
    volumes: list[VolumeInput] = Field(min_length=1, max_length=100)

    def volume_data(self) -> list[dict[str, Any]]:
        return [v.data() for v in self.volumes]


class NoticeDraft(NoticeCreate):
    """A notice to check before filing it; with ``replaces``, a new version of that notice."""

    replaces: str | None = Field(default=None, description="The caller's current notice.")


class NoticeReplace(Input):
    """A new version of a notice: new volumes (and title; the kind stays unless given)."""

    kind: NoticeKind | None = None
    title: str = Field(default="", max_length=500)
    volumes: list[VolumeInput] = Field(min_length=1, max_length=100)

    def volume_data(self) -> list[dict[str, Any]]:
        return [v.data() for v in self.volumes]


class NoticeCancel(Input):
    """Cancels a notice; its alerts close with the reason."""

    title: str = Field(default="", max_length=500)


class VolumePublic(Output):
    label: str
    outline: Outline = Field(description="The outline exactly as recorded.")
    altitude: AltitudeBand
    window: TimeWindow
    geometry: Geometry


class NoticePublic(Output):
    """One version of a notice."""

    id: str
    series: str = Field(description="The id of the first version of its chain.")
    author: str
    kind: NoticeKind
    action: str = Field(description="new, replace or cancel")
    replaces: str | None
    superseded_by: str | None = Field(description="The version that replaced or cancelled it.")
    status: str = Field(description="current, replaced, cancelled, or cancellation")
    title: str
    filed_at: UtcTime = Field(description="The server's time when it received the notice.")
    volumes: list[VolumePublic]

    @classmethod
    def of(cls, view: NoticeView) -> NoticePublic:
        n = view.notice
        return cls.model_construct(
            id=n.id,
            series=view.series,
            author=n.author,
            kind=n.kind,
            action=n.action.value,
            replaces=n.replaces,
            superseded_by=view.superseded_by,
            status=view.status,
            title=n.title,
            filed_at=n.filed_at,
            volumes=[
                VolumePublic.model_construct(
                    label=v.label,
                    outline=v.outline,
                    altitude=v.altitude,
                    window=v.window,
                    geometry=outline_geometry(v.outline),
                )
                for v in n.volumes
            ],
        )


class NoticeList(Output):
    notices: list[NoticePublic]

    @classmethod
    def of(cls, views: list[NoticeView]) -> NoticeList:
        return cls.model_construct(notices=[NoticePublic.of(v) for v in views])


class NoticeVersions(Output):
    versions: list[NoticePublic] = Field(description="Oldest first.")

    @classmethod
    def of(cls, views: list[NoticeView]) -> NoticeVersions:
        return cls.model_construct(versions=[NoticePublic.of(v) for v in views])


class NoticeFiled(Output):
    """What filing did: the notice, the alerts it opened or updated (and closed), and its
    deliveries, as far as the caller may see them."""

    notice: NoticePublic
    alerts: list[AlertPublic] = Field(description="Alerts opened or updated by this filing.")
    closed_alerts: list[AlertPublic] = Field(description="Alerts this filing closed.")
    deliveries: list[DeliveryPublic]

    @classmethod
    def of(cls, filing: Filing) -> NoticeFiled:
        return cls.model_construct(
            notice=NoticePublic.of(filing.notice), **outcome_fields(filing.outcome)
        )


class ReadPublic(Output):
    party: str
    read_at: UtcTime


class NoticeReadsPublic(Output):
    """Who read a notice and when (for its author), and where each delivery stands."""

    notice_id: str
    reads: list[ReadPublic]
    deliveries: list[DeliveryPublic]

    @classmethod
    def of(cls, found: NoticeReads) -> NoticeReadsPublic:
        return cls(
            notice_id=found.notice_id,
            reads=[ReadPublic.model_validate(r) for r in found.reads],
            deliveries=[DeliveryPublic.of(d) for d in found.deliveries],
        )


class NoticePreview(Output):
    """What filing the draft would do now: nothing is recorded, nothing is refused."""

    notice: NoticePublic = Field(description="As the server would take it (a provisional id).")
    lead_time_s: float | None = Field(
        description="From the server's time now to the start of its first volume."
    )
    addressees: list[str] = Field(description="The parties it would be delivered to.")
    alerts: list[AlertPublic] = Field(description="Alerts it would raise or update.")

    @classmethod
    def of(cls, preview: Preview) -> NoticePreview:
        return cls.model_construct(
            notice=NoticePublic.of(preview.notice),
            lead_time_s=preview.lead_time_s,
            addressees=preview.addressees,
            alerts=[AlertPublic.of(a) for a in preview.alerts],
        )
