"""Deterministic demo data: one integration, organisation 1967543-8, customers, products,
dimensions. The same seed gives the same data, byte for byte.

What the data is for, beyond looking like a small Finnish company's registers:

* ~40 company customers with valid business ids (check digit from
  :func:`silta.registers.finnish.business_id_check_digit`), Finnish-looking names from small
  word lists, 5-digit postal codes matching their city; about a third with an e-invoice address
  (OVT ``0037`` + business id digits) and an operator from
  :data:`silta.registers.finnish.OPERATORS`; two inactive; two private persons.
* A customer with code ``TEMP`` (the article's temporary customer), and one whose code starts
  with zero (``0150``) so the demo shows the Netvisor → Severa refusal of such codes.
* ~25 products in three groups with 25,5 %, 14 % and 0 % VAT, some priced gross, one inactive;
  ``TEMP`` (temporary product); one without a code and one with a name over 100 characters (both
  refused by the Netvisor → Severa rules, so the demo shows why).
* Dimension headers "Projekti" and "Liiketoimintayksikkö" with a few items, one child item and
  one hidden item.

The credentials are fixed, not random: the demo prints them, and a user may keep them in a
client configuration between runs.
"""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Final

import attrs

from silta.registers.finnish import OPERATORS, OperatorKind, business_id_check_digit

from .app import NetvisorSandbox
from .auth import Integration
from .organisation import Organisation

__all__ = ["DEMO_CREDENTIALS", "DemoCredentials", "seed_demo"]


@attrs.frozen
class DemoCredentials:
    """Everything a client needs to talk to the demo organisation."""

    sender: str
    customer_id: str
    customer_key: str
    partner_id: str
    partner_key: str
    organisation_id: str


DEMO_CREDENTIALS: Final = DemoCredentials(
    sender="Silta demo",
    customer_id="SILTA_DEMO_USER",
    customer_key="silta-demo-customer-key",
    partner_id="SILTA_DEMO_PARTNER",
    partner_key="silta-demo-partner-key",
    organisation_id="1967543-8",
)

_STEMS: Final = (
    "Koivu", "Järvi", "Metsä", "Kallio", "Ranta", "Lahti", "Vuori", "Salo", "Niemi", "Kivi",
    "Aalto", "Laakso", "Mäki", "Harju", "Kangas", "Pelto", "Saari", "Lehto", "Honka", "Tammi",
)  # fmt: skip
_TRADES: Final = (
    "Rakennus", "Kuljetus", "Sähkö", "Konsultointi", "Puutarha", "Kiinteistöhuolto",
    "Tilitoimisto", "Putkityö", "Ohjelmisto", "Maalaus", "Siivous", "Metalli", "Logistiikka",
    "Arkkitehdit", "Catering",
)  # fmt: skip
_FORMS: Final = ("Oy", "Oy", "Oy", "Oy Ab", "Ky", "Tmi", "Osuuskunta")
_CITIES: Final = (
    ("Helsinki", "00"), ("Espoo", "02"), ("Vantaa", "01"), ("Tampere", "33"), ("Turku", "20"),
    ("Oulu", "90"), ("Jyväskylä", "40"), ("Kuopio", "70"), ("Lahti", "15"), ("Pori", "28"),
    ("Joensuu", "80"), ("Vaasa", "65"),
)  # fmt: skip
_STREETS: Final = (
    "Kauppakatu", "Rantatie", "Koulukatu", "Teollisuustie", "Asemakatu", "Puistotie",
    "Myllytie", "Satamakatu", "Kirkkokatu", "Tehtaankatu",
)  # fmt: skip
_AREAS: Final = ("40", "50", "9", "3")
_PEOPLE: Final = (("Virtanen", "Matti"), ("Korhonen", "Aino"))
_ASCII: Final = str.maketrans({"ä": "a", "ö": "o", "å": "a", " ": ""})

