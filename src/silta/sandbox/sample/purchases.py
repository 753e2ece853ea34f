"""Netvisor purchase invoices whose lines Silta turns into Severa project costs, with a
planted case for every refusal rule of that transfer (``purchase_lines.*``).

**Why the invoices are placed later.** A line qualifies when its dimension item is one
Silta's dimension sync created (matched by the item's Netvisor key through the dimension
register's links, never by name). Netvisor gives an item its key when it is created, so the
invoices cannot carry the sync's items before the sync has run. :func:`plan_purchases` (part
of :func:`~silta.sandbox.sample.populate`) draws everything - vendors, invoices, lines,
amounts, the projects and phases the lines go to - and :meth:`PurchasePlan.place` writes the
invoices into Netvisor once the items are there::

    sample = populate(nv, sv, SampleSpec())
    ...                                   # Silta's first run: the dimension sync
    placed = sample.purchases.place(nv)   # the vendors' invoices arrive
    ...                                   # Silta transfers the purchase lines
    placed.after_transfer(nv)             # one invoice is changed, one deleted
    ...                                   # the next run reports both

``place(nv, create_items=True)`` creates the project and phase items itself, under the names
the dimension sync gives them (``"<number> <name>"``, ``"<code> <name>"`` under the
project's item), for tests of the sandbox alone; a dimension sync that runs afterwards finds
them by name and links them. Without ``create_items``, an item the sync has not made is a
:class:`KeyError` naming it.

What the invoices hold (dated in the month before ``spec.today``):

* accepted invoices with project lines and phase lines (``KOOS`` 25,5 %: the net sum goes to
  Severa), lines without a project item (skipped silently) and a line on the company's own
  cost-centre header (skipped too), and a line without VAT handling (``NONE``, the UI's "–":
  the gross sum goes);
* invoices still in content check and in approval (not transferred until accepted);
* an invoice the transfer takes and that is changed afterwards, and one that is deleted;
* one line per refusal rule: an item under the project header that Silta did not create
  (``purchase_lines.item_not_silta``), an account no Severa cost product is mapped to with no
  default (``purchase_lines.product_missing``), and a line a user split over one project's
  item and a phase item of another project (``purchase_lines.phase_not_in_project``:
  Netvisor lets a line carry several items of a header; one fee has one project).

:attr:`PurchasePlan.account_products` is the account → Severa cost product mapping the demo
gives the tenant (accounts 4000, 4450 and 7680; the planted account 7990 is left out, and no
default product is set).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Final, Literal

import attrs

from ..netvisor import Organisation as NetvisorOrganisation
from ..netvisor.purchaseinvoices import ApprovalStatus, Attachment, LinePlan, PurchaseInvoiceLine
from ..severa import Organisation as SeveraOrganisation
from .cases import CASES
from .companies import Draw
from .model import PlantedCase, SampleSpec
from .words import OTHER_HEADER, PROJECT_HEADER

__all__ = [
    "ACCOUNTS",
    "PURCHASE_RULES",
    "PlacedPurchases",
    "PurchasePlan",
    "plan_purchases",
]

#: Every refusal rule of the purchase-lines transfer, as the engine reports it.
PURCHASE_RULES: Final = (
    "purchase_lines.item_not_silta",
    "purchase_lines.product_missing",
    "purchase_lines.phase_not_in_project",
)

#: Accounts of the lines: number → name (Netvisor's accounting suggestion).
ACCOUNTS: Final[Mapping[str, str]] = {
    "4000": "Ostot",
    "4450": "Alihankinnat",
    "6800": "Toimistotarvikkeet",
    "7680": "Edustuskulut",
    "7990": "Muut vähennyskelpoiset kulut",
}
#: The item under the project header that Silta did not make (a project of the old system).
FOREIGN_ITEM: Final = "Vanha varastohanke 2019"

_CENT: Final = Decimal("0.01")
_GENERAL: Final = Decimal("25.5")

#: (vendor name, town, what it sells: (product name, unit, low price, high price)).
_VENDORS: Final = (
    ("Sähkötukku Voltti Oy", "Tampere", (("Kaapeli MMJ 3x2,5S", "m", "1.10", "2.40"),
                                         ("Asennusrasia", "kpl", "2.50", "6.90"),
                                         ("Johdonsuojakatkaisija C16", "kpl", "8.90", "14.50"))),
    ("Rautakauppa Kivinen Oy", "Jyväskylä", (("Kipsilevy 12,5 mm", "kpl", "6.90", "9.90"),
                                             ("Ruuvilaatikko 500 kpl", "ltk", "12.00", "19.00"))),
    ("Insinööritoimisto Laskenta Oy", "Oulu", (("Rakennesuunnittelu", "h", "85.00", "110.00"),
                                               ("Lujuuslaskelma", "kpl", "350.00", "600.00"))),
    ("Konevuokraamo Nosto Oy", "Vantaa", (("Henkilönostin, vuokra", "pv", "95.00", "160.00"),
                                          ("Kuljetus", "kpl", "60.00", "90.00"))),
    ("Ravintola Aurinkolaakso", "Helsinki", (("Asiakaslounas", "hlö", "28.00", "42.00"),)),
    ("Toimistotarvike Paperi Oy", "Turku", (("Kopiopaperi A4", "ltk", "4.90", "6.90"),)),
)  # fmt: skip

Target = Literal["project", "phase", "foreign", "other", "two_projects", "none"]


@attrs.frozen
class PlannedLine:
    """One line before Netvisor has it: what it is and where its dimension item is."""

    product_name: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    vat_code: str
    account: str
    target: Target
    project: str | None = None  # Severa project GUID (project, phase, two_projects)
    phase: str | None = None  # Severa phase GUID (phase; two_projects: another project's)
    description: str = ""
    case: str | None = None  # the cases.py label the line plants or shows

    @property
    def vat_percent(self) -> Decimal:
        return Decimal(0) if self.vat_code == "NONE" else _GENERAL

    @property
    def net(self) -> Decimal:
        return (self.quantity * self.unit_price).quantize(_CENT, rounding=ROUND_HALF_UP)

    @property
    def gross(self) -> Decimal:
        rate = self.vat_percent / 100
        return (self.net * (1 + rate)).quantize(_CENT, rounding=ROUND_HALF_UP)


@attrs.frozen
class PlannedInvoice:
    """One purchase invoice before Netvisor has it."""

    vendor: int  # index into PurchasePlan.vendors
    number: str
    invoice_date: date
    status: ApprovalStatus
    lines: tuple[PlannedLine, ...]
    after: Literal["change", "delete"] | None = None
    case: str | None = None  # an invoice-level showcase (not accepted, changed, deleted)


@attrs.frozen
class PlannedVendor:
    name: str
    business_id: str
    town: str
    code: str
    bank_account: str


@attrs.frozen
class PlacedPurchases:
    """The invoices as Netvisor has them, and what was planted and shown.

    Attributes:
        invoice_keys: every purchase invoice's NetvisorKey, in the order placed.
        planted, showcases: the cases; a line's key is ``"<invoice key>/<line key>"``
            (the transfer's key, invoices.md §5.12), an invoice's its key.
        changed, deleted: the invoices :meth:`after_transfer` changes and deletes.
    """

    invoice_keys: tuple[int, ...]
    planted: tuple[PlantedCase, ...]
    showcases: tuple[PlantedCase, ...]
    changed: int
    deleted: int

    @property
    def rules(self) -> frozenset[str]:
        return frozenset(case.rule for case in self.planted)

    def after_transfer(self, nv: NetvisorOrganisation) -> None:
        """What happens in Netvisor after the first transfer: a user corrects the quantity
        of a transferred line (the line keeps its key) and deletes another invoice."""
        purchases = nv.purchase_invoices
        invoice = purchases.get(self.changed)
        if invoice is None:
            raise KeyError(self.changed)
        first = invoice.lines[0]
        corrected = LinePlan(
            first.product_name,
            first.quantity + 1,
            first.unit_price,
            first.vat_percent,
            first.vat_code,
            (first.account_number, first.account_name),
            tuple(item for _header, item in first.dimensions),
            description=first.description,
            unit=first.unit,
            key=first.key,
        )
        kept = [_plan_of(line) for line in invoice.lines[1:]]
        purchases.modify(self.changed, lines=[corrected, *kept])
        purchases.delete(self.deleted)


def _plan_of(line: PurchaseInvoiceLine) -> LinePlan:
    return LinePlan(
        line.product_name, line.quantity, line.unit_price, line.vat_percent, line.vat_code,
        (line.account_number, line.account_name), tuple(i for _h, i in line.dimensions),
        description=line.description, unit=line.unit, key=line.key,
    )  # fmt: skip


@attrs.frozen
class _ItemNames:
    """The dimension sync's item names of the Severa projects and phases the lines use."""

    projects: Mapping[str, str]  # project GUID -> "<number> <name>"
    phases: Mapping[str, tuple[str | None, str]]  # phase GUID -> (parent phase GUID, name)
    phase_project: Mapping[str, str]  # phase GUID -> project GUID


@attrs.frozen
class PurchasePlan:
    """What :func:`plan_purchases` drew; :meth:`place` writes it into Netvisor.

    Attributes:
        account_products: account number → Severa product GUID, the cost products the demo
            maps (the planted account is not among them; no default product).
        vendors, invoices: the plan.
    """

    account_products: Mapping[str, str]
    vendors: tuple[PlannedVendor, ...]
    invoices: tuple[PlannedInvoice, ...]
    items: _ItemNames
    project_names: Mapping[str, str]  # Severa project GUID -> its name, for descriptions
    phase_labels: Mapping[str, str]  # Severa phase GUID -> its name, for descriptions

    def place(self, nv: NetvisorOrganisation, *, create_items: bool = False) -> PlacedPurchases:
        """Write the vendors and invoices into Netvisor (see the module docstring).

        Raises:
            KeyError: an item the dimension sync should have made is missing (and
                ``create_items`` is off).
        """
        resolver = _Items(nv, self.items, create_items)
        vendor_keys = [
            nv.purchase_invoices.put_vendor(
                v.name,
                business_id=v.business_id,
                town=v.town,
                code=v.code,
                bank_account=v.bank_account,
            )
            for v in self.vendors
        ]
        planted: list[PlantedCase] = []
        showcases: list[PlantedCase] = []
        keys: list[int] = []
        changed = deleted = 0
        for invoice in self.invoices:
            lines = [self._line(plan, resolver) for plan in invoice.lines]
            key = nv.purchase_invoices.put(
                number=invoice.number,
                vendor=vendor_keys[invoice.vendor],
                invoice_date=invoice.invoice_date,
                lines=lines,
                status=invoice.status,
                reference=_reference(invoice.number),
                attachments=[_image(invoice.number)],
            )
            keys.append(key)
            stored = nv.purchase_invoices.get(key)
            assert stored is not None
            vendor = self.vendors[invoice.vendor].name
            if invoice.after == "change":
                changed = key
            elif invoice.after == "delete":
                deleted = key
            if invoice.case is not None:
                status = _STATUS_NAMES[invoice.status]
                _add(showcases, planted, invoice.case, str(key), f"{vendor} {invoice.number}",
                     number=invoice.number, vendor=vendor, status_fi=status[0],
                     status_en=status[1])  # fmt: skip
            for position, (plan, line) in enumerate(zip(invoice.lines, stored.lines, strict=True)):
                if plan.case is None:
                    continue
                values = self._values(plan, line.net_sum, line.line_sum)
                name = f"{vendor} {invoice.number}: {plan.product_name}"
                values.update(number=invoice.number, vendor=vendor, line=position + 1)
                _add(showcases, planted, plan.case, f"{key}/{line.key}", name,
                     text=plan.product_name, **values)  # fmt: skip
        return PlacedPurchases(tuple(keys), tuple(planted), tuple(showcases), changed, deleted)

    def _line(self, plan: PlannedLine, resolver: _Items) -> LinePlan:
        items: tuple[int, ...] = ()
        if plan.target == "project":
            assert plan.project is not None
            items = (resolver.project(plan.project),)
        elif plan.target == "phase":
            assert plan.phase is not None
            items = (resolver.phase(plan.phase),)
        elif plan.target == "two_projects":
            assert plan.project is not None
            assert plan.phase is not None
            items = (resolver.project(plan.project), resolver.phase(plan.phase))
        elif plan.target == "foreign":
            items = (resolver.foreign(),)
        elif plan.target == "other":
            items = (resolver.other(),)
        return LinePlan(
            plan.product_name,
            plan.quantity,
            plan.unit_price,
            plan.vat_percent,
            plan.vat_code,
            (plan.account, ACCOUNTS[plan.account]),
            items,
            description=plan.description,
            unit=plan.unit,
        )

    def _values(self, plan: PlannedLine, net: Decimal, gross: Decimal) -> dict[str, object]:
        project = self.project_names.get(plan.project or "", "")
        phase = self.phase_labels.get(plan.phase or "", "")
        other = self.project_names.get(self.items.phase_project.get(plan.phase or "", ""), "")
        return {
            "project": project,
            "phase": phase,
            "other": other,
            "account": f"{plan.account} {ACCOUNTS[plan.account]}",
            "net": _euros(net),
            "gross": _euros(gross),
            "item": FOREIGN_ITEM,
            "header": PROJECT_HEADER,
        }


_STATUS_NAMES: Final[Mapping[str, tuple[str, str]]] = {
    "open": ("avoin", "open"),
    "infactualverification": ("asiatarkastuksessa", "in content check"),
    "approved": ("hyväksyttävänä", "awaiting approval"),
    "accepted": ("hyväksytty", "accepted"),
}


def _add(
    showcases: list[PlantedCase],
    planted: list[PlantedCase],
    label: str,
    key: str,
    name: str,
    **values: object,
) -> None:
    case = CASES[label]
    shown = {"name": name, **values}
    made = PlantedCase(
        rule=case.rule,
        register=case.register,
        system=case.system,
        key=key,
        name=name,
        description_fi=case.fi.format_map(shown),
        description_en=case.en.format_map(shown),
    )
    (planted if case.refused else showcases).append(made)


def _euros(amount: Decimal) -> str:
    return f"{amount.quantize(_CENT, rounding=ROUND_HALF_UP):f}".replace(".", ",")


def _reference(number: str) -> str:
    base = "".join(ch for ch in number if ch.isdigit()) or "1"
    weights = (7, 3, 1)
    total = sum(int(d) * weights[i % 3] for i, d in enumerate(reversed(base)))
    return base + str((10 - total % 10) % 10)


def _image(number: str) -> Attachment:
    """The invoice image a vendor's e-invoice carries (a small stand-in PDF)."""
    return Attachment(
        f"lasku_{number}.pdf", "application/pdf", b"%PDF-1.4 lasku " + number.encode()
    )


class _Items:
    """Finds (or makes) the Netvisor items of the Severa projects and phases."""

    def __init__(self, nv: NetvisorOrganisation, names: _ItemNames, create: bool) -> None:
        self.nv = nv
        self.names = names
        self.create = create
        store = nv.dimension_register
        header = store.header_key(PROJECT_HEADER)
        if header is None:
            raise KeyError(f"Netvisor has no dimension header {PROJECT_HEADER}")
        self.header = header

    def _find(self, name: str, parent: int) -> int:
        store = self.nv.dimension_register
        found = store.find(self.header, name, parent)
        if found:
            return found[0]
        if not self.create:
            raise KeyError(
                f"Netvisor has no item {name!r} under {PROJECT_HEADER}: run the dimension sync "
                "first, or place the purchase invoices with create_items=True"
            )
        return self.nv.put_dimension_item(self.header, name, parent)

    def project(self, guid: str) -> int:
        return self._find(self.names.projects[guid], 0)

    def phase(self, guid: str) -> int:
        parent_phase, name = self.names.phases[guid]
        if parent_phase is None:
            parent = self.project(self.names.phase_project[guid])
        else:
            parent = self.phase(parent_phase)
        return self._find(name, parent)

    def foreign(self) -> int:
        store = self.nv.dimension_register
        found = store.find(self.header, FOREIGN_ITEM, 0)
        return found[0] if found else self.nv.put_dimension_item(self.header, FOREIGN_ITEM)

    def other(self) -> int:
        header, items = OTHER_HEADER
        return next(i.key for i in self.nv.dimension_items(header) if i.name == items[-1])


# -- planning ---------------------------------------------------------------------------------


@attrs.frozen
class _Project:
    guid: str
    name: str
    item: str
    phases: tuple[str, ...]  # usable phase GUIDs (coded, unique names, not planted)


def _projects(
    sv: SeveraOrganisation, planted_phases: set[str]
) -> tuple[list[_Project], _ItemNames, dict[str, str]]:
    projects: list[_Project] = []
    item_projects: dict[str, str] = {}
    item_phases: dict[str, tuple[str | None, str]] = {}
    phase_project: dict[str, str] = {}
    labels: dict[str, str] = {}
    names: Counter[str] = Counter()
    every = []
    for record in sv.project_register.register:
        phases = [p for p in sv.phase_register.of_project(record.guid) if p["parentPhase"]]
        every.append((record, phases))
        names.update(f"{p['code']} {p['name']}" for p in phases if p["code"])
    for record, phases in every:
        number, name = record["number"], record["name"].strip()
        item_projects[record.guid] = f"{number} {name}" if number is not None else name
        root = sv.phase_register.root_of(record.guid)
        for phase in phases:
            code = (phase["code"] or "").strip()
            label = f"{code} {phase['name'].strip()}" if code else phase["name"].strip()
            parent = phase["parentPhase"]
            item_phases[phase.guid] = (None if root is None or parent == root.guid else parent,
                                       label)  # fmt: skip
            phase_project[phase.guid] = record.guid
            labels[phase.guid] = label
        if record["isClosed"]:
            continue
        usable = tuple(
            p.guid
            for p in phases
            if p["code"] and p.guid not in planted_phases
            and names[f"{p['code']} {p['name']}"] == 1
        )  # fmt: skip
        projects.append(_Project(record.guid, name, item_projects[record.guid], usable))
    return projects, _ItemNames(item_projects, item_phases, phase_project), labels


def _cost_products(sv: SeveraOrganisation) -> dict[str, str]:
    products = [
        r for r in sv.product_register.register
        if r["isActive"] and r["code"] and len(r["name"]) <= 100
    ]  # fmt: skip
    if not products:
        raise ValueError("the sample's Severa has no active product to book costs on")

    def first(kind: str) -> str:
        return next((r.guid for r in products if r["type"] == kind), products[0].guid)

    return {"4000": first("Materials"), "4450": first("Subcontracting"), "7680": first("FixedFees")}


def plan_purchases(
    sv: SeveraOrganisation,
    draw: Draw,
    spec: SampleSpec,
    planted_phases: set[str],
) -> PurchasePlan:
    """Draw the vendors, invoices and lines (see the module docstring)."""
    rng = draw.rng
    projects, items, labels = _projects(sv, planted_phases)
    if not projects:
        raise ValueError("the sample has no open project for purchase invoices")
    vendors = tuple(
        PlannedVendor(name, str(draw.business_id()), town, f"T{100 + i}",
                      draw.bank_account("OKOYFIHH"))
        for i, (name, town, _goods) in enumerate(_VENDORS)
    )  # fmt: skip
    first_day = spec.today - timedelta(days=35)
    numbers = iter(range(rng.randrange(40_000, 60_000), 10**6, 7))
    turn = iter(range(10**6))

    def when() -> date:
        return first_day + timedelta(days=rng.randrange(0, 28))

    def number() -> str:
        return str(next(numbers))

    def goods(vendor: int, which: int = -1) -> tuple[str, str, Decimal]:
        catalogue = _VENDORS[vendor][2]
        name, unit, low, high = catalogue[which] if which >= 0 else rng.choice(catalogue)
        return name, unit, draw.price(Decimal(low), Decimal(high))

    def line(
        vendor: int,
        target: Target,
        project: _Project | None = None,
        *,
        phase: str | None = None,
        account: str = "4000",
        vat: str = "KOOS",
        case: str | None = None,
        which: int = -1,
        quantity: int | None = None,
    ) -> PlannedLine:
        name, unit, price = goods(vendor, which)
        amount = Decimal(quantity if quantity is not None else rng.randrange(2, 40))
        return PlannedLine(
            name, unit, amount, price, vat, account, target,
            project=None if project is None else project.guid, phase=phase,
            description="" if project is None else f"Työmaa: {project.name}",
            case=case,
        )  # fmt: skip

    def project_turn() -> _Project:
        return projects[next(turn) % len(projects)]

    pairs = [(p, phase) for p in projects for phase in p.phases]
    phase_line = pairs[0] if pairs else None
    sub_line = pairs[1] if len(pairs) >= 2 else None
    # The planted split line: one project's item and a phase of another project.
    split = next(((q, phase) for q in projects for p, phase in pairs if q.guid != p.guid), None)
    first = phase_line[0] if phase_line else project_turn()
    electrical = [line(0, "project", first, which=0, case="purchase_project_line")]
    if phase_line is not None:
        electrical.append(line(0, "phase", phase_line[0], phase=phase_line[1], which=1,
                               case="purchase_phase_line"))  # fmt: skip
    electrical += [line(5, "none", account="6800", case="purchase_skipped"),
                   line(0, "other", which=2, account="6800")]  # fmt: skip
    if sub_line is not None:
        subcontracting = line(2, "phase", sub_line[0], phase=sub_line[1], account="4450",
                              which=0, quantity=12)  # fmt: skip
    else:
        subcontracting = line(2, "project", project_turn(), account="4450", which=0, quantity=12)
    invoices = [
        # Electrical wholesale: a project line, a phase line, two lines that are no project's.
        PlannedInvoice(0, number(), when(), "accepted", tuple(electrical)),
        # Subcontracting (on a phase when the sample has phases enough).
        PlannedInvoice(2, number(), when(), "accepted", (subcontracting,)),
        # Entertainment: no VAT handling, the gross sum goes.
        PlannedInvoice(4, number(), when(), "accepted", (
            line(4, "project", project_turn(), account="7680", vat="NONE", quantity=4,
                 case="purchase_no_vat_line"),
        )),
        # Hardware for several projects, one invoice.
        PlannedInvoice(1, number(), when(), "accepted", tuple(
            line(1, "project", project_turn()) for _ in range(3)
        )),
        # Not yet accepted: in content check, and in approval.
        PlannedInvoice(0, number(), when(), "infactualverification",
                       (line(0, "project", project_turn()),), case="purchase_not_accepted"),
        PlannedInvoice(3, number(), when(), "approved",
                       (line(3, "project", project_turn(), which=0, quantity=3),),
                       case="purchase_not_accepted"),
        # Transferred, then changed; transferred, then deleted.
        PlannedInvoice(1, number(), when(), "accepted", (line(1, "project", project_turn()),),
                       after="change", case="purchase_changed"),
        PlannedInvoice(3, number(), when(), "accepted",
                       (line(3, "project", project_turn(), which=1, quantity=1),),
                       after="delete", case="purchase_deleted"),
        # Planted: an item Silta did not make; an unmapped account.
        PlannedInvoice(1, number(), when(), "accepted", (
            line(1, "foreign", case="purchase_item_not_silta"),
        )),
        PlannedInvoice(3, number(), when(), "accepted", (
            line(3, "project", project_turn(), account="7990", which=1, quantity=1,
                 case="purchase_product_missing"),
        )),
    ]  # fmt: skip
    if split is not None:
        # Planted: one line split over a project's item and another project's phase item.
        invoices.append(PlannedInvoice(2, number(), when(), "accepted", (
            line(2, "two_projects", split[0], phase=split[1], account="4450", which=1,
                 quantity=1, case="purchase_phase_not_in_project"),
        )))  # fmt: skip
    return PurchasePlan(
        account_products=_cost_products(sv),
        vendors=vendors,
        invoices=tuple(invoices),
        items=items,
        project_names={p.guid: p.name for p in projects},
        phase_labels=labels,
    )
