"""Travel and expense management of one organisation: employees, expense types (ratios) and
the travel invoices tripexpense.nv imports (``shared/reference/invoices.md`` §1.3, §2.4).

``org.travel`` holds them. The request is validated against ``dtd/tripexpense.dtd`` (Silta's
reconstruction, see its header), then by the rules below; everything is checked before
anything is stored, so a refused import changes nothing.

Rules (settled; [INFERRED] where the reference does not say):

* **Employees** are found by ``employeeidentifier``: ``type="number"`` the employee number,
  ``type="finnishpersonalidentifier"`` the personal identity code (any letter case). An
  employee the organisation does not have is ``INVALID_DATA`` naming the identifier. An
  employee whose employment has ended is still found: travel is often invoiced late.
* **Expense types** (``ratio type="name"``) are found by their name **in the interface
  language** of the request (``X-Netvisor-Interface-Language``: FI the Finnish name, EN the
  English, SE the Swedish); a name of another language is not found (§5.13: "ratio name per
  interface language"). Every organisation starts with a list of common types
  (:data:`DEFAULT_RATIOS`, the sandbox's own - Netvisor's defaults are not documented).
* **Line status** (``linestatus``) is one of OPEN, CONFIRMED, CONTENTSUPERVISORED, ACCEPTED,
  PAID (Visma's sample), any letter case; without it a line is OPEN [INFERRED].
  Non-reimbursable lines go as PAID (§1.3).
* **Values**: amounts, kilometres and prices are numbers with a decimal comma or point and not
  negative; a VAT percentage is one of the Finnish rates (0, 10, 13,5, 14, 24, 25,5); the
  currency, when given, is a three-letter code; a custom line's end date is not before its
  begin date, a daily allowance's return not before its departure (a date, or a date and a
  time ``yyyy-MM-dd HH:mm`` or ``yyyy-MM-ddTHH:mm:ss`` [INFERRED]); ``traveltype`` and
  ``compensationtype`` are the reference's values; ``passengeramount`` is a whole number.
  A travel or daily line without ``unitprice`` takes the tax authority's rate in Netvisor;
  the sandbox keeps no rates, so its sum is unknown (``None``).
* **Customers** (``customeridentifier``) must exist: ``netvisor`` a key, ``customer`` a code.
* **Dimensions are strict**, as on sales invoices: the header and the item must exist; an item
  is found by name under its header, under the item ``fatherid`` names when given; a name
  several items carry without a ``fatherid`` is ambiguous. One item per header on a line.
  Nothing is created (Silta creates missing items with dimensionitem.nv first).
* **Attachments** (§1.3): a file name of at most 100 characters (``INVALID_DATA_SIZE``), data
  in base64, and at most 4 MB in all the attachments of one travel invoice
  (``INVALID_DATA_SIZE``); "4 MB" is read as 4,000,000 bytes, the stricter reading
  (``org.travel.attachment_limit`` takes the other, 4 x 1024 x 1024, for a test that wants it).
* At least one line; the header text is required.

The answer to an import is ``Replies/InsertedDataIdentifier`` with the new travel invoice's
key, as Netvisor's other imports answer (the reference lists the answer as not found).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Final, Literal

import attrs
from lxml import etree

from .customers import CustomerStore
from .dimensions import DimensionLink, DimensionStore
from .errors import invalid_data, invalid_size
from .values import Clock, parse_date, parse_decimal, parse_key
from .xmlio import children, find, text_of

__all__ = [
    "ATTACHMENT_LIMIT",
    "COMPENSATION_TYPES",
    "DEFAULT_RATIOS",
    "FILE_NAME_LIMIT",
    "LINE_STATUSES",
    "TRAVEL_TYPES",
    "Employee",
    "Ratio",
    "Travel",
    "TripAttachment",
    "TripExpense",
    "TripExpenseLine",
]

FIRST_EMPLOYEE_KEY: Final = 50
FIRST_RATIO_KEY: Final = 20
FIRST_TRIP_KEY: Final = 800

#: At most this many bytes of attachments on one travel invoice (4 MB, the stricter reading).
ATTACHMENT_LIMIT: Final = 4_000_000
#: An attachment's file name is at most this long.
FILE_NAME_LIMIT: Final = 100

LineKind = Literal["custom", "travel", "daily"]
LINE_STATUSES: Final = ("OPEN", "CONFIRMED", "CONTENTSUPERVISORED", "ACCEPTED", "PAID")
TRAVEL_TYPES: Final = (
    "car", "car_with_trailer", "car_with_caravan", "car_with_heavy_cargo",
    "car_with_big_machinery", "car_with_dog", "car_travel_in_rough_terrain",
    "motorboat_max_50hp", "motorboat_over_50hp", "snowmobile", "atv", "motorbike", "moped",
    "other", "carbenefit",
)  # fmt: skip
COMPENSATION_TYPES: Final = ("domesticfull", "domestichalf", "foreign")
_RATES: Final = frozenset(Decimal(x) for x in ("0", "10", "13.5", "14", "24", "25.5"))
_LANGUAGES: Final = {"FI": "fi", "EN": "en", "SE": "sv"}

#: The expense types an organisation starts with: (Finnish, English, Swedish) names.
DEFAULT_RATIOS: Final = (
    ("Majoitus", "Accommodation", "Logi"),
    ("Taksi", "Taxi", "Taxi"),
    ("Julkinen liikenne", "Public transport", "Kollektivtrafik"),
    ("Lentoliput", "Flight tickets", "Flygbiljetter"),
    ("Pysäköinti", "Parking", "Parkering"),
    ("Polttoaine", "Fuel", "Bränsle"),
    ("Edustus", "Entertainment", "Representation"),
    ("Muut matkakulut", "Other travel expenses", "Övriga resekostnader"),
)


@attrs.frozen
class Employee:
    """An employee of Netvisor's HRM."""

    key: int
    number: str
    first_name: str
    last_name: str
    personal_id: str = ""
    active: bool = True
    payroll_service: bool = True
    resource_management: bool = True

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@attrs.frozen
class Ratio:
    """An expense type of travel invoices' custom lines, named in each language."""

    key: int
    names: Mapping[str, str]  # "fi", "en", "sv" -> name


