"""One ASGI app with every sandbox, seeded with demo data: what ``silta sandbox`` serves.

API for the CLI (``silta sandbox`` is written in :mod:`silta.cli`; it only calls this)::

    from silta.sandbox.server import SandboxServer, faults_from_options

    server = SandboxServer(seed=1)                       # demo data from the seed
    server.apply_faults(faults_from_options(             # --latency-ms, --error-rate ...
        latency_ms=50,
        error_rates=["TECHNICAL_ERROR=0.05"],            # --error-rate CATEGORY=RATE, repeatable
        timeout_rate=0.0,                                # --timeout-rate
        lost_response_rate=0.0,                          # --lost-response-rate
        hang_seconds=300.0,                              # --hang-seconds
    ))
    print(server.describe("http://127.0.0.1:8000"))      # base URL + every credential
    server.run("127.0.0.1", 8000)                        # uvicorn until Ctrl-C

If you run uvicorn yourself, pass a short ``timeout_graceful_shutdown``: requests hanging in an
injected timeout or lost response (``--hang-seconds``, default 300) would otherwise hold up the
shutdown.

Mounts (under the base URL):

* ``/netvisor`` - the Netvisor sandbox (:class:`~silta.sandbox.netvisor.NetvisorSandbox`);
  its resources are ``/netvisor/customerlist.nv`` ..., its control API ``/netvisor/_sandbox/``.
* ``/severa`` - reserved for the Severa sandbox (a later issue mounts it in :meth:`_routes`).
* ``/`` - a plain-text page with :meth:`SandboxServer.describe` for the address it was reached
  at.

:func:`faults_from_options` raises :class:`ValueError` with a message fit for the user on a bad
option (``--error-rate`` not ``CATEGORY=RATE``, an unknown category, a rate outside 0-1).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from .netvisor import Faults, NetvisorSandbox
from .netvisor.errors import CATEGORIES
from .netvisor.seed import DemoCredentials, seed_demo
from .netvisor.values import Clock

__all__ = ["NETVISOR_MOUNT", "SandboxServer", "faults_from_options", "parse_error_rate"]

NETVISOR_MOUNT = "/netvisor"


class SandboxServer:
    """All sandboxes in one Starlette app, with deterministic demo data.

    Args:
        seed: seeds the demo data and every organisation's fault draws.
        clock: passed to the sandboxes (default: real time).
        max_clock_skew: allowed distance of Netvisor's ``TimestampUnix`` from the clock.

    Attributes:
        netvisor: the :class:`NetvisorSandbox` (its organisations, stats, faults).
        credentials: the demo integration's credentials.
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
        self.app = Starlette(routes=self._routes())

    def _routes(self) -> list[BaseRoute]:
        return [
            Mount(NETVISOR_MOUNT, app=self.netvisor.app),
            # The Severa sandbox goes here: Mount("/severa", app=self.severa.app).
            Route("/", self._index, methods=["GET"]),
        ]

    async def _index(self, request: Request) -> Response:
        return PlainTextResponse(self.describe(str(request.base_url)))

    def apply_faults(self, faults: Faults) -> None:
        """Give every organisation (existing and future) its own copy of ``faults``."""
        self.netvisor.set_faults(faults)

    def describe(self, base_url: str) -> str:
        """Human text: where the Netvisor sandbox is and every credential a client needs."""
        base = base_url.rstrip("/")
        netvisor = f"{base}{NETVISOR_MOUNT}"
        c = self.credentials
        organisation = self.netvisor.organisation(c.organisation_id)
        lines = [
            f"Silta sandbox (seed {self.seed})",
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
            "",
            "Severa: not yet available in the sandbox.",
        ]
        return "\n".join(lines) + "\n"

    def run(self, host: str = "127.0.0.1", port: int = 8000) -> None:
        """Serve with uvicorn until interrupted; hanging fault requests do not delay the exit."""
        import uvicorn

        uvicorn.run(self.app, host=host, port=port, timeout_graceful_shutdown=1)


def parse_error_rate(text: str) -> tuple[str, float]:
    """``"TECHNICAL_ERROR=0.05"`` → ``("TECHNICAL_ERROR", 0.05)``.

    Raises:
        ValueError: not ``CATEGORY=RATE``, an unknown category, or a rate outside 0-1.
    """
    category, separator, rate_text = text.partition("=")
    category = category.strip().upper()
    if not separator:
        raise ValueError(f"--error-rate wants CATEGORY=RATE, got {text!r}")
    if category not in CATEGORIES:
        raise ValueError(
            f"unknown Netvisor error category {category!r}; one of {', '.join(sorted(CATEGORIES))}"
        )
    try:
        rate = float(rate_text)
    except ValueError:
        raise ValueError(f"--error-rate {category}: {rate_text!r} is not a number") from None
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"--error-rate {category}: the rate must be between 0 and 1")
    return category, rate


def faults_from_options(
    *,
    latency_ms: float = 0.0,
    error_rates: Iterable[str] = (),
    timeout_rate: float = 0.0,
    lost_response_rate: float = 0.0,
    hang_seconds: float = 300.0,
) -> Faults:
    """Build :class:`Faults` from the CLI's options (see the module docstring).

    Raises:
        ValueError: an option is invalid; the message names it.
    """
    rates: dict[str, float] = {}
    for text in error_rates:
        category, rate = parse_error_rate(text)
        rates[category] = rate
    try:
        return Faults(
            latency=latency_ms / 1000.0,
            error_rates=rates,
            timeout_rate=timeout_rate,
            lost_response_rate=lost_response_rate,
            hang_seconds=hang_seconds,
        )
    except ValueError as error:
        raise ValueError(f"invalid fault options: {error}") from None
