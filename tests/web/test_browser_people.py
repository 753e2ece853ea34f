"""In a real browser: a KH invites a viewer, who opens the link, sets a password, is signed in
and sees the company read-only (mail is not configured here: the KH copies the link)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.web.browser import Steps, log_in
from tests.web.conftest import PASSWORD, NewPage, WebWorld
from tests.web.test_browser import MUTATING


def test_kh_invites_a_viewer_who_signs_in_with_the_link_and_reads_only(
    web: WebWorld, served: str, new_page: NewPage, request: pytest.FixtureRequest
) -> None:
    kh = new_page()
    steps = Steps(kh, request.node.name)
    tenant = web.tenant.id
    with steps.recording_failure():
        log_in(kh, served, web.users.kh, PASSWORD)
        kh.goto(f"{served}/tenants/{tenant}/settings")
        kh.get_by_test_id("people-tab").click()
        expect(kh).to_have_url(f"{served}/tenants/{tenant}/people")
        expect(kh.get_by_test_id("members")).to_contain_text(web.users.kh)
        form = kh.get_by_test_id("invite-form")
        form.get_by_label("Sähköposti").fill("colleague@demo.fi")
        form.get_by_label("Katselija").check()
        kh.get_by_test_id("send-invitation").click()
        link = kh.get_by_test_id("invitation-url").inner_text().strip()
        assert re.fullmatch(rf"{re.escape(served)}/invitations/[A-Za-z0-9_-]{{43}}", link)
        expect(kh.get_by_test_id("invitations")).to_contain_text("colleague@demo.fi")
        steps("invited")

    invitee = new_page()
    steps = Steps(invitee, request.node.name)
    with steps.recording_failure():
        invitee.goto(link)
        expect(invitee.get_by_test_id("invitation-for")).to_contain_text(web.tenant.name)
        invitee.get_by_label("Uusi salasana").fill("a colleague's password")
        invitee.get_by_label("Salasana uudelleen").fill("a colleague's password")
        steps("accepting")
        invitee.get_by_test_id("accept").click()
        expect(invitee).to_have_url(f"{served}/tenants/{tenant}/settings")
        expect(invitee.get_by_test_id("who")).to_contain_text("colleague@demo.fi")
        expect(invitee.get_by_test_id("readonly")).to_be_visible()
        for control in MUTATING:
            expect(invitee.get_by_test_id(control)).to_have_count(0)
        expect(invitee.get_by_test_id("people-tab")).to_have_count(0)
        steps("read only")
        # the link was used up: opening it again shows no form
        invitee.goto(link)
        expect(invitee.get_by_test_id("invitation-invalid")).to_be_visible()
        expect(invitee.get_by_test_id("accept")).to_have_count(0)

    with steps.recording_failure():  # the KH sees the colleague among the members now
        kh.reload()
        expect(kh.get_by_test_id("members")).to_contain_text("colleague@demo.fi")
        expect(kh.get_by_test_id("no-invitations")).to_be_visible()
