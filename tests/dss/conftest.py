"""A DSS on a real server: an RSA key pair made for the test, tokens signed with it, and the
small world whose UTM party the DSS's entities become notices of."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from deconfliction.service.settings import Settings
from tests.formats.conftest import world
from tests.support.server import NOW, Api, running_server

ALL_SCOPES = (
    "utm.strategic_coordination utm.constraint_management utm.constraint_processing "
    "utm.conformance_monitoring_sa utm.availability_arbitration"
)


@pytest.fixture(scope="session")
def signing_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def token(
    key: Any, sub: str, scope: str | None, *, aud: str = "localhost", exp_s: int = 3600
) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": sub,
        "client_id": sub,
        "aud": aud,
        "iss": "test",
        "exp": now + exp_s,
        "nbf": now - 1,
        "jti": str(uuid.uuid4()),
    }
    if scope is not None:
        claims["scope"] = scope
    return jwt.encode(claims, key, algorithm="RS256")


@dataclass
class Dss:
    api: Api
    key: Any
    _clients: list[httpx.Client] = field(default_factory=list)

    def client(self, sub: str = "uss1", scope: str | None = ALL_SCOPES, **kw: Any) -> httpx.Client:
        headers = (
            {}
            if scope == "none"
            else {"Authorization": f"Bearer {token(self.key, sub, scope, **kw)}"}
        )
        c = httpx.Client(base_url=self.api.url + "/dss/v1", headers=headers, timeout=30)
        self._clients.append(c)
        return c


@pytest.fixture
def dss(store_url: str, tmp_path, signing_key) -> Iterator[Dss]:
    pem = tmp_path / "auth.pem"
    pem.write_bytes(
        signing_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    settings = Settings(db=store_url, dss_enabled=True, dss_public_key=str(pem), dss_party="utm")
    for api in running_server(store_url, settings=settings):
        api.record(world())
        found = Dss(api, signing_key)
        yield found
        for c in found._clients:
            c.close()


def t(minutes: float) -> dict[str, str]:
    """A Time object ``minutes`` after the test server's clock."""
    at = NOW + timedelta(minutes=minutes)
    return {"value": at.isoformat().replace("+00:00", "Z"), "format": "RFC3339"}


def square(lat: float = 33.2, lng: float = 35.6, half: float = 0.01) -> dict[str, Any]:
    return {
        "outline_polygon": {
            "vertices": [
                {"lat": lat - half, "lng": lng - half},
                {"lat": lat - half, "lng": lng + half},
                {"lat": lat + half, "lng": lng + half},
                {"lat": lat + half, "lng": lng - half},
            ]
        }
    }


def volume(
    start: float = 10, end: float = 70, lo: float = 0, hi: float = 120, **where: Any
) -> dict[str, Any]:
    return {
        "volume": {
            **square(**where),
            "altitude_lower": {"value": lo, "reference": "W84", "units": "M"},
            "altitude_upper": {"value": hi, "reference": "W84", "units": "M"},
        },
        "time_start": t(start),
        "time_end": t(end),
    }


def new_id() -> str:
    return str(uuid.uuid4())


__all__ = [
    "ALL_SCOPES",
    "NOW",
    "Dss",
    "datetime",
    "dss",
    "new_id",
    "signing_key",
    "t",
    "token",
    "volume",
]