@attrs.frozen
class TripAttachment:
    """An attachment as imported (its data is kept: tests compare it)."""

    file_name: str
    mime_type: str
    description: str
    data: bytes


@attrs.frozen
class TripExpenseLine:
    """One imported line.

    Attributes:
        kind: ``custom`` (other expenses), ``travel`` (mileage) or ``daily`` (allowance).
        employee: the employee's key.
        quantity: the amount of a custom or daily line, the kilometres of a travel line.
        unit_price: the price per unit, or ``None`` (Netvisor's own rate).
        type_name: the expense type (custom), travel type (travel) or compensation type.
        begin, end: the line's dates (travel: the day twice; daily: departure and return).
    """

    kind: LineKind
    employee: int
    quantity: Decimal
    unit_price: Decimal | None
    type_name: str
    description: str
    begin: datetime | date
    end: datetime | date
    status: str
    ratio: int | None = None
    vat_percent: Decimal | None = None
    currency: str = "EUR"
    passengers: int = 0
    route: str = ""
    customer: int | None = None
    account: str = ""
    dimensions: tuple[DimensionLink, ...] = ()
    attachments: tuple[TripAttachment, ...] = ()

    @property
    def total(self) -> Decimal | None:
        """Quantity x unit price, or ``None`` when Netvisor's own rate applies."""
        return None if self.unit_price is None else self.quantity * self.unit_price

    def as_json(self) -> dict[str, object]:
        """The line as JSON (the control API)."""
        return {
            "kind": self.kind,
            "employee": self.employee,
            "type": self.type_name,
            "quantity": str(self.quantity),
            "unit_price": None if self.unit_price is None else str(self.unit_price),
            "vat_percent": None if self.vat_percent is None else str(self.vat_percent),
            "description": self.description,
            "begin": self.begin.isoformat(),
            "end": self.end.isoformat(),
            "status": self.status,
            "dimensions": {link.header_name: link.item_name for link in self.dimensions},
            "attachments": [
                {"file_name": a.file_name, "mime_type": a.mime_type, "size": len(a.data)}
                for a in self.attachments
            ],
        }


