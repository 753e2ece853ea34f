"""A faithful fake of Visma Severa's REST API (v1), for tests, the demo and benchmarks.

Built from Severa's own OpenAPI document (``severa-openapi.json``, the contract) and the
research notes ``shared/reference/severa-api.md`` only. The document is never read at run
time: what the sandbox needs of it (routes and scopes, each model's fields) is written out in
the modules below, citing the schema names. It shares no code with the Severa client in
:mod:`silta.severa` - the two are written independently from the same contract, so a bug in
one cannot hide in the other - and imports nothing of the project but the pure validators of
:mod:`silta.registers.finnish` and the Netvisor sandbox's clock type.

Usage::

    sandbox = SeveraSandbox(seed=0)                      # rate_limit=10 per second per client
    org = sandbox.add_organisation("Demo Oy")            # org.id == "demo-oy"
    sandbox.add_credential(Credential(client_id="id", client_secret="secret",
                                      organisation=org.id,
                                      scopes={"customers:read", "customers:write"}))
    guid = org.put_customer(name="Esimerkki Oy", number=1001, vatNumber="FI12345678")
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=sandbox.mounted_at("/rest-api")),
        base_url="https://api.severa.visma.com/rest-api")

Where each behaviour lives (the settled decisions are documented in these modules):

* :mod:`.routes` - the operations served and the route → scope table; 404/405 rules
* :mod:`.auth` - ``/v1/token``, ``/v1/refreshtoken`` (rotation), bearer token + ``Client_Id``
* :mod:`.ratelimit` - N requests per rolling second per client id, the 429 answer
* :mod:`.errors` - ``ExceptionModel`` bodies, status codes, the empty 404
* :mod:`.fields`, :mod:`.validation` - input models as field tables; POST body validation
* :mod:`.patch` - JSON Patch (``replace`` only), paths, value conversion
* :mod:`.query`, :mod:`.paging` - query parameters; token paging and offset paging
* :mod:`.times` - date-time output, ``changedSince`` parsing
* :mod:`.render` - output shapes shared by the models; empty sub-models left out
* :mod:`.store` - records by GUID, in creation order, with indexes (O(page) paging)
* :mod:`.collection` - the create/patch flow every register shares; time stamps
* :mod:`.customers`, :mod:`.addresses`, :mod:`.products`, :mod:`.projects`,
  :mod:`.phases`, :mod:`.businessunits` - the registers, their rules and output shapes
* :mod:`.invoicing` - ``org.invoicing``: invoice statuses (:mod:`.invoicestatuses`), invoices
  and rows (:mod:`.invoices`), the fees, hours and travel expenses rows bill
  (:mod:`.invoiceentries`), customers' country settings (:mod:`.countrysettings`); their output
  pieces in :mod:`.invoicerender`
* :mod:`.projectfees` - ``org.project_fees``: project fees of ``/v1/projectfees`` (where
  purchase-invoice lines become costs) and the deleted ones
* :mod:`.travel`, :mod:`.travelstatuses` - ``org.travel``: travel reimbursements, their
  statuses, expenses and files, travel expense types
* :mod:`.reference` - seeded languages, countries, VAT rates, currencies, users, lists
* :mod:`.organisation` - one organisation; test-setup helpers and readers
* :mod:`.records` - the snapshots the readers return
* :mod:`.resources` - the route handlers, by register (``users`` for ``GET /v1/users``,
  ``fees``, ``travel``)
* :mod:`.app` - :class:`SeveraSandbox` and the request pipeline (fault order, cancellation)
* :mod:`.faults`, :mod:`.stats` - fault knobs and counters
* :mod:`.control` - the JSON control API under ``/_sandbox/`` (counters, faults, business
  units, organisation settings, variance mode)
* :mod:`.variance` - the alternative forms of Severa's answers (variance mode)
* :mod:`.seed` - the deterministic demo organisation
"""

from __future__ import annotations

from .app import SeveraSandbox
from .auth import ALL_SCOPES, Credential
from .errors import SeveraFailure
from .faults import ERROR_KINDS, SeveraFaults
from .organisation import Company, Organisation, OrganisationSettings
from .records import Record
from .reference import Country, Currency, Language, ReferenceItem, User, VatRate
from .stats import OrganisationStats, SandboxStats

__all__ = [
    "ALL_SCOPES",
    "ERROR_KINDS",
    "Company",
    "Country",
    "Credential",
    "Currency",
    "Language",
    "Organisation",
    "OrganisationSettings",
    "OrganisationStats",
    "Record",
    "ReferenceItem",
    "SandboxStats",
    "SeveraFailure",
    "SeveraFaults",
    "SeveraSandbox",
    "User",
    "VatRate",
]
