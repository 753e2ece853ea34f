"""Severa's OpenAPI document as the judge of every answer the sandbox gives in these tests.

The document is not part of the project: it is read from ``SILTA_SEVERA_OPENAPI`` or from
``../shared/specs/severa-openapi.json`` beside the checkout. Without it (a user's fresh
clone) :class:`Judge` checks nothing and :func:`document` returns ``None`` so that tests that
need it skip. Written for these tests alone: the sandbox must not read the document, and the
shared conformance suite of the client is its own.

Only responses are judged (tests send malformed requests on purpose). An answer to a path or
method the document does not have (the unknown-route tests) has nothing to be judged against.
"""

from __future__ import annotations

import functools
import json
import os
import warnings
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[3]
DEFAULT = ROOT.parent / "shared" / "specs" / "severa-openapi.json"


def document_path() -> Path | None:
    configured = os.environ.get("SILTA_SEVERA_OPENAPI")
    path = Path(configured) if configured else DEFAULT
    return path if path.is_file() else None


@functools.cache
def document() -> dict[str, Any] | None:
    """The parsed document, or ``None`` when it is not at hand."""
    path = document_path()
    return None if path is None else dict(json.loads(path.read_text(encoding="utf-8")))


@functools.cache
def _openapi() -> Any:
    spec = document()
    if spec is None:
        return None
    try:
        from openapi_core import OpenAPI
    except ImportError:  # pragma: no cover - a dev dependency
        return None
    return OpenAPI.from_dict(spec)


class _Request:
    def __init__(self, request: httpx.Request) -> None:
        from openapi_core.datatypes import RequestParameters
        from werkzeug.datastructures import Headers, ImmutableMultiDict

        self.host_url = f"{request.url.scheme}://{request.url.host}"
        self.path = request.url.path
        self.method = request.method.lower()
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(list(request.url.params.multi_items())),
            header=Headers(list(request.headers.items())),
            cookie=ImmutableMultiDict(),
        )
        self.body = request.content or None
        self.content_type = "application/json"


class _Response:
    def __init__(self, response: httpx.Response) -> None:
        from werkzeug.datastructures import Headers

        self.status_code = response.status_code
        self.data = response.content
        self.content_type = response.headers.get("content-type", "").split(";")[0]
        self.headers = Headers(list(response.headers.items()))


def judge(request: httpx.Request, response: httpx.Response) -> None:
    """Raise when ``response`` does not follow the document (no-op without it)."""
    openapi = _openapi()
    if openapi is None:
        return
    from openapi_core.templating.paths.exceptions import PathError

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Unsupported scheme type", category=UserWarning)
        try:
            openapi.validate_response(_Request(request), _Response(response))
        except PathError:
            return  # a route the document does not have: nothing to judge against


class Judge(httpx.AsyncBaseTransport):
    """A transport that passes everything on and judges every answer on the way back."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.judged = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        body = await response.aread()
        answer = httpx.Response(
            response.status_code, headers=response.headers, content=body, request=request
        )
        judge(request, answer)
        self.judged += 1
        return answer
