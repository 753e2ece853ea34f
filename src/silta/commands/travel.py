"""``silta tenant travel-held``: the KH's answer for travel reports held after an unknown
outcome (issue 19).

Netvisor has no read of travel invoices, so a report whose send may have landed is held
(``travel.outcome_unknown``) rather than sent twice. Without arguments the command lists the
held reports with the header to look for in Netvisor; ``--transferred GUID`` says it is
there (never sent again), ``--send-again GUID`` that it is not (sent on the next run).
"""

from __future__ import annotations

from typing import Annotated

import typer

from silta.commands.report import make_console
from silta.commands.tenants import fail, find_tenant, open_store
from silta.sync.travel import held_reports, resolve_held

__all__ = ["register_commands", "travel_held"]

console = make_console()


def register_commands(tenant_app: typer.Typer) -> None:
    tenant_app.command("travel-held")(travel_held)


def travel_held(
    tenant: Annotated[str, typer.Argument(help="The tenant's name.")],
    transferred: Annotated[
        str | None, typer.Option(help="The report's GUID: it is in Netvisor; never sent again.")
    ] = None,
    send_again: Annotated[
        str | None, typer.Option(help="The report's GUID: it is not in Netvisor; send it.")
    ] = None,
) -> None:
    """List travel reports held after an unknown outcome, or answer for one."""
    if transferred and send_again:
        raise fail("give --transferred or --send-again, not both")
    with open_store() as store:
        found = find_tenant(store, tenant)
        guid = transferred or send_again
        if guid is None:
            held = held_reports(store, found.id)
            if not held:
                console.print("No travel report is held.")
            for link in held:
                header = (link.intent or {}).get("header", "–")
                console.print(f"{link.source_key}  look for '{header}' in Netvisor")
            return
        try:
            resolve_held(store, found.id, guid, transferred=transferred is not None)
        except KeyError:
            raise fail(f"no travel report {guid} is held for {found.name}") from None
        state = "transferred" if transferred else "to be sent on the next run"
        console.print(f"{guid}: {state}")
