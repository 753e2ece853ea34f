"""A change of what a register writes is confirmed before it writes (issue 17).

The issue's own case: Demo Oy ran customers Severa → Netvisor, then switched them to
Netvisor → Severa; the next scheduled run rewrote Severa's head-office addresses with
nothing asked. Now the change holds the register: the scheduler claims no slot for it and a
slot claimed before the change ends skipped, writing nothing, until a KH has looked at a
preview (the engine's own dry run, field by field, old → new) and confirmed it, on the page,
with the API or with ``silta tenant confirm``. "Sync now" goes through the same page. The
operator may waive this per tenant; a viewer can look but not confirm.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import attrs
import httpx
import pytest

from silta.confirmation import held_changes
from silta.domain import CustomerDirection, FieldChange, Register, TenantSettings
from silta.scheduler import Dispatcher
from silta.scheduler.execute import HELD_NOTE, run_slot
from silta.store import ConfirmationRefused, Holds, Schedule, SlotState
from silta.sync.settings import change_settings
from tests.web.conftest import WebWorld, csrf_of, login, sandbox_http

Client = tuple[httpx.AsyncClient, str]


async def _run(web: WebWorld, register: Register, *, dry: bool = False) -> int:
    job = await web.jobs.start(web.tenant.id, registers=(register,), dry_run=dry, trigger="test")
    job = await web.jobs.wait(job.id)
    assert job.error is None, job.error
    [run_id] = job.run_ids
    return run_id


async def _switched(web: WebWorld) -> None:
    """Customers ran Severa → Netvisor; now the KH turns them the other way."""
    await _run(web, Register.CUSTOMERS)
    settings = attrs.evolve(
        web.store.settings(web.tenant.id), customers=CustomerDirection.NETVISOR_TO_SEVERA
    )
    change = change_settings(web.store, web.tenant.id, settings, changed_by=web.users.kh)
    assert change.held == {Register.CUSTOMERS}


# -- the rule ---------------------------------------------------------------------------------


def _with(**changes: object) -> TenantSettings:
    return attrs.evolve(TenantSettings(), **changes)


S2N, N2S = CustomerDirection.SEVERA_TO_NETVISOR, CustomerDirection.NETVISOR_TO_SEVERA


def test_what_a_hold_names() -> None:
    s2n, n2s = _with(customers=S2N), _with(customers=N2S)
    flip = held_changes(Register.CUSTOMERS, (), s2n, n2s)
    assert flip == (FieldChange("customers", "severa_to_netvisor", "netvisor_to_severa"),)
    # changed back before anyone confirmed: nothing to confirm
    assert held_changes(Register.CUSTOMERS, flip, n2s, s2n) == ()
    # a register that writes nothing now has nothing to confirm
    assert held_changes(Register.CUSTOMERS, flip, n2s, TenantSettings()) == ()
    # other registers and other settings are not held
    assert held_changes(Register.PRODUCTS, (), s2n, n2s) == ()
    later = attrs.evolve(n2s, register_interval_minutes=15, include_phases=True)
    assert held_changes(Register.CUSTOMERS, flip, n2s, later) == flip
    # dimensions: switched on, or a header changed, while they are on
    on = _with(dimensions=True, project_header="Projekti")
    assert [c.field for c in held_changes(Register.DIMENSIONS, (), TenantSettings(), on)] == [
        "dimensions",
        "project_header",
    ]
    moved = attrs.evolve(on, project_header="Projektit")
    assert held_changes(Register.DIMENSIONS, (), on, moved) == (
        FieldChange("project_header", "Projekti", "Projektit"),
    )


# -- the scheduler -----------------------------------------------------------------------------


async def test_the_scheduler_does_not_write_until_a_preview_is_confirmed(web: WebWorld) -> None:
    await _run(web, Register.CUSTOMERS)
    schedule = Schedule(web.store)
    now = datetime.now(UTC)
    # a slot claimed before the change (by a dispatcher that ticked just before it)
    [early] = [
        slot
        for slot in Dispatcher(web.store, schedule, owner="before", clock=lambda: now).tick()
        if slot.tenant_id == web.tenant.id and slot.register is Register.CUSTOMERS
    ]
    settings = attrs.evolve(web.store.settings(web.tenant.id), customers=N2S)
    change_settings(web.store, web.tenant.id, settings, changed_by=web.users.kh)

    writes = web.world.writes()
    outcome = await run_slot(web.store, schedule, early.id, owner="w", http=sandbox_http(web.world))
    assert (outcome.state, outcome.note) == (SlotState.SKIPPED, HELD_NOTE)
    later = now + timedelta(hours=2)
    claimed = Dispatcher(web.store, schedule, owner="d", clock=lambda: later).tick()
    assert Register.CUSTOMERS not in {s.register for s in claimed if s.tenant_id == web.tenant.id}
    # and a run started any other way does not write it either
    job = await web.jobs.start(web.tenant.id, registers=(Register.CUSTOMERS,), trigger="t")
    assert (await web.jobs.wait(job.id)).run_ids == []
    assert web.world.writes() == writes

    preview = await _run(web, Register.CUSTOMERS, dry=True)
    assert web.world.writes() == writes  # a preview writes nothing
    Holds(web.store).confirm(web.tenant.id, Register.CUSTOMERS, run_id=preview, by=web.users.kh)
    assert Holds(web.store).of(web.tenant.id) == {}
    latest = later + timedelta(hours=2)
    [slot] = [
        s
        for s in Dispatcher(web.store, schedule, owner="d", clock=lambda: latest).tick()
        if s.tenant_id == web.tenant.id and s.register is Register.CUSTOMERS
    ]
    outcome = await run_slot(web.store, schedule, slot.id, owner="w", http=sandbox_http(web.world))
    assert outcome.state is SlotState.DONE
    assert web.world.writes() > writes  # Severa's customers now follow Netvisor's


async def test_only_a_completed_preview_made_after_the_change_confirms(web: WebWorld) -> None:
    early_preview = await _run(web, Register.CUSTOMERS, dry=True)
    await _switched(web)
    holds = Holds(web.store)
    runs = web.store.runs(web.tenant.id, register=Register.CUSTOMERS)
    real = next(run.id for run in runs if not run.dry_run)
    for run_id, reason in ((early_preview, "stale"), (real, "not_preview"), (999, "not_preview")):
        with pytest.raises(ConfirmationRefused) as refused:
            holds.confirm(web.tenant.id, Register.CUSTOMERS, run_id=run_id, by=web.users.kh)
        assert refused.value.reason == reason
    products = await _run(web, Register.PRODUCTS, dry=True)
    with pytest.raises(ConfirmationRefused, match="no preview of"):
        holds.confirm(web.tenant.id, Register.CUSTOMERS, run_id=products, by=web.users.kh)
    assert Register.CUSTOMERS in holds.of(web.tenant.id)
    # a change after the preview makes it stale too
    preview = await _run(web, Register.CUSTOMERS, dry=True)
    settings = attrs.evolve(web.store.settings(web.tenant.id), customers=S2N)
    change_settings(web.store, web.tenant.id, settings, changed_by="kh")  # back: lifted
    assert holds.of(web.tenant.id) == {}
    settings = attrs.evolve(settings, customers=N2S)
    change_settings(web.store, web.tenant.id, settings, changed_by="kh")  # held again
    with pytest.raises(ConfirmationRefused) as refused:
        holds.confirm(web.tenant.id, Register.CUSTOMERS, run_id=preview, by=web.users.kh)
    assert refused.value.reason == "stale"


# -- the page --------------------------------------------------------------------------------


async def test_the_page_shows_the_overwritten_fields_and_confirm_lifts_the_hold(
    web: WebWorld, kh: Client
) -> None:
    client, csrf = kh
    await _switched(web)
    base = f"/tenants/{web.tenant.id}"
    settings_page = (await client.get(f"{base}/settings")).text
    assert 'data-testid="hold-customers"' in settings_page
    assert f'href="{base}/confirm/customers"' in settings_page
    assert 'data-testid="health-customers">Odottaa vahvistusta' in settings_page

    page = await client.get(f"{base}/confirm/customers")
    assert 'data-testid="no-preview"' in page.text
    made = await client.post(f"{base}/confirm/customers/preview", data={"csrf_token": csrf})
    assert made.status_code == 303
    job = int(re.search(r"job=(\d+)", made.headers["location"]).group(1))  # type: ignore[union-attr]
    await web.jobs.wait(job)
    page = await client.get(f"{base}/confirm/customers?job={job}")
    text = page.text
    assert 'data-testid="confirm-preview"' in text
    # the records it would overwrite, field by field in the article's words, old -> new
    updates = re.findall(r'data-action="update"', text)
    assert updates, text[:2000]
    label = r'data-field="headquarters\.isPostalAddress"><span class="label"[^>]*>'
    assert re.search(label + r"Pääkonttori: Posti-valinta</span>: <del>[^<]*</del> → <ins>", text)
    run_id = re.search(r'data-run="(\d+)"', text).group(1)  # type: ignore[union-attr]
    writes = web.world.writes()
    confirmed = await client.post(
        f"{base}/confirm/customers", data={"csrf_token": csrf, "run_id": run_id}
    )
    assert confirmed.status_code == 303
    assert confirmed.headers["location"] == f"{base}/settings?confirmed=customers"
    assert Holds(web.store).of(web.tenant.id) == {}
    assert web.world.writes() == writes  # confirming writes nothing by itself
    after = (await client.get(confirmed.headers["location"])).text
    assert "Asiakkaat: muutos vahvistettu" in after
    assert 'data-testid="hold-customers"' not in after
    events = web.store.tenant_events(web.tenant.id)
    assert events[0].changed_by == web.users.kh
    assert events[0].changes[0] == FieldChange(
        "customers", "held", f"confirmed: preview run {run_id}"
    )


async def test_sync_now_on_a_held_register_goes_through_the_confirmation(
    web: WebWorld, kh: Client
) -> None:
    client, csrf = kh
    await _switched(web)
    base = f"/tenants/{web.tenant.id}"
    writes = web.world.writes()
    answer = await client.post(f"{base}/sync", data={"csrf_token": csrf, "register": "all"})
    assert answer.status_code == 303
    assert answer.headers["location"] == f"{base}/confirm/customers?sync=all"
    assert web.world.writes() == writes and web.jobs.for_tenant(web.tenant.id)[0].dry_run is False
    page = (await client.get(answer.headers["location"])).text
    assert 'data-testid="sync-waits"' in page
    made = await client.post(
        f"{base}/confirm/customers/preview", data={"csrf_token": csrf, "sync": "all"}
    )
    assert made.headers["location"].endswith("&sync=all")
    job = int(re.search(r"job=(\d+)", made.headers["location"]).group(1))  # type: ignore[union-attr]
    [preview] = (await web.jobs.wait(job)).run_ids
    confirmed = await client.post(
        f"{base}/confirm/customers",
        data={"csrf_token": csrf, "run_id": str(preview), "sync": "all"},
    )
    assert confirmed.status_code == 303
    assert confirmed.headers["location"].startswith(f"{base}/runs?job=")
    job = int(confirmed.headers["location"].rsplit("=", 1)[1])
    done = await web.jobs.wait(job)
    assert (done.dry_run, done.registers) == (False, tuple(Register))
    assert web.world.writes() > writes


async def test_a_stale_preview_is_refused_on_the_page_with_the_reason(
    web: WebWorld, kh: Client
) -> None:
    client, csrf = kh
    preview = await _run(web, Register.CUSTOMERS, dry=True)
    await _switched(web)
    base = f"/tenants/{web.tenant.id}"
    answer = await client.post(
        f"{base}/confirm/customers", data={"csrf_token": csrf, "run_id": str(preview)}
    )
    assert answer.headers["location"] == f"{base}/confirm/customers?refused=stale"
    page = (await client.get(answer.headers["location"])).text
    assert "Asetukset muuttuivat esikatselun jälkeen" in page
    assert Register.CUSTOMERS in Holds(web.store).of(web.tenant.id)


async def test_a_viewer_sees_the_preview_but_cannot_confirm(web: WebWorld) -> None:
    await _switched(web)
    preview = await _run(web, Register.CUSTOMERS, dry=True)
    base = f"/tenants/{web.tenant.id}"
    async with web.client() as viewer:
        csrf = await login(viewer, web.users.viewer)
        page = (await viewer.get(f"{base}/confirm/customers")).text
        assert 'data-testid="confirm-preview"' in page
        assert 'data-testid="confirm"' not in page and 'data-testid="viewer-cannot-confirm"' in page
        for path, body in (
            (f"{base}/confirm/customers", {"run_id": str(preview)}),
            (f"{base}/confirm/customers/preview", {}),
        ):
            answer = await viewer.post(path, data={"csrf_token": csrf, **body})
            assert answer.status_code == 403, path
    assert Register.CUSTOMERS in Holds(web.store).of(web.tenant.id)


async def test_the_operator_waives_confirmations_and_a_kh_cannot(web: WebWorld) -> None:
    base = f"/tenants/{web.tenant.id}"
    async with web.client() as kh:
        csrf = await login(kh, web.users.kh)
        assert 'data-testid="waiver"' not in (await kh.get(f"{base}/settings")).text
        answer = await kh.post(f"{base}/confirmations", data={"csrf_token": csrf, "waived": "1"})
        assert answer.status_code == 403
    assert not web.store.tenant(web.tenant.id).confirmations_waived
    await _switched(web)  # held
    async with web.client() as operator:
        csrf = await login(operator, web.users.operator)
        page = (await operator.get(f"{base}/settings")).text
        assert 'data-testid="waive-confirmations"' in page
        answer = await operator.post(
            f"{base}/confirmations", data={"csrf_token": csrf, "waived": "1"}
        )
        assert answer.status_code == 303
        page = (await operator.get(f"{base}/settings")).text
        assert 'data-testid="waived"' in page and 'data-testid="hold-customers"' not in page
    tenant = web.store.tenant(web.tenant.id)
    assert tenant.confirmations_waived
    assert Holds(web.store).of(web.tenant.id) == {}  # waiving lifted the hold
    [event, *_] = web.store.tenant_events(tenant.id)
    assert (event.kind.value, event.changed_by) == ("confirmations_waived", web.users.operator)
    assert FieldChange("customers", "held", "hold lifted (waived)") in event.changes
    writes = web.world.writes()
    await _run(web, Register.CUSTOMERS)  # Netvisor -> Severa now writes at once
    assert web.world.writes() > writes
    # and a change holds nothing while waived
    settings = attrs.evolve(tenant.settings, customers=S2N)
    assert change_settings(web.store, tenant.id, settings, changed_by="kh").held == frozenset()


# -- the API ---------------------------------------------------------------------------------


async def test_the_api_lists_holds_refuses_sync_and_confirms_with_a_preview(
    web: WebWorld,
) -> None:
    token = web.accounts.create_api_token(web.users.kh, "confirm")
    bearer = {"Authorization": f"Bearer {token}"}
    api = f"/api/v1/tenants/{web.tenant.id}"
    async with web.client() as client:
        await _run(web, Register.CUSTOMERS)
        changed = await client.patch(
            f"{api}/settings", json={"customers": "netvisor_to_severa"}, headers=bearer
        )
        assert changed.status_code == 200, changed.text
        [hold] = (await client.get(f"{api}/holds", headers=bearer)).json()
        assert hold["register"] == "customers" and hold["preview_run_id"] is None
        assert hold["changes"] == [
            {"field": "customers", "old": "severa_to_netvisor", "new": "netvisor_to_severa"}
        ]
        refused = await client.post(
            f"{api}/sync?wait=true", json={"registers": ["customers"]}, headers=bearer
        )
        assert refused.status_code == 409 and "customers" in refused.json()["detail"]
        preview = await client.post(
            f"{api}/preview?wait=true", json={"registers": ["customers"]}, headers=bearer
        )
        [run_id] = preview.json()["run_ids"]
        [hold] = (await client.get(f"{api}/holds", headers=bearer)).json()
        assert hold["preview_run_id"] == run_id
        stale = await client.post(
            f"{api}/holds/customers/confirm", json={"run_id": run_id - 1}, headers=bearer
        )
        assert stale.status_code == 409
        confirmed = await client.post(
            f"{api}/holds/customers/confirm", json={"run_id": run_id}, headers=bearer
        )
        assert confirmed.status_code == 200, confirmed.text
        assert (await client.get(f"{api}/holds", headers=bearer)).json() == []
        synced = await client.post(
            f"{api}/sync?wait=true", json={"registers": ["customers"]}, headers=bearer
        )
        assert synced.status_code == 202 and synced.json()["run_ids"]
    _ = csrf_of  # the pages' helper is not needed here
