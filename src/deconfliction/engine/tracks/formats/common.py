"""Helpers shared by the JSON-shaped parsers: read one field, or say why it cannot be."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["Bad", "number", "text"]


class Bad(Exception):
    """One record cannot be read; the message is the reason."""


def number(value: Any, name: str, *, lo: float = -math.inf, hi: float = math.inf) -> float | None:
    """``value`` as a finite float within ``lo..hi``, None when absent (None)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Bad(f"{name} is not a number: {str(value)[:40]!r}")
    out = float(value)
    if not math.isfinite(out) or not lo <= out <= hi:
        raise Bad(f"{name} {out!r} outside {lo:g}..{hi:g}")
    return out


def text(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise Bad(f"{name} is not text: {str(value)[:40]!r}")
    return value.strip() or None
