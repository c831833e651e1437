"""Text that cannot be stored: refused at the door.

JSON may carry a NUL character (``\\u0000``) or half of a surrogate pair (``\\ud800``) in a
string.  Neither can be stored as text (PostgreSQL refuses NUL; neither store can encode a lone
surrogate in UTF-8), so both are refused with the place they were found, before anything runs.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request

from deconfliction.engine.errors import InvalidInput, Problem

__all__ = ["storable_text"]

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def _problem(text: str) -> str | None:
    if "\x00" in text:
        return "text may not contain the NUL character (\\u0000)"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "text may not contain half of a surrogate pair (it is not valid Unicode)"
    return None


def _walk(value: Any, path: tuple[str | int, ...], found: list[Problem]) -> None:
    if isinstance(value, str):
        reason = _problem(value)
        if reason is not None:
            found.append(Problem(path, reason))
    elif isinstance(value, dict):
        for key, item in value.items():
            reason = _problem(str(key))
            if reason is not None:
                found.append(Problem(path, f"a field name: {reason}"))
            _walk(item, (*path, str(key)), found)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, (*path, index), found)


async def storable_text(request: Request) -> None:
    """A dependency: every path and query parameter and every string in a JSON body must be
    text that can be stored."""
    found: list[Problem] = []
    for name, value in request.path_params.items():
        _walk(value, (name,), found)
    for name, value in request.query_params.multi_items():
        _walk(value, (name,), found)
    if request.method in _BODY_METHODS and b"\\u" in await request.body():
        # A JSON text can carry a NUL or a lone surrogate only as a \u escape (raw control
        # characters are not JSON, and UTF-8 cannot hold a surrogate): without one there is
        # nothing to find, and the body (thousands of coordinates) is not walked.
        try:
            body = await request.json()
        except Exception:  # not JSON: the framework reports it itself
            body = None
        _walk(body, (), found)
    if found:
        raise InvalidInput(found)
