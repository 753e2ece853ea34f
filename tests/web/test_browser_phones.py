"""Every page on a phone, and through axe-core: no sideways scrolling at 390 px, and no
serious or critical accessibility violation.

One tour over every page the app has (the login page, the overview as a KH and as the
operator, each tab of a company, a run, a record and its search, open refusals, a fix, a
preview, a confirmation, notifications, tokens, people, an invitation and an error page),
in a 390×844 viewport, as a KH admin's phone shows them. On each page the document must not
be wider than the window (``scrollWidth <= innerWidth``: tables scroll inside their own box,
long keys wrap), and axe-core (``axe-playwright-python``, its pinned axe.min.js injected into
the page) must find nothing ``serious`` or ``critical``. Both are collected over the whole
tour and reported together, so one run names everything there is to fix.
"""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page

from silta.domain import Status
from silta.store import History, Invitations, Role
from tests.web.browser import ARTIFACTS, log_in
from tests.web.conftest import PASSWORD, WebWorld
from tests.web.test_browser_history import sync_customers

PHONE = {"width": 390, "height": 844}
SERIOUS = {"serious", "critical"}


def _phone(browser: Browser) -> Page:
    context = browser.new_context(
        viewport=PHONE,
        # not is_mobile: a mobile viewport zooms out to fit a page wider than the phone, and
        # then innerWidth grows with it, which would hide the very overflow measured here
        has_touch=True,
        locale="fi-FI",
        timezone_id="Europe/Helsinki",
    )
    context.set_default_timeout(15_000)
    return context.new_page()


def _tour(web: WebWorld) -> tuple[list[str], list[str], list[str], str]:
    """The pages a KH visits, a viewer's, the operator's, and an invitation's address."""
    run_id = sync_customers(web)
    refused = web.store.entries(run_id, status=Status.REFUSED)
    assert refused and refused[0].refusals, "the sample has a refused customer"
    rule = refused[0].refusals[0].rule
    record = History(web.store).search(web.tenant.id, limit=1).items[0]
    number = next(e.natural_key for e in refused if e.natural_key)
    tenant = f"/tenants/{web.tenant.id}"
    kh = [
        "/",
        f"{tenant}/settings",
        f"{tenant}/preview",
        f"{tenant}/runs",
        f"{tenant}/runs/{run_id}",
        f"{tenant}/records",
        f"{tenant}/records?q={number}",
        f"{tenant}/records/{record.id}",
        f"{tenant}/refusals",
        f"{tenant}/fix/{rule}",
        f"{tenant}/confirm/customers",
        f"{tenant}/history",
        f"{tenant}/notifications",
        f"{tenant}/tokens",
        f"{tenant}/people",
        f"{tenant}/runs/999999",
        "/no/such/page",  # an address no route has: the HTML 404 page
        f"{tenant}/pause",  # the question before pausing
    ]
    operator = ["/", f"{tenant}/settings"]
    viewer = [f"{tenant}/settings", f"{tenant}/runs", f"{tenant}/notifications"]  # read-only
    # something in every table: a token of the KH's, a pending invitation
    web.accounts.create_api_token(web.users.kh, "phone", tenant=web.tenant.id)
    token, _ = Invitations(web.accounts).invite(
        web.tenant.id, "phone@demo.fi", Role.VIEWER, by=web.users.kh
    )
    return kh, viewer, operator, f"/invitations/{token}"


def _check(page: Page, axe: Axe, where: str, wide: list[str], broken: list[str]) -> None:
    page.wait_for_load_state("networkidle")
    widths = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    if widths[0] > min(widths[1], PHONE["width"]):
        offenders = page.evaluate(
            """() => Array.from(document.querySelectorAll('body *'))
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                .filter(e => !e.closest('.scroll'))
                .slice(0, 5)
                .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
                          + (e.dataset.testid ? '[' + e.dataset.testid + ']' : ''))"""
        )
        wide.append(f"{where}: {widths[0]} > {widths[1]} ({', '.join(offenders)})")
    results: Any = axe.run(page)
    for violation in results.response["violations"]:
        if violation["impact"] in SERIOUS:
            targets = [", ".join(node["target"]) for node in violation["nodes"][:3]]
            broken.append(f"{where}: {violation['id']} ({violation['impact']}): {targets}")


def test_every_page_fits_a_phone_and_passes_axe(
    web: WebWorld, served: str, browser: Browser, request: pytest.FixtureRequest
) -> None:
    kh_pages, viewer_pages, operator_pages, invitation = _tour(web)
    axe = Axe()
    wide: list[str] = []
    broken: list[str] = []
    shots = ARTIFACTS / request.node.name
    shots.mkdir(parents=True, exist_ok=True)

    anonymous = _phone(browser)
    for path in ("/login", invitation, "/invitations/not-a-valid-token"):
        anonymous.goto(served + path)
        _check(anonymous, axe, f"anonymous {path[:24]}", wide, broken)

    tours = (
        ("kh", web.users.kh, kh_pages, None),
        ("viewer", web.users.viewer, viewer_pages, None),
        ("operator", web.users.operator, operator_pages, f"{web.users.operator} · Ylläpitäjä"),
    )
    for label, who, pages, shown in tours:
        phone = _phone(browser)
        log_in(phone, served, who, PASSWORD, who=shown)
        for number, path in enumerate(pages):
            phone.goto(served + path)
            _check(phone, axe, f"{label} {path}", wide, broken)
            phone.screenshot(path=shots / f"{label}-{number:02d}.png", full_page=True)
        if label == "kh":  # and every page in English: other words, other widths
            for path in pages:
                phone.goto(f"{served}{path}{'&' if '?' in path else '?'}lang=en")
                _check(phone, axe, f"{label} {path} (en)", wide, broken)
    assert not wide, "pages wider than a 390 px phone:\n" + "\n".join(wide)
    assert not broken, "serious or critical axe-core violations:\n" + "\n".join(broken)
