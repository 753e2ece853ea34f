"""Short ways to put the records a rule test needs into the sandboxes."""

from __future__ import annotations

from typing import Any

from silta.sandbox.netvisor.organisation import Organisation as NetvisorOrganisation
from silta.sandbox.severa.organisation import Organisation as SeveraOrganisation


def severa_customer(
    org: SeveraOrganisation,
    name: str,
    number: int | None,
    *,
    vat: str | None = "FI07375462",
    billing: bool = True,
    post: bool = True,
    head_office: bool = True,
    address: dict[str, Any] | None = None,
    **fields: Any,
) -> str:
    """A Severa customer with (by default) a head-office address flagged Billing and Post."""
    if vat is not None:
        fields["vatNumber"] = vat
    guid = org.put_customer(name=name, number=number, **fields)
    values: dict[str, Any] = {
        "addressline": "Mannerheimintie 1",
        "postalCode": "00100",
        "city": "Helsinki",
        "country": org.country("FI").guid,
        "phone": "+358 9 123 4567",
        "fax": "+358 9 765 4321",
        "isBillingAddress": billing,
        "isPostalAddress": post,
    }
    values.update(address or {})
    address_guid = org.put_address(guid, **values)
    if head_office:
        org.update("customer", guid, headquarterAddress=address_guid)
    return guid


def netvisor_customer(
    org: NetvisorOrganisation, code: str | None, name: str, **elements: str
) -> int:
    """A Netvisor customer with a valid business ID unless told otherwise."""
    values = {"name": name, "externalidentifier": "2617416-4", "isactive": "1"}
    if code is not None:
        values["internalidentifier"] = code
    values.update(elements)
    return org.put_customer(**values)
