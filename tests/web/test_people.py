"""People: a KH invites by a one-time link (mailed or shown), the invitee accepts, members go.

The routes' authorization is in the matrix (test_access.py); here is what they do.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from silta.notify.config import NotifyConfig
from silta.notify.smtp import SmtpConfig
from silta.store import Role
from tests.notify.conftest import Mailbox, SmtpServer, free_port
from tests.web.conftest import PASSWORD, WebWorld, csrf_of

LINK = re.compile(r"http://silta\.test/invitations/[A-Za-z0-9_-]{43}")


async def _invite(
    client: httpx.AsyncClient, web: WebWorld, csrf: str, email: str, role: str = "viewer"
) -> httpx.Response:
    return await client.post(
        f"/tenants/{web.tenant.id}/people/invite",
        data={"email": email, "role": role, "csrf_token": csrf},
    )


async def _accept(
    web: WebWorld, link: str, password: str = PASSWORD, again: str | None = None
) -> tuple[httpx.Response, httpx.AsyncClient]:
    client = web.client()
    page = await client.get(link)
    assert page.status_code == 200, page.text[:300]
    csrf = csrf_of(page.text.split('action="/invitations/', 1)[1])
    answer = await client.post(
        link,
        data={
            "csrf_token": csrf,
            "password": password,
            "password2": password if again is None else again,
        },
    )
    return answer, client


async def test_an_invitee_sets_a_password_and_reads_the_company_only(
    web: WebWorld, kh: tuple[httpx.AsyncClient, str]
) -> None:
    client, csrf = kh
    answer = await _invite(client, web, csrf, "newcomer@demo.fi")
    assert answer.status_code == 200
    [link] = LINK.findall(answer.text)  # no mail configured: shown to copy
    assert "newcomer@demo.fi" in (await client.get(f"/tenants/{web.tenant.id}/people")).text
    mismatch, _ = await _accept(web, link, again="something else entirely")
    assert mismatch.status_code == 422
    weak, _ = await _accept(web, link, password="short")
    assert weak.status_code == 422
    accepted, invitee = await _accept(web, link)
    assert accepted.status_code == 303
    assert accepted.headers["location"] == f"/tenants/{web.tenant.id}/settings"
    settings = await invitee.get(f"/tenants/{web.tenant.id}/settings")
    assert settings.status_code == 200
    assert 'data-testid="readonly"' in settings.text
    assert (await invitee.get(f"/tenants/{web.other.id}/settings")).status_code == 404
    assert (await invitee.get(f"/tenants/{web.tenant.id}/people")).status_code == 403
    await invitee.aclose()
    user = web.accounts.user("newcomer@demo.fi")
    assert not user.operator
    assert web.accounts.role(user.id, web.tenant.id) is Role.VIEWER
    # once only
    async with web.client() as again:
        used = await again.get(link)
    assert used.status_code == 404 and 'data-testid="invitation-invalid"' in used.text


async def test_someone_with_an_account_accepts_with_their_password(
    web: WebWorld, kh: tuple[httpx.AsyncClient, str]
) -> None:
    client, csrf = kh
    [link] = LINK.findall((await _invite(client, web, csrf, web.users.other_kh, "kh")).text)
    wrong, _ = await _accept(web, link, password="not the password at all")
    assert wrong.status_code == 401
    accepted, _ = await _accept(web, link)
    assert accepted.status_code == 303
    user = web.accounts.user(web.users.other_kh)
    assert web.accounts.role(user.id, web.tenant.id) is Role.KH
    assert web.accounts.role(user.id, web.other.id) is Role.KH  # their own company stays


async def test_no_operator_by_invitation_and_no_company_without_a_kh(
    web: WebWorld, kh: tuple[httpx.AsyncClient, str]
) -> None:
    client, csrf = kh
    assert (await _invite(client, web, csrf, "x@demo.fi", "operator")).status_code == 422
    assert (await _invite(client, web, csrf, web.users.viewer, "viewer")).status_code == 422
    me = web.accounts.user(web.users.kh)
    last = await client.post(
        f"/tenants/{web.tenant.id}/people/members/{me.id}/remove", data={"csrf_token": csrf}
    )
    assert last.status_code == 409
    assert web.accounts.role(me.id, web.tenant.id) is Role.KH
    viewer = web.accounts.user(web.users.viewer)
    removed = await client.post(
        f"/tenants/{web.tenant.id}/people/members/{viewer.id}/remove", data={"csrf_token": csrf}
    )
    assert removed.status_code == 303
    assert web.accounts.role(viewer.id, web.tenant.id) is None


async def test_a_revoked_invitation_opens_nothing(
    web: WebWorld, kh: tuple[httpx.AsyncClient, str]
) -> None:
    client, csrf = kh
    [link] = LINK.findall((await _invite(client, web, csrf, "later@demo.fi")).text)
    page = (await client.get(f"/tenants/{web.tenant.id}/people")).text
    invitation_id = re.search(r"revoke-invitation-(\d+)", page)
    assert invitation_id
    revoked = await client.post(
        f"/tenants/{web.tenant.id}/people/invitations/{invitation_id.group(1)}/revoke",
        data={"csrf_token": csrf},
    )
    assert revoked.status_code == 303
    async with web.client() as invitee:
        assert (await invitee.get(link)).status_code == 404


async def test_the_accept_form_needs_its_own_csrf_cookie(
    web: WebWorld, kh: tuple[httpx.AsyncClient, str]
) -> None:
    client, csrf = kh
    [link] = LINK.findall((await _invite(client, web, csrf, "forged@demo.fi")).text)
    async with web.client() as attacker:
        forged = await attacker.post(
            link, data={"csrf_token": "guess", "password": PASSWORD, "password2": PASSWORD}
        )
    assert forged.status_code == 403
    assert web.accounts.users() and all(u.email != "forged@demo.fi" for u in web.accounts.users())


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port(), Mailbox())
    server.start()
    yield server
    server.stop()


async def test_with_mail_configured_the_link_is_mailed_not_shown(
    web: WebWorld, kh: tuple[httpx.AsyncClient, str], smtp: SmtpServer
) -> None:
    web.state.notify = NotifyConfig(
        smtp=smtp.config, sender="silta@demo.fi", public_url="https://silta.example"
    )
    client, csrf = kh
    answer = await _invite(client, web, csrf, "mailed@demo.fi")
    assert answer.status_code == 200
    assert not re.search(r"/invitations/[A-Za-z0-9_-]{43}", answer.text)
    [message] = smtp.mailbox.to("mailed@demo.fi")
    body = message.get_content()
    [link] = re.findall(r"https://silta\.example/invitations/[A-Za-z0-9_-]{43}", body)
    assert "Demo" in message["Subject"]
    accepted, _ = await _accept(web, link.replace("https://silta.example", "http://silta.test"))
    assert accepted.status_code == 303


async def test_when_the_mail_cannot_be_sent_the_link_is_shown_instead(
    web: WebWorld, kh: tuple[httpx.AsyncClient, str]
) -> None:
    closed = free_port()  # nothing listens there
    web.state.notify = NotifyConfig(
        smtp=SmtpConfig.parse(f"smtp://127.0.0.1:{closed}?timeout=2"), sender="silta@demo.fi"
    )
    client, csrf = kh
    answer = await _invite(client, web, csrf, "unmailed@demo.fi")
    assert answer.status_code == 200
    assert LINK.findall(answer.text)
    assert "Kutsua ei voitu lähettää osoitteeseen unmailed@demo.fi" in answer.text
