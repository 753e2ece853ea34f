"""Customers' country settings (``CustomerCountrySettingsOutputModel``): how a customer is
taxed when invoiced from the organisation's country (invoices.md §3.5).

Settled: a customer has the settings a helper gave it (``put_country_settings``), one per
country; a customer without any answers an empty array (the document allows it, and a client
must then treat the customer as taxed normally). ``zeroVatCategoryCodeEn16931`` is the EN 16931
VAT category of a zero-rated sale (``AE`` reverse charge, ``K`` intra-EU supply, ``G`` export,
``E`` exempt, ``Z`` zero rated); ``isTaxFree`` makes the customer's invoices tax-free.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .invoicerender import shaped_invoice_model
from .store import Register, Stored

if TYPE_CHECKING:
    from .organisation import Organisation

__all__ = ["CountrySettings"]


class CountrySettings:
    """The customers' country settings of one organisation."""

    def __init__(self, org: Organisation, new_guid: Callable[[], str]) -> None:
        self.org = org
        self._new_guid = new_guid
        self.register = Register(
            "customer_country_settings", multi={"customer": lambda v: v["customer"]}
        )

    def put(
        self,
        customer: str,
        *,
        country: str = "FI",
        tax_free: bool = False,
        vat_rate: float | None = None,
        zero_vat_category: str | None = None,
        description: str | None = None,
    ) -> str:
        """Give ``customer`` its settings for ``country`` (ISO code); returns their GUID.

        Raises:
            KeyError: an unknown customer, or settings for that country exist already.
        """
        org = self.org
        if org.customer_register.get(customer) is None:
            raise KeyError(customer)
        country_guid = org.country(country).guid
        if any(r["country"] == country_guid for r in self.of_customer(customer)):
            raise KeyError(f"customer {customer} has settings for {country} already")
        rate = None if vat_rate is None else org.vat_rate(vat_rate, country).guid
        values = {
            "customer": customer,
            "country": country_guid,
            "isTaxFree": tax_free,
            "taxFreeDescription": description,
            "valueAddedTax": rate,
            "zeroVatCategoryCodeEn16931": zero_vat_category,
        }
        return self.register.add(self._new_guid(), values, org.now(), org.user).guid

    def of_customer(self, customer: str) -> list[Stored]:
        """A customer's settings in creation order."""
        return [self.register.at(seq) for seq in self.register.seqs("customer", customer)]

    def render(self, record: Stored) -> dict[str, Any]:
        """The ``CustomerCountrySettingsOutputModel`` of ``record``."""
        ref = self.org.reference
        v = record.values
        country = ref.country(v["country"])
        rate = ref.vat_rate(v["valueAddedTax"])
        return shaped_invoice_model(
            "CustomerCountrySettingsOutputModel",
            {
                "guid": record.guid,
                "customer": {"guid": v["customer"]},
                "country": None
                if country is None
                else {
                    "guid": country.guid,
                    "name": country.name,
                    "englishName": country.english_name,
                },
                "isTaxFree": v["isTaxFree"],
                "taxFreeDescription": v["taxFreeDescription"],
                "valueAddedTax": None
                if rate is None
                else {"guid": rate.guid, "percentage": rate.percentage},
                "zeroVatCategoryCodeEn16931": v["zeroVatCategoryCodeEn16931"],
            },
        )
