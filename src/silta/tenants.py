"""A tenant: one company that uses both Netvisor and Severa, with its connections and choices."""

from __future__ import annotations

from datetime import datetime

import attrs

from silta.domain import TenantSettings
from silta.netvisor import NetvisorCredentials
from silta.netvisor.client import PRODUCTION_URL as NETVISOR_PRODUCTION_URL
from silta.severa import SeveraCredentials
from silta.severa.client import PRODUCTION_URL as SEVERA_PRODUCTION_URL

__all__ = ["NetvisorConnection", "SeveraConnection", "Tenant", "TenantConfig"]


@attrs.frozen
class NetvisorConnection:
    """Where the company's Netvisor is, and the integration's keys for it."""

    credentials: NetvisorCredentials
    base_url: str = NETVISOR_PRODUCTION_URL


@attrs.frozen
class SeveraConnection:
    """Where the company's Severa is, and the REST API client credential for it."""

    credentials: SeveraCredentials
    base_url: str = SEVERA_PRODUCTION_URL


@attrs.frozen(kw_only=True)
class TenantConfig:
    """What it takes to add a tenant (``silta tenant import``)."""

    name: str
    netvisor: NetvisorConnection
    severa: SeveraConnection
    settings: TenantSettings = attrs.field(factory=TenantSettings)


@attrs.frozen(kw_only=True)
class Tenant:
    """A stored tenant, with its current settings."""

    id: int
    name: str
    netvisor: NetvisorConnection
    severa: SeveraConnection
    settings: TenantSettings
    settings_version: int
    paused: bool = False
    # the operator waived "a direction change is confirmed before it writes" (silta.confirmation)
    confirmations_waived: bool = False
    created_at: datetime
