"""The article's own words for the fields a run writes, for previews and run reports.

A record's diff names each field as the target system's model does (``post_number`` in
Netvisor, ``headquarters.postalCode`` in Severa); an accountant confirming a preview reads
the article's labels instead ("Postinumero"), in Finnish or English. One row per field a
diff can name; the Finnish words are the article's field tables' (Netvisor's column for
Netvisor's fields, Severa's for Severa's). A name without a row is shown as it is.
"""

from __future__ import annotations

from typing import Final

from silta.domain import Register

__all__ = [
    "ADDRESS_LABELS",
    "DETAIL_LABELS",
    "FIELD_LABELS",
    "PREFIX_LABELS",
    "detail_label",
    "field_label",
]

# diff field -> (Finnish, English)
FIELD_LABELS: Final[dict[str, tuple[str, str]]] = {
    # Netvisor's customer card (written Severa -> Netvisor): silta.netvisor.CustomerData
    "code": ("Asiakaskoodi", "Customer code"),
    "business_id": ("Y-tunnus", "Business ID"),
    "organization_unit_number": ("Toimipaikan numero", "Organisation unit number"),
    "name": ("Asiakkaan nimi", "Customer name"),
    "name_extension": ("Nimen tarkenne", "Name extension"),
    "street_address": ("Laskutusosoite", "Billing address"),
    "additional_address_line": ("Osoitteen lisärivi", "Additional address line"),
    "city": ("Postitoimipaikka", "City"),
    "post_number": ("Postinumero", "Postal code"),
    "country": ("Maa", "Country"),
    "group_name": ("Asiakasryhmä", "Customer group"),
    "phone_number": ("Puhelin", "Phone"),
    "fax_number": ("Telefax", "Fax"),
    "email": ("Sähköpostiosoite", "Email address"),
    "home_page_uri": ("Kotisivut", "Home page"),
    "is_active": ("Aktiivinen", "Active"),
    "is_private_customer": ("Yksityisasiakas", "Private customer"),
    "email_invoicing_address": ("Sähköpostilaskutusosoite", "E-mail invoicing address"),
    "finvoice_address": ("Verkkolaskuosoite", "E-invoice address"),
    "finvoice_router_code": ("Operaattoritunnus", "E-invoice operator"),
    "delivery_name": ("Toimipaikan nimi", "Delivery name"),
    "delivery_street_address": ("Toimitusosoite", "Delivery address"),
    "delivery_city": ("Toimitusosoitteen kaupunki", "Delivery city"),
    "delivery_post_number": ("Toimitusosoitteen postinumero", "Delivery postal code"),
    "delivery_country": ("Toimitusosoitteen maa", "Delivery country"),
    "comment": ("Kommentti", "Comment"),
    "invoicing_language": ("Laskun kieli", "Invoice language"),
    # Severa's customer (written Netvisor -> Severa): silta.registers.customers' JSON paths
    "number": ("Asiakasnumero", "Customer number"),
    "isActive": ("Aktiivinen", "Active"),
    "notes": ("Muistiinpanot", "Notes"),
    "website": ("Www-sivu", "Website"),
    "eInvoiceAddress": ("Verkkolaskuosoite", "E-invoice address"),
    "eInvoiceOperator": ("Välittäjän tunnus", "E-invoice operator"),
    "vatNumber": ("Y-tunnus", "Business ID"),
    "language/guid": ("Kieli", "Language"),
    "headquarterAddress": ("Pääkonttorin osoite", "Head-office address"),
    # a sales invoice as it would be in Netvisor (the invoice transfer's preview)
    "invoice.customer": ("Netvisorin asiakas", "Netvisor customer"),
    "invoice.vat": ("Arvonlisävero yhteensä", "VAT total"),
    "invoice.total": ("Laskun summa", "Invoice total"),
    "invoice.credits": ("Hyvitettävä lasku", "Credited invoice"),
    "invoice.severa_status": ("Laskun tila Severassa", "Invoice status in Severa"),
}
_LINE = ("Rivi", "Line")  # invoice.line.<n>: the invoice's n-th line

# A Severa address's fields come prefixed with the address they belong to ...
PREFIX_LABELS: Final[dict[str, tuple[str, str]]] = {
    "headquarters.": ("Pääkonttori", "Head office"),
    "delivery.": ("Postiosoite", "Postal address"),
}
# ... and are named after it in Severa's words (silta.registers.customers.to_severa_address).
ADDRESS_LABELS: Final[dict[str, tuple[str, str]]] = {
    "addressline": ("Osoite", "Address"),
    "postalCode": ("Postinumero", "Postal code"),
    "city": ("Kaupunki", "City"),
    "country/guid": ("Maa", "Country"),
    "phone": ("Puhelin", "Phone"),
    "fax": ("Faksi", "Fax"),
    "isBillingAddress": ("Laskutus-valinta", "Billing flag"),
    "isPostalAddress": ("Posti-valinta", "Post flag"),
}

# Where a register's diff uses a word in its own sense.
_REGISTER_LABELS: Final[dict[tuple[Register, str], tuple[str, str]]] = {
    (Register.DIMENSIONS, "name"): ("Laskentakohteen nimi", "Dimension item name"),
    (Register.PRODUCTS, "name"): ("Tuotenimike", "Product name"),
    (Register.PRODUCTS, "code"): ("Tuotekoodi", "Product code"),
}


def field_label(register: Register, field: str, language: str = "fi") -> str:
    """The article's label for a diff's field, in ``language`` (``fi`` or ``en``)."""
    index = 1 if language == "en" else 0
    for prefix, words in PREFIX_LABELS.items():
        if field.startswith(prefix):
            rest = field.removeprefix(prefix)
            part = ADDRESS_LABELS.get(rest)
            return f"{words[index]}: {part[index] if part else rest}"
    return _label(register, field, index)


def _label(register: Register, field: str, index: int) -> str:
    if field.startswith("invoice.line."):
        return f"{_LINE[index]} {field.removeprefix('invoice.line.')}"
    words = _REGISTER_LABELS.get((register, field)) or FIELD_LABELS.get(field)
    if words is None:
        return field
    return words[index]


# An entry's display facts (silta.store.Detail) -> (Finnish, English). The money registers
# add a row per fact they record; a key without a row is shown as it is.
DETAIL_LABELS: Final[dict[str, tuple[str, str]]] = {
    "customer": ("Asiakas", "Customer"),
    "total": ("Summa", "Total"),
    "number": ("Laskunumero", "Invoice number"),
    # issue 19: a project fee made from a purchase-invoice line, a travel report
    "project": ("Projekti", "Project"),
    "amount": ("Kulun summa", "Cost amount"),
    "invoice": ("Ostolasku", "Purchase invoice"),
    "vendor": ("Toimittaja", "Vendor"),
    "person": ("Henkilö", "Person"),
}


def detail_label(key: str, language: str = "fi") -> str:
    """The label of an entry's display fact ``key``, in ``language`` (``fi`` or ``en``)."""
    words = DETAIL_LABELS.get(key)
    if words is None:
        return key
    return words[1 if language == "en" else 0]
