"""DSS access tokens: RS256 JWTs verified against a configured public key.

The standard (utm.yaml, "Authority") has an authorisation server sign tokens with RS256 and
publish its public key; each token names its client (``sub``), its scopes (``scope``, space
separated), its audience (``aud``, the DSS's host name) and its expiry (``exp``).  The answers
follow what InterUSS's tests expect: no token, a bad signature, a wrong audience, an expired
token or no scope at all is 401; a valid token without a scope the endpoint accepts is 403.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from cryptography.x509 import load_pem_x509_certificate

from deconfliction.engine.errors import Forbidden, InvalidInput, Unauthenticated

__all__ = ["DssClient", "Scope", "TokenVerifier"]


class Scope(StrEnum):
    strategic_coordination = "utm.strategic_coordination"
    constraint_management = "utm.constraint_management"
    constraint_processing = "utm.constraint_processing"
    conformance_monitoring_sa = "utm.conformance_monitoring_sa"
    availability_arbitration = "utm.availability_arbitration"


@dataclass(frozen=True, slots=True)
class DssClient:
    """Who is asking: the client (``sub``, the manager of what it creates) and its scopes."""

    sub: str
    scopes: frozenset[str]

    def has(self, scope: Scope) -> bool:
        return scope.value in self.scopes

    def require(self, *accepted: Scope) -> None:
        """Forbidden (403) unless the token holds one of ``accepted``."""
        if not any(self.has(s) for s in accepted):
            raise Forbidden(
                "the access token has none of the scopes this endpoint accepts: "
                + ", ".join(s.value for s in accepted)
            )


def _keys_from(path: Path) -> list[Any]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InvalidInput.at(
            ("DECONFLICT_DSS_PUBLIC_KEY",), f"cannot read {path}: {exc.strerror}"
        ) from None
    text = raw.decode("utf-8", errors="replace").strip()
    try:
        if text.startswith("{"):
            document = json.loads(text)
            entries = document.get("keys", [document])
            return [jwt.PyJWK.from_dict(k).key for k in entries]
        if "BEGIN CERTIFICATE" in text:
            return [load_pem_x509_certificate(raw).public_key()]
        return [load_pem_public_key(raw)]
    except (ValueError, TypeError, jwt.PyJWKError) as exc:
        raise InvalidInput.at(
            ("DECONFLICT_DSS_PUBLIC_KEY",),
            f"{path} is not a PEM public key, certificate or JWKS: {exc}",
        ) from None


class TokenVerifier:
    """Verifies bearer tokens against the configured keys and audiences."""

    def __init__(self, keys: Iterable[Any], audiences: Iterable[str]) -> None:
        self.keys = [k for k in keys if isinstance(k, RSAPublicKey)]
        if not self.keys:
            raise InvalidInput.at(("DECONFLICT_DSS_PUBLIC_KEY",), "no RSA public key found")
        self.audiences = [a.strip() for a in audiences if a.strip()]

    @classmethod
    def from_file(cls, path: str, audiences: str) -> TokenVerifier:
        return cls(_keys_from(Path(path)), audiences.split(","))

    def verify(self, authorization: str | None) -> DssClient:
        """The client a ``Bearer`` header stands for; Unauthenticated (401) otherwise."""
        if not authorization:
            raise Unauthenticated("a bearer access token is required (Authorization: Bearer ...)")
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("the Authorization header must be: Bearer <token>")
        claims: dict[str, Any] | None = None
        reason = "the token's signature does not verify with the configured key"
        for key in self.keys:
            try:
                claims = jwt.decode(
                    token.strip(),
                    key,
                    algorithms=["RS256"],
                    audience=self.audiences,
                    options={"require": ["exp", "sub"], "verify_iat": False},
                    leeway=0,
                )
                break
            except jwt.InvalidSignatureError:
                continue
            except jwt.ExpiredSignatureError:
                reason = "the token has expired"
                break
            except jwt.InvalidAudienceError:
                reason = f"the token's audience is not one of: {', '.join(self.audiences)}"
                break
            except jwt.PyJWTError as exc:
                reason = f"the token is not valid: {exc}"
                break
        if claims is None:
            raise Unauthenticated(reason)
        sub = claims.get("sub")
        if not isinstance(sub, str) or not sub:
            raise Unauthenticated("the token names no client (sub)")
        scope = claims.get("scope")
        scopes = frozenset(scope.split()) if isinstance(scope, str) else frozenset()
        if not scopes:
            raise Unauthenticated("the token grants no scope")
        return DssClient(sub, scopes)
