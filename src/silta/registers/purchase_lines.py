"""Netvisor purchase-invoice lines as Severa project fees: the rules, pure (issue 19).

``reference/invoices.md`` §1.4 (what Visma's own integration does) and §5.12 (settled).
:func:`map_invoice` takes one purchase invoice as ``getpurchaseinvoice.nv`` gave it, the
KH's settings and what the dimension register knows (:class:`PurchaseLookups`), and gives
per line the exact ``POST /v1/projectfees`` body (:class:`FeePlan`), a refusal, or a quiet
skip. Nothing here does I/O.

The rules, one function or table each:

* **Which lines** (:func:`map_line`): a line is a project cost when it carries an item under
  the project header that Silta created for a Severa project or phase. "Created by Silta" is
  decided by the item's **Netvisor key** in the dimension register's links, never by its
  name (a user's item called "100 Pilvi" is not Silta's). :func:`silta_items` turns those
  links and the header's item tree into :class:`SiltaItem` values. A line with nothing under
  the project header is an ordinary purchase and is skipped without a word; an item under
  the header that Silta did not make is refused (``purchase_lines.item_not_silta``); items
  naming two projects (a phase of another project) are refused
  (``purchase_lines.phase_not_in_project``).
* **Which product** (:meth:`PurchaseLineSettings.product_for`): the KH's product for the
  line's accounting account, else the KH's cost product; none is
  ``purchase_lines.product_missing``.
* **Which amount** (:data:`PURCHASE_VAT_CODES`, :func:`fee_amounts`): Netvisor's rule for
  its own integration (N-PI): a line whose VAT code is deductible (``KOOS``...) goes as net,
  a line without VAT handling (``–``, ``NONE``) as gross, the cost the company bears. The
  quantity is ``DeliveredAmount`` (1 when there is none), the unit cost the line's sum over
  it, so quantity × unit cost is the line's sum to the cent.
* **Billing** (:class:`CostMethod`): "cost only" is not billable and carries no price;
  "re-bill" is billable at the unit cost plus the KH's markup.
* **Name and marker** (:func:`fee_name`, :func:`fee_marker`): vendor, invoice number, line
  text and ``[NV <invoice key>/<line key>]``. Severa has no field for an outside key, so
  the marker is how a fee is found again after an unknown outcome (:func:`find_fee`).
* **Once** (:func:`line_fingerprint`, :func:`changed_after_transfer`): a fee is created
  once and never updated or deleted by Silta; a line changed (or deleted) in Netvisor after
  its transfer is reported in the run, not sent again.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Literal

import attrs

from silta import netvisor, severa
from silta.domain import Refusal
from silta.registers.dimensions import Kind
from silta.registers.finnish import round_cents
from silta.registers.invoice_notices import Notice
from silta.registers.purchase_line_settings import CostMethod, PurchaseLineSettings
from silta.registers.rules import Rule, fill, refuse

__all__ = [
    "FEE_NAME_MAX",
    "NOTICES",
    "PURCHASE_VAT_CODES",
    "CostMethod",
    "FeePlan",
    "LineMapping",
    "PurchaseLineSettings",
    "PurchaseLookups",
    "PurchaseVat",
    "SiltaItem",
    "changed_after_transfer",
    "cost_basis",
    "deleted_after_transfer",
    "fee_amounts",
    "fee_marker",
    "fee_name",
    "find_fee",
    "invoice_label",
    "line_fingerprint",
    "line_key",
    "map_invoice",
    "map_line",
    "marker_key",
    "notice",
    "rekeyed",
    "silta_items",
]

_ZERO = Decimal(0)
_ONE = Decimal(1)
_HUNDRED = Decimal(100)


# -- VAT: net or gross (N-PI) ------------------------------------------------------------------


@attrs.frozen
class PurchaseVat:
    """One Netvisor VAT code on a purchase line, and whether its VAT is deducted."""

    code: str
    deductible: bool
    fi: str
    en: str
    source: str


#: The codes whose VAT the company deducts: the cost is the net sum. N-PI names KOOS; the
#: others are Netvisor's purchase codes (netvisor-api.md §6.3 lists them without meanings),
#: read as the purchases on which the buyer accounts for and deducts the VAT [INFERRED].
#: Every code not listed (NONE, the "–" of "no VAT handling", sales codes, codes not known)
#: goes gross: the cost is what was paid, as N-PI says for "–".
PURCHASE_VAT_CODES: tuple[PurchaseVat, ...] = (
    PurchaseVat("KOOS", True, "kotimaan ostot", "domestic purchases", "N-PI"),
    PurchaseVat("EUOS", True, "tavaraostot EU:sta", "goods bought from the EU", "[INFERRED]"),
    PurchaseVat("EUPO", True, "palveluostot EU:sta", "services bought from the EU", "[INFERRED]"),
    PurchaseVat("EUUO", True, "muut ostot EU:sta (0 %)", "other EU purchases (0 %)", "[INFERRED]"),
    PurchaseVat(
        "RAOS", True, "rakentamispalvelujen ostot", "construction services bought", "[INFERRED]"
    ),
    PurchaseVat("MAAL", True, "maahantuonti", "imports", "[INFERRED]"),
    PurchaseVat("NONE", False, "ei ALV-käsittelyä", "no VAT handling", "N-PI ('–')"),
)
_DEDUCTIBLE = frozenset(vat.code for vat in PURCHASE_VAT_CODES if vat.deductible)
_NO_VAT = frozenset({"", "-", "–", "—", "NONE"})


def cost_basis(vat_code: str | None) -> Literal["net", "gross"]:
    """N-PI: net when the line's VAT code is deductible, else gross (no VAT handling, and
    every code not known to be deductible)."""
    code = (vat_code or "").strip().upper()
    if code in _NO_VAT:
        return "gross"
    return "net" if code in _DEDUCTIBLE else "gross"


def _line_total(line: netvisor.PurchaseInvoiceLine, basis: Literal["net", "gross"]) -> Decimal:
    """The line's sum on ``basis``, to the cent; derived from the other sum and the VAT
    percentage when Netvisor left it out (the fixture's net sum has four decimals)."""
    rate = (line.vat_percent or _ZERO) / _HUNDRED
    net, gross = line.line_net_sum, line.line_sum
    if basis == "net":
        if net is None and gross is not None:
            net = gross / (_ONE + rate)
        value = net
    else:
        if gross is None and net is not None:
            gross = net * (_ONE + rate)
        value = gross
    if value is None and line.unit_price is not None:
        value = line.unit_price * _quantity(line)
    return round_cents(value if value is not None else _ZERO)


def _quantity(line: netvisor.PurchaseInvoiceLine) -> Decimal:
    delivered = line.delivered_amount
    return delivered if delivered is not None and delivered != 0 else _ONE


def fee_amounts(line: netvisor.PurchaseInvoiceLine) -> tuple[Decimal, Decimal, Decimal]:
    """(quantity, unit cost, line cost) of the fee a line becomes.

    The unit cost is the line's sum (net or gross by :func:`cost_basis`) over the quantity:
    to the cent when that divides evenly, else to six decimals, so that Severa's quantity ×
    unit cost comes back to the line's sum. The quantity is ``DeliveredAmount``, or 1.
    """
    quantity = _quantity(line)
    total = _line_total(line, cost_basis(line.vat_code))
    unit = total / quantity
    cents = round_cents(unit)
    unit = cents if cents * quantity == total else unit.quantize(Decimal("0.000001"))
    return quantity, unit, total


# -- Silta's items -----------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class SiltaItem:
    """A dimension item under the project header that Silta made for a Severa project or
    phase: its Netvisor key, what it stands for in Severa, and the project it belongs to."""

    netvisor_key: int
    severa_guid: str
    kind: Kind
    project_guid: str
    name: str
    project_name: str  # the project's item name, for texts


def silta_items(
    links: Mapping[int, str],
    header: netvisor.DimensionHeader,
    *,
    phase_projects: Mapping[str, str] | None = None,
) -> dict[int, SiltaItem]:
    """The project header's items that Silta made, by Netvisor key.

    ``links`` are the dimension register's confirmed links, Netvisor item key → Severa GUID
    (of a project, a phase or a business unit). Only keys under ``header`` count. A
    top-level item is a project; an item below one is a phase, whose project is the one
    ``phase_projects`` names (Severa's own word, when the adapter read it) or else the
    linked top-level item above it in Netvisor's tree, where the dimension register put it.
    A phase whose project cannot be told is left out: it cannot select a project.
    """
    by_key = {item.netvisor_key: item for item in header.items}
    project_items = {guid: by_key[key].name for key, guid in links.items() if key in by_key}
    found: dict[int, SiltaItem] = {}
    for key, guid in links.items():
        item = by_key.get(key)
        if item is None:
            continue
        top, seen = item, {item.netvisor_key}
        while top.father_id and top.father_id in by_key and top.father_id not in seen:
            seen.add(top.father_id)
            top = by_key[top.father_id]
        if not item.father_id:
            found[key] = SiltaItem(
                netvisor_key=key, severa_guid=guid, kind=Kind.PROJECT, project_guid=guid,
                name=item.name, project_name=item.name,
            )  # fmt: skip
            continue
        project = (phase_projects or {}).get(guid) or (
            links.get(top.netvisor_key) if not top.father_id else None
        )
        if project is None:
            continue
        found[key] = SiltaItem(
            netvisor_key=key, severa_guid=guid, kind=Kind.PHASE, project_guid=project,
            name=item.name, project_name=project_items.get(project, top.name),
        )  # fmt: skip
    return found


# -- keys, markers, names ----------------------------------------------------------------------


def line_key(invoice_key: int, line_key: int) -> str:
    """The register's natural key of a line: ``"<purchase invoice key>/<line key>"``."""
    return f"{invoice_key}/{line_key}"


def fee_marker(key: str) -> str:
    """The stable marker a fee's name carries: ``[NV 2001/7001]``."""
    return f"[NV {key}]"


_MARKER = re.compile(r"\[NV (\d+)/(\d+)\]")


def marker_key(name: str | None) -> str | None:
    """The line key a fee's name carries, if any (the last marker, should there be two)."""
    found = _MARKER.findall(name or "")
    return f"{found[-1][0]}/{found[-1][1]}" if found else None


#: Severa's document gives no length for a fee's name; this keeps it to what a list can
#: show, and the marker is never cut: the line text gives way first, then the vendor.
FEE_NAME_MAX = 200


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def fee_name(vendor: str | None, number: str | None, text: str | None, key: str) -> str:
    """``"<vendor> <invoice number> <line text> [NV <key>]"``, at most :data:`FEE_NAME_MAX`."""
    marker = fee_marker(key)
    head = " ".join(part for part in (_one_line(vendor), _one_line(number)) if part)
    body = _one_line(text)
    room = FEE_NAME_MAX - len(marker) - 1
    if len(head) > room // 2 and len(head) + 1 + len(body) > room:
        head = head[: max(room // 2 - 1, 0)].rstrip() + "…"
    text_room = room - len(head) - (1 if head else 0)
    if len(body) > text_room:
        body = body[: max(text_room - 1, 0)].rstrip() + "…"
    return " ".join(part for part in (head, body, marker) if part)


def find_fee(fees: Iterable[severa.ProjectFee], key: str) -> severa.ProjectFee | None:
    """The fee made for line ``key``, found by the marker in its name (the lookup before any
    re-send). The first when there are several: a duplicate is the adapter's to report."""
    for fee in fees:
        if marker_key(fee.name) == key:
            return fee
    return None


def invoice_label(invoice: netvisor.PurchaseInvoice) -> str:
    """``"<number> (<vendor>)"``, as texts and the run history name a purchase invoice."""
    number = invoice.number or str(invoice.netvisor_key)
    return f"{number} ({invoice.vendor_name})" if invoice.vendor_name else number


def _line_text(line: netvisor.PurchaseInvoiceLine) -> str | None:
    parts = [p for p in (_one_line(line.product_name), _one_line(line.description)) if p]
    return " ".join(dict.fromkeys(parts)) or None


# -- the mapping -------------------------------------------------------------------------------


@attrs.frozen(kw_only=True)
class PurchaseLookups:
    """What the adapter knows before mapping.

    Attributes:
        items: Silta's items under the project header (:func:`silta_items`).
        project_header: the tenant's project header, by name.
        project_header_key: its Netvisor key, when known (a line's dimension may carry
            either; both are compared).
        currency: the company's currency, which Severa's money needs.
        severa_products: the GUIDs of Severa's products, when read; a chosen product not
            among them is refused like a missing one. ``None``: not checked.
    """

    items: Mapping[int, SiltaItem] = attrs.field(factory=dict)
    project_header: str | None = None
    project_header_key: int | None = None
    currency: str = "EUR"
    severa_products: frozenset[str] | None = None


@attrs.frozen(kw_only=True)
class FeePlan:
    """The fee to create for one line; ``fingerprint`` is kept with the link."""

    key: str
    marker: str
    project: str
    phase: str | None
    fee: severa.ProjectFeeInput
    fingerprint: str


@attrs.frozen(kw_only=True)
class LineMapping:
    """The outcome for one line: a fee to create, refusals, or a quiet skip (``skip``)."""

    key: str
    label: str
    plan: FeePlan | None = None
    refusals: tuple[Refusal, ...] = ()
    skip: str | None = None

    @property
    def refused(self) -> bool:
        return bool(self.refusals)


def _under_project_header(
    dimension: netvisor.PurchaseLineDimension, lookups: PurchaseLookups
) -> bool:
    if lookups.project_header_key is not None and dimension.header_key is not None:
        return dimension.header_key == lookups.project_header_key
    return lookups.project_header is not None and dimension.header == lookups.project_header


def _line_label(position: int, line: netvisor.PurchaseInvoiceLine) -> str:
    text = _line_text(line)
    return f"{position} ({text})" if text else str(position)


def map_invoice(
    invoice: netvisor.PurchaseInvoice, settings: PurchaseLineSettings, lookups: PurchaseLookups
) -> list[LineMapping]:
    """Every line of one purchase invoice, in order (see :func:`map_line`)."""
    return [
        map_line(invoice, line, position, settings, lookups)
        for position, line in enumerate(invoice.lines, 1)
    ]


def map_line(
    invoice: netvisor.PurchaseInvoice,
    line: netvisor.PurchaseInvoiceLine,
    position: int,
    settings: PurchaseLineSettings,
    lookups: PurchaseLookups,
) -> LineMapping:
    """One line as the Severa project fee to create, a refusal, or a quiet skip.

    Every rule is checked, so a refused line lists everything there is to fix.
    """
    key = line_key(invoice.netvisor_key, line.netvisor_key)
    label = f"{invoice_label(invoice)} / {_line_label(position, line)}"
    status = invoice.approval_status
    if status in netvisor.PURCHASE_INVOICE_STATUSES and status != settings.invoice_status:
        return LineMapping(key=key, label=label, skip=f"invoice status {status}")
    under = [d for d in line.dimensions if _under_project_header(d, lookups)]
    if not under:
        return LineMapping(key=key, label=label, skip="no project item")  # an ordinary purchase
    shown = {"invoice": invoice_label(invoice), "line": _line_label(position, line)}
    refusals: list[Refusal] = []
    mine: list[SiltaItem] = []
    for dimension in under:
        item = lookups.items.get(dimension.item_key) if dimension.item_key is not None else None
        if item is None:
            refusals.append(refuse("purchase_lines.item_not_silta", **shown,
                                   header=dimension.header or lookups.project_header,
                                   item=dimension.item or dimension.item_key))  # fmt: skip
        elif item not in mine:
            mine.append(item)
    project, phase = _project_and_phase(mine, shown, refusals)
    product = settings.product_for(line.account)
    known = lookups.severa_products
    if product is None or (known is not None and product not in known):
        account = " ".join(p for p in (line.account, line.account_name) if p)
        why_fi = [f"tili {account}"] if account else []
        why_en = [f"account {account}"] if account else []
        if product is not None:
            why_fi.append("valittua tuotetta ei ole Severassa")
            why_en.append("the chosen product is not in Severa")
        refusals.append(refuse(
            "purchase_lines.product_missing", **shown,
            account_fi=f" ({'; '.join(why_fi)})" if why_fi else "",
            account_en=f" ({'; '.join(why_en)})" if why_en else "",
        ))  # fmt: skip
    if refusals or project is None or product is None:
        return LineMapping(key=key, label=label, refusals=tuple(refusals))
    quantity, unit_cost, _total = fee_amounts(line)
    currency = lookups.currency.upper()
    rebill = settings.method is CostMethod.REBILL
    unit_price = (
        round_cents(unit_cost * (_ONE + settings.markup_percent / _HUNDRED)) if rebill else None
    )
    fee = severa.ProjectFeeInput(
        project=severa.GuidRef(guid=project.project_guid),
        phase=severa.GuidRef(guid=phase.severa_guid) if phase is not None else None,
        product=severa.GuidRef(guid=product),
        name=fee_name(invoice.vendor_name, invoice.number, _line_text(line), key),
        description=_line_text(line),
        quantity=quantity,
        measurement_unit=_one_line(line.unit) or None,
        unit_cost=severa.MoneyInput(amount=unit_cost, currency_code=currency),
        unit_price=(
            severa.MoneyInput(amount=unit_price, currency_code=currency) if rebill else None
        ),
        event_date=invoice.date or invoice.event_date,
        is_billable=rebill,
    )
    plan = FeePlan(
        key=key,
        marker=fee_marker(key),
        project=project.project_guid,
        phase=phase.severa_guid if phase is not None else None,
        fee=fee,
        fingerprint=line_fingerprint(invoice, line),
    )
    return LineMapping(key=key, label=label, plan=plan)


def _project_and_phase(
    items: Sequence[SiltaItem], shown: Mapping[str, str], refusals: list[Refusal]
) -> tuple[SiltaItem | None, SiltaItem | None]:
    """The line's project (its project item, else its phase's) and phase; a refusal for
    each item of another project, and for a second phase (one line, one phase)."""
    if not items:
        return None, None
    projects = [item for item in items if item.kind is Kind.PROJECT]
    base = projects[0] if projects else items[0]
    phase: SiltaItem | None = None
    for item in items:
        if item.project_guid != base.project_guid or (
            item.kind is Kind.PHASE and phase is not None
        ):
            refusals.append(refuse("purchase_lines.phase_not_in_project", **shown,
                                   item=item.name, project=base.project_name))  # fmt: skip
        elif item.kind is Kind.PHASE:
            phase = item
    return base, phase


# -- changed or deleted after transfer ---------------------------------------------------------


def _plain(value: object) -> object:
    return format(value.normalize(), "f") if isinstance(value, Decimal) else value


def line_fingerprint(invoice: netvisor.PurchaseInvoice, line: netvisor.PurchaseInvoiceLine) -> str:
    """A digest of what Netvisor says of one line and of the invoice around it.

    Kept with the link when the fee is made and compared when the line is read again
    (§5.12): Silta never updates the fee, it reports that the line changed.
    """
    shape = {
        "invoice": [invoice.number, invoice.date.isoformat() if invoice.date else None,
                    invoice.vendor_key, invoice.vendor_name],
        "line": [_plain(line.line_sum), _plain(line.line_net_sum), _plain(line.unit_price),
                 _plain(line.delivered_amount), _plain(line.vat_percent), line.vat_code,
                 line.description, line.product_code, line.product_name, line.account],
        # By key: renaming an item or a header in Netvisor is no change of the line.
        "dimensions": sorted(f"{d.header_key if d.header_key is not None else d.header}:"
                             f"{d.item_key}" for d in line.dimensions),
    }  # fmt: skip
    canonical = json.dumps(shape, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def rekeyed(invoice: netvisor.PurchaseInvoice, transferred: Mapping[int, str]) -> dict[int, int]:
    """Lines that are transferred lines under a new key: new line key -> old line key.

    ``transferred`` maps this invoice's transferred line keys to their stored
    fingerprints. Posting a purchase invoice (``purchaseinvoicepostingdata.nv``) replaces
    its lines, so their keys may change (invoices.md §2.3 [INFERRED]); a new line whose
    fingerprint (which leaves the key out) is that of a transferred line now gone is the
    same line, not a new cost. Each old line is matched at most once, in line order.
    """
    present = {line.netvisor_key for line in invoice.lines}
    gone = {key: print_ for key, print_ in transferred.items() if key not in present}
    matched: dict[int, int] = {}
    for line in invoice.lines:
        if line.netvisor_key in transferred:
            continue
        digest = line_fingerprint(invoice, line)
        for old, stored in gone.items():
            if stored == digest and old not in matched.values():
                matched[line.netvisor_key] = old
                break
    return matched


_NOTICES = (
    Rule(
        "purchase_lines.changed_after_transfer",
        "line",
        "invoices.md §5.12",
        "Ostolaskun {invoice} riviä {line} on muutettu Netvisorissa sen jälkeen, kun se "
        "siirtyi Severaan kuluksi {fee}: Silta ei muuta siirrettyä kulua, korjaa se Severassa",
        "Line {line} of purchase invoice {invoice} was changed in Netvisor after it became "
        "the Severa cost {fee}; Silta does not change a transferred cost, correct it in Severa",
    ),
    Rule(
        "purchase_lines.deleted_after_transfer",
        "line",
        "invoices.md §5.12",
        "Ostolasku {invoice} on poistettu Netvisorista tai sen rivi {line} puuttuu, mutta se "
        "siirtyi Severaan kuluksi {fee}: Silta ei poista siirrettyä kulua, poista se Severassa",
        "Purchase invoice {invoice} was deleted in Netvisor, or its line {line} is gone, but it "
        "became the Severa cost {fee}; Silta does not delete a transferred cost, delete it in "
        "Severa",
    ),
    Rule(
        "purchase_lines.fee_deleted_in_severa",
        "fee",
        "invoices.md §5.12",
        "Ostolaskun {invoice} rivistä {line} tehty kulu {fee} on poistettu Severasta: Silta ei "
        "tee sitä uudelleen",
        "The cost {fee} made from line {line} of purchase invoice {invoice} was deleted in "
        "Severa; Silta does not make it again",
    ),
)
NOTICES: Mapping[str, Rule] = {rule.id: rule for rule in _NOTICES}


def notice(rule_id: str, **values: object) -> Notice:
    """The :class:`Notice` of ``rule_id`` (a purchase-line notice) filled from ``values``."""
    message_fi, message_en = fill(NOTICES[rule_id], **values)
    return Notice(rule=rule_id, message_fi=message_fi, message_en=message_en)


def changed_after_transfer(
    stored: str,
    invoice: netvisor.PurchaseInvoice,
    line: netvisor.PurchaseInvoiceLine,
    *,
    position: int,
    fee: str | None,
) -> Notice | None:
    """§5.12: the notice for a transferred line whose fingerprint moved (``None``: same)."""
    if line_fingerprint(invoice, line) == stored:
        return None
    return notice("purchase_lines.changed_after_transfer", invoice=invoice_label(invoice),
                  line=_line_label(position, line), fee=fee)  # fmt: skip


def deleted_after_transfer(invoice: str, line: str | None, fee: str | None) -> Notice:
    """§5.12: the notice for a transferred line whose invoice (or the line) is gone from
    Netvisor (``deletedpurchaseinvoices.nv``, or a re-read without it)."""
    return notice("purchase_lines.deleted_after_transfer", invoice=invoice, line=line, fee=fee)
