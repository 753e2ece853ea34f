"""No page of another origin can frame the settings tab, in a real browser.

A signed-in KH visits an attacker's page that frames the settings tab (with its "Sync now"
and "Pause" buttons) to trick a click. Two attackers: one cross-site (``localhost`` against
the app's ``127.0.0.1``) and one same-site (the app's own host on another port: cookies with
``SameSite=Lax`` do go along). ``frame-ancestors 'none'`` and ``X-Frame-Options: DENY`` must
leave both frames without the tab. The control serves the same app without its hardening:
the same-site attacker then does frame the signed-in tab, so the test can fail.
"""

from __future__ import annotations

import types
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from playwright.sync_api import Page
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from silta.web import create_app
from tests.served import serve_in_thread
from tests.web.browser import log_in
from tests.web.conftest import PASSWORD, NewPage, WebWorld


def _attacker() -> Starlette:
    async def page(request: Request) -> HTMLResponse:
        target = request.query_params["target"]
        return HTMLResponse(
            "<!doctype html><title>Win a prize</title>"
            f'<iframe id="victim" src="{target}" width="1000" height="700"></iframe>'
        )

    return Starlette(routes=[Route("/", page)])


@pytest.fixture
def attacker() -> Iterator[int]:
    with serve_in_thread(_attacker()) as base:
        yield int(base.rsplit(":", 1)[1])


def _framed(page: Page, url: str) -> tuple[bool, bool]:
    """What the attacker's frame holds: (any page of Silta's, the signed-in settings tab).

    A cross-site frame gets no session cookie (``SameSite=Lax``), so without the headers it
    would hold the login page; a same-site one would hold the tab itself.
    """
    page.goto(url)
    page.wait_for_load_state("load")
    frame = page.frame_locator("#victim")
    page.wait_for_timeout(500)  # a blocked frame shows Chromium's error page, not an event
    silta = frame.locator("a.brand").count() > 0
    return silta, frame.locator('[data-testid="settings-form"]').count() > 0


def test_neither_a_cross_site_nor_a_same_site_page_can_frame_the_settings_tab(
    web: WebWorld, new_page: NewPage, attacker: int
) -> None:
    with serve_in_thread(web.app) as base:  # type: ignore[arg-type]
        page = new_page()
        log_in(page, base, web.users.kh, PASSWORD)
        settings = f"{base}/tenants/{web.tenant.id}/settings"
        page.goto(settings)
        assert page.get_by_test_id("settings-form").count() == 1  # signed in, it is there
        for host in ("localhost", "127.0.0.1"):  # cross-site, same-site
            framed = _framed(page, f"http://{host}:{attacker}/?target={settings}")
            assert framed == (False, False), host


def test_the_control_without_hardening_is_framed(
    web: WebWorld, new_page: NewPage, attacker: int
) -> None:
    """The same app with its hardening taken off: the cross-site attacker frames its login
    page and the same-site one the signed-in tab, which is what the headers prevent above."""
    bare = create_app(web.state)
    bare.build_middleware_stack = types.MethodType(FastAPI.build_middleware_stack, bare)  # type: ignore[method-assign]
    with serve_in_thread(bare) as base:  # type: ignore[arg-type]
        page = new_page()
        log_in(page, base, web.users.kh, PASSWORD)
        settings = f"{base}/tenants/{web.tenant.id}/settings"
        assert _framed(page, f"http://localhost:{attacker}/?target={settings}") == (True, False)
        assert _framed(page, f"http://127.0.0.1:{attacker}/?target={settings}") == (True, True)
