"""The stateful property test: random edits, random faults and sync runs against both
sandboxes, and after every settle point the target registers equal an independent oracle.

A program (one Hypothesis example) starts with a company's settings and then does, in any
order: edits in Netvisor and Severa (create, edit, deactivate customers and products;
projects, phases and business units; the TEMP records), sync runs with one kind of fault
(5xx, 429, timeouts, maintenance, a write committed but its answer lost, the process dying
between two writes or just after a commit), clean sync runs, settings changes (direction
switches included) and settle points. A settle point stops the faults, runs two clean full
runs and checks:

* the target registers equal what :mod:`.oracle` derives from MISSION.md;
* no code appears twice in any register of either sandbox (Netvisor is told to accept
  duplicate codes, so only Silta's lookup before a retry stands between a lost answer and a
  duplicate), no Severa customer has more than two addresses, no dimension item twice;
* every refused record is in the last run's journal with its rule, and nothing else is;
* the second clean run writes nothing (the sync has converged).

Settings change only at a settle point: the oracle then knows which direction every faulty
run had. Figures (examples, faults injected by kind, duplicates, lost updates) are kept in
``FIGURES`` and written as JSON to ``$SILTA_CHAOS_REPORT`` when it is set (``make chaos``).
A failing program is shrunk and written as a test file (:mod:`.program`), next to that
report or under ``tests/artifacts/chaos/``; the failure names the file.
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import httpx
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    rule,
    run_state_machine_as_test,
)
from starlette.applications import Starlette
from starlette.routing import Mount

from silta.backoff import RetryPolicy
from silta.domain import (
    Action,
    CustomerDirection,
    ProductDirection,
    Register,
    RunStatus,
    Status,
    TenantSettings,
)
from silta.netvisor import NetvisorCredentials
from silta.sandbox.netvisor import Integration, NetvisorSandbox
from silta.sandbox.netvisor.customers import CustomerChanges, write_customer
from silta.sandbox.netvisor.faults import Faults
from silta.sandbox.netvisor.products import ProductChanges, write_product
from silta.sandbox.severa import ALL_SCOPES, Credential, SeveraSandbox
from silta.sandbox.severa.faults import SeveraFaults
from silta.sandbox.severa.invoices import Row as InvoiceRow
from silta.severa import SeveraCredentials
from silta.severa.auth import PROCESS_TOKENS
from silta.store import Store
from silta.sync import sync_tenant
from silta.tenants import NetvisorConnection, SeveraConnection, TenantConfig

from ..sync.builders import severa_customer
from ..sync.conftest import BASE, ORG_ID, Clock, Interceptor
from .conftest import PROFILE, SHRINK_SECONDS
from .oracle import (
    TEMP,
    NvCustomer,
    NvProduct,
    Oracle,
    Phase,
    Project,
    SvCustomer,
    SvProduct,
    Unit,
    money,
    read_actual,
    with_check_digit,
)
from .program import Harness, keep_failing_program, program_directory


class Crash(BaseException):
    """The process dies: nothing below the sync catches a BaseException."""


FIGURES: dict[str, Any] = {
    "examples": 0,
    "steps": 0,
    "sync_runs": 0,
    "settle_points": 0,
    "faults_injected": Counter(),
    "duplicates_found": 0,
    "lost_updates": 0,
    "missing_records": 0,
    "unexpected_records": 0,
    "refusal_mismatches": 0,
    "records_compared": 0,
    "refusals_checked": 0,
    "not_converged": 0,
    "invoices_made": 0,
    "invoices_transferred": 0,
}
# Other tests of this package build machines and replay programs (their settle points count
# here too): the property test starts from these.
_NO_FIGURES = copy.deepcopy(FIGURES)

# -- the data pools: tiny, so that programs collide on codes ---------------------------------

NV_CODES = ["101", "102", "103", "104", "0105", "10A6"]  # the last two are refused (rule 6)
SV_NUMBERS = [101, 102, 103, 107, 108]
BASES = ["0737546", "2617416", "1572860", "2345678"]
NV_BIDS = [None, *(with_check_digit(b) for b in BASES[:3])]
SV_VATS = [
    None,
    "FI07375462",
    with_check_digit("2617416"),
    "FI15728600",
    "FI23456780",
    "1234567-0",  # wrong check digit
]
EMAILS = [None, "laskut@example.fi", "info@example.fi"]
OPERATORS = [None, None, "003723327487", "BAWCFI22", "APIX"]  # "APIX": not Netvisor's form
NV_PRODUCT_CODES = ["P1", "P2", "P3", None]
SV_PRODUCT_CODES = ["P1", "P2", "P5", None]
PRICES = [None, Decimal("10"), Decimal("12.50")]
PHASE_CODES = ["1", "2", "3", None]

SETTINGS = st.builds(
    TenantSettings,
    customers=st.sampled_from(list(CustomerDirection)),
    products=st.sampled_from(list(ProductDirection)),
    dimensions=st.booleans(),
    project_header=st.sampled_from(["Projekti", "Projekti", None, "Puuttuva"]),
    business_unit_header=st.sampled_from(["Yksikkö", None]),
    include_phases=st.booleans(),
)

CRASH_AT = [1, 1, 1, 2, 2, 3, 4, 6, 8]  # the write before or after which the process dies

SANDBOX_FAULTS = [
    "netvisor 5xx",
    "netvisor maintenance",
    "netvisor timeout",
    "severa 5xx",
    "severa 429",
    "severa timeout",
]


def _long(n: int) -> str:
    return ("Pitkä tuotenimi " * 20)[:n]


@attrs.define
class _Tenants:
    """One store for the whole test (opening one runs the migrations), a tenant per example."""

    store: Store
    made: int = 0


class ChaosMachine(RuleBasedStateMachine):
    def __init__(self, tenants: _Tenants, variance: int | None = None) -> None:
        super().__init__()
        FIGURES["examples"] += 1
        # A program starts from the same process state wherever it runs: without this, a
        # token of the last program's sandbox (refused here, then renewed) would put one
        # request more before the first fault, and a program written out as a test file
        # could replay differently from how it failed.
        PROCESS_TOKENS.clear()
        self.loop = asyncio.new_event_loop()
        self.clock = Clock()
        self.serial = 0
        self.netvisor = NetvisorSandbox(seed=7, clock=self.clock)
        self.netvisor.add_integration(
            Integration(partner_id="P", partner_key="pk", customer_id="C", customer_key="ck",
                        organisation_ids=(ORG_ID,))
        )  # fmt: skip
        self.severa = SeveraSandbox(seed=7, rate_limit=None, clock=self.clock)
        org = self.severa.add_organisation("Silta")
        self.severa.add_credential(
            Credential(
                client_id="silta",
                client_secret="chaos-secret",
                organisation=org.id,
                scopes=ALL_SCOPES,
            )
        )
        # Variance mode: both answer in the services' alternative forms (silta.sandbox.variance).
        self.netvisor.set_variance(variance)
        self.severa.set_variance(variance)
        app = Starlette(
            routes=[
                Mount("/netvisor", app=self.netvisor.app),
                Mount("/severa", app=self.severa.app),
            ]
        )
        self.transport = Interceptor(httpx.ASGITransport(app=app))
        self.http = httpx.AsyncClient(transport=self.transport)
        self.store = tenants.store
        tenants.made += 1
        self.tenant = self.store.add_tenant(
            TenantConfig(
                name=f"Kaaos {tenants.made} Oy",
                netvisor=NetvisorConnection(
                    NetvisorCredentials(
                        sender="Silta chaos",
                        customer_id="C",
                        customer_key="ck",
                        partner_id="P",
                        partner_key="pk",
                        organisation_id=ORG_ID,
                    ),
                    base_url=f"{BASE}/netvisor",
                ),
                severa=SeveraConnection(
                    SeveraCredentials("silta", "chaos-secret"), base_url=f"{BASE}/severa"
                ),
                settings=TenantSettings(),
            ),
            changed_by="chaos",
        )
        self.nv = self.netvisor.organisation(ORG_ID)
        self.sv = self.severa.organisation_of("silta")
        # Netvisor may or may not refuse a duplicate code (never confirmed): let it accept
        # them, so that a duplicate the engine makes is seen, not refused.
        self.nv.unique_codes = False
        self.nv.put_dimension_header("Projekti")
        self.nv.put_dimension_header("Yksikkö")
        # The invoice transfer is on in every program (issue 18): Visma's statuses, made as
        # Severa makes them when the integration is connected.
        self.statuses = self.sv.invoicing.connect_netvisor()
        self.sv.invoicing.next_number = 26001  # a valid reference needs four digits at least
        self.invoices: list[str] = []  # the Severa invoices the program made
        self.oracle: Oracle | None = None

    # -- plumbing -----------------------------------------------------------------------------

    def _next(self) -> int:
        self.serial += 1
        return self.serial

    @property
    def o(self) -> Oracle:
        assert self.oracle is not None
        return self.oracle

    def _sync(self, *, full: bool) -> list[Any]:
        FIGURES["sync_runs"] += 1
        self.clock.advance(minutes=1)
        return self.loop.run_until_complete(
            sync_tenant(
                self.store,
                self.store.tenant(self.tenant.id),
                full=full,
                http=self.http,
                clock=self.clock,
                severa_rate=1000,
                retry=RetryPolicy(attempts=2, base_delay=0.001, max_delay=0.002),
            )
        )

    def _faulty_sync(self, kind: str, *, full: bool) -> None:
        """One sync run with a fault; whatever it managed is for the oracle to bound."""
        FIGURES["steps"] += 1
        self.o.observe_faulty_run()
        before = self._injected()
        try:
            self._sync(full=full)
        except Crash:
            FIGURES["faults_injected"][kind] += 1
        finally:
            self._faults_off()
        for name, count in (self._injected() - before).items():
            FIGURES["faults_injected"][name] += count

    def _injected(self) -> Counter[str]:
        counts: Counter[str] = Counter()
        for name, count in self.nv.stats.injected.items():
            counts[f"netvisor {name}"] += count
        for name, count in self.sv.stats.injected.items():
            counts[f"severa {name}"] += count
        return +counts

    def _faults_off(self) -> None:
        self.nv.faults = Faults()
        self.sv.faults = SeveraFaults()
        self.transport.hook = self.transport.after = None

    def _settle(self) -> None:
        """Faults off, two clean full runs, then every invariant."""
        FIGURES["settle_points"] += 1
        self._faults_off()
        self._sync(full=True)
        writes = self.transport.writes
        results = self._sync(full=True)
        problems: list[str] = []
        for result in results:
            if result.status is not RunStatus.COMPLETED:
                problems.append(f"clean run of {result.register}: {result.status} {result.error}")
        if self.transport.writes != writes:
            FIGURES["not_converged"] += 1
            counts = {r.register.value: r.counts for r in results}
            problems.append(f"the second clean run wrote again: {counts}")
        problems += self._invoice_problems(results)
        refused: dict[str, set[str]] = {}
        for result in results:
            if result.register is Register.INVOICES:
                continue  # judged by _invoice_problems: the oracle models the registers
            for entry in self.store.entries(result.run_id, status=Status.REFUSED):
                key = f"{result.register.value}:{entry.source_key or entry.natural_key}"
                refused.setdefault(key, set()).update(r.rule for r in entry.refusals)
        findings = self.o.settle(read_actual(self.nv, self.sv), refused)
        FIGURES["duplicates_found"] += len(findings.duplicates)
        FIGURES["lost_updates"] += len(findings.lost_updates)
        FIGURES["missing_records"] += len(findings.missing)
        FIGURES["unexpected_records"] += len(findings.unexpected)
        FIGURES["refusal_mismatches"] += len(findings.refusals)
        FIGURES["records_compared"] += findings.compared
        FIGURES["refusals_checked"] += sum(len(rules) for rules in refused.values())
        problems += findings.problems()
        assert not problems, "\n".join(problems)

    def _invoice_problems(self, results: list[Any]) -> list[str]:
        """Exactly once: no invoice number twice in Netvisor, every invoice Silta sent is
        one of the program's and moved on in Severa, every one moved on is in Netvisor once,
        and every one still *ready* says why in the last run."""
        problems: list[str] = []
        sent = Counter(i.number for i in self.nv.sales_invoices())
        twice = sorted(number for number, count in sent.items() if count > 1)
        if twice:
            FIGURES["duplicates_found"] += len(twice)
            problems.append(f"invoice numbers twice in Netvisor: {twice}")
        entries = {
            e.source_key: e
            for r in results
            if r.register is Register.INVOICES
            for e in self.store.entries(r.run_id)
        }
        for guid in self.invoices:
            shown = self.sv.invoicing.invoice(guid)
            assert shown is not None
            number = str(shown["number"])
            status = shown["status"]["guid"]
            if status == self.statuses.transferred:
                FIGURES["invoices_transferred"] += 1
                if sent[number] != 1:
                    problems.append(f"invoice {number} moved on in Severa, {sent[number]} "
                                    "times in Netvisor")  # fmt: skip
            elif status == self.statuses.ready:
                entry = entries.get(guid)
                if entry is None or entry.action not in (Action.REFUSE, Action.SKIP):
                    problems.append(f"invoice {number} still ready without a reason: {entry}")
        return problems

    # -- the company's settings -------------------------------------------------------------

    def _with_invoices(self, settings: TenantSettings) -> TenantSettings:
        return attrs.evolve(
            settings,
            invoices_enabled=True,
            invoices_ready_status=self.statuses.ready,
            invoices_transferred_status=self.statuses.transferred,
        )

    @initialize(settings=SETTINGS)
    def start(self, settings: TenantSettings) -> None:
        settings = self._with_invoices(settings)
        self.store.change_settings(self.tenant.id, settings, changed_by="chaos")
        units = [
            Unit(u.guid, u.get("code"), u["name"], bool(u.get("isActive", True)))
            for u in self.sv.business_units()
        ]
        self.oracle = Oracle(settings, units, {h.name for h in self.nv.dimension_headers()})
        # Projects need a customer: one valid Severa customer from the start.
        guid = severa_customer(self.sv, "Projektiasiakas Oy", 990, vat="FI26174164")
        self.o.sv_customers[guid] = SvCustomer(guid, 990, "Projektiasiakas Oy", "FI26174164")
        self.owner = guid

    @rule(new=SETTINGS, now=st.integers(0, 2))
    def change_settings(self, new: TenantSettings, now: int) -> None:
        """A direction switch or any other change, at a settle point (see the docstring).

        Only one draw in three goes ahead: a settle point costs two full runs, and the
        teardown has one anyway.
        """
        if now:
            return
        self._settle()
        new = self._with_invoices(new)
        self.store.change_settings(self.tenant.id, new, changed_by="chaos")
        self.o.change_settings(new)

    # -- Severa invoices (issue 18) -----------------------------------------------------------

    @rule(
        pick=st.integers(0, 50),
        code=st.sampled_from([*NV_PRODUCT_CODES[:3], "P5"]),
        quantity=st.sampled_from([1, 3, 7]),
    )
    def severa_invoice_ready(self, pick: int, code: str, quantity: int) -> None:
        """A user moves an invoice of one of the program's customers to *ready*."""
        customers = sorted(self.o.sv_customers)
        guid = self.sv.invoicing.put_invoice(
            status=self.statuses.ready,
            billing_customer=customers[pick % len(customers)],
            rows=[
                InvoiceRow("Työ", Decimal("12.50"), Decimal("25.5"), quantity=Decimal(quantity),
                           code=(code,))
            ],
            date=self.clock().date(),
        )  # fmt: skip
        self.invoices.append(guid)
        FIGURES["invoices_made"] += 1

    @rule(pick=st.integers(0, 50))
    def severa_credits_invoice(self, pick: int) -> None:
        """A credit note of one of the program's invoices, moved to *ready* too."""
        originals = [g for g in self.invoices if not self._is_credit(g)]
        if not originals:
            return
        original = originals[pick % len(originals)]
        shown = self.sv.invoicing.invoice(original)
        if shown is None or shown.get("creditNoteInvoice"):
            return  # credited already
        guid = self.sv.invoicing.credit(original, status=self.statuses.ready,
                                        date=self.clock().date())  # fmt: skip
        self.invoices.append(guid)
        FIGURES["invoices_made"] += 1

    def _is_credit(self, guid: str) -> bool:
        shown = self.sv.invoicing.invoice(guid)
        return bool(shown and shown.get("isCreditNote"))

    # -- Netvisor edits -----------------------------------------------------------------------

    @rule(
        code=st.sampled_from([*NV_CODES, TEMP]),
        bid=st.sampled_from(NV_BIDS),
        active=st.booleans(),
        email=st.sampled_from(EMAILS),
    )
    def netvisor_adds_customer(
        self, code: str, bid: str | None, active: bool, email: str | None
    ) -> None:
        if self.nv.customer_by_code(code) is not None:
            return  # a user cannot: Netvisor's own form refuses a code in use
        name = "Tilapäisasiakas" if code == TEMP else f"Asiakas {self._next()} Oy"
        elements = {"internalidentifier": code, "name": name, "isactive": "1" if active else "0"}
        if bid:
            elements["externalidentifier"] = bid
        if email:
            elements["email"] = email
        key = self.nv.put_customer(**elements)
        self.o.nv_customers[key] = NvCustomer(key, code, name, bid, active, email)

    @rule(
        pick=st.integers(0, 50),
        what=st.sampled_from(["name", "business id", "deactivate", "activate", "email"]),
        bid=st.sampled_from(NV_BIDS),
        email=st.sampled_from(EMAILS),
    )
    def netvisor_edits_customer(
        self, pick: int, what: str, bid: str | None, email: str | None
    ) -> None:
        known = sorted(self.o.nv_customers)
        if not known:
            return
        c = self.o.nv_customers[known[pick % len(known)]]
        # The oracle is told of the edit, not just the model: see Oracle.edit_nv_customer.
        if what == "name":
            self.o.edit_nv_customer(c, name=f"Asiakas {self._next()} Oy")
            values = {"name": c.name}
        elif what == "business id":
            self.o.edit_nv_customer(c, business_id=bid)
            values = {"externalidentifier": bid or ""}
        elif what == "email":
            self.o.edit_nv_customer(c, email=email)
            values = {"email": email or ""}
        else:
            self.o.edit_nv_customer(c, active=what == "activate")
            values = {"isactive": "1" if c.active else "0"}
        write_customer(self.nv.customer_register, self.nv.dimension_register,
                       CustomerChanges(values=values), key=c.key, now=self.clock())  # fmt: skip

    @rule(
        code=st.sampled_from([*NV_PRODUCT_CODES, TEMP]),
        long_name=st.booleans(),
        price=st.sampled_from(PRICES),
        active=st.booleans(),
    )
    def netvisor_adds_product(
        self, code: str | None, long_name: bool, price: Decimal | None, active: bool
    ) -> None:
        if code is not None and self.nv.product_by_code(code) is not None:
            return
        name = _long(101) if long_name else f"Tuote {self._next()}"
        if code == TEMP:
            name = "Tilapäistuote"
        elements = {"name": name, "isactive": "1" if active else "0"}
        if code is not None:
            elements["productcode"] = code
        key = self.nv.put_product(unitprice=price or Decimal(0),
                                  defaultvatpercentage=Decimal("25.5"), **elements)  # fmt: skip
        self.o.nv_products[key] = NvProduct(key, code, name, money(price), money("25.5"), active)

    @rule(pick=st.integers(0, 50), what=st.sampled_from(["name", "long name", "deactivate"]))
    def netvisor_edits_product(self, pick: int, what: str) -> None:
        known = sorted(self.o.nv_products)
        if not known:
            return
        p = self.o.nv_products[known[pick % len(known)]]
        if what == "deactivate":
            p.active = False
            values = {"isactive": "0"}
        else:
            p.name = _long(101) if what == "long name" else f"Tuote {self._next()}"
            values = {"name": p.name}
        write_product(self.nv.product_register, self.nv.dimension_register,
                      ProductChanges(values=values), key=p.key, now=self.clock())  # fmt: skip

    # -- Severa edits -------------------------------------------------------------------------

    @rule(
        number=st.sampled_from(SV_NUMBERS),
        vat=st.sampled_from(SV_VATS),
        head_office=st.sampled_from([True, True, True, False]),
        operator=st.sampled_from(OPERATORS),
        active=st.booleans(),
        email=st.sampled_from(EMAILS),
    )
    def severa_adds_customer(
        self,
        number: int,
        vat: str | None,
        head_office: bool,
        operator: str | None,
        active: bool,
        email: str | None,
    ) -> None:
        if self.sv.customer_by_number(number) is not None:
            return  # Severa refuses a number in use
        name = f"Asiakas {self._next()} Oy"
        fields: dict[str, Any] = {"isActive": active}
        if operator:
            fields["eInvoiceOperator"] = operator
        if email:
            fields["email"] = email
        guid = severa_customer(self.sv, name, number, vat=vat, head_office=head_office, **fields)
        self.o.sv_customers[guid] = SvCustomer(guid, number, name, vat, active, email,
                                               head_office, operator)  # fmt: skip

    @rule(
        pick=st.integers(0, 50),
        what=st.sampled_from(["name", "vat", "deactivate", "activate", "email", "operator"]),
        vat=st.sampled_from(SV_VATS),
        email=st.sampled_from(EMAILS),
        operator=st.sampled_from(OPERATORS),
    )
    def severa_edits_customer(
        self, pick: int, what: str, vat: str | None, email: str | None, operator: str | None
    ) -> None:
        known = sorted(self.o.sv_customers)
        if not known:
            return
        c = self.o.sv_customers[known[pick % len(known)]]
        if what == "name":
            c.name = f"Asiakas {self._next()} Oy"
            self.sv.update("customer", c.guid, name=c.name)
        elif what == "vat":
            c.vat = vat
            self.sv.update("customer", c.guid, vatNumber=vat)
        elif what == "email":
            c.email = email
            self.sv.update("customer", c.guid, email=email)
        elif what == "operator":
            c.operator = operator
            self.sv.update("customer", c.guid, eInvoiceOperator=operator)
        else:
            c.active = what == "activate"
            self.sv.update("customer", c.guid, isActive=c.active)

    @rule(
        code=st.sampled_from(SV_PRODUCT_CODES),
        long_name=st.sampled_from([False, False, True]),
        price=st.sampled_from(PRICES),
        active=st.booleans(),
    )
    def severa_adds_product(
        self, code: str | None, long_name: bool, price: Decimal | None, active: bool
    ) -> None:
        if code is not None and self.sv.product_by_code(code) is not None:
            return
        name = _long(201) if long_name else f"Tuote {self._next()}"
        fields: dict[str, Any] = {"isActive": active}
        if price is not None:
            fields["unitPrice"] = {"amount": float(price), "currencyCode": "EUR"}  # a JSON number
        guid = self.sv.put_product(name, code, **fields)
        self.o.sv_products[guid] = SvProduct(guid, code, name, money(price) if price else None,
                                             active)  # fmt: skip

    @rule(pick=st.integers(0, 50), what=st.sampled_from(["name", "long name", "deactivate"]))
    def severa_edits_product(self, pick: int, what: str) -> None:
        known = sorted(self.o.sv_products)
        if not known:
            return
        p = self.o.sv_products[known[pick % len(known)]]
        if what == "deactivate":
            p.active = False
            self.sv.update("product", p.guid, isActive=False)
        else:
            p.name = _long(201) if what == "long name" else f"Tuote {self._next()}"
            self.sv.update("product", p.guid, name=p.name)

    @rule(
        what=st.sampled_from(["project", "phase", "phase", "unit"]),
        code=st.sampled_from(PHASE_CODES),
        pick=st.integers(0, 50),
    )
    def severa_adds_dimension_source(self, what: str, code: str | None, pick: int) -> None:
        n = self._next()
        if what == "project" or (what == "phase" and not self.o.projects):
            number = 3000 + n
            guid = self.sv.put_project(f"Projekti {n}", self.owner, number=number)
            self.o.projects[guid] = Project(guid, number, f"Projekti {n}")
        elif what == "phase":
            projects = sorted(self.o.projects)
            project = projects[pick % len(projects)]
            if self._phase_code_taken(project, code, None):
                return  # Severa refuses a phase code in use in the project (so would its UI)
            guid = self.sv.put_phase(project, name=f"Vaihe {n}", code=code)
            self.o.phases[guid] = Phase(guid, project, code, f"Vaihe {n}")
        else:
            unit_code = f"U{n}" if code else None
            guid = self.sv.put_business_unit(name=f"Yksikkö {n}", code=unit_code)
            self.o.units[guid] = Unit(guid, unit_code, f"Yksikkö {n}")

    @rule(
        what=st.sampled_from(["rename project", "close project", "rename phase", "recode phase",
                              "rename unit", "deactivate unit"]),
        code=st.sampled_from(PHASE_CODES),
        pick=st.integers(0, 50),
    )  # fmt: skip
    def severa_edits_dimension_source(self, what: str, code: str | None, pick: int) -> None:
        n = self._next()
        if "project" in what and self.o.projects:
            project = self.o.projects[sorted(self.o.projects)[pick % len(self.o.projects)]]
            if what == "rename project":
                project.name = f"Projekti {n}"
                self.sv.rename("project", project.guid, project.name)
            else:
                project.closed = True
                self.sv.update("project", project.guid, isClosed=True)
        elif "phase" in what and self.o.phases:
            phase = self.o.phases[sorted(self.o.phases)[pick % len(self.o.phases)]]
            if what == "rename phase":
                phase.name = f"Vaihe {n}"
                self.sv.rename("phase", phase.guid, phase.name)
            elif not self._phase_code_taken(phase.project, code, phase.guid):
                phase.code = code
                self.sv.update("phase", phase.guid, code=code)
        elif "unit" in what:
            units = sorted(self.o.units)
            unit = self.o.units[units[pick % len(units)]]
            if what == "rename unit":
                unit.name = f"Yksikkö {n}"
                self.sv.rename("business_unit", unit.guid, unit.name)
            else:
                unit.active = False
                self.sv.update("business_unit", unit.guid, isActive=False)

    def _phase_code_taken(self, project: str, code: str | None, other_than: str | None) -> bool:
        return code is not None and any(
            p.project == project and p.code == code and p.guid != other_than
            for p in self.o.phases.values()
        )

    # -- sync runs ----------------------------------------------------------------------------

    @rule(full=st.booleans())
    def sync_without_faults(self, full: bool) -> None:
        """A clean run can still be incremental: what it misses, the settle point shows."""
        self._faulty_sync("none", full=full)

    @rule(kind=st.sampled_from(SANDBOX_FAULTS), rate=st.sampled_from([0.15, 0.4, 0.8]),
          full=st.booleans())  # fmt: skip
    def sync_with_sandbox_faults(self, kind: str, rate: float, full: bool) -> None:
        """The sandboxes' own knobs: error answers, 429, timeouts (the server gives up before
        processing: nothing is written), maintenance."""
        if kind == "netvisor 5xx":
            self.nv.faults = Faults(error_rates={"TECHNICAL_ERROR": rate})
        elif kind == "netvisor maintenance":
            self.nv.faults = Faults(maintenance=True)
        elif kind == "netvisor timeout":
            self.nv.faults = Faults(timeout_rate=rate, hang_seconds=0)
        elif kind == "severa 5xx":
            self.sv.faults = SeveraFaults(error_rates={"500": rate / 2, "503": rate / 2})
        elif kind == "severa 429":
            self.sv.faults = SeveraFaults(error_rates={"429": rate})
        else:
            self.sv.faults = SeveraFaults(timeout_rate=rate, hang_seconds=0)
        self._faulty_sync(kind, full=full)

    # Early writes more often: most programs make a handful of writes per run, and a crash
    # just after a create committed is the fault that would duplicate a record.
    @rule(at=st.sampled_from(CRASH_AT), after_commit=st.booleans(), full=st.booleans())
    def sync_and_crash_early(self, at: int, after_commit: bool, full: bool) -> None:
        """The same fault as :meth:`sync_and_crash`, a second rule so that it is drawn as
        often as all the sandboxes' own faults together are."""
        self.sync_and_crash(at, after_commit, full)

    @rule(at=st.sampled_from(CRASH_AT), after_commit=st.booleans(), full=st.booleans())
    def sync_and_crash(self, at: int, after_commit: bool, full: bool) -> None:
        """The process dies just before the ``at``-th write, or just after it committed."""

        async def before(request: httpx.Request, writes: int) -> httpx.Response | None:
            if not after_commit and writes + 1 == at and _is_write(request):
                raise Crash
            return None

        async def after(request: httpx.Request, writes: int) -> httpx.Response | None:
            if after_commit and writes == at and _is_write(request):
                raise Crash
            return None

        self.transport.writes = 0
        self.transport.hook, self.transport.after = before, after
        self._faulty_sync("crash after commit" if after_commit else "crash between writes",
                          full=full)  # fmt: skip

    @rule(lost=st.sets(st.integers(1, 10), min_size=1, max_size=4), committed=st.booleans(),
          full=st.booleans())  # fmt: skip
    def sync_losing_answers(self, lost: set[int], committed: bool, full: bool) -> None:
        """Writes whose answer never comes: after the write committed ("write committed but
        response lost"), or before it reached the service (a client-side timeout)."""
        fired: list[int] = []

        async def before(request: httpx.Request, writes: int) -> httpx.Response | None:
            if not committed and writes + 1 in lost and _is_write(request):
                lost.discard(writes + 1)
                fired.append(writes)
                raise httpx.ReadTimeout("no answer", request=request)
            return None

        async def after(request: httpx.Request, writes: int) -> httpx.Response | None:
            if committed and writes in lost and _is_write(request):
                lost.discard(writes)
                fired.append(writes)
                raise httpx.ReadTimeout("the answer was lost", request=request)
            return None

        self.transport.writes = 0
        self.transport.hook, self.transport.after = before, after
        kind = "answer lost after commit" if committed else "timeout before the write arrived"
        self._faulty_sync("none", full=full)
        FIGURES["faults_injected"][kind] += len(fired)

    def teardown(self) -> None:
        try:
            if self.oracle is not None:
                self._settle()
        finally:
            self.loop.run_until_complete(self.http.aclose())
            self.loop.close()


