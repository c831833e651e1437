"""Notices: what a party is about to do, told to the parties concerned.  Never approved or
denied: accepted, recorded, delivered, and checked for conflicts."""

from __future__ import annotations

from collections.abc import Callable

from pydantic import Field

from deconfliction.api.schemas.alerts import AlertPublic, Filed
from deconfliction.api.schemas.common import DeliveryPublic, Geometry, Input, Output
from deconfliction.engine.model import Notice, NoticeKind, Outline, UtcTime, Volume
from deconfliction.engine.model.notices import MAX_VOLUMES, NoticeTitle
from deconfliction.service.geojson import outline_geometry
from deconfliction.service.notices import NoticeFiling, NoticeReads, NoticeView, Preview

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

_VOLUMES = (
    "4D volumes: an outline (polygon, geodesic circle or corridor in our form, or a GeoJSON "
    'Polygon), an altitude band (`lower`, `upper`, each with its unit and datum: "FL050", '
    '"5000 ft AMSL", "300 m AGL", "SFC", "UNL") and a time window (`start` inclusive, `end` '
    "exclusive, RFC 3339 with an offset)."
)


class NoticeCreate(Input):
    """A new notice.  The server names it, sets its author (the caller's party) and stamps
    ``filed_at`` with its own clock: the lead time counts from the server's receipt.  The
    addressees come from the agreements."""

    kind: NoticeKind
    title: NoticeTitle = ""
    volumes: list[Volume] = Field(min_length=1, max_length=MAX_VOLUMES, description=_VOLUMES)


class NoticeDraft(NoticeCreate):
    """A notice to check before filing it; with ``replaces``, a new version of that notice."""

    replaces: str | None = Field(default=None, description="The caller's current notice.")


class NoticeReplace(Input):
    """A new version of a notice: new volumes (and title; the kind stays unless given)."""

    kind: NoticeKind | None = None
    title: NoticeTitle = ""
    volumes: list[Volume] = Field(min_length=1, max_length=MAX_VOLUMES, description=_VOLUMES)


class NoticeCancel(Input):
    """Cancels a notice; its alerts close with the reason."""

    title: NoticeTitle = ""


class VolumePublic(Volume):
    """A volume exactly as recorded, with its outline drawn as GeoJSON."""

    geometry: Geometry


class NoticePublic(Notice):
    """One version of a notice, exactly as recorded, and where it stands in its series."""

    series: str = Field(description="The id of the first version of its chain.")
    superseded_by: str | None = Field(description="The version that replaced or cancelled it.")
    status: str = Field(description="current, replaced, cancelled, or cancellation")
    volumes: list[VolumePublic]  # type: ignore[assignment]

    @classmethod
    def of(
        cls, view: NoticeView, geometry: Callable[[Outline], Geometry] = outline_geometry
    ) -> NoticePublic:
        """``geometry`` draws each volume's outline (to a metre unless told)."""
        n = view.notice
        return cls.model_construct(
            **{
                **dict(n),
                "volumes": [
                    VolumePublic.model_construct(**dict(v), geometry=geometry(v.outline))
                    for v in n.volumes
                ],
            },
            series=view.series,
            superseded_by=view.superseded_by,
            status=view.status,
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


class NoticeFiled(Filed):
    """What filing did: the notice, the alerts it opened or updated (and closed), and its
    deliveries, as far as the caller may see them, with the ledger's receipt."""

    notice: NoticePublic

    @classmethod
    def of(cls, filing: NoticeFiling) -> NoticeFiled:
        return cls.model_construct(
            notice=NoticePublic.of(filing.notice), **Filed.outcome(filing.outcome)
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
        reads = [ReadPublic(party=p, read_at=at) for p, at in found.reads]
        return cls(notice_id=found.notice_id, reads=reads, deliveries=found.deliveries)


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
