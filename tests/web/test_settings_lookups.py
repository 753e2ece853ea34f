"""The settings tab renders at once, whatever Netvisor's speed; its lookups fill in after.

Netvisor's sandbox answers every request 8 seconds after it arrives (its latency knob). The
tab must still start arriving in under 300 ms (the issue's bound; measured here on the whole
answer over the in-process transport, which is stricter than its first byte), showing the
last known answers and their time; the lookup fragment then answers with Netvisor's headers.
"""

from __future__ import annotations

import asyncio
import time

import attrs
import httpx
import pytest
from playwright.sync_api import expect

from silta.sandbox.netvisor.faults import Faults
from silta.sandbox.severa.faults import SeveraFaults
from tests.web.browser import Steps, log_in
from tests.web.conftest import PASSWORD, NewPage, WebWorld
from tests.web.test_pages import by_testid, one, options, page, selected, text

LATENCY = 8.0  # seconds, as in the issue
FIRST_BYTE = 0.3  # seconds: the bound for the tab


async def _timed(client: httpx.AsyncClient, url: str) -> tuple[httpx.Response, float]:
    started = time.perf_counter()
    answer = await client.get(url)
    return answer, time.perf_counter() - started


async def test_the_tab_answers_at_once_with_netvisor_slow_and_fills_in_after(
    web: WebWorld, kh: tuple[httpx.AsyncClient, str]
) -> None:
    client, _ = kh
    web.world.netvisor.set_faults(Faults(latency=LATENCY))
    tab = f"/tenants/{web.tenant.id}/settings"

    # never looked up yet: at once, saying it is asking, headers as free text meanwhile
    first, seconds = await _timed(client, tab)
    assert first.status_code == 200
    assert seconds < FIRST_BYTE, f"the tab took {seconds:.3f} s with Netvisor at {LATENCY} s"
    tree = page(first)
    assert (
        text(one(tree, "lookups-at")) == "Netvisorin tietoja (laskentakohdeotsikot, TEMP) haetaan…"
    )
    assert one(tree, "project_header").tag == "input"
    assert one(tree, "project_header").get("value") == "Projekti"
    form = one(tree, "settings-form")
    assert form.get("data-lookups-url") == f"{tab}/lookups"

    # the fragment silta.js asks for: Netvisor's answer, 8 s later; a second view meanwhile
    # joins the lookup going rather than asking Netvisor again
    org = web.world.netvisor.organisation(web.tenant.netvisor.credentials.organisation_id)
    before = sum(org.stats.requests.values())
    lookups = asyncio.ensure_future(_timed(client, f"{tab}/lookups"))
    await asyncio.sleep(0.5)
    meanwhile, quick = await _timed(client, tab)
    assert quick < FIRST_BYTE and meanwhile.status_code == 200
    joined = asyncio.ensure_future(_timed(client, f"{tab}/lookups"))
    (fragment, waited), (again, _) = await asyncio.gather(lookups, joined)
    assert fragment.status_code == again.status_code == 200
    assert waited >= LATENCY - 0.1, "the knob did not slow Netvisor down"
    assert fragment.text == again.text
    assert sum(org.stats.requests.values()) - before == 1  # dimensionlist.nv, once
    piece = page(fragment)
    project, unit = web.world.samples["a"].dimension_headers
    select = one(piece, "project_header")
    assert select.tag == "select" and {project, unit} <= set(options(select))
    assert selected(select) == ["Projekti"]
    assert text(one(piece, "lookups-at")).startswith("Netvisorin tiedot (laskentakohdeotsikot")

    # the next view shows the answer at once, with its time
    later, seconds = await _timed(client, tab)
    assert seconds < FIRST_BYTE
    tree = page(later)
    assert one(tree, "project_header").tag == "select"
    assert "haettu" in text(one(tree, "lookups-at"))
    assert by_testid(tree, "temp-customer") == []