@attrs.frozen
class TripExpense:
    """One imported travel invoice."""

    key: int
    header: str
    description: str
    lines: tuple[TripExpenseLine, ...]
    created_at: datetime
    language: str

    def as_json(self) -> dict[str, object]:
        """The travel invoice as JSON (the control API)."""
        return {
            "key": self.key,
            "header": self.header,
            "description": self.description,
            "language": self.language,
            "created_at": self.created_at.isoformat(),
            "lines": [line.as_json() for line in self.lines],
        }


class Travel:
    """Employees, expense types and imported travel invoices of one organisation.

    ``put_employee`` and ``put_ratio`` are test-setup helpers (a company's HRM has them before
    Silta); they refuse a duplicate employee number or expense-type name with
    :class:`ValueError`.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        # Whether Netvisor's "4 MB" is 4,000,000 or 4 x 1024 x 1024 bytes is not known: the
        # stricter by default; a test may take the other reading.
        self.attachment_limit = ATTACHMENT_LIMIT
        self._employees: dict[int, Employee] = {}
        self._ratios: dict[int, Ratio] = {}
        self._trips: dict[int, TripExpense] = {}
        self._next = {"employee": FIRST_EMPLOYEE_KEY, "ratio": FIRST_RATIO_KEY,
                      "trip": FIRST_TRIP_KEY}  # fmt: skip
        for fi, en, sv in DEFAULT_RATIOS:
            self.put_ratio(fi, en, sv)

    def _allocate(self, what: str) -> int:
        key = self._next[what]
        self._next[what] = key + 1
        return key

    # -- employees -------------------------------------------------------------------------

    def put_employee(
        self,
        number: str | int,
        first_name: str,
        last_name: str,
        *,
        personal_id: str = "",
        active: bool = True,
    ) -> int:
        """Add an employee with an employee number; returns the employee's key."""
        text = str(number).strip()
        if not text.isdigit():
            raise ValueError(f"an employee number is digits, not {number!r}")
        if self.employee_by_number(text) is not None:
            raise ValueError(f"employee number {text} is taken")
        employee = Employee(
            self._allocate("employee"), text, first_name, last_name, personal_id, active
        )
        self._employees[employee.key] = employee
        return employee.key

    def employees(self) -> list[Employee]:
        """Every employee, in key order."""
        return list(self._employees.values())

    def employee(self, key: int) -> Employee | None:
        return self._employees.get(key)

    def employee_by_number(self, number: str) -> Employee | None:
        """The employee with this employee number, or ``None``."""
        wanted = number.strip()
        return next((e for e in self._employees.values() if e.number == wanted), None)

    def end_employment(self, key: int) -> None:
        """An employee leaves the company."""
        self._employees[key] = attrs.evolve(self._employees[key], active=False)

    # -- expense types ---------------------------------------------------------------------

    def put_ratio(self, fi: str, en: str, sv: str | None = None) -> int:
        """Add an expense type named in Finnish, English and Swedish; returns its key."""
        names = {"fi": fi, "en": en, "sv": sv or en}
        for ratio in self._ratios.values():
            if any(ratio.names[lang].casefold() == names[lang].casefold() for lang in names):
                raise ValueError(f"an expense type is already called {fi!r}/{en!r}")
        ratio = Ratio(self._allocate("ratio"), names)
        self._ratios[ratio.key] = ratio
        return ratio.key

    def ratios(self) -> list[Ratio]:
        return list(self._ratios.values())

    def ratio_named(self, name: str, language: str) -> Ratio | None:
        """The expense type called ``name`` in ``language`` (``fi``, ``en``, ``sv``)."""
        wanted = name.strip().casefold()
        return next(
            (r for r in self._ratios.values() if r.names[language].casefold() == wanted), None
        )

    # -- travel invoices -------------------------------------------------------------------

    def trip_expenses(self) -> list[TripExpense]:
        """Every imported travel invoice, in key order."""
        return list(self._trips.values())

    def trip_expense(self, key: int) -> TripExpense | None:
        return self._trips.get(key)

    def add(
        self,
        document: etree._Element,
        customers: CustomerStore,
        dimensions: DimensionStore,
        *,
        language: str | None,
        now: datetime,
    ) -> TripExpense:
        """Import a validated ``tripexpense`` element by the rules of the module docstring.

        Raises:
            NetvisorFailure: the answer Netvisor would give; nothing is stored.
        """
        lang = _LANGUAGES.get((language or "FI").upper(), "fi")
        reader = _Reader(self, customers, dimensions, lang)
        lines: list[TripExpenseLine] = []
        for tag, kind in (("customlines", "custom"), ("travellines", "travel"),
                          ("dailycompensationlines", "daily")):  # fmt: skip
            container = find(document, tag)
            for element in [] if container is None else list(container):
                lines.append(reader.line(kind, element))  # type: ignore[arg-type]
        if not lines:
            raise invalid_data(
                "Matkalaskulla ei ole yhtään riviä", "The travel invoice has no line"
            )
        header_element = find(document, "header")
        header = "" if header_element is None else text_of(header_element).strip()
        if not header:
            raise invalid_data(
                "Pakollinen elementti header puuttuu tai on tyhjä",
                "Mandatory element header is missing or empty",
            )
        total = sum(len(a.data) for line in lines for a in line.attachments)
        if total > self.attachment_limit:
            raise invalid_size("tripexpenseattachments", f"≤ {self.attachment_limit}", total)
        description = find(document, "description")
        trip = TripExpense(
            key=self._allocate("trip"),
            header=header,
            description="" if description is None else text_of(description),
            lines=tuple(lines),
            created_at=now,
            language=lang,
        )
        self._trips[trip.key] = trip
        return trip


