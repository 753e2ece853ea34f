"""The ``*.nv`` resources the sandbox serves, one module per register.

Resource names are matched case-insensitively (``CustomerList.nv`` works, §1); reads are GET
and writes POST. **Settled:** a name the sandbox does not serve, or the wrong HTTP method, is
answered ``SERVICE_ACCESS_ERROR`` - the category Netvisor uses for a resource that is not in use
for the caller - with a message saying which.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from ..errors import SERVICE_ACCESS_ERROR, NetvisorFailure
from . import customers, dimensions, products, purchaseinvoices, salesinvoices, tripexpenses
from .base import Answer, Call, Resource

__all__ = ["RESOURCES", "Answer", "Call", "Resource", "lookup", "not_served"]

#: Lower-case resource name → :class:`Resource`.
RESOURCES: Final[Mapping[str, Resource]] = {
    resource.name: resource
    for module in (customers, products, dimensions, salesinvoices, purchaseinvoices, tripexpenses)
    for resource in module.RESOURCES
}


def lookup(name: str) -> Resource | None:
    """The resource called ``name`` (any letter case), or ``None``."""
    return RESOURCES.get(name.lower())


def not_served(name: str, method: str) -> NetvisorFailure:
    """``SERVICE_ACCESS_ERROR`` for a resource the sandbox does not serve, or a wrong method."""
    resource = lookup(name)
    if resource is None:
        return NetvisorFailure(
            SERVICE_ACCESS_ERROR,
            f"Rajapintaresurssi ei ole käytössä: {name}",
            f"Interface resource is not in use: {name}",
            detail="the Silta sandbox serves " + ", ".join(sorted(RESOURCES)),
        )
    return NetvisorFailure(
        SERVICE_ACCESS_ERROR,
        f"Resurssia {resource.name} kutsutaan {resource.method}-metodilla, ei {method}",
        f"Resource {resource.name} is called with {resource.method}, not {method}",
    )
