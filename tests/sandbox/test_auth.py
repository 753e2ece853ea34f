"""Authentication (netvisor-api.md §2) and the failure envelope (§5)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from silta.sandbox.netvisor import Integration, NetvisorSandbox

from .helpers import (
    CUSTOMER_KEY,
    ORG_ID,
    PARTNER_KEY,
    Api,
    FakeClock,
    assert_ok,
    failure,
    mac_for,
    signed_headers,
    status,
    xml,
)


def test_reference_vector_of_the_test_signer() -> None:
    # netvisor-api.md §2.3: the HMACSHA256 vector; it checks the signer the tests rely on.
    message = "&".join(
        [
            "https://isvapi.netvisor.fi/customerlist.nv?keyword=Oy",
            "Example integration",
            "CUST_ID",
            "2025-06-26 20:09:50.000",
            "FI",
            "1967543-8",
            "0f8fad5bd9cb469fa16570867728950e",
            "1750968590",
            "customerkey",
            "partnerkey",
        ]
    )
    assert mac_for(message, "customerkey", "partnerkey") == (
        "630ad5306fa9397f788f1b4ea065cce7d9a86e96946773d8757af38e7f6e116a"
    )


async def test_sandbox_accepts_the_reference_vector_request() -> None:
    """The exact headers of §2.3, sent at the vector's own time, are accepted."""
    vector_time = 1750968590
    clock = FakeClock()
    clock.now = clock.now.fromtimestamp(vector_time, tz=clock.now.tzinfo)
    sandbox = NetvisorSandbox(clock=clock)
    sandbox.add_integration(
        Integration("PARTNER", "partnerkey", "CUST_ID", "customerkey", ("1967543-8",))
    )
    headers = {
        "X-Netvisor-Authentication-Sender": "Example integration",
        "X-Netvisor-Authentication-CustomerId": "CUST_ID",
        "X-Netvisor-Authentication-PartnerId": "PARTNER",
        "X-Netvisor-Authentication-Timestamp": "2025-06-26 20:09:50.000",
        "X-Netvisor-Authentication-TimestampUnix": str(vector_time),
        "X-Netvisor-Authentication-TransactionId": "0f8fad5bd9cb469fa16570867728950e",
        "X-Netvisor-Authentication-MAC": (
            "630AD5306FA9397F788F1B4EA065CCE7D9A86E96946773D8757AF38E7F6E116A"  # any case
        ),
        "X-Netvisor-Authentication-MACHashCalculationAlgorithm": "HMACSHA256",
        "X-Netvisor-Interface-Language": "FI",
        "X-Netvisor-Organisation-ID": "1967543-8",
    }
    transport = httpx.ASGITransport(app=sandbox.app)
    async with httpx.AsyncClient(transport=transport) as client:
        response = await client.get(
            "https://isvapi.netvisor.fi/customerlist.nv?keyword=Oy", headers=headers
        )
    assert status(response) == ["OK"]


async def test_signed_request_is_answered(api: Api) -> None:
    root = assert_ok(await api.get("customerlist.nv"))
    assert root.tag == "Root"
    timestamp = root.findtext("ResponseStatus/TimeStamp")
    # 10:00 UTC on 2 March is 12:00 in Helsinki (winter time), written d.M.yyyy.
    assert timestamp == "2.3.2026 12:00:00"


async def test_bad_mac_names_the_expected_string_without_secrets(api: Api) -> None:
    response = await api.get(
        "customerlist.nv", {"keyword": "Oy"}, customer_key="wrong-customer-key"
    )
    assert failure(response) == "AUTHENTICATION_FAILED"
    message = status(response)[1]
    assert "https://isvapi.netvisor.fi/customerlist.nv?keyword=Oy&Silta tests&TEST_USER&" in message
    assert message.endswith("&YOUR_CUSTOMER_KEY_HERE&YOUR_PARTNER_KEY_HERE")
    assert CUSTOMER_KEY not in response.text
    assert PARTNER_KEY not in response.text
    assert "wrong-customer-key" not in response.text


async def test_unknown_partner_is_refused_in_finnish(api: Api) -> None:
    response = await api.get("customerlist.nv", partner_id="SOMEONE_ELSE")
    assert status(response) == [
        "FAILED",
        "AUTHENTICATION_FAILED :: Integraatiokumppania ei löydy, katso dokumentaatio",
    ]


async def test_unknown_customer_id_is_refused(api: Api) -> None:
    response = await api.get("customerlist.nv", customer_id="NOBODY", language="EN")
    assert status(response)[1] == (
        "AUTHENTICATION_FAILED :: Integration keys are not valid. Please check the keys "
        "specific to the user and partner."
    )


async def test_organisation_without_access_is_refused(api: Api, sandbox: NetvisorSandbox) -> None:
    sandbox.add_organisation("2345678-0")
    response = await api.get("customerlist.nv", organisation_id="2345678-0")
    assert failure(response) == "AUTHENTICATION_FAILED"
    assert sandbox.organisation("2345678-0").stats.total_requests == 0


@pytest.mark.parametrize("minutes", [6, -6])
async def test_skewed_timestamp_is_refused(api: Api, clock: FakeClock, minutes: int) -> None:
    client_time = clock.now + timedelta(minutes=minutes)
    request = api.client.build_request("GET", "/customerlist.nv")
    request.headers.update(signed_headers(str(request.url), now=client_time))
    response = await api.client.send(request)
    assert failure(response) == "AUTHENTICATION_FAILED"
    assert "TimestampUnix" in status(response)[1]


