"""Programs of the state machine that once failed, kept as they were found (shrunk).

Each one builds :class:`ChaosMachine` the way the property test does, replays the steps and
settles in ``teardown``; a failure is the oracle's finding, exactly as ``make chaos`` showed it.
"""

from __future__ import annotations

from pathlib import Path

from silta.domain import CustomerDirection, ProductDirection, TenantSettings
from silta.store import Store

from .test_state_machine import ChaosMachine, _Tenants


def test_issue_15_a_netvisor_customer_keeps_another_name_after_a_crash(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'silta.db'}", key_file=tmp_path / "silta.key")
    try:
        state = ChaosMachine(_Tenants(store))
        state.start(settings=TenantSettings(
            customers=CustomerDirection.SEVERA_TO_NETVISOR,
            products=ProductDirection.NETVISOR_TO_SEVERA,
            dimensions=True, project_header='Projekti', business_unit_header='Yksikkö',
            include_phases=True,
        ))  # fmt: skip
        state.change_settings(new=TenantSettings(
            customers=CustomerDirection.SEVERA_TO_NETVISOR,
            products=ProductDirection.NETVISOR_TO_SEVERA,
            dimensions=False, project_header='Projekti', business_unit_header='Yksikkö',
            include_phases=True,
        ), now=0)  # fmt: skip
        state.netvisor_edits_customer(bid=None, email=None, pick=24, what="name")
        state.netvisor_adds_customer(active=True, bid="1572860-0", code="10A6",
                                     email="laskut@example.fi")  # fmt: skip
        state.netvisor_adds_customer(active=False, bid="0737546-2", code="101", email=None)
        state.netvisor_adds_customer(active=False, bid="0737546-2", code="104",
                                     email="info@example.fi")  # fmt: skip
        state.sync_and_crash(after_commit=True, at=2, full=True)
        state.severa_edits_customer(email="info@example.fi", operator="BAWCFI22", pick=19,
                                    vat=None, what="vat")  # fmt: skip
        state.netvisor_edits_customer(bid="2617416-4", email="laskut@example.fi", pick=28,
                                      what="deactivate")  # fmt: skip
        state.teardown()
    finally:
        store.close()


def test_a_customer_made_in_netvisor_after_a_create_that_never_arrived_is_not_taken_over(
    tmp_path: Path,
) -> None:
    """Found by ``make chaos`` while on issue 15 (shrunk by tests/chaos/program.py from 33
    steps): the run dies before the create of Severa customer 103 reaches Netvisor; a user
    then makes Netvisor customer 103, another company. The next run took it over."""
    store = Store.open(f"sqlite:///{tmp_path}/silta.db", key_file=tmp_path / "silta.key")
    try:
        state = ChaosMachine(_Tenants(store))
        try:
            state.start(settings=TenantSettings(
                customers=CustomerDirection.NETVISOR_TO_SEVERA,
                products=ProductDirection.NETVISOR_TO_SEVERA,
                dimensions=False,
                project_header='Projekti',
                business_unit_header='Yksikkö',
                include_phases=True,
            ))  # fmt: skip
            state.change_settings(new=TenantSettings(
                customers=CustomerDirection.SEVERA_TO_NETVISOR,
                products=ProductDirection.SEVERA_TO_NETVISOR,
                dimensions=False,
                project_header='Projekti',
                business_unit_header='Yksikkö',
                include_phases=True,
            ), now=0)  # fmt: skip
            state.severa_adds_customer(active=False, email="laskut@example.fi", head_office=True,
                                       number=103, operator=None, vat="2617416-4")  # fmt: skip
            state.sync_and_crash_early(after_commit=False, at=1, full=True)
            state.netvisor_adds_customer(active=False, bid="1572860-0", code="103", email=None)
        finally:
            state.teardown()
    finally:
        store.close()
