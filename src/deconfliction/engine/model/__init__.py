"""The domain model: parties, agreements, 4D volumes, notices, sites, zones, observations.

Models are immutable pydantic models that validate themselves on construction; each error
names the field and the reason.  Anything that needs configuration (the largest area a volume
may cover, for example) is policy, checked on new input only (see :mod:`.limits`).
"""

from deconfliction.engine.model.agreements import (
    Acknowledgement,
    Agreement,
    Margins,
    NotificationDuty,
)
from deconfliction.engine.model.common import Identifier, Position, UtcTime
from deconfliction.engine.model.limits import Limits, check_limits, limit_problems
from deconfliction.engine.model.notices import Notice, NoticeAction, NoticeKind
from deconfliction.engine.model.observations import Observation, WeaponSighting
from deconfliction.engine.model.parties import DutyContact, Party, PartyKind, PartyStatus
from deconfliction.engine.model.sites import ProtectedSite, SiteCategory
from deconfliction.engine.model.volumes import (
    AltitudeBand,
    CircleOutline,
    CorridorOutline,
    Outline,
    PolygonOutline,
    TimeWindow,
    Volume,
)
from deconfliction.engine.model.zones import (
    BandArea,
    CapRule,
    Line,
    NoPresenceRule,
    NoWeaponsRule,
    PolygonArea,
    RangeRule,
    Selector,
    Side,
    ZoneAgreement,
    ZoneArea,
    ZoneRule,
)

__all__ = [
    "Acknowledgement",
    "Agreement",
    "AltitudeBand",
    "BandArea",
    "CapRule",
    "CircleOutline",
    "CorridorOutline",
    "DutyContact",
    "Identifier",
    "Limits",
    "Line",
    "Margins",
    "NoPresenceRule",
    "NoWeaponsRule",
    "Notice",
    "NoticeAction",
    "NoticeKind",
    "NotificationDuty",
    "Observation",
    "Outline",
    "Party",
    "PartyKind",
    "PartyStatus",
    "PolygonArea",
    "PolygonOutline",
    "Position",
    "ProtectedSite",
    "RangeRule",
    "Selector",
    "Side",
    "SiteCategory",
    "TimeWindow",
    "UtcTime",
    "Volume",
    "WeaponSighting",
    "ZoneAgreement",
    "ZoneArea",
    "ZoneRule",
    "check_limits",
    "limit_problems",
]
