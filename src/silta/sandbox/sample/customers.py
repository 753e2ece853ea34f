"""The customer registers of both systems, and the planted customer cases.

The source system of the scenario gets ``spec.customers`` customers in a shuffled mix of
roles: the planted cases, the showcases, and ordinary customers of three kinds - **new**
(only in the source), **identical** (the target has the same company under the same code,
field for field as the sync would write it) and **differing** (the target has an older
version: another phone number, an old address... so the first run updates it). The target
system also has about a tenth more customers of its own under codes from 9001, which the
sync must leave alone, and Netvisor has the ``TEMP`` customer.

"Identical" follows the article's field table: Netvisor's billing address is Severa's
head-office address when it is flagged Billing, the delivery address when it is flagged
Post, with the customer's name as the delivery name; Netvisor's e-mail invoicing address is
the e-mail, so the record is identical whether or not the tenant's e-mail channel is on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Final, Literal

import attrs

from ..netvisor import Organisation as NetvisorOrganisation
from ..severa import Organisation as SeveraOrganisation
from .cases import Cases
from .companies import Company, Draw
from .model import SampleSpec

__all__ = ["CustomerResult", "populate_customers"]

#: Severa language code → Netvisor invoicing language.
INVOICING_LANGUAGES: Final = {"fi": "FI", "sv": "SE", "en": "EN"}
#: The first customer number of the source system; the target's own customers are numbered
#: from 9001 (90001, 900001... when the source's numbers reach that far).
FIRST_NUMBER: Final = 1001
_INACTIVE_SHARE: Final = 0.05

Flags = Literal["both", "billing", "post"]
#: Head-office flags other than both Billing and Post, and their shares.
_FLAG_SHARES: Final[dict[Flags, float]] = {"billing": 0.14, "post": 0.10}
_SECOND_ADDRESS_SHARE: Final = 0.12
_FLAG_FIELDS: Final[dict[Flags, dict[str, bool]]] = {
    "both": {"isBillingAddress": True, "isPostalAddress": True},
    "billing": {"isBillingAddress": True, "isPostalAddress": False},
    "post": {"isBillingAddress": False, "isPostalAddress": True},
}


@attrs.frozen
class CustomerResult:
    """What the other registers need: Severa customers fit to carry projects, and TEMP."""

    project_customers: tuple[str, ...]
    temp_key: int


# -- how a company drifts between the systems --------------------------------------------------

Drift = Callable[[Company, Draw], Company]


def _moved(company: Company, draw: Draw) -> Company:
    postal_code, city = draw.place()
    return attrs.evolve(company, street=draw.street(), postal_code=postal_code, city=city)


#: What may differ in the target's older copy of a company: label (fi, en) and the change.
DRIFTS: Final[dict[str, tuple[str, str, Drift]]] = {
    "phone": ("puhelin", "phone", lambda c, d: attrs.evolve(c, phone=d.phone())),
    "address": ("osoite", "address", _moved),
    "email": (
        "sähköposti",
        "e-mail",
        lambda c, d: attrs.evolve(c, email=f"posti@{c.email.split('@')[1]}"),
    ),
    "name": ("nimi", "name", lambda c, d: attrs.evolve(c, name=c.name.upper())),
    "notes": (
        "muistiinpanot",
        "notes",
        lambda c, d: attrs.evolve(c, notes="Vanha asiakas, tarkista tiedot."),
    ),
}


def _drift(company: Company, draw: Draw, *, must: str | None = None) -> tuple[Company, str, str]:
    """An older copy of ``company`` with one or two fields changed, and which (fi, en)."""
    labels = sorted(DRIFTS)
    chosen = draw.rng.sample(labels, draw.rng.choice((1, 1, 2)))
    if must is not None and must not in chosen:
        chosen = [must, *chosen[:1]]
    old = company
    for label in chosen:
        old = DRIFTS[label][2](old, draw)
    return (
        old,
        ", ".join(DRIFTS[label][0] for label in chosen),
        ", ".join(DRIFTS[label][1] for label in chosen),
    )


# -- writers -----------------------------------------------------------------------------------

Place = tuple[str, str, str]  # street, postal code, city


def _place(company: Company) -> Place:
    return company.street, company.postal_code, company.city


def netvisor_customer(
    org: NetvisorOrganisation,
    company: Company,
    code: str | None,
    *,
    active: bool = True,
    delivery: Place | None = None,
) -> int:
    """Write ``company`` into Netvisor under ``code``; returns its NetvisorKey."""
    elements = {
        "externalidentifier": company.business_id.ytunnus,
        "name": company.name,
        "streetaddress": company.street,
        "city": company.city,
        "postnumber": company.postal_code,
        "country": "FI",
        "phonenumber": company.phone,
        "email": company.email,
        "emailinvoicingaddress": company.email,
        "homepageuri": company.website,
        "isactive": "1" if active else "0",
        "isprivatecustomer": "0",
        "invoicinglanguage": INVOICING_LANGUAGES[company.language],
    }
    if code is not None:
        elements["internalidentifier"] = code
    if company.fax:
        elements["faxnumber"] = company.fax
    if company.notes:
        elements["comment"] = company.notes
    if company.einvoice_address and company.einvoice_operator:
        elements["finvoiceaddress"] = company.einvoice_address
        elements["finvoiceroutercode"] = company.einvoice_operator
    if delivery is not None:
        street, postal_code, city = delivery
        elements.update(
            deliveryname=company.name,
            deliverystreetaddress=street,
            deliverycity=city,
            deliverypostnumber=postal_code,
            deliverycountry="FI",
        )
    return org.put_customer(**elements)


def severa_customer(
    org: SeveraOrganisation,
    draw: Draw,
    company: Company,
    number: int,
    *,
    active: bool = True,
    flags: Flags = "both",
    second_address: bool = False,
    link_head_office: bool = True,
    overrides: Mapping[str, object] | None = None,
) -> str:
    """Write ``company`` into Severa with its head-office address; returns its GUID.

    ``overrides`` replace customer fields (``vatNumber: None`` leaves the business ID out).
    """
    fields: dict[str, object] = {
        "vatNumber": company.business_id.vat_number,
        "email": company.email,
        "website": company.website,
        "language": org.language(company.language).guid,
        "owner": org.users[number % len(org.users)].guid,
        "paymentTerm": draw.rng.choice((14, 14, 14, 21, 30)),
        "isActive": active,
    }
    if company.notes:
        fields["notes"] = company.notes
    if company.einvoice_address and company.einvoice_operator:
        fields["eInvoiceAddress"] = company.einvoice_address
        fields["eInvoiceOperator"] = company.einvoice_operator
    fields.update(overrides or {})
    fields = {name: value for name, value in fields.items() if value is not None}
    guid = org.put_customer(company.name, number, **fields)
    finland = org.country("FI").guid
    head_office = org.put_address(
        guid,
        addressline=company.street,
        postalCode=company.postal_code,
        city=company.city,
        country=finland,
        phone=company.phone,
        fax=company.fax,
        **_FLAG_FIELDS[flags],
    )
    if link_head_office:
        org.update("customer", guid, headquarterAddress=head_office)
    if second_address:
        postal_code, city = draw.place()
        if draw.rng.random() < 0.5:  # a visiting address elsewhere
            org.put_address(
                guid,
                addressline=draw.street(),
                postalCode=postal_code,
                city=city,
                country=finland,
                isVisitAddress=True,
            )
        else:  # a post-office box flagged Post, but not the head office: not transferred
            org.put_address(
                guid,
                addressline=f"PL {draw.rng.randrange(10, 999)}",
                postalCode=postal_code,
                city=city,
                country=finland,
                isPostalAddress=True,
            )
    return guid


def _regular_roles(count: int, special: int) -> list[str]:
    regular = count - special
    identical = max(1, round(regular * 0.2))
    differing = max(1, round(regular * 0.15))
    return (
        ["identical"] * identical
        + ["differing"] * differing
        + ["new"] * (regular - identical - differing)
    )


def _target_only_count(spec: SampleSpec) -> int:
    return max(2, round(spec.customers * 0.1))


def _target_only_first(spec: SampleSpec) -> int:
    first = 9001
    while first <= FIRST_NUMBER + spec.customers:
        first = (first - 1) * 10 + 1
    return first


@attrs.define
class _Run:
    """One scenario being written: the organisations, the draw, the cases so far, and the
    decks the ordinary customers take their head-office flags, second addresses and
    activity from."""

    nv: NetvisorOrganisation
    sv: SeveraOrganisation
    draw: Draw
    cases: Cases
    project_customers: list[str] = attrs.Factory(list)
    flags: Iterator[Flags] = attrs.field(factory=lambda: iter(()))
    second_address: Iterator[bool] = attrs.field(factory=lambda: iter(()))
    active: Iterator[bool] = attrs.field(factory=lambda: iter(()))

    def deal(self, addresses: int, activity: int = 0) -> None:
        """Shuffle the decks: flags and second addresses for ``addresses`` customers,
        activity for ``activity``."""
        self.flags = self.draw.deck(addresses, _FLAG_SHARES, "both")
        self.second_address = self.draw.deck(addresses, {True: _SECOND_ADDRESS_SHARE}, False)
        self.active = self.draw.deck(activity, {False: _INACTIVE_SHARE}, True)


#: Writes the customer numbered ``number`` in a role (a case label or an ordinary role).
Plant = Callable[[_Run, str, int], None]


# -- scenario a: Severa -> Netvisor ------------------------------------------------------------


def _shown(company: Company, number: int) -> dict[str, object]:
    return {"number": number, "business_id": company.business_id.ytunnus}


def _a_ordinary(run: _Run, role: str, number: int) -> None:
    """A Severa customer; unless new, Netvisor has it too, the same or an older copy."""
    draw, company = run.draw, run.draw.company()
    flags, second = next(run.flags), next(run.second_address)
    active = True if role == "severa_adopted" else next(run.active)
    guid = severa_customer(
        run.sv, draw, company, number, active=active, flags=flags, second_address=second
    )
    if active:
        run.project_customers.append(guid)
    if role == "new":
        return
    old, changed_fi, changed_en = company, "", ""
    if role != "identical":
        must = "phone" if role == "severa_adopted" else None  # always in the sync's scope
        old, changed_fi, changed_en = _drift(company, draw, must=must)
    delivery = _place(old) if flags != "billing" else None
    netvisor_customer(run.nv, old, str(number), active=active, delivery=delivery)
    if role == "severa_adopted":
        run.cases.add(
            role,
            guid,
            company.name,
            changed_fi=changed_fi,
            changed_en=changed_en,
            **_shown(company, number),
        )


def _a_overridden(run: _Run, role: str, number: int) -> None:
    """A Severa customer with one thing wrong (or inactive), as the case says."""
    draw, company = run.draw, run.draw.company()
    fields: dict[str, object] = {}  # Severa customer fields that replace the company's
    values: dict[str, object] = {}  # for the description
    if role == "severa_business_id_missing":
        fields["vatNumber"] = None
    elif role == "severa_business_id_invalid":
        digits = company.business_id.digits
        wrong = f"FI{digits[:7]}{(int(digits[7]) + 1 + draw.rng.randrange(9)) % 10}"
        fields["vatNumber"] = values["value"] = wrong
    elif role == "severa_operator_case":
        fields["eInvoiceAddress"] = draw.bank_account("NDEAFIHH")
        fields["eInvoiceOperator"] = values["value"] = "ndeafihh"
        values["expected"] = "NDEAFIHH"
    elif role == "severa_operator_unknown":
        fields["eInvoiceAddress"] = f"0037{company.business_id.digits}"
        fields["eInvoiceOperator"] = values["value"] = "OPERAATTORI OY"
    guid = severa_customer(
        run.sv,
        draw,
        company,
        number,
        active=role != "severa_inactive",
        link_head_office=role != "severa_head_office_missing",
        overrides=fields,
    )
    if role == "severa_number_missing":
        run.sv.update("customer", guid, number=None)
    run.cases.add(role, guid, company.name, **values, **_shown(company, number))


def _a_number_in_use(run: _Run, role: str, number: int) -> None:
    """A valid Severa customer whose number another company holds in Netvisor."""
    company = run.draw.company()
    guid = severa_customer(run.sv, run.draw, company, number)
    other = run.draw.company()
    netvisor_customer(run.nv, other, str(number))
    run.cases.add(
        role,
        guid,
        company.name,
        other=other.name,
        other_id=other.business_id.ytunnus,
        **_shown(company, number),
    )


_SCENARIO_A: Final[dict[str, Plant]] = {
    "severa_business_id_missing": _a_overridden,
    "severa_business_id_invalid": _a_overridden,
    "severa_head_office_missing": _a_overridden,
    "severa_number_in_use": _a_number_in_use,
    "severa_operator_case": _a_overridden,
    "severa_operator_unknown": _a_overridden,
    "severa_number_missing": _a_overridden,
    "severa_adopted": _a_ordinary,
    "severa_inactive": _a_overridden,
}


def _scenario_a(run: _Run, spec: SampleSpec) -> None:
    ordinary = _regular_roles(spec.customers, len(_SCENARIO_A))
    roles = [*_SCENARIO_A, *ordinary]
    run.draw.rng.shuffle(roles)
    run.deal(addresses=len(ordinary) + 1, activity=len(ordinary))  # + 1: the adopted one
    for index, role in enumerate(roles):
        _SCENARIO_A.get(role, _a_ordinary)(run, role, FIRST_NUMBER + index)
    for index in range(_target_only_count(spec)):
        netvisor_customer(run.nv, run.draw.company(), str(_target_only_first(spec) + index))
    run.sv.settings.next_customer_number = FIRST_NUMBER + len(roles)


# -- scenario b: Netvisor -> Severa ------------------------------------------------------------


def _b_ordinary(run: _Run, role: str, number: int) -> None:
    """A Netvisor customer; unless new, Severa has it too, the same or an older copy."""
    draw, company, code = run.draw, run.draw.company(), str(number)
    active = True if role == "netvisor_updated" else next(run.active)
    delivery = _place(company) if draw.rng.random() < 0.35 else None
    key = netvisor_customer(run.nv, company, code, active=active, delivery=delivery)
    if role == "new":
        return
    old, changed_fi, changed_en = company, "", ""
    if role != "identical":
        old, changed_fi, changed_en = _drift(company, draw)
    guid = severa_customer(run.sv, draw, old, number, active=active)
    if active:
        run.project_customers.append(guid)
    if role == "netvisor_updated":
        run.cases.add(
            role, key, company.name, code=code, changed_fi=changed_fi, changed_en=changed_en
        )


_PLANTED_CODES: Final = {
    "netvisor_code_missing": None,
    "netvisor_code_not_digits": "A-100",
    "netvisor_code_leading_zero": "0150",
}


def _b_planted(run: _Run, role: str, number: int) -> None:
    """A Netvisor customer whose code Severa cannot take, or one that is inactive."""
    company = run.draw.company()
    code = _PLANTED_CODES.get(role, str(number))
    key = netvisor_customer(run.nv, company, code, active=role != "netvisor_inactive")
    run.cases.add(role, key, company.name, code=code)


def _b_delivery_differs(run: _Run, role: str, number: int) -> None:
    """A Netvisor customer delivered to elsewhere than it is billed."""
    draw, company, code = run.draw, run.draw.company(), str(number)
    postal_code, city = draw.place()
    delivery = (draw.street(), postal_code, city)
    key = netvisor_customer(run.nv, company, code, delivery=delivery)
    shown = f"{delivery[0]}, {postal_code} {city}"
    run.cases.add(role, key, company.name, code=code, delivery=shown)


def _b_private(run: _Run, role: str, number: int) -> None:
    """A consumer: ``isprivatecustomer=1``, a fictitious personal identity code."""
    person, code = run.draw.person(), str(number)
    key = run.nv.put_customer(
        internalidentifier=code,
        externalidentifier=person.identity_code,
        name=person.name,
        isprivatecustomer="1",
        streetaddress=person.street,
        postnumber=person.postal_code,
        city=person.city,
        country="FI",
        phonenumber=person.phone,
        email=person.email,
        invoicinglanguage="FI",
    )
    run.cases.add(role, key, person.name, code=code)


_SCENARIO_B: Final[dict[str, Plant]] = {
    "netvisor_code_missing": _b_planted,
    "netvisor_code_not_digits": _b_planted,
    "netvisor_code_leading_zero": _b_planted,
    "netvisor_updated": _b_ordinary,
    "netvisor_delivery_differs": _b_delivery_differs,
    "netvisor_inactive": _b_planted,
    "netvisor_private": _b_private,
}


def _scenario_b(run: _Run, spec: SampleSpec) -> None:
    ordinary = _regular_roles(spec.customers, len(_SCENARIO_B))
    roles = [*_SCENARIO_B, *ordinary]
    run.draw.rng.shuffle(roles)
    run.deal(addresses=0, activity=len(ordinary))
    for index, role in enumerate(roles):
        _SCENARIO_B.get(role, _b_ordinary)(run, role, FIRST_NUMBER + index)
    first = _target_only_first(spec)
    run.deal(addresses=_target_only_count(spec))
    for index in range(_target_only_count(spec)):
        guid = severa_customer(
            run.sv,
            run.draw,
            run.draw.company(),
            first + index,
            flags=next(run.flags),
            second_address=next(run.second_address),
        )
        run.project_customers.append(guid)
    run.sv.settings.next_customer_number = first + _target_only_count(spec)


# -- scenario t: not transferred (TEMP) ---------------------------------------------------------


def _scenario_t(run: _Run, spec: SampleSpec) -> None:
    """Severa's customers only: Netvisor keeps just its ``TEMP`` card, which every invoice
    goes to with the real customer's name and address (rule 7). Nothing is planted: no
    customer is transferred, so none can be refused."""
    run.deal(addresses=spec.customers, activity=spec.customers)
    for index in range(spec.customers):
        active = next(run.active)
        guid = severa_customer(
            run.sv,
            run.draw,
            run.draw.company(),
            FIRST_NUMBER + index,
            active=active,
            flags=next(run.flags),
            second_address=next(run.second_address),
        )
        if active:
            run.project_customers.append(guid)
    run.sv.settings.next_customer_number = FIRST_NUMBER + spec.customers


_SCENARIOS: Final[dict[str, Callable[[_Run, SampleSpec], None]]] = {
    "a": _scenario_a,
    "b": _scenario_b,
    "t": _scenario_t,
}


# -- all ---------------------------------------------------------------------------------------


def populate_customers(
    nv: NetvisorOrganisation, sv: SeveraOrganisation, draw: Draw, cases: Cases, spec: SampleSpec
) -> CustomerResult:
    """Fill both customer registers for ``spec.scenario`` and add the TEMP customer."""
    run = _Run(nv, sv, draw, cases)
    _SCENARIOS[spec.scenario](run, spec)
    temp = nv.put_customer(
        internalidentifier="TEMP",
        name="Tilapäisasiakas",
        comment="Severasta tuotavien laskujen tilapäisasiakas",
        invoicinglanguage="FI",
    )
    if spec.scenario == "b":
        cases.add("netvisor_temp_customer", temp, "Tilapäisasiakas", code="TEMP")
    return CustomerResult(tuple(run.project_customers), temp)
