"""Output JSON pieces the models share: stamps, users, named references, money.

Settled shapes (the document's output schemas):

* every property of an output model is present; an empty nullable one is ``null`` -
  **except a sub-model or enum property** (``"headquarterAddress": {"$ref": ...,
  "nullable": true}``). In OpenAPI 3.0 the siblings of a ``$ref`` are ignored, so the
  document's ``nullable`` there is void and a strict validator (openapi-core, which judges the
  sandbox in CI) refuses ``null``. **Settled:** such a property is left out when empty
  (:func:`shaped`, table :data:`SUB_MODELS`); a client must read "absent" as "null".
* ``createdBy``/``lastUpdatedBy`` are the user sub-model
  (``UserWithFirstNameLastNameAndPhotoFileModel``) of the API user that wrote the record, or
  ``null``; date-times are UTC with an explicit offset (:mod:`.times`);
* money is ``MoneyOutputModel`` ``{amount, currencyCode, multiCurrencyInfo: []}`` (the
  sandbox has one currency per amount, so no multi-currency entries).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from .fields import Money
from .store import Stored
from .times import format_datetime

if TYPE_CHECKING:
    from .reference import ReferenceData, ReferenceItem

__all__ = ["SUB_MODELS", "money_json", "named", "shaped", "stamps", "user_json"]

#: Output schema → its properties whose schema is a ``$ref`` (a sub-model or an enum); copied
#: from the document (a test checks the table against it when the document is at hand).
SUB_MODELS: Final[Mapping[str, frozenset[str]]] = {
    "CustomerModel": frozenset({"createdBy", "currency", "headquarterAddress", "industry",
                                "invoiceTemplate", "invoicingVat", "language", "lastUpdatedBy",
                                "owner", "pricelist", "timezone"}),
    "AddressModel": frozenset({"country", "countryRegion", "createdBy", "customer",
                               "lastUpdatedBy"}),
    "ProductOutputModel": frozenset({"createdBy", "lastUpdatedBy", "productCategory",
                                     "salesAccount", "type", "unitCost", "unitPrice"}),
    "ProjectOutputModel": frozenset({"billingContact", "businessUnit", "costCenter",
                                     "createdBy", "currency", "customer", "customerContact",
                                     "defaultWorkType", "expectedValue", "invoiceTemplate",
                                     "lastUpdatedBy", "leadSource", "pricelist",
                                     "projectOwner", "projectStatus", "rootPhase",
                                     "salesPerson", "salesStatus"}),
    "PhaseOutputModel": frozenset({"createdBy", "currencyCode", "defaultWorkType",
                                   "lastUpdatedBy", "parentPhase", "phaseStatus", "project"}),
    "PhaseModelWithHierarchyInfo": frozenset({"createdBy", "currencyCode", "customer",
                                              "defaultWorkType", "lastUpdatedBy",
                                              "parentPhase", "phaseStatus", "project"}),
    "BusinessUnitModel": frozenset({"costCenter", "createdBy", "lastUpdatedBy"}),
    "CountryModel": frozenset({"currency", "defaultLanguage", "hasRegions", "timezone"}),
    "VatRateOutputModel": frozenset({"createdBy", "lastUpdatedBy"}),
    "UserOutputModel": frozenset({"businessUnit", "country", "countryRegion", "createdBy",
                                  "culture", "defaultActivityType", "language",
                                  "lastUpdatedBy", "permissionProfile", "salutation",
                                  "satisfaction", "superiorUser", "timezone", "userType",
                                  "workContract", "workType"}),
}  # fmt: skip


def shaped(schema: str, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` without the empty sub-model properties of ``schema`` (see above)."""
    refs = SUB_MODELS[schema]
    return {name: value for name, value in data.items() if value is not None or name not in refs}


def user_json(reference: ReferenceData, guid: str | None) -> dict[str, Any] | None:
    """The user sub-model of ``guid``, or ``None``."""
    user = reference.user(guid)
    return None if user is None else user.as_json()


def stamps(reference: ReferenceData, record: Stored) -> dict[str, Any]:
    """``createdDateTime``, ``createdBy``, ``lastUpdatedDateTime``, ``lastUpdatedBy``."""
    return {
        "createdDateTime": format_datetime(record.created_at),
        "createdBy": user_json(reference, record.created_by),
        "lastUpdatedDateTime": format_datetime(record.updated_at),
        "lastUpdatedBy": user_json(reference, record.updated_by),
    }


def named(item: ReferenceItem | None) -> dict[str, Any] | None:
    """A ``ModelWithName`` ``{guid, name}``, or ``None``."""
    return None if item is None else {"guid": item.guid, "name": item.name}


def money_json(money: Money | None) -> dict[str, Any] | None:
    """A ``MoneyOutputModel``, or ``None``."""
    if money is None:
        return None
    return {"amount": money.amount, "currencyCode": money.currency, "multiCurrencyInfo": []}