def _is_write(request: httpx.Request) -> bool:
    return request.method in ("POST", "PATCH") and "token" not in request.url.path


VARIANCE_SEED = 1  # the variance mode's seed in the variance run (silta.sandbox.variance)

# How a failing program's test file builds the machine: keep it in step with the factory
# given to run_state_machine_as_test below (tests/chaos/program.py).
HARNESS = Harness(
    imports=(
        "from pathlib import Path",
        "from silta.store import Store",
        "from tests.chaos.test_state_machine import ChaosMachine, _Tenants",
    ),
    setup='store = Store.open(f"sqlite:///{tmp_path}/silta.db", key_file=tmp_path / "silta.key")',
    machine="ChaosMachine(_Tenants(store))",
    cleanup="store.close()",
    names={
        "TenantSettings": "from silta.domain import TenantSettings",
        "CustomerDirection": "from silta.domain import CustomerDirection",
        "ProductDirection": "from silta.domain import ProductDirection",
        "Decimal": "from decimal import Decimal",
    },
)
PROGRAM_TITLE = (
    "A failing program of the chaos state machine (tests/chaos/test_state_machine.py).",
    "To keep it as a regression test, paste the function into tests/chaos/test_regressions.py",
    "and name it after its issue.",
)


def test_the_targets_match_the_oracle_under_random_edits_and_faults(tmp_path: Path) -> None:
    store = Store.open(f"sqlite:///{tmp_path / 'silta.db'}", key_file=tmp_path / "silta.key")
    tenants = _Tenants(store)
    started = time.monotonic()
    report = os.environ.get("SILTA_CHAOS_REPORT")
    FIGURES.clear()
    FIGURES.update(copy.deepcopy(_NO_FIGURES))
    try:
        run_state_machine_as_test(
            lambda: ChaosMachine(tenants), settings=hypothesis_settings.get_profile(PROFILE)
        )
    except Exception as error:
        found = copy.deepcopy(FIGURES)  # the figures are of the search, not of the replays
        directory = program_directory(report, Path(__file__).parent.parent / "artifacts" / "chaos")
        kept = keep_failing_program(error, HARNESS, directory, budget=SHRINK_SECONDS,
                                    title=PROGRAM_TITLE)  # fmt: skip
        FIGURES.clear()
        FIGURES.update(found)
        if kept is not None:
            FIGURES["failing_program"] = kept.summary()
            print(kept.summary())
        raise
    finally:
        store.close()
        FIGURES["profile"] = PROFILE
        FIGURES["seconds"] = round(time.monotonic() - started, 1)
        if report:
            Path(report).write_text(json.dumps(FIGURES, indent=2, sort_keys=True) + "\n")
    assert FIGURES["duplicates_found"] == 0
    assert FIGURES["lost_updates"] == 0
    # the invoices met the faults too: some of them went all the way
    assert FIGURES["invoices_made"] < 50 or FIGURES["invoices_transferred"] > 0


