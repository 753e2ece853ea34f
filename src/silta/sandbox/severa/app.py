"""The Severa sandbox: organisations, credentials, and the ASGI app that serves them.

One request goes through these steps (each may end it):

1. It counts as in flight for the whole sandbox from arrival.
2. **Routing** (:mod:`.routes`), on the path after the mount: an unknown path → empty 404;
   a method the path does not serve → 405 ``ExceptionModel`` with ``Allow``.
3. The credential is identified (token body, ``Client_Id`` header or bearer token) and the
   request is counted for its organisation, ``(method, route template)``.
4. **Rate limit** (:mod:`.ratelimit`) per client id → 429; refused requests do not count.
5. **Authentication** (:mod:`.auth`) → 401; the operation's **scope** → 403
   ``InsufficientApiScope``.
6. **Faults** (:mod:`.faults`): token expiry countdown, latency, injected errors, timeouts.
7. The body is read and parsed (415 for a non-JSON content type, 400 for invalid JSON) and
   the operation runs (:mod:`.resources`) - synchronously, so a request cancelled by its
   client (``httpx.ASGITransport`` cancels the app coroutine on a client timeout) never leaves
   half a write. The answer then waits until ``latency`` after the request's arrival: the
   sandbox's own work is inside the latency, as a real service's is inside its response time.
8. A successful write may lose its answer (:mod:`.faults`): it leaves the in-flight counts,
   then hangs.

``try``/``finally`` keeps the in-flight counts right when a request is cancelled anywhere.
Responses are ``application/json; charset=utf-8``, except the empty 404 and 204, and a
file's content (``application/octet-stream``).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Final

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp

from ..faults import answer_time, stamp_arrival, until
from ..variance import SHARE, Variance
from .auth import (
    Credential,
    TokenStore,
    authentication_required,
    bearer_token,
    parse_client_credentials,
)
from .control import CONTROL_PREFIX, control_not_found, control_routes
from .errors import (
    INSUFFICIENT_API_SCOPE,
    INTERNAL_SYSTEM_ERROR,
    INVALID_PARAMETER,
    INVALID_REQUEST,
    Detail,
    NotFound,
    SeveraFailure,
    invalid_parameters,
)
from .faults import (
    ERROR_KINDS,
    SeveraFaults,
    copy_faults,
    draw_error,
    draw_lost_response,
    draw_timeout,
)
from .organisation import Organisation, slug
from .paging import PageTokens
from .query import Query
from .ratelimit import RateLimiter, quota_exceeded
from .resources import HANDLERS, NO_BODY, Answer, Call
from .routes import Operation, match_route
from .stats import OrganisationStats, SandboxStats
from .times import Clock, utc_now
from .variance import Answer as Varied
from .variance import vary

__all__ = ["SeveraSandbox"]

_ALL_METHODS: Final = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
_JSON: Final = "application/json; charset=utf-8"
_MAX_BODY: Final = 1024 * 1024
_INJECTED_MESSAGES: Final = {
    500: "An unexpected error occurred (injected by the sandbox).",
    502: "Bad gateway (injected by the sandbox).",
    503: "The service is temporarily unavailable (injected by the sandbox).",
    504: "The request timed out (injected by the sandbox).",
}


class SeveraSandbox:
    """A fake Severa REST API: authentication, registers, rate limit, faults, counters.

    Args:
        clock: returns the current time as an aware UTC datetime; used for record stamps,
            token expiry, ``changedSince`` and the rate-limit window. Default: real time.
        seed: seeds every organisation's GUIDs and fault draws (with the organisation id).
        rate_limit: requests per rolling second per client id; ``None`` = no limit.
        access_token_lifetime: how long an access token is valid.
        refresh_token_lifetime: how long a refresh token is valid.

    Attributes:
        app: the ASGI app; its routes are ``/v1/...`` relative to where it is mounted.
        default_faults: copied to organisations created later.
        stats: counters across all organisations.
        tokens: the credentials and issued tokens.
        limiter: the rate limiter.
    """

    def __init__(
        self,
        clock: Clock | None = None,
        seed: int = 0,
        rate_limit: int | None = 10,
        access_token_lifetime: timedelta = timedelta(hours=1),
        refresh_token_lifetime: timedelta = timedelta(days=1),
    ) -> None:
        self.clock: Clock = clock or utc_now
        self.seed = seed
        self.default_faults = SeveraFaults()
        self.variance_seed: int | None = None
        self.variance_share = SHARE
        self.stats = SandboxStats()
        self.tokens = TokenStore(access_token_lifetime, refresh_token_lifetime)
        self.limiter = RateLimiter(rate_limit)
        self._page_tokens = PageTokens(hashlib.sha256(f"silta-severa:{seed}".encode()).digest())
        self._organisations: dict[str, Organisation] = {}
        # Stamped on arrival: the latency knob counts from there (see answer_time).
        self.app: ASGIApp = stamp_arrival(Starlette(routes=self._routes()))

    def _routes(self) -> list[BaseRoute]:
        return [
            *control_routes(self),
            Route("/{path:path}", self._serve, methods=_ALL_METHODS),
        ]

    @property
    def access_token_lifetime(self) -> timedelta:
        """How long an issued access token is valid."""
        return self.tokens.access_lifetime

    @property
    def refresh_token_lifetime(self) -> timedelta:
        """How long an issued refresh token is valid (if not used first)."""
        return self.tokens.refresh_lifetime

    def mounted_at(self, prefix: str) -> ASGIApp:
        """An app serving the sandbox under ``prefix`` (``/rest-api``), for a client whose
        base URL has a path, e.g. ``https://api.severa.visma.com/rest-api``."""
        return Starlette(routes=[Mount(prefix, app=self.app)])

    # -- setup -----------------------------------------------------------------------------

    def add_organisation(self, name: str, organisation_id: str | None = None) -> Organisation:
        """A new organisation (with ``default_faults``); its id is a slug of ``name`` unless
        given, made unique with a number."""
        base = organisation_id or slug(name)
        candidate, n = base, 1
        while candidate in self._organisations:
            n += 1
            candidate = f"{base}-{n}"
        organisation = Organisation(
            candidate,
            name,
            clock=self.clock,
            seed=self.seed,
            faults=copy_faults(self.default_faults),
            tokens=self.tokens,
        )
        if self.variance_seed is not None:
            organisation.variance = Variance.of(self.variance_seed, candidate, self.variance_share)
        self._organisations[candidate] = organisation
        return organisation

    def add_credential(self, credential: Credential) -> None:
        """Register API credentials of an existing organisation."""
        if credential.organisation not in self._organisations:
            raise KeyError(f"no organisation {credential.organisation!r}")
        self.tokens.add(credential)

    def organisation(self, organisation_id: str) -> Organisation:
        """The organisation with this id (KeyError when unknown)."""
        return self._organisations[organisation_id]

    def organisation_of(self, client_id: str) -> Organisation:
        """The organisation a client id reaches (KeyError when unknown)."""
        credential = self.tokens.credential(client_id)
        if credential is None:
            raise KeyError(client_id)
        return self._organisations[credential.organisation]

    @property
    def organisations(self) -> Mapping[str, Organisation]:
        """All organisations by id."""
        return dict(self._organisations)

    def set_faults(self, faults: SeveraFaults) -> None:
        """Make ``faults`` the default and give every existing organisation its own copy."""
        self.default_faults = faults
        for organisation in self._organisations.values():
            organisation.faults = copy_faults(faults)

    def set_variance(self, seed: int | None, share: float = SHARE) -> None:
        """Variance mode on with ``seed`` (or off with ``None``) for every organisation,
        existing and future: answers take Severa's alternative forms (:mod:`.variance`)."""
        self.variance_seed, self.variance_share = seed, share
        for organisation_id, organisation in self._organisations.items():
            organisation.variance = (
                None if seed is None else Variance.of(seed, organisation_id, share)
            )

    def reset_stats(self) -> None:
        """Zero the counters of the sandbox and of every organisation."""
        self.stats.reset()
        for organisation in self._organisations.values():
            organisation.stats.reset()

    def expire_tokens(self, client_id: str | None = None) -> int:
        """Make access tokens invalid now: a client's, or every one. Returns how many."""
        return self.tokens.expire(client_id=client_id)

    # -- serving ---------------------------------------------------------------------------

    async def _serve(self, request: Request) -> Response:
        path: str = request.path_params["path"]
        if path.startswith(CONTROL_PREFIX):
            return control_not_found(request)
        self.stats.requests += 1
        exchange = _Exchange(self.stats)
        try:
            try:
                response = await self._dispatch(request, path, exchange)
            except SeveraFailure as failure:
                response = _failure(failure, exchange.organisation)
            except NotFound:
                response = Response(status_code=404)
            exchange.count(response.status_code)
            return response
        finally:
            exchange.release()

    async def _dispatch(self, request: Request, path: str, exchange: _Exchange) -> Response:
        match = match_route(request.method, path)
        if match is None:
            raise NotFound
        operation = match.operation
        if operation is None:
            raise SeveraFailure(
                405,
                INVALID_REQUEST,
                [Detail(f"{request.method} is not served on {match.template}.", None, None)],
                headers={"Allow": ", ".join(match.allowed)},
            )
        if operation.kind == "open":
            return PlainTextResponse("Server is alive.")
        if operation.kind == "token":
            return await self._token(request, exchange)
        if operation.kind == "refresh":
            return await self._refresh(request, exchange)
        return await self._data(request, operation, match.params, exchange)

    def _attach(self, client_id: str | None, exchange: _Exchange, request: Request) -> None:
        """Count the request for the organisation of ``client_id``, when there is one."""
        credential = None if not client_id else self.tokens.credential(client_id)
        if credential is not None:
            organisation = self._organisations[credential.organisation]
            exchange.attach(organisation, request.method, exchange.template)

    def _admit(self, client_id: str | None, exchange: _Exchange) -> None:
        """The rate limit for ``client_id`` (no id: nothing to count against)."""
        if not client_id:
            return
        wait = self.limiter.admit(client_id, self.clock())
        if wait is not None:
            self.stats.rate_limited += 1
            organisation = exchange.organisation
            if organisation is not None:
                organisation.stats.rate_limited += 1
            retry_after = organisation is not None and organisation.faults.retry_after
            raise self.limiter.refusal(wait, retry_after)

    async def _token(self, request: Request, exchange: _Exchange) -> Response:
        exchange.template = "/v1/token"
        client_id, secret, scope = parse_client_credentials(await _json_body(request))
        self._attach(client_id, exchange, request)
        self._admit(client_id, exchange)
        header = request.headers.get("client_id")
        if header and header != client_id:
            raise authentication_required(
                "The Client_Id header does not match client_id.", "Client_Id"
            )
        answer = self.tokens.issue(client_id, secret, scope, self.clock())
        self.stats.tokens_issued += 1
        if exchange.organisation is not None:
            exchange.organisation.stats.tokens_issued += 1
        return _token_answer(answer, exchange.organisation)

    async def _refresh(self, request: Request, exchange: _Exchange) -> Response:
        exchange.template = "/v1/refreshtoken"
        client_id = request.headers.get("client_id")
        self._attach(client_id, exchange, request)
        self._admit(client_id, exchange)
        body = await _json_body(request)
        if not isinstance(body, str):
            raise invalid_parameters(
                [Detail("The body must be the refresh token as a JSON string.", None)]
            )
        answer = self.tokens.refresh(body, client_id, self.clock())
        self.stats.refreshes += 1
        if exchange.organisation is not None:
            exchange.organisation.stats.refreshes += 1
        return _token_answer(answer, exchange.organisation)

    async def _data(
        self,
        request: Request,
        operation: Operation,
        params: Mapping[str, str],
        exchange: _Exchange,
    ) -> Response:
        exchange.template = operation.template
        authorization = request.headers.get("authorization")
        client_header = request.headers.get("client_id")
        grant = self.tokens.grant_of(bearer_token(authorization), self.clock())
        client_id = grant.client_id if grant is not None else client_header
        self._attach(client_id, exchange, request)
        self._admit(client_id, exchange)
        grant = self.tokens.check(authorization, client_header, self.clock())
        if operation.scope is not None and operation.scope not in grant.scopes:
            raise SeveraFailure(
                403,
                INSUFFICIENT_API_SCOPE,
                [
                    Detail(
                        f"The access token does not have the scope {operation.scope} that "
                        f"{operation.method} {operation.template} requires.",
                        "Authorization",
                        "RequestHeader",
                    )
                ],
            )
        organisation = self._organisations[grant.organisation]
        expire_after = _count_down_tokens(organisation, self.tokens)
        try:
            return await self._process(request, operation, params, organisation, exchange)
        finally:
            if expire_after:
                self.tokens.expire(organisation=organisation.id)

    async def _process(
        self,
        request: Request,
        operation: Operation,
        params: Mapping[str, str],
        organisation: Organisation,
        exchange: _Exchange,
    ) -> Response:
        """Faults, then the operation (see the module docstring)."""
        faults = organisation.faults
        answer_at = answer_time(faults, organisation.rng, request.scope)
        injected = draw_error(faults, organisation.rng)
        if injected is not None:
            kind, _reason = injected
            organisation.stats.injected[kind] += 1
            await until(answer_at)
            raise _injected(kind, self.limiter.limit, faults)
        if draw_timeout(faults, organisation.rng):
            organisation.stats.timeouts += 1
            organisation.stats.injected["timeout"] += 1
            await until(answer_at + faults.hang_seconds)
            raise _injected("504", self.limiter.limit, faults)
        writes = request.method in ("POST", "PATCH")
        body = await _json_body(request) if writes else NO_BODY
        call = Call(
            org=organisation,
            operation=operation,
            params=params,
            query=Query(request.scope.get("query_string", b"")),
            body=body,
            tokens=self._page_tokens,
            variance=organisation.variance,
        )
        answer = HANDLERS[operation.operation_id](call)
        for name in answer.ignored:
            organisation.stats.ignored_properties[(operation.template, name)] += 1
        response = _answer(answer, organisation.variance)
        committed = writes and answer.status < 300
        if committed:  # counted before the wait: a client may give up on a write that stands
            organisation.stats.writes_committed += 1
            self.stats.writes_committed += 1
        await until(answer_at)  # the work above was inside the latency
        if committed and draw_lost_response(faults, organisation.rng):
            organisation.stats.responses_lost += 1
            self.stats.responses_lost += 1
            organisation.stats.injected["lost_response"] += 1
            # The write stands; only the answer is late (or never seen by the client).
            exchange.release()
            await asyncio.sleep(faults.hang_seconds)
        return response


