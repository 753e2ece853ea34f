"""Severa travel reimbursements of every kind, the Netvisor employees they meet, and a
planted case for every refusal rule of the travel transfer (``travel.*``).

What Severa gets (``org.travel``, after the registers and invoices, from the same draw):

* travellers: users whose ``code`` is their employee number (1001 ...);
* travel expense types with codes: kilometre allowance (Mileage), full and part day
  allowance (DailyAllowance), taxi, hotel, train and parking (OtherTravelExpense), and a
  meeting-costs type that no Netvisor expense type answers;
* the status every transfer moves a report to afterwards, "Siirretty Netvisoriin"
  (approved, locked), beside Severa's four;
* approved reports: mileage, daily allowances, other expenses with receipts (files within
  Netvisor's limits), a report mixing reimbursable and company-card lines, one of company
  card lines only and one of nothing to pay (zero sum), both skipped; reports waiting for
  approval and in draft, which wait; and one planted report per refusal rule: a traveller
  whose code Netvisor has no employee for (``travel.employee_not_matched``), an expense type
  the mapping leaves out (``travel.expense_type_unmapped``), receipts of more than 4 MB in
  all (``travel.attachments_too_large``), a receipt named with more than 100 characters
  (``travel.attachment_name_too_long``), and an expense on the phase that has no code, so
  that no dimension item can carry it (``travel.dimension_item_missing``, as the invoices'
  ``invoices.dimension_item_missing``).

What Netvisor gets: an employee for every traveller but one, with the same number.

Each planted report breaks exactly its rule; the others break none. Large receipts are made
only when read (:class:`~silta.sandbox.severa.travel.FilePlan` without data), so the sample
costs no memory for them. :attr:`TravelSample.expense_types` is the mapping the demo gives
the tenant: Severa type code → Netvisor travel type (mileage), compensation type (daily
allowance) or expense type name in Finnish (the others); the planted type is left out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Final

import attrs

from ..netvisor import Organisation as NetvisorOrganisation
from ..severa import Organisation as SeveraOrganisation
from ..severa.travel import ExpensePlan, FilePlan
from .cases import CASES
from .companies import Draw
from .model import PlantedCase, SampleSpec

__all__ = ["TRAVEL_RULES", "TravelSample", "populate_travel"]

#: Every refusal rule of the travel transfer, as the engine reports it.
TRAVEL_RULES: Final = (
    "travel.employee_not_matched",
    "travel.expense_type_unmapped",
    "travel.attachments_too_large",
    "travel.attachment_name_too_long",
    "travel.dimension_item_missing",
)

#: Severa travel expense types: (name, code, class, unit cost, purchase VAT, Netvisor name).
#: The mileage rate is the sample's own figure; the engine sends the unit cost as it is.
_TYPES: Final = (
    ("Kilometrikorvaus", "KM", "Mileage", "0.55", None, "car"),
    ("Kokopäiväraha", "PR-KOKO", "DailyAllowance", "54", None, "domesticfull"),
    ("Osapäiväraha", "PR-OSA", "DailyAllowance", "25", None, "domestichalf"),
    ("Taksi", "TAKSI", "OtherTravelExpense", None, "13.5", "Taksi"),
    ("Hotelli", "HOTELLI", "OtherTravelExpense", None, "13.5", "Majoitus"),
    ("Juna", "JUNA", "OtherTravelExpense", None, "13.5", "Julkinen liikenne"),
    ("Pysäköinti", "PARK", "OtherTravelExpense", None, "25.5", "Pysäköinti"),
    ("Kokouskulut", "KOKOUS", "OtherTravelExpense", None, "25.5", None),
)
#: Employee numbers of the travellers; the last has no Netvisor employee.
_NUMBERS: Final = ("1001", "1002", "1003", "1004")
_MB: Final = 1_000_000
_LONG_NAME: Final = (
    "Kuitti_hotelli_Scandic_Jyväskylä_Station_asiakasprojektin_käyttöönottopalaveri_"
    "ja_koulutuspäivä_helmikuu.pdf"
)


@attrs.frozen
class TravelSample:
    """The travel reports of a sample.

    Attributes:
        approved, transferred: GUIDs of Severa's approved status and of the status after
            transfer ("Siirretty Netvisoriin").
        travellers: employee number → Severa user GUID.
        employees: employee number → Netvisor employee key (all but one traveller).
        expense_types: Severa type code → Netvisor name (see the module docstring).
        planted, showcases: the cases; the key is the reimbursement's GUID.
        reports: every reimbursement, in the order made.
    """

    approved: str
    transferred: str
    travellers: Mapping[str, str]
    employees: Mapping[str, int]
    expense_types: Mapping[str, str]
    planted: tuple[PlantedCase, ...]
    showcases: tuple[PlantedCase, ...]
    reports: tuple[str, ...]

    @property
    def rules(self) -> frozenset[str]:
        return frozenset(case.rule for case in self.planted)


@attrs.frozen
class _Project:
    guid: str
    name: str


class _Book:
    def __init__(
        self, nv: NetvisorOrganisation, sv: SeveraOrganisation, draw: Draw, spec: SampleSpec
    ) -> None:
        self.nv, self.sv, self.draw, self.spec = nv, sv, draw, spec
        self.rng = draw.rng
        self.planted: list[PlantedCase] = []
        self.showcases: list[PlantedCase] = []
        self.reports: list[str] = []
        self.types: dict[str, str] = {}
        for name, code, kind, cost, vat, _netvisor in _TYPES:
            self.types[code] = sv.travel.put_travel_expense_type(
                name, code, kind,  # type: ignore[arg-type]
                unit_cost=None if cost is None else Decimal(cost),
                purchase_vat_rate=None if vat is None else Decimal(vat),
            )  # fmt: skip
        self.projects = [
            _Project(r.guid, r["name"]) for r in sv.project_register.register if not r["isClosed"]
        ]
        self._turn = 0

    def project(self) -> _Project:
        project = self.projects[self._turn % len(self.projects)]
        self._turn += 1
        return project

    def day(self) -> date:
        return self.spec.today - timedelta(days=self.rng.randrange(5, 40))

    def expense(
        self, code: str, quantity: str, cost: str | None = None, **extra: object
    ) -> ExpensePlan:
        name, _code, _kind, unit_cost, vat, _netvisor = next(t for t in _TYPES if t[1] == code)
        project = extra.pop("project", None) or self.project()
        assert isinstance(project, _Project)
        cost_text = cost if cost is not None else unit_cost
        assert cost_text is not None, code
        return ExpensePlan(
            self.types[code],
            project.guid,
            Decimal(quantity),
            Decimal(cost_text),
            purchase_vat_rate=None if vat is None else Decimal(vat),
            event_date=self.day(),
            description=extra.pop("description", name),  # type: ignore[arg-type]
            **extra,  # type: ignore[arg-type]
        )

    def report(
        self,
        user: str,
        title: str,
        expenses: Sequence[ExpensePlan],
        label: str,
        status: str,
        **values: object,
    ) -> str:
        guid = self.sv.travel.put_reimbursement(user, title, expenses, status=status)
        self.reports.append(guid)
        shown = self.sv.travel.reimbursement(guid)
        assert shown is not None
        case = CASES[label]
        filled = {"name": title, "number": shown["number"], "title": title, **values}
        made = PlantedCase(
            rule=case.rule,
            register=case.register,
            system=case.system,
            key=guid,
            name=title,
            description_fi=case.fi.format_map(filled),
            description_en=case.en.format_map(filled),
        )
        (self.planted if case.refused else self.showcases).append(made)
        return guid


def _receipt(name: str, size: int) -> FilePlan:
    return FilePlan(name, size)


def populate_travel(
    nv: NetvisorOrganisation,
    sv: SeveraOrganisation,
    draw: Draw,
    spec: SampleSpec,
    code_missing_phase: str | None,
) -> TravelSample:
    """Make the travellers, types, statuses and reports (see the module docstring)."""
    book = _Book(nv, sv, draw, spec)
    travel = sv.travel
    statuses = travel.default_statuses
    transferred = travel.put_status("Siirretty Netvisoriin", isApproved=True, isLocked=True)
    travellers: dict[str, str] = {}
    employees: dict[str, int] = {}
    names: dict[str, str] = {}
    for number in _NUMBERS:
        first, last = draw.fake.first_name(), draw.fake.last_name()
        email = f"{first.lower()}.{last.lower()}@example.fi".translate(str.maketrans("äöå", "aoa"))
        travellers[number] = sv.put_user(first, last, number, email)
        names[number] = f"{first} {last}"
        if number != _NUMBERS[-1]:
            employees[number] = nv.travel.put_employee(number, first, last)
    aino, mikko, laura, juha = (travellers[n] for n in _NUMBERS)
    approved = statuses.approved

    def when(hour: int, day: date | None = None) -> datetime:
        base = day or book.day()
        return datetime.combine(base, time(hour), tzinfo=UTC)

    # -- showcases ---------------------------------------------------------------------------
    book.report(aino, "Asiakaskäynti Jyväskylä", [book.expense("KM", "212")],
                "travel_mileage", approved, person=names["1001"])  # fmt: skip
    trip_day, part_day = book.day(), book.day()
    book.report(
        mikko, "Käyttöönottokoulutus Oulu",
        [book.expense("PR-KOKO", "2", start=when(6, trip_day),
                      end=when(19, trip_day + timedelta(days=1))),
         book.expense("PR-OSA", "1", start=when(7, part_day), end=when(15, part_day))],
        "travel_daily", approved, person=names["1002"],
    )  # fmt: skip
    receipts = (_receipt("kuitti_taksi.pdf", 420_000), _receipt("kuitti_hotelli.pdf", 1_700_000),
                _receipt("kuitti_juna.pdf", 1_100_000))  # fmt: skip
    book.report(
        laura, "Projektipalaveri Helsinki",
        [book.expense("TAKSI", "1", "38.60", files=receipts[:1]),
         book.expense("HOTELLI", "1", "129.00", files=receipts[1:2]),
         book.expense("JUNA", "2", "46.90", files=receipts[2:])],
        "travel_other", approved, person=names["1003"], size="3,22",
    )  # fmt: skip
    book.report(
        aino, "Työmaakäynti Tampere",
        [book.expense("TAKSI", "1", "27.40"),
         book.expense("HOTELLI", "1", "118.00", reimbursable=False,
                      description="Hotelli, maksettu yrityskortilla")],
        "travel_company_card", approved, person=names["1001"],
    )  # fmt: skip
    book.report(
        mikko, "Messumatka Helsinki",
        [book.expense("HOTELLI", "2", "149.00", reimbursable=False),
         book.expense("PARK", "1", "24.00", reimbursable=False)],
        "travel_all_company_card", approved, person=names["1002"],
    )  # fmt: skip
    book.report(laura, "Etäpalaveri (ei kuluja)", [book.expense("KM", "0")],
                "travel_zero", approved, person=names["1003"])  # fmt: skip
    for status, label_fi, label_en in (
        (statuses.waiting, "Odottaa hyväksyntää", "Waiting for approval"),
        (statuses.draft, "Luonnos", "Draft"),
    ):
        book.report(aino, f"Asiakaskäynti Lahti ({label_fi.lower()})",
                    [book.expense("KM", "104")], "travel_not_approved", status,
                    status_fi=label_fi, status_en=label_en)  # fmt: skip

    # -- planted -----------------------------------------------------------------------------
    book.report(juha, "Asennustyömaa Kuopio", [book.expense("KM", "318")],
                "travel_employee_not_matched", approved, person=names["1004"],
                code=_NUMBERS[-1])  # fmt: skip
    book.report(laura, "Ohjausryhmän kokous", [book.expense("KOKOUS", "1", "86.00")],
                "travel_expense_type_unmapped", approved, type="Kokouskulut",
                code="KOKOUS")  # fmt: skip
    big = (_receipt("kuitti_lento.pdf", 2_600_000), _receipt("kuitti_hotelli_2.pdf", 1_900_000))
    book.report(
        mikko, "Asiakasvierailu Tukholma",
        [book.expense("TAKSI", "1", "64.20", files=big[:1]),
         book.expense("HOTELLI", "1", "189.00", files=big[1:])],
        "travel_attachments_too_large", approved, size="4,5",
    )  # fmt: skip
    book.report(
        laura, "Koulutuspäivä Jyväskylä",
        [book.expense("HOTELLI", "1", "112.00", files=(_receipt(_LONG_NAME, 180_000),))],
        "travel_attachment_name_too_long", approved, length=len(_LONG_NAME),
    )  # fmt: skip
    if code_missing_phase is not None:
        phase = sv.phase_register.get(code_missing_phase)
        assert phase is not None
        project = sv.project_register.get(phase["project"])
        assert project is not None
        book.report(
            aino, "Työmaakatselmus",
            [book.expense("KM", "46", project=_Project(project.guid, project["name"]),
                          phase=phase.guid)],
            "travel_dimension_item_missing", approved, phase=phase["name"],
            project=project["name"],
        )  # fmt: skip
    return TravelSample(
        approved=approved,
        transferred=transferred,
        travellers=travellers,
        employees=employees,
        expense_types={code: netvisor for _n, code, _k, _c, _v, netvisor in _TYPES if netvisor},
        planted=tuple(book.planted),
        showcases=tuple(book.showcases),
        reports=tuple(book.reports),
    )
