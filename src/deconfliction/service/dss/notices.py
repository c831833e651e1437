"""DSS entities as notices of the DSS party: created, a new notice; updated, a replacement;
deleted, a cancellation.  One volume per extent, heights in metres above the WGS84 ellipsoid.

A degenerate extent (as thick as a sheet, or as short as an instant, which the standard
allows) is shown one metre thick and one second long: a notice's band and window must have an
inside."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import timedelta

from deconfliction.engine.dss import parse_time
from deconfliction.engine.dss.wire import Volume4DIn
from deconfliction.engine.errors import InvalidInput
from deconfliction.engine.model import (
    AltitudeBand,
    CircleOutline,
    NoticeKind,
    PolygonOutline,
    Position,
    TimeWindow,
    Volume,
)
from deconfliction.engine.units import Altitude, AltitudeReference, AltitudeUnit, Length
from deconfliction.engine.units.altitudes import LOWEST_M
from deconfliction.service import interop
from deconfliction.service.coordinator import Tx
from deconfliction.service.dss.common import DssConfig

__all__ = ["cancel_notice", "file_notice"]


def _metres(value: float, where: str) -> Altitude:
    try:
        return Altitude(max(value, LOWEST_M), AltitudeUnit.m, AltitudeReference.W84)
    except ValueError as exc:  # above UNL, the top of every band
        raise InvalidInput.at((where,), str(exc)) from None


def _volumes(extents: Sequence[Volume4DIn]) -> list[Volume]:
    volumes = []
    for i, e in enumerate(extents):
        v = e.volume
        if v.outline_circle is not None:
            c = v.outline_circle
            outline: CircleOutline | PolygonOutline = CircleOutline(
                center=Position(c.center.lng, c.center.lat),
                radius=Length.parse(f"{c.radius.value} m"),
            )
        else:
            assert v.outline_polygon is not None
            outline = PolygonOutline(
                vertices=[Position(p.lng, p.lat) for p in v.outline_polygon.vertices]
            )
        assert v.altitude_lower
        assert v.altitude_upper
        assert e.time_start
        assert e.time_end
        lo = v.altitude_lower.value
        hi = max(v.altitude_upper.value, max(lo, LOWEST_M) + 1.0)
        start = parse_time(e.time_start, "time_start")
        end = max(parse_time(e.time_end, "time_end"), start + timedelta(seconds=1))
        bounds = [
            _metres(value, f"extents[{i}].volume.{name}")
            for name, value in (("altitude_lower", lo), ("altitude_upper", hi))
        ]
        band = AltitudeBand(lower=bounds[0], upper=bounds[1])
        volumes.append(
            Volume(
                label=f"extent {i}",
                outline=outline,
                altitude=band,
                window=TimeWindow(start=start, end=end),
            )
        )
    return volumes


def file_notice(
    tx: Tx,
    config: DssConfig,
    *,
    what: str,
    title: str,
    extents: Sequence[Volume4DIn],
    current: str | None,
) -> str:
    """File (or replace ``current`` with) the notice of a DSS entity; returns its id."""
    version = interop.file_version(
        tx,
        config.party,
        notice_id=f"n-{what}-{secrets.token_hex(8)}",
        kind=NoticeKind.air_operation,
        title=title,
        volumes=_volumes(extents),
        supersedes=interop.current_version(tx, current) if current else None,
    )
    return version.notice.id


def cancel_notice(tx: Tx, config: DssConfig, *, what: str, title: str, current: str) -> None:
    latest = interop.current_version(tx, current)
    if latest is None:
        return
    interop.file_version(
        tx,
        config.party,
        notice_id=f"n-{what}-{secrets.token_hex(8)}",
        kind=NoticeKind.air_operation,
        title=title,
        supersedes=latest,
        cancel=True,
    )
