"""Routes of business units and reference data (scopes ``settings:read`` / ``settings:write``).

``GET /v1/businessunits`` (``BusinessUnits_GetBusinessUnits``, offset paging): ``active``,
``companyGuid``, ``companyCountryGuid`` (the sandbox has one company), ``code`` (exact),
``name`` (whole name, any letter case), ``textToSearch`` (part of the name, any letter case)
and ``changedSince`` (≥). ``sortings`` is ignored: units come in creation order.

Reference lists are plain arrays: ``/v1/localization/languages`` (``isInvoiceLanguage``),
``/v1/localization/countries``, ``/v1/vatrates`` (``countryGuid``, default the organisation's
country as the document says; ``active``).
"""

from __future__ import annotations

from .base import Answer, Call, Handler, Predicates, fold, found, offset_list, patched

__all__ = ["HANDLERS"]


def list_business_units(call: Call) -> Answer:
    query = call.query
    company = call.org.company
    filters = Predicates()
    active = query.boolean("active")
    filters.add("active", active, lambda r: r["isActive"] == active)
    company_guid = query.text("companyGuid")
    filters.add("companyGuid", company_guid, lambda r: company_guid == company.guid)
    country = query.text("companyCountryGuid")
    filters.add("companyCountryGuid", country, lambda r: country == company.country_guid)
    code = query.text("code")
    filters.add("code", code, lambda r: r["code"] == code)
    name = query.text("name")
    filters.add("name", name, lambda r: name is not None and fold(r["name"]) == fold(name))
    text = query.text("textToSearch")
    filters.add("textToSearch", text, lambda r: text is not None and fold(text) in fold(r["name"]))
    filters.changed_since(query.changed_since())
    return offset_list(call, call.org.business_unit_register, filters)


def get_business_unit(call: Call) -> Answer:
    units = call.org.business_unit_register
    return Answer(200, units.render(found(units, call.params["guid"])))


def patch_business_unit(call: Call) -> Answer:
    units = call.org.business_unit_register
    record = found(units, call.params["guid"])
    return patched(units, units.patch(record, call.body))


def list_languages(call: Call) -> Answer:
    invoice = call.query.boolean("isInvoiceLanguage")
    call.query.check()
    languages = call.org.reference.languages
    return Answer(
        200,
        [x.as_json() for x in languages if invoice is None or x.is_invoice_language == invoice],
    )


def list_countries(call: Call) -> Answer:
    reference = call.org.reference
    return Answer(200, [reference.country_json(country) for country in reference.countries])


def list_vat_rates(call: Call) -> Answer:
    country = call.query.text("countryGuid") or call.org.company.country_guid
    active = call.query.boolean("active")
    call.query.check()
    reference = call.org.reference
    return Answer(
        200,
        [
            reference.vat_rate_json(rate)
            for rate in reference.vat_rates
            if rate.country_guid == country and (active is None or rate.is_active == active)
        ],
    )


HANDLERS: dict[str, Handler] = {
    "BusinessUnits_GetBusinessUnits": list_business_units,
    "BusinessUnits_GetBusinessUnit": get_business_unit,
    "BusinessUnits_PatchBusinessUnit": patch_business_unit,
    "Languages_GetLanguages": list_languages,
    "Countries_GetCountries": list_countries,
    "VatRates_GetVatRates": list_vat_rates,
}
