"""Invoice statuses (``InvoiceStatusModel`` in and out): the queue an invoice moves through.

Rules (settled; the support articles S-IST and N-SI as summarised in invoices.md §1.2, §3.1):

* Every organisation is born with Severa's own statuses: **Luonnos** (the default, also for
  credit notes; no number, editable), **Lähetetty** (numbered, read-only, sent, waiting for
  payment) and **Maksettu** (numbered, read-only, sent, paid).
* Connecting the Netvisor integration creates its three statuses
  (:meth:`InvoiceStatuses.connect_netvisor`): **Vedos** (the new default, for credit notes
  too), **Valmis lähetettäväksi Netvisoriin** (numbered, read-only: the transfer queue) and
  **Lasku lähetetty Netvisoriin** (numbered, read-only, sent, waiting for payment). Names are
  kept exactly: the official integration finds them by name.
* ``name`` is required and unique among the statuses, compared without letter case (400
  ``InvalidOperation``) - [INFERRED]: a status is chosen by name in Severa's UI.
* ``hasInvoiceNumber``: an invoice gets its number (and reference number) when it enters
  the status; ``isReadOnly``: an invoice in the status cannot be edited, only moved to
  another status (:mod:`.invoices`).
* One status is the default and one the default for credit notes: setting the flag on one
  takes it off the others. ``sortOrder`` defaults to one after the last; lists are in
  ``sortOrder``, then creation order.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Final

import attrs

from .collection import Collection
from .errors import invalid_operation
from .fields import Field, Kind
from .invoicerender import shaped_invoice_model, stamps_of
from .store import Register, Stored

if TYPE_CHECKING:
    from .organisation import Organisation

__all__ = [
    "DEFAULT_STATUSES",
    "INVOICE_STATUS_FIELDS",
    "NETVISOR_STATUSES",
    "InvoiceStatuses",
    "NetvisorStatuses",
]

B = Kind.BOOL


def _flag(name: str) -> Field:
    return Field(name, B, nullable=False, default=False)


#: ``InvoiceStatusModel``'s writable properties.
INVOICE_STATUS_FIELDS: Final = (
    Field("name", Kind.STRING, nullable=False, required=True, min_length=1),
    Field("isActive", B, nullable=False, default=True),
    _flag("isDefault"),
    _flag("isDefaultForCreditNote"),
    _flag("hasInvoiceNumber"),
    _flag("isReadOnly"),
    _flag("isSent"),
    _flag("isWaitingPayment"),
    _flag("isPaid"),
    Field("sortOrder", Kind.INT32, nullable=False),
)

#: Severa's own statuses of a new organisation: name and flags.
DEFAULT_STATUSES: Final[tuple[tuple[str, Mapping[str, bool]], ...]] = (
    ("Luonnos", {"isDefault": True, "isDefaultForCreditNote": True}),
    (
        "Lähetetty",
        {"hasInvoiceNumber": True, "isReadOnly": True, "isSent": True, "isWaitingPayment": True},
    ),
    ("Maksettu", {"hasInvoiceNumber": True, "isReadOnly": True, "isSent": True, "isPaid": True}),
)

#: The statuses connecting the Netvisor integration creates (N-SI): draft, ready, sent.
NETVISOR_STATUSES: Final[tuple[tuple[str, Mapping[str, bool]], ...]] = (
    ("Vedos", {"isDefault": True, "isDefaultForCreditNote": True}),
    ("Valmis lähetettäväksi Netvisoriin", {"hasInvoiceNumber": True, "isReadOnly": True}),
    (
        "Lasku lähetetty Netvisoriin",
        {"hasInvoiceNumber": True, "isReadOnly": True, "isSent": True, "isWaitingPayment": True},
    ),
)


@attrs.frozen
class NetvisorStatuses:
    """The GUIDs of the integration's three statuses."""

    draft: str
    ready: str
    transferred: str


class InvoiceStatuses(Collection):
    """The invoice statuses of one organisation."""

    kind: ClassVar[str] = "invoice_status"
    model: ClassVar[str] = "InvoiceStatusModel"
    fields: ClassVar[tuple[Field, ...]] = INVOICE_STATUS_FIELDS

    def __init__(self, org: Organisation, ids: random.Random) -> None:
        self._ids = ids
        super().__init__(org)
        for name, flags in DEFAULT_STATUSES:
            self.create({"name": name, **flags})

    def new_guid(self) -> str:
        return str(uuid.UUID(int=self._ids.getrandbits(128), version=4))

    def make_register(self) -> Register:
        return Register(self.kind, unique={"name": lambda v: v["name"].casefold()})

    def by_name(self, name: str) -> Stored | None:
        """The status called ``name`` (any letter case)."""
        return self.register.owner("name", name.casefold())

    def in_order(self) -> list[Stored]:
        """Every status in ``sortOrder``, then creation order."""
        return sorted(self.register, key=lambda r: (r["sortOrder"], r.seq))

    def unique(self, values: Mapping[str, Any], old: Stored | None) -> None:
        owner = self.by_name(values["name"])
        if owner is not None and (old is None or owner.guid != old.guid):
            raise invalid_operation(
                f"An invoice status named '{values['name']}' exists already.", "name"
            )

    def complete(self, values: dict[str, Any], old: Stored | None) -> None:
        if values["sortOrder"] is None:
            values["sortOrder"] = max((r["sortOrder"] for r in self.register), default=0) + 1

    def after(self, new: Stored, old: Stored | None) -> None:
        # One default, and one default for credit notes: the flag moves to the newest holder.
        for flag in ("isDefault", "isDefaultForCreditNote"):
            if not new[flag] or (old is not None and old[flag]):
                continue
            for other in self.register:
                if other.guid != new.guid and other[flag]:
                    self.register.replace(
                        other, {**other.values, flag: False}, self.org.now(), self.org.user
                    )

    def connect_netvisor(self) -> NetvisorStatuses:
        """Create the Netvisor integration's statuses (those missing), as Severa does when
        the integration is connected; returns their GUIDs."""
        guids = []
        for name, flags in NETVISOR_STATUSES:
            found = self.by_name(name)
            guids.append(found.guid if found else self.create({"name": name, **flags}).record.guid)
        return NetvisorStatuses(*guids)

    def render(self, record: Stored) -> dict[str, Any]:
        v = record.values
        return shaped_invoice_model(
            "InvoiceStatusModel",
            {
                "guid": record.guid,
                "name": v["name"],
                "isActive": v["isActive"],
                "isDefault": v["isDefault"],
                "isDefaultForCreditNote": v["isDefaultForCreditNote"],
                "hasInvoiceNumber": v["hasInvoiceNumber"],
                "isReadOnly": v["isReadOnly"],
                "isSent": v["isSent"],
                "isWaitingPayment": v["isWaitingPayment"],
                "isPaid": v["isPaid"],
                "sortOrder": v["sortOrder"],
                **stamps_of(self.org, record),
            },
        )
