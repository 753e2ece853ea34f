"""The web app in a real browser: what a KH admin and a viewer do, click by click.

Debian's Chromium (``/usr/bin/chromium``) is driven by Playwright's sync API from plain
tests, while the app is served over TCP from a background thread (:func:`serve_in_thread`);
the app's background jobs reach the sandboxes in process. Screenshots of every step are
written under ``tests/artifacts/browser/`` (see :mod:`tests.web.browser`).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from silta.domain import Register
from silta.registers.rules import RULES
from silta.sandbox.sample import PlantedCase
from tests.web.browser import JOB_TIMEOUT, Steps, log_in, wait_for_job
from tests.web.conftest import PASSWORD, NewPage, WebWorld

#: The registers the demo tenant runs: the money transfers of issue 19 are off by default
#: (test_browser_money.py turns them on).
REGISTERS_ON = (Register.CUSTOMERS, Register.PRODUCTS, Register.DIMENSIONS)

#: The controls that change something: none of them may be on a viewer's page.
MUTATING = ("save-settings", "preview", "sync", "credentials-form", "pause", "resume", "actions")


def fixed_text(template: str) -> str:
    """The longest stretch of a rule's message template that no placeholder fills in."""
    pieces = (piece.strip(" :;,.()") for piece in re.split(r"\{[^}]*\}", template))
    return max(pieces, key=len)


def planted(web: WebWorld, register: Register) -> list[PlantedCase]:
    """Demo Oy's planted refusals of one register (Demo Oy is scenario a)."""
    cases = [c for c in web.world.samples["a"].planted if c.register == register.value]
    assert cases
    return cases


def sync_now(page: Page) -> None:
    """Press "Synkronoi nyt" (all registers) and wait for the runs page to say it is done."""
    page.get_by_test_id("sync").click()
    expect(page).to_have_url(re.compile(r"/tenants/\d+/runs\?job=\d+$"))
    expect(page.get_by_test_id("job-done")).to_be_visible(timeout=JOB_TIMEOUT)
    wait_for_job(page)


