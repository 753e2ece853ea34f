"""Addresses (``AddressModel``): a customer's postal, billing and visiting addresses.

Rules (settled):

* An address is created under its customer (``POST /v1/customers/{customerGuid}/addresses``);
  the path names the customer. A body ``customer.guid`` naming another customer is a 400. The
  customer cannot be changed afterwards (PATCH ``/customer/guid`` → 400): moving an address
  would silently move a head office between customers.
* ``country`` must name a country of ``/v1/localization/countries``; ``countryRegion`` and
  ``contacts`` can only be empty (the sandbox keeps no regions or contacts).
* ``isBillingAddress``/``isPostalAddress``/``isVisitAddress`` default to false.
* Changing an address bumps the address's ``lastUpdatedDateTime`` only - not that of the
  customer whose head office it is (see :mod:`.customers`).
* ``GET /v1/addresses`` lists every address in creation order (offset paging,
  ``changedSince``); ``GET /v1/customers/{customerGuid}/addresses`` one customer's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Final

from .collection import Collection
from .errors import Detail
from .fields import Field, Kind
from .render import named, shaped, stamps
from .store import Register, Stored

__all__ = ["ADDRESS_FIELDS", "Addresses"]

S, B, R = Kind.STRING, Kind.BOOL, Kind.REF

#: ``AddressModel``'s writable properties (input and output model alike).
ADDRESS_FIELDS: Final = (
    Field("addressline", S),
    Field("postalCode", S),
    Field("city", S),
    Field("country", R, target="country"),
    Field("countryRegion", R, target="countryRegion"),
    Field("phone", S),
    Field("fax", S),
    Field("isBillingAddress", B, nullable=False, default=False),
    Field("isPostalAddress", B, nullable=False, default=False),
    Field("isVisitAddress", B, nullable=False, default=False),
    Field("customer", R, target="customer", patchable=False),
    Field("contacts", Kind.LIST, target="contact", default=()),
)


class Addresses(Collection):
    """The address register of one organisation."""

    kind: ClassVar[str] = "address"
    model: ClassVar[str] = "AddressModel"
    fields: ClassVar[tuple[Field, ...]] = ADDRESS_FIELDS

    def make_register(self) -> Register:
        return Register(self.kind, multi={"customer": lambda v: v["customer"]})

    def of_customer(self, customer_guid: str) -> list[Stored]:
        """A customer's addresses in creation order."""
        return [self.register.at(seq) for seq in self.register.seqs("customer", customer_guid)]

    def adopt(self, values: dict[str, Any], context: Mapping[str, Any]) -> list[Detail]:
        customer = context["customer"]
        given = values["customer"]
        if given is not None and given != customer:
            return [
                Detail(
                    "customer.guid must be the customer of the route, or be left out.",
                    "customer.guid",
                )
            ]
        values["customer"] = customer
        return []

    def render(self, record: Stored) -> dict[str, Any]:
        v = record.values
        ref = self.org.reference
        country = ref.country(v["country"])
        customer = self.org.customer_register.get(v["customer"])
        return shaped(
            "AddressModel",
            {
                "guid": record.guid,
                "addressline": v["addressline"],
                "postalCode": v["postalCode"],
                "city": v["city"],
                "country": None
                if country is None
                else {
                    "guid": country.guid,
                    "name": country.name,
                    "englishName": country.english_name,
                    "hasRegions": "NoRegion",
                },
                "countryRegion": named(ref.item("countryRegion", v["countryRegion"])),
                "phone": v["phone"],
                "fax": v["fax"],
                "isBillingAddress": v["isBillingAddress"],
                "isPostalAddress": v["isPostalAddress"],
                "isVisitAddress": v["isVisitAddress"],
                "customer": None
                if customer is None
                else {
                    "guid": customer.guid,
                    "name": customer.values["name"],
                    "number": customer.values["number"],
                },
                "contacts": [],
                **stamps(ref, record),
            },
        )