class _Exchange:
    """One request's bookkeeping: in-flight counters (the sandbox's from arrival, its
    organisation's once known) and where its answer is counted. :meth:`release` is
    idempotent, so a lost response can leave early and the ``finally`` that guards against
    cancellation cannot count it out twice."""

    def __init__(self, stats: SandboxStats) -> None:
        stats.enter()
        self._sandbox = stats
        self._counters: list[SandboxStats | OrganisationStats] = [stats]
        self.organisation: Organisation | None = None
        self.template = ""

    def attach(self, organisation: Organisation, method: str, template: str) -> None:
        self.organisation = organisation
        organisation.stats.requests[(method, template)] += 1
        if self._counters:
            organisation.stats.enter()
            self._counters.append(organisation.stats)

    def count(self, status: int) -> None:
        self._sandbox.responses[status] += 1
        if self.organisation is None:
            self._sandbox.unattributed[status] += 1
        else:
            self.organisation.stats.responses[status] += 1

    def release(self) -> None:
        for counter in self._counters:
            counter.leave()
        self._counters.clear()


def _count_down_tokens(organisation: Organisation, tokens: TokenStore) -> bool:
    """The ``expire_tokens_after_requests`` knob; returns whether to expire after answering.

    Raises:
        SeveraFailure: 401 when the countdown was already at zero.
    """
    remaining = organisation.faults.expire_tokens_after_requests
    if remaining is None:
        return False
    if remaining <= 0:
        organisation.faults.expire_tokens_after_requests = None
        tokens.expire(organisation=organisation.id)
        organisation.stats.injected["token_expiry"] += 1
        raise authentication_required("The access token has expired.")
    remaining -= 1
    organisation.faults.expire_tokens_after_requests = remaining or None
    if remaining == 0:
        organisation.stats.injected["token_expiry"] += 1
        return True
    return False


