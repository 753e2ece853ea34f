"""The customer register of one organisation: records, indexes, and the rules of customer.nv.

Settled rules (netvisor-api.md §4.3 where it speaks, Silta's decisions where it does not):

* A customer is kept as the values of its request elements (``internalidentifier``, ``name``,
  ``finvoiceroutercode`` ...), so what a client wrote is what it reads back.
* Customer codes (``internalidentifier``) are unique per organisation → ``DUPLICATE_DATA`` on an
  add, or on an edit that would collide. **Codes compare case-insensitively** (Netvisor runs on
  SQL Server, whose default collation is case-insensitive [INFERRED]); a customer may have no
  code at all.
* ``internalidentifier type="automatic"`` given empty takes the next free numeric code: one
  more than the largest all-digit code the organisation has ever had.
* On add, ``name`` is required; ``isactive`` defaults to 1 and ``isprivatecustomer`` to 0.
* On edit, only the elements present change; an element present but empty blanks its field;
  an empty container changes nothing (§3). ``name``, ``isactive`` and ``isprivatecustomer``
  cannot be blanked.
* Documented limits → ``INVALID_DATA_SIZE``: internalidentifier ≤ 50, name and nameextension
  ≤ 250, streetaddress, additionaladdressline and city ≤ 80, postnumber ≤ 50,
  organizationunitnumber 12-17 digits (non-digits are ``INVALID_DATA``). Other fields have no
  documented limit and get none.
* ``country``/``deliverycountry`` are two ASCII letters (ISO 3166), ``invoicinglanguage`` is
  FI, EN or SE; both are stored upper-case. ``finvoiceroutercode`` must be an identifier of
  :data:`silta.registers.finnish.OPERATORS`, exactly. ``externalidentifier`` is not validated:
  it holds a private person's identity code for consumers.
* Dimensions (``customerdimensiondetails``): the header must exist; an unknown item is created
  at the top level (or under the ``fatherid`` given) unless ``useonlyexistingdimensions=1``,
  which makes it ``INVALID_DATA``. A customer has one item per header; a new one replaces it.
* Every add and edit sets the change time from the sandbox clock.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Final

import attrs

from silta.registers.finnish import find_operator

from .dimensions import DimensionLink, DimensionStore, fold
from .errors import NetvisorFailure, invalid_data, invalid_size
from .records import CodedStore
from .values import parse_flag

__all__ = [
    "CUSTOMER_ELEMENTS",
    "Customer",
    "CustomerChanges",
    "CustomerStore",
    "write_customer",
]

FIRST_CUSTOMER_KEY: Final = 1000

#: Leaf elements of customer.dtd that the sandbox stores, in DTD order. (Leaf names are
#: unique across the DTD's sections, so one flat mapping holds a customer.)
CUSTOMER_ELEMENTS: Final = (
    "internalidentifier",
    "externalidentifier",
    "organizationunitnumber",
    "name",
    "nameextension",
    "streetaddress",
    "additionaladdressline",
    "city",
    "postnumber",
    "country",
    "customergroupname",
    "phonenumber",
    "faxnumber",
    "email",
    "homepageuri",
    "isactive",
    "isprivatecustomer",
    "emailinvoicingaddress",
    "finvoiceaddress",
    "finvoiceroutercode",
    "maventaedichannel",
    "maventaedicustomeridentifier",
    "deliveryname",
    "deliverystreetaddress",
    "deliverycity",
    "deliverypostnumber",
    "deliverycountry",
    "contactname",
    "contactperson",
    "contactpersonemail",
    "contactpersonphone",
    "comment",
    "customeragreementidentifier",
    "customerreferencenumber",
    "directdebitbankaccount",
    "invoicinglanguage",
    "invoiceprintchannelformat",
    "yourdefaultreference",
    "defaulttextbeforeinvoicelines",
    "defaulttextafterinvoicelines",
    "defaultpaymentterm",
    "salespersonid",
)
_KNOWN: Final = frozenset(CUSTOMER_ELEMENTS)

_MAX_LENGTH: Final = {
    "internalidentifier": 50,
    "name": 250,
    "nameextension": 250,
    "streetaddress": 80,
    "additionaladdressline": 80,
    "city": 80,
    "postnumber": 50,
}
_NOT_BLANK: Final = ("name", "isactive", "isprivatecustomer")


@attrs.frozen
class Customer:
    """One stored customer (a snapshot: an edit stores a new one).

    Attributes:
        key: the NetvisorKey.
        fields: request element name → value; an element never set is absent.
        changed_at: the last add/edit (or :meth:`~.organisation.Organisation.touch_customer`).
        dimensions: one item per dimension header.
    """

    key: int
    fields: Mapping[str, str]
    changed_at: datetime
    dimensions: tuple[DimensionLink, ...] = ()

    def get(self, element: str) -> str:
        """The value of a request element, ``""`` when empty or never set."""
        return self.fields.get(element, "")

    @property
    def code(self) -> str:
        """The customer code (``internalidentifier``)."""
        return self.get("internalidentifier")

    @property
    def name(self) -> str:
        """The customer name."""
        return self.get("name")

    @property
    def is_active(self) -> bool:
        """Whether ``isactive`` is 1."""
        return self.get("isactive") == "1"


@attrs.frozen
class CustomerChanges:
    """What one customer.nv request asks for.

    Attributes:
        values: leaf elements present in the request, text as sent ("" = blank it).
        automatic_code: ``internalidentifier`` carried ``type="automatic"``.
        dimensions: ``(header name, item name, fatherid attribute)`` per ``dimension``.
    """

    values: Mapping[str, str]
    automatic_code: bool = False
    dimensions: tuple[tuple[str, str, int | None], ...] = ()


class CustomerStore(CodedStore[Customer]):
    """Customers of one organisation: by key, by code, and their customer groups."""

    def __init__(self) -> None:
        super().__init__(FIRST_CUSTOMER_KEY, ("Asiakaskoodi", "Customer code"))
        self._groups: dict[str, tuple[int, str]] = {}
        self._largest_number = 0

    def group_key(self, name: str) -> int | None:
        """The key of customer group ``name`` (groups are created on first use)."""
        group = self._groups.get(fold(name))
        return None if group is None else group[0]

    def next_automatic_code(self) -> str:
        """What ``internalidentifier type="automatic"`` would give now."""
        return str(self._largest_number + 1)

    def store(self, old: Customer | None, new: Customer) -> None:
        """Put ``new`` in place of ``old``; also track numeric codes and customer groups."""
        super().store(old, new)
        if new.code.isascii() and new.code.isdigit():
            self._largest_number = max(self._largest_number, int(new.code))
        group = new.get("customergroupname")
        if group and fold(group) not in self._groups:
            self._groups[fold(group)] = (len(self._groups) + 1, group)


def _normalise(element: str, value: str) -> str:
    """Check one present element; return the value to store."""
    if value == "":
        if element in _NOT_BLANK:
            raise invalid_data(
                f"Pakollinen elementti {element} on tyhjä",
                f"Mandatory element {element} is empty",
            )
        return ""
    limit = _MAX_LENGTH.get(element)
    if limit is not None and len(value) > limit:
        raise invalid_size(element, f"≤ {limit}", len(value))
    if element in {"isactive", "isprivatecustomer"}:
        return parse_flag(value, element)
    if element in {"country", "deliverycountry"}:
        code = value.strip()
        if not (len(code) == 2 and code.isascii() and code.isalpha()):
            raise invalid_data(
                f"Elementin {element} tulee olla ISO 3166 -maakoodi: {value}",
                f"Element {element} must be an ISO 3166 country code: {value}",
            )
        return code.upper()
    if element == "invoicinglanguage":
        language = value.strip().upper()
        if language not in {"FI", "EN", "SE"}:
            raise invalid_data(
                f"Laskun kielen tulee olla FI, EN tai SE: {value}",
                f"Invoicing language must be FI, EN or SE: {value}",
            )
        return language
    if element == "organizationunitnumber":
        number = value.strip()
        if not (number.isascii() and number.isdigit()):
            raise invalid_data(
                f"OVT-tunnuksessa saa olla vain numeroita: {value}",
                f"Organization unit number must contain only digits: {value}",
            )
        if not 12 <= len(number) <= 17:
            raise invalid_size(element, "12-17", len(number))
        return number
    if element == "finvoiceroutercode" and find_operator(value) is None:
        raise invalid_data(
            f"Verkkolaskuoperaattoria ei löydy: {value}",
            f"E-invoice operator not found: {value}",
        )
    return value


def write_customer(
    customers: CustomerStore,
    dimensions: DimensionStore,
    changes: CustomerChanges,
    *,
    key: int | None,
    now: datetime,
    use_only_existing_dimensions: bool = False,
) -> Customer:
    """Add (``key=None``) or edit a customer by the rules in the module docstring.

    Everything is checked before anything is stored, so a refused write changes nothing.

    Raises:
        NetvisorFailure: the answer Netvisor would give.
    """
    current = None
    if key is not None:
        current = customers.get(key)
        if current is None:
            raise customer_not_found(key)
    unknown = set(changes.values) - _KNOWN
    if unknown:
        raise ValueError(f"not customer elements: {', '.join(sorted(unknown))}")

    fields = dict(current.fields) if current is not None else {}
    for element, value in changes.values.items():
        fields[element] = _normalise(element, value)
    if changes.automatic_code and not changes.values.get("internalidentifier"):
        fields["internalidentifier"] = customers.next_automatic_code()
    if current is None:
        if not fields.get("name"):
            raise invalid_data("Asiakkaan nimi puuttuu", "Customer name is missing")
        fields.setdefault("isactive", "1")
        fields.setdefault("isprivatecustomer", "0")
    customers.check_code_free(fields.get("internalidentifier", ""), exclude=key or 0)
    dimensions.check_links(changes.dimensions, use_only_existing=use_only_existing_dimensions)

    # Nothing below can fail: commit.
    links = dimensions.merge_links(
        current.dimensions if current is not None else (), changes.dimensions
    )
    new = Customer(
        key=customers.allocate_key() if current is None else current.key,
        fields=fields,
        changed_at=now,
        dimensions=links,
    )
    customers.store(current, new)
    return new


def customer_not_found(key: int | str) -> NetvisorFailure:
    """Netvisor's answer for an unknown customer key (fastmonkeys fixture, §4.2)."""
    return invalid_data(
        f"Asiakasta ei löydy Netvisor-tunnisteella: {key}",
        f"Customer not found with Netvisor identifier: {key}",
    )
