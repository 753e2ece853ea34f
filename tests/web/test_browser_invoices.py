"""The invoice transfer in a real browser: a KH turns it on, previews, transfers, and follows
a refused invoice to its Finnish reason and fix (issue 18)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from silta.registers.rules import RULES
from tests.web.browser import JOB_TIMEOUT, Steps, log_in, wait_for_job
from tests.web.conftest import PASSWORD, NewPage, WebWorld
from tests.web.test_browser import fixed_text, sync_now


def test_kh_turns_invoice_transfer_on_previews_transfers_and_fixes_a_refusal(
    web: WebWorld, served: str, new_page: NewPage, request: pytest.FixtureRequest
) -> None:
    page = new_page()
    steps = Steps(page, request.node.name)
    tenant = web.tenant.id
    invoices = web.world.samples["a"].invoices
    assert invoices is not None
    with steps.recording_failure():
        log_in(page, served, web.users.kh, PASSWORD)
        page.goto(f"{served}/tenants/{tenant}/settings")
        # the registers first: an invoice goes to the customer the customer register linked
        sync_now(page)
        page.goto(f"{served}/tenants/{tenant}/settings")

        # -- the section: Visma's statuses are proposed from the company's own ------------
        section = page.get_by_test_id("invoice-section")
        expect(section).to_contain_text("Myyntilaskujen siirto Severasta Netvisoriin")
        expect(page.get_by_test_id("invoices_ready_status")).to_have_value(invoices.ready)
        expect(page.get_by_test_id("invoices_transferred_status")).to_have_value(
            invoices.transferred
        )
        expect(page.get_by_test_id("transfer-invoices")).to_have_count(0)  # off
        page.get_by_test_id("invoices_enabled").check()
        page.get_by_test_id("invoices_dimensions_on_lines").check()
        steps("invoice transfer chosen")
        page.get_by_test_id("save-invoices").click()
        messages = page.get_by_test_id("msg")
        expect(messages.first).to_contain_text("Asetukset tallennettu")
        expect(page.get_by_test_id("hold-invoices")).to_be_visible()  # waits for a preview
        expect(page.get_by_test_id("invoices_enabled")).to_be_checked()
        steps("saved and held")

        # -- preview: per invoice its customer, lines, VAT and total; nothing written ------
        writes = web.world.writes()
        page.get_by_test_id("preview-invoices").click()
        expect(page).to_have_url(re.compile(rf"/tenants/{tenant}/preview\?job=\d+$"))
        preview = page.get_by_test_id("preview-invoices")
        expect(preview).to_be_visible(timeout=JOB_TIMEOUT)
        wait_for_job(page)
        creates = preview.locator("tr[data-status=planned][data-action=create]")
        expect(creates).not_to_have_count(0)
        expect(creates.first).to_contain_text("Netvisorin asiakas")
        expect(creates.first).to_contain_text("Rivi 1")
        expect(creates.first).to_contain_text("Laskun summa")
        steps("preview")
        assert web.world.writes() == writes, "a preview wrote to the services"

        # -- transfer now: confirmed first (turning it on holds it), then the run ----------
        page.goto(f"{served}/tenants/{tenant}/settings")
        page.get_by_test_id("transfer-invoices").click()
        expect(page).to_have_url(re.compile(rf"/tenants/{tenant}/confirm/invoices\?sync="))
        page.get_by_test_id("confirm").click()
        expect(page).to_have_url(re.compile(r"/tenants/\d+/runs\?job=\d+$"))
        expect(page.get_by_test_id("job-done")).to_be_visible(timeout=JOB_TIMEOUT)
        wait_for_job(page)
        runs = page.get_by_test_id("runs").locator("tbody tr")
        run = runs.filter(has_text="Myyntilaskut").filter(has_not_text="esikatselu").first
        expect(run.locator(".runstatus-completed")).to_have_count(1)
        assert web.world.writes() > writes, "the transfer wrote nothing"
        steps("transferred")

        # -- the run's refused invoices: Finnish reasons; one followed to its fix ----------
        run.get_by_test_id("run-link").click()
        page.get_by_test_id("filter-status").select_option("refused")
        page.get_by_test_id("filters").get_by_role("button").click()
        entries = page.get_by_test_id("entries").locator("tbody tr")
        case = next(c for c in invoices.planted if c.rule == "invoices.total_mismatch")
        expect(entries).not_to_have_count(0)
        row = page.locator(f'tr[data-source-key="{case.key}"]')
        expect(row).to_have_count(1)
        expect(row).to_contain_text(fixed_text(RULES[case.rule].fi))
        expect(row).not_to_contain_text(fixed_text(RULES[case.rule].en))
        steps("refused invoices")
        row.get_by_test_id("fix").first.click()
        expect(page).to_have_url(f"{served}/tenants/{tenant}/fix/{case.rule}")
        expect(page.get_by_test_id("rule-text")).to_contain_text(fixed_text(RULES[case.rule].fi))
        expect(page.get_by_test_id("fix-place")).to_contain_text("Severa")
        number = case.name.split()[0]  # "<number> <customer>"
        expect(page.get_by_test_id("fix-records")).to_contain_text(number)
        steps("fix")
