"""Settings from the environment, every name prefixed ``SILTA_``.

Only settings that something reads are defined here; each later capability adds its own
(the database URL and the secret key arrive with the state store). The README lists them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


class Settings(BaseSettings):
    """Silta's process-wide settings."""

    model_config = SettingsConfigDict(env_prefix="SILTA_", extra="ignore")

    log_level: LogLevel = "INFO"
    sandbox_host: str = "127.0.0.1"
    sandbox_port: int = Field(default=8100, ge=0, le=65535)
