"""Severa's own OpenAPI document as the judge of Severa traffic in the tests.

The document is not part of this project: it is read from ``SILTA_SEVERA_OPENAPI`` or from
``../shared/specs/severa-openapi.json`` beside the checkout. Without it (a user's fresh
clone) the conformance tests skip with a reason and :class:`Judge` checks nothing; in CI
``.ci/run`` makes it required. Both the sandbox's tests and the client's conformance tests use
this one module, so the document is loaded once per test session.

Validation is openapi-core's, not ours: paths, parameters, security headers, request bodies
(including read-only properties a client must not send), status codes, response headers and
bodies.
"""

from __future__ import annotations

import functools
import json
import os
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from openapi_core.templating.paths.exceptions import PathError
from werkzeug.datastructures import Headers, ImmutableMultiDict

ROOT = Path(__file__).resolve().parents[1]
SPEC_ENV = "SILTA_SEVERA_OPENAPI"
DEFAULT_SPEC = ROOT.parent / "shared" / "specs" / "severa-openapi.json"
SERVER = "https://api.severa.visma.com/rest-api"  # the document's servers[0].url
REQUIRED_ENV = "SILTA_REQUIRE_CONFORMANCE"  # set by .ci/run: a missing document fails


def spec_path() -> Path | None:
    """Where the document is, or ``None``."""
    configured = os.environ.get(SPEC_ENV)
    path = Path(configured) if configured else DEFAULT_SPEC
    return path if path.is_file() else None


@functools.cache
def document() -> dict[str, Any] | None:
    """The parsed document, or ``None`` when it is not at hand."""
    path = spec_path()
    return None if path is None else dict(json.loads(path.read_text(encoding="utf-8")))


def missing_reason() -> str:
    where = os.environ.get(SPEC_ENV) or str(DEFAULT_SPEC)
    return (
        f"Severa's OpenAPI document is not at {where}; set {SPEC_ENV} to its path "
        "(it lives in the shared folder, not in this project)"
    )


def required_document() -> dict[str, Any]:
    """The document; without it the calling test skips, or fails where CI requires it."""
    spec = document()
    if spec is None:
        if os.environ.get(REQUIRED_ENV) == "1":
            pytest.fail(f"{REQUIRED_ENV}=1 but {missing_reason()}")
        pytest.skip(missing_reason())
    return spec


@functools.cache
def _openapi() -> OpenAPI | None:
    spec = document()
    return None if spec is None else OpenAPI.from_dict(spec)


class _Request:
    """An httpx request as openapi-core's Request protocol, re-based on the document's server.

    The sandbox may be reached at any base URL; the path after that base is what the
    document describes, so ``base`` is swapped for the document's server URL.
    """

    def __init__(self, request: httpx.Request, base: str) -> None:
        url = str(request.url)
        if not url.startswith(base):
            raise ValueError(f"{url} is not under {base}")
        rebased = httpx.URL(SERVER + url[len(base) :])
        self.host_url = f"{rebased.scheme}://{rebased.host}"
        self.path = rebased.path
        self.method = request.method.lower()
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(list(rebased.params.multi_items())),
            header=Headers(list(request.headers.items())),
            cookie=ImmutableMultiDict(),
        )
        self.body = request.content or None
        content_type = request.headers.get("content-type", "").split(";")[0]
        self.content_type = content_type or "application/json"


class _Response:
    def __init__(self, response: httpx.Response) -> None:
        self.status_code = response.status_code
        self.data = response.content
        self.content_type = response.headers.get("content-type", "").split(";")[0]
        self.headers = Headers(list(response.headers.items()))


def _checked(call: Any, *args: Any) -> None:
    if _openapi() is None:
        return
    with warnings.catch_warnings():
        # openapi-core cannot check OAuth2 itself and says so on every request; the
        # Client_Id header (apiKey) is still checked, and the bearer token by the sandbox.
        warnings.filterwarnings("ignore", message="Unsupported scheme type", category=UserWarning)
        call(*args)


def validate_request(request: httpx.Request, base: str = SERVER) -> None:
    """Raise openapi-core's error if ``request`` does not follow the document."""
    openapi = _openapi()
    if openapi is not None:
        _checked(openapi.validate_request, _Request(request, base))


def validate_response(
    request: httpx.Request,
    response: httpx.Response,
    base: str = SERVER,
    *,
    unknown_paths_allowed: bool = False,
) -> None:
    """Raise openapi-core's error if ``response`` does not follow the document.

    ``unknown_paths_allowed`` lets answers to routes the document does not have pass (the
    sandbox's tests of unknown routes); a client must never call one.
    """
    openapi = _openapi()
    if openapi is None:
        return
    try:
        _checked(openapi.validate_response, _Request(request, base), _Response(response))
    except PathError:
        if not unknown_paths_allowed:
            raise


async def _replayable(inner: httpx.AsyncBaseTransport, request: httpx.Request) -> httpx.Response:
    response = await inner.handle_async_request(request)
    body = await response.aread()
    return httpx.Response(
        response.status_code, headers=response.headers, content=body, request=request
    )


class Recorder(httpx.AsyncBaseTransport):
    """A transport that passes everything on and keeps each exchange for validation."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.exchanges: list[tuple[httpx.Request, httpx.Response]] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await _replayable(self.inner, request)
        self.exchanges.append((request, response))
        return httpx.Response(
            response.status_code, headers=response.headers, content=response.content,
            request=request,
        )  # fmt: skip

    def __iter__(self) -> Iterator[tuple[httpx.Request, httpx.Response]]:
        return iter(self.exchanges)


class Judge(httpx.AsyncBaseTransport):
    """A transport that judges every answer on the way back (routes off the document pass)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, base: str = SERVER) -> None:
        self.inner = inner
        self.base = base
        self.judged = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await _replayable(self.inner, request)
        validate_response(request, response, self.base, unknown_paths_allowed=True)
        self.judged += 1
        return response
