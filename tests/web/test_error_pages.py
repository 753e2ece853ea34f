"""Error pages: a browser's page route answers 404, 405, 422 and 500 with a page in the UI's
language (the security headers on it, nothing of the request or the exception echoed);
the API keeps its JSON."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import APIRouter

from tests.web.conftest import APP, WebWorld, login
from tests.web.test_hardening import assert_hardened

MARKER = "planted-marker-7d1f"


@pytest.fixture
async def crashing(web: WebWorld) -> AsyncIterator[httpx.AsyncClient]:
    """The app with a page and an API route that fail as a fault of Silta's would."""
    router = APIRouter()

    @router.get("/tenants/{tenant_id}/crash")
    async def page_crash(tenant_id: int) -> None:
        raise RuntimeError(f"secret detail {MARKER}")

    @router.get("/api/v1/crash")
    async def api_crash() -> None:
        raise RuntimeError(f"secret detail {MARKER}")

    web.app.include_router(router)  # type: ignore[attr-defined]
    transport = httpx.ASGITransport(app=web.app, raise_app_exceptions=False)  # type: ignore[arg-type]
    async with httpx.AsyncClient(
        transport=transport, base_url=APP, headers={"Origin": APP}
    ) as client:
        yield client


@pytest.mark.parametrize(
    ("lang", "words"),
    [("fi", "Sivua ei löydy."), ("en", "Page not found.")],
)
async def test_an_unknown_address_is_a_page_in_the_users_language(
    web: WebWorld, lang: str, words: str
) -> None:
    async with web.client() as client:
        client.cookies.set("silta_lang", lang)
        for signed_in in (False, True):
            if signed_in:
                await login(client, web.users.kh)
            answer = await client.get(f"/no/such/{MARKER}")
            assert answer.status_code == 404
            assert answer.headers["content-type"].startswith("text/html")
            assert words in answer.text
            assert MARKER not in answer.text  # the address asked for is not echoed
            assert '{"detail"' not in answer.text
            assert f'<html lang="{lang}">' in answer.text
            assert_hardened(answer, "404")


async def test_a_wrong_method_and_a_bad_filter_are_pages(web: WebWorld) -> None:
    async with web.client() as client:
        await login(client, web.users.kh)
        wrong = await client.get("/logout")
        assert wrong.status_code == 405
        assert "Tätä sivua ei voi käyttää näin" in wrong.text
        assert "allow" in wrong.headers  # what the method may be, as HTTP says
        assert_hardened(wrong, "405")
        bad = await client.get(f"/tenants/{web.tenant.id}/runs", params={"status": MARKER})
        assert bad.status_code == 422
        assert "Virheellinen pyyntö." in bad.text
        assert MARKER not in bad.text
        assert_hardened(bad, "422")
        bad_page = await client.get("/", params={"page": MARKER})  # a query parameter's type
        assert bad_page.status_code == 422
        assert bad_page.text.lstrip().startswith("<!doctype html>")


async def test_the_api_keeps_json_errors(web: WebWorld) -> None:
    async with web.client() as client:
        missing = await client.get("/api/v1/no/such")
        assert missing.status_code == 404
        assert missing.json() == {"detail": "Not Found"}
        wrong = await client.delete("/api/v1/tenants")
        assert wrong.status_code == 405
        assert wrong.json() == {"detail": "Method Not Allowed"}


async def test_a_crash_is_a_page_that_says_nothing_of_the_exception(
    web: WebWorld, crashing: httpx.AsyncClient
) -> None:
    await login(crashing, web.users.kh)
    crashing.cookies.set("silta_lang", "en")
    answer = await crashing.get(f"/tenants/{web.tenant.id}/crash")
    assert answer.status_code == 500
    assert "An unexpected fault occurred in Silta" in answer.text
    assert MARKER not in answer.text and "RuntimeError" not in answer.text
    assert_hardened(answer, "500")
    api = await crashing.get("/api/v1/crash")
    assert api.status_code == 500
    assert api.json() == {"detail": "internal error"}
    assert MARKER not in api.text
    assert_hardened(api, "500 api")
