"""One fault between two writes of a run, armed on the sandboxes' transport: the crash-safety
tests of the registers, the invoices and the money transfers share it.

``before`` acts as the aimed write leaves (a crash before it is sent, or a refusal in its
place); ``after`` as its answer comes back (the answer lost, or a crash after the target
committed it). Which write is aimed is the caller's: the n-th write of the run
(:func:`nth_write`), or the n-th to one resource.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from .conftest import World

KINDS = ("crash", "lost response", "refused", "crash after commit")

Aim = Callable[[httpx.Request, int], bool]  # (the request, writes so far) -> this one?


class Crash(BaseException):
    """The process dies: nothing below the sync catches a BaseException."""


def nth_write(target: int) -> tuple[Aim, Aim]:
    """The ``target``-th write of the run (tokens are no writes): as it leaves, as it lands."""

    def leaving(request: httpx.Request, writes: int) -> bool:
        return (
            writes + 1 == target
            and request.method in ("POST", "PATCH")
            and "token" not in request.url.path
        )

    def landed(_request: httpx.Request, writes: int) -> bool:
        return writes == target

    return leaving, landed


def arm(world: World, kind: str, leaving: Aim, landed: Aim) -> list[str]:
    """Arm one fault of ``kind`` (:data:`KINDS`) at the write ``leaving`` and ``landed``
    name; the list returned says whether it fired (a test asserts it did)."""
    fired: list[str] = []

    async def before(request: httpx.Request, writes: int) -> httpx.Response | None:
        if fired or not leaving(request, writes):
            return None
        if kind == "crash":
            fired.append(kind)
            raise Crash
        if kind == "refused":
            fired.append(kind)
            return httpx.Response(503, text="Service Unavailable")
        return None

    async def after(request: httpx.Request, writes: int) -> httpx.Response | None:
        if fired or kind not in ("lost response", "crash after commit"):
            return None
        if not landed(request, writes):
            return None
        fired.append(kind)
        if kind == "crash after commit":
            raise Crash
        raise httpx.ReadTimeout("the answer was lost", request=request)

    world.transport.hook, world.transport.after = before, after
    return fired
