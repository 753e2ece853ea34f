"""SandboxServer: demo seeds, the /netvisor and /severa mounts, describe(), the CLI's faults."""

from __future__ import annotations

import httpx
import pytest

from silta.registers.finnish import find_operator, is_valid_business_id
from silta.sandbox.netvisor import Faults
from silta.sandbox.server import (  # parse_severa_*, severa_*: added with the Severa sandbox
    SandboxServer,
    faults_from_options,
    parse_error_rate,
    parse_severa_error_rate,
    severa_faults_from_options,
)
from silta.sandbox.severa import SeveraFaults  # added with the Severa sandbox

from .helpers import FakeClock, assert_ok, failure, signed_headers


def fingerprint(server: SandboxServer) -> list[list[tuple[str, str]]]:
    organisation = server.netvisor.organisation(server.credentials.organisation_id)
    return [sorted(c.fields.items()) for c in organisation.customers()]


def test_seed_is_deterministic() -> None:
    assert fingerprint(SandboxServer(seed=3)) == fingerprint(SandboxServer(seed=3))
    assert fingerprint(SandboxServer(seed=3)) != fingerprint(SandboxServer(seed=4))


def test_demo_data_has_what_the_demo_needs() -> None:
    server = SandboxServer(seed=1)
    org = server.netvisor.organisation("1967543-8")
    customers = org.customers()
    assert 40 <= len(customers) <= 50
    companies = [c for c in customers if c.get("externalidentifier")]
    assert all(is_valid_business_id(c.get("externalidentifier")) for c in companies)
    assert len({c.get("externalidentifier") for c in companies}) == len(companies)
    assert all(len(c.get("postnumber")) == 5 for c in customers if c.get("postnumber"))
    e_invoiced = [c for c in customers if c.get("finvoiceroutercode")]
    assert len(e_invoiced) >= 5
    assert all(find_operator(c.get("finvoiceroutercode")) for c in e_invoiced)
    assert sum(1 for c in customers if not c.is_active) == 2
    assert org.customer_by_code("TEMP") is not None
    assert org.product_by_code("TEMP") is not None
    assert 20 <= len(org.products()) <= 30
    headers = {h.name for h in org.dimension_headers()}
    assert headers == {"Projekti", "Liiketoimintayksikkö"}
    assert any(item.level == 2 for item in org.dimension_items("Projekti"))


def test_describe_lists_every_credential() -> None:
    server = SandboxServer(seed=1)
    text = server.describe("http://127.0.0.1:8000/")
    c = server.credentials
    for value in (
        c.sender,
        c.customer_id,
        c.customer_key,
        c.partner_id,
        c.partner_key,
        c.organisation_id,
        "http://127.0.0.1:8000/netvisor/",
    ):
        assert value in text


