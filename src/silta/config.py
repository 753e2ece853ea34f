"""Settings from the environment, every name prefixed ``SILTA_``.

Only settings that something reads are defined here; each capability adds its own. The
README lists them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings"]

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR"]


class Settings(BaseSettings):
    """Silta's process-wide settings."""

    model_config = SettingsConfigDict(env_prefix="SILTA_", extra="ignore")

    log_level: LogLevel = "INFO"
    # "text": a line a person reads; "json": one JSON object per line (silta.logs) with the
    # tenant, run, register and a failure's category, service and resource as fields.
    log_format: Literal["text", "json"] = "text"
    sandbox_host: str = "127.0.0.1"
    sandbox_port: int = Field(default=8100, ge=0, le=65535)

    # -- the state store (silta.store) ------------------------------------------------------
    # Where tenants, settings, links, watermarks and run history live. A plain
    # ``postgresql://`` URL is read with the psycopg 3 driver.
    database_url: str = "sqlite:///silta.db"
    # The Fernet key that encrypts tenant credentials at rest; several keys separated by
    # commas rotate it (the first encrypts, every one decrypts). A SecretStr, so that a
    # logged Settings object cannot show it.
    secret_key: SecretStr | None = None
    # Read (or generated on first use, mode 0600) when secret_key is unset. Unset: the key
    # file named after a SQLite database beside it (silta.db -> silta.key, silta-demo.db ->
    # silta-demo.key), else silta.key in the current directory.
    secret_key_file: Path | None = None

    # -- the service clients (silta.netvisor, silta.severa) ---------------------------------
    # An answer from Netvisor or Severa larger than this is cut off while it streams in and
    # fails that run (ResponseTooLargeError / SeveraResponseTooLargeError), so that one
    # tenant's broken or hostile service cannot fill the process's memory.
    max_response_bytes: int = Field(default=64 * 1024 * 1024, ge=1024)
    # The base URLs a tenant may use, comma-separated (silta.endpoints). Empty: the real
    # services' production and test endpoints. The operator's choice, never a KH's: a tenant
    # file, the settings form and the API accept only these.
    netvisor_urls: str = ""
    severa_urls: str = ""

    # -- the web app (silta.web) ------------------------------------------------------------
    # Addresses or networks (comma-separated, e.g. "10.0.0.5, 10.1.0.0/16") of the reverse
    # proxies in front of `silta serve`: only their X-Forwarded-For / X-Forwarded-Proto are
    # believed. Empty (the default): no one's, so a client cannot choose its own address.
    trusted_proxies: str = ""
    # How long a new API token lives unless its maker says otherwise (days).
    api_token_days: int = Field(default=90, ge=1, le=366)

    # -- scheduling (silta.scheduler) -------------------------------------------------------
    # "embedded": `silta serve` runs every tenant's schedule in its own process (default).
    # "workers": `silta worker` processes run it from PostgreSQL (procrastinate); `silta serve`
    # then only serves the web app and queues "sync now" for the workers.
    # "off": nothing runs by itself (runs only when asked).
    scheduler: Literal["embedded", "workers", "off"] = "embedded"
    # Seconds between two looks at the clock (embedded scheduler and the workers' dispatcher).
    scheduler_tick: float = Field(default=10.0, gt=0, le=3600)
    # Tenants run at once by the embedded scheduler, jobs at once by one worker.
    scheduler_concurrency: int = Field(default=4, ge=1, le=1000)
    # A worker's heartbeat (seconds); its jobs count as stalled after three missed beats.
    worker_heartbeat: float = Field(default=10.0, gt=0, le=600)
    # Seconds a stopping worker (SIGTERM) lets its running jobs finish before stopping them.
    worker_graceful: float = Field(default=60.0, ge=0, le=3600)

    # -- operations (silta.metrics, silta.notify, retention) -----------------------------------
    # The bearer token a Prometheus scraper sends to GET /metrics; unset, only operators'
    # API tokens read them (the labels name companies: docs/security.md).
    metrics_token: SecretStr | None = None
    # `silta worker` serves its own /metrics on this port (loopback), 0: not at all.
    worker_metrics_port: int = Field(default=0, ge=0, le=65535)
    # Mail for notifications: smtp://user:pass@host:587?starttls=1 or smtps://...; unset: no
    # mail. A SecretStr: the password is never shown. SILTA_SMTP_FROM: the sender.
    smtp_url: SecretStr | None = None
    smtp_from: str = ""
    # The webhook addresses a KH may point notifications at (comma-separated prefixes);
    # empty (the default): none, so no KH can make Silta call an address of their own.
    webhook_urls: str = ""
    # The web app's address as its users reach it (https://silta.example.fi), for links in
    # messages; empty: messages carry no links.
    public_url: str = ""
    # Seconds between two looks of the notifier (new events, digests due, retries).
    notify_tick: float = Field(default=60.0, gt=0, le=3600)
    # Runs and their records older than this many months are pruned nightly; 0: never.
    retention_months: int = Field(default=13, ge=0, le=1200)
