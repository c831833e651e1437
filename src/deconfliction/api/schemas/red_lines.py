"""Red lines: declared by one party for itself, seen by the audience it chose, watched on
observations, never applied to anyone's notices."""

from __future__ import annotations

from pydantic import Field

from deconfliction.api.schemas.alerts import Filed
from deconfliction.api.schemas.common import Output
from deconfliction.engine.model.red_lines import RedLine, RedLineTerms
from deconfliction.service.red_lines import RedLineFiling

__all__ = ["RedLineCreate", "RedLineFiled", "RedLineList", "RedLinePublic"]


class RedLineCreate(RedLineTerms):
    """A red line of the caller's party: an area and rules in the zone agreements' language,
    and who besides it is told (``audience``).  In force at once; binds nobody."""


RedLinePublic = RedLine
"""A red line exactly as recorded."""


class RedLineList(Output):
    red_lines: list[RedLinePublic] = Field(description="Oldest first.")


class RedLineFiled(Filed):
    """The red line as recorded, with the ledger's receipt (declaring one raises no alert:
    only observations made later are checked against it)."""

    red_line: RedLinePublic

    @classmethod
    def of(cls, filing: RedLineFiling) -> RedLineFiled:
        return cls.model_construct(red_line=filing.red_line, **Filed.outcome(filing.outcome))
