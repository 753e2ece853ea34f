"""A travel invoice for ``tripexpense.nv``, as frozen values (``reference/invoices.md`` §2.4).

Netvisor publishes no DTD for ``tripexpense.nv``. The element order Silta writes
(:data:`silta.netvisor.schema.TRIP_EXPENSE`) is taken from the element table of Netvisor's
page A-TE (cited in the reference) and from Visma's own sample client (VB), which writes
``header, description``, then ``customlines``, ``travellines`` and
``dailycompensationlines`` in that order, each line starting with ``employeeidentifier``.
The values here are what those sources name:

* ``employeeidentifier type="number"``: the employee number (Severa's user code), or
  ``finnishpersonalidentifier``.
* A custom line's ``ratio type="name"`` is the expense type's *name in the interface
  language* of the request (``X-Netvisor-Interface-Language``); ``customlineunitprice``
  carries ``iso4217currencycode``.
* ``linestatus`` as the VB sample writes its enum: ``OPEN``, ``CONFIRMED``,
  ``CONTENTSUPERVISORED``, ``ACCEPTED``, ``PAID`` (the page lists the same words in lower
  case; its example is "Paid").
* Travel types and compensation types as the VB and R clients list them.
* Dates ANSI (``2018-10-05`` in the page's example); the times of a daily allowance as
  ``yyyy-MM-dd HH:mm`` in Finnish time, the form Netvisor's own answers use for a time
  ([INFERRED]: no source shows the request's form).
* Attachments: MIME type, description, file name (at most 100 characters, N-TE) and the
  content in base64; all of one invoice's attachments together at most 4 MB (N-TE).
"""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from silta.netvisor import xmlcodec as x
from silta.netvisor.errors import NetvisorProtocolError
from silta.netvisor.models import InvoiceDimension

__all__ = [
    "ATTACHMENTS_MAX_BYTES",
    "ATTACHMENT_NAME_MAX",
    "COMPENSATION_TYPES",
    "EMPLOYEE_IDENTIFIER_TYPES",
    "LINE_STATUSES",
    "TRAVEL_TYPES",
    "PayrollRatio",
    "TripCustomLine",
    "TripDailyLine",
    "TripExpenseAttachment",
    "TripExpenseData",
    "TripTravelLine",
    "read_payroll_ratios",
]

#: N-TE: "The total maximum size of the attachments is 4MB": 4,000,000 bytes of file
#: content, before base64. It was read as 4 × 1024 × 1024; the sandbox reads the stricter
#: decimal megabyte, and a file set between the two would pass here and be refused there
#: (issue 19: settled on the stricter reading, which no reading of "4MB" refuses).
ATTACHMENTS_MAX_BYTES = 4_000_000
#: N-TE: "the maximum character count for the attachment name is 100 characters".
ATTACHMENT_NAME_MAX = 100

EMPLOYEE_IDENTIFIER_TYPES = ("number", "finnishpersonalidentifier")
LINE_STATUSES = ("OPEN", "CONFIRMED", "CONTENTSUPERVISORED", "ACCEPTED", "PAID")
TRAVEL_TYPES = (
    "car",
    "car_with_trailer",
    "car_with_caravan",
    "car_with_heavy_cargo",
    "car_with_big_machinery",
    "car_with_dog",
    "car_travel_in_rough_terrain",
    "motorboat_max_50hp",
    "motorboat_over_50hp",
    "snowmobile",
    "atv",
    "motorbike",
    "moped",
    "other",
    "carbenefit",
)
COMPENSATION_TYPES = ("domesticfull", "domestichalf", "foreign")

_NETVISOR_TIME = ZoneInfo("Europe/Helsinki")


def _aware(_instance: object, attribute: attrs.Attribute[dt.datetime], value: dt.datetime) -> None:
    if value.tzinfo is None:
        raise ValueError(f"{attribute.name} must be timezone-aware (it is sent in Finnish time)")


def _finnish_time(value: dt.datetime) -> str:
    return value.astimezone(_NETVISOR_TIME).strftime("%Y-%m-%d %H:%M")


def _optional_in(values: tuple[str, ...]) -> Any:
    return attrs.validators.optional(attrs.validators.in_(values))


@attrs.frozen(kw_only=True)
class TripExpenseAttachment:
    """One attachment of a line: what it is and its bytes (sent in base64)."""

    mime_type: str
    description: str
    file_name: str
    data: bytes = attrs.field(repr=lambda data: f"<{len(data)} bytes>")

    @property
    def document_data(self) -> str:
        """The content as ``documentdata`` carries it."""
        return base64.b64encode(self.data).decode("ascii")


@attrs.frozen(kw_only=True)
class _Line:
    employee_identifier: str
    employee_identifier_type: str = attrs.field(
        default="number", validator=attrs.validators.in_(EMPLOYEE_IDENTIFIER_TYPES)
    )
    line_status: str | None = attrs.field(default=None, validator=_optional_in(LINE_STATUSES))
    dimensions: tuple[InvoiceDimension, ...] = ()
    attachments: tuple[TripExpenseAttachment, ...] = ()


