"""Route handlers, one module per group of registers, found by the document's ``operationId``."""

from __future__ import annotations

from typing import Final

from ..routes import OPERATIONS
from . import customers, fees, invoices, products, projects, settings, travel, users
from .base import NO_BODY, Answer, Call, Handler

__all__ = ["HANDLERS", "NO_BODY", "Answer", "Call", "Handler"]


def _heartbeat(_call: Call) -> Answer:
    """``GET /heartbeat/authorized``: 204 when the token and headers are valid."""
    return Answer(204, None)


HANDLERS: Final[dict[str, Handler]] = {
    **customers.HANDLERS,
    **fees.HANDLERS,
    **invoices.HANDLERS,
    **products.HANDLERS,
    **projects.HANDLERS,
    **settings.HANDLERS,
    **travel.HANDLERS,
    **users.HANDLERS,
    "HeartBeat_GetAuthorization": _heartbeat,
}

_MISSING = {op.operation_id for op in OPERATIONS if op.kind == "data"} - set(HANDLERS)
assert not _MISSING, f"operations without a handler: {_MISSING}"