def test_the_targets_match_the_oracle_in_variance_mode(tmp_path: Path) -> None:
    """The same programs against sandboxes answering in the services' alternative forms
    (each example its own variance seed): the oracle does not care which form an answer
    took. A quarter of the profile's examples; its figures join ``FIGURES``."""
    store = Store.open(f"sqlite:///{tmp_path / 'silta.db'}", key_file=tmp_path / "silta.key")
    tenants = _Tenants(store)
    profile = hypothesis_settings.get_profile(PROFILE)
    try:
        # One seed for every example: the sandboxes are new in each, so programs still meet
        # different forms, and a failing example replays (and is written out) as it failed.
        run_state_machine_as_test(
            lambda: ChaosMachine(tenants, variance=VARIANCE_SEED),
            settings=hypothesis_settings(profile, max_examples=max(profile.max_examples // 4, 5)),
        )
    except Exception as error:
        directory = program_directory(
            os.environ.get("SILTA_CHAOS_REPORT"),
            Path(__file__).parent.parent / "artifacts" / "chaos",
        )
        harness = attrs.evolve(
            HARNESS, machine=f"ChaosMachine(_Tenants(store), variance={VARIANCE_SEED})"
        )
        kept = keep_failing_program(
            error, harness, directory, budget=SHRINK_SECONDS, title=PROGRAM_TITLE
        )
        if kept is not None:
            print(kept.summary())
        raise
    finally:
        store.close()
    assert FIGURES["duplicates_found"] == 0
    assert FIGURES["lost_updates"] == 0
