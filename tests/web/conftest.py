"""A world for the web app's tests: the sample companies in both sandboxes, a store with
both demo tenants, one user per role, and the app, all in process over ASGI transports."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import attrs
import httpx
import pytest
from argon2 import PasswordHasher
from playwright.sync_api import Browser, Page, expect, sync_playwright
from starlette.applications import Starlette
from starlette.routing import Mount

from silta.commands.demo import COMPANIES, DemoWorld, demo_world, tenant_config
from silta.endpoints import Endpoints
from silta.store import Accounts, Role, Store
from silta.sync.jobs import Jobs
from silta.tenants import Tenant
from silta.web import WebState, create_app

SANDBOX = "http://sandbox.test"
NETVISOR_URL = f"{SANDBOX}/netvisor"
SEVERA_URL = f"{SANDBOX}/severa"
APP = "http://silta.test"
PASSWORD = "correct horse battery"


@attrs.define
class Users:
    kh: str = "kh@demo.fi"
    viewer: str = "viewer@demo.fi"
    other_kh: str = "other@demo.fi"  # KH of the other tenant only
    operator: str = "ops@silta.fi"


@attrs.define
class WebWorld:
    world: DemoWorld
    store: Store
    accounts: Accounts
    jobs: Jobs
    state: WebState
    tenant: Tenant  # Demo Oy: the users' tenant
    other: Tenant  # Demo Ab
    users: Users
    app: object

    def client(self) -> httpx.AsyncClient:
        """A browser on the app's own pages: its form posts carry the app's ``Origin``, as
        a browser's do."""
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),  # type: ignore[arg-type]
            base_url=APP,
            follow_redirects=False,
            headers={"Origin": APP},
        )


def sandbox_http(world: DemoWorld) -> httpx.AsyncClient:
    apps = Starlette(
        routes=[Mount("/netvisor", app=world.netvisor.app), Mount("/severa", app=world.severa.app)]
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=apps), base_url=SANDBOX)


@pytest.fixture
def web(tmp_path: Path) -> Iterator[WebWorld]:
    store = Store.open(f"sqlite:///{tmp_path / 'web.db'}", key_file=tmp_path / "web.key")
    yield build_web(store)
    store.close()


def build_web(store: Store) -> WebWorld:
    """The sandboxes, both demo tenants, the users and the app over an open, empty store."""
    world = demo_world(seed=3, size=6, severa_rate_limit=None)
    tenants = [
        store.add_tenant(
            tenant_config(company, SANDBOX, world.samples[company.scenario]),
            changed_by="test",
        )
        for company in COMPANIES
    ]
    accounts = Accounts(store, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    users = Users()
    accounts.add_user(users.kh, PASSWORD)
    accounts.add_user(users.viewer, PASSWORD)
    accounts.add_user(users.other_kh, PASSWORD)
    accounts.add_user(users.operator, PASSWORD, operator=True)
    accounts.grant(users.kh, tenants[0].id, Role.KH)
    accounts.grant(users.viewer, tenants[0].id, Role.VIEWER)
    accounts.grant(users.other_kh, tenants[1].id, Role.KH)
    jobs = Jobs(store, http=lambda: sandbox_http(world), severa_rate=1000)
    state = WebState(
        store=store,
        accounts=accounts,
        jobs=jobs,
        http=lambda: sandbox_http(world),
        failed_login_delay=0.0,
        # the operator allows the real services and these sandboxes
        endpoints=Endpoints().adding(netvisor=[NETVISOR_URL], severa=[SEVERA_URL]),
    )
    app = create_app(state)
    return WebWorld(world, store, accounts, jobs, state, tenants[0], tenants[1], users, app)


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "the page has no CSRF token"
    return found.group(1)


async def login(client: httpx.AsyncClient, email: str, password: str = PASSWORD) -> str:
    """Log in through the form; the session's CSRF token (read from the front page)."""
    page = await client.get("/login")
    token = csrf_of(page.text.split('action="/login"', 1)[1])  # not the logout form's
    answer = await client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token, "next": "/"}
    )
    assert answer.status_code == 303, answer.text[:300]
    front = await client.get("/")
    assert front.status_code == 200
    return csrf_of(front.text)


@pytest.fixture
async def kh(web: WebWorld) -> AsyncIterator[tuple[httpx.AsyncClient, str]]:
    async with web.client() as client:
        yield client, await login(client, web.users.kh)


# -- the browser tests (test_browser*.py) ----------------------------------------------------
# Shared by every browser test module; Chromium is launched once per module.

NewPage = Callable[[], Page]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    from tests.web.browser import chromium_or_skip

    executable = chromium_or_skip()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(executable), headless=True, args=["--no-sandbox"]
        )
        # Page loads go through the whole app (and the sandboxes on the settings tab): a
        # loaded CI machine gets more than the default 5 s; the job pages get JOB_TIMEOUT.
        expect.set_options(timeout=10_000)
        yield browser
        browser.close()


@pytest.fixture
def served(web: WebWorld) -> Iterator[str]:
    from tests.served import serve_in_thread

    with serve_in_thread(web.app) as base:  # type: ignore[arg-type]
        yield base


@pytest.fixture
def new_page(browser: Browser) -> Iterator[NewPage]:
    """A page in a fresh browser context (its own cookies: one signed-in user each)."""
    contexts = []

    def make() -> Page:
        context = browser.new_context(
            viewport={"width": 1280, "height": 900},
            locale="fi-FI",
            timezone_id="Europe/Helsinki",
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()