def test_kh_changes_settings_previews_syncs_and_follows_a_refusal_to_its_fix(
    web: WebWorld, served: str, new_page: NewPage, request: pytest.FixtureRequest
) -> None:
    page = new_page()
    steps = Steps(page, request.node.name)
    tenant = web.tenant.id
    with steps.recording_failure():
        # -- log in; the overview lists the KH's company -----------------------------------
        log_in(page, served, web.users.kh, PASSWORD)
        overview = page.get_by_test_id("tenants")
        expect(overview).to_contain_text(web.tenant.name)
        expect(overview).to_contain_text("KH-pääkäyttäjä")
        expect(overview).not_to_contain_text(web.other.name)
        steps("overview")

        # -- the settings tab: customers Severa -> Netvisor becomes Netvisor -> Severa -----
        overview.get_by_role("link", name=web.tenant.name).click()
        expect(page).to_have_url(f"{served}/tenants/{tenant}/settings")
        expect(page.get_by_test_id("customers-severa_to_netvisor")).to_be_checked()
        expect(page.get_by_test_id("products-netvisor_to_severa")).to_be_checked()
        # The dimensions checkbox reveals the header selects, and hides them again.
        dimensions, choices = page.get_by_test_id("dimensions"), page.locator("#dimension-choices")
        expect(dimensions).to_be_checked()
        expect(choices).to_be_visible()
        expect(page.get_by_test_id("project_header")).to_have_value("Projekti")
        dimensions.uncheck()
        expect(choices).to_be_hidden()
        dimensions.check()
        expect(choices).to_be_visible()
        page.get_by_test_id("customers-netvisor_to_severa").check()
        steps("customers netvisor to severa chosen")
        page.get_by_test_id("save-settings").click()
        messages = page.get_by_test_id("msg")
        expect(messages.first).to_contain_text("Asetukset tallennettu (versio 2).")
        expect(messages.filter(has_text="Seuraava ajo lukee kaiken: Asiakkaat.")).to_have_count(1)
        expect(page.get_by_test_id("customers-netvisor_to_severa")).to_be_checked()
        expect(page.get_by_test_id("dimensions")).to_be_checked()
        steps("settings saved")

        # -- the settings history names the change and who made it ------------------------
        page.get_by_role("link", name="Asetushistoria").click()
        expect(page).to_have_url(f"{served}/tenants/{tenant}/history")
        change = page.get_by_test_id("history").locator("tbody tr").filter(has_text=web.users.kh)
        expect(change).to_have_count(1)
        expect(change).to_contain_text("customers: severa_to_netvisor → netvisor_to_severa")
        expect(change).not_to_contain_text("products:")
        steps("settings history")

        # -- preview: the plan of every register, and not one write -----------------------
        page.get_by_role("link", name="Netvisor-Severa liittymän asetukset").click()
        writes = web.world.writes()
        page.get_by_test_id("preview").click()
        expect(page).to_have_url(re.compile(rf"/tenants/{tenant}/preview\?job=\d+$"))
        for register in REGISTERS_ON:
            section = page.get_by_test_id(f"preview-{register.value}")
            expect(section).to_be_visible(timeout=JOB_TIMEOUT)
        wait_for_job(page)
        for register in REGISTERS_ON:
            section = page.get_by_test_id(f"preview-{register.value}")
            expect(section).to_contain_text(re.compile(r"\d+ luotaisiin"))
            creates = section.locator("tr[data-status=planned][data-action=create]")
            expect(creates).not_to_have_count(0)
        # Products and dimensions did not change direction: their planted cases are refused.
        expect(page.get_by_test_id("preview-products")).to_contain_text(
            f"{len(planted(web, Register.PRODUCTS))} hylätty"
        )
        steps("preview")
        assert web.world.writes() == writes, "a preview wrote to the services"

        # -- sync now: the direction change is confirmed first, with the preview just made,
        # field by field; then the runs page refreshes itself until the runs are done -----
        page.get_by_test_id("sync").click()
        expect(page).to_have_url(re.compile(rf"/tenants/{tenant}/confirm/customers\?sync=all$"))
        expect(page.get_by_test_id("sync-waits")).to_be_visible()
        expect(page.get_by_test_id("confirm-summary")).to_contain_text("Seuraava ajo")
        expect(page.get_by_test_id("confirm-preview").locator("tr[data-action]")).not_to_have_count(
            0
        )
        steps("confirm the change")
        assert web.world.writes() == writes, "the service was written before the confirmation"
        page.get_by_test_id("confirm").click()
        expect(page).to_have_url(re.compile(r"/tenants/\d+/runs\?job=\d+$"))
        expect(page.get_by_test_id("job-done")).to_be_visible(timeout=JOB_TIMEOUT)
        wait_for_job(page)
        runs = page.get_by_test_id("runs").locator("tbody tr")
        synced = runs.filter(has_not_text="esikatselu")
        expect(synced).to_have_count(len(REGISTERS_ON))
        expect(synced.filter(has=page.locator(".runstatus-completed"))).to_have_count(
            len(REGISTERS_ON)
        )
        expect(runs.filter(has_text="esikatselu")).to_have_count(len(REGISTERS_ON))
        assert web.world.writes() > writes, "the sync wrote nothing"
        steps("runs")

        # -- the products run, refused records only: planted cases, Finnish reasons --------
        synced.filter(has_text="Tuotteet").get_by_test_id("run-link").click()
        expect(page).to_have_url(re.compile(rf"/tenants/{tenant}/runs/\d+$"))
        expect(page.get_by_test_id("run-status")).to_have_text("valmis")
        expect(page.get_by_test_id("entries")).to_be_visible()
        steps("products run")
        page.get_by_test_id("filter-status").select_option("refused")
        page.get_by_test_id("filters").get_by_role("button").click()
        expect(page).to_have_url(re.compile(r"[?&]status=refused(&|$)"))
        expect(page.get_by_test_id("filter-status")).to_have_value("refused")
        entries = page.get_by_test_id("entries").locator("tbody tr")
        cases = planted(web, Register.PRODUCTS)
        expect(entries).to_have_count(len(cases))
        others = page.get_by_test_id("entries").locator("tbody tr:not([data-status=refused])")
        expect(others).to_have_count(0)
        for case in cases:
            row = entries.filter(has_text=case.name)
            expect(row).to_have_count(1)
            expect(row).to_contain_text(fixed_text(RULES[case.rule].fi))
            expect(row).not_to_contain_text(fixed_text(RULES[case.rule].en))
            expect(row.get_by_test_id("fix")).to_have_text("Korjaa")
        # Each record shows its source key (here the NetvisorKey, the planted key) under
        # its natural key.
        shown_keys = entries.locator("td:nth-child(2)").all_inner_texts()
        keyed = [case for case in cases if any(case.key in k.split("\n") for k in shown_keys)]
        assert keyed, f"no planted key among {shown_keys}"
        steps("refused records")

        # -- "Korjaa": what the rule asks, where to fix it, and the records it refused -----
        case = keyed[0]
        entries.filter(has_text=case.name).get_by_test_id("fix").click()
        expect(page).to_have_url(f"{served}/tenants/{tenant}/fix/{case.rule}")
        expect(page.locator("main h2")).to_have_text(case.rule)
        expect(page.locator("main")).to_contain_text(fixed_text(RULES[case.rule].fi))
        expect(page.get_by_test_id("fix-place")).to_have_text(
            "Korjaa tiedot Netvisorissa; seuraava ajo siirtää ne."
        )
        expect(page.get_by_test_id("fix-records")).to_contain_text(case.name)
        steps("fix")


