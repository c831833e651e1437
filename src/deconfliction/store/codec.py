"""What the record writes: canonical JSON (RFC 8785), and the payload of each log entry.

Canonical JSON makes the same event always the same bytes, so that its hash (the ledger's leaf)
does not depend on the library that wrote it.  A record (an item, an alert change, a delivery,
a message) is made canonical once, when it is recorded; the log entry's payload and the
projection's ``body`` are built from that one text, never by serialising again.

Every payload carries ``"format"``, the version of this layout
(:data:`PAYLOAD_FORMAT`), so that a later change can be told from an old entry: entries
written before the field existed read as format 0 (times written with ``+00:00``).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Final

import rfc8785
from pydantic import BaseModel, PlainSerializer, WrapSerializer

from deconfliction.engine.alerts import AlertChange
from deconfliction.engine.items import Item, kind_named

__all__ = [
    "PAYLOAD_FORMAT",
    "Canonical",
    "canonical",
    "change_from_payload",
    "item_from_payload",
    "payload",
    "record_bodies",
    "record_body",
]

PAYLOAD_FORMAT: Final = 1
"""The layout of entry payloads: ``{"format": 1, <name>: <record>, ...}``, times written as
fixed-width UTC (:func:`deconfliction.engine.times.format_time`)."""

_SAFE_INT: Final = 2**53 - 1


class _Unplain(Exception):
    """The value holds something the fast path does not write exactly as RFC 8785 does."""


def _plain(value: Any) -> Any:
    """``value`` with integral floats as ints, when ``json.dumps`` then writes exactly the RFC
    8785 text: str, in-range int, bool, None, integral float below 2**53 (RFC 8785 writes
    600.0 as ``600``), other floats between 1e-4 and 1e16, lists, and dicts with ASCII keys
    (sorted by code point, which for ASCII is the UTF-16 order RFC 8785 asks).  Raises
    ``_Unplain`` otherwise."""
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return value
    if kind is int:
        if -_SAFE_INT <= value <= _SAFE_INT:
            return value
        raise _Unplain
    if kind is float:
        if value.is_integer():
            if -_SAFE_INT <= value <= _SAFE_INT:
                return int(value)
        elif 1e-4 <= abs(value) < 1e16:
            # Both write the shortest digits that read back as the same float; in this range
            # neither uses an exponent (Python's repr switches outside it, ECMAScript's at
            # 1e-7 and 1e21), so the texts agree.
            return value
        raise _Unplain
    if kind is dict:
        out = {}
        for key, item in value.items():
            if type(key) is not str or not key.isascii():
                raise _Unplain
            out[key] = _plain(item)
        return out
    if kind is list or kind is tuple:
        return [_plain(item) for item in value]
    raise _Unplain


_ENCODER: Final = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))
"""``json.dumps`` with these options, built once: ``dumps`` builds an encoder at every call, a
fifth of the time of a small record's text (and a filing writes some forty texts)."""


class Canonical(str):
    """JSON text already in canonical form: :func:`canonical` returns it as it is."""

    __slots__ = ()


def canonical(value: Any) -> str:
    """RFC 8785 canonical JSON text.

    Payloads of strings, integers, ordinary floats (coordinates, distances), lists and objects
    with ASCII keys are written by the standard library's C encoder, which then produces the
    same text as RFC 8785, ten times faster; anything else (very small or large floats,
    non-ASCII keys, other types) goes through ``rfc8785``.  A test compares the two on random
    values.
    """
    if type(value) is Canonical:
        return str(value)
    try:
        plain = _plain(value)
    except _Unplain:
        return rfc8785.dumps(value).decode("utf-8")
    text = _ENCODER.encode(plain)
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:  # lone surrogates: let rfc8785 refuse them its way
            return rfc8785.dumps(value).decode("utf-8")
    return text


def record_body(record: BaseModel) -> Canonical:
    """The canonical JSON of a record (an item, an alert change, a delivery, a message), the
    one text from which its log entry and its projection are both built."""
    return Canonical(canonical(record.model_dump(mode="json", by_alias=True)))


