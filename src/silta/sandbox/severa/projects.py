"""Projects (``ProjectInputModelBase`` in, ``ProjectOutputModel`` out) and their root phase.

Rules (settled):

* ``name``, ``customer {guid}`` and ``projectOwner {guid}`` are required; the owner (and a
  ``salesPerson``) must be a user of the organisation (``org.users``).
* ``number`` is unique in the organisation (400 ``InvalidOperation``); a POST without one is
  given the next free number from ``org.settings.next_project_number``.
* Creating a project **creates its root phase**: a phase named like the project, without a
  parent and without a code, shown as ``rootPhase {guid, name}``. Renaming the project renames
  its root phase (which bumps the phase's ``lastUpdatedDateTime``); the other way round does
  not hold - the root phase is patched like any phase.
* ``businessUnit`` defaults to the company's root unit and ``currency`` to the organisation's
  currency; ``pricelist`` is always the organisation's default price list (the document:
  "the price list property will be ignored, as it is chosen by default").
* ``isClosed`` true sets ``closedDate`` to the sandbox clock's date; reopening clears it.
* ``salesStatus``/``projectStatus`` name a status type (``salesStatusTypeGuid``,
  ``projectStatusTypeGuid``); the status entry gets its own read-only ``guid``.
* Contacts (``customerContact``, ``billingContact``) and lead sources other than the seeded
  ones cannot be linked: the sandbox keeps no contacts, so any GUID there is a 400.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Final

from .collection import Collection
from .errors import invalid_operation
from .fields import Field, Kind, Status
from .render import money_json, named, shaped, stamps, user_json
from .store import Register, Stored
from .times import format_date

__all__ = ["PROJECT_FIELDS", "Projects"]

S, I32, I64, B, R, DT = Kind.STRING, Kind.INT32, Kind.INT64, Kind.BOOL, Kind.REF, Kind.DATE

#: ``ProjectInputModelBase``'s properties (a PATCH is "a JSON Patch document of
#: ProjectInputModel": the same names).
PROJECT_FIELDS: Final = (
    Field("name", S, nullable=False, required=True, min_length=1),
    Field("number", I64),
    Field("customer", R, target="customer", nullable=False, required=True, key_required=True),
    Field("projectOwner", R, target="user", nullable=False, required=True, key_required=True),
    Field("businessUnit", R, target="businessUnit", key_required=True),
    Field("currency", R, target="currency", key_required=True),
    Field("customerContact", R, target="contact"),
    Field("billingContact", R, target="contact"),
    Field("salesPerson", R, target="user"),
    Field("leadSource", R, target="leadSource"),
    Field("costCenter", R, target="costCenter"),
    Field("invoiceTemplate", R, target="invoiceTemplate"),
    Field("internalName", S),
    Field("description", S),
    Field("isClosed", B, nullable=False, default=False),
    Field("isInternal", B, nullable=False, default=False),
    Field("isJoiningAllowed", B, nullable=False, default=True),
    Field("startDate", DT),
    Field("deadline", DT),
    Field("paymentTerm", I32),
    Field("ourReference", S),
    Field("yourReference", S),
    Field("orderNumber", S),
    Field("invoiceNotes", S),
    Field("useOvertimeMultipliers", B, nullable=False, default=True),
    Field("useWorktypesFromSetting", B, nullable=False, default=True),
    Field("useProductsFromSetting", B, nullable=False, default=True),
    Field("completionEstimatePercentage", I32),
    Field("probability", I32),
    Field("expectedOrderDate", DT),
    Field("expectedValue", Kind.MONEY),
    Field("salesStatus", Kind.STATUS, target="salesStatusType", key="salesStatusTypeGuid"),
    Field(
        "projectStatus",
        Kind.STATUS,
        target="projectStatusType",
        key="projectStatusTypeGuid",
        has_description=True,
    ),
)


class Projects(Collection):
    """The project register of one organisation."""

    kind: ClassVar[str] = "project"
    model: ClassVar[str] = "ProjectInputModel"
    fields: ClassVar[tuple[Field, ...]] = PROJECT_FIELDS
    read_only: ClassVar[frozenset[str]] = Collection.read_only | {
        "closedDate",
        "rootPhase",
        "pricelist",
        "defaultWorkType",
        "keywords",
        "isMileageBillable",
        "isDailyAllowanceBillable",
        "isOtherTravelExpensesBillable",
        "calculatedCompletionPercentage",
    }

    def make_register(self) -> Register:
        return Register(
            self.kind,
            unique={"number": lambda v: v["number"]},
            multi={
                "customer": lambda v: v["customer"],
                "businessUnit": lambda v: v["businessUnit"],
            },
        )

    def by_number(self, number: int) -> Stored | None:
        """The project with ``number``."""
        return self.register.owner("number", number)

    def unique(self, values: Mapping[str, Any], old: Stored | None) -> None:
        number = values["number"]
        if number is None:
            return
        owner = self.by_number(number)
        if owner is not None and (old is None or owner.guid != old.guid):
            raise invalid_operation(f"Project number {number} is already in use.", "number")

    def complete(self, values: dict[str, Any], old: Stored | None) -> None:
        if values["businessUnit"] is None:
            values["businessUnit"] = self.org.company.root_business_unit
        if values["currency"] is None:
            values["currency"] = self.org.default_currency.guid
        if old is None and values["number"] is None:
            settings = self.org.settings
            number = settings.next_project_number
            while self.by_number(number) is not None:
                number += 1
            values["number"] = number
            settings.next_project_number = number + 1
        was_closed = old is not None and old.values["isClosed"]
        if values["isClosed"] and not was_closed:
            values["closedDate"] = self.org.now().date()
        elif not values["isClosed"]:
            values["closedDate"] = None

    def after(self, new: Stored, old: Stored | None) -> None:
        phases = self.org.phase_register
        if old is None:
            phases.create_root(new)
        elif new.values["name"] != old.values["name"]:
            phases.rename_root(new)

    def render(self, record: Stored) -> dict[str, Any]:
        v = record.values
        org = self.org
        ref = org.reference
        customer = org.customer_register.get(v["customer"])
        currency = ref.currency(v["currency"])
        root = org.phase_register.root_of(record.guid)
        pricelist = org.default_pricelist
        account = ref.item("costCenter", v["costCenter"])
        template = ref.item("invoiceTemplate", v["invoiceTemplate"])
        return shaped(
            "ProjectOutputModel",
            {
                "guid": record.guid,
                "name": v["name"],
                "number": v["number"],
                "internalName": v["internalName"],
                "description": v["description"],
                "isClosed": v["isClosed"],
                "closedDate": format_date(v.get("closedDate")),
                "isInternal": v["isInternal"],
                "isJoiningAllowed": v["isJoiningAllowed"],
                "customer": None
                if customer is None
                else {
                    "guid": customer.guid,
                    "name": customer.values["name"],
                    "number": customer.values["number"],
                },
                "projectOwner": user_json(ref, v["projectOwner"]),
                "businessUnit": org.business_unit_register.sub_model(v["businessUnit"]),
                "currency": None if currency is None else currency.as_json(),
                "customerContact": None,
                "salesStatus": self._status(v["salesStatus"], "salesStatusType", False),
                "projectStatus": self._status(v["projectStatus"], "projectStatusType", True),
                "salesPerson": user_json(ref, v["salesPerson"]),
                "probability": v["probability"],
                "expectedOrderDate": format_date(v["expectedOrderDate"]),
                "expectedValue": money_json(v["expectedValue"]),
                "startDate": format_date(v["startDate"]),
                "deadline": format_date(v["deadline"]),
                "leadSource": named(ref.item("leadSource", v["leadSource"])),
                "rootPhase": None
                if root is None
                else {"guid": root.guid, "name": root.values["name"]},
                "pricelist": None
                if pricelist is None
                else {
                    "guid": pricelist.guid,
                    "name": pricelist.name,
                    "isCustom": False,
                    "isVolumePricing": False,
                },
                "costCenter": None
                if account is None
                else {"guid": account.guid, "name": account.name, "identifier": account.code},
                "paymentTerm": v["paymentTerm"],
                "ourReference": v["ourReference"],
                "yourReference": v["yourReference"],
                "orderNumber": v["orderNumber"],
                "invoiceNotes": v["invoiceNotes"],
                "billingContact": None,
                "invoiceTemplate": None
                if template is None
                else {"guid": template.guid, "name": template.name, "templateInvoiceGuid": None},
                "useWorkTypesFromSetting": v["useWorktypesFromSetting"],
                "defaultWorkType": None,
                "useProductsFromSetting": v["useProductsFromSetting"],
                "isMileageBillable": False,
                "isDailyAllowanceBillable": False,
                "isOtherTravelExpensesBillable": False,
                "useOvertimeMultipliers": v["useOvertimeMultipliers"],
                "keywords": [],
                "completionEstimatePercentage": v["completionEstimatePercentage"],
                "calculatedCompletionPercentage": None,
                **stamps(ref, record),
            },
        )

    def _status(self, status: Status | None, target: str, described: bool) -> dict[str, Any] | None:
        if status is None:
            return None
        item = self.org.reference.item(target, status.type_guid)
        key = "projectStatusTypeGuid" if described else "salesStatusTypeGuid"
        shown: dict[str, Any] = {
            "guid": status.record,
            "name": None if item is None else item.name,
            key: status.type_guid,
        }
        if described:
            shown["description"] = status.description
        return shown
