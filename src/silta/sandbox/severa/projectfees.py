"""Project fees made through the API (``ProjectFeeInputModel`` in, ``ProjectFeeOutputModel``
out) and the deleted ones (``DeletedProjectFeeModel``): where Netvisor's purchase-invoice lines
become project costs (``shared/reference/invoices.md`` §3.3, §5.12).

Rules (settled; [INFERRED] where the document does not say):

* **Only ``project`` is required** (the document's ``required``), and the body is checked
  against the document's types (:data:`PROJECT_FEE_FIELDS`, compared with the document by a
  test). ``unitCost``/``unitPrice`` are ``MoneyInputModelWithNullableAmount``: ``currencyCode``
  is required inside; it must be a currency the organisation knows and **the project's
  currency** [INFERRED: a fee is priced in its project's currency].
* **References exist**: the project, the product, the user, the cost centre and the sales
  account. The project must be open (a closed project: 400 ``InvalidOperation``) [INFERRED].
  An inactive product is refused [INFERRED].
* **The phase belongs to the project** (and so does ``billingDependencyPhase``); without one
  the fee goes on the project's root phase [INFERRED]. The project cannot be changed by PATCH.
* **What the server fills in** when the body leaves it out [INFERRED, as Severa's UI does]:
  name, measurement unit, product type, VAT rate, unit price and unit cost from the product;
  VAT rate otherwise the organisation's default (25,5); the user is the API user; the event
  date today (Helsinki); ``billingSchedule`` Immediately; ``isBillable`` true; ``quantity`` 0
  (what ASP.NET binds for a missing ``double``). ``vatRate`` must be one of the organisation's
  VAT rates.
* ``invoice`` (putting the fee on an invoice) is refused as not supported by the sandbox.
* **PATCH** may name several fees, comma-separated (the document says so); every GUID must
  name a fee (else an empty 404, nothing written), and the fees are patched one by one: a
  refused one stops the rest, those before it stay patched [INFERRED].
* **DELETE** answers 204 and the fee is listed by ``GET /v1/deletedprojectfees`` with its
  ``deletedDateTime``.

These are the fees of the API; the fees the invoice helpers make for invoices to bill
(:mod:`.invoiceentries`) are a register of their own and are not listed here.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Final
from zoneinfo import ZoneInfo

from .collection import Collection
from .errors import Detail, invalid_operation
from .fields import Field, Kind, Money
from .invoicerender import customer_of, phase_of, project_of, shaped_invoice_model, user_of
from .products import PRODUCT_TYPES
from .render import money_json, stamps
from .store import Register, Stored
from .times import format_date, format_datetime

if TYPE_CHECKING:
    from .organisation import Organisation

__all__ = [
    "BILLING_SCHEDULES",
    "DELETED_FEE_SUB_MODELS",
    "PROJECT_FEE_FIELDS",
    "ProjectFees",
]

HELSINKI: Final = ZoneInfo("Europe/Helsinki")
BILLING_SCHEDULES: Final = ("Immediately", "OnDate", "WhenPhaseCompleted", "Recurring")

S, D, B, R, M, DT, E = (Kind.STRING, Kind.DOUBLE, Kind.BOOL, Kind.REF, Kind.MONEY, Kind.DATE,
                        Kind.ENUM)  # fmt: skip

#: ``ProjectFeeInputModel``'s properties (a test compares them with the document).
PROJECT_FEE_FIELDS: Final = (
    Field("billingDependencyPhase", R, target="phase"),
    Field("billingSchedule", E, choices=BILLING_SCHEDULES),
    Field("costCenter", R, target="costCenter"),
    Field("description", S),
    Field("displayPeriodStartDate", DT),
    Field("eventDate", DT),
    Field("hasVolumePricing", B, nullable=False, default=False),
    Field("invoice", R),
    Field("invoiceQuantity", D),
    Field("invoiceRowComment", S),
    Field("invoiceRowDescription", S),
    Field("isBillable", B),
    Field("measurementUnit", S),
    Field("name", S),
    Field("phase", R, target="phase"),
    Field("plannedBillingDate", DT),
    Field("product", R, target="product"),
    Field("productType", E, choices=PRODUCT_TYPES),
    Field("project", R, target="project", nullable=False, required=True, key_required=True,
          patchable=False),
    Field("quantity", D, nullable=False, default=0.0),
    Field("salesAccount", R, target="salesAccount"),
    Field("unitCost", M),
    Field("unitPrice", M),
    Field("user", R, target="user"),
    Field("vatRate", D),
)  # fmt: skip

#: ``DeletedProjectFeeModel``'s ``$ref`` properties (left out when empty, see :mod:`.render`).
DELETED_FEE_SUB_MODELS: Final = frozenset(
    {"createdBy", "customer", "lastUpdatedBy", "phase", "product", "project", "user"}
)


def _project_key(values: Mapping[str, Any]) -> str | None:
    project: str | None = values.get("project")
    return project


class ProjectFees(Collection):
    """The project fees of one organisation, and the deleted ones."""

    kind: ClassVar[str] = "project_fee"
    model: ClassVar[str] = "ProjectFeeInputModel"
    fields: ClassVar[tuple[Field, ...]] = PROJECT_FEE_FIELDS

    def __init__(self, org: Organisation, seed: int) -> None:
        self._ids = random.Random(f"{seed}:{org.id}:fees")
        super().__init__(org)
        self.deleted = Register(
            "deleted_project_fee",
            multi={"project": _project_key, "user": lambda v: v.get("user")},
        )

    def new_guid(self) -> str:
        return str(uuid.UUID(int=self._ids.getrandbits(128), version=4))

    def make_register(self) -> Register:
        return Register(self.kind, multi={"project": _project_key})

    def of_project(self, project: str) -> list[Stored]:
        """A project's fees in creation order."""
        return [self.register.at(seq) for seq in self.register.seqs("project", project)]

    # -- rules -----------------------------------------------------------------------------

    def rules(self, values: dict[str, Any], old: Stored | None) -> list[Detail]:
        org = self.org
        problems: list[Detail] = []
        if values["invoice"] is not None:
            problems.append(
                Detail(
                    "invoice: adding a fee to an invoice is not supported by the Silta sandbox.",
                    "invoice.guid",
                )
            )
        project = org.project_register.get(values["project"] or "")
        if project is None:
            return problems  # the reference check has reported it
        product = org.product_register.get(values["product"] or "")
        if old is None:
            self._fill_in(values, project, product)
        if (
            product is not None
            and product["isActive"] is False
            and (old is None or old["product"] != product.guid)
        ):
            problems.append(Detail("The product is not active.", "product.guid"))
        for name in ("phase", "billingDependencyPhase"):
            phase = org.phase_register.get(values[name] or "")
            if phase is not None and phase["project"] != project.guid:
                problems.append(
                    Detail(
                        f"{name}.guid must be a phase of the project '{project['name']}'.",
                        f"{name}.guid",
                    )
                )
        currency = self._currency_of(project)
        for name in ("unitCost", "unitPrice"):
            money: Money | None = values[name]
            known = money is not None and org.reference.currency_by_code(money.currency)
            if money is not None and known and money.currency != currency:
                problems.append(
                    Detail(
                        f"{name}.currencyCode must be the project's currency {currency}, "
                        f"not {money.currency}.",
                        f"{name}.currencyCode",
                    )
                )
        vat = values["vatRate"]
        if vat is not None and vat not in self._vat_rates():
            shown = ", ".join(f"{rate:g}" for rate in sorted(self._vat_rates()))
            problems.append(
                Detail(
                    f"vatRate {vat:g} is not a VAT rate of the organisation ({shown}).", "vatRate"
                )
            )
        return problems

    def unique(self, values: Mapping[str, Any], old: Stored | None) -> None:
        # Not a uniqueness rule: the InvalidOperation refusals, checked after the parameters.
        project = self.org.project_register.get(values["project"])
        if project is not None and project["isClosed"]:
            raise invalid_operation(
                f"The project '{project['name']}' is closed: no fees can be added or changed.",
                "project.guid",
            )

    def _fill_in(self, values: dict[str, Any], project: Stored, product: Stored | None) -> None:
        org = self.org
        if product is not None:
            for name, source in (("name", "name"), ("measurementUnit", "measurementUnit"),
                                 ("productType", "type"), ("vatRate", "vatRate"),
                                 ("unitPrice", "unitPrice"), ("unitCost", "unitCost")):  # fmt: skip
                if values[name] is None:
                    values[name] = product[source]
        if values["vatRate"] is None:
            default = next(
                (rate for rate in org.vat_rates if rate.is_default and rate.is_active), None
            )
            values["vatRate"] = None if default is None else default.percentage
        if values["phase"] is None:
            root = org.phase_register.root_of(project.guid)
            values["phase"] = None if root is None else root.guid
        values["user"] = values["user"] or org.user
        if values["eventDate"] is None:
            values["eventDate"] = org.now().astimezone(HELSINKI).date()
        values["billingSchedule"] = values["billingSchedule"] or "Immediately"
        if values["isBillable"] is None:
            values["isBillable"] = True

    def _currency_of(self, project: Stored) -> str:
        currency = self.org.reference.currency(project["currency"])
        return self.org.settings.currency_code if currency is None else currency.code

    def _vat_rates(self) -> set[float]:
        home = self.org.company.country_guid
        return {r.percentage for r in self.org.vat_rates if r.country_guid == home and r.is_active}

    # -- deletion --------------------------------------------------------------------------

    def delete(self, record: Stored) -> None:
        """Delete a fee; ``GET /v1/deletedprojectfees`` lists it from now on."""
        v = record.values
        project = self.org.project_register.get(v["project"])
        tombstone = {
            "project": v["project"],
            "customer": None if project is None else project["customer"],
            "phase": v["phase"],
            "product": v["product"],
            "user": v["user"],
            "name": v["name"],
            "eventDate": v["eventDate"],
            "quantity": v["quantity"],
            "measurementUnit": v["measurementUnit"],
            "created": (record.created_at, record.created_by),
            "updated": (record.updated_at, record.updated_by),
        }
        super().delete(record)
        self.deleted.add(record.guid, tombstone, self.org.now(), self.org.user)

    def render_deleted(self, record: Stored) -> dict[str, Any]:
        """The ``DeletedProjectFeeModel`` JSON of a deleted fee."""
        v = record.values
        created_at, created_by = v["created"]
        updated_at, updated_by = v["updated"]

        def ref(guid: str | None) -> dict[str, Any] | None:
            return None if guid is None else {"guid": guid}

        shown = {
            "guid": record.guid,
            "createdDateTime": format_datetime(created_at),
            "createdBy": ref(created_by),
            "lastUpdatedDateTime": format_datetime(updated_at),
            "lastUpdatedBy": ref(updated_by),
            "deletedDateTime": format_datetime(record.created_at),
            "customer": ref(v["customer"]),
            "project": ref(v["project"]),
            "phase": ref(v["phase"]),
            "product": ref(v["product"]),
            "user": ref(v["user"]),
            "name": v["name"],
            "eventDate": format_date(v["eventDate"]),
            "quantity": v["quantity"],
            "measurementUnit": v["measurementUnit"],
        }
        return {k: x for k, x in shown.items() if x is not None or k not in DELETED_FEE_SUB_MODELS}

    # -- output ----------------------------------------------------------------------------

    def render(self, record: Stored) -> dict[str, Any]:
        org, v = self.org, record.values
        project = org.project_register.get(v["project"])
        product = org.product_register.get(v["product"] or "")
        cost_center = org.reference.item("costCenter", v["costCenter"])
        account = org.reference.item("salesAccount", v["salesAccount"])
        dependency = phase_of(org, v["billingDependencyPhase"], "isCompleted")
        quantity = v["quantity"]
        return shaped_invoice_model(
            "ProjectFeeOutputModel",
            {
                "guid": record.guid,
                "name": v["name"],
                "description": v["description"],
                "project": project_of(org, v["project"], "companyGuid"),
                "customer": customer_of(org, None if project is None else project["customer"]),
                "phase": phase_of(org, v["phase"]),
                "product": None
                if product is None
                else {"guid": product.guid, "code": product["code"], "name": product["name"]},
                "productType": v["productType"],
                "user": user_of(org, v["user"], "companyGuid"),
                "quantity": quantity,
                "measurementUnit": v["measurementUnit"],
                "unitCost": money_json(v["unitCost"]),
                "unitPrice": money_json(v["unitPrice"]),
                "vatRate": v["vatRate"],
                "eventDate": format_date(v["eventDate"]),
                "isBillable": v["isBillable"],
                "billingSchedule": v["billingSchedule"],
                "billingDependencyPhase": dependency,
                "plannedBillingDate": format_date(v["plannedBillingDate"]),
                "displayPeriodStartDate": format_date(v["displayPeriodStartDate"]),
                "costCenter": None
                if cost_center is None
                else {
                    "guid": cost_center.guid,
                    "name": cost_center.name,
                    "identifier": cost_center.code,
                },
                "salesAccount": None
                if account is None
                else {"guid": account.guid, "name": account.name, "number": account.code},
                "invoice": None,
                "invoiceRowGuid": None,
                "invoiceQuantity": quantity
                if v["invoiceQuantity"] is None
                else v["invoiceQuantity"],
                "invoiceRowDescription": v["invoiceRowDescription"],
                "invoiceRowComment": v["invoiceRowComment"],
                "hasVolumePricing": v["hasVolumePricing"],
                "isRecurrenceRule": False,
                "recurrenceRuleGuid": None,
                **stamps(org.reference, record),
            },
        )

    # -- readers (tests, the demo) ---------------------------------------------------------

    def fees(self) -> list[dict[str, Any]]:
        """Every fee, as ``GET /v1/projectfees`` shows it, in creation order."""
        return [self.render(record) for record in self.register]

    def fee(self, guid: str) -> dict[str, Any] | None:
        record = self.register.get(guid)
        return None if record is None else self.render(record)

    def put(self, **fields: Any) -> str:
        """Create a fee as ``POST /v1/projectfees`` would (references may be bare GUIDs)."""
        body = {
            name: {"guid": value} if isinstance(value, str) and _is_ref(name) else value
            for name, value in fields.items()
        }
        return self.create(body).record.guid

    def invoiceable(self, record: Stored, on: date) -> bool:
        """Whether a fee can be invoiced on ``on`` [INFERRED: by its schedule's date]."""
        schedule = record["billingSchedule"]
        if schedule == "OnDate":
            planned = record["plannedBillingDate"]
            return planned is not None and planned <= on
        event: date | None = record["eventDate"]
        return event is None or event <= on

    @staticmethod
    def moment_date(moment: datetime) -> date:
        return moment.astimezone(HELSINKI).date()


_REFS: Final = frozenset(f.name for f in PROJECT_FEE_FIELDS if f.kind is Kind.REF)


def _is_ref(name: str) -> bool:
    return name in _REFS