async def test_a_failed_lookup_is_told_in_silta_words_and_the_tab_still_works(
    web: WebWorld, kh: tuple[httpx.AsyncClient, str]
) -> None:
    client, _ = kh
    web.world.netvisor.set_faults(Faults(maintenance=True))
    fragment = await client.get(f"/tenants/{web.tenant.id}/settings/lookups")
    assert fragment.status_code == 200
    note = text(page(fragment))
    assert "Netvisorin laskentakohdeotsikoita ei saatu" in note
    assert "<" not in note and "Traceback" not in note
    # said by its category in the page's language, Silta's own text one click away
    said = page(fragment).xpath("//div[@data-slot='headers-note']/div")[0]
    assert text(said).startswith("Netvisorin laskentakohdeotsikoita ei saatu: Netvisor")
    assert said.xpath(".//code[@class='detail']")
    english = page(
        await client.get(f"/tenants/{web.tenant.id}/settings/lookups", params={"lang": "en"})
    )
    words = text(english.xpath("//div[@data-slot='headers-note']/div")[0])
    assert words.startswith("Could not read Netvisor's dimension headers: Netvisor"), words
    tab = await client.get(f"/tenants/{web.tenant.id}/settings")
    assert one(page(tab), "project_header").tag == "input"


async def test_the_invoice_statuses_fill_in_after_with_severa_slow(
    web: WebWorld, kh: tuple[httpx.AsyncClient, str]
) -> None:
    """The invoice transfer's statuses are Severa's answer: the tab does not wait for it
    either; the select waits, disabled (not sent), until the fragment brings them."""
    client, _ = kh
    web.world.severa.set_faults(SeveraFaults(latency=LATENCY))
    tab = f"/tenants/{web.tenant.id}/settings"
    first, seconds = await _timed(client, tab)
    assert first.status_code == 200
    assert seconds < FIRST_BYTE, f"the tab took {seconds:.3f} s with Severa at {LATENCY} s"
    pending = one(page(first), "invoices_ready_status")
    assert pending.tag == "select" and pending.get("disabled") is not None
    assert text(pending) == "Severan tiloja haetaan…"

    fragment, waited = await _timed(client, f"{tab}/lookups")
    assert waited >= LATENCY - 0.1, "the knob did not slow Severa down"
    invoices = web.world.samples["a"].invoices
    assert invoices is not None
    ready = one(page(fragment), "invoices_ready_status")
    assert ready.tag == "select" and ready.get("disabled") is None
    assert [o.get("value") for o in ready.xpath(".//option[@selected]")] == [invoices.ready]
    assert ready.xpath(".//option[@translate='no']"), "the company's own names are marked"
    # and the next view has them at once
    later, seconds = await _timed(client, tab)
    assert seconds < FIRST_BYTE
    transferred = one(page(later), "invoices_transferred_status")
    assert [o.get("value") for o in transferred.xpath(".//option[@selected]")] == [
        invoices.transferred
    ]


async def test_a_failed_read_of_the_statuses_is_said_by_its_category(
    web: WebWorld, kh: tuple[httpx.AsyncClient, str]
) -> None:
    client, _ = kh
    severa = web.store.tenant(web.tenant.id).severa
    wrong = attrs.evolve(severa, credentials=attrs.evolve(severa.credentials, client_secret="x"))
    web.store.update_connections(web.tenant.id, severa=wrong, changed_by="test")
    fragment = page(await client.get(f"/tenants/{web.tenant.id}/settings/lookups"))
    said = one(fragment, "invoice-statuses-failed")
    assert text(said).startswith("Severan laskujen tiloja ei saatu (Severa hylkäsi tunnukset")
    assert said.xpath(".//code[@class='detail']")  # Silta's own text, one click away
    free = one(fragment, "invoices_ready_status")
    assert free.tag == "input"  # a GUID can still be typed


def test_in_a_browser_the_script_puts_netvisors_answers_in_place(
    web: WebWorld, served: str, new_page: NewPage, request: pytest.FixtureRequest
) -> None:
    web.world.netvisor.set_faults(Faults(latency=2.0))
    page = new_page()
    steps = Steps(page, request.node.name)
    with steps.recording_failure():
        log_in(page, served, web.users.kh, PASSWORD)
        page.goto(f"{served}/tenants/{web.tenant.id}/settings")
        # at first: free text, and the tab says it is asking
        expect(page.get_by_test_id("lookups-at")).to_contain_text("haetaan")
        steps("asking")
        select = page.locator('select[name="project_header"]')
        expect(select).to_be_visible(timeout=15_000)
        expect(select).to_have_value("Projekti")
        expect(page.get_by_test_id("lookups-at")).to_contain_text("haettu")
        expect(page.locator('input[name="project_header"]')).to_have_count(0)
        steps("filled in")