def _injected(kind: str, limit: int | None, faults: SeveraFaults) -> SeveraFailure:
    status = ERROR_KINDS[kind]
    if status == 429:
        return quota_exceeded(limit or 10, 1 if faults.retry_after else None)
    return SeveraFailure(
        status, INTERNAL_SYSTEM_ERROR, [Detail(_INJECTED_MESSAGES[status], None, None)]
    )


def _failure(failure: SeveraFailure, organisation: Organisation | None) -> Response:
    varied = Varied(failure.as_json(), failure.headers)
    if organisation is not None and organisation.variance is not None:
        varied = vary(varied, organisation.variance, "failure", failure.status)
    return JSONResponse(
        varied.body, status_code=failure.status, headers=dict(varied.headers), media_type=_JSON
    )


def _token_answer(answer: dict[str, Any], organisation: Organisation | None) -> Response:
    body: Any = answer
    if organisation is not None and organisation.variance is not None:
        body = vary(Varied(answer), organisation.variance, "token", 200).body
    return JSONResponse(body, media_type=_JSON)


def _answer(answer: Answer, variance: Variance | None) -> Response:
    if answer.body is None:
        return Response(status_code=answer.status, headers=dict(answer.headers))
    if isinstance(answer.body, bytes):  # a file's content (GET /v1/files/{guid}/filedata)
        return Response(
            answer.body,
            status_code=answer.status,
            headers=dict(answer.headers),
            media_type="application/octet-stream",
        )
    varied = Varied(answer.body, answer.headers)
    if variance is not None:
        varied = vary(varied, variance, "data", answer.status)
    return JSONResponse(
        varied.body, status_code=answer.status, headers=dict(varied.headers), media_type=_JSON
    )


_JSON_TYPES: Final = ("application/json", "text/json")


def _is_json(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media in _JSON_TYPES or (media.startswith("application/") and media.endswith("+json"))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


async def _json_body(request: Request) -> object:
    """The request body as JSON.

    Raises:
        SeveraFailure: 415 for a content type that is not JSON, 413 above 1 MiB, 400 for an
            empty body or invalid JSON.
    """
    raw = await request.body()
    if not raw.strip():
        raise invalid_parameters([Detail("A JSON body is required.", None)])
    if len(raw) > _MAX_BODY:
        raise SeveraFailure(413, INVALID_REQUEST, [Detail("The body is too large.", None)])
    content_type = request.headers.get("content-type", "")
    if not _is_json(content_type):
        raise SeveraFailure(
            415,
            INVALID_REQUEST,
            [
                Detail(
                    f"Unsupported content type '{content_type}': send application/json.",
                    "Content-Type",
                    "RequestHeader",
                )
            ],
        )
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError) as error:
        raise SeveraFailure(
            400, INVALID_PARAMETER, [Detail(f"The body is not valid JSON: {error}", None)]
        ) from None
