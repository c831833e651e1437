"""Operation notices and their versions.

A notice tells the parties concerned what its author is about to do.  It is never approved or
denied: it is accepted, delivered, and checked for conflicts.  A notice is ``new``, or it
``replace``-s an earlier notice of the same author (a new version with new volumes), or it
``cancel``-s one.  The first notice of a chain names the series; every version has its own
identifier.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum, StrEnum
from typing import Self

from pydantic import Field, model_validator

from deconfliction.engine.model.common import DomainModel, Identifier, UtcTime
from deconfliction.engine.model.volumes import Volume

__all__ = ["Notice", "NoticeAction", "NoticeKind"]


class NoticeKind(StrEnum):
    air_operation = "air_operation"
    ground_movement = "ground_movement"
    humanitarian_movement = "humanitarian_movement"
    exercise = "exercise"


class NoticeAction(Enum):
    """Not a ``StrEnum``: a member named ``replace`` would shadow ``str.replace``."""

    new = "new"
    replace = "replace"
    cancel = "cancel"


class Notice(DomainModel):
    """One version of an operation notice."""

    id: Identifier
    author: Identifier
    kind: NoticeKind
    action: NoticeAction = NoticeAction.new
    replaces: Identifier | None = Field(
        default=None, description="The notice this one replaces or cancels."
    )
    filed_at: UtcTime
    title: str = ""
    volumes: list[Volume] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.action is NoticeAction.new:
            if self.replaces is not None:
                raise ValueError('a new notice replaces nothing: use action "replace"')
            if not self.volumes:
                raise ValueError("volumes: a notice needs at least one volume")
        elif self.action is NoticeAction.replace:
            if self.replaces is None:
                raise ValueError("replaces: a replacement names the notice it replaces")
            if not self.volumes:
                raise ValueError("volumes: a replacement needs at least one volume")
        else:
            if self.replaces is None:
                raise ValueError("replaces: a cancellation names the notice it cancels")
            if self.volumes:
                raise ValueError("volumes: a cancellation carries no volumes")
        if self.replaces == self.id:
            raise ValueError("replaces: a notice cannot replace itself")
        return self

    @property
    def start(self) -> datetime | None:
        """The earliest start of its volumes (None for a cancellation)."""
        return min((v.window.start for v in self.volumes), default=None)

    @property
    def end(self) -> datetime | None:
        return max((v.window.end for v in self.volumes), default=None)
