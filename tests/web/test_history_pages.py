"""The history pages as a browser reads them: runs filtered and paged, a run's records
paged, the record search and a record's timeline, the open refusals, the CSV downloads, the
fleet overview, failures and triggers in words, and the progress of a running run."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import attrs
import httpx
import pytest
from lxml.html import HtmlElement

from silta.domain import Action, Register, RunKind, RunStatus
from silta.registers.rules import RULES
from silta.store import Detail, History
from silta.web.exports import BOM, csv_lines, safe_cell
from silta.web.health import Health

from .conftest import WebWorld, login
from .history_data import CONNECT_ERROR, CREDENTIALS_ERROR, customer, record_run, seed_fleet
from .test_pages import by_testid, entry_rows, one, page, selected, sync_now, text

Client = tuple[httpx.AsyncClient, str]


def inside(element: HtmlElement, testid: str) -> HtmlElement:
    """The one element of ``testid`` within ``element`` (``one`` searches the whole page)."""
    [found] = element.xpath(f'.//*[@data-testid="{testid}"]')
    return found  # type: ignore[no-any-return]


def rows_of(tree: HtmlElement, testid: str) -> list[HtmlElement]:
    found: list[HtmlElement] = tree.xpath(f'//table[@data-testid="{testid}"]/tbody/tr')
    return found


def run_ids(tree: HtmlElement) -> list[int]:
    return [int(row.get("data-run-id")) for row in rows_of(tree, "runs")]


def follow(tree: HtmlElement, testid: str) -> str:
    [link] = by_testid(tree, testid)
    href: str = link.get("href")
    return href


def read_csv(answer: httpx.Response) -> list[list[str]]:
    assert answer.status_code == 200, answer.text[:300]
    assert answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"].startswith('attachment; filename="silta-')
    assert answer.content.startswith(BOM.encode("utf-8"))  # Excel reads it as UTF-8
    body = answer.content.decode("utf-8").removeprefix(BOM)
    assert "\r\n" in body
    return list(csv.reader(io.StringIO(body, newline=""), delimiter=";"))


# -- the runs ---------------------------------------------------------------------------------


async def test_runs_say_who_started_them_and_filter_and_page(web: WebWorld, kh: Client) -> None:
    client, _ = kh
    tenant = web.tenant.id
    scheduled = [record_run(web.store, tenant, trigger=f"schedule #{n}") for n in range(55)]
    synced = record_run(web.store, tenant, trigger="sync now: kh@demo.fi (job 3)")
    cli = record_run(web.store, tenant, trigger="manual", register=Register.PRODUCTS)
    preview = record_run(web.store, tenant, trigger="preview: kh@demo.fi", dry_run=True)
    failed = record_run(web.store, tenant, status=RunStatus.FAILED, error=CONNECT_ERROR)
    newest = [failed, preview, cli, synced, *reversed(scheduled)]

    first = page(await client.get(f"/tenants/{tenant}/runs"))
    assert run_ids(first) == newest[:50]
    triggers = [text(cell) for cell in by_testid(first, "trigger")]
    assert triggers[:4] == [
        "Ajastettu ajo", "Esikatselu: kh@demo.fi", "Komentorivi", "Synkronoi nyt: kh@demo.fi",
    ]  # fmt: skip
    assert "schedule #" not in first.text_content()
    second = page(await client.get(follow(first, "pager-next")))
    assert run_ids(second) == newest[50:]
    assert by_testid(second, "pager-next") == []
    back = page(await client.get(follow(second, "pager-previous")))
    assert run_ids(back) == newest[:50]

    async def ids(**params: str) -> list[int]:
        answer = await client.get(f"/tenants/{tenant}/runs", params=params)
        assert answer.status_code == 200
        tree = page(answer)
        for name, value in params.items():
            assert selected(one(tree, f"filter-{name}")) == [value] or name in ("since", "until")
        return run_ids(tree)

    assert await ids(trigger="sync_now") == [synced]
    assert await ids(trigger="cli") == [cli]
    assert await ids(register="products") == [cli]
    assert await ids(status="failed") == [failed]
    assert await ids(preview="preview") == [preview]
    assert preview not in await ids(preview="real")
    today = datetime.now(ZoneInfo("Europe/Helsinki")).date()
    assert len(await ids(since=today.isoformat(), until=today.isoformat())) == 50
    assert await ids(since=(today + timedelta(days=1)).isoformat()) == []
    assert await ids(until=(today - timedelta(days=1)).isoformat()) == []
    empty = page(await client.get(f"/tenants/{tenant}/runs", params={"trigger": "demo"}))
    assert text(one(empty, "runs-none")) == "Ei ajoja näillä ehdoilla."
    for bad in ({"since": "31.12.2026"}, {"trigger": "nobody"}, {"after": "x"},
                {"preview": "maybe"}):  # fmt: skip
        assert (await client.get(f"/tenants/{tenant}/runs", params=bad)).status_code == 422


async def test_a_failure_is_said_in_words_with_the_detail_one_click_away(
    web: WebWorld, kh: Client
) -> None:
    client, _ = kh
    tenant = web.tenant.id
    failed = record_run(web.store, tenant, status=RunStatus.FAILED, error=CONNECT_ERROR)
    runs = await client.get(f"/tenants/{tenant}/runs")
    [row] = [r for r in rows_of(page(runs), "runs") if r.get("data-run-id") == str(failed)]
    assert text(inside(row, "failure")) == "Netvisor ei vastaa"
    assert "NetvisorConnectError" not in runs.text and "ConnectError" not in runs.text
    detail = page(await client.get(f"/tenants/{tenant}/runs/{failed}"))
    assert text(one(detail, "failure")) == "Netvisor ei vastaa"
    details = one(detail, "failure-details")
    assert text(details).startswith("Tekniset tiedot")
    assert CONNECT_ERROR in text(details)
    english = page(await client.get(f"/tenants/{tenant}/runs/{failed}?lang=en"))
    assert text(one(english, "failure")) == "Netvisor did not answer"
    assert text(one(english, "failure-details")).startswith("Technical details")


# -- a run's records ----------------------------------------------------------------------


async def test_a_large_runs_records_come_a_page_at_a_time_and_whole_as_csv(
    web: WebWorld, kh: Client
) -> None:
    client, _ = kh
    tenant = web.tenant.id
    entries = [
        customer(n, refused="customers.severa.business_id_missing" if n % 10 == 0 else None)
        for n in range(1, 251)
    ]
    # a name typed into Severa is not a formula when the download is opened
    entries[4] = customer(5, name='=HYPERLINK("http://evil.example";"Klikkaa")')
    entries[5] = customer(6, name='-1+2; "lainaus"\nrivi')
    run_id = record_run(web.store, tenant, entries)
    base = f"/tenants/{tenant}/runs/{run_id}"
    first = page(await client.get(base))
    assert len(entry_rows(first)) == 100
    second = page(await client.get(follow(first, "pager-next")))
    third = page(await client.get(follow(second, "pager-next")))
    shown = [*entry_rows(first), *entry_rows(second), *entry_rows(third)]
    assert [row["key"] for row in shown] == [f"{n}guid-{n}" for n in range(1, 251)]
    assert by_testid(third, "pager-next") == []
    refused = page(await client.get(base, params={"status": "refused"}))
    assert [row["key"] for row in entry_rows(refused)] == [
        f"{n}guid-{n}" for n in range(10, 251, 10)
    ]
    assert follow(refused, "csv") == f"{base}/records.csv?status=refused"

    rows = read_csv(await client.get(f"{base}/records.csv"))
    assert rows[0][:6] == ["Rekisteri", "Tunnus", "Lähdetunnus", "Nimi", "Toimenpide", "Tila"]
    assert len(rows) == 251 and [row[1] for row in rows[1:]] == [str(n) for n in range(1, 251)]
    assert rows[5][3] == '\'=HYPERLINK("http://evil.example";"Klikkaa")'
    assert rows[6][3] == '\'-1+2; "lainaus"\nrivi'
    assert rows[10][5] == "hylätty" and rows[10][8] == "Asiakkaalta 10 puuttuu Y-tunnus"
    assert rows[10][9] == "customers.severa.business_id_missing"
    only = read_csv(await client.get(f"{base}/records.csv", params={"status": "refused"}))
    assert len(only) == 26
    english = read_csv(await client.get(f"{base}/records.csv", params={"lang": "en"}))
    assert english[0][:3] == ["Register", "Key", "Source key"] and english[10][5] == "refused"


def test_csv_cells_never_start_a_formula_and_the_file_streams_in_chunks() -> None:
    for dangerous in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert safe_cell(dangerous) == "'" + dangerous
    for harmless in ("1011", "Äänekoski Oy", "", "a=b", " =1"):
        assert safe_cell(harmless) == harmless
    assert safe_cell(None) == "" and safe_cell(12) == "12"
    chunks = list(csv_lines(["a", "b"], ([n, f"rivi {n}"] for n in range(1000))))
    assert len(chunks) == 6  # the header, then 200 rows at a time
    assert chunks[0] == (BOM + "a;b\r\n").encode("utf-8")
    assert b"".join(chunks).decode("utf-8").count("\r\n") == 1001


# -- the record search and a record's timeline ----------------------------------------------


async def test_a_customer_is_found_by_number_and_its_timeline_tells_why_it_was_refused(
    web: WebWorld, kh: Client
) -> None:
    client, _ = kh
    tenant = web.tenant.id
    rule = "customers.severa.business_id_missing"
    refused_run = record_run(web.store, tenant, [customer(1011, refused=rule), customer(1012)])
    preview_run = record_run(web.store, tenant, [customer(1011, refused=rule)], dry_run=True,
                             trigger="preview: kh@demo.fi")  # fmt: skip
    fixed_run = record_run(web.store, tenant, [customer(1011, action=Action.CREATE)])
    record_run(web.store, web.other.id, [customer(1011, name="Toinen Oy")])

    empty = page(await client.get(f"/tenants/{tenant}/records"))
    assert rows_of(empty, "records") == []  # nothing searched yet
    found = page(await client.get(f"/tenants/{tenant}/records", params={"q": "1011"}))
    [row] = rows_of(found, "records")
    assert "Asiakas 1011 Oy" in text(row) and "Toinen Oy" not in text(found)
    timeline = page(await client.get(follow(row, "record-link")))
    assert "1011" in text(one(timeline, "record-title"))
    lines = rows_of(timeline, "timeline")
    assert [line.get("data-run-id") for line in lines] == [
        str(fixed_run), str(preview_run), str(refused_run),
    ]  # fmt: skip
    assert [line.get("data-status") for line in lines] == ["done", "refused", "refused"]
    assert "esikatselu" in text(lines[1])
    assert "Asiakkaalta 1011 puuttuu Y-tunnus" in text(lines[2])
    assert "Ajastettu ajo" in text(lines[2])
    only = page(
        await client.get(
            follow(row, "record-link"), params={"preview": "real", "status": "refused"}
        )
    )
    assert [line.get("data-run-id") for line in rows_of(only, "timeline")] == [str(refused_run)]

    rows = read_csv(await client.get(follow(timeline, "csv")))
    assert rows[0][:5] == ["Ajo", "Alkoi", "Käynnistäjä", "Esikatselu", "Rekisteri"]
    assert [r[0] for r in rows[1:]] == [str(fixed_run), str(preview_run), str(refused_run)]
    assert rows[3][3] == "ei" and rows[2][3] == "kyllä"
    assert rows[3][12] == "Asiakkaalta 1011 puuttuu Y-tunnus"
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", rows[3][1])
    listed = read_csv(await client.get(follow(found, "csv")))
    assert [r[1] for r in listed[1:]] == ["1011"]
    none = page(await client.get(f"/tenants/{tenant}/records", params={"q": "ei ole"}))
    assert text(one(none, "records-none")) == "Ei löytynyt tietueita."


async def test_another_companys_record_does_not_exist(web: WebWorld, kh: Client) -> None:
    client, _ = kh
    record_run(web.store, web.other.id, [customer(7)])
    theirs = History(web.store).search(web.other.id, "7").items[0].id
    assert (await client.get(f"/tenants/{web.tenant.id}/records/{theirs}")).status_code == 404
    answer = await client.get(f"/tenants/{web.tenant.id}/records/{theirs}/timeline.csv")
    assert answer.status_code == 404


# -- open refusals ------------------------------------------------------------------------


async def test_open_refusals_after_a_sync_are_the_planted_cases_by_rule(
    web: WebWorld, kh: Client
) -> None:
    client, _ = kh
    await sync_now(client, web)
    tree = page(await client.get(f"/tenants/{web.tenant.id}/refusals"))
    planted = web.world.samples["a"].planted
    by_rule: dict[str, int] = {}
    for case in planted:
        by_rule[case.rule] = by_rule.get(case.rule, 0) + 1
    counts = {
        element.get("data-rule"): int(text(element).split()[0])
        for element in by_testid(tree, "rule-count")
    }
    assert counts == by_rule
    assert text(one(tree, "refusals-total")).startswith(f"{len(planted)} tietuetta")
    for group in by_testid(tree, "rule-group"):
        rule = RULES[group.get("data-rule")]
        # the rule's words as the fix page has them, and where to fix it
        fixed = max(re.split(r"\{[^}]*\}", rule.fi), key=len).strip(" :;,.()")
        assert fixed in text(group)
        assert text(inside(group, "fix-place"))
    rows = read_csv(await client.get(f"/tenants/{web.tenant.id}/refusals.csv"))
    assert len(rows) == 1 + len(planted)
    assert {row[1] for row in rows[1:]} == set(by_rule)
    # the overview's refusals badge leads here
    overview = page(await client.get("/"))
    links = overview.xpath('//a[@class="badge-link"]/@href')
    assert f"/tenants/{web.tenant.id}/refusals" in links


# -- the operator's fleet -----------------------------------------------------------------


async def test_the_operator_filters_searches_sorts_and_pages_200_companies(web: WebWorld) -> None:
    fleet = seed_fleet(web.store, 200)
    async with web.client() as client:
        await login(client, web.users.operator)
        front = page(await client.get("/"))
        assert text(one(front, "total-all")) == "202 yritystä"  # and the two demo companies
        total = int(one(front, "total-failing").get("data-count"))
        assert total == len(fleet.ids[Health.FAILING])
        # fine: every register switched on is OK (a failing company's products are fine too)
        assert int(one(front, "total-ok").get("data-count")) == len(fleet.ids[Health.OK])
        assert len(rows_of(front, "tenants")) == 50
        # worst first: the credentials rejected, then the failing
        first = [int(r.get("data-tenant-id")) for r in rows_of(front, "tenants")]
        assert first[: len(fleet.ids[Health.CREDENTIALS])] == fleet.ids[Health.CREDENTIALS]
        failing_page = page(await client.get(follow(front, "total-failing")))
        shown = [int(r.get("data-tenant-id")) for r in rows_of(failing_page, "tenants")]
        assert shown == fleet.ids[Health.FAILING]
        for row in rows_of(failing_page, "tenants"):
            assert text(inside(row, "failure")) == "Netvisor ei vastaa"
            assert inside(row, "failure").get("href").startswith("/tenants/")
        assert "NetvisorConnectError" not in failing_page.text_content()
        assert text(one(failing_page, "fleet-matching")) == f"Ehdot täyttää {total} yritystä."
        searched = page(await client.get("/", params={"q": "laivasto 01", "state": "failing"}))
        names = [text(r).split(" Oy")[0] for r in rows_of(searched, "tenants")]
        assert names and all(name.startswith("Laivasto 01") for name in names)
        paused = page(await client.get("/", params={"state": "paused", "sort": "name"}))
        assert [int(r.get("data-tenant-id")) for r in rows_of(paused, "tenants")] == fleet.ids[
            "paused"
        ]
        stale = page(await client.get("/", params={"sort": "stale"}))
        never = {*fleet.ids[Health.NEVER], web.tenant.id, web.other.id}
        first_ids = [int(r.get("data-tenant-id")) for r in rows_of(stale, "tenants")]
        assert set(first_ids[: len(never)]) == never  # never run: the stalest of all
        pages = [front]
        while by_testid(pages[-1], "pager-next"):
            pages.append(page(await client.get(follow(pages[-1], "pager-next"))))
        every = [int(r.get("data-tenant-id")) for p in pages for r in rows_of(p, "tenants")]
        assert len(pages) == 5 and len(every) == len(set(every)) == 202
        for bad in ({"state": "doomed"}, {"sort": "random"}, {"page": "x"}):
            assert (await client.get("/", params=bad)).status_code == 422
    async with web.client() as client:  # a KH sees their own company only
        await login(client, web.users.kh)
        mine = page(await client.get("/"))
        assert [int(r.get("data-tenant-id")) for r in rows_of(mine, "tenants")] == [web.tenant.id]
        assert text(one(mine, "total-all")) == "1 yritystä"


async def test_credentials_rejected_is_its_own_state_and_words(web: WebWorld) -> None:
    record_run(web.store, web.tenant.id, status=RunStatus.FAILED, error=CREDENTIALS_ERROR)
    async with web.client() as client:
        await login(client, web.users.operator)
        tree = page(await client.get("/", params={"state": "credentials", "lang": "en"}))
        [row] = rows_of(tree, "tenants")
        assert text(inside(row, "failure")) == "Credentials or access rights were rejected"
        assert text(one(tree, "total-credentials")) == "Credentials rejected: 1"


# -- live progress ------------------------------------------------------------------------


async def test_a_running_run_shows_its_progress_on_every_page_without_a_job(
    web: WebWorld, kh: Client
) -> None:
    client, _ = kh
    tenant = web.tenant.id
    run_id = record_run(web.store, tenant, status=RunStatus.RUNNING)
    web.store.report_progress(run_id, read=1200, done=450, written=300)
    for path in (f"/tenants/{tenant}/runs", f"/tenants/{tenant}/runs/{run_id}",
                 f"/tenants/{tenant}/settings", f"/tenants/{tenant}/preview"):  # fmt: skip
        answer = await client.get(path)
        block = one(page(answer), "progress")
        assert block.get("data-progress-url") == f"/tenants/{tenant}/progress", path
        assert block.get("data-progress-runs") == str(run_id), path
        words = "Asiakkaat: luettu 1\u00a0200, käsitelty 450 / 1\u00a0200, kirjoitettu 300"
        assert words in block.text_content(), path
        assert '<noscript><meta http-equiv="refresh"' in answer.text, path
    progress = await client.get(f"/tenants/{tenant}/progress")
    assert progress.headers["content-type"] == "application/json"
    assert progress.json() == {
        "going": True,
        "job": None,
        "runs": [{
            "id": run_id, "register": "customers", "read": 1200, "done": 450, "written": 300,
            "text": "Asiakkaat: luettu 1\u00a0200, käsitelty 450 / 1\u00a0200, kirjoitettu 300",
        }],
    }  # fmt: skip
    english = (await client.get(f"/tenants/{tenant}/progress?lang=en")).json()
    assert (
        english["runs"][0]["text"] == "Customers: 1,200 read, 450 of 1,200 processed, 300 written"
    )
    web.store.finish_run(run_id, RunStatus.COMPLETED, counts={"updated": 300})
    assert (await client.get(f"/tenants/{tenant}/progress")).json() == {
        "going": False, "job": None, "runs": [],
    }  # fmt: skip
    after = await client.get(f"/tenants/{tenant}/runs")
    assert by_testid(page(after), "progress") == [] and "noscript" not in after.text


async def test_progress_is_the_tenants_own(web: WebWorld) -> None:
    record_run(web.store, web.other.id, status=RunStatus.RUNNING)
    async with web.client() as client:
        await login(client, web.users.kh)
        assert (await client.get(f"/tenants/{web.tenant.id}/progress")).json()["runs"] == []
        assert (await client.get(f"/tenants/{web.other.id}/progress")).status_code == 404


@pytest.mark.parametrize("path", ["records", "refusals", "runs"])
async def test_the_new_tabs_are_in_the_tenant_bar(web: WebWorld, kh: Client, path: str) -> None:
    client, _ = kh
    tree = page(await client.get(f"/tenants/{web.tenant.id}/{path}"))
    assert follow(tree, "records-tab") == f"/tenants/{web.tenant.id}/records"
    assert follow(tree, "refusals-tab") == f"/tenants/{web.tenant.id}/refusals"


async def test_a_refusal_of_the_night_stays_open_after_the_incremental_runs_of_the_day(
    web: WebWorld, kh: Client
) -> None:
    """The incremental runs after a full run do not read a refused record again (the
    watermark passed it): the refusal is still open, on the refusals page and the fix page."""
    client, _ = kh
    tenant = web.tenant.id
    rule = "customers.severa.business_id_missing"
    night = record_run(web.store, tenant, [customer(1011, refused=rule), customer(1012)],
                       kind=RunKind.FULL)  # fmt: skip
    record_run(web.store, tenant, [customer(1012)])  # the day's incremental runs
    record_run(web.store, tenant)
    refusals = page(await client.get(f"/tenants/{tenant}/refusals"))
    [group] = by_testid(refusals, "rule-group")
    assert group.get("data-rule") == rule and "1011" in text(group)
    fix = page(await client.get(f"/tenants/{tenant}/fix/{rule}"))
    [item] = one(fix, "fix-records").xpath("./li")
    assert "1011" in text(item) and f"#{night}" in text(item)
    # fixed at last: nothing is open any more
    record_run(web.store, tenant, [customer(1011, action=Action.CREATE)])
    cleared = page(await client.get(f"/tenants/{tenant}/refusals"))
    assert text(one(cleared, "refusals-none")) == "Ei avoimia hylkäyksiä."
    assert (
        one(page(await client.get(f"/tenants/{tenant}/fix/{rule}")), "fix-records").xpath("./li")
        == []
    )


async def test_a_records_details_show_on_the_page_in_the_api_and_in_the_csv(
    web: WebWorld, kh: Client
) -> None:
    client, _ = kh
    tenant = web.tenant.id
    facts = (Detail("customer", "Asiakas 1 Oy"), Detail("total", "1240.00"))
    run_id = record_run(web.store, tenant, [attrs.evolve(customer(1), details=facts)])
    base = f"/tenants/{tenant}/runs/{run_id}"
    shown = page(await client.get(base))
    cells = shown.xpath("//*[@data-detail]")
    assert [(c.get("data-detail"), text(c)) for c in cells] == [
        ("customer", "Asiakas: Asiakas 1 Oy"),
        ("total", "Summa: 1240.00"),
    ]
    rows = read_csv(await client.get(f"{base}/records.csv"))
    assert rows[0][-1] == "Tiedot" and rows[1][-1] == "Asiakas: Asiakas 1 Oy; Summa: 1240.00"
    english = page(await client.get(base, params={"lang": "en"}))
    assert [text(c) for c in english.xpath("//*[@data-detail]")][1] == "Total: 1240.00"
