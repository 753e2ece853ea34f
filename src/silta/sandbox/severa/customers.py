"""Customers (``CustomerModel``): numbers, the head-office link, and the output shape.

Rules (settled):

* ``number`` is unique in the organisation (400 ``InvalidOperation`` naming it). A POST
  without a number (or with ``null``) is given the next free one from
  ``org.settings.next_customer_number`` (Severa's ``nextCustomerNumber``), which then moves
  past it. A PATCH may set the number to ``null``.
* ``POST /v1/customers`` does **not** create an address. ``headquarterAddress`` links one of
  the customer's own addresses (``AddressModel`` records created under
  ``/v1/customers/{customerGuid}/addresses``); only its ``guid`` is writable, by a PATCH of
  ``/headquarterAddress/guid`` (or ``/headquarterAddress`` with an object). An address of
  another customer, or a GUID that names no address, is 400 ``InvalidParameter``. A POST body
  can name an HQ address only if it already belongs to the customer - which, for a customer
  that does not exist yet, it never does.
* The output's ``headquarterAddress`` is ``{guid, addressline, postalCode, city, country}``
  read from the linked address *now* (``country`` is the country's name, e.g. ``Suomi``).
  Changing that address does not bump the customer's ``lastUpdatedDateTime`` (see
  :mod:`.collection`).
* ``currency`` defaults to the organisation's currency; ``isActive`` to true; ``isInternal``
  is read-only and false.
* ``DELETE`` (the document's ``Customers_DeleteCustomer``, 204) deletes the customer and its
  addresses; one that a project names is 400 ``InvalidOperation``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Final

from .collection import Collection
from .errors import Detail, invalid_operation
from .fields import Field, Kind
from .render import named, shaped, stamps, user_json
from .store import Register, Stored

__all__ = ["CUSTOMER_FIELDS", "Customers"]

S, I32, I64, D, B, R = Kind.STRING, Kind.INT32, Kind.INT64, Kind.DOUBLE, Kind.BOOL, Kind.REF

#: ``CustomerModel``'s writable properties (the model is both input and output).
CUSTOMER_FIELDS: Final = (
    Field("name", S, nullable=False, required=True, min_length=1),
    Field("number", I64),
    Field("isActive", B, nullable=False, default=True),
    Field("notes", S),
    Field("email", S),
    Field("website", S),
    Field("vatNumber", S),
    Field("kvkNumber", S, max_length=25),
    Field("numberOfEmployees", I32),
    Field("annualRevenue", I64),
    Field("language", R, target="language"),
    Field("currency", R, target="currency"),
    Field("owner", R, target="user"),
    Field("industry", R, target="industry"),
    Field("headquarterAddress", R),  # checked by Customers.rules: one of its own addresses
    Field("timezone", R, target="timezone"),
    Field("pricelist", R, target="pricelist"),
    Field("paymentTerm", I32),
    Field("overdueInterest", D),
    Field("invoicingVat", R, target="vatRate"),
    Field("eInvoiceAddress", S),
    Field("eInvoiceOperator", S),
    Field("invoiceTemplate", R, target="invoiceTemplate"),
)


class Customers(Collection):
    """The customer register of one organisation."""

    kind: ClassVar[str] = "customer"
    model: ClassVar[str] = "CustomerModel"
    fields: ClassVar[tuple[Field, ...]] = CUSTOMER_FIELDS
    read_only: ClassVar[frozenset[str]] = Collection.read_only | {"isInternal"}

    def make_register(self) -> Register:
        return Register(self.kind, unique={"number": lambda v: v["number"]})

    def by_number(self, number: int) -> Stored | None:
        """The customer with ``number``."""
        return self.register.owner("number", number)

    def delete(self, record: Stored) -> None:
        """``DELETE /v1/customers/{guid}``: its addresses go with it; a customer that
        projects still name is refused (a project must keep its customer)."""
        projects = self.org.project_register.register
        if projects.seqs("customer", record.guid):
            raise invalid_operation(
                "The customer has projects and cannot be deleted; close or move them first.",
                "guid",
            )
        addresses = self.org.address_register
        for address in addresses.of_customer(record.guid):
            addresses.register.remove(address)
        self.register.remove(record)

    def rules(self, values: dict[str, Any], old: Stored | None) -> list[Detail]:
        hq = values["headquarterAddress"]
        if hq is None or (old is not None and old.values["headquarterAddress"] == hq):
            return []
        address = self.org.address_register.get(hq)
        if address is None:
            return [Detail(f"There is no address with guid '{hq}'.", "headquarterAddress.guid")]
        if old is None or address.values["customer"] != old.guid:
            return [
                Detail(
                    f"Address '{hq}' is not an address of this customer.",
                    "headquarterAddress.guid",
                )
            ]
        return []

    def unique(self, values: Mapping[str, Any], old: Stored | None) -> None:
        number = values["number"]
        if number is None:
            return
        owner = self.by_number(number)
        if owner is not None and (old is None or owner.guid != old.guid):
            raise invalid_operation(f"Customer number {number} is already in use.", "number")

    def complete(self, values: dict[str, Any], old: Stored | None) -> None:
        if values["currency"] is None:
            values["currency"] = self.org.default_currency.guid
        if old is None and values["number"] is None:
            settings = self.org.settings
            number = settings.next_customer_number
            while self.by_number(number) is not None:
                number += 1
            values["number"] = number
            settings.next_customer_number = number + 1

    def render(self, record: Stored) -> dict[str, Any]:
        v = record.values
        ref = self.org.reference
        language = ref.language(v["language"])
        currency = ref.currency(v["currency"])
        vat = ref.vat_rate(v["invoicingVat"])
        return shaped(
            "CustomerModel",
            {
                "guid": record.guid,
                "name": v["name"],
                "number": v["number"],
                "isActive": v["isActive"],
                "isInternal": False,
                "notes": v["notes"],
                "email": v["email"],
                "website": v["website"],
                "vatNumber": v["vatNumber"],
                "kvkNumber": v["kvkNumber"],
                "numberOfEmployees": v["numberOfEmployees"],
                "annualRevenue": v["annualRevenue"],
                "language": None
                if language is None
                else {
                    "guid": language.guid,
                    "name": language.name,
                    "englishName": language.english_name,
                    "code": language.code,
                },
                "currency": None if currency is None else currency.as_json(),
                "owner": user_json(ref, v["owner"]),
                "industry": named(ref.item("industry", v["industry"])),
                "headquarterAddress": self._headquarters(v["headquarterAddress"]),
                "timezone": named(ref.item("timezone", v["timezone"])),
                "pricelist": named(ref.item("pricelist", v["pricelist"])),
                "paymentTerm": v["paymentTerm"],
                "overdueInterest": v["overdueInterest"],
                "invoicingVat": None
                if vat is None
                else {"guid": vat.guid, "percentage": vat.percentage, "code": vat.code},
                "eInvoiceAddress": v["eInvoiceAddress"],
                "eInvoiceOperator": v["eInvoiceOperator"],
                "invoiceTemplate": named(ref.item("invoiceTemplate", v["invoiceTemplate"])),
                **stamps(ref, record),
            },
        )

    def _headquarters(self, guid: str | None) -> dict[str, Any] | None:
        address = None if guid is None else self.org.address_register.get(guid)
        if address is None:
            return None
        a = address.values
        country = self.org.reference.country(a["country"])
        return {
            "guid": address.guid,
            "addressline": a["addressline"],
            "postalCode": a["postalCode"],
            "city": a["city"],
            "country": None if country is None else country.name,
        }