_MOMENT: Final = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$")


class _Reader:
    """Reads one request's lines, checking each value (see the module docstring)."""

    def __init__(
        self, travel: Travel, customers: CustomerStore, dimensions: DimensionStore, language: str
    ) -> None:
        self.travel = travel
        self.customers = customers
        self.dimensions = dimensions
        self.language = language

    def line(self, kind: LineKind, element: etree._Element) -> TripExpenseLine:
        values = {child.tag: child for child in element if child.tag != "dimension"}

        def text(tag: str) -> str:
            found = values.get(tag)
            return "" if found is None else text_of(found).strip()

        employee = self._employee(values["employeeidentifier"])
        status = text("linestatus").upper() or "OPEN"
        if status not in LINE_STATUSES:
            raise invalid_data(
                f"Virheellinen linestatus: {status}", f"Invalid linestatus: {status}"
            )
        common = {
            "employee": employee,
            "description": text("linedescription"),
            "status": status,
            "customer": self._customer(values.get("customeridentifier")),
            "dimensions": self._dimensions(children(element, "dimension")),
            "attachments": self._attachments(values.get("tripexpenseattachments")),
        }
        if kind == "custom":
            ratio_name = text("ratio")
            ratio = self.travel.ratio_named(ratio_name, self.language)
            if ratio is None:
                raise invalid_data(
                    f"Kululajia ei löydy nimellä: {ratio_name}",
                    f"Expense type not found with name: {ratio_name}",
                )
            begin, end = _date(text("begindate"), "begindate"), _date(text("enddate"), "enddate")
            if end < begin:
                raise invalid_data(
                    "enddate on ennen begindate-päivää", "enddate is before begindate"
                )
            price_element = values["customlineunitprice"]
            currency = (price_element.get("iso4217currencycode") or "EUR").strip().upper()
            if not re.fullmatch(r"[A-Z]{3}", currency):
                raise invalid_data(
                    f"Virheellinen valuuttakoodi: {currency}", f"Invalid currency code: {currency}"
                )
            rate = price_element.get("currencyrate")
            if rate is not None and _number(rate, "currencyrate") <= 0:
                raise invalid_data("Valuuttakurssin tulee olla positiivinen",
                                   "The currency rate must be positive")  # fmt: skip
            vat_text = text("vatpercentage")
            vat = None
            if vat_text:
                vat = parse_decimal(vat_text, "vatpercentage")
                if vat not in _RATES:
                    raise invalid_data(
                        f"Virheellinen ALV-prosentti: {vat_text}",
                        f"Invalid VAT percentage: {vat_text}",
                    )
            account = text("expenseaccountnumber")
            if account and not account.isdigit():
                raise invalid_data(
                    f"Virheellinen kulutili: {account}", f"Invalid expense account: {account}"
                )
            return TripExpenseLine(
                kind="custom",
                quantity=_number(text("amount"), "amount"),
                unit_price=_number(text("customlineunitprice"), "customlineunitprice"),
                type_name=ratio.names[self.language],
                ratio=ratio.key,
                vat_percent=vat,
                currency=currency,
                begin=begin,
                end=end,
                account=account,
                **common,  # type: ignore[arg-type]
            )
        price_text = text("unitprice")
        price = _number(price_text, "unitprice") if price_text else None
        if kind == "travel":
            travel_type = text("traveltype").lower()
            if travel_type not in TRAVEL_TYPES:
                raise invalid_data(
                    f"Virheellinen traveltype: {travel_type}", f"Invalid traveltype: {travel_type}"
                )
            passengers = text("passengeramount")
            if not passengers.isdigit():
                raise invalid_data(
                    f"Virheellinen passengeramount: {passengers}",
                    f"Invalid passengeramount: {passengers}",
                )
            day = _date(text("traveldate"), "traveldate")
            return TripExpenseLine(
                kind="travel",
                quantity=_number(text("kilometeramount"), "kilometeramount"),
                unit_price=price,
                type_name=travel_type,
                passengers=int(passengers),
                route=text("routedescription"),
                begin=day,
                end=day,
                **common,  # type: ignore[arg-type]
            )
        compensation = text("compensationtype").lower()
        if compensation not in COMPENSATION_TYPES:
            raise invalid_data(
                f"Virheellinen compensationtype: {compensation}",
                f"Invalid compensationtype: {compensation}",
            )
        departure = _moment(text("timeofdeparture"), "timeofdeparture")
        back = _moment(text("returntime"), "returntime")
        if _ordinal(back) < _ordinal(departure):
            raise invalid_data(
                "returntime on ennen timeofdeparture-aikaa", "returntime is before timeofdeparture"
            )
        return TripExpenseLine(
            kind="daily",
            quantity=_number(text("amount"), "amount"),
            unit_price=price,
            type_name=compensation,
            begin=departure,
            end=back,
            **common,  # type: ignore[arg-type]
        )

    def _employee(self, element: etree._Element) -> int:
        identifier = text_of(element).strip()
        kind = element.get("type")
        if kind == "number":
            found = self.travel.employee_by_number(identifier)
        else:
            wanted = identifier.upper()
            found = next(
                (e for e in self.travel.employees() if e.personal_id.upper() == wanted and wanted),
                None,
            )
        if found is None:
            raise invalid_data(
                f"Työntekijää ei löydy tunnisteella: {identifier}",
                f"Employee not found with identifier: {identifier}",
            )
        return found.key

    def _customer(self, element: etree._Element | None) -> int | None:
        if element is None:
            return None
        value = text_of(element).strip()
        if element.get("type") == "netvisor":
            customer = self.customers.get(parse_key(value, "customeridentifier"))
        else:
            customer = self.customers.by_code(value) if value else None
        if customer is None:
            raise invalid_data(
                f"Asiakasta ei löydy Netvisor-tunnisteella: {value}",
                f"Customer not found with Netvisor identifier: {value}",
            )
        return customer.key

    def _dimensions(self, elements: Sequence[etree._Element]) -> tuple[DimensionLink, ...]:
        store = self.dimensions
        links: dict[int, DimensionLink] = {}
        for element in elements:
            header_name, item = text_of(element[0]).strip(), element[1]
            item_name = text_of(item).strip()
            header_key = store.header_key(header_name)
            if header_key is None:
                raise invalid_data(
                    f"Laskentakohdeotsikkoa ei löydy: {header_name}",
                    f"Dimension header not found: {header_name}",
                )
            father = item.get("fatherid")
            parent = None
            if father is not None and father.strip() not in ("", "0"):
                parent = store.resolve_parent(header_key, parse_key(father, "fatherid"), None)
            matches = store.find(header_key, item_name, parent)
            if not matches:
                raise invalid_data(
                    f"Laskentakohdetta ei löydy: {header_name} / {item_name}",
                    f"Dimension item not found: {header_name} / {item_name}",
                )
            if len(matches) > 1:
                raise invalid_data(
                    f"Laskentakohteen nimi {item_name} ei ole yksiselitteinen otsikon "
                    f"{header_name} alla; anna fatherid",
                    f"Dimension item name {item_name} is ambiguous under {header_name}; "
                    "give fatherid",
                )
            if header_key in links:
                raise invalid_data(
                    f"Rivillä on kaksi laskentakohdetta otsikolla {header_name}",
                    f"The line has two dimension items under {header_name}",
                )
            header = store.header(header_key)
            links[header_key] = DimensionLink(
                header_key, header.name, matches[0], store.item_name(matches[0])
            )
        return tuple(links.values())

    @staticmethod
    def _attachments(container: etree._Element | None) -> tuple[TripAttachment, ...]:
        found = []
        for element in children(container, "tripexpenseattachment"):
            parts = {child.tag: text_of(child) for child in element}
            name = parts["filename"].strip()
            if not name:
                raise invalid_data("Liitteen tiedostonimi puuttuu", "An attachment has no name")
            if len(name) > FILE_NAME_LIMIT:
                raise invalid_size("filename", f"≤ {FILE_NAME_LIMIT}", len(name))
            if not parts["mimetype"].strip():
                raise invalid_data(
                    f"Liitteen {name} MIME-tyyppi puuttuu", f"Attachment {name} has no MIME type"
                )
            try:
                data = base64.b64decode("".join(parts["documentdata"].split()), validate=True)
            except (binascii.Error, ValueError):
                raise invalid_data(
                    f"Liitteen {name} sisältö ei ole base64-muotoista",
                    f"The data of attachment {name} is not base64",
                ) from None
            found.append(
                TripAttachment(
                    name, parts["mimetype"].strip(), parts["attachmentdescription"], data
                )
            )
        return tuple(found)


def _number(text: str, element: str) -> Decimal:
    value = parse_decimal(text, element)
    if value < 0:
        raise invalid_data(
            f"Elementin {element} arvo ei saa olla negatiivinen: {text}",
            f"Element {element} must not be negative: {text}",
        )
    return value


def _date(text: str, element: str) -> date:
    return parse_date(text, element)


def _moment(text: str, element: str) -> datetime | date:
    match = _MOMENT.match(text.strip())
    if match is None:
        raise invalid_data(
            f"Virheellinen aika elementissä {element}: {text}",
            f"Invalid time in element {element}: {text}",
        )
    day = parse_date(match[1], element)
    if match[2] is None:
        return day
    try:
        return datetime(day.year, day.month, day.day, int(match[2]), int(match[3]),
                        int(match[4] or 0))  # fmt: skip
    except ValueError:
        raise invalid_data(
            f"Virheellinen aika elementissä {element}: {text}",
            f"Invalid time in element {element}: {text}",
        ) from None


def _ordinal(moment: datetime | date) -> tuple[int, int]:
    if isinstance(moment, datetime):
        return moment.toordinal(), moment.hour * 3600 + moment.minute * 60 + moment.second
    return moment.toordinal(), 0
