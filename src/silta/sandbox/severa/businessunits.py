"""Business units (``BusinessUnitModel``): a tree under the company's root unit.

Rules (settled):

* Every organisation is born with one company (a legal entity, named like the organisation)
  and its **root business unit**, which has no parent. Every other unit has a parent
  (``parentGuid``); :meth:`Organisation.put_business_unit` defaults it to the root.
* ``parentGuid`` must name a business unit; a change that would put a unit under itself or
  under one of its descendants is a 400, and so is giving the root a parent or taking a
  non-root unit's parent away.
* ``companyGuid``, ``companyName``, ``companyBusinessUnitGuid`` (the root unit),
  ``companyCountryGuid``, ``companyCurrencyGuid`` and ``costCenter`` are read-only output;
  the sandbox has one company, so they are the same for every unit.
* The document has no ``POST /v1/businessunits``: units are created with
  :meth:`Organisation.put_business_unit` (as in Severa's UI); the API reads and patches them.
"""

from __future__ import annotations

from typing import Any, ClassVar, Final

from .collection import Collection
from .errors import Detail
from .fields import Field, Kind
from .render import shaped, stamps
from .store import Register, Stored

__all__ = ["BUSINESS_UNIT_FIELDS", "BusinessUnits"]

S = Kind.STRING

#: ``BusinessUnitModel``'s writable properties.
BUSINESS_UNIT_FIELDS: Final = (
    Field("name", S, nullable=False, required=True, min_length=1),
    Field("code", S),
    Field("parentGuid", Kind.REF, target="businessUnit", flat=True),
    Field("isActive", Kind.BOOL, nullable=False, default=True),
    Field("vatNumber", S),
    Field("kvkNumber", S, max_length=25),
)


class BusinessUnits(Collection):
    """The business unit register of one organisation."""

    kind: ClassVar[str] = "business_unit"
    model: ClassVar[str] = "BusinessUnitModel"
    fields: ClassVar[tuple[Field, ...]] = BUSINESS_UNIT_FIELDS
    read_only: ClassVar[frozenset[str]] = Collection.read_only | {
        "companyGuid",
        "companyName",
        "companyBusinessUnitGuid",
        "companyCountryGuid",
        "companyCurrencyGuid",
        "costCenter",
    }

    def make_register(self) -> Register:
        return Register(self.kind, multi={"parent": lambda v: v["parentGuid"]})

    def rules(self, values: dict[str, Any], old: Stored | None) -> list[Detail]:
        parent = values["parentGuid"]
        root = self.org.company.root_business_unit
        is_root = old is not None and old.guid == root
        if is_root and parent is not None:
            return [Detail("The company's root business unit has no parent.", "parentGuid")]
        if not is_root and parent is None:
            return [Detail("parentGuid is required: every unit but the root has a parent.",
                           "parentGuid")]  # fmt: skip
        if old is not None and parent is not None and parent != old.values["parentGuid"]:
            ancestor: str | None = parent
            while ancestor is not None:
                if ancestor == old.guid:
                    return [
                        Detail(
                            "A business unit cannot be moved under itself or its descendants.",
                            "parentGuid",
                        )
                    ]
                found = self.register.get(ancestor)
                ancestor = None if found is None else found.values["parentGuid"]
        return []

    def render(self, record: Stored) -> dict[str, Any]:
        v = record.values
        company = self.org.company
        return shaped(
            "BusinessUnitModel",
            {
                "guid": record.guid,
                "name": v["name"],
                "code": v["code"],
                "parentGuid": v["parentGuid"],
                "isActive": v["isActive"],
                "vatNumber": v["vatNumber"],
                "kvkNumber": v["kvkNumber"],
                "costCenter": None,
                "companyGuid": company.guid,
                "companyName": company.name,
                "companyBusinessUnitGuid": company.root_business_unit,
                "companyCountryGuid": company.country_guid,
                "companyCurrencyGuid": company.currency_guid,
                **stamps(self.org.reference, record),
            },
        )

    def sub_model(self, guid: str | None) -> dict[str, Any] | None:
        """The ``BusinessUnitSubModel`` a project shows, or ``None``."""
        record = None if guid is None else self.register.get(guid)
        if record is None:
            return None
        company = self.org.company
        return {
            "guid": record.guid,
            "name": record.values["name"],
            "code": record.values["code"],
            "companyGuid": company.guid,
            "companyName": company.name,
            "companyBusinessUnitGuid": company.root_business_unit,
            "companyCountryGuid": company.country_guid,
            "companyCurrencyGuid": company.currency_guid,
        }
