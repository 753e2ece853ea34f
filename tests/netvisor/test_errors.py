"""Every Netvisor failure becomes the right exception, with retry intent in its type."""

from __future__ import annotations

import httpx
import pytest

from silta.errors import OutcomeUnknownError, SiltaError
from silta.netvisor import (
    AuthenticationFailed,
    DuplicateData,
    InvalidData,
    InvalidDataSize,
    NetvisorClient,
    NetvisorHttpRejected,
    NetvisorProtocolError,
    NetvisorStatusError,
    NetvisorTransportError,
    NotFound,
    PeriodLock,
    RequestNotUnique,
    ServiceAccessError,
    SystemMaintenance,
    TechnicalError,
    UnknownNetvisorError,
    UnsafeXmlError,
)
from silta.netvisor.errors import status_error
from silta.netvisor.retry import RetryPolicy

from .conftest import CREDENTIALS, Sleeps, failed, make_client, ok

CATEGORY_TYPES = [
    ("AUTHENTICATION_FAILED", AuthenticationFailed, False),
    ("INVALID_DATA", InvalidData, False),
    ("INVALID_DATA_SIZE", InvalidDataSize, False),
    ("DUPLICATE_DATA", DuplicateData, False),
    ("REQUEST_NOT_UNIQUE", RequestNotUnique, True),
    ("PERIOD_LOCK", PeriodLock, False),
    ("SERVICE_ACCESS_ERROR", ServiceAccessError, False),
    ("SYSTEM_MAINTENANCE", SystemMaintenance, True),
    ("TECHNICAL_ERROR", TechnicalError, True),
]


@pytest.mark.parametrize(("category", "cls", "retryable"), CATEGORY_TYPES)
async def test_each_category_inside_http_200_maps_to_its_exception(
    category: str, cls: type[NetvisorStatusError], retryable: bool
) -> None:
    client = make_client(lambda request: failed(f"{category} :: something :: with colons"))
    with pytest.raises(cls) as caught:
        await client.list_customers()
    error = caught.value
    assert type(error) is cls
    assert isinstance(error, SiltaError)
    assert error.retryable is retryable
    assert error.reported_category == category
    assert error.detail == "something :: with colons"  # split once only
    assert error.http_status == 200


@pytest.mark.parametrize(
    ("category", "status"),
    [("AUTHENTICATION_FAILED", 401), ("SERVICE_ACCESS_ERROR", 403), ("INVALID_DATA", 400),
     ("TECHNICAL_ERROR", 500)],
)  # fmt: skip
async def test_failures_with_http_status_codes_are_read_from_the_body(
    category: str, status: int
) -> None:
    client = make_client(lambda request: failed(f"{category} :: x", status), attempts=1)
    with pytest.raises(NetvisorStatusError) as caught:
        await client.list_customers()
    assert caught.value.reported_category == category
    assert caught.value.http_status == status


async def test_unknown_category_is_a_generic_error_not_a_crash() -> None:
    client = make_client(lambda request: failed("BRAND_NEW_CATEGORY :: surprise"))
    with pytest.raises(UnknownNetvisorError) as caught:
        await client.list_customers()
    assert caught.value.reported_category == "BRAND_NEW_CATEGORY"
    assert caught.value.retryable is False


def test_status_text_without_a_category_is_kept_whole() -> None:
    error = status_error("Something went wrong")
    assert isinstance(error, UnknownNetvisorError)
    assert error.detail == "Something went wrong"


@pytest.mark.parametrize(
    "text",
    [
        "INVALID_DATA :: Data form incorrect:. Customer not found with Netvisor identifier: 123",
        "INVALID_DATA :: Asiakasta ei löydy Netvisor-tunnisteella 123",
    ],
)
def test_not_found_is_recognized_in_english_and_finnish(text: str) -> None:
    error = status_error(text)
    assert isinstance(error, NotFound)
    assert isinstance(error, InvalidData)


def test_the_misspelt_maintenance_category_is_understood() -> None:
    assert isinstance(status_error("SYSTEM_MAINTANANCE :: x"), SystemMaintenance)


