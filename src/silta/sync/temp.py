"""The "not transferred – use temporary customer/product" choices (rules 7 and 12).

Nothing is synchronized for the register. The run only checks that Netvisor holds the
record with the code ``TEMP`` that invoices (or invoice rows) from Severa are assigned to,
and says clearly when it is missing: without it, those invoices cannot be transferred.
"""

from __future__ import annotations

from datetime import datetime

from silta.domain import TEMP_CODE, Action, Register, System
from silta.notes import stored
from silta.registers.rules import refuse
from silta.sync.context import SyncContext
from silta.sync.journal import Journal
from silta.sync.plan import Plan, PlanItem

__all__ = ["TempCustomerCheck", "TempProductCheck"]


class TempCustomerCheck:
    register = Register.CUSTOMERS
    source_system = System.NETVISOR

    async def plan(self, ctx: SyncContext, since: datetime | None) -> Plan:
        found = await ctx.netvisor.list_customers(codes=[TEMP_CODE])
        temp = next((row for row in found if row.code == TEMP_CODE), None)
        if temp is None:
            return _missing("customers.temp_missing")
        return _found(temp.name, temp.netvisor_key, stored("customers.temp_found"))

    async def apply(self, ctx: SyncContext, plan: Plan, journal: Journal) -> None:
        return None


class TempProductCheck:
    register = Register.PRODUCTS
    source_system = System.NETVISOR

    async def plan(self, ctx: SyncContext, since: datetime | None) -> Plan:
        temp = await ctx.netvisor.find_product(TEMP_CODE)
        if temp is None:
            return _missing("products.temp_missing")
        return _found(temp.name, temp.netvisor_key, stored("products.temp_found"))

    async def apply(self, ctx: SyncContext, plan: Plan, journal: Journal) -> None:
        return None


def _found(name: str | None, netvisor_key: int, message: str) -> Plan:
    item = PlanItem(
        source_key=None,
        natural_key=TEMP_CODE,
        name=name,
        action=Action.SKIP,
        target_key=str(netvisor_key),
        message=message,
    )
    return Plan((item,))


def _missing(rule: str) -> Plan:
    item = PlanItem(
        source_key=None,
        natural_key=TEMP_CODE,
        name=TEMP_CODE,
        action=Action.REFUSE,
        refusals=(refuse(rule),),
    )
    return Plan((item,))
