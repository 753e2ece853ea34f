"""The settings tab's answer for a travel report held after an unknown outcome (issue 19):
shown to everyone with the header to look for in Netvisor, answered by a KH only."""

from __future__ import annotations

import httpx

from silta.domain import Register, System
from silta.store import Link, LinkState

from .conftest import WebWorld
from .test_pages import by_testid, one, settings_tab, text

GUID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"


def hold(web: WebWorld) -> None:
    web.store.save_links(web.tenant.id, [Link(
        register=Register.TRAVEL, source_system=System.SEVERA, source_key=GUID,
        target_key=None, natural_key=GUID, state=LinkState.PENDING,
        intent={"header": "Severa 7: Asiakaskäynti"},
    )])  # fmt: skip


def state(web: WebWorld) -> tuple[LinkState, bool]:
    (link,) = web.store.links(web.tenant.id, Register.TRAVEL)
    return link.state, bool((link.intent or {}).get("released"))


async def test_a_held_report_is_shown_and_a_kh_answers_it(
    web: WebWorld, kh: tuple[httpx.AsyncClient, str]
) -> None:
    client, csrf = kh
    hold(web)
    tree = await settings_tab(client, web)
    banner = one(tree, "held-travel")
    assert "Severa 7: Asiakaskäynti" in text(banner) and GUID in text(banner)
    assert text(one(tree, "held-send-again")) == "Ei ole: lähetä uudelleen"
    english = await settings_tab(client, web, "?lang=en")
    assert text(one(english, "held-transferred")) == "It is in Netvisor"

    answer = await client.post(
        f"/tenants/{web.tenant.id}/travel-held/{GUID}",
        data={"csrf_token": csrf, "answer": "send_again"},
    )
    assert answer.status_code == 303
    assert state(web) == (LinkState.PENDING, True)  # released: sent on the next run
    assert by_testid(await settings_tab(client, web), "held-travel") == []

    hold(web)
    await client.post(
        f"/tenants/{web.tenant.id}/travel-held/{GUID}",
        data={"csrf_token": csrf, "answer": "transferred"},
    )
    assert state(web) == (LinkState.LINKED, False)  # never sent again
