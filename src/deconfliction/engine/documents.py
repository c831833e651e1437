"""How far a document may go before it is refused: one rule for every reader of JSON and YAML
(scenario files, command-line inputs, request bodies).

A document is data a person wrote: a key given twice is a mistake (which value was meant?),
and a document nested deeper than :data:`MAX_DEPTH` or expanding beyond :data:`MAX_NODES`
values (YAML aliases repeated) is not a scenario but an attack on the reader's stack or
memory.  Each is refused with a reason, as bad input, never as a crash.

Examples
--------
>>> read_json('{"a": 1, "b": [true, null]}')
{'a': 1, 'b': [True, None]}
>>> read_json('{"a": 1, "a": 2}')
Traceback (most recent call last):
...
deconfliction.engine.errors.InvalidInput: key 'a' appears twice in one object
>>> read_json("[" * 100 + "]" * 100)
Traceback (most recent call last):
...
deconfliction.engine.errors.InvalidInput: nested more than 64 levels deep
"""

from __future__ import annotations

import json
from typing import Any, Final

from deconfliction.engine.errors import InvalidInput

__all__ = [
    "MAX_CHARACTERS",
    "MAX_DEPTH",
    "MAX_NODES",
    "check_shape",
    "read_json",
    "too_deep",
    "too_large",
]

MAX_DEPTH: Final = 64
"""The deepest nesting of objects and lists a document may have (a scenario needs 8)."""
MAX_NODES: Final = 2_000_000
"""The most values (each object, list, string, number...) a document may hold once YAML's
aliases are expanded: a large scenario has tens of thousands."""
MAX_CHARACTERS: Final = 64_000_000
"""The most characters its strings may hold together, aliases expanded (64 MB of text)."""


def too_deep() -> InvalidInput:
    return InvalidInput.at((), f"nested more than {MAX_DEPTH} levels deep")


def too_large(what: str, limit: int) -> InvalidInput:
    return InvalidInput.at(
        (),
        f"holds more than {limit:,} {what}, counting every repetition of a YAML alias: "
        "too large for one document",
    )


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise InvalidInput.at((), f"key '{key}' appears twice in one object")
        found[key] = value
    return found


def check_shape(data: Any) -> None:
    """Refuse ``data`` nested deeper than :data:`MAX_DEPTH`, or holding more than
    :data:`MAX_NODES` values or :data:`MAX_CHARACTERS` characters (a value shared by several
    places, as YAML's aliases share them, counted once per place), without recursion: the check
    itself cannot overflow the stack.

    >>> shared = ["x" * 10] * 1000
    >>> check_shape([shared] * 2000)
    Traceback (most recent call last):
    ...
    deconfliction.engine.errors.InvalidInput: holds more than 2,000,000 values, counting every repetition of a YAML alias: too large for one document
    """
    stack: list[tuple[Any, int]] = [(data, 0)]
    count = characters = 0
    while stack:
        value, depth = stack.pop()
        count += 1
        if count > MAX_NODES:
            raise too_large("values", MAX_NODES)
        if isinstance(value, str):
            characters += len(value)
            if characters > MAX_CHARACTERS:
                raise too_large("characters of text", MAX_CHARACTERS)
            continue
        if isinstance(value, dict):
            characters += sum(len(key) for key in value if isinstance(key, str))
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth >= MAX_DEPTH and children:
            raise too_deep()
        stack.extend((child, depth + 1) for child in children)


def _constant(name: str) -> Any:
    raise InvalidInput.at((), f"{name} is not a JSON number (write a finite number)")


def read_json(text: str | bytes) -> Any:
    """JSON text as data, strictly: duplicate keys, deep nesting and syntax errors are
    :class:`~deconfliction.engine.errors.InvalidInput` (syntax errors with line and column)."""
    try:
        data = json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant)
    except RecursionError:
        raise too_deep() from None
    except json.JSONDecodeError as exc:
        raise InvalidInput.at(
            (), f"not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except UnicodeDecodeError as exc:
        raise InvalidInput.at((), f"not valid JSON: not UTF-8 ({exc.reason})") from None
    if not _within_bounds(text):
        check_shape(data)
    return data


def _within_bounds(text: str | bytes) -> bool:
    """Whether JSON ``text`` is within :func:`check_shape`'s bounds whatever it holds, so the
    walk can be spared (a request body of a few hundred bytes, on every request): each value
    takes at least one character of the text, each character of a string at least one, and
    nesting ``n`` deep takes ``n`` opening brackets.

    >>> _within_bounds('{"a": [1, 2]}'), _within_bounds("[" * 65 + "]" * 65)
    (True, False)
    """
    if len(text) > min(MAX_NODES, MAX_CHARACTERS):
        return False
    if isinstance(text, bytes):
        return text.count(b"[") + text.count(b"{") <= MAX_DEPTH
    return text.count("[") + text.count("{") <= MAX_DEPTH