async def test_timestamp_within_skew_is_accepted(api: Api, clock: FakeClock) -> None:
    request = api.client.build_request("GET", "/customerlist.nv")
    request.headers.update(signed_headers(str(request.url), now=clock.now - timedelta(minutes=4)))
    assert status(await api.client.send(request)) == ["OK"]


@pytest.mark.parametrize("algorithm", ["MD5", "SHA256", ""])
async def test_legacy_algorithms_are_refused(api: Api, algorithm: str) -> None:
    response = await api.get("customerlist.nv", algorithm=algorithm)
    assert failure(response) == "AUTHENTICATION_FAILED"


async def test_missing_header_is_refused(api: Api) -> None:
    request = api.client.build_request("GET", "/customerlist.nv")
    headers = signed_headers(str(request.url), now=api.clock())
    del headers["X-Netvisor-Authentication-TransactionId"]
    request.headers.update(headers)
    response = await api.client.send(request)
    assert failure(response) == "AUTHENTICATION_FAILED"
    assert "x-netvisor-authentication-transactionid" in status(response)[1]


async def test_header_names_are_case_insensitive(api: Api) -> None:
    request = api.client.build_request("GET", "/customerlist.nv")
    headers = signed_headers(str(request.url), now=api.clock())
    request.headers.update({name.upper(): value for name, value in headers.items()})
    assert status(await api.client.send(request)) == ["OK"]


async def test_unknown_language_is_refused(api: Api) -> None:
    assert failure(await api.get("customerlist.nv", language="DE")) == "AUTHENTICATION_FAILED"


async def test_transaction_id_reuse_is_not_unique(api: Api) -> None:
    assert status(await api.get("customerlist.nv", transaction_id="tx-1")) == ["OK"]
    response = await api.get("customerlist.nv", transaction_id="tx-1", language="EN")
    assert status(response) == [
        "FAILED",
        "REQUEST_NOT_UNIQUE :: The transaction ID has already been used. The ID must change "
        "in every request.",
    ]


async def test_transaction_id_is_unique_across_organisations_of_a_partner(api: Api) -> None:
    assert status(await api.get("customerlist.nv", transaction_id="tx-2")) == ["OK"]
    response = await api.get("customerlist.nv", transaction_id="tx-2", organisation_id="0737546-2")
    assert failure(response) == "REQUEST_NOT_UNIQUE"


async def test_refused_authentication_does_not_consume_the_transaction_id(api: Api) -> None:
    bad = await api.get("customerlist.nv", transaction_id="tx-3", customer_key="nope")
    assert failure(bad) == "AUTHENTICATION_FAILED"
    assert status(await api.get("customerlist.nv", transaction_id="tx-3")) == ["OK"]


async def test_failures_are_http_200_by_default(api: Api) -> None:
    response = await api.get("customerlist.nv", partner_id="X")
    assert response.status_code == 200
    assert failure(response) == "AUTHENTICATION_FAILED"


@pytest.mark.parametrize(
    ("category", "code"),
    [
        ("AUTHENTICATION_FAILED", 401),
        ("SERVICE_ACCESS_ERROR", 403),
        ("TECHNICAL_ERROR", 500),
        ("SYSTEM_MAINTENANCE", 500),
        ("INVALID_DATA", 400),
        ("DUPLICATE_DATA", 400),
        ("REQUEST_NOT_UNIQUE", 400),
        ("PERIOD_LOCK", 400),
    ],
)
async def test_status_codes_when_asked_for(
    api: Api, sandbox: NetvisorSandbox, category: str, code: int
) -> None:
    from silta.sandbox.netvisor import Faults

    sandbox.organisation(ORG_ID).faults = Faults(fail_next=[category])
    opt_in = {"X-Netvisor-Authentication-UseHTTPResponseStatusCodes": "1"}
    response = await api.get("customerlist.nv", extra_headers=opt_in)
    assert response.status_code == code
    assert failure(response) == category
    ok = await api.get("customerlist.nv", extra_headers=opt_in)
    assert ok.status_code == 200


async def test_authentication_status_code_when_asked_for(api: Api) -> None:
    opt_in = {"X-Netvisor-Authentication-UseHTTPResponseStatusCodes": "1"}
    response = await api.get("customerlist.nv", partner_id="X", extra_headers=opt_in)
    assert response.status_code == 401
    assert xml(response).findtext("ResponseStatus/Status") == "FAILED"


async def test_swedish_falls_back_to_english(api: Api) -> None:
    response = await api.get("customerlist.nv", partner_id="X", language="SE")
    assert status(response)[1].endswith("Integration partner not found, see the documentation")


@pytest.mark.parametrize("wire_encoding", ["utf-8", "iso-8859-15"])
async def test_non_ascii_sender_is_signed_as_iso_8859_15(api: Api, wire_encoding: str) -> None:
    url = "https://isvapi.netvisor.fi/customerlist.nv"
    headers = signed_headers(url, now=api.clock(), sender="Demokäyttäjä €")
    raw = httpx.Headers([(n.encode(), v.encode(wire_encoding)) for n, v in headers.items()])
    assert status(await api.client.get(url, headers=raw)) == ["OK"]


async def test_unattributed_failures_are_counted(api: Api, sandbox: NetvisorSandbox) -> None:
    await api.get("customerlist.nv", partner_id="X")
    assert sandbox.stats.unattributed_failures["AUTHENTICATION_FAILED"] == 1
    assert sandbox.stats.in_flight == 0