def record_bodies(records: Sequence[BaseModel]) -> list[Canonical]:
    """:func:`record_body` of each record, the same texts, for records made together (a
    notice's deliveries: nine records that differ only in their ``id`` and ``recipient``).

    When every record is of the first one's model and differs from it only in plain string
    fields, one text is written with a placeholder in each such field, and each record's body
    is that text with its own strings put in, written as :func:`canonical` writes a string (the
    same encoder writes it inside an object: the texts are the same, byte for byte, as a test
    checks on random records).  Otherwise each record is written on its own."""
    if len(records) < 2:
        return [record_body(r) for r in records]
    model, first = type(records[0]), records[0].__dict__
    names = first.keys()
    varying: set[str] = set()
    for record in records:
        fields = record.__dict__
        if type(record) is not model or fields.keys() != names:
            return [record_body(r) for r in records]
        for name, value in fields.items():
            # Records copied from one another share the objects of the fields they did not
            # change: most fields are told alike without comparing them.
            if value is not first[name] and value != first[name]:
                varying.add(name)
    order = tuple(sorted(varying))
    if not _plain_strings(model, order) or any(
        type(r.__dict__[name]) is not str for r in records for name in order
    ):
        return [record_body(r) for r in records]
    if not order:
        return [record_body(records[0])] * len(records)
    pieces = _cut(records[0], order)
    if pieces is None:
        return [record_body(r) for r in records]
    rest, cuts = pieces
    out = []
    for record in records:
        fields = record.__dict__
        out.append(
            Canonical("".join([piece + canonical(fields[name]) for piece, name in cuts]) + rest)
        )
    return out


def _cut(record: BaseModel, names: tuple[str, ...]) -> tuple[str, list[tuple[str, str]]] | None:
    """The record's text with a placeholder in each field of ``names``, cut at them: the text
    before each placeholder with the field it stands for, in the order they appear, and the
    text after the last.  None when a placeholder's text appears elsewhere too."""
    marks = {name: f"\x00{n}\x00" for n, name in enumerate(names)}
    template = record_body(record.model_copy(update=marks))
    tokens = {name: canonical(mark) for name, mark in marks.items()}
    if any(template.count(token) != 1 for token in tokens.values()):
        return None
    cuts, rest = [], str(template)
    for name in sorted(names, key=lambda name: template.index(tokens[name])):
        before, rest = rest.split(tokens[name])
        cuts.append((before, name))
    return rest, cuts


@lru_cache(maxsize=64)
def _plain_strings(model: type[BaseModel], names: tuple[str, ...]) -> bool:
    """Whether ``model`` writes each field of ``names`` as it is: no serializer of its own or
    of the model's, and no computed field (which could be worked out from it).  Worked out
    once per model and fields (a model's serializers are fixed when it is defined)."""
    decorators = model.__pydantic_decorators__
    if model.model_computed_fields or decorators.model_serializers:
        return False
    if any(set(d.info.fields) & set(names) for d in decorators.field_serializers.values()):
        return False
    return not any(
        isinstance(m, PlainSerializer | WrapSerializer)
        for name in names
        for m in model.model_fields[name].metadata
    )


def payload(**members: Canonical | str) -> Canonical:
    """An entry's payload: ``format`` and each member, in canonical key order.  A member is a
    record's canonical text (:class:`Canonical`) or a plain string.

    >>> payload(kind="notice", item=Canonical('{"id":"n-1"}'))
    '{"format":1,"item":{"id":"n-1"},"kind":"notice"}'
    """
    parts = {"format": str(PAYLOAD_FORMAT)}
    for name, value in members.items():
        parts[name] = value if type(value) is Canonical else canonical(value)
    return Canonical("{" + ",".join(f"{_key(k)}:{parts[k]}" for k in sorted(parts)) + "}")


@lru_cache(maxsize=64)
def _key(name: str) -> str:
    """A member's name as JSON (a handful of names, each written for every entry)."""
    return canonical(name)


def item_from_payload(data: dict[str, Any]) -> Item:
    """Rebuild an item from its entry's payload (``kind`` and ``item``): validated as a model
    (the store is not trusted blindly), but never held to today's policy limits, which apply
    to new input only."""
    return kind_named(data["kind"]).model.model_validate(data["item"])


def change_from_payload(data: dict[str, Any]) -> AlertChange:
    """Rebuild an alert change from its entry's payload (``change``)."""
    return AlertChange.model_validate(data["change"])