_VAT: Final = Decimal("25.5")
_VAT_FOOD_BOOKS: Final = Decimal(14)
_PRODUCTS: Final = (
    # name, unit, price, VAT, group, price type
    ("Konsultointi, tunti", "h", "120", _VAT, "Palvelut", "net"),
    ("Asennustyö, tunti", "h", "68", _VAT, "Palvelut", "net"),
    ("Projektinhallinta, tunti", "h", "95", _VAT, "Palvelut", "net"),
    ("Suunnittelu, tunti", "h", "105", _VAT, "Palvelut", "net"),
    ("Koulutuspäivä", "pv", "950", _VAT, "Palvelut", "net"),
    ("Tukipalvelu, kuukausimaksu", "kk", "290", _VAT, "Palvelut", "net"),
    ("Ylläpito, kuukausimaksu", "kk", "149", _VAT, "Palvelut", "gross"),
    ("Etätuki, alkava 15 min", "kpl", "25", _VAT, "Palvelut", "gross"),
    ("Matkakulut, km", "km", "0,59", Decimal(0), "Palvelut", "net"),
    ("Päiväraha, koko päivä", "pv", "53", Decimal(0), "Palvelut", "net"),
    ("Kaapeli MMJ 3x2,5S, 10 m", "kpl", "24,90", _VAT, "Tarvikkeet", "gross"),
    ("Pistorasia, kaksoiskehys", "kpl", "12,50", _VAT, "Tarvikkeet", "net"),
    ("Asennusputki 20 mm", "m", "1,20", _VAT, "Tarvikkeet", "net"),
    ("Johtoliitin 2,5 mm², 100 kpl", "pkt", "15", _VAT, "Tarvikkeet", "net"),
    ("Kytkentärasia", "kpl", "3,80", _VAT, "Tarvikkeet", "net"),
    ("Valaisin LED 18 W", "kpl", "42", _VAT, "Tarvikkeet", "net"),
    ("Jatkojohto 5 m", "kpl", "16,90", _VAT, "Tarvikkeet", "gross"),
    ("Ruuvilajitelma", "pkt", "9,50", _VAT, "Tarvikkeet", "net"),
    ("Käsikirja, painettu", "kpl", "39", _VAT_FOOD_BOOKS, "Kirjat ja tarjoilu", "net"),
    ("Asennusopas, e-kirja", "kpl", "19", _VAT_FOOD_BOOKS, "Kirjat ja tarjoilu", "net"),
    ("Lounastarjoilu, henkilö", "hlö", "13,50", _VAT_FOOD_BOOKS, "Kirjat ja tarjoilu", "net"),
    ("Kahvitarjoilu, henkilö", "hlö", "4,50", _VAT_FOOD_BOOKS, "Kirjat ja tarjoilu", "gross"),
)


def _business_id(rng: random.Random, used: set[str]) -> str:
    while True:
        body = f"{rng.randrange(1_000_000, 3_400_000):07d}"
        check = business_id_check_digit(body)
        business_id = f"{body}-{check}"
        if check is not None and business_id not in used:
            used.add(business_id)
            return business_id


def _company_name(rng: random.Random, used: set[str]) -> str:
    while True:
        if rng.random() < 0.1:
            first, second = rng.sample(_STEMS, 2)
            name = f"{first} & {second} {rng.choice(('Ky', 'Oy'))}"
        else:
            name = f"{rng.choice(_STEMS)} {rng.choice(_TRADES)} {rng.choice(_FORMS)}"
        if name not in used:
            used.add(name)
            return name


def _address(rng: random.Random) -> dict[str, str]:
    city, prefix = rng.choice(_CITIES)
    return {
        "streetaddress": f"{rng.choice(_STREETS)} {rng.randrange(1, 60)}",
        "city": city,
        "postnumber": f"{prefix}{rng.randrange(100, 990):03d}",
        "country": "FI",
    }


