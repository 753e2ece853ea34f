"""The Netvisor sandbox: organisations, integrations, and the ASGI app that serves them.

One request goes through these steps (each may end it with a FAILED answer):

1. It counts as in flight for the whole sandbox from arrival.
2. Authentication (:mod:`.auth`); failures here are counted as unattributed.
3. It is counted for its organisation, ``(method, resource)``.
4. **Overlap rule.** Netvisor says "send one message at a time per customer environment". If
   another request of the same organisation is in flight, this one is answered at once with
   ``TECHNICAL_ERROR`` and counted in ``org.stats.overlaps`` - this is how a test proves that a
   client serialises its calls. It still counts as in flight for that instant, so
   ``peak_in_flight`` of the organisation shows 2.
5. Faults (:mod:`.faults`): injected failures, timeouts - in flight meanwhile.
6. The resource runs (synchronously: a cancelled request never leaves half a write), and the
   answer waits until ``latency`` after the request's arrival, so that the sandbox's own work
   is inside the latency as a real service's is inside its response time.
7. A committed POST write may lose its answer (:mod:`.faults`): it leaves the in-flight counts,
   then hangs.

``try``/``finally`` keeps the in-flight counts right when a client times out and cancels the
request (``httpx.ASGITransport`` cancels the app coroutine).

Responses are ``text/xml; charset=utf-8``, HTTP 200 unless the request opts in to status codes
with ``X-Netvisor-Authentication-UseHTTPResponseStatusCodes: 1`` (:mod:`.errors`).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Mapping
from datetime import timedelta
from urllib.parse import parse_qsl

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp

from ..faults import answer_time, stamp_arrival, until
from ..variance import SHARE, Variance
from .auth import LANGUAGE, USE_HTTP_STATUS, Authenticator, Integration, read_headers, request_url
from .control import CONTROL_PREFIX, control_not_found, control_routes
from .errors import TECHNICAL_ERROR, NetvisorFailure, generic_failure, http_status
from .faults import Faults, copy_faults, draw_error, draw_lost_response, draw_timeout
from .organisation import Organisation
from .render import XML_CONTENT_TYPE, failure_document
from .resources import Call, lookup, not_served
from .stats import OrganisationStats, SandboxStats
from .values import Clock, utc_now
from .variance import vary

__all__ = ["NetvisorSandbox"]

_ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


class NetvisorSandbox:
    """A fake Netvisor: authentication, customers, products, dimensions, faults, counters.

    Args:
        clock: returns the current time as an aware UTC datetime; used for change times,
            response time stamps and the ``TimestampUnix`` skew check. Default: real time.
        seed: seeds every organisation's random source (with the organisation id), so fault
            injection is reproducible.
        max_clock_skew: how far ``TimestampUnix`` may be from ``clock()``.

    Attributes:
        app: the ASGI app (for ``httpx.ASGITransport(app=...)``, uvicorn, or a Starlette mount).
        default_faults: copied to organisations created later.
        stats: counters across all organisations.
    """

    def __init__(
        self,
        clock: Clock | None = None,
        seed: int = 0,
        max_clock_skew: timedelta = timedelta(minutes=5),
    ) -> None:
        self.clock: Clock = clock or utc_now
        self.seed = seed
        self.default_faults = Faults()
        self.variance_seed: int | None = None
        self.variance_share = SHARE
        self.stats = SandboxStats()
        self._auth = Authenticator(self.clock, max_clock_skew)
        self._organisations: dict[str, Organisation] = {}
        # Stamped on arrival: the latency knob counts from there (see answer_time).
        self.app: ASGIApp = stamp_arrival(Starlette(routes=self._routes()))

    def _routes(self) -> list[Route]:
        return [
            *control_routes(self),
            Route("/{resource:path}", self._serve, methods=_ALL_METHODS),
        ]

    # -- setup -----------------------------------------------------------------------------

    def add_integration(self, integration: Integration) -> None:
        """Register API credentials; creates the integration's organisations when new."""
        self._auth.register(integration)
        for organisation_id in integration.organisation_ids:
            self.add_organisation(organisation_id)

    def add_organisation(self, organisation_id: str) -> Organisation:
        """The organisation ``organisation_id``, created (with ``default_faults``) if new."""
        organisation = self._organisations.get(organisation_id)
        if organisation is None:
            organisation = Organisation(
                organisation_id,
                clock=self.clock,
                rng=random.Random(f"{self.seed}:{organisation_id}"),
                faults=copy_faults(self.default_faults),
            )
            if self.variance_seed is not None:
                organisation.variance = Variance.of(
                    self.variance_seed, organisation_id, self.variance_share
                )
            self._organisations[organisation_id] = organisation
        return organisation

    def organisation(self, organisation_id: str) -> Organisation:
        """The organisation with this business id (KeyError when unknown)."""
        return self._organisations[organisation_id]

    @property
    def organisations(self) -> Mapping[str, Organisation]:
        """All organisations by business id."""
        return dict(self._organisations)

    def set_faults(self, faults: Faults) -> None:
        """Make ``faults`` the default and give every existing organisation its own copy."""
        self.default_faults = faults
        for organisation in self._organisations.values():
            organisation.faults = copy_faults(faults)

    def set_variance(self, seed: int | None, share: float = SHARE) -> None:
        """Variance mode on with ``seed`` (or off with ``None``) for every organisation,
        existing and future: answers take Netvisor's alternative forms (:mod:`.variance`)."""
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

    def forget_transactions(self) -> None:
        """Forget used TransactionIds (Netvisor never does; for long-running demos)."""
        self._auth.forget_transactions()

    # -- serving ---------------------------------------------------------------------------

    async def _serve(self, request: Request) -> Response:
        if request.path_params["resource"].startswith(CONTROL_PREFIX):
            return control_not_found(request)
        headers = read_headers(request.scope["headers"])
        language = headers.get(LANGUAGE)
        use_status = headers.get(USE_HTTP_STATUS, "").strip() == "1"
        self.stats.requests += 1
        flight = _InFlight(self.stats)
        try:
            url = request_url(request.scope, headers)
            try:
                authenticated = self._auth.authenticate(headers, url)
            except NetvisorFailure as failure:
                self.stats.unattributed_failures[failure.category] += 1
                return self._failure(failure, language, use_status)
            organisation = self._organisations[authenticated.organisation_id]
            resource_name = request.path_params["resource"].lower()
            organisation.stats.requests[(request.method, resource_name)] += 1
            overlapping = organisation.stats.in_flight > 0
            flight.add(organisation.stats)
            try:
                if overlapping:
                    organisation.stats.overlaps += 1
                    raise _overlap()
                response, committed = await self._process(
                    request, organisation, resource_name, headers, url.split("?", 1)[0]
                )
            except NetvisorFailure as failure:
                organisation.stats.failures[failure.category] += 1
                return self._failure(failure, language, use_status)
            if committed and draw_lost_response(organisation.faults, organisation.rng):
                organisation.stats.responses_lost += 1
                organisation.stats.injected["lost_response"] += 1
                # The write stands and the organisation is free; only the answer is late.
                flight.release()
                await asyncio.sleep(organisation.faults.hang_seconds)
            return response
        finally:
            flight.release()

    async def _process(
        self,
        request: Request,
        organisation: Organisation,
        resource_name: str,
        headers: Mapping[str, str],
        url: str,
    ) -> tuple[Response, bool]:
        """Faults, then the resource. Returns the response and whether a write committed."""
        faults = organisation.faults
        answer_at = answer_time(faults, organisation.rng, request.scope)
        injected = draw_error(faults, organisation.rng, resource_name)
        if injected is not None:
            category, kind = injected
            organisation.stats.injected[kind] += 1
            await until(answer_at)
            raise generic_failure(category, detail=f"injected by the sandbox ({kind})")
        if draw_timeout(faults, organisation.rng):
            organisation.stats.timeouts += 1
            organisation.stats.injected["timeout"] += 1
            await until(answer_at + faults.hang_seconds)
            raise NetvisorFailure(
                TECHNICAL_ERROR,
                "Pyynnön käsittely aikakatkaistiin",
                "Request processing timed out",
                detail="injected by the sandbox (timeout)",
            )
        resource = lookup(resource_name)
        if resource is None or resource.method != request.method:
            raise not_served(resource_name, request.method)
        body = await request.body() if request.method == "POST" else b""
        call = Call(
            organisation=organisation,
            params=_query_params(request.scope.get("query_string", b"")),
            body=body,
            content_type=headers.get("content-type"),
            base_url=url.rsplit("/", 1)[0] + "/",
            now=self.clock(),
            language=headers.get(LANGUAGE),
        )
        answer = resource.handle(call)
        if answer.committed:
            organisation.stats.writes_committed += 1
        xml = answer.xml
        if organisation.variance is not None:
            xml = vary(xml, organisation.variance, resource_name, call.params)
        await until(answer_at)  # the work above was inside the latency
        return Response(xml, media_type=XML_CONTENT_TYPE), answer.committed

    def _failure(
        self, failure: NetvisorFailure, language: str | None, use_status: bool
    ) -> Response:
        headers = {"X-Sandbox-Detail": _header_safe(failure.detail)} if failure.detail else None
        return Response(
            failure_document(failure, language, self.clock()),
            status_code=http_status(failure.category) if use_status else 200,
            media_type=XML_CONTENT_TYPE,
            headers=headers,
        )


