"""The console's history in a real browser: a KH answers "why was this customer refused
last week?" in two clicks and downloads the answer, the operator finds the failing companies
among 200, and a running run's progress moves on a page that nobody reloads.

Debian's Chromium driven by Playwright, as in :mod:`tests.web.test_browser` (the fixtures
are in ``conftest.py``); screenshots of each step under ``tests/artifacts/browser/``.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect
from sqlalchemy import update

from silta.domain import Register, RunStatus, Status
from silta.store.models import RunRow
from silta.sync import sync_tenant
from silta.web.exports import BOM
from tests.web.browser import Steps, log_in
from tests.web.conftest import PASSWORD, NewPage, WebWorld, sandbox_http
from tests.web.history_data import CONNECT_ERROR, record_run, seed_fleet

HELSINKI = ZoneInfo("Europe/Helsinki")


def sync_customers(web: WebWorld) -> int:
    """A real run of the customers register against the sandboxes; its id."""

    async def run() -> int:
        async with sandbox_http(web.world) as http:
            [result] = await sync_tenant(
                web.store, web.tenant, registers=(Register.CUSTOMERS,), http=http,
                severa_rate=1000, trigger="schedule #41",
            )  # fmt: skip
        return result.run_id

    # in a thread of its own: Playwright's sync API keeps an event loop running in this one
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result()


def move_back(web: WebWorld, run_id: int, days: int) -> None:
    """The run as if it had run ``days`` ago (its records' order stays: the ids)."""
    run = web.store.run(run_id)
    assert run.finished_at is not None
    with web.store.engine.begin() as connection:
        connection.execute(
            update(RunRow)
            .where(RunRow.id == run_id)
            .values(
                started_at=run.started_at - timedelta(days=days),
                finished_at=run.finished_at - timedelta(days=days),
                heartbeat_at=run.finished_at - timedelta(days=days),
            )
        )


def test_a_kh_finds_last_weeks_refusal_of_a_customer_by_number_and_downloads_it(
    web: WebWorld, served: str, new_page: NewPage, request: pytest.FixtureRequest
) -> None:
    last_week = sync_customers(web)
    move_back(web, last_week, 7)
    today = sync_customers(web)
    refused = [e for e in web.store.entries(last_week, status=Status.REFUSED) if e.natural_key]
    assert refused, "the sample has a refused customer with a number"
    wanted = refused[0]
    number = wanted.natural_key or ""
    when = web.store.run(last_week).started_at.astimezone(HELSINKI).strftime("%d.%m.%Y")

    page = new_page()
    steps = Steps(page, request.node.name)
    tenant = web.tenant.id
    with steps.recording_failure():
        log_in(page, served, web.users.kh, PASSWORD, path=f"/login?next=/tenants/{tenant}/runs")
        page.get_by_test_id("records-tab").click()
        expect(page).to_have_url(f"{served}/tenants/{tenant}/records")
        # click one: the number, and Enter
        page.get_by_test_id("q").fill(number)
        page.get_by_test_id("q").press("Enter")
        results = page.get_by_test_id("records").locator("tbody tr")
        expect(results.first).to_contain_text(number)
        steps("search by number")
        # click two: the customer
        results.filter(has_text=wanted.name or number).get_by_test_id("record-link").click()
        expect(page.get_by_test_id("record-title")).to_contain_text(number)
        timeline = page.get_by_test_id("timeline").locator("tbody tr")
        expect(timeline).to_have_count(2)
        expect(timeline.nth(0)).to_have_attribute("data-run-id", str(today))
        week_ago = timeline.nth(1)
        expect(week_ago).to_have_attribute("data-run-id", str(last_week))
        expect(week_ago).to_have_attribute("data-status", "refused")
        expect(week_ago).to_contain_text(when)
        expect(week_ago).to_contain_text("Ajastettu ajo")
        expect(week_ago).to_contain_text(wanted.refusals[0].message_fi)
        steps("the timeline")

        with page.expect_download() as download:
            page.get_by_test_id("csv").click()
        saved = download.value
        assert re.fullmatch(r"silta-record-\d+\.csv", saved.suggested_filename)
        raw = Path(saved.path()).read_bytes()
        assert raw.startswith(BOM.encode("utf-8"))
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8").removeprefix(BOM)), delimiter=";"))
        assert rows[0][:4] == ["Ajo", "Alkoi", "Käynnistäjä", "Esikatselu"]
        assert [row[0] for row in rows[1:]] == [str(today), str(last_week)]
        assert rows[2][1].startswith(when) and rows[2][9] == "hylätty"
        assert wanted.refusals[0].message_fi in rows[2][12]


def test_the_operator_filters_the_overview_to_the_failing_among_200_companies(
    web: WebWorld, served: str, new_page: NewPage, request: pytest.FixtureRequest
) -> None:
    fleet = seed_fleet(web.store, 200)
    failing = fleet.ids["failing"]
    page = new_page()
    steps = Steps(page, request.node.name)
    with steps.recording_failure():
        log_in(page, served, web.users.operator, PASSWORD, who="ops@silta.fi · Ylläpitäjä")
        expect(page.get_by_test_id("total-all")).to_have_text("202 yritystä")
        expect(page.get_by_test_id("tenants").locator("tbody tr")).to_have_count(50)
        steps("the fleet")
        page.get_by_test_id("fleet-state").select_option("failing")
        page.get_by_test_id("fleet-apply").click()
        expect(page).to_have_url(re.compile(r"[?&]state=failing(&|$)"))
        rows = page.get_by_test_id("tenants").locator("tbody tr")
        expect(rows).to_have_count(len(failing))
        shown = [int(r) for r in rows.evaluate_all("rs => rs.map(r => r.dataset.tenantId)")]
        assert sorted(shown) == sorted(failing)
        expect(rows.get_by_test_id("failure")).to_have_count(len(failing))
        for words in rows.get_by_test_id("failure").all_inner_texts():
            assert words == "Netvisor ei vastaa"
        expect(page.locator("main")).not_to_contain_text("ConnectError")
        steps("the failing companies")
        # the detail is one click away, behind "Tekniset tiedot"
        rows.first.get_by_test_id("failure").click()
        expect(page.get_by_test_id("run-status")).to_have_text("epäonnistui")
        details = page.get_by_test_id("failure-details")
        expect(details.locator("code")).to_be_hidden()
        details.locator("summary").click()
        expect(details.locator("code")).to_have_text(CONNECT_ERROR)
        steps("the failed run")


def test_a_running_runs_progress_moves_on_a_page_nobody_reloads(
    web: WebWorld, served: str, new_page: NewPage, request: pytest.FixtureRequest
) -> None:
    run_id = record_run(web.store, web.tenant.id, status=RunStatus.RUNNING)
    web.store.report_progress(run_id, read=1000, done=100, written=40)
    page = new_page()
    steps = Steps(page, request.node.name)
    tenant = web.tenant.id
    with steps.recording_failure():
        log_in(page, served, web.users.viewer, PASSWORD, path=f"/login?next=/tenants/{tenant}/runs")
        row = page.locator(f'[data-run-progress="{run_id}"]')
        expect(row).to_contain_text("käsitelty 100 / 1\u00a0000")
        page.evaluate("window.notReloaded = true")
        web.store.report_progress(run_id, read=1000, done=640, written=600)
        expect(row).to_contain_text("käsitelty 640 / 1\u00a0000, kirjoitettu 600", timeout=10_000)
        expect(row.locator("progress")).to_have_attribute("value", "640")
        assert page.evaluate("window.notReloaded") is True  # the same page, updated in place
        steps("progress")
        web.store.finish_run(run_id, RunStatus.COMPLETED, counts={"updated": 600})
        expect(page.get_by_test_id("progress")).to_have_count(0, timeout=10_000)
        assert page.evaluate("window.notReloaded === undefined")  # it reloaded itself
        done = page.locator(f'tr[data-run-id="{run_id}"]')
        expect(done.locator(".runstatus")).to_have_text("valmis")
        steps("finished")


def test_a_failing_run_of_the_fleet_names_no_exception_anywhere_on_the_overview(
    web: WebWorld, served: str, new_page: NewPage
) -> None:
    record_run(web.store, web.tenant.id, status=RunStatus.FAILED, error=CONNECT_ERROR)
    page = new_page()
    log_in(page, served, web.users.kh, PASSWORD)
    expect(page.get_by_test_id("failure")).to_have_text("Netvisor ei vastaa")
    expect(page.locator("body")).not_to_contain_text("NetvisorConnectError")
