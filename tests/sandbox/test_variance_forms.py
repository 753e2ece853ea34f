"""Each alternative form of variance mode, alone: it changes real answers, and Silta's clients
read the changed answers exactly as the plain ones.

The answers are the sandboxes' own (a sample company in both), captured once; each form of
:data:`silta.sandbox.netvisor.variance.FORMS` and :data:`silta.sandbox.severa.variance.FORMS`
is then applied to every answer it can take, and the client reads them from a mock transport.
"""

from __future__ import annotations

import json
import random
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from silta.netvisor import NetvisorClient, NetvisorCredentials, Product
from silta.registers import products as product_rules
from silta.registers.products import ProductRecord
from silta.sandbox.netvisor import Integration, NetvisorSandbox
from silta.sandbox.netvisor import variance as netvisor_variance
from silta.sandbox.sample import SampleSpec, populate
from silta.sandbox.severa import ALL_SCOPES, Credential, SeveraFaults, SeveraSandbox
from silta.sandbox.severa import variance as severa_variance
from silta.sandbox.variance import Form, Variance, apply_forms
from silta.severa import RateLimits, SeveraClient, SeveraCredentials

from .helpers import FakeClock

ORG = "1967543-8"
NV_BASE = "https://isvapi.netvisor.fi"
SV_BASE = "https://api.severa.visma.com/rest-api"
NV_CREDENTIALS = NetvisorCredentials(
    sender="t", customer_id="C", customer_key="ck", partner_id="P", partner_key="pk",
    organisation_id=ORG,
)  # fmt: skip


def always(seed: int = 1) -> Variance:
    """A variance that takes every form it is offered."""
    return Variance(seed, random.Random(seed), share=1.0)


CLOCK = FakeClock()  # Severa's and its client's: token lifetimes compare


@pytest.fixture(scope="module")
def sandboxes() -> tuple[NetvisorSandbox, SeveraSandbox]:
    clock = CLOCK
    netvisor = NetvisorSandbox(seed=4)  # real time: the client signs with it
    netvisor.add_integration(Integration(partner_id="P", partner_key="pk", customer_id="C",
                                         customer_key="ck", organisation_ids=(ORG,)))  # fmt: skip
    severa = SeveraSandbox(clock=clock, seed=4, rate_limit=None)
    org = severa.add_organisation("Muoto Oy")
    severa.add_credential(Credential(client_id="c", client_secret="s", organisation=org.id,
                                     scopes=ALL_SCOPES))  # fmt: skip
    populate(netvisor.organisation(ORG), org, SampleSpec(seed=2, customers=16, products=12))
    return netvisor, severa


# -- Netvisor ---------------------------------------------------------------------------------

Reads = Callable[[NetvisorClient], Awaitable[Any]]


def _netvisor_reads(keys: list[int], product_keys: list[int]) -> dict[str, Reads]:
    return {
        "customerlist.nv": lambda c: c.list_customers(),
        "getcustomer.nv idlist": lambda c: c.get_customers(keys),
        "getcustomer.nv id": lambda c: c.get_customer(keys[0]),
        "productlist.nv": lambda c: c.list_products(),
        # what the sync takes from a product: a gross-only price is the same net price
        "getproduct.nv idlist": lambda c: _records(c.get_products(netvisor_keys=product_keys)),
        "getproduct.nv id": lambda c: _records(c.get_products(netvisor_keys=product_keys[:1])),
        "dimensionlist.nv": lambda c: c.list_dimensions(show_hidden=True),
    }


async def _records(products: Awaitable[list[Product]]) -> list[ProductRecord]:
    return [product_rules.from_netvisor(p).record for p in await products]


class _Capture:
    """The sandbox's answers as they were, and the same answers after one form."""

    def __init__(self, sandbox: NetvisorSandbox, form: Form[str, Any] | None) -> None:
        self.inner = httpx.ASGITransport(app=sandbox.app)
        self.form = form
        self.changed = 0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        xml = (await response.aread()).decode()
        if self.form is not None:
            params = {k.lower(): v for k, v in request.url.params.items()}
            resource = request.url.path.rsplit("/", 1)[-1].lower()
            context = netvisor_variance.Context(resource, params)
            varied = apply_forms(xml, (self.form,), context, always())
            self.changed += varied != xml
            xml = varied
        return httpx.Response(response.status_code, content=xml.encode())


async def _read_netvisor(
    sandbox: NetvisorSandbox, form: Form[str, Any] | None
) -> tuple[dict[str, Any], int]:
    capture = _Capture(sandbox, form)
    async with httpx.AsyncClient(transport=httpx.MockTransport(capture)) as http:
        client = NetvisorClient(http, NV_CREDENTIALS, base_url=NV_BASE)
        organisation = sandbox.organisation(ORG)
        keys = [c.key for c in organisation.customers()]
        product_keys = [p.key for p in organisation.products()]
        read = {
            name: await call(client) for name, call in _netvisor_reads(keys, product_keys).items()
        }
    return read, capture.changed


