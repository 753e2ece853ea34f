"""The overview refreshes itself: a run that starts, fails or ends shows on the operator's
page without anyone reloading it (static/silta.js; <noscript>'s refresh without script)."""

from __future__ import annotations

import re

import lxml.html
from playwright.sync_api import expect

from silta.domain import Register, RunStatus
from tests.web.browser import log_in
from tests.web.conftest import PASSWORD, NewPage, WebWorld, login
from tests.web.history_data import CONNECT_ERROR, record_run


def _refresh_of(html: str) -> tuple[str | None, str | None]:
    tree = lxml.html.fromstring(html)
    [region] = tree.xpath('//*[@data-live-region="fleet"]')
    [fallback] = re.findall(r'<noscript><meta http-equiv="refresh" content="(\d+)">', html)
    return region.get("data-live-every"), fallback


async def test_the_overview_names_its_live_region_and_refreshes_sooner_while_a_run_goes(
    web: WebWorld,
) -> None:
    async with web.client() as client:
        await login(client, web.users.operator)
        idle = await client.get("/")
        assert _refresh_of(idle.text) == ("30", "30")
        tree = lxml.html.fromstring(idle.text)
        [region] = tree.xpath('//*[@data-live-region="fleet"]')
        assert region.xpath('.//*[@data-testid="tenants"]')  # the companies are inside it
        assert not region.xpath('.//form[@data-testid="fleet-search"]')  # the search is not
        record_run(web.store, web.tenant.id, status=RunStatus.RUNNING)
        going = await client.get("/")
        assert _refresh_of(going.text) == ("6", "6")


def test_a_run_shows_on_the_overview_nobody_reloads(
    web: WebWorld, served: str, new_page: NewPage
) -> None:
    web.state.overview_refresh = 1
    page = new_page()
    log_in(page, served, web.users.operator, PASSWORD, who="ops@silta.fi · Ylläpitäjä")
    row = page.locator(f'tr[data-tenant-id="{web.tenant.id}"]')
    expect(row.get_by_test_id("health-customers")).to_have_text("Ei vielä ajettu")
    page.get_by_test_id("fleet-q").fill("kirjoitettu kesken")  # typing is left alone
    page.evaluate("window.notReloaded = true")
    run_id = record_run(web.store, web.tenant.id, register=Register.CUSTOMERS,
                        status=RunStatus.RUNNING)  # fmt: skip
    expect(row.get_by_test_id("health-customers")).to_have_text("Käynnissä", timeout=10_000)
    web.store.finish_run(run_id, RunStatus.FAILED, counts={}, error=CONNECT_ERROR)
    expect(row.get_by_test_id("health-customers")).to_have_text("Epäonnistuu", timeout=10_000)
    expect(row.get_by_test_id("failure")).to_have_text("Netvisor ei vastaa")
    assert page.evaluate("window.notReloaded") is True
    expect(page.get_by_test_id("fleet-q")).to_have_value("kirjoitettu kesken")
