"""Which Netvisor and Severa addresses Silta may call: the operator's choice, never a KH's.

A tenant's base URLs decide where Silta sends that tenant's keys, MACs and tokens. If anyone
who may edit a tenant could type any address there, "test connection" would hand the stored
client secret to a listener of their choosing, and the settings tab would fetch internal
pages for them. So the operator lists the allowed base URLs (``SILTA_NETVISOR_URLS``,
``SILTA_SEVERA_URLS``; by default the real services' production and test endpoints), and a
tenant file, the settings form and the API accept only those. ``silta demo`` adds its own
sandboxes; ``silta sandbox`` prints the variables that allow it.

Addresses are compared in one canonical form: scheme and host in lower case, the default
port left out, no trailing slash. A URL with user info, a query or a fragment is never a
base URL (``https://integration.netvisor.fi@evil.example`` is evil.example).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal
from urllib.parse import urlsplit

import attrs

__all__ = [
    "DEFAULT_NETVISOR_URLS",
    "DEFAULT_SEVERA_URLS",
    "EndpointNotAllowed",
    "Endpoints",
    "Service",
    "allow_in_process",
    "canonical_url",
    "in_process",
]

Service = Literal["netvisor", "severa"]

# ../shared/reference/netvisor-api.md, "Endpoints": production and the ISV test environment.
DEFAULT_NETVISOR_URLS = ("https://integration.netvisor.fi", "https://isvapi.netvisor.fi")
# ../shared/reference/severa-api.md, section 1: production (the document's servers[0]) and
# staging.
DEFAULT_SEVERA_URLS = (
    "https://api.severa.visma.com/rest-api",
    "https://api.severa.stag.visma.com/rest-api",
)

_NAMES: dict[Service, tuple[str, str]] = {
    # service -> (how it is named to a user, the variable that lists its addresses)
    "netvisor": ("Netvisor", "SILTA_NETVISOR_URLS"),
    "severa": ("Severa", "SILTA_SEVERA_URLS"),
}
_DEFAULT_PORTS = {"http": 80, "https": 443}


class EndpointNotAllowed(ValueError):
    """A base URL the operator has not allowed; the message lists the allowed ones.
    ``field`` names the form's field (a page words the refusal in its own language)."""

    field: str | None = None


def canonical_url(url: str) -> str:
    """``url`` as a base URL in the form addresses are compared in.

    Raises:
        ValueError: not an ``http(s)://host[:port][/path]`` address.
    """
    text = url.strip()
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:  # a port that is not a number, an unbalanced IPv6 bracket
        raise ValueError("not an http(s) address") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError("not an http(s) address with a host")
    if parts.username is not None or parts.password is not None:
        raise ValueError("an address with user info is not a base URL")
    if parts.query or parts.fragment or "?" in text or "#" in text:
        raise ValueError("an address with a query or a fragment is not a base URL")
    if any(char.isspace() or ord(char) < 32 for char in text):
        raise ValueError("an address cannot hold spaces or control characters")
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    return f"{scheme}://{host}{parts.path.rstrip('/')}"


def _listed(text: str, service: Service) -> tuple[str, ...]:
    variable = _NAMES[service][1]
    found: list[str] = []
    for entry in text.split(","):
        if not entry.strip():
            continue
        try:
            found.append(canonical_url(entry))
        except ValueError as exc:
            raise ValueError(f"{variable}: {entry.strip()!r} is {exc}") from None
    return tuple(dict.fromkeys(found))


@attrs.frozen
class Endpoints:
    """The allowed base URLs of each service, in canonical form."""

    netvisor: tuple[str, ...] = DEFAULT_NETVISOR_URLS
    severa: tuple[str, ...] = DEFAULT_SEVERA_URLS

    @classmethod
    def parse(cls, netvisor: str = "", severa: str = "") -> Endpoints:
        """From the variables' text (comma-separated); an empty text means the defaults.

        Raises:
            ValueError: an entry is not a base URL (the message names the variable).
        """
        return cls(
            netvisor=_listed(netvisor, "netvisor") or DEFAULT_NETVISOR_URLS,
            severa=_listed(severa, "severa") or DEFAULT_SEVERA_URLS,
        )

    @classmethod
    def from_env(cls) -> Endpoints:
        """From ``SILTA_NETVISOR_URLS`` and ``SILTA_SEVERA_URLS``."""
        from silta.config import Settings

        settings = Settings()
        return cls.parse(settings.netvisor_urls, settings.severa_urls)

    def adding(self, *, netvisor: Iterable[str] = (), severa: Iterable[str] = ()) -> Endpoints:
        """These and more (``silta demo`` adds the sandboxes it serves)."""
        return Endpoints(
            netvisor=tuple(dict.fromkeys((*self.netvisor, *map(canonical_url, netvisor)))),
            severa=tuple(dict.fromkeys((*self.severa, *map(canonical_url, severa)))),
        )

    def allowed(self, service: Service) -> tuple[str, ...]:
        return self.netvisor if service == "netvisor" else self.severa

    def match(self, service: Service, url: str) -> str | None:
        """The allowed base URL ``url`` is (in canonical form); ``None`` if it is none."""
        try:
            canonical = canonical_url(url)
        except ValueError:
            return None
        return canonical if canonical in self.allowed(service) else None

    def permits(self, service: Service, url: str) -> bool:
        """Whether ``url`` is one of the service's allowed base URLs."""
        return self.match(service, url) is not None

    def check(self, service: Service, url: str, *, field: str | None = None) -> str:
        """``url`` in canonical form, if the operator allows it for ``service``.

        Raises:
            EndpointNotAllowed: it is not allowed (or not an address); the message names
                the field, lists the allowed addresses and the variable that sets them.
        """
        name, variable = _NAMES[service]
        found = self.match(service, url)
        if found is not None:
            return found
        allowed = ", ".join(self.allowed(service))
        refused = EndpointNotAllowed(
            f"{field or service + '_url'}: not an allowed {name} address; allowed: {allowed} "
            f"(the operator sets them with {variable})"
        )
        refused.field = field or f"{service}_url"
        raise refused


# What a run that calls the services over the network (its own HTTP client) obeys; set by
# the command that starts the process when it allows more than the environment says
# (``silta demo`` adds the sandboxes it serves), else read from the environment at each run.
_IN_PROCESS: Endpoints | None = None


def allow_in_process(endpoints: Endpoints | None) -> None:
    """Make ``endpoints`` the addresses runs of this process may call (``None``: the env's)."""
    global _IN_PROCESS
    _IN_PROCESS = endpoints


def in_process() -> Endpoints:
    """The addresses runs of this process may call."""
    return _IN_PROCESS if _IN_PROCESS is not None else Endpoints.from_env()