#: The forms the register answers above can take; the purchase-invoice forms are tested on
#: their own answers in test_purchase_variance.py.
_REGISTER_CONTEXTS = [
    netvisor_variance.Context(resource, {"id": "1"})
    for resource in ("customerlist.nv", "getcustomer.nv", "productlist.nv", "getproduct.nv",
                     "dimensionlist.nv")
]  # fmt: skip
REGISTER_FORMS = [
    form
    for form in netvisor_variance.FORMS
    if any(form.applies(context) for context in _REGISTER_CONTEXTS)
]


@pytest.mark.parametrize("form", REGISTER_FORMS, ids=lambda form: form.name)
async def test_each_netvisor_form_reads_as_the_plain_answer(
    sandboxes: tuple[NetvisorSandbox, SeveraSandbox], form: Form[str, Any]
) -> None:
    netvisor, _ = sandboxes
    plain, _ = await _read_netvisor(netvisor, None)
    varied, changed = await _read_netvisor(netvisor, form)
    assert changed > 0, f"{form.name} changed no answer"
    for name in plain:
        assert varied[name] == plain[name], name


# -- Severa -----------------------------------------------------------------------------------


class _SeveraCapture:
    def __init__(self, sandbox: SeveraSandbox, form: Form[Any, Any] | None) -> None:
        self.inner = httpx.ASGITransport(app=sandbox.mounted_at("/rest-api"))
        self.form = form
        self.changed = 0

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        content = await response.aread()
        headers = dict(response.headers)
        if self.form is not None and content:
            kind = "token" if request.url.path.endswith("token") else "data"
            kind = "failure" if response.status_code >= 400 else kind
            answer = severa_variance.Answer(json.loads(content), headers)
            varied = apply_forms(answer, (self.form,), severa_variance.Context(
                kind, response.status_code), always(), severa_variance._same)  # fmt: skip
            if not severa_variance._same(varied, answer):
                self.changed += 1
            content, headers = json.dumps(varied.body).encode(), dict(varied.headers)
            headers.pop("content-length", None)
        return httpx.Response(response.status_code, content=content, headers=headers)


async def _read_severa(sandbox: SeveraSandbox, form: Form[Any, Any] | None) -> tuple[Any, int]:
    organisation = sandbox.organisation_of("c")
    organisation.faults = SeveraFaults(fail_next=["429"], retry_after=True)
    capture = _SeveraCapture(sandbox, form)
    elapsed = [0.0]  # waits pass at once: a 429's Retry-After costs no real second

    async def sleep(seconds: float) -> None:
        elapsed[0] += seconds

    async with httpx.AsyncClient(transport=httpx.MockTransport(capture)) as http:
        limits = RateLimits(clock=lambda: elapsed[0], sleep=sleep)
        client = SeveraClient(http, SeveraCredentials("c", "s"), base_url=SV_BASE,
                              limits=limits, sleep=sleep, rate=1000, clock=CLOCK)  # fmt: skip
        project = organisation.projects()[0]
        read = {
            "customers": [c async for c in client.iter_customers()],
            "addresses": [a async for a in client.iter_addresses()],
            "products": [p async for p in client.iter_products()],
            "projects": [p async for p in client.iter_projects()],
            "phases": [p async for p in client.iter_phases()],
            "hierarchy": await client.phases_with_hierarchy(project.guid),
            "units": [u async for u in client.iter_business_units()],
            "languages": await client.languages(),
            "countries": await client.countries(),
            "vat rates": await client.vat_rates(),
        }
        read["token expiry"] = (await client.tokens.get()).expires_at
    return read, capture.changed


#: The travel-expense form is judged on travel answers (tests/sandbox/severa/test_travel.py).
SEVERA_REGISTER_FORMS = [
    f for f in severa_variance.FORMS if f.name != severa_variance.TRAVEL_DEFAULT
]


@pytest.mark.parametrize("form", SEVERA_REGISTER_FORMS, ids=lambda form: form.name)
async def test_each_severa_form_reads_as_the_plain_answer(
    sandboxes: tuple[NetvisorSandbox, SeveraSandbox], form: Form[Any, Any]
) -> None:
    _, severa = sandboxes
    plain, _ = await _read_severa(severa, None)
    varied, changed = await _read_severa(severa, form)
    assert changed > 0, f"{form.name} changed no answer"
    for name in plain:
        assert varied[name] == plain[name], name


async def test_shorter_pages_read_as_full_ones(
    sandboxes: tuple[NetvisorSandbox, SeveraSandbox],
) -> None:
    _, severa = sandboxes
    organisation = severa.organisation_of("c")
    plain, _ = await _read_severa(severa, None)
    organisation.variance = always()
    try:
        varied, _ = await _read_severa(severa, None)
        assert organisation.variance.used[severa_variance.SHORTER_PAGE] > 3
    finally:
        organisation.variance = None
    for name in ("customers", "products", "projects", "phases"):
        assert varied[name] == plain[name], name
