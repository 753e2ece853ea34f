"""History to read: runs recorded straight into the store (as the engine records them), and
a fleet of companies in every state, for the history, fleet and export tests."""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from silta.domain import Action, CustomerDirection, Refusal, Register, RunKind, RunStatus, Status
from silta.netvisor.errors import NetvisorConnectError
from silta.store import Entry, Store
from silta.sync.engine import CREDENTIALS_REFUSED, _message
from silta.tenants import TenantConfig
from silta.web.health import Health
from tests.store.conftest import netvisor, severa

# What the engine writes when Netvisor cannot be reached (silta.sync.engine._message), the
# text the issue found raw on the overview.
CONNECT_ERROR = _message(
    NetvisorConnectError(
        "productlist.nv: cannot connect (ConnectError: all connection attempts failed)"
    )
)
CREDENTIALS_ERROR = (
    f"{CREDENTIALS_REFUSED}: AuthenticationFailed: AUTHENTICATION_FAILED: invalid customer key"
)


def record_run(
    store: Store,
    tenant_id: int,
    entries: Sequence[Entry] = (),
    *,
    register: Register = Register.CUSTOMERS,
    kind: RunKind = RunKind.INCREMENTAL,
    trigger: str = "schedule #7",
    status: RunStatus = RunStatus.COMPLETED,
    error: str | None = None,
    dry_run: bool = False,
    counts: dict[str, int] | None = None,
) -> int:
    run_id = store.start_run(tenant_id, register, kind=kind, dry_run=dry_run, trigger=trigger)
    if entries:
        store.add_entries(run_id, entries)
    if status is not RunStatus.RUNNING:
        store.finish_run(run_id, status, counts=counts or {}, error=error)
    return run_id


def customer(
    number: int,
    *,
    name: str | None = None,
    refused: str | None = None,
    status: Status = Status.DONE,
    action: Action = Action.UPDATE,
) -> Entry:
    """A customer's outcome, refused by rule ``refused`` when given."""
    refusals: tuple[Refusal, ...] = ()
    if refused is not None:
        refusals = (
            Refusal(refused, "vatNumber", f"Asiakkaalta {number} puuttuu Y-tunnus",
                    f"Customer {number} has no business ID"),
        )  # fmt: skip
        status, action = Status.REFUSED, Action.REFUSE
    return Entry(
        register=Register.CUSTOMERS,
        source_key=f"guid-{number}",
        natural_key=str(number),
        name=name or f"Asiakas {number} Oy",
        action=action,
        status=status,
        refusals=refusals,
    )


@attrs.frozen
class Fleet:
    """The companies seeded, by the state they were made to be in."""

    ids: dict[Health, list[int]]
    names: dict[int, str]


FLEET_STATES: tuple[Health, ...] = (
    Health.FAILING,
    Health.CREDENTIALS,
    Health.REFUSALS,
    Health.PAUSED,
    Health.OK,
    Health.NEVER,
)


def seed_fleet(store: Store, count: int, *, start: int = 0) -> Fleet:
    """``count`` companies with customers Severa → Netvisor (products: the TEMP check;
    dimensions off), each put in one state of :data:`FLEET_STATES` in turn by its customers'
    last run: failed (Netvisor unreachable), credentials rejected, refusals; or paused, fine,
    never run."""
    ids: dict[Health, list[int]] = {state: [] for state in FLEET_STATES}
    names: dict[int, str] = {}
    for number in range(start, start + count):
        state = FLEET_STATES[number % len(FLEET_STATES)]
        name = f"Laivasto {number:03d} Oy"
        tenant = store.add_tenant(
            TenantConfig(name=name, netvisor=netvisor(), severa=severa()), changed_by="seed"
        )
        settings = attrs.evolve(tenant.settings, customers=CustomerDirection.SEVERA_TO_NETVISOR)
        store.change_settings(tenant.id, settings, changed_by="seed")
        ids[state].append(tenant.id)
        names[tenant.id] = name
        if state is Health.NEVER:
            continue
        record_run(store, tenant.id, register=Register.PRODUCTS, counts={"unchanged": 3})
        record_run(store, tenant.id, counts={"unchanged": 12})
        if state is Health.FAILING:
            record_run(store, tenant.id, status=RunStatus.FAILED, error=CONNECT_ERROR)
        elif state is Health.CREDENTIALS:
            record_run(store, tenant.id, status=RunStatus.FAILED, error=CREDENTIALS_ERROR)
        elif state is Health.REFUSALS:
            refused = customer(1011, refused="customers.severa.business_id_missing")
            record_run(store, tenant.id, [refused], counts={"refused": 1})
        elif state is Health.PAUSED:
            store.set_paused(tenant.id, True, changed_by="seed")
    return Fleet(ids, names)
