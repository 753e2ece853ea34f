"""A small scriptable stand-in for Severa, for the client's unit tests (MockTransport)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from silta.backoff import RetryPolicy
from silta.severa import RateLimits, SeveraClient, SeveraCredentials

CREDENTIALS = SeveraCredentials(client_id="client-1", client_secret="secret-1")
BASE = "https://api.severa.visma.com/rest-api"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class Sleeps:
    """A fake monotonic time: sleeping records the delay and moves the time on at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []
        self.time = 1000.0

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)
        self.time += seconds

    def monotonic(self) -> float:
        return self.time


def token_answer(n: int, expires_in: int = 3600) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "access_token": f"access-{n}",
            "access_token_type": "Bearer",
            "access_token_expires_in": expires_in,
            "access_token_expires_utc": "2026-03-02T10:00:00Z",
            "refresh_token": f"refresh-{n}",
            "refresh_token_expires_in": 86400,
            "refresh_token_expires_utc": "2026-03-03T09:00:00Z",
            "scope": "customers:read",
        },
    )


def error(status: int, error_type: str, *messages: str) -> httpx.Response:
    return httpx.Response(
        status,
        json={
            "error": {
                "httpStatusCode": status,
                "type": error_type,
                "details": [
                    {"message": m, "url": None, "location": {"type": "RequestBody", "name": "name"}}
                    for m in messages
                ],
                "stack": None,
            }
        },
    )


class FakeSevera:
    """Answers /v1/token itself; hands every other request to ``route``."""

    def __init__(self, route: Callable[[httpx.Request], httpx.Response], expires_in: int = 3600):
        self.route = route
        self.expires_in = expires_in
        self.requests: list[httpx.Request] = []
        self.tokens = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path.endswith(("/v1/token", "/v1/refreshtoken")):
            self.tokens += 1
            return token_answer(self.tokens, self.expires_in)
        return self.route(request)

    def data_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if "token" not in r.url.path]

    @staticmethod
    def body(request: httpx.Request) -> object:
        return json.loads(request.content)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def make_client(
    fake: Callable[[httpx.Request], httpx.Response],
    *,
    clock: Clock | None = None,
    sleeps: Sleeps | None = None,
    timeout: float = 5.0,
    attempts: int = 4,
    rate: int = 1000,
    credentials: SeveraCredentials = CREDENTIALS,
) -> SeveraClient:
    http = httpx.AsyncClient(transport=httpx.MockTransport(fake))
    sleeps = sleeps or Sleeps()
    return SeveraClient(
        http,
        credentials,
        base_url=BASE,
        timeout=timeout,
        retry=RetryPolicy(attempts=attempts, base_delay=0.5, max_delay=4.0),
        rate=rate,
        limits=RateLimits(clock=sleeps.monotonic, sleep=sleeps),
        clock=clock or Clock(),
        sleep=sleeps,
    )
