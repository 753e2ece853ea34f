"""Tenant files: a company's connections and settings in TOML (``silta tenant import``).

The format is documented with a complete example in ``docs/tenants.md``. Secrets may be
written in the file or, better, named by environment variable (``customer_key_env =
"NAME"``), so the file itself can be kept without them. Every problem is reported with the
file, the key and what is expected; nothing is half-imported. A base URL must be one the
operator allows (:mod:`silta.endpoints`); the message lists them.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from silta.domain import TenantSettings
from silta.endpoints import EndpointNotAllowed, Endpoints
from silta.netvisor import NetvisorCredentials
from silta.netvisor.client import PRODUCTION_URL as NETVISOR_URL
from silta.severa import SeveraCredentials
from silta.severa.auth import DEFAULT_SCOPES
from silta.severa.client import PRODUCTION_URL as SEVERA_URL
from silta.tenants import NetvisorConnection, SeveraConnection, TenantConfig

__all__ = ["TenantFileError", "load_tenant_file", "parse_tenant"]


class TenantFileError(ValueError):
    """The file cannot be used; the message says where and why."""


_NETVISOR_KEYS = {"base_url", "sender", "customer_id", "customer_key", "partner_id",
                  "partner_key", "organisation_id", "language"}  # fmt: skip
_SEVERA_KEYS = {"base_url", "client_id", "client_secret", "scopes"}


def load_tenant_file(path: Path, endpoints: Endpoints | None = None) -> TenantConfig:
    """Read and check one tenant file (its base URLs against ``endpoints``, when given)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TenantFileError(f"{path}: no such file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise TenantFileError(f"{path}: not valid TOML: {exc}") from None
    try:
        return parse_tenant(data, endpoints=endpoints)
    except TenantFileError as exc:
        raise TenantFileError(f"{path}: {exc}") from None


def parse_tenant(
    data: Mapping[str, Any],
    environ: Mapping[str, str] = os.environ,
    *,
    endpoints: Endpoints | None = None,
) -> TenantConfig:
    """A :class:`TenantConfig` from the parsed TOML document.

    With ``endpoints``, each base URL must be one of them (kept in its canonical form);
    ``silta tenant import`` passes the operator's list.
    """
    unknown = set(data) - {"name", "netvisor", "severa", "settings"}
    if unknown:
        raise TenantFileError(
            f"unknown keys {sorted(unknown)}; expected name, netvisor, severa, settings"
        )
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise TenantFileError("'name' must be the company's name")
    netvisor = _table(data, "netvisor")
    severa = _table(data, "severa")
    _known(netvisor, _NETVISOR_KEYS, "netvisor")
    _known(severa, _SEVERA_KEYS, "severa")
    try:
        netvisor_credentials = NetvisorCredentials(
            sender=_text(netvisor, "sender", "netvisor", environ, default="Silta"),
            customer_id=_text(netvisor, "customer_id", "netvisor", environ),
            customer_key=_text(netvisor, "customer_key", "netvisor", environ),
            partner_id=_text(netvisor, "partner_id", "netvisor", environ),
            partner_key=_text(netvisor, "partner_key", "netvisor", environ),
            organisation_id=_text(netvisor, "organisation_id", "netvisor", environ),
            language=_text(netvisor, "language", "netvisor", environ, default="FI"),  # type: ignore[arg-type]
        )
        scopes = severa.get("scopes", list(DEFAULT_SCOPES))
        if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
            raise TenantFileError("[severa] scopes must be a list of strings")
        severa_credentials = SeveraCredentials(
            client_id=_text(severa, "client_id", "severa", environ),
            client_secret=_text(severa, "client_secret", "severa", environ),
            scopes=scopes,
        )
    except ValueError as exc:
        if isinstance(exc, TenantFileError):
            raise
        raise TenantFileError(str(exc)) from None
    settings_table = data.get("settings", {})
    if not isinstance(settings_table, dict):
        raise TenantFileError("[settings] must be a table")
    try:
        settings = TenantSettings.from_json(dict(settings_table))
    except ValueError as exc:
        raise TenantFileError(f"[settings] {exc}") from None
    netvisor_url = _text(netvisor, "base_url", "netvisor", environ, default=NETVISOR_URL)
    severa_url = _text(severa, "base_url", "severa", environ, default=SEVERA_URL)
    if endpoints is not None:
        try:
            netvisor_url = endpoints.check("netvisor", netvisor_url, field="[netvisor] base_url")
            severa_url = endpoints.check("severa", severa_url, field="[severa] base_url")
        except EndpointNotAllowed as exc:
            raise TenantFileError(str(exc)) from None
    return TenantConfig(
        name=name.strip(),
        netvisor=NetvisorConnection(netvisor_credentials, netvisor_url),
        severa=SeveraConnection(severa_credentials, severa_url),
        settings=settings,
    )


def _table(data: Mapping[str, Any], name: str) -> dict[str, Any]:
    table = data.get(name)
    if not isinstance(table, dict):
        raise TenantFileError(f"[{name}] is missing; it holds the {name} connection")
    return table


def _known(table: Mapping[str, Any], keys: set[str], name: str) -> None:
    plain = {key.removesuffix("_env") for key in table}
    unknown = plain - keys
    if unknown:
        raise TenantFileError(f"[{name}] has unknown keys {sorted(unknown)}; known: {sorted(keys)}")


def _text(
    table: Mapping[str, Any],
    key: str,
    section: str,
    environ: Mapping[str, str],
    *,
    default: str | None = None,
) -> str:
    if f"{key}_env" in table:
        variable = table[f"{key}_env"]
        if not isinstance(variable, str) or variable not in environ:
            raise TenantFileError(f"[{section}] {key}_env names {variable!r}, which is not set")
        return environ[variable]
    value = table.get(key, default)
    if value is None:
        raise TenantFileError(f"[{section}] {key} is required (or {key}_env naming a variable)")
    if not isinstance(value, str):
        raise TenantFileError(f"[{section}] {key} must be text")
    return value
