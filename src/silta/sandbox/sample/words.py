"""The word lists and catalogues the sample is drawn from, as data.

Faker's ``fi_FI`` locale gives surnames, first names, street-name stems, postal codes and
municipalities; what it lacks for a believable Finnish customer register is here: trades and
legal forms of company names, e-mail boxes, notes an accountant writes on a customer card, a
product catalogue with units, prices and VAT rates, project types with their phases, and
business units with their codes.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

import attrs

# -- company names ---------------------------------------------------------------------------

#: Trades written after a surname: "Virtanen Rakennus Oy".
TRADES: Final = (
    "Rakennus", "Sähkö", "Kuljetus", "Konsultointi", "Puutarha", "Kiinteistöhuolto",
    "Putkityö", "Ohjelmistot", "Maalaus", "Siivous", "Metalli", "Logistiikka", "Catering",
    "Konepaja", "Suunnittelu", "Energia", "Asennus", "Kone", "Media", "Vesihuolto",
)  # fmt: skip

#: Trade words written before a surname: "Rakennusliike Virtanen Oy".
TRADE_PREFIXES: Final = (
    "Rakennusliike", "Sähköliike", "Kuljetusliike", "Tilitoimisto", "Insinööritoimisto",
    "Arkkitehtitoimisto", "Maalausliike", "Putkiliike", "Autokorjaamo", "Lakiasiaintoimisto",
    "Mainostoimisto", "Kattoliike", "Konepaja", "Kiinteistöhuolto",
)  # fmt: skip

#: Nominative stems that take a suffix: "Kallio" + "tek" = "Kalliotek Oy".
STEMS: Final = (
    "Kallio", "Koivu", "Järvi", "Aalto", "Kivi", "Meri", "Salmi", "Kuusi", "Tunturi", "Revon",
    "Honka", "Kataja", "Tammi", "Pihlaja", "Ilves", "Kotka", "Sampo", "Ahjo", "Virta", "Louhi",
)  # fmt: skip
STEM_SUFFIXES: Final = (
    "tek", "soft", "data", "talo", "rakenne", "logistiikka", "energia", "metalli", "puu",
    "kone", "media", "paja", "valo", "verkko",
)  # fmt: skip

#: Regions in the genitive, followed by a trade: "Saimaan Sähkö Oy".
REGIONS: Final = (
    "Saimaan", "Lapin", "Hämeen", "Pohjolan", "Kymen", "Karjalan", "Pirkan", "Savon",
    "Uudenmaan", "Kainuun", "Satakunnan", "Pohjanmaan",
)  # fmt: skip

#: Legal forms and how often each appears (weights), for the patterns that take any form.
FORMS: Final = (("Oy", 72), ("Ky", 12), ("Oy Ab", 5), ("Oyj", 3), ("Ab", 2), ("Osuuskunta", 1))

#: Words of a name that are its legal form, left out of its web domain.
FORM_WORDS: Final = frozenset({"oy", "oyj", "ky", "ab", "tmi", "osuuskunta"})

# -- contact details -------------------------------------------------------------------------

STREET_SUFFIXES: Final = (("tie", 35), ("katu", 35), ("kuja", 14), ("polku", 8), ("kaari", 5))
#: Mobile and landline prefixes written after 0 or +358.
PHONE_AREAS: Final = ("9", "2", "3", "5", "6", "8", "13", "14", "17", "40", "44", "45", "50")
MAILBOXES: Final = ("info", "toimisto", "asiakaspalvelu", "laskutus", "myynti")

#: Notes written on a customer card (Severa "Notes" = Netvisor "Comment").
NOTES: Final = (
    "Laskuihin aina tilausnumero.",
    "Maksuaika 30 pv puitesopimuksen mukaan.",
    "Vain verkkolaskut, ei paperilaskuja.",
    "Kehysasiakas, hinnat vuosisopimuksen mukaan.",
    "Yhteyshenkilö vaihtunut, tarkista ennen laskutusta.",
    "Laskutus kuukausittain kuun lopussa.",
    "Ostotilaukset tulevat hankintapalvelun kautta.",
)

# -- products --------------------------------------------------------------------------------

_VAT: Final = Decimal("25.5")


@attrs.frozen
class ProductFamily:
    """Products that share a code prefix, a unit, a price range, a VAT rate and a group.

    Attributes:
        prefix: the product code prefix (``KONS`` → ``KONS-001``).
        names: base names; a product's name is a base name and a variant.
        variants: written after the base name (``""`` = the base name alone).
        unit: the unit of measure.
        price: the lowest and highest net unit price.
        vat: the VAT percentage.
        group: the Netvisor product group and Severa product category.
        kind: the Severa ``ProductType``.
        cost: the purchase price as a share of the price (``None`` = no purchase price).
    """

    prefix: str
    names: tuple[str, ...]
    variants: tuple[str, ...]
    unit: str
    price: tuple[Decimal, Decimal]
    vat: Decimal
    group: str
    kind: str
    cost: Decimal | None


def _family(
    prefix: str,
    names: tuple[str, ...],
    variants: tuple[str, ...],
    unit: str,
    price: tuple[str, str],
    vat: Decimal,
    group: str,
    kind: str,
    cost: str | None,
) -> ProductFamily:
    low, high = price
    return ProductFamily(
        prefix,
        names,
        variants,
        unit,
        (Decimal(low), Decimal(high)),
        vat,
        group,
        kind,
        None if cost is None else Decimal(cost),
    )


#: The catalogue of a small Finnish service company that also sells materials. The groups
#: are the Severa sandbox's product categories (Palvelut, Tarvikkeet, Lisenssit).
PRODUCT_FAMILIES: Final = (
    _family("KONS", ("Konsultointi", "Asiantuntijatyö", "Projektinhallinta", "Määrittelytyö",
                     "Testaus", "Dokumentointi", "Tietoturvakartoitus", "Arkkitehtuurityö"),
            ("", ", ilta- ja viikonlopputyö", ", etätyö"), "h", ("85", "165"), _VAT,
            "Palvelut", "FixedFees", "0.45"),
    _family("ASEN", ("Asennustyö", "Huoltotyö", "Sähkötyö", "Putkityö", "Päivystystyö",
                     "Vianetsintä"),
            ("", ", ilta- ja viikonlopputyö", ", kiireellinen"), "h", ("55", "98"), _VAT,
            "Palvelut", "FixedFees", "0.55"),
    _family("KOUL", ("Koulutuspäivä", "Työpaja", "Käyttäjäkoulutus", "Pääkäyttäjäkoulutus"),
            ("", ", etänä", ", asiakkaan tiloissa"), "pv", ("590", "1490"), _VAT,
            "Palvelut", "FixedFees", "0.40"),
    _family("YLL", ("Ylläpitosopimus", "Tukipalvelu", "Valvontapalvelu",
                    "Varmuuskopiointipalvelu", "Pilvipalvelu"),
            (", perus", ", laajennettu", ", premium"), "kk", ("49", "890"), _VAT,
            "Palvelut", "FixedFees", None),
    _family("TARV", ("Kaapeli MMJ 3x1,5S", "Kaapeli MMJ 3x2,5S", "Asennusputki 20 mm",
                     "Jatkojohto", "Maakaapeli AXMK 4x16"),
            (", 10 m", ", 25 m", ", 50 m", ", 100 m"), "kpl", ("9", "240"), _VAT,
            "Tarvikkeet", "Materials", "0.60"),
    _family("VAL", ("Valaisin LED", "Alasvalo LED", "Paneelivalaisin LED", "Ulkovalaisin LED"),
            (" 9 W", " 18 W", " 24 W", " 36 W"), "kpl", ("18", "260"), _VAT,
            "Tarvikkeet", "Materials", "0.55"),
    _family("KOMP", ("Pistorasia, kaksoiskehys", "Kytkentärasia", "Johdonsuojakatkaisija",
                     "Vikavirtasuoja", "Sulakerasia", "Ruuvilajitelma", "Johtoliitin"),
            ("", ", valkoinen", ", harmaa"), "kpl", ("3", "85"), _VAT,
            "Tarvikkeet", "Materials", "0.60"),
    _family("LIS", ("Ohjelmistolisenssi", "Käyttäjälisenssi", "Palvelinlisenssi",
                    "Mobiililisenssi"),
            (", vuosi", ", kuukausi", ", pysyvä"), "kpl", ("15", "1490"), _VAT,
            "Lisenssit", "Materials", "0.70"),
    _family("KIRJA", ("Käsikirja", "Asennusopas", "Koulutusmateriaali", "Standardikokoelma"),
            (", painettu", ", e-kirja"), "kpl", ("19", "89"), Decimal(14),
            "Tarvikkeet", "Materials", "0.50"),
    _family("TARJ", ("Lounastarjoilu", "Kahvitarjoilu", "Iltapäivätarjoilu"),
            (", henkilö",), "kpl", ("4.5", "24"), Decimal("13.5"),
            "Palvelut", "Materials", "0.65"),
    _family("LEHTI", ("Ammattilehden vuositilaus", "Uutiskirjeen vuositilaus"),
            ("", ", digi"), "kpl", ("49", "189"), Decimal(10),
            "Tarvikkeet", "Materials", "0.80"),
    _family("ALI", ("Alihankinta, sähkötyö", "Alihankinta, asennus", "Alihankinta, ohjelmointi",
                    "Alihankinta, käännöstyö"),
            ("", ", ilta-aika"), "h", ("48", "110"), _VAT,
            "Palvelut", "Subcontracting", "0.80"),
    _family("MATKA", ("Kilometrikorvaus", "Kilometrikorvaus, peräkärry"),
            ("",), "km", ("0.09", "0.59"), Decimal(0),
            "Palvelut", "Materials", None),
    _family("PR", ("Päiväraha, kotimaa", "Osapäiväraha, kotimaa"),
            ("",), "pv", ("24", "53"), Decimal(0),
            "Palvelut", "Materials", None),
)  # fmt: skip

# -- projects, phases, business units --------------------------------------------------------

#: Project types and the phases such a project is worked in, in order.
PROJECT_TYPES: Final = (
    ("Toiminnanohjauksen käyttöönotto",
     ("Määrittely", "Toteutus", "Testaus", "Koulutus", "Käyttöönotto", "Jälkituki")),
    ("Verkkosivu-uudistus", ("Sisältösuunnittelu", "Ulkoasu", "Toteutus", "Julkaisu")),
    ("Sähköasennukset", ("Suunnittelu", "Asennus", "Tarkastus", "Luovutus")),
    ("Kiinteistön kuntokartoitus", ("Kartoitus", "Raportointi", "Korjaussuunnitelma")),
    ("Valaistusuudistus", ("Kartoitus", "Suunnittelu", "Asennus", "Käyttöönotto")),
    ("Tietoturva-auditointi", ("Aloitus", "Haastattelut", "Tekninen testaus", "Raportti")),
    ("Pilvisiirto", ("Esiselvitys", "Suunnittelu", "Siirto", "Testaus", "Käyttöönotto")),
    ("Toimitilamuutos", ("Suunnittelu", "Purku", "Rakentaminen", "Asennus", "Luovutus")),
    ("Ylläpito ja tuki", ("Tammi-kesäkuu", "Heinä-joulukuu")),
    ("Raportointijärjestelmä", ("Määrittely", "Tietovarasto", "Raportit", "Koulutus")),
)  # fmt: skip

#: Phases added when a project needs more than its type lists.
EXTRA_PHASES: Final = ("Lisätyöt", "Projektinhallinta", "Dokumentointi", "Takuutyöt")

#: Regional business units and their codes, then the departments a region may have.
REGION_UNITS: Final = (
    ("Helsinki", "HKI"), ("Tampere", "TRE"), ("Turku", "TKU"), ("Oulu", "OUL"),
    ("Jyväskylä", "JKL"), ("Kuopio", "KUO"), ("Lahti", "LHT"), ("Vaasa", "VAA"),
    ("Pori", "POR"), ("Joensuu", "JNS"), ("Lappeenranta", "LPR"), ("Seinäjoki", "SJK"),
    ("Rovaniemi", "RVN"), ("Hämeenlinna", "HML"), ("Kotka", "KTK"), ("Mikkeli", "MLI"),
    ("Kokkola", "KOK"), ("Kajaani", "KAJ"), ("Porvoo", "PRV"), ("Salo", "SAL"),
)  # fmt: skip
DEPARTMENT_UNITS: Final = (
    ("Konsultointi", "KONS"), ("Asennus", "ASEN"), ("Ylläpito", "YLL"), ("Myynti", "MYY"),
    ("Hallinto", "HALL"),
)  # fmt: skip

#: Netvisor dimension headers: the two the sync fills, and one of the company's own that
#: the sync must leave alone.
PROJECT_HEADER: Final = "Projekti"
BUSINESS_UNIT_HEADER: Final = "Liiketoimintayksikkö"
OTHER_HEADER: Final = ("Kustannuspaikka", ("Hallinto", "Myynti", "Tuotanto"))

#: A Netvisor product name of 101-200 characters: Netvisor holds it, Severa's import takes at
#: most 100 (rule 10).
LONG_NETVISOR_NAME: Final = (
    "Kattava ylläpito- ja tukipalvelusopimus: etävalvonta, ohjelmistopäivitykset, "
    "varmuuskopiointi sekä puhelin- ja sähköpostituki arkisin klo 8-16"
)
#: A Severa product name of more than 200 characters, Netvisor's limit.
LONG_SEVERA_NAME: Final = (
    "Toimitilan sähkö- ja valaistusjärjestelmän kokonaisurakka: purkutyöt, uusien "
    "ryhmäkeskusten asennus, kaapeloinnit, LED-valaisimet ohjausjärjestelmineen, "
    "käyttöönottotarkastus, dokumentointi ja luovutus sekä kahden vuoden takuuhuolto"
)
