"""The operations the sandbox serves, with the scope each needs: the route → scope table.

Written from the ``paths`` and the per-operation ``security`` blocks of Severa's OpenAPI
document (``severa-openapi.json``, "Severa Public Rest API Documentation" v1.0); the
document itself is not read at run time. Each row names its ``operationId``.

Paths are matched on what follows the sandbox's mount point, so the sandbox serves
``/v1/...`` wherever it is mounted (``https://api.severa.visma.com/rest-api`` in the tests,
``/severa`` in ``silta sandbox``). Like ASP.NET routing, literal segments match in any letter
case and one trailing slash is ignored. Path parameters are plain strings (the document types
every ``{guid}`` as ``string``): a value that names no record is a 404, not a 400.

Scopes are compared exactly: **settled** that ``customers:write`` does not imply
``customers:read`` (the document lists the two as separate scopes and every operation names
one).

Operations the document declares on these paths but the sandbox does not serve (the DELETEs
of addresses, projects and phases, ``POST /v1/vatrates``; creating and deleting travel
reimbursements, deleting their statuses, writing travel expense types) answer 405 with an
``ExceptionModel`` saying so - a silent success would lie. Customers and products can be
deleted (204, as the document says), so that a tester can clean up after a run. The document
has no ``POST /v1/businessunits`` (business units are created in Severa's UI), so neither has
the sandbox: business units are set up with ``org.put_business_unit`` or the control API.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final, Literal

import attrs

__all__ = ["OPERATIONS", "UNSERVED", "Match", "Operation", "match_route"]

Kind = Literal["token", "refresh", "open", "data"]


@attrs.frozen
class Operation:
    """One operation of the document that the sandbox serves.

    Attributes:
        method: the HTTP method.
        template: the path template, as in the document (counted in stats under this name).
        scope: the OAuth2 scope the document's ``security`` block requires; ``None`` for the
            ``NoScope`` operations.
        operation_id: the document's ``operationId``.
        kind: ``token``/``refresh`` (authentication routes), ``open`` (no authentication at
            all) or ``data`` (bearer token and ``Client_Id`` required).
    """

    method: str
    template: str
    scope: str | None
    operation_id: str
    kind: Kind = "data"


def _op(method: str, template: str, scope: str | None, operation_id: str) -> Operation:
    return Operation(method, template, scope, operation_id)


#: Every served operation. Order does not matter: templates never overlap.
OPERATIONS: Final[tuple[Operation, ...]] = (
    # -- authentication (tag NoScope) -----------------------------------------------------
    Operation("POST", "/v1/token", None, "PublicBearerAuthentication_GetLoginToken", kind="token"),
    Operation(
        "POST",
        "/v1/refreshtoken",
        None,
        "PublicBearerAuthentication_GetAccessTokenTokenFromRefreshToken",
        kind="refresh",
    ),
    Operation("GET", "/heartbeat/server", None, "HeartBeat_GetServerStatus", kind="open"),
    _op("GET", "/heartbeat/authorized", None, "HeartBeat_GetAuthorization"),
    # -- customers and addresses (CustomersRead / CustomersWrite) --------------------------
    _op("GET", "/v1/customers", "customers:read", "Customers_GetCustomers"),
    _op("POST", "/v1/customers", "customers:write", "Customers_PostCustomer"),
    _op("GET", "/v1/customers/{guid}", "customers:read", "Customers_GetCustomer"),
    _op("PATCH", "/v1/customers/{guid}", "customers:write", "Customers_PatchCustomer"),
    _op("DELETE", "/v1/customers/{guid}", "customers:delete", "Customers_DeleteCustomer"),
    _op(
        "GET",
        "/v1/customers/{customerGuid}/addresses",
        "customers:read",
        "Addresses_GetCustomerAddresses",
    ),
    _op(
        "POST",
        "/v1/customers/{customerGuid}/addresses",
        "customers:write",
        "Addresses_PostCustomerAddress",
    ),
    _op("GET", "/v1/addresses", "customers:read", "Addresses_GetAddresses"),
    _op("GET", "/v1/addresses/{guid}", "customers:read", "Addresses_GetAddress"),
    _op("PATCH", "/v1/addresses/{guid}", "customers:write", "Addresses_PatchAddress"),
    # -- products (SettingsRead / SettingsWrite) ------------------------------------------
    _op("GET", "/v1/products", "settings:read", "Products_GetProducts"),
    _op("POST", "/v1/products", "settings:write", "Products_PostProduct"),
    _op("GET", "/v1/products/{guid}", "settings:read", "Products_GetProduct"),
    _op("PATCH", "/v1/products/{guid}", "settings:write", "Products_PatchProduct"),
    _op("DELETE", "/v1/products/{guid}", "settings:delete", "Products_DeleteProduct"),
    # -- projects and phases (ProjectsRead / ProjectsWrite) -------------------------------
    _op("GET", "/v1/projects", "projects:read", "Projects_GetProjects"),
    _op("POST", "/v1/projects", "projects:write", "Projects_PostProject"),
    _op("GET", "/v1/projects/{guid}", "projects:read", "Projects_GetProject"),
    _op("PATCH", "/v1/projects/{guid}", "projects:write", "Projects_PatchProject"),
    _op(
        "GET",
        "/v1/projects/{guid}/phaseswithhierarchy",
        "projects:read",
        "Phases_GetProjectPhases",
    ),
    _op("GET", "/v1/phases", "projects:read", "Phases_GetPhases"),
    _op("POST", "/v1/phases", "projects:write", "Phases_PostPhase"),
    _op("GET", "/v1/phases/{guid}", "projects:read", "Phases_GetPhase"),
    _op("PATCH", "/v1/phases/{guid}", "projects:write", "Phases_PatchPhase"),
    # -- business units (SettingsRead / SettingsWrite) ------------------------------------
    _op("GET", "/v1/businessunits", "settings:read", "BusinessUnits_GetBusinessUnits"),
    _op("GET", "/v1/businessunits/{guid}", "settings:read", "BusinessUnits_GetBusinessUnit"),
    _op("PATCH", "/v1/businessunits/{guid}", "settings:write", "BusinessUnits_PatchBusinessUnit"),
    # -- users (UsersRead): the owners a tester's projects need, travellers' codes ---------
    _op("GET", "/v1/users", "users:read", "Users_GetUsers"),
    _op("GET", "/v1/users/{guid}", "users:read", "Users_GetUser"),
    # -- project fees (FeesRead / FeesWrite / FeesDelete) ---------------------------------
    _op("GET", "/v1/projectfees", "fees:read", "ProjectFees_GetProjectFeesByToken"),
    _op("POST", "/v1/projectfees", "fees:write", "ProjectFees_PostProjectFee"),
    _op("GET", "/v1/projectfees/{guid}", "fees:read", "ProjectFees_GetProjectFee"),
    _op("PATCH", "/v1/projectfees/{guid}", "fees:write", "ProjectFees_PatchProjectFee"),
    _op("DELETE", "/v1/projectfees/{guid}", "fees:delete", "ProjectFees_DeleteProjectFree"),
    _op(
        "GET",
        "/v1/projects/{projectGuid}/projectfees",
        "fees:read",
        "ProjectFees_GetProjectFeesForProject",
    ),
    _op("GET", "/v1/deletedprojectfees", "fees:read", "ProjectFees_GetDeletedProjectFees"),
    # -- travel reimbursements (TravelsRead / TravelsWrite), their statuses and types ------
    _op(
        "GET",
        "/v1/travelreimbursements",
        "travels:read",
        "TravelReimbursements_GetTravelReimbursements",
    ),
    _op(
        "GET",
        "/v1/travelreimbursements/{guid}",
        "travels:read",
        "TravelReimbursements_GetTravelReimbursement",
    ),
    _op(
        "PATCH",
        "/v1/travelreimbursements/{guid}",
        "travels:write",
        "TravelReimbursements_PatchTravelReimbursement",
    ),
    _op(
        "GET",
        "/v1/travelreimbursements/{travelReimbursementGuid}/projecttravelexpenses",
        "travels:read",
        "ProjectTravelExpenses_GetProjectTravelExpensesForTravelReimbursement",
    ),
    _op(
        "GET",
        "/v1/travelreimbursementstatuses",
        "settings:read",
        "TravelReimbursementStatus_GetTravelReimbursementStatuses",
    ),
    _op(
        "POST",
        "/v1/travelreimbursementstatuses",
        "settings:write",
        "TravelReimbursementStatus_PostTravelReimbursementStatus",
    ),
    _op(
        "GET",
        "/v1/travelreimbursementstatuses/{guid}",
        "settings:read",
        "TravelReimbursementStatus_GetTravelReimbursementStatus",
    ),
    _op(
        "PATCH",
        "/v1/travelreimbursementstatuses/{guid}",
        "settings:write",
        "TravelReimbursementStatus_PatchTravelReimbursementStatus",
    ),
    _op(
        "GET", "/v1/travelexpensetypes", "settings:read", "TravelExpenseTypes_GetTravelExpenseTypes"
    ),
    _op(
        "GET",
        "/v1/travelexpensetypes/{guid}",
        "settings:read",
        "TravelExpenseTypes_GetTravelExpenseType",
    ),
    # -- the travel expenses' files (FilesRead) --------------------------------------------
    _op(
        "GET",
        "/v1/projecttravelexpenses/{projectTravelExpenseGuid}/files",
        "files:read",
        "Files_GetTravelExpenseFiles",
    ),
    _op("GET", "/v1/projecttravelexpensefiles/{guid}", "files:read", "Files_GetTravelExpenseFile"),
    _op("GET", "/v1/files/{guid}/filedata", "files:read", "FileData_GetDataForFile"),
    _op(
        "GET",
        "/v1/users/{userGuid}/travelexpensesfiles",
        "files:read",
        "Files_GetUsersTravelExpensesFiles",
    ),
    # -- reference data (SettingsRead) ----------------------------------------------------
    _op("GET", "/v1/localization/languages", "settings:read", "Languages_GetLanguages"),
    _op("GET", "/v1/localization/countries", "settings:read", "Countries_GetCountries"),
    _op("GET", "/v1/vatrates", "settings:read", "VatRates_GetVatRates"),
    # -- invoices, their rows and drill-downs (InvoicesRead / InvoicesWrite) ---------------
    _op("GET", "/v1/invoices", "invoices:read", "Invoices_GetInvoices"),
    _op("GET", "/v1/invoices/{guid}", "invoices:read", "Invoices_GetInvoice"),
    _op("PATCH", "/v1/invoices/{guid}", "invoices:write", "Invoices_PatchInvoice"),
    _op(
        "GET",
        "/v1/invoices/{invoiceGuid}/invoicerows",
        "invoices:read",
        "InvoiceRows_GetInvoiceRowsForInvoice",
    ),
    _op(
        "GET",
        "/v1/invoices/{invoiceGuid}/invoicesettings",
        "invoices:read",
        "InvoiceSettings_GetInvoiceSettings",
    ),
    _op(
        "GET",
        "/v1/invoices/{invoiceGuid}/projectfees",
        "invoices:read",
        "ProjectFees_GetInvoiceProjectFees",
    ),
    _op(
        "GET",
        "/v1/invoices/{invoiceGuid}/workhours",
        "invoices:read",
        "WorkHours_GetInvoiceWorkHours",
    ),
    _op(
        "GET",
        "/v1/invoices/{invoiceGuid}/projecttravelexpenses",
        "invoices:read",
        "ProjectTravelExpenses_GetInvoiceProjectTravelExpenses",
    ),
    _op("GET", "/v1/invoicerows/{guid}", "invoices:read", "InvoiceRows_GetInvoiceRow"),
    _op(
        "GET",
        "/v1/invoicerows/{invoiceRowGuid}/projectfees",
        "invoices:read",
        "ProjectFees_GetInvoiceRowProjectFees",
    ),
    _op(
        "GET",
        "/v1/invoicerows/{invoiceRowGuid}/workhours",
        "invoices:read",
        "WorkHours_GetInvoiceRowWorkHours",
    ),
    _op(
        "GET",
        "/v1/invoicerows/{invoiceRowGuid}/projecttravelexpenses",
        "invoices:read",
        "ProjectTravelExpenses_GetInvoiceRowProjectTravelExpenses",
    ),
    _op(
        "GET",
        "/v1/customers/{customerGuid}/customercountrysettings",
        "customers:read",
        "CustomerCountrySettings_GetCustomerCountrySettings",
    ),
    # -- invoice statuses (SettingsRead / SettingsWrite) -----------------------------------
    _op("GET", "/v1/invoicestatuses", "settings:read", "InvoiceStatuses_GetInvoiceStatuses"),
    _op("POST", "/v1/invoicestatuses", "settings:write", "InvoiceStatuses_PostInvoiceStatus"),
    _op("GET", "/v1/invoicestatuses/{guid}", "settings:read", "InvoiceStatuses_GetInvoiceStatus"),
    _op(
        "PATCH",
        "/v1/invoicestatuses/{guid}",
        "settings:write",
        "InvoiceStatuses_PatchInvoiceStatus",
    ),
)

#: Declared by the document on served paths, answered 405 by the sandbox (see above).
UNSERVED: Final[tuple[tuple[str, str], ...]] = (
    ("DELETE", "/v1/addresses/{guid}"),
    ("DELETE", "/v1/projects/{guid}"),
    ("DELETE", "/v1/phases/{guid}"),
    ("POST", "/v1/vatrates"),
    ("POST", "/v1/travelreimbursements"),
    ("DELETE", "/v1/travelreimbursements/{guid}"),
    ("DELETE", "/v1/travelreimbursementstatuses/{guid}"),
    ("POST", "/v1/travelexpensetypes"),
    ("PATCH", "/v1/travelexpensetypes/{guid}"),
    ("DELETE", "/v1/travelexpensetypes/{guid}"),
)


def _compile(template: str) -> re.Pattern[str]:
    pattern = ""
    for segment in template.strip("/").split("/"):
        if segment.startswith("{") and segment.endswith("}"):
            pattern += rf"/(?P<{segment[1:-1]}>[^/]+)"
        else:
            pattern += "/" + re.escape(segment)
    return re.compile(rf"^{pattern}/?$", re.IGNORECASE)


_TEMPLATES: Final[dict[str, re.Pattern[str]]] = {
    template: _compile(template)
    for template in sorted({op.template for op in OPERATIONS} | {t for _, t in UNSERVED})
}
_BY_METHOD: Final[dict[tuple[str, str], Operation]] = {
    (op.method, op.template): op for op in OPERATIONS
}


@attrs.frozen
class Match:
    """What a request path matched.

    Attributes:
        template: the matched template.
        operation: the served operation for the request's method, or ``None`` (405).
        params: the path parameters, percent-decoded by Starlette.
        allowed: the methods the template serves (for the ``Allow`` header of a 405).
    """

    template: str
    operation: Operation | None
    params: dict[str, str]
    allowed: Sequence[str]


def match_route(method: str, path: str) -> Match | None:
    """The route for ``path`` (relative to the mount, with or without a leading slash)."""
    path = "/" + path.lstrip("/")
    for template, pattern in _TEMPLATES.items():
        found = pattern.match(path)
        if found is not None:
            allowed = sorted(m for (m, t) in _BY_METHOD if t == template)
            return Match(
                template=template,
                operation=_BY_METHOD.get((method.upper(), template)),
                params=found.groupdict(),
                allowed=allowed,
            )
    return None
