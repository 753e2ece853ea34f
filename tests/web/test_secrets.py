"""Secrets never leave: no page, API answer or log line carries a credential's secret.

Recognizable secrets are planted in the tenant's credentials (accepted by the sandboxes,
so every code path runs, errors included), then every page and API route is visited as
KH and operator, a sync and a preview run, the connection is tested, and the credentials
are replaced with new planted secrets (a wrong one too, so error paths run); the planted
strings must appear nowhere.
"""

from __future__ import annotations

import logging

import pytest

from silta.netvisor import NetvisorCredentials
from silta.sandbox.severa import Credential
from silta.severa import SeveraCredentials
from silta.severa.auth import DEFAULT_SCOPES
from silta.store import History
from silta.tenants import SeveraConnection
from silta.web.app import route_table
from tests.web.conftest import WebWorld, csrf_of, login

PLANTED_SEVERA = "PLANTED-severa-secret-9f3a"
PLANTED_NEW = "PLANTED-new-secret-77c1"
PLANTED_WRONG = "PLANTED-wrong-secret-5d2e"


def _plant(web: WebWorld) -> list[str]:
    """Give the tenant a Severa secret the sandbox accepts; the secrets to look for."""
    client_id = web.tenant.severa.credentials.client_id
    organisation = web.world.severa.organisation_of(client_id)
    web.world.severa.add_credential(
        Credential(
            client_id=client_id,
            client_secret=PLANTED_SEVERA,
            organisation=organisation.id,
            scopes=frozenset(DEFAULT_SCOPES),
        )
    )
    web.store.update_connections(
        web.tenant.id,
        severa=SeveraConnection(
            SeveraCredentials(client_id, PLANTED_SEVERA), base_url=web.tenant.severa.base_url
        ),
        changed_by="test",
    )
    nv: NetvisorCredentials = web.tenant.netvisor.credentials
    return [PLANTED_SEVERA, nv.customer_key, nv.partner_key]


async def test_no_secret_in_any_page_api_answer_or_log(
    web: WebWorld, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    secrets = [*_plant(web), PLANTED_NEW, PLANTED_WRONG]
    seen: list[str] = []
    base = f"/tenants/{web.tenant.id}"
    for email in (web.users.kh, web.users.operator):
        token = web.accounts.create_api_token(email, "secrets")
        bearer = {"Authorization": f"Bearer {token}"}
        async with web.client() as client:
            csrf = await login(client, email)
            for form in ("sync", "preview"):
                answer = await client.post(f"{base}/{form}", data={"csrf_token": csrf})
                seen.append(answer.text)
                for job in web.jobs.for_tenant(web.tenant.id):
                    await web.jobs.wait(job.id)
            seen.append((await client.post(f"{base}/test-connection",
                                           data={"csrf_token": csrf})).text)  # fmt: skip
            runs = web.store.runs(web.tenant.id)
            record = History(web.store).search(web.tenant.id, limit=1).items[0].id
            pages = ["/", f"{base}/settings/lookups", f"{base}/settings", f"{base}/runs",
                     f"{base}/preview", f"{base}/people", f"{base}/tokens",
                     f"{base}/history", f"{base}/records?q=1", f"{base}/records/{record}",
                     f"{base}/refusals", f"{base}/refusals.csv", f"{base}/records.csv",
                     *(f"{base}/runs/{run.id}" for run in runs),
                     *(f"{base}/runs/{run.id}/records.csv" for run in runs)]  # fmt: skip
            for page in pages:
                seen.append((await client.get(page)).text)
            for method, path in route_table(web.app):
                if method == "GET" and path.startswith("/api/"):
                    url = path.format(
                        tenant_id=web.tenant.id, run_id=runs[0].id, job_id=1, record_id=record
                    )
                    answer = await client.get(url, headers=bearer)
                    seen.append(answer.text)
            seen.append((await client.get("/api/openapi.json")).text)
        # replace the secret through the form and the API, then a wrong one (errors shown)
    async with web.client() as client:
        csrf = await login(client, web.users.kh)
        form = {"csrf_token": csrf, "client_secret": PLANTED_NEW}
        seen.append((await client.post(f"{base}/credentials", data=form)).text)
        token = web.accounts.create_api_token(web.users.kh, "secrets-2")
        answer = await client.put(
            f"/api/v1/tenants/{web.tenant.id}/credentials",
            json={"client_secret": PLANTED_WRONG},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert answer.status_code == 204
        seen.append(answer.text)
        answer = await client.post(f"{base}/test-connection", data={"csrf_token": csrf})
        assert "Severa" in answer.text
        seen.append(answer.text)
        seen.append((await client.get(f"{base}/history")).text)
        csrf = csrf_of((await client.get(f"{base}/settings")).text)
        seen.append((await client.post(f"{base}/sync", data={"csrf_token": csrf})).text)
        for job in web.jobs.for_tenant(web.tenant.id):
            await web.jobs.wait(job.id)
        seen.append((await client.get(f"{base}/runs")).text)
    async with web.client() as client:  # a viewer's pages show the connections as facts
        await login(client, web.users.viewer)
        for page in ("/", f"{base}/settings", f"{base}/runs", f"{base}/history"):
            seen.append((await client.get(page)).text)
    # the stored secret did change: the planted values were really used
    assert web.store.tenant(web.tenant.id).severa.credentials.client_secret == PLANTED_WRONG
    seen.extend(record.getMessage() for record in caplog.records)
    seen.extend(str(run.error) for run in web.store.runs(web.tenant.id, limit=100))
    everything = "\n".join(seen)
    assert len(everything) > 10_000  # the pages were really read
    leaked = [secret for secret in secrets if secret in everything]
    assert not leaked, f"secrets found in pages, answers or logs: {leaked}"
