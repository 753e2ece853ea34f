"""The money transfers of issue 19 in a real browser, in Finnish and in English: a KH turns
on purchase lines and travel on the settings tab, previews each, confirms and transfers it,
and reads the run: each record's display facts and the refused ones with their fix texts.

As :mod:`tests.web.test_browser` (Debian's Chromium, Playwright's sync API, screenshots
under ``tests/artifacts/browser/``).
"""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor

import pytest
from playwright.sync_api import Page, expect

from silta.commands.demo import money_settings
from silta.domain import Register
from silta.registers.rules import RULES
from silta.sync import sync_tenant
from tests.web.browser import JOB_TIMEOUT, Steps, log_in, wait_for_job
from tests.web.conftest import PASSWORD, NewPage, WebWorld, sandbox_http
from tests.web.test_browser import fixed_text

#: What each register's run shows of a record (Entry.details), by data-detail key.
DETAILS = {
    Register.PURCHASE_LINES: ("project", "amount", "invoice", "vendor"),
    Register.TRAVEL: ("person", "total"),
}
NAMES = {
    Register.PURCHASE_LINES: ("Ostolaskurivit", "Purchase-invoice lines"),
    Register.TRAVEL: ("Matkalaskut", "Travel invoices"),
}


def dimensions_synced(web: WebWorld) -> None:
    """The nightly dimension sync has run, and the vendors' invoices have arrived on its
    items (a purchase line qualifies by the item's key in the dimension links)."""

    async def run() -> None:
        async with sandbox_http(web.world) as http:
            await sync_tenant(web.store, web.tenant, registers=(Register.DIMENSIONS,), http=http,
                              severa_rate=1000, trigger="schedule #1")  # fmt: skip

    with ThreadPoolExecutor(max_workers=1) as pool:  # Playwright keeps a loop in this thread
        pool.submit(asyncio.run, run()).result()
    sample = web.world.samples["a"]
    assert sample.purchases is not None
    sample.purchases.place(web.world.netvisor.organisation("1967543-8"))


def fill_money_settings(web: WebWorld, page: Page) -> None:
    values = money_settings(
        web.world.samples["a"], web.world.severa.organisation_of("silta-demo-a")
    )
    for name in ("purchase_lines_enabled", "travel_enabled"):
        page.get_by_test_id(name).check()
    for name, value in values.items():
        if isinstance(value, bool):
            box = page.get_by_test_id(name)
            box.check() if value else box.uncheck()
        else:
            page.get_by_test_id(name).fill(value)


def transfer(page: Page, register: Register) -> None:
    """Preview then "Synkronoi nyt" of one register; the first run is confirmed first."""
    actions = page.get_by_test_id("actions")
    actions.locator("form[action$='/preview'] select").select_option(register.value)
    page.get_by_test_id("preview").click()
    section = page.get_by_test_id(f"preview-{register.value}")
    expect(section).to_be_visible(timeout=JOB_TIMEOUT)
    wait_for_job(page)
    expect(section.locator("tr[data-status=planned][data-action=create]")).not_to_have_count(0)
    page.get_by_role("link", name="Netvisor-Severa liittymän asetukset").click()
    actions = page.get_by_test_id("actions")
    actions.locator("form[action$='/sync'] select").select_option(register.value)
    page.get_by_test_id("sync").click()
    if "/confirm/" in page.url:
        page.get_by_test_id("confirm").click()
    expect(page).to_have_url(re.compile(r"/tenants/\d+/runs\?job=\d+$"))
    expect(page.get_by_test_id("job-done")).to_be_visible(timeout=JOB_TIMEOUT)
    wait_for_job(page)


def test_kh_turns_on_purchase_lines_and_travel_and_reads_their_runs_in_both_languages(
    web: WebWorld, served: str, new_page: NewPage, request: pytest.FixtureRequest
) -> None:
    dimensions_synced(web)
    sample = web.world.samples["a"]
    assert sample.travel is not None
    page = new_page()
    steps = Steps(page, request.node.name)
    tenant = web.tenant.id
    with steps.recording_failure():
        log_in(page, served, web.users.kh, PASSWORD, path=f"/login?next=/tenants/{tenant}/settings")
        # -- the settings: both sections, hidden until turned on -------------------------------
        expect(page.get_by_test_id("purchase-lines-settings")).to_contain_text(
            "Ostolaskujen rivit Severan projektien kuluiksi"
        )
        expect(page.locator("#purchase-lines-choices")).to_be_hidden()
        expect(page.locator("#travel-choices")).to_be_hidden()
        fill_money_settings(web, page)
        expect(page.locator("#purchase-lines-choices")).to_be_visible()
        steps("money settings filled")
        page.get_by_test_id("save-settings").click()
        expect(page.get_by_test_id("msg").first).to_contain_text("Asetukset tallennettu")
        expect(page.get_by_test_id("purchase_lines_enabled")).to_be_checked()
        expect(page.get_by_test_id("travel_transferred_status")).to_have_value(
            sample.travel.transferred
        )
        steps("money settings saved")

        for register in (Register.PURCHASE_LINES, Register.TRAVEL):
            # -- preview, confirm, transfer, and the run in Finnish ---------------------------
            transfer(page, register)
            runs = page.get_by_test_id("runs").locator("tbody tr")
            run = runs.filter(has_text=NAMES[register][0]).filter(has_not_text="esikatselu")
            run.first.get_by_test_id("run-link").click()
            expect(page.get_by_test_id("run-status")).to_have_text("valmis")
            entries = page.get_by_test_id("entries")
            for key in DETAILS[register]:
                expect(entries.locator(f"[data-detail={key}]")).not_to_have_count(0)
            refused = entries.locator("tr[data-status=refused]")
            expect(refused).not_to_have_count(0)
            rules = sorted({r for r in RULES if r.startswith(register.value + ".")
                            and r != "purchase_lines.netvisor.key_missing"})  # fmt: skip
            shown = [r for r in rules if refused.filter(has_text=fixed_text(RULES[r].fi)).count()]
            assert shown, f"no {register.value} refusal shows its Finnish fix text"
            steps(f"{register.value} run fi")
            # -- the same run in English --------------------------------------------------------
            page.get_by_test_id("lang").click()
            entries = page.get_by_test_id("entries")
            for rule in shown:
                expect(entries.locator("tr[data-status=refused]").filter(
                    has_text=fixed_text(RULES[rule].en))).not_to_have_count(0)  # fmt: skip
            expect(page.locator("main")).to_contain_text(NAMES[register][1])
            steps(f"{register.value} run en")
            page.get_by_test_id("lang").click()  # back to Finnish
            page.goto(f"{served}/tenants/{tenant}/settings")
