"""The alternative forms of Netvisor's answers, one row per form (variance mode).

Each row names where ``shared/reference/netvisor-api.md`` shows the form, and rewrites a
rendered answer into it. Every rewrite keeps the answer's meaning: the same records, the
same values, only written the other way Netvisor writes them. The rewrites match whole
tags (text in an answer cannot hold ``<``), so no record's own text is ever changed.

What is deliberately not a form here: a record without ``NetvisorKey`` in a *list* answer
(nothing says which record it is, so a reader must refuse it: the answers would no longer
mean the same records). A gross price without the net one (``<UnitPrice type="brutto">``)
is a form only where the net price is whole cents and is what the gross price and the VAT
give to the cent: elsewhere the net price made from it would differ from Netvisor's own in
the last decimals, and the answer would no longer mean the same price.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

import attrs

from ..variance import Form, Variance, apply_forms

__all__ = ["FORMS", "Context", "vary"]


@attrs.frozen
class Context:
    """What a form may depend on: the resource answered and its query parameters."""

    resource: str
    params: Mapping[str, str]


XmlForm = Form[str, Context]

_PRICE_TYPE: Final = re.compile(r'<(UnitPrice|UnitGrossPrice)( type=")(net|gross)(")')
_SPELLINGS: Final = {
    "net": ("net", "Net", "NET", "netto", "Netto", "NETTO"),
    "gross": ("gross", "Gross", "GROSS", "brutto", "Brutto", "BRUTTO"),
}


def _price_types(xml: str, variance: Variance) -> str:
    def spell(match: re.Match[str]) -> str:
        tag, before, kind, after = match.groups()
        return f"<{tag}{before}{variance.choice(_SPELLINGS[kind])}{after}"

    return _PRICE_TYPE.sub(spell, xml)


_PRODUCT: Final = re.compile(r"<Product>.*?</Product>", re.DOTALL)
_PRICE_PAIR: Final = re.compile(
    r'<UnitPrice type="net">(-?\d+(?:,\d+)?)</UnitPrice>'
    r'<UnitGrossPrice type="gross">(-?\d+(?:,\d+)?)</UnitGrossPrice>'
)
_VAT: Final = re.compile(r"<DefaultVatPercent>(\d+(?:,\d+)?)</DefaultVatPercent>")
_CENT: Final = Decimal("0.01")


def _gross_only(xml: str, variance: Variance) -> str:
    def product(match: re.Match[str]) -> str:
        text = match[0]
        pair, vat = _PRICE_PAIR.search(text), _VAT.search(text)
        if pair is None or vat is None:
            return text
        net, gross, rate = (Decimal(x.replace(",", ".")) for x in (pair[1], pair[2], vat[1]))
        from_gross = (gross / (1 + rate / 100)).quantize(_CENT, rounding=ROUND_HALF_UP)
        if from_gross != net:
            return text
        kind = variance.choice(_SPELLINGS["gross"])
        return text.replace(pair[0], f'<UnitPrice type="{kind}">{pair[2]}</UnitPrice>')

    return _PRODUCT.sub(product, xml)


def _untyped_unit_price(xml: str, variance: Variance) -> str:
    # UnitPrice is net without a type (productlist.nv's rows never carry one).
    return xml.replace('<UnitPrice type="net">', "<UnitPrice>")


_NUMBER: Final = re.compile(
    r"<(UnitPrice|UnitGrossPrice|PurchasePrice|DefaultVatPercent|ComissionPercentage)"
    r'((?: [a-z]+="[^"]*")*)>(-?\d+),(\d+)</'
)


def _decimal_point(xml: str, variance: Variance) -> str:
    return _NUMBER.sub(r"<\1\2>\3.\4</", xml)


def _short_decimals(xml: str, variance: Variance) -> str:
    def shorten(match: re.Match[str]) -> str:
        tag, attributes, whole, fraction = match.groups()
        kept = fraction.rstrip("0").ljust(2, "0")
        return f"<{tag}{attributes}>{whole},{kept}</"

    return _NUMBER.sub(shorten, xml)


_EMPTY: Final = re.compile(r"<([A-Za-z]+)((?: [a-z]+=\"[^\"]*\")*) />")


def _empty_pairs(xml: str, variance: Variance) -> str:
    return _EMPTY.sub(r"<\1\2></\1>", xml)


def _empty_left_out(xml: str, variance: Variance) -> str:
    return _EMPTY.sub("", xml)


def _key_spelling(xml: str, variance: Variance) -> str:
    spelling = variance.choice(("Netvisorkey", "NetvisorKey", "NETVISORKEY"))
    return re.sub(r"<(/?)Netvisor[kK]ey>", rf"<\1{spelling}>", xml)


def _father_id(xml: str, variance: Variance) -> str:
    return xml.replace("<FatherId>", "<FatherID>").replace("</FatherId>", "</FatherID>")


def _bookkeeping(xml: str, variance: Variance) -> str:
    return xml.replace("ProductBookKeepingDetails>", "ProductBookkeepingDetails>")


_WORD: Final = re.compile(r"<IsHidden>(True|False)</IsHidden>")


def _boolean_words(xml: str, variance: Variance) -> str:
    def respell(match: re.Match[str]) -> str:
        word = match.group(1)
        return f"<IsHidden>{variance.choice((word, word.lower(), word.upper()))}</IsHidden>"

    return _WORD.sub(respell, xml)


def _country_untyped(xml: str, variance: Variance) -> str:
    return re.sub(r'<((?:Delivery)?Country|InvoicingLanguage) type="ISO-3166">', r"<\1>", xml)


def _no_declaration(xml: str, variance: Variance) -> str:
    return xml.split("?>", 1)[1].lstrip() if xml.startswith("<?xml") else xml


def _indented(xml: str, variance: Variance) -> str:
    return xml.replace("><", ">\n  <")


_STAMP: Final = re.compile(r"<TimeStamp>(\d{1,2})\.(\d{1,2})\.")


def _padded_timestamp(xml: str, variance: Variance) -> str:
    return _STAMP.sub(lambda m: f"<TimeStamp>{int(m[1]):02d}.{int(m[2]):02d}.", xml)


_SINGLE_KEY: Final = re.compile(
    r"(<(?:Customer|Product)BaseInformation>)<NetvisorKey>\d+</NetvisorKey>"
)


def _key_left_out(xml: str, variance: Variance) -> str:
    return _SINGLE_KEY.sub(r"\1", xml, count=1)


def _single(context: Context) -> bool:
    return context.resource in {"getcustomer.nv", "getproduct.nv"} and "id" in context.params


# -- purchase invoices (invoices.md §2.3) ----------------------------------------------------------


def _detail_key_name(xml: str, variance: Variance) -> str:
    # R reads the item's key as DimensionDetailNameNetvisorKey; the reference: "parse both".
    return xml.replace("DimensionDetailNetvisorKey>", "DimensionDetailNameNetvisorKey>")


_WHOLE_SUM: Final = re.compile(r"<(Sum|Payments|OpenSum)>(-?\d+),00</")


def _whole_sums(xml: str, variance: Variance) -> str:
    return _WHOLE_SUM.sub(r"<\1>\2</", xml)


_PURCHASE_NUMBER: Final = re.compile(
    r"<(Sum|Payments|OpenSum|PurchaseInvoiceAmount|PurchaseInvoicePaidAmount|"
    r"ForeignCurrencyAmount|LineSum|LineNetSum|VatPercent|DeliveredAmount|OrderedAmount|"
    r"DiscountPercentage)>(-?\d+),(\d+)</"
)


def _purchase_decimal_point(xml: str, variance: Variance) -> str:
    return _PURCHASE_NUMBER.sub(r"<\1>\2.\3</", xml)


_FLAG: Final = re.compile(
    r"<(IsAccounted|IsPurchaseInvoiceVendorBankAccountDeleted|"
    r"IsPurchaseInvoiceVendorBankAccountFromSEPARegion)>(True|False)</"
)


def _flag_words(xml: str, variance: Variance) -> str:
    def respell(match: re.Match[str]) -> str:
        tag, word = match.groups()
        return f"<{tag}>{variance.choice((word, word.lower(), word.upper()))}</"

    return _FLAG.sub(respell, xml)


def _purchase_list(context: Context) -> bool:
    return context.resource == "purchaseinvoicelist.nv"


def _purchase_details(context: Context) -> bool:
    return context.resource == "getpurchaseinvoice.nv"


def _purchases(context: Context) -> bool:
    return context.resource in {"purchaseinvoicelist.nv", "getpurchaseinvoice.nv"}


#: Every alternative form, in the order they are applied.
FORMS: Final[tuple[XmlForm, ...]] = (
    # first: the rewrites below change the tags this one looks for
    Form("NetvisorKey left out of an answer to id=", "issue 17 (older answers)", _key_left_out,
         _single),
    Form("DimensionDetailNameNetvisorKey", "invoices.md §2.3 (R's name; parse both)",
         _detail_key_name, _purchase_details),
    Form("whole sums without decimals", "invoices.md §2.3 (the list fixture's <Sum>25</Sum>)",
         _whole_sums, _purchase_list),
    Form("decimal point in purchase sums", "§3 (clients convert both ways)",
         _purchase_decimal_point, _purchases),
    Form("True/False flags in another case", "§3 (True/False or true/false)", _flag_words,
         _purchase_details),
    Form("only a gross price", "issue 17 (<UnitPrice type=\"brutto\">)", _gross_only),
    Form("price type in Finnish or another case", "§6.2, §6.3; issue 17", _price_types),
    Form("UnitPrice without a type", "§6.1 (productlist.nv has none)", _untyped_unit_price),
    Form("decimal point", "§3 (clients convert both ways)", _decimal_point),
    Form("fewer decimals", "§3 (42,5; 200,3)", _short_decimals),
    Form("empty element as a start-end pair", "§4.1, §6.1 (<ProductGroupID />)", _empty_pairs),
    Form("empty element left out", "§9.1 (empty and missing alike)", _empty_left_out),
    Form("NetvisorKey in another case", "§3 (Netvisorkey / NetvisorKey)", _key_spelling),
    Form("FatherID", "§7.1 (fixtures and the VB parser)", _father_id),
    Form("ProductBookkeepingDetails", "§6.2 (capital K or not)", _bookkeeping),
    Form("True/False in another case", "§3 (True/False or true/false)", _boolean_words),
    Form("country without its type", "§4.3 (Visma's generator)", _country_untyped),
    Form("no XML declaration", "§3", _no_declaration),
    Form("indented", "§4.1, §6.1 (Visma's Postman examples)", _indented),
    Form("zero-padded TimeStamp", "§3 (01.01.2018 12:00:00)", _padded_timestamp),
)  # fmt: skip


def vary(xml: str, variance: Variance, resource: str, params: Mapping[str, str]) -> str:
    """``xml`` in some of :data:`FORMS`, drawn from ``variance``."""
    return apply_forms(xml, FORMS, Context(resource, params), variance)
