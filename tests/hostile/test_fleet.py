"""End to end: some tenants' services answer hostile bodies, the others are healthy. The
hostile tenants' runs end FAILED with the cause recorded on the run; everyone else's runs
complete; and the embedded scheduler goes on to the next cycle as if nothing happened."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from silta.domain import RunStatus
from silta.scheduler import EmbeddedScheduler
from silta.store import Schedule, SlotState
from silta.sync.runner import tenant_context
from tests.scheduler.conftest import SANDBOX, FleetWorld, all_runs, sandbox_app
from tests.scheduler.test_embedded import CYCLE, START, HandClock, settle

from .bodies import HTML_PAGE, PASSWD_MARKER, XXE_FILE, deep_json
from .test_size_limit import Endless

LIMIT = 256 * 1024  # SILTA_MAX_RESPONSE_BYTES for the whole test; the fleet's answers fit

Answer = Callable[[httpx.Request], httpx.Response]


class HostileServices(httpx.AsyncBaseTransport):
    """The sandboxes, except that some companies' Netvisor or Severa answers ``Answer``.

    A Netvisor company is known by its organisation header, a Severa one by its Client_Id
    (the token exchange is left alone, so the data calls are what turns hostile).
    """

    def __init__(
        self,
        inner: httpx.AsyncBaseTransport,
        netvisor: dict[str, Answer],
        severa: dict[str, Answer],
    ) -> None:
        self.inner = inner
        self.netvisor = netvisor
        self.severa = severa

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        organisation = request.headers.get("X-Netvisor-Organisation-ID", "")
        client_id = request.headers.get("Client_Id", "")
        if organisation in self.netvisor:
            return self.netvisor[organisation](request)
        if client_id in self.severa and "token" not in request.url.path:
            return self.severa[client_id](request)
        return await self.inner.handle_async_request(request)


def body(content: bytes, content_type: str, status: int = 200) -> Answer:
    return lambda request: httpx.Response(
        status, content=content, headers={"Content-Type": content_type}
    )


# tenant index -> (service, answer, what the run's error must say)
HOSTILE = {
    0: ("netvisor", body(XXE_FILE, "text/xml"), "UnsafeXmlError"),
    1: ("severa", body(deep_json(), "application/json"), "nested too deeply"),
    2: ("netvisor", lambda request: httpx.Response(200, stream=Endless()), f"{LIMIT} bytes"),
    3: ("severa", body(HTML_PAGE, "text/html"), "not JSON"),
}


def hostile_http(fleet: FleetWorld) -> Callable[[], httpx.AsyncClient]:
    netvisor: dict[str, Answer] = {}
    severa: dict[str, Answer] = {}
    for index, (service, answer, _) in HOSTILE.items():
        tenant = fleet.tenants[index]
        if service == "netvisor":
            netvisor[tenant.netvisor.credentials.organisation_id] = answer
        else:
            severa[tenant.severa.credentials.client_id] = answer

    def make() -> httpx.AsyncClient:
        inner = httpx.ASGITransport(app=sandbox_app(fleet.world))
        return httpx.AsyncClient(
            transport=HostileServices(inner, netvisor, severa), base_url=SANDBOX
        )

    return make


async def test_the_limit_setting_reaches_both_clients_of_every_run(
    small_fleet: FleetWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SILTA_MAX_RESPONSE_BYTES", str(LIMIT))
    tenant = small_fleet.tenants[0]
    async with tenant_context(small_fleet.store, tenant, http=small_fleet.http()) as ctx:
        assert ctx.netvisor._max_response_bytes == LIMIT
        assert ctx.severa._max_response_bytes == LIMIT


async def test_hostile_tenants_fail_with_the_cause_and_the_rest_of_the_fleet_carries_on(
    small_fleet: FleetWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SILTA_MAX_RESPONSE_BYTES", str(LIMIT))
    clock = HandClock(START)
    scheduler = EmbeddedScheduler(
        small_fleet.store,
        http=hostile_http(small_fleet),
        clock=clock,
        tick=3600,
        busy_retry=0.05,
        severa_rate=1000,
        concurrency=3,
    )
    try:
        for cycle in range(2):
            clock.now = START + cycle * CYCLE
            assert scheduler.tick_once(), f"cycle {cycle} claimed nothing"
            await settle(scheduler)
    finally:
        await scheduler.stop()

    runs = all_runs(small_fleet.store)
    slots = Schedule(small_fleet.store).slots()
    hostile_ids = {small_fleet.tenants[index].id: index for index in HOSTILE}
    for tenant in small_fleet.tenants:
        mine = [run for run in runs if run.tenant_id == tenant.id]
        my_slots = [slot for slot in slots if slot.tenant_id == tenant.id]
        # both cycles ran for everyone: 3 registers, then 2 (dimensions run nightly)
        assert len(my_slots) == 5, (tenant.name, my_slots)
        assert len(mine) == 5, (tenant.name, mine)
        if tenant.id not in hostile_ids:
            assert all(run.status is RunStatus.COMPLETED for run in mine), [
                (run.register, run.error) for run in mine
            ]
            assert all(slot.state is SlotState.DONE for slot in my_slots)
            continue
        _, _, cause = HOSTILE[hostile_ids[tenant.id]]
        for run in mine:
            assert run.status is RunStatus.FAILED, (tenant.name, run.register, run.status)
            assert run.error is not None and cause in run.error, (tenant.name, run.error)
            assert PASSWD_MARKER not in run.error
            assert len(run.error) < 2000  # a message, not a dump of the hostile body
        assert all(slot.state is SlotState.FAILED and slot.note for slot in my_slots)
