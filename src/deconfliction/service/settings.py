"""Settings, declared once with their help text.

Every setting can be given as an environment variable ``DECONFLICT_<NAME>``; commands that take
an option of the same name override it.  ``docs/settings.md`` documents each one (a test keeps
the two in step).
"""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from deconfliction.engine.model import Limits

__all__ = ["Settings", "default_database_path"]


def default_database_path() -> str:
    """``deconfliction.sqlite3`` in the user's data directory."""
    return str(Path(platformdirs.user_data_dir("deconfliction")) / "deconfliction.sqlite3")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DECONFLICT_", extra="forbid", frozen=True)

    db: str = Field(
        default_factory=default_database_path,
        description=(
            "Where the record is kept: a SQLite file path, or a postgresql:// URL. "
            "Default: deconfliction.sqlite3 in the user's data directory."
        ),
    )
    max_area_km2: float = Field(
        default=Limits().max_area_km2,
        gt=0,
        description="Largest area one volume may cover, in square kilometres; larger ones are refused.",
    )
    duplicate_site_distance_m: float = Field(
        default=Limits().duplicate_site_distance_m,
        ge=0,
        description=(
            "Two valid protected sites of the same category closer than this many metres are "
            "reported as probable duplicates."
        ),
    )

    proposal_ttl_s: float = Field(
        default=Limits().proposal_ttl_s,
        gt=0,
        description=(
            "How long a proposed change to an agreement, a zone agreement or a line waits for the "
            "consent of every party it binds before it expires, in seconds (default: 7 days)."
        ),
    )

    evidence_max_bytes: int = Field(
        default=Limits().evidence_max_bytes,
        gt=0,
        le=1024 * 1024 * 1024,
        description=(
            "Largest attachment (evidence) an incident or an account may carry, in bytes "
            "(default: 10 MiB). Attachments are kept apart from the ledger, which holds their "
            "SHA-256."
        ),
    )

    escalation_interval_s: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description="How often the server looks for unacknowledged items due for escalation, in seconds.",
    )

    stream_poll_s: float = Field(
        default=1.0,
        gt=0,
        le=60,
        description=(
            "How often live streams look for events written by other server processes on the "
            "same database, in seconds (this process's own writes are pushed at once)."
        ),
    )

    ledger_keys: str | None = Field(
        default=None,
        description=(
            "Directory of the ledger's signing keys, kept apart from the data (created on first "
            "use, mode 0700). Default: beside a SQLite file (<file>.keys), or in the user's "
            "configuration directory for PostgreSQL."
        ),
    )
    ledger_sign_interval_s: float = Field(
        default=60.0,
        gt=0,
        description=(
            "The server signs a fresh tree head at least this often (seconds), even when "
            "nothing is written, so that parties can see the log is alive and unchanged."
        ),
    )

    def limits(self) -> Limits:
        return Limits(
            max_area_km2=self.max_area_km2,
            duplicate_site_distance_m=self.duplicate_site_distance_m,
            proposal_ttl_s=self.proposal_ttl_s,
            evidence_max_bytes=self.evidence_max_bytes,
        )
