"""One ASGI app with every sandbox, seeded with demo data: what ``silta sandbox`` serves.

API for the CLI (``silta sandbox`` is written in :mod:`silta.cli`; it only calls this)::

    from silta.sandbox.server import SandboxServer, faults_from_options, severa_faults_from_options

    server = SandboxServer(seed=1)                       # demo data from the seed
    server.apply_faults(faults_from_options(             # --latency-ms, --error-rate ...
        latency_ms=50,
        error_rates=["TECHNICAL_ERROR=0.05"],            # --error-rate CATEGORY=RATE, repeatable
        timeout_rate=0.0,                                # --timeout-rate
        lost_response_rate=0.0,                          # --lost-response-rate
        hang_seconds=300.0,                              # --hang-seconds
    ))
    server.apply_severa_faults(severa_faults_from_options(  # the same options for Severa
        latency_ms=50, timeout_rate=0.0, lost_response_rate=0.0, hang_seconds=300.0,
    ))
    print(server.describe("http://127.0.0.1:8000"))      # base URL + every credential
    server.run("127.0.0.1", 8000)                        # uvicorn until Ctrl-C

If you run uvicorn yourself, pass a short ``timeout_graceful_shutdown``: requests hanging in an
injected timeout or lost response (``--hang-seconds``, default 300) would otherwise hold up the
shutdown.

Mounts (under the base URL):

* ``/netvisor`` - the Netvisor sandbox (:class:`~silta.sandbox.netvisor.NetvisorSandbox`);
  its resources are ``/netvisor/customerlist.nv`` ..., its control API ``/netvisor/_sandbox/``.
* ``/severa`` - the Severa sandbox (:class:`~silta.sandbox.severa.SeveraSandbox`); its API is
  ``/severa/v1/...`` (``POST /severa/v1/token`` ...), its control API ``/severa/_sandbox/``.
* ``/`` - a plain-text page with :meth:`SandboxServer.describe` for the address it was reached
  at.

:func:`faults_from_options` raises :class:`ValueError` with a message fit for the user on a bad
option (``--error-rate`` not ``CATEGORY=RATE``, an unknown category, a rate outside 0-1).
:func:`severa_faults_from_options` does the same for Severa's faults (its error kinds are HTTP
statuses: ``429=0.05``, ``503=0.01``).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from datetime import timedelta
from typing import TypeVar

import attrs
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from .netvisor import Faults, NetvisorSandbox
from .netvisor.errors import CATEGORIES
from .netvisor.seed import DemoCredentials, seed_demo
from .netvisor.values import Clock
from .severa import ERROR_KINDS as SEVERA_ERROR_KINDS
from .severa import SeveraFaults, SeveraSandbox
from .severa.seed import ADMIN_CREDENTIALS, SeveraDemoCredentials
from .severa.seed import seed_demo as seed_severa_demo

__all__ = [
    "NETVISOR_MOUNT",
    "SEVERA_MOUNT",
    "SandboxServer",
    "faults_from_options",
    "parse_error_rate",
    "parse_severa_error_rate",
    "severa_faults_from_options",
]

NETVISOR_MOUNT = "/netvisor"
SEVERA_MOUNT = "/severa"  # added with the Severa sandbox


class SandboxServer:
    """All sandboxes in one Starlette app, with deterministic demo data.

    Args:
        seed: seeds the demo data and every organisation's fault draws.
        clock: passed to the sandboxes (default: real time).
        max_clock_skew: allowed distance of Netvisor's ``TimestampUnix`` from the clock.

    Attributes:
        netvisor: the :class:`NetvisorSandbox` (its organisations, stats, faults).
        credentials: the demo integration's credentials.
        severa: the :class:`SeveraSandbox` (rate limit 10 per second per client, as Severa).
        severa_credentials: the Severa demo credential (the scopes Silta needs).
        severa_admin: a Severa client of the same organisation with every scope.
        app: the ASGI app to serve.
    """

    def __init__(
        self,
        seed: int = 0,
        *,
        clock: Clock | None = None,
        max_clock_skew: timedelta = timedelta(minutes=5),
    ) -> None:
        self.seed = seed
        self.netvisor = NetvisorSandbox(clock=clock, seed=seed, max_clock_skew=max_clock_skew)
        self.credentials: DemoCredentials = seed_demo(self.netvisor, seed)
        self.severa = SeveraSandbox(clock=clock, seed=seed)
        self.severa_credentials: SeveraDemoCredentials = seed_severa_demo(self.severa, seed)
        self.severa_admin = attrs.evolve(
            ADMIN_CREDENTIALS, organisation_id=self.severa_credentials.organisation_id
        )
        self.app = Starlette(routes=self._routes())

    def _routes(self) -> list[BaseRoute]:
        return [
            Mount(NETVISOR_MOUNT, app=self.netvisor.app),
            Mount(SEVERA_MOUNT, app=self.severa.app),  # added with the Severa sandbox
            Route("/", self._index, methods=["GET"]),
        ]

    async def _index(self, request: Request) -> Response:
        return PlainTextResponse(self.describe(str(request.base_url)))

    def apply_faults(self, faults: Faults) -> None:
        """Give every organisation (existing and future) its own copy of ``faults``."""
        self.netvisor.set_faults(faults)

    def apply_severa_faults(self, faults: SeveraFaults) -> None:
        """Give every Severa organisation (existing and future) its own copy of ``faults``."""
        self.severa.set_faults(faults)

    def set_variance(self, seed: int | None) -> None:
        """Variance mode in both sandboxes (``None``: off); see :mod:`silta.sandbox.variance`."""
        self.netvisor.set_variance(seed)
        self.severa.set_variance(seed)

    def _describe_severa(self, base: str) -> list[str]:
        severa = f"{base}{SEVERA_MOUNT}"
        c = self.severa_credentials
        organisation = self.severa.organisation(c.organisation_id)
        limit = self.severa.limiter.limit
        return [
            "Severa",
            f"  Base URL:            {severa}   (e.g. POST {severa}/v1/token)",
            f"  Client ID:           {c.client_id}   (the scopes Silta needs)",
            f"  Client secret:       {c.client_secret}",
            f"  Scopes:              {c.scope}",
            f"  Admin client ID:     {self.severa_admin.client_id}   (every scope)",
            f"  Admin client secret: {self.severa_admin.client_secret}",
            f"  Admin scopes:        {self.severa_admin.scope}",
            f"  Organisation:        {organisation.id} ({organisation.name})",
            "  Rate limit:          "
            + ("none" if limit is None else f"{limit} requests per second per client"),
            f"  Demo data:           {len(organisation.customers())} customers, "
            f"{len(organisation.addresses())} addresses, "
            f"{len(organisation.products())} products, "
            f"{len(organisation.projects())} projects, "
            f"{len(organisation.phases())} phases, "
            f"{len(organisation.business_units())} business units",
            f"  Control API:         {severa}/_sandbox/organisations/{organisation.id}/stats",
            f"                       {severa}/_sandbox/organisations/{organisation.id}"
            "/business-units (POST), .../settings (GET, PUT)",
        ]

    def describe(self, base_url: str) -> str:
        """Human text: where the sandboxes are and every credential a client needs."""
        base = base_url.rstrip("/")
        netvisor = f"{base}{NETVISOR_MOUNT}"
        c = self.credentials
        organisation = self.netvisor.organisation(c.organisation_id)
        variance = self.netvisor.variance_seed
        lines = [
            f"Silta sandbox (seed {self.seed})",
            "Variance mode:       "
            + ("off" if variance is None else f"on (seed {variance}): alternative answer forms")
            + f"; switch with PUT {netvisor}/_sandbox/variance and {base}{SEVERA_MOUNT}"
            "/_sandbox/variance",
            "",
            "Netvisor",
            f"  Base URL:            {netvisor}/   (e.g. {netvisor}/customerlist.nv)",
            f"  Sender (suggestion): {c.sender}",
            f"  Customer ID:         {c.customer_id}",
            f"  Customer key:        {c.customer_key}",
            f"  Partner ID:          {c.partner_id}",
            f"  Partner key:         {c.partner_key}",
            f"  Organisation ID:     {c.organisation_id}",
            "  Language:            FI, EN or SE",
            "  MAC algorithm:       HMACSHA256 (sign the full URL, including /netvisor)",
            f"  Demo data:           {len(organisation.customers())} customers, "
            f"{len(organisation.products())} products, "
            f"{len(organisation.dimension_headers())} dimension headers",
            f"  Control API:         {netvisor}/_sandbox/organisations/{c.organisation_id}/stats",
            f"                       {netvisor}/_sandbox/organisations/{c.organisation_id}"
            "/dimension-headers (GET, POST), .../settings (GET, PUT)",
            "",
            *self._describe_severa(base),  # added with the Severa sandbox
        ]
        return "\n".join(lines) + "\n"

    def run(self, host: str = "127.0.0.1", port: int = 8000) -> None:
        """Serve with uvicorn until interrupted; hanging fault requests do not delay the exit."""
        import uvicorn

        uvicorn.run(self.app, host=host, port=port, timeout_graceful_shutdown=1)


def _parse_rate(text: str, known: Collection[str], option: str, what: str) -> tuple[str, float]:
    name, separator, rate_text = text.partition("=")
    name = name.strip().upper()
    if not separator:
        raise ValueError(f"{option} wants {what.split()[-1].upper()}=RATE, got {text!r}")
    if name not in known:
        raise ValueError(f"unknown {what} {name!r}; one of {', '.join(sorted(known))}")
    try:
        rate = float(rate_text)
    except ValueError:
        raise ValueError(f"{option} {name}: {rate_text!r} is not a number") from None
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"{option} {name}: the rate must be between 0 and 1")
    return name, rate


def parse_error_rate(text: str) -> tuple[str, float]:
    """``"TECHNICAL_ERROR=0.05"`` → ``("TECHNICAL_ERROR", 0.05)``.

    Raises:
        ValueError: not ``CATEGORY=RATE``, an unknown category, or a rate outside 0-1.
    """
    return _parse_rate(text, CATEGORIES, "--error-rate", "Netvisor error category")


def parse_severa_error_rate(text: str) -> tuple[str, float]:
    """``"503=0.05"`` → ``("503", 0.05)``: a Severa error kind (an HTTP status) and its rate.

    Raises:
        ValueError: not ``KIND=RATE``, an unknown kind, or a rate outside 0-1.
    """
    return _parse_rate(text, SEVERA_ERROR_KINDS, "--severa-error-rate", "Severa error kind")


K = TypeVar("K", Faults, SeveraFaults)


def _from_options(
    cls: type[K],
    parse: Callable[[str], tuple[str, float]],
    service: str,
    *,
    latency_ms: float,
    error_rates: Iterable[str],
    timeout_rate: float,
    lost_response_rate: float,
    hang_seconds: float,
) -> K:
    rates = dict(parse(text) for text in error_rates)
    try:
        return cls(
            latency=latency_ms / 1000.0,
            error_rates=rates,
            timeout_rate=timeout_rate,
            lost_response_rate=lost_response_rate,
            hang_seconds=hang_seconds,
        )
    except ValueError as error:
        raise ValueError(f"invalid {service} fault options: {error}") from None


def faults_from_options(
    *,
    latency_ms: float = 0.0,
    error_rates: Iterable[str] = (),
    timeout_rate: float = 0.0,
    lost_response_rate: float = 0.0,
    hang_seconds: float = 300.0,
) -> Faults:
    """Build Netvisor's :class:`Faults` from the CLI's options (see the module docstring).

    Raises:
        ValueError: an option is invalid; the message names it.
    """
    return _from_options(
        Faults,
        parse_error_rate,
        "Netvisor",
        latency_ms=latency_ms,
        error_rates=error_rates,
        timeout_rate=timeout_rate,
        lost_response_rate=lost_response_rate,
        hang_seconds=hang_seconds,
    )


def severa_faults_from_options(
    *,
    latency_ms: float = 0.0,
    error_rates: Iterable[str] = (),
    timeout_rate: float = 0.0,
    lost_response_rate: float = 0.0,
    hang_seconds: float = 300.0,
) -> SeveraFaults:
    """Build :class:`SeveraFaults` from the CLI's options: ``--latency-ms``,
    ``--timeout-rate``, ``--lost-response-rate`` and ``--hang-seconds`` mean the same as for
    Netvisor; ``error_rates`` are ``KIND=RATE`` with Severa's kinds (``429``, ``500``,
    ``502``, ``503``, ``504``).

    Raises:
        ValueError: an option is invalid; the message names it.
    """
    return _from_options(
        SeveraFaults,
        parse_severa_error_rate,
        "Severa",
        latency_ms=latency_ms,
        error_rates=error_rates,
        timeout_rate=timeout_rate,
        lost_response_rate=lost_response_rate,
        hang_seconds=hang_seconds,
    )
