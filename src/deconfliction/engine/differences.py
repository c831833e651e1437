"""Where a document stated by someone differs from the same document recomputed from the
record: the first place, in words (for the offline checks of bundles and reports)."""

from __future__ import annotations

from typing import Any

__all__ = ["first_difference"]


def first_difference(
    stated: Any, recomputed: Any, path: str, *, who: str = "the document"
) -> str | None:
    """Where two JSON values first differ, and how (None when equal).

    >>> first_difference({"a": [1, 2]}, {"a": [1, 3]}, "answers", who="the bundle")
    'answers.a[1]: the bundle says 2; the record gives 3'
    >>> first_difference([{"id": "x", "v": 1}], [{"id": "x", "v": 2}], "report")
    'report[x].v: the document says 1; the record gives 2'
    """
    if isinstance(stated, dict) and isinstance(recomputed, dict):
        for key in sorted(set(stated) | set(recomputed)):
            if key not in stated:
                return f"{path}.{key}: missing from {who}"
            if key not in recomputed:
                return f"{path}.{key}: in {who} but not given by the record"
            found = first_difference(stated[key], recomputed[key], f"{path}.{key}", who=who)
            if found:
                return found
        return None
    if isinstance(stated, list) and isinstance(recomputed, list):
        if stated == recomputed and _integers(stated) and _integers(recomputed):
            return None  # the common case (a figure's entry indexes), without a call each
        for i, (a, b) in enumerate(zip(stated, recomputed, strict=False)):
            same_id = (
                isinstance(a, dict)
                and isinstance(b, dict)
                and "id" in a
                and a.get("id") == b.get("id")
            )
            place = f"{path}[{a['id']}]" if same_id else f"{path}[{i}]"
            found = first_difference(a, b, place, who=who)
            if found:
                return found
        if len(stated) != len(recomputed):
            return f"{path}: {who} lists {len(stated)}; the record gives {len(recomputed)}"
        return None
    if stated != recomputed or type(stated) is not type(recomputed):
        return f"{path}: {who} says {stated!r}; the record gives {recomputed!r}"
    return None


def _integers(values: list[Any]) -> bool:
    return all(type(v) is int for v in values)
