"""The "not transferred – use temporary customer/product" choices (rules 7 and 12).

Nothing is synchronized for the register. The run only checks that Netvisor holds the
record with the code ``TEMP`` that invoices (or invoice rows) from Severa are assigned to,
and says clearly when it is missing: without it, those invoices cannot be transferred.
"""

from __future__ import annotations

from datetime import datetime

from silta.domain import TEMP_CODE, Action, Register, System
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
            return Plan((_missing("customers.temp_missing"),))
        return Plan(
            (
                PlanItem(
                    source_key=None,
                    natural_key=TEMP_CODE,
                    name=temp.name,
                    action=Action.SKIP,
                    target_key=str(temp.netvisor_key),
                    message="customers are not transferred; the TEMP customer exists in Netvisor",
                ),
            )
        )

    async def apply(self, ctx: SyncContext, plan: Plan, journal: Journal) -> None:
        return None


class TempProductCheck:
    register = Register.PRODUCTS
    source_system = System.NETVISOR

    async def plan(self, ctx: SyncContext, since: datetime | None) -> Plan:
        temp = await ctx.netvisor.find_product(TEMP_CODE)
        if temp is None:
            return Plan((_missing("products.temp_missing"),))
        return Plan(
            (
                PlanItem(
                    source_key=None,
                    natural_key=TEMP_CODE,
                    name=temp.name,
                    action=Action.SKIP,
                    target_key=str(temp.netvisor_key),
                    message="products are not transferred; the TEMP product exists in Netvisor",
                ),
            )
        )

    async def apply(self, ctx: SyncContext, plan: Plan, journal: Journal) -> None:
        return None


def _missing(rule: str) -> PlanItem:
    return PlanItem(
        source_key=None,
        natural_key=TEMP_CODE,
        name=TEMP_CODE,
        action=Action.REFUSE,
        refusals=(refuse(rule),),
    )