def _customers(organisation: Organisation, rng: random.Random) -> None:
    operators = [
        op for op in OPERATORS if op.kind is OperatorKind.OPERATOR and op.identifier != "PEPPOL"
    ]
    used_ids: set[str] = {DEMO_CREDENTIALS.organisation_id}
    used_names: set[str] = set()
    inactive = {7, 23}
    for number in range(1, 41):
        name = _company_name(rng, used_names)
        business_id = _business_id(rng, used_ids)
        domain = "".join(name.split()[:2]).lower().translate(_ASCII).replace("&", "") + ".fi"
        elements = {
            "internalidentifier": str(100 + number),
            "externalidentifier": business_id,
            "name": name,
            **_address(rng),
            "phonenumber": f"+358 {rng.choice(_AREAS)} {rng.randrange(100_0000, 999_9999)}",
            "email": f"info@{domain}",
            "homepageuri": f"www.{domain}",
            "isactive": "0" if number in inactive else "1",
            "isprivatecustomer": "0",
            "invoicinglanguage": "FI",
        }
        if number % 3 == 0:
            elements["finvoiceaddress"] = "0037" + business_id.replace("-", "")
            elements["finvoiceroutercode"] = rng.choice(operators).identifier
        else:
            elements["emailinvoicingaddress"] = f"laskut@{domain}"
        if number % 5 == 0:
            elements.update(
                deliveryname=f"{name} / varasto",
                deliverystreetaddress=f"Varastotie {rng.randrange(1, 30)}",
                deliverycity=elements["city"],
                deliverypostnumber=elements["postnumber"],
                deliverycountry="FI",
            )
        organisation.put_customer(**elements)
    for offset, (last, first) in enumerate(_PEOPLE, start=1):
        organisation.put_customer(
            internalidentifier=str(140 + offset),
            name=f"{last} {first}",
            isprivatecustomer="1",
            email=f"{first.lower()}.{last.lower()}@example.fi",
            **_address(rng),
        )
    organisation.put_customer(
        internalidentifier="0150",
        externalidentifier=_business_id(rng, used_ids),
        name="Nollakoodi Testi Oy",
        comment="Asiakaskoodi alkaa nollalla: ei siirry Severaan",
        **_address(rng),
    )
    organisation.put_customer(
        internalidentifier="TEMP",
        name="Tilapäisasiakas",
        comment="Severasta tuotavien laskujen tilapäisasiakas",
    )


def _products(organisation: Organisation) -> None:
    for number, (name, unit, price, vat, group, price_type) in enumerate(_PRODUCTS, start=1):
        organisation.put_product(
            productcode=f"P-{number:03d}",
            name=name,
            unit=unit,
            productgroup=group,
            unitprice=price,
            unitprice_type=price_type,
            defaultvatpercentage=vat,
            isactive="0" if number == 17 else "1",
        )
    organisation.put_product(
        name="Erikoisvalmisteinen asennuskehikko",
        description="Tuotteella ei ole tuotekoodia: ei siirry Severaan",
        productgroup="Tarvikkeet",
        unit="kpl",
        unitprice="180",
        defaultvatpercentage=_VAT,
    )
    organisation.put_product(
        productcode="P-LONG",
        name="Kattava ylläpito- ja tukipalvelusopimus, sisältää etävalvonnan, päivitykset, "
        "varmuuskopioinnin ja puhelintuen arkisin",
        productgroup="Palvelut",
        unit="kk",
        unitprice="590",
        defaultvatpercentage=_VAT,
    )
    organisation.put_product(
        productcode="TEMP",
        name="Tilapäistuote",
        productgroup="Palvelut",
        unit="kpl",
        unitprice="0",
        defaultvatpercentage=_VAT,
    )


def _dimensions(organisation: Organisation) -> None:
    projects = organisation.put_dimension_header("Projekti")
    website = organisation.put_dimension_item(projects, "P-100 Verkkosivu-uudistus")
    organisation.put_dimension_item(projects, "Suunnittelu", father_id=website)
    organisation.put_dimension_item(projects, "P-101 Toimitilamuutos")
    organisation.put_dimension_item(projects, "P-102 ERP-käyttöönotto")
    organisation.put_dimension_item(projects, "P-099 Päättynyt projekti", hidden=True)
    units = organisation.put_dimension_header("Liiketoimintayksikkö")
    for name in ("Helsinki", "Tampere", "Oulu"):
        organisation.put_dimension_item(units, name)


def seed_demo(sandbox: NetvisorSandbox, seed: int) -> DemoCredentials:
    """Register the demo integration in ``sandbox`` and fill its organisation from ``seed``."""
    credentials = DEMO_CREDENTIALS
    sandbox.add_integration(
        Integration(
            partner_id=credentials.partner_id,
            partner_key=credentials.partner_key,
            customer_id=credentials.customer_id,
            customer_key=credentials.customer_key,
            organisation_ids=(credentials.organisation_id,),
        )
    )
    organisation = sandbox.organisation(credentials.organisation_id)
    rng = random.Random(seed)
    _customers(organisation, rng)
    _products(organisation)
    _dimensions(organisation)
    return credentials
