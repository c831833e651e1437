"""Errors of the DSS facade that the core has no word for (all under the one root)."""

from __future__ import annotations

from typing import Any

from deconfliction.engine.errors import DeconflictionError

__all__ = ["AirspaceConflict", "AreaTooLarge", "UssDown", "VersionMismatch"]


class VersionMismatch(DeconflictionError):
    """The OVN or version given is not the entity's current one (409)."""


class AirspaceConflict(DeconflictionError):
    """The key lacks the OVNs of intersecting entities (409 with the entities missing)."""

    def __init__(self, message: str, body: dict[str, Any]) -> None:
        super().__init__(message)
        self.body = body


class UssDown(DeconflictionError):
    """A USS marked Down tried what a Down USS may not do (412)."""


class AreaTooLarge(DeconflictionError):
    """An area larger than the DSS accepts (400, as the reference DSS answers)."""