def test_viewer_sees_the_company_and_its_runs_with_no_control_that_changes_anything(
    web: WebWorld, served: str, new_page: NewPage, request: pytest.FixtureRequest
) -> None:
    tenant = web.tenant.id
    # A run to look at, made by the KH.
    kh = new_page()
    steps = Steps(kh, request.node.name)
    with steps.recording_failure():
        log_in(kh, served, web.users.kh, PASSWORD, path=f"/login?next=/tenants/{tenant}/runs")
        sync_now(kh)
        steps("kh synced")

    page = steps.page = new_page()
    with steps.recording_failure():
        log_in(page, served, web.users.viewer, PASSWORD)
        overview = page.get_by_test_id("tenants")
        expect(overview).to_contain_text(web.tenant.name)
        expect(overview).to_contain_text("Katselija")
        expect(overview).not_to_contain_text(web.other.name)
        steps("overview")

        def read_only() -> None:
            expect(page.get_by_test_id("readonly")).to_have_text(
                "Sinulla on lukuoikeus: asetuksia ei voi muuttaa."
            )
            for testid in MUTATING:
                expect(page.get_by_test_id(testid), testid).to_have_count(0)
            expect(page.locator("main form[method=post]")).to_have_count(0)

        # -- the settings tab: shown as it is, every input disabled ------------------------
        overview.get_by_role("link", name=web.tenant.name).click()
        expect(page).to_have_url(f"{served}/tenants/{tenant}/settings")
        read_only()
        expect(page.get_by_test_id("customers-severa_to_netvisor")).to_be_checked()
        expect(page.get_by_test_id("customers-severa_to_netvisor")).to_be_disabled()
        expect(page.get_by_test_id("dimensions")).to_be_disabled()
        fields = page.locator("main").locator("input:not([type=hidden]), select, textarea")
        expect(fields).not_to_have_count(0)
        expect(fields.and_(page.locator(":enabled"))).to_have_count(0)
        expect(page.locator("input[type=password]")).to_have_count(0)  # no credential fields
        steps("settings read only")

        # -- the preview tab: the plan can be read, not started ----------------------------
        page.get_by_role("link", name="Seuraavan ajon esikatselu").click()
        expect(page).to_have_url(f"{served}/tenants/{tenant}/preview")
        read_only()
        steps("preview read only")

        # -- the runs and one run's records ------------------------------------------------
        page.get_by_role("link", name="Ajohistoria").click()
        expect(page).to_have_url(f"{served}/tenants/{tenant}/runs")
        read_only()
        runs = page.get_by_test_id("runs").locator("tbody tr")
        expect(runs).to_have_count(len(REGISTERS_ON))
        steps("runs")
        runs.filter(has_text="Laskentakohteet").get_by_test_id("run-link").click()
        expect(page).to_have_url(re.compile(rf"/tenants/{tenant}/runs/\d+$"))
        read_only()
        expect(page.get_by_test_id("run-status")).to_have_text("valmis")
        refused = page.get_by_test_id("entries").locator("tr[data-status=refused]")
        expect(refused).to_have_count(len(planted(web, Register.DIMENSIONS)))
        for case in planted(web, Register.DIMENSIONS):
            expect(refused.filter(has_text=fixed_text(RULES[case.rule].fi))).not_to_have_count(0)
        steps("run detail")


def test_lang_en_shows_english_labels_until_switched_back(
    web: WebWorld, served: str, new_page: NewPage, request: pytest.FixtureRequest
) -> None:
    page = new_page()
    steps = Steps(page, request.node.name)
    tenant = web.tenant.id
    with steps.recording_failure():
        page.goto(f"{served}/login?lang=en")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.locator("main h2")).to_have_text("Log in")
        expect(page.locator("main form")).to_contain_text("Password")
        steps("login english")
        # The choice is remembered (a cookie): the pages after the login stay English.
        log_in(page, served, web.users.kh, PASSWORD, path=f"/login?next=/tenants/{tenant}/settings")
        expect(page).to_have_url(f"{served}/tenants/{tenant}/settings")
        expect(page.locator("html")).to_have_attribute("lang", "en")
        expect(page.get_by_test_id("save-settings")).to_have_text("Save settings")
        expect(page.get_by_test_id("sync")).to_have_text("Sync now")
        expect(page.get_by_test_id("preview")).to_have_text("Preview next run")
        expect(page.locator("legend").first).to_have_text("Customer register")
        expect(page.get_by_role("link", name="Run history")).to_be_visible()
        expect(page.get_by_role("link", name="Settings history")).to_be_visible()
        expect(page.locator("main")).not_to_contain_text("Tallenna asetukset")
        steps("settings english")

        page.get_by_role("link", name="Companies").first.click()
        expect(page.get_by_test_id("tenants")).to_contain_text("KH admin")
        steps("overview english")

        # "Suomeksi" switches back, and that choice is remembered too.
        page.get_by_test_id("lang").click()
        expect(page.locator("html")).to_have_attribute("lang", "fi")
        expect(page.get_by_test_id("tenants")).to_contain_text("KH-pääkäyttäjä")
        page.goto(f"{served}/tenants/{tenant}/settings")
        expect(page.get_by_test_id("save-settings")).to_have_text("Tallenna asetukset")
        expect(page.get_by_test_id("lang")).to_have_text("In English")
        steps("settings finnish again")
