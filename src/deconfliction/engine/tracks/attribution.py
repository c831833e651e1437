"""Which party an aircraft belongs to, from what parties declare.

A declaration names ICAO 24-bit addresses and callsigns (exact, or a prefix written with a
trailing ``*``), optionally for one notice (the aircraft that notice names).  An address wins
over a callsign; among callsigns the longest match wins.  Two parties declaring the same
address, or equally long matching callsigns, make the aircraft *disputed*: attributed to
neither, shown to both.

Examples
--------
>>> table = Attribution([Declaration("idf", addresses=(0x738001,), callsigns=("IAF*",)),
...                      Declaration("ru", callsigns=("RFF*", "RFF7032"), notice="n-7")])
>>> table.of("icao:738001", None).party, table.of("icao:111111", "IAF123").party
('idf', 'idf')
>>> found = table.of("icao:222222", "RFF7032")
>>> found.party, found.notice
('ru', 'n-7')
>>> table.of("icao:333333", "XYZ").party is None
True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["Attributed", "Attribution", "Declaration"]


@dataclass(frozen=True, slots=True)
class Declaration:
    party: str
    addresses: tuple[int, ...] = ()
    callsigns: tuple[str, ...] = ()
    notice: str | None = None
    """The notice these aircraft fly under (conformance then checks them against it)."""

    def __post_init__(self) -> None:
        for a in self.addresses:
            if not 0 <= a < 1 << 24:
                raise ValueError(f"an ICAO address has 24 bits, got {a:#x}")
        for c in self.callsigns:
            body = c[:-1] if c.endswith("*") else c
            if not body or not body.isalnum() or len(body) > 8:
                raise ValueError(
                    f"callsign {c!r}: 1 to 8 letters or digits, with an optional trailing *"
                )


@dataclass(frozen=True, slots=True)
class Attributed:
    party: str | None
    disputed: tuple[str, ...] = ()
    notice: str | None = None


_NOBODY = Attributed(None)


class Attribution:
    def __init__(self, declarations: Iterable[Declaration] = ()) -> None:
        self.declarations = list(declarations)
        self._by_address: dict[int, list[Declaration]] = {}
        self._exact: dict[str, list[Declaration]] = {}
        self._prefixes: list[tuple[str, Declaration]] = []
        for d in self.declarations:
            for a in d.addresses:
                self._by_address.setdefault(a, []).append(d)
            for c in d.callsigns:
                if c.endswith("*"):
                    self._prefixes.append((c[:-1].upper(), d))
                else:
                    self._exact.setdefault(c.upper(), []).append(d)
        self._prefixes.sort(key=lambda p: -len(p[0]))

    @staticmethod
    def _pick(found: list[Declaration]) -> Attributed:
        parties = sorted({d.party for d in found})
        if len(parties) > 1:
            return Attributed(None, tuple(parties))
        notices = {d.notice for d in found if d.notice is not None}
        return Attributed(parties[0], (), notices.pop() if len(notices) == 1 else None)

    def of(self, key: str, callsign: str | None) -> Attributed:
        if key.startswith("icao:"):
            found = self._by_address.get(int(key[5:], 16))
            if found:
                return self._pick(found)
        if not callsign:
            return _NOBODY
        sign = callsign.upper()
        exact = self._exact.get(sign)
        if exact:
            return self._pick(exact)
        best: list[Declaration] = []
        length = -1
        for prefix, d in self._prefixes:
            if len(prefix) < length:
                break
            if sign.startswith(prefix):
                length = len(prefix)
                best.append(d)
        return self._pick(best) if best else _NOBODY