async def test_mounted_netvisor_signs_the_full_path() -> None:
    clock = FakeClock()
    server = SandboxServer(seed=1, clock=clock)
    c = server.credentials
    credentials = {
        "organisation_id": c.organisation_id,
        "customer_id": c.customer_id,
        "customer_key": c.customer_key,
        "partner_id": c.partner_id,
        "partner_key": c.partner_key,
    }
    transport = httpx.ASGITransport(app=server.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
        url = "http://127.0.0.1:8000/netvisor/customerlist.nv?keyword=Oy"
        response = await client.get(url, headers=signed_headers(url, now=clock(), **credentials))
        root = assert_ok(response)
        uris = [u.text or "" for u in root.iter("Uri")]
        assert uris
        assert all(u.startswith("http://127.0.0.1:8000/netvisor/getcustomer.nv?id=") for u in uris)

        # A MAC over the URL without the mount prefix is not what went over the wire.
        unprefixed = "http://127.0.0.1:8000/customerlist.nv?keyword=Oy"
        response = await client.get(
            url, headers=signed_headers(unprefixed, now=clock(), **credentials)
        )
        assert failure(response) == "AUTHENTICATION_FAILED"

        index = await client.get("/")
        assert index.status_code == 200
        assert c.partner_key in index.text

        stats = await client.get(f"/netvisor/_sandbox/organisations/{c.organisation_id}/stats")
        assert stats.json()["total_requests"] == 1  # the refused request counts as unattributed


def test_apply_faults_and_cli_options() -> None:
    server = SandboxServer(seed=1)
    faults = faults_from_options(
        latency_ms=50,
        error_rates=["technical_error=0.1", "INVALID_DATA=0.05"],
        timeout_rate=0.01,
        lost_response_rate=0.02,
        hang_seconds=30,
    )
    assert faults == Faults(
        latency=0.05,
        error_rates={"TECHNICAL_ERROR": 0.1, "INVALID_DATA": 0.05},
        timeout_rate=0.01,
        lost_response_rate=0.02,
        hang_seconds=30,
    )
    server.apply_faults(faults)
    org = server.netvisor.organisation("1967543-8")
    assert org.faults == faults
    assert org.faults is not faults


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("TECHNICAL_ERROR", "CATEGORY=RATE"),
        ("NOPE=0.1", "unknown"),
        ("INVALID_DATA=x", "number"),
        ("INVALID_DATA=2", "between 0 and 1"),
    ],
)
def test_parse_error_rate_refusals(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_error_rate(text)


def test_invalid_fault_options() -> None:
    with pytest.raises(ValueError, match="invalid Netvisor fault options"):
        faults_from_options(timeout_rate=3)


# -- Severa (added with the Severa sandbox) ------------------------------------------------


def test_describe_lists_the_severa_credential() -> None:
    server = SandboxServer(seed=1)
    text = server.describe("http://127.0.0.1:8000/")
    c = server.severa_credentials
    assert "not yet available" not in text
    for value in (
        "http://127.0.0.1:8000/severa",
        c.client_id,
        c.client_secret,
        c.scope,
        c.organisation_id,
        "40 customers",
    ):
        assert value in text
    # The Netvisor section comes first, so its "Base URL" is the first one printed.
    assert text.index("/netvisor/") < text.index("/severa")


async def test_mounted_severa_serves_the_demo() -> None:
    server = SandboxServer(seed=1, clock=FakeClock())
    c = server.severa_credentials
    transport = httpx.ASGITransport(app=server.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
        token = await client.post(
            "/severa/v1/token",
            json={"client_id": c.client_id, "client_secret": c.client_secret, "scope": c.scope},
        )
        assert token.status_code == 200
        headers = {
            "Authorization": f"Bearer {token.json()['access_token']}",
            "Client_Id": c.client_id,
        }
        customers = await client.get(
            "/severa/v1/customers", params={"rowCount": 100}, headers=headers
        )
        assert len(customers.json()) == 40
        stats = await client.get(f"/severa/_sandbox/organisations/{c.organisation_id}/stats")
        assert stats.json()["requests"] == {"POST /v1/token": 1, "GET /v1/customers": 1}
        assert (await client.get("/severa/v1/nothing")).status_code == 404


def test_severa_seed_is_deterministic_with_the_server_seed() -> None:
    def numbers(seed: int) -> list[tuple[int, str]]:
        server = SandboxServer(seed=seed)
        org = server.severa.organisation(server.severa_credentials.organisation_id)
        return [(c["number"], c["name"]) for c in org.customers()]

    assert numbers(5) == numbers(5)
    assert numbers(5) != numbers(6)


def test_apply_severa_faults_and_cli_options() -> None:
    server = SandboxServer(seed=1)
    faults = severa_faults_from_options(
        latency_ms=50,
        error_rates=["503=0.1", "429=0.05"],
        timeout_rate=0.01,
        lost_response_rate=0.02,
        hang_seconds=30,
    )
    assert faults == SeveraFaults(
        latency=0.05,
        error_rates={"503": 0.1, "429": 0.05},
        timeout_rate=0.01,
        lost_response_rate=0.02,
        hang_seconds=30,
    )
    server.apply_severa_faults(faults)
    org = server.severa.organisation(server.severa_credentials.organisation_id)
    assert org.faults == faults
    assert org.faults is not faults
    # The Netvisor options mean the same for Severa; applying one leaves the other alone.
    server.apply_faults(faults_from_options(latency_ms=10))
    assert org.faults == faults


@pytest.mark.parametrize(
    ("text", "message"),
    [("503", "KIND=RATE"), ("418=0.1", "unknown"), ("503=x", "number"), ("503=2", "between")],
)
def test_parse_severa_error_rate_refusals(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_severa_error_rate(text)


def test_invalid_severa_fault_options() -> None:
    with pytest.raises(ValueError, match="invalid Severa fault options"):
        severa_faults_from_options(lost_response_rate=3)
