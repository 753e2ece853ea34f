"""Helpers for the Severa sandbox tests: a fake clock and a small raw-JSON API client.

The client here is written from the document on its own: raw JSON, no import of the Severa
client in :mod:`silta.severa`, so a bug in one cannot be hidden by the same bug in the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

BASE_URL = "https://api.severa.visma.com/rest-api"
CLIENT_ID = "test-client"
CLIENT_SECRET = "test-secret"
ALL_TEST_SCOPES = frozenset(
    {
        "customers:read",
        "customers:write",
        "projects:read",
        "projects:write",
        "settings:read",
        "settings:write",
    }
)


class FakeClock:
    """A clock tests move by hand."""

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def error_of(response: httpx.Response) -> dict[str, Any]:
    """The ``error`` object of an ``ExceptionModel`` answer, checked for its shape."""
    body = response.json()
    error = body["error"]
    assert error["httpStatusCode"] == response.status_code
    assert error["stack"] is None
    assert isinstance(error["details"], list)
    return dict(error)


def detail_names(response: httpx.Response) -> list[str | None]:
    """The ``location.name`` of every detail of an error answer."""
    return [d.get("location", {}).get("name") for d in error_of(response)["details"]]


class Api:
    """Raw calls with a token: ``await api.get("/v1/customers", params=...)``."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        client_id: str = CLIENT_ID,
        client_secret: str = CLIENT_SECRET,
    ) -> None:
        self.client = client
        self.client_id = client_id
        self.client_secret = client_secret
        self.token: dict[str, Any] | None = None

    async def authenticate(self, scope: str | None = None) -> dict[str, Any]:
        body = {"client_id": self.client_id, "client_secret": self.client_secret}
        if scope is not None:
            body["scope"] = scope
        response = await self.client.post("/v1/token", json=body)
        assert response.status_code == 200, response.text
        self.token = dict(response.json())
        return self.token

    def headers(self) -> dict[str, str]:
        assert self.token is not None
        return {
            "Authorization": f"Bearer {self.token['access_token']}",
            "Client_Id": self.client_id,
        }

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | list[tuple[str, Any]] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> httpx.Response:
        if self.token is None:
            await self.authenticate()
        sent = {**self.headers(), **(headers or {})}
        return await self.client.request(method, path, params=params, json=json, headers=sent)

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        return await self.call("GET", path, **kw)

    async def post(self, path: str, json: Any, **kw: Any) -> httpx.Response:
        return await self.call("POST", path, json=json, **kw)

    async def patch(self, path: str, operations: Any, **kw: Any) -> httpx.Response:
        return await self.call("PATCH", path, json=operations, **kw)

    async def replace(self, path: str, **values: Any) -> httpx.Response:
        """PATCH with one ``replace`` per keyword (``/`` in a path is written ``__``)."""
        operations = [
            {"op": "replace", "path": "/" + name.replace("__", "/"), "value": value}
            for name, value in values.items()
        ]
        return await self.patch(path, operations)

    async def all_pages(
        self, path: str, params: Mapping[str, Any] | None = None
    ) -> tuple[list[dict[str, Any]], int]:
        """Every row of a token-paged list, and how many pages it took."""
        rows: list[dict[str, Any]] = []
        query = dict(params or {})
        pages = 0
        while True:
            response = await self.get(path, params=query)
            assert response.status_code == 200, response.text
            pages += 1
            rows += response.json()
            token = response.headers.get("NextPageToken")
            if token is None:
                return rows, pages
            query["pageToken"] = token
