"""Deterministic demo data: one Severa organisation with customers, products, projects, units.

The same seed gives the same records and GUIDs (time stamps follow the sandbox clock). What the
data is for, beyond looking like a small Finnish company's Severa:

* ~40 customers numbered from 1001, most with a VAT number ``FI12345678`` whose check digit
  is right (:func:`silta.registers.finnish.business_id_check_digit`), some without; Finnish
  names from small word lists; each (but one) with a head-office address flagged as billing
  and/or postal address and linked as ``headquarterAddress``, a few with a second (visiting)
  address; a few inactive. About a third are e-invoiced (OVT ``0037`` + business id digits,
  an operator from :data:`silta.registers.finnish.OPERATORS`) - two with the operator written
  wrongly (``ndeafihh``, ``Maventa``) so the demo shows the sync refusing or repairing it.
  One customer has no address at all.
* ~20 products of all three ``ProductType`` values, with 25.5 %, 14 % and 0 % VAT and prices
  in euros; one without a code, one inactive.
* 6 projects with phases coded ``10``, ``20``, ``30``...; one project has two phases sharing a
  name under different codes, one phase has no code, one is nested under another; one project
  is closed.
* 5 business units under the company's root unit (one nested, one inactive).

The credentials are fixed, not random: the demo prints them and a user may keep them in a
client configuration between runs. The demo client has the scopes the sync needs; the admin
client (:data:`ADMIN_CREDENTIALS`) every scope of the document.
"""

from __future__ import annotations

import random
from typing import Final

import attrs

from silta.registers.finnish import OPERATORS, OperatorKind, business_id_check_digit

from .app import SeveraSandbox
from .auth import ALL_SCOPES, Credential
from .organisation import Organisation

__all__ = [
    "ADMIN_CREDENTIALS",
    "DEMO_CREDENTIALS",
    "DEMO_SCOPES",
    "SeveraDemoCredentials",
    "seed_demo",
]

#: What the sync needs: customers both ways, projects read, products and units (settings).
DEMO_SCOPES: Final = frozenset(
    {
        "customers:read",
        "customers:write",
        "projects:read",
        "settings:read",
        "settings:write",
        "organization:read",
    }
)


@attrs.frozen
class SeveraDemoCredentials:
    """Everything a client needs to reach the demo organisation."""

    client_id: str
    client_secret: str
    organisation_id: str
    scopes: frozenset[str]

    @property
    def scope(self) -> str:
        """The scopes as ``/v1/token`` takes them (space-separated)."""
        return " ".join(sorted(self.scopes))


DEMO_CREDENTIALS: Final = SeveraDemoCredentials(
    client_id="silta-demo-client",
    client_secret="silta-demo-secret",  # noqa: S106 - a demo credential, printed on purpose
    organisation_id="silta-demo",
    scopes=DEMO_SCOPES,
)

#: A second client of the demo organisation with every scope the document defines, for
#: someone testing their own tools against the sandbox: it may create projects, read users
#: and delete customers, which Silta's own client never needs.
ADMIN_CREDENTIALS: Final = SeveraDemoCredentials(
    client_id="silta-admin-client",
    client_secret="silta-admin-secret",  # noqa: S106 - a demo credential, printed on purpose
    organisation_id="silta-demo",
    scopes=ALL_SCOPES,
)

_STEMS: Final = (
    "Pihlaja", "Kuusi", "Mänty", "Leppä", "Haapa", "Kataja", "Tervas", "Tammi", "Vaahtera",
    "Saarni", "Kaisla", "Kielo", "Kanerva", "Puolukka", "Mustikka", "Lakka", "Sorsa", "Kurki",
    "Joutsen", "Ilves",
)  # fmt: skip
_TRADES: Final = (
    "Rakennus", "Sähkötyö", "IT-palvelut", "Konepaja", "Kuljetus", "Tilitoimisto", "Suunnittelu",
    "Kiinteistöpalvelu", "Vesihuolto", "Graafinen", "Puusepät", "Asennus",
)  # fmt: skip
_FORMS: Final = ("Oy", "Oy", "Oy", "Oy Ab", "Ky", "Tmi", "Ab")
_PLACES: Final = (
    ("Helsinki", "00"), ("Espoo", "02"), ("Tampere", "33"), ("Turku", "20"), ("Oulu", "90"),
    ("Jyväskylä", "40"), ("Lahti", "15"), ("Kuopio", "70"), ("Vaasa", "65"), ("Porvoo", "06"),
)  # fmt: skip
_STREETS: Final = (
    "Hämeenkatu", "Rautatienkatu", "Mannerheimintie", "Satamatie", "Puistokatu", "Myllykatu",
    "Tehtaankatu", "Koulutie", "Kirkkokatu", "Rantakatu",
)  # fmt: skip
_ASCII: Final = str.maketrans({"ä": "a", "ö": "o", "å": "a", " ": "", "-": ""})

