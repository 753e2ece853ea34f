"""The oracle itself: a finding it reports must be the engine's fault, never its own blind spot.

The state machine only shows the oracle wrong when a rare program happens to hit the gap
(issue 15 took 2,126 programs); these tests put the oracle in that state directly.
"""

from __future__ import annotations

from typing import Any

from silta.domain import CustomerDirection, ProductDirection, TenantSettings

from .oracle import Actual, NvCustomer, Oracle, SvCustomer

S2N = TenantSettings(
    customers=CustomerDirection.SEVERA_TO_NETVISOR, products=ProductDirection.NETVISOR_TO_SEVERA
)
REFUSED = {"customers:sv-990": {"customers.severa.business_id_missing"}}


def _linked() -> tuple[Oracle, NvCustomer, SvCustomer]:
    """Severa customer 990 transferred to Netvisor (key 1000) at an earlier settle point."""
    oracle = Oracle(S2N, [], set())
    sv = SvCustomer("sv-990", 990, "Projektiasiakas Oy", "FI26174164")
    nv = NvCustomer(1000, "990", "Projektiasiakas Oy", "2617416-4")
    oracle.sv_customers[sv.guid] = sv
    oracle.nv_customers[nv.key] = nv
    oracle.s2n[sv.guid] = nv.key
    return oracle, nv, sv


def _settle(oracle: Oracle, netvisor: tuple[Any, ...]) -> list[str]:
    actual = Actual(
        nv_customers=[(1000, netvisor)],
        sv_customers=[("sv-990", ("990", "Projektiasiakas Oy", None, True, None), 1)],
        nv_products=[],
        sv_products=[],
        items=[],
        headers=set(),
    )
    return oracle.settle(actual, REFUSED).problems()


def _issue_15() -> Oracle:
    """Issue 15's program, reduced to what the oracle sees: a user renames the Netvisor
    customer, a run (counted as faulty) puts Severa's name back, Severa's customer then loses
    its business ID (refused from now on: no clean run touches the record again), and a user
    deactivates the Netvisor customer."""
    oracle, nv, sv = _linked()
    oracle.edit_nv_customer(nv, name="Asiakas 1 Oy")
    oracle.observe_faulty_run()  # the run may have written Severa's name back, or not
    sv.vat = None
    oracle.edit_nv_customer(nv, active=False)
    return oracle


def test_a_user_edit_after_a_faulty_run_lands_on_what_that_run_wrote() -> None:
    # The run wrote the name, the user then deactivated: both are the record's true history.
    assert _settle(_issue_15(), ("990", "Projektiasiakas Oy", "26174164", False, None)) == []


def test_a_user_edit_after_a_faulty_run_that_wrote_nothing_is_accepted_too() -> None:
    assert _settle(_issue_15(), ("990", "Asiakas 1 Oy", "26174164", False, None)) == []


def test_the_user_edit_itself_lost_is_still_a_lost_update() -> None:
    problems = _settle(_issue_15(), ("990", "Projektiasiakas Oy", "26174164", True, None))
    assert problems == [
        "Netvisor customer 990: ('990', 'Projektiasiakas Oy', '26174164', True, None), "
        "expected ('990', 'Asiakas 1 Oy', '26174164', False, None)"
    ]


def test_a_name_no_version_ever_had_is_still_a_lost_update() -> None:
    problems = _settle(_issue_15(), ("990", "Asiakas 9 Oy", "26174164", False, None))
    assert len(problems) == 1
    assert problems[0].startswith("Netvisor customer 990: ('990', 'Asiakas 9 Oy'")


def _edited_before_the_run() -> Oracle:
    oracle, nv, sv = _linked()
    oracle.edit_nv_customer(nv, name="Asiakas 1 Oy", active=False)
    oracle.observe_faulty_run()  # a full run would write Severa's name and active flag back
    sv.vat = None
    return oracle


def test_an_edit_before_the_faulty_run_is_not_carried_into_its_candidates() -> None:
    # Severa's name but the user's earlier deactivation: no version the record ever had.
    assert _settle(_edited_before_the_run(), ("990", "Projektiasiakas Oy", "26174164", False,
                                              None)) != []  # fmt: skip
    assert _settle(_edited_before_the_run(), ("990", "Projektiasiakas Oy", "26174164", True,
                                              None)) == []  # fmt: skip
    assert _settle(_edited_before_the_run(), ("990", "Asiakas 1 Oy", "26174164", False,
                                              None)) == []  # fmt: skip