@attrs.frozen(kw_only=True)
class TripCustomLine(_Line):
    """A ``customline``: any expense other than mileage and daily allowances.

    ``unit_price`` is what the employee paid per unit, VAT included; ``vat_percent`` the
    VAT in it (the deductible share is Netvisor's business).
    """

    ratio: str
    amount: Decimal
    unit_price: Decimal
    currency: str = "EUR"
    vat_percent: Decimal | None = None
    description: str
    begin_date: dt.date
    end_date: dt.date


@attrs.frozen(kw_only=True)
class TripTravelLine(_Line):
    """A ``travelline``: a mileage allowance (kilometrikorvaus)."""

    travel_type: str = attrs.field(validator=attrs.validators.in_(TRAVEL_TYPES))
    passenger_amount: int = 0
    kilometer_amount: Decimal
    unit_price: Decimal | None = None  # none: Netvisor's own rate
    description: str
    travel_date: dt.date
    route_description: str


@attrs.frozen(kw_only=True)
class TripDailyLine(_Line):
    """A ``dailycompensationline``: a daily allowance (päiväraha)."""

    compensation_type: str = attrs.field(validator=attrs.validators.in_(COMPENSATION_TYPES))
    amount: Decimal
    unit_price: Decimal | None = None  # none: Netvisor's own rate
    description: str
    departure: dt.datetime = attrs.field(validator=_aware)
    return_time: dt.datetime = attrs.field(validator=_aware)

    @property
    def departure_text(self) -> str:
        return _finnish_time(self.departure)

    @property
    def return_text(self) -> str:
        return _finnish_time(self.return_time)


def _some_line(instance: TripExpenseData, _attribute: object, _value: object) -> None:
    if not (instance.custom_lines or instance.travel_lines or instance.daily_lines):
        raise ValueError("a travel invoice needs at least one line")


@attrs.frozen(kw_only=True)
class TripExpenseData:
    """The body of ``tripexpense.nv``: a header, a description and the three kinds of line."""

    header: str
    description: str | None = None
    custom_lines: tuple[TripCustomLine, ...] = ()
    travel_lines: tuple[TripTravelLine, ...] = ()
    daily_lines: tuple[TripDailyLine, ...] = attrs.field(default=(), validator=_some_line)

    def attachments(self) -> tuple[TripExpenseAttachment, ...]:
        """Every attachment of every line, in the order they are sent."""
        lines: tuple[_Line, ...] = (*self.custom_lines, *self.travel_lines, *self.daily_lines)
        return tuple(attachment for line in lines for attachment in line.attachments)

    def attachment_bytes(self) -> int:
        """The attachments' total size, as Netvisor's limit counts it (file content)."""
        return sum(len(attachment.data) for attachment in self.attachments())


# -- payrollratiolist.nv: the ratio names a custom line may carry ----------------------------


@attrs.frozen(kw_only=True)
class PayrollRatio:
    """One payroll ratio (palkkalaji) of the company, with its name per language.

    ``payrollratiolist.nv?source=tripexpensecustomlines`` lists the expense types a travel
    invoice's custom line may name (Netvisor's page "Palkkalajien nouto
    payrollratiolist.nv", https://support.netvisor.fi/fi/articles/769768; not in the
    reference). ``names`` maps ``fi``/``en``/``se`` to the name in that language, which is
    what ``ratio type="name"`` must match in a request sent in that language.
    """

    identifier: int | None = None
    number: int | None = None
    names: tuple[tuple[str, str], ...] = ()

    def name(self, language: str) -> str | None:
        """The name in ``language`` (``FI``, ``EN``, ``SE``; any case)."""
        return dict(self.names).get(language.lower())


def read_payroll_ratios(root: x.Element) -> list[PayrollRatio]:
    """The rows of ``payrollratiolist.nv``, read tolerantly: the page's table nests
    ``Names/Name`` (attribute ``ISO639-1Code``) under each ``PayrollRatio``, with the
    ratio's ``Identifier`` and ``RatioNumber`` beside them or one level down."""
    ratios = []
    for element in x.descendants(root, "payrollratio"):
        names = []
        for name in x.descendants(element, "name"):
            language = (name.get("iso639-1code") or "").strip().lower()
            text = (name.text or "").strip()
            if language and text:
                names.append((language, text))
        ratios.append(
            PayrollRatio(
                identifier=_first_int(element, "identifier"),
                number=_first_int(element, "rationumber"),
                names=tuple(names),
            )
        )
    return ratios


def _first_int(element: x.Element, name: str) -> int | None:
    for found in x.descendants(element, name):
        text = (found.text or "").strip()
        if text:
            try:
                return int(text)
            except ValueError:
                raise NetvisorProtocolError(f"<{name}> is not an integer") from None
    return None