class _InFlight:
    """One request's place in the in-flight counters: the sandbox's from arrival, its
    organisation's once known. :meth:`release` is idempotent, so a lost response can leave
    early and the ``finally`` that guards against cancellation cannot count it out twice."""

    __slots__ = ("_counters",)

    def __init__(self, stats: SandboxStats) -> None:
        stats.enter()
        self._counters: list[SandboxStats | OrganisationStats] = [stats]

    def add(self, stats: OrganisationStats) -> None:
        stats.enter()
        self._counters.append(stats)

    def release(self) -> None:
        for counter in self._counters:
            counter.leave()
        self._counters.clear()


def _overlap() -> NetvisorFailure:
    return NetvisorFailure(
        TECHNICAL_ERROR,
        "Päällekkäisiä pyyntöjä samaan ympäristöön: lähetä yksi sanoma kerrallaan ja odota "
        "vastausta ennen seuraavaa",
        "Overlapping requests to the same customer environment: send one message at a time "
        "and wait for the response before sending the next",
        detail="another request of this organisation was still being processed",
    )


def _query_params(query: bytes) -> dict[str, str]:
    """Query parameters with lower-case names; values percent-decoded as UTF-8, falling back
    to ISO-8859-15 (Netvisor's other encoding). The first of repeated names wins."""
    text = query.decode("latin-1")
    try:
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        pairs = parse_qsl(text, keep_blank_values=True, encoding="iso-8859-15")
    params: dict[str, str] = {}
    for name, value in pairs:
        params.setdefault(name.lower(), value)
    return params


def _header_safe(text: str) -> str:
    """A debugging text that fits in an HTTP header (latin-1, one line, bounded)."""
    flat = " ".join(text.split())[:500]
    return flat.encode("latin-1", errors="replace").decode("latin-1")