async def test_html_error_page_is_described_with_its_status_never_quoted() -> None:
    """A proxy's page is recognisable ("an HTML page", the status) without a word of it in
    the message: whatever answers at the base URL must not write on Silta's pages."""
    page = (
        "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    )
    client = make_client(lambda request: httpx.Response(502, text=page), attempts=1)
    with pytest.raises(NetvisorTransportError) as caught:
        await client.list_customers()
    message = str(caught.value)
    assert "HTTP 502" in message
    assert "an HTML page" in message
    assert "Bad Gateway" not in message and "nginx" not in message
    assert caught.value.status == 502
    assert caught.value.retryable is True


async def test_html_page_with_status_200_is_not_mistaken_for_an_attack() -> None:
    client = make_client(
        lambda r: httpx.Response(200, text="<!doctype html><p>login</p>"), attempts=1
    )
    with pytest.raises(NetvisorTransportError, match="HTTP 200 with an HTML page") as caught:
        await client.list_customers()
    assert "login" not in str(caught.value)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_a_redirect_is_never_followed_nor_retried(status: int) -> None:
    """A redirect would carry the signed request to a host the operator never allowed."""
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(status, headers={"Location": "http://127.0.0.1:9/steal"})

    client = make_client(handler)
    with pytest.raises(NetvisorHttpRejected, match=f"HTTP {status}, a redirect") as caught:
        await client.list_customers()
    assert len(calls) == 1 and "127.0.0.1" not in calls[0]
    assert "127.0.0.1" not in str(caught.value)  # the Location is not quoted either


async def test_a_redirect_is_not_followed_even_by_a_client_that_would() -> None:
    """The client passes ``follow_redirects=False`` on every send, so a caller's
    ``httpx.AsyncClient(follow_redirects=True)`` cannot turn it on."""
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.host)
        if request.url.host == "elsewhere.test":
            return httpx.Response(200, text="<Root><ResponseStatus><Status>OK</Status>"
                                             "</ResponseStatus></Root>")  # fmt: skip
        return httpx.Response(302, headers={"Location": "https://elsewhere.test/customerlist.nv"})

    http = httpx.AsyncClient(transport=httpx.MockTransport(handler), follow_redirects=True)
    client = NetvisorClient(
        http, CREDENTIALS, base_url="https://isvapi.netvisor.fi", retry=RetryPolicy(attempts=1)
    )
    with pytest.raises(NetvisorHttpRejected):
        await client.list_customers()
    assert calls == ["isvapi.netvisor.fi"]


async def test_empty_body_is_a_transport_error() -> None:
    client = make_client(lambda request: httpx.Response(500, content=b""), attempts=1)
    with pytest.raises(NetvisorTransportError, match="HTTP 500 with an empty body"):
        await client.list_customers()


async def test_non_xml_4xx_is_not_retried() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(413, text="Request Entity Too Large")

    client = make_client(handler)
    with pytest.raises(NetvisorHttpRejected, match="HTTP 413"):
        await client.list_customers()
    assert len(calls) == 1


async def test_xxe_response_is_refused() -> None:
    body = b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><Root>&x;</Root>'
    client = make_client(lambda request: httpx.Response(200, content=body))
    with pytest.raises(UnsafeXmlError):
        await client.list_customers()


async def test_xml_without_response_status_is_not_taken_for_success() -> None:
    client = make_client(
        lambda request: httpx.Response(200, content=b"<Root><Customerlist/></Root>")
    )
    with pytest.raises(NetvisorTransportError, match="XML that is not a Netvisor answer"):
        await client.list_customers()


async def test_truncated_xml_is_a_protocol_error() -> None:
    client = make_client(lambda r: httpx.Response(200, content=b"<Root><ResponseStatus><Sta"))
    with pytest.raises(NetvisorProtocolError):
        await client.list_customers()


async def test_keys_echoed_by_netvisor_are_masked() -> None:
    echo = (
        "AUTHENTICATION_FAILED :: URI-metodi ei kelpaa. Käytä merkkijonoa: "
        "https://x/customerlist.nv&Silta&c&t&FI&1967543-8&tx&1&customer-secret-key&"
        "partner-secret-key :: F634424F"
    )
    client = make_client(lambda request: failed(echo))
    with pytest.raises(AuthenticationFailed) as caught:
        await client.list_customers()
    assert "secret-key" not in str(caught.value)
    assert "&***&***" in str(caught.value)


async def test_retryable_read_errors_are_retried_with_growing_delays(sleeps: Sleeps) -> None:
    answers = iter(
        [failed("TECHNICAL_ERROR :: a"), failed("SYSTEM_MAINTENANCE :: b"),
         httpx.Response(503, text="busy"), ok("<Customerlist/>")]
    )  # fmt: skip
    client = make_client(lambda request: next(answers), sleeps)
    assert await client.list_customers() == []
    assert len(sleeps.delays) == 3
    ceilings = [0.5, 1.0, 2.0]
    for delay, ceiling in zip(sleeps.delays, ceilings, strict=True):
        assert ceiling / 2 <= delay <= ceiling


async def test_retries_stop_after_the_configured_attempts(sleeps: Sleeps) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return failed("TECHNICAL_ERROR :: down")

    client = make_client(handler, sleeps, attempts=3)
    with pytest.raises(TechnicalError):
        await client.list_customers()
    assert len(calls) == 3


async def test_permanent_errors_are_not_retried(sleeps: Sleeps) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return failed("AUTHENTICATION_FAILED :: no")

    client = make_client(handler, sleeps)
    with pytest.raises(AuthenticationFailed):
        await client.list_customers()
    assert calls == [1]
    assert sleeps.delays == []


def test_outcome_unknown_is_never_retryable() -> None:
    assert OutcomeUnknownError.retryable is False
