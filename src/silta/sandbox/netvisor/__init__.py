"""A faithful fake Netvisor server, for tests, the demo and benchmarks.

Built from ``shared/reference/netvisor-api.md`` and Netvisor's published DTDs only. It shares
no code with the Netvisor client in :mod:`silta.netvisor` - the two are written independently
from the same contract, so a bug in one cannot hide in the other - and imports nothing of the
project but the pure validators of :mod:`silta.registers.finnish`.

Usage::

    sandbox = NetvisorSandbox(seed=0)
    sandbox.add_integration(Integration(partner_id="P", partner_key="pk", customer_id="C",
                                        customer_key="ck", organisation_ids=("1967543-8",)))
    org = sandbox.organisation("1967543-8")
    org.put_customer(internalidentifier="101", name="Oy Ab")
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=sandbox.app),
                               base_url="https://isvapi.netvisor.fi")

Where each behaviour lives (settled decisions are documented in these modules):

* :mod:`.auth` - headers, HMACSHA256 MAC, clock skew, TransactionId uniqueness (§2)
* :mod:`.errors` - failure categories, messages (FI/EN), HTTP status codes (§5)
* :mod:`.xmlio` - safe parsing, case-insensitive names, DTD validation (§3); ``dtd/``
* :mod:`.render` - response XML and its casing quirks
* :mod:`.values` - decimal commas, flags, ``changedsince`` (Helsinki time), time stamps
* :mod:`.customers`, :mod:`.products`, :mod:`.dimensions` - the registers and their rules
  (§4, §6, §7)
* :mod:`.salesinvoices` - sales invoices: salesinvoice.nv's rules, Netvisor's rounding,
  credit-note matching (invoices.md §2.1-2.2)
* :mod:`.purchaseinvoices` - purchase invoices and vendors, their helpers (invoices.md §2.3)
* :mod:`.tripexpenses` - employees, expense types, tripexpense.nv's rules (invoices.md §2.4)
* :mod:`.resources` - the ``*.nv`` resources, one module per register
* :mod:`.app` - the request pipeline: overlap rule, fault order, in-flight counting
* :mod:`.faults`, :mod:`.stats` - fault knobs and counters
* :mod:`.control` - the JSON control API under ``/_sandbox/`` (counters, faults, dimension
  headers, settings, variance mode)
* :mod:`.variance` - the alternative forms of Netvisor's answers (variance mode)
* :mod:`.seed` - deterministic demo data
"""

from __future__ import annotations

from .app import NetvisorSandbox
from .auth import Integration
from .customers import Customer
from .dimensions import DimensionHeader, DimensionItem, DimensionLink
from .errors import NetvisorFailure
from .faults import Faults
from .organisation import Organisation
from .products import Product
from .salesinvoices import SalesInvoice, SalesInvoiceLine
from .stats import OrganisationStats, SandboxStats

__all__ = [
    "Customer",
    "DimensionHeader",
    "DimensionItem",
    "DimensionLink",
    "Faults",
    "Integration",
    "NetvisorFailure",
    "NetvisorSandbox",
    "Organisation",
    "OrganisationStats",
    "Product",
    "SalesInvoice",
    "SalesInvoiceLine",
    "SandboxStats",
]
