"""Travel reimbursement statuses (``TravelReimbursementStatusModel`` in and out).

Rules (settled; the support article S-TR as summarised in invoices.md §3.4):

* Every organisation is born with Severa's four statuses, named in the organisation's
  language (the sandbox's organisations are Finnish): **Luonnos** (Draft; the default),
  **Odottaa hyväksyntää** (Waiting for approval), **Hyväksytty** (Approved: ``isApproved``,
  ``isLocked``) and **Hylätty** (Rejected).
* ``name`` is required and unique without letter case (400 ``InvalidOperation``)
  [INFERRED, as for invoice statuses]; one status is the default (setting the flag moves it);
  ``sortOrder`` defaults to one after the last and lists are in ``sortOrder``.
* ``isApproved``: a reimbursement entering the status is approved (approval date and
  approver set); ``isLocked``: a reimbursement in it cannot be edited, only moved to another
  status (:mod:`.travel`) [INFERRED from the UI's meaning].
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
from .render import stamps
from .store import Register, Stored

if TYPE_CHECKING:
    from .organisation import Organisation

__all__ = [
    "DEFAULT_TRAVEL_STATUSES",
    "TRAVEL_STATUS_FIELDS",
    "TravelStatusGuids",
    "TravelStatuses",
]

B = Kind.BOOL

#: ``TravelReimbursementStatusModel``'s writable properties.
TRAVEL_STATUS_FIELDS: Final = (
    Field("name", Kind.STRING, nullable=False, required=True, min_length=1),
    Field("isActive", B, nullable=False, default=True),
    Field("isApproved", B, nullable=False, default=False),
    Field("isDefault", B, nullable=False, default=False),
    Field("isLocked", B, nullable=False, default=False),
    Field("sortOrder", Kind.INT32, nullable=False),
)

#: Severa's statuses of a new organisation (Draft, Waiting for approval, Approved, Rejected).
DEFAULT_TRAVEL_STATUSES: Final[tuple[tuple[str, Mapping[str, bool]], ...]] = (
    ("Luonnos", {"isDefault": True}),
    ("Odottaa hyväksyntää", {}),
    ("Hyväksytty", {"isApproved": True, "isLocked": True}),
    ("Hylätty", {}),
)


@attrs.frozen
class TravelStatusGuids:
    """The GUIDs of the four statuses every organisation has."""

    draft: str
    waiting: str
    approved: str
    rejected: str


class TravelStatuses(Collection):
    """The travel reimbursement statuses of one organisation."""

    kind: ClassVar[str] = "travel_reimbursement_status"
    model: ClassVar[str] = "TravelReimbursementStatusModel"
    fields: ClassVar[tuple[Field, ...]] = TRAVEL_STATUS_FIELDS

    def __init__(self, org: Organisation, ids: random.Random) -> None:
        self._ids = ids
        super().__init__(org)
        made = [self.create({"name": name, **flags}).record.guid
                for name, flags in DEFAULT_TRAVEL_STATUSES]  # fmt: skip
        self.defaults = TravelStatusGuids(*made)

    def new_guid(self) -> str:
        return str(uuid.UUID(int=self._ids.getrandbits(128), version=4))

    def make_register(self) -> Register:
        return Register(self.kind, unique={"name": lambda v: v["name"].casefold()})

    def by_name(self, name: str) -> Stored | None:
        """The status called ``name`` (any letter case)."""
        return self.register.owner("name", name.casefold())

    def default(self) -> Stored | None:
        """The default status."""
        return next((record for record in self.register if record["isDefault"]), None)

    def in_order(self) -> list[Stored]:
        """Every status in ``sortOrder``, then creation order."""
        return sorted(self.register, key=lambda r: (r["sortOrder"], r.seq))

    def unique(self, values: Mapping[str, Any], old: Stored | None) -> None:
        owner = self.by_name(values["name"])
        if owner is not None and (old is None or owner.guid != old.guid):
            raise invalid_operation(
                f"A travel reimbursement status named '{values['name']}' exists already.", "name"
            )

    def complete(self, values: dict[str, Any], old: Stored | None) -> None:
        if values["sortOrder"] is None:
            values["sortOrder"] = max((r["sortOrder"] for r in self.register), default=0) + 1

    def after(self, new: Stored, old: Stored | None) -> None:
        if not new["isDefault"] or (old is not None and old["isDefault"]):
            return
        for other in self.register:
            if other.guid != new.guid and other["isDefault"]:
                self.register.replace(
                    other, {**other.values, "isDefault": False}, self.org.now(), self.org.user
                )

    def render(self, record: Stored) -> dict[str, Any]:
        v = record.values
        shown = {
            "guid": record.guid,
            "name": v["name"],
            "isActive": v["isActive"],
            "isApproved": v["isApproved"],
            "isDefault": v["isDefault"],
            "isLocked": v["isLocked"],
            "sortOrder": v["sortOrder"],
            **stamps(self.org.reference, record),
        }
        return {
            k: x
            for k, x in shown.items()
            if x is not None or k not in ("createdBy", "lastUpdatedBy")
        }