# name, code, type, unit, price, VAT, category
_PRODUCTS: Final = (
    ("Konsultointi, kiinteä hinta", "KONS-01", "FixedFees", "kpl", 950.0, 25.5, "Palvelut"),
    ("Määrittelytyöpaja", "KONS-02", "FixedFees", "pv", 1200.0, 25.5, "Palvelut"),
    ("Käyttöönottopaketti", "KONS-03", "FixedFees", "kpl", 2400.0, 25.5, "Palvelut"),
    ("Koulutuspäivä", "KOUL-01", "FixedFees", "pv", 890.0, 25.5, "Palvelut"),
    ("Ylläpitosopimus, kuukausi", "YLL-01", "FixedFees", "kk", 290.0, 25.5, "Palvelut"),
    ("Tukipaketti 10 h", "TUKI-10", "FixedFees", "kpl", 850.0, 25.5, "Palvelut"),
    ("Ohjelmistolisenssi, vuosi", "LIS-01", "Materials", "kpl", 1490.0, 25.5, "Lisenssit"),
    ("Käyttäjälisenssi", "LIS-02", "Materials", "kpl", 19.9, 25.5, "Lisenssit"),
    ("Kaapeli MMJ 3x2,5, 10 m", "TARV-01", "Materials", "kpl", 24.9, 25.5, "Tarvikkeet"),
    ("Asennusputki 20 mm", "TARV-02", "Materials", "m", 1.2, 25.5, "Tarvikkeet"),
    ("Valaisin LED 18 W", "TARV-03", "Materials", "kpl", 42.0, 25.5, "Tarvikkeet"),
    ("Kytkentärasia", "TARV-04", "Materials", "kpl", 3.8, 25.5, "Tarvikkeet"),
    ("Käsikirja, painettu", "KIRJA-01", "Materials", "kpl", 39.0, 14.0, "Tarvikkeet"),
    ("Lounastarjoilu, henkilö", "TARJ-01", "Materials", "hlö", 13.5, 14.0, "Palvelut"),
    ("Alihankinta, sähkötyö", "ALI-01", "Subcontracting", "h", 68.0, 25.5, "Palvelut"),
    ("Alihankinta, asennus", "ALI-02", "Subcontracting", "h", 62.0, 25.5, "Palvelut"),
    ("Alihankinta, käännöstyö", "ALI-03", "Subcontracting", "sana", 0.18, 25.5, "Palvelut"),
    ("Matkakulut, km", "MATKA-01", "Materials", "km", 0.59, 0.0, "Palvelut"),
    ("Vanha tukipaketti", "TUKI-OLD", "FixedFees", "kpl", 700.0, 25.5, "Palvelut"),
    ("Sekalainen tarvike", None, "Materials", "kpl", 5.0, 25.5, "Tarvikkeet"),
)

# name, phases as (name, code, parent code or None)
_PROJECTS: Final = (
    ("Toiminnanohjauksen käyttöönotto", (("Määrittely", "10", None), ("Toteutus", "20", None),
                                         ("Koulutus", "30", None), ("Käyttöönotto", "40", None))),
    ("Sähköasennukset, toimitila", (("Suunnittelu", "10", None), ("Asennus", "20", None),
                                    ("Asennus", "30", None), ("Tarkastus", "40", None))),
    ("Verkkosivu-uudistus", (("Sisältö", "10", None), ("Ulkoasu", "20", None),
                             ("Luonnokset", "21", "20"), ("Julkaisu", None, None))),
    ("Ylläpito 2026", (("Tammi-kesäkuu", "10", None), ("Heinä-joulukuu", "20", None))),
    ("Kiinteistön kuntokartoitus", (("Kartoitus", "10", None), ("Raportti", "20", None))),
    ("Vanha asennusprojekti", (("Asennus", "10", None), ("Luovutus", "20", None))),
)  # fmt: skip

_UNITS: Final = (
    ("Helsinki", "HKI", None, True),
    ("Tampere", "TRE", None, True),
    ("Oulu", "OUL", None, True),
    ("Konsultointi", "KONS", "HKI", True),
    ("Vanha yksikkö", "VANHA", None, False),
)


def _business_id(rng: random.Random, used: set[str]) -> str:
    while True:
        body = f"{rng.randrange(1_000_000, 3_400_000):07d}"
        check = business_id_check_digit(body)
        if check is not None and f"{body}{check}" not in used:
            used.add(f"{body}{check}")
            return f"{body}{check}"


def _units(org: Organisation) -> dict[str, str]:
    made: dict[str, str] = {}
    for name, code, parent, active in _UNITS:
        made[code] = org.put_business_unit(
            name, code, parent_guid=made[parent] if parent else None, isActive=active
        )
    return made


