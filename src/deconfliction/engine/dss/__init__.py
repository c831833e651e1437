"""The ASTM F3548-21 DSS facade's pure parts: request bodies, extents as exact geometry, the
errors the core has no word for.  The use cases are in :mod:`deconfliction.service.dss`."""

from deconfliction.engine.dss.errors import AirspaceConflict, AreaTooLarge, UssDown, VersionMismatch
from deconfliction.engine.dss.extents import Footprint, footprint, parse_time
from deconfliction.engine.dss.wire import OirState

__all__ = [
    "AirspaceConflict",
    "AreaTooLarge",
    "Footprint",
    "OirState",
    "UssDown",
    "VersionMismatch",
    "footprint",
    "parse_time",
]
