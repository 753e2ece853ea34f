"""tripexpense.nv and getemployees.nv (``shared/reference/invoices.md`` §2.4; the rules are in
:mod:`..tripexpenses`).

* tripexpense.nv (POST): the body is validated against ``dtd/tripexpense.dtd`` (Silta's
  reconstruction), then by the rules; the answer is ``Replies/InsertedDataIdentifier`` with
  the new travel invoice's key. The reference lists the answer as not found: this is the shape
  of Netvisor's other imports (salesinvoice.nv, customer.nv), so a client that reads it there
  reads it here.
* getemployees.nv (GET): **not in the reference**; the shape is the public client R's
  (``Employees/Employee`` with ``EmployeeNumber``, ``NetvisorKey``, ``PersonalId``,
  ``FirstName``, ``LastName``, ``RealName``, ``EmploymentStatus``, ``PayrollService``,
  ``ResourceManagement``, flags as 1/0), so that a tester can see which employee numbers
  Netvisor has. ``includeendedemployments=1`` lists employees whose employment has ended too.
  Nothing found is ``<Employees />``.
"""

from __future__ import annotations

from typing import Final

from ..errors import invalid_data
from ..render import XmlWriter
from ..xmlio import parse_request
from .base import Answer, Call, Resource, write_answer

__all__ = ["RESOURCES"]

#: The largest body tripexpense.nv takes: 4 MB of attachments in base64 and the lines.
MAX_TRIP_BODY: Final = 12 * 1024 * 1024


def trip_expense_write(call: Call) -> Answer:
    """``POST tripexpense.nv``."""
    document = parse_request(call.body, call.content_type, "tripexpense", max_bytes=MAX_TRIP_BODY)
    org = call.organisation
    trip = org.travel.add(
        document,
        org.customer_register,
        org.dimension_register,
        language=call.language,
        now=call.now,
    )
    return write_answer(call.now, trip.key)


def get_employees(call: Call) -> Answer:
    """``GET getemployees.nv``."""
    ended = call.params.get("includeendedemployments", "").strip() or "0"
    if ended not in ("0", "1"):
        raise invalid_data(
            f"Virheellinen includeendedemployments: {ended} (0 tai 1)",
            f"Invalid includeendedemployments: {ended} (0 or 1)",
        )
    employees = [e for e in call.organisation.travel.employees() if e.active or ended == "1"]
    writer = XmlWriter()
    writer.open("Root")
    writer.status_ok(call.now)
    if not employees:
        writer.raw("<Employees />")
    else:
        leaf = writer.leaf
        writer.open("Employees")
        for employee in employees:
            writer.open("Employee")
            leaf("EmployeeNumber", employee.number)
            leaf("NetvisorKey", str(employee.key))
            attributes = {"type": "finnishpersonalidentifier"} if employee.personal_id else None
            leaf("PersonalId", employee.personal_id, attributes)
            leaf("FirstName", employee.first_name)
            leaf("LastName", employee.last_name)
            leaf("RealName", employee.name)
            leaf("EmploymentStatus", "1" if employee.active else "0")
            leaf("PayrollService", "1" if employee.payroll_service else "0")
            leaf("ResourceManagement", "1" if employee.resource_management else "0")
            writer.close("Employee")
        writer.close("Employees")
    writer.close("Root")
    return Answer(writer.document())


RESOURCES: Final = (
    Resource("tripexpense.nv", "POST", trip_expense_write),
    Resource("getemployees.nv", "GET", get_employees),
)
