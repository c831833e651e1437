"""The one exception root of the domain.

Every error the product raises on purpose derives from :class:`DeconflictionError`.  The
interfaces (command line, HTTP API) map these classes to exit codes and HTTP statuses in one
place each; nothing else catches them to reinterpret them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = [
    "ConflictingRecord",
    "DeconflictionError",
    "Forbidden",
    "InvalidInput",
    "KeyReused",
    "MalformedRequest",
    "NotFound",
    "Problem",
    "Unauthenticated",
    "format_path",
]


def format_path(path: Sequence[str | int]) -> str:
    """Render a location inside a document as ``notices[3].volumes[0].outline``.

    Examples
    --------
    >>> format_path(["notices", 3, "volumes", 0, "outline"])
    'notices[3].volumes[0].outline'
    >>> format_path([])
    ''
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason an input was refused: where it is and why."""

    path: tuple[str | int, ...]
    reason: str

    def __str__(self) -> str:
        where = format_path(self.path)
        return f"{where}: {self.reason}" if where else self.reason

    def under(self, *prefix: str | int) -> Problem:
        """The same problem, located inside ``prefix``."""
        return Problem((*prefix, *self.path), self.reason)


class DeconflictionError(Exception):
    """Root of every deliberate error in Deconfliction Line."""


class InvalidInput(DeconflictionError):
    """Input that is ambiguous or impossible; nothing was stored.

    Carries every :class:`Problem` found, each naming the field and the reason, and optionally
    the source (a file name) the problems were found in.
    """

    def __init__(self, problems: Iterable[Problem], source: str | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        if not self.problems:
            raise ValueError("InvalidInput needs at least one problem")
        self.source = source
        super().__init__(self._render())

    @classmethod
    def at(cls, path: Sequence[str | int], reason: str) -> InvalidInput:
        """A single problem at ``path``."""
        return cls([Problem(tuple(path), reason)])

    def under(self, *prefix: str | int) -> InvalidInput:
        """The same error, with every path located inside ``prefix``."""
        return InvalidInput([p.under(*prefix) for p in self.problems], self.source)

    def in_source(self, source: str) -> InvalidInput:
        """The same error, attributed to ``source`` (for example a file name)."""
        return InvalidInput(self.problems, source)

    def _render(self) -> str:
        first = str(self.problems[0])
        head = f"{self.source}: {first}" if self.source else first
        more = len(self.problems) - 1
        return head if more == 0 else f"{head} (and {more} more problem{'s' * (more > 1)})"


class NotFound(DeconflictionError):
    """Something named does not exist, or the caller may not know that it exists."""

    def __init__(self, kind: str, ident: str) -> None:
        self.kind = kind
        self.ident = ident
        super().__init__(f"no {kind} '{ident}'")


class ConflictingRecord(DeconflictionError):
    """A write that contradicts what the record already holds (the record is append-only)."""


class KeyReused(DeconflictionError):
    """An idempotency key sent again with a different request."""


class Unauthenticated(DeconflictionError):
    """No credential, or one that is unknown, expired or revoked."""


class Forbidden(DeconflictionError):
    """The caller is known but its role may not do this."""


class MalformedRequest(DeconflictionError):
    """A request whose form is ambiguous (two credentials, say): nothing was done."""