def _customers(org: Organisation, rng: random.Random) -> list[str]:
    banks = [op.identifier for op in OPERATORS if op.kind is OperatorKind.BANK][:6]
    operators = [*banks, "003721291126", "003723327487"]
    finland = org.country("FI").guid
    languages = [org.language("fi").guid] * 8 + [org.language("sv").guid, org.language("en").guid]
    vat = org.vat_rate(25.5).guid
    used: set[str] = set()
    names: set[str] = set()
    made: list[str] = []
    for index in range(40):
        number = 1001 + index
        while True:
            stem, trade = rng.choice(_STEMS), rng.choice(_TRADES)
            name = f"{stem} {trade} {rng.choice(_FORMS)}"
            if name not in names:
                names.add(name)
                break
        digits = _business_id(rng, used)
        domain = stem.lower().translate(_ASCII) + trade.lower().translate(_ASCII)
        fields: dict[str, object] = {
            "email": f"laskutus@{domain}.fi",
            "website": f"https://www.{domain}.fi",
            "language": rng.choice(languages),
            "owner": org.users[index % len(org.users)].guid,
            "paymentTerm": rng.choice((14, 14, 21, 30)),
            "invoicingVat": vat,
            "isActive": index not in (7, 23, 36),
        }
        if index % 9 != 4:  # a few without a VAT number
            fields["vatNumber"] = f"FI{digits}"
        if index % 3 == 0 or index in (6, 15):
            fields["eInvoiceAddress"] = f"0037{digits}"
            fields["eInvoiceOperator"] = rng.choice(operators)
        if index == 6:
            fields["eInvoiceOperator"] = "ndeafihh"  # written wrongly: lower case
        if index == 15:
            fields["eInvoiceOperator"] = "Maventa"  # written wrongly: a name, not the code
        guid = org.put_customer(name, number, **fields)
        made.append(guid)
        if index == 39:
            continue  # the one customer without any address
        city, prefix = rng.choice(_PLACES)
        flags = rng.choice(
            ({"isBillingAddress": True, "isPostalAddress": True},
             {"isBillingAddress": True}, {"isPostalAddress": True})
        )  # fmt: skip
        head_office = org.put_address(
            guid,
            addressline=f"{rng.choice(_STREETS)} {rng.randrange(1, 60)}",
            postalCode=f"{prefix}{rng.randrange(100, 990):03d}",
            city=city,
            country=finland,
            phone=f"0{rng.randrange(9, 50)} {rng.randrange(100000, 9999999)}",
            **flags,
        )
        org.update("customer", guid, headquarterAddress=head_office)
        if index % 8 == 2:
            org.put_address(
                guid,
                addressline=f"{rng.choice(_STREETS)} {rng.randrange(1, 60)}",
                postalCode=f"{prefix}{rng.randrange(100, 990):03d}",
                city=city,
                country=finland,
                isVisitAddress=True,
            )
    return made


def _products(org: Organisation) -> None:
    categories = {item.name: item.guid for item in org.reference_items("productCategory")}
    for name, code, kind, unit, price, vat, category in _PRODUCTS:
        org.put_product(
            name,
            code,
            type=kind,
            measurementUnit=unit,
            unitPrice={"amount": price, "currencyCode": "EUR"},
            vatRate=vat,
            productCategory=categories[category],
            isActive=code != "TUKI-OLD",
        )


def _projects(org: Organisation, customers: list[str], units: dict[str, str]) -> None:
    unit_codes = ("HKI", "TRE", "KONS", "OUL", "HKI", "TRE")
    for index, (name, phases) in enumerate(_PROJECTS):
        project = org.put_project(
            name,
            customers[index * 3],
            number=101 + index,
            business_unit_guid=units[unit_codes[index]],
            isClosed=index == len(_PROJECTS) - 1,
        )
        by_code: dict[str, str] = {}
        for order, (phase, code, parent) in enumerate(phases, start=1):
            guid = org.put_phase(
                project,
                phase,
                code,
                parent_guid=by_code[parent] if parent else None,
                sortOrder=order,
            )
            if code:
                by_code[code] = guid


def seed_demo(
    sandbox: SeveraSandbox, seed: int, credentials: SeveraDemoCredentials = DEMO_CREDENTIALS
) -> SeveraDemoCredentials:
    """Create the demo organisation and credential in ``sandbox``; returns the credential."""
    rng = random.Random(f"severa-demo:{seed}")
    org = sandbox.add_organisation("Silta Demo Oy", credentials.organisation_id)
    for credential in (credentials, ADMIN_CREDENTIALS):
        sandbox.add_credential(
            Credential(
                client_id=credential.client_id,
                client_secret=credential.client_secret,
                organisation=org.id,
                scopes=credential.scopes,
            )
        )
    units = _units(org)
    customers = _customers(org, rng)
    _products(org)
    _projects(org, customers, units)
    org.settings.next_customer_number = 1041
    org.settings.next_project_number = 107
    return attrs.evolve(credentials, organisation_id=org.id)
