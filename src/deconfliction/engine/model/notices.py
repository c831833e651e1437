"""Operation notices and their versions.

A notice tells the parties concerned what its author is about to do.  It is never approved or
denied: it is accepted, delivered, and checked for conflicts.  A notice is ``new``, or it
``replace``-s an earlier notice of the same author (a new version with new volumes), or it
``cancel``-s one.  The first notice of a chain names the series; every version has its own
identifier.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum, StrEnum
from typing import Annotated, Self

from pydantic import Field, model_validator

from deconfliction.engine.errors import Problem
from deconfliction.engine.model.common import (
    DomainModel,
    Identifier,
    UtcTime,
    format_time,
    located,
)
from deconfliction.engine.model.volumes import Volume

__all__ = [
    "MAX_VOLUMES",
    "ChainProblem",
    "Notice",
    "NoticeAction",
    "NoticeKind",
    "NoticeTitle",
    "chain_problems",
]

NoticeTitle = Annotated[str, Field(max_length=500, description="A line for the duty officer.")]
MAX_VOLUMES = 100
"""Volumes in one notice version: an operation of more parts is several notices."""


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
    title: NoticeTitle = ""
    volumes: list[Volume] = Field(default_factory=list, max_length=MAX_VOLUMES)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.action is NoticeAction.new:
            if self.replaces is not None:
                raise located(
                    ("replaces",),
                    'a new notice replaces nothing: use action "replace"',
                    self.replaces,
                )
            if not self.volumes:
                raise located(("volumes",), "a notice needs at least one volume", [])
        elif self.action is NoticeAction.replace:
            if self.replaces is None:
                raise located(("replaces",), "a replacement names the notice it replaces")
            if not self.volumes:
                raise located(("volumes",), "a replacement needs at least one volume", [])
        else:
            if self.replaces is None:
                raise located(("replaces",), "a cancellation names the notice it cancels")
            if self.volumes:
                raise located(("volumes",), "a cancellation carries no volumes")
        if self.replaces == self.id:
            raise located(("replaces",), "a notice cannot replace itself", self.replaces)
        return self

    @property
    def start(self) -> datetime | None:
        """The earliest start of its volumes (None for a cancellation)."""
        return min((v.window.start for v in self.volumes), default=None)

    @property
    def end(self) -> datetime | None:
        return max((v.window.end for v in self.volumes), default=None)


@dataclass(frozen=True, slots=True)
class ChainProblem:
    """Why a notice cannot replace or cancel the one it names.  ``conflicting`` problems
    contradict the record as it stands (the notice was already superseded, or is itself a
    cancellation); the others are mistakes in the new notice."""

    problem: Problem
    conflicting: bool = False


def chain_problems(
    notice: Notice, earlier: Notice | None, successor: str | None
) -> list[ChainProblem]:
    """The one rule for a version chain: a replacement or cancellation names an earlier
    notice of the same author that is not a cancellation, has not been superseded yet
    (``successor`` is what already superseded it), and was not filed after it.

    >>> chain_problems(Notice.model_construct(id="n-2", author="idf", replaces="n-0",
    ...     action=NoticeAction.cancel), None, None)[0].problem.reason
    "no notice 'n-0'"
    """
    if notice.action is NoticeAction.new or notice.replaces is None:
        return []
    verb = notice.action.value
    named = notice.replaces
    if earlier is None:
        return [ChainProblem(Problem(("replaces",), f"no notice '{named}'"))]
    found: list[ChainProblem] = []
    if earlier.author != notice.author:
        found.append(
            ChainProblem(
                Problem(
                    ("replaces",),
                    f"'{named}' is a notice of '{earlier.author}': only its author may {verb} it",
                )
            )
        )
    if earlier.action is NoticeAction.cancel:
        found.append(
            ChainProblem(
                Problem(("replaces",), f"'{named}' is a cancellation: nothing to {verb}"), True
            )
        )
    if successor is not None:
        found.append(
            ChainProblem(
                Problem(
                    ("replaces",),
                    f"'{named}' was already replaced or cancelled by '{successor}': {verb} the "
                    "current version instead",
                ),
                True,
            )
        )
    if notice.filed_at < earlier.filed_at:
        found.append(
            ChainProblem(
                Problem(
                    ("filed_at",),
                    f"must not be before '{named}' was filed ({format_time(earlier.filed_at)})",
                )
            )
        )
    return found
