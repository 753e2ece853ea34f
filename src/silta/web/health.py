"""The health of each register of a tenant, as the overview shows it, and its next run.

One row per state, checked in order: paused wins over everything (nothing runs), a run going
now is "running", a register held for a confirmation of changed settings is "held" (it will
not run until a KH confirms), then the last real (not preview) run decides: its credentials
or access rights refused, it failed or was interrupted, it refused records, or it was fine.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Sequence
from datetime import datetime

import attrs

from silta.domain import Register, RunStatus, TenantSettings
from silta.schedule import next_slot
from silta.store import RunRecord
from silta.sync.engine import CREDENTIALS_REFUSED
from silta.sync.runner import adapter_for
from silta.tenants import Tenant

__all__ = ["Health", "RegisterHealth", "register_health", "tenant_health"]


class Health(enum.StrEnum):
    OK = "ok"
    REFUSALS = "refusals"  # refusals waiting to be fixed
    FAILING = "failing"
    CREDENTIALS = "credentials"  # credentials rejected
    PAUSED = "paused"
    RUNNING = "running"
    NEVER = "never"  # not run yet
    OFF = "off"  # the settings switch the register off
    HELD = "held"  # a settings change waits for a KH's confirmation of its preview


@attrs.frozen
class RegisterHealth:
    register: Register
    health: Health
    last: RunRecord | None
    next_at: datetime | None  # None: nothing scheduled (paused or off)


def _switched_on(register: Register, settings: TenantSettings) -> bool:
    return adapter_for(register, settings) is not None


def register_health(
    tenant: Tenant,
    register: Register,
    runs: Sequence[RunRecord],
    *,
    now: datetime,
    held: bool = False,
) -> RegisterHealth:
    """``runs``: the tenant's recent runs, newest first (any register, previews included);
    ``held``: the register waits for a confirmation (:class:`silta.store.Holds`)."""
    mine = [run for run in runs if run.register is register]
    real = [run for run in mine if not run.dry_run]
    last = real[0] if real else None
    if not _switched_on(register, tenant.settings):
        return RegisterHealth(register, Health.OFF, last, None)
    # a register that never ran is due at once; else at its next slot on the tenant's grid
    due = now if last is None else next_slot(register, tenant.id, tenant.settings, now).at
    if tenant.paused:
        return RegisterHealth(register, Health.PAUSED, last, None)
    if mine and mine[0].status is RunStatus.RUNNING:
        return RegisterHealth(register, Health.RUNNING, mine[0], due)
    if held:
        return RegisterHealth(register, Health.HELD, last, None)
    if last is None:
        return RegisterHealth(register, Health.NEVER, None, due)
    if last.error and last.error.startswith(CREDENTIALS_REFUSED):
        health = Health.CREDENTIALS
    elif last.status in (RunStatus.FAILED, RunStatus.INTERRUPTED):
        health = Health.FAILING
    elif last.counts.get("refused"):
        health = Health.REFUSALS
    else:
        health = Health.OK
    return RegisterHealth(register, health, last, due)


def tenant_health(
    tenant: Tenant,
    runs: Sequence[RunRecord],
    *,
    now: datetime,
    held: Collection[Register] = (),
) -> list[RegisterHealth]:
    return [
        register_health(tenant, register, runs, now=now, held=register in held)
        for register in Register
    ]
