"""Severa's project fees as the purchase-line transfer writes and reads them (issue 19).

``ProjectFeeInputModel`` is the body of ``POST /v1/projectfees`` (``fees:write``); only
``project`` is required by the document. The input model is strict as every input here:
only the document's properties, enumerations as the document spells them, ``None`` left
out of the body, money as ``MoneyInputModelWithNullableAmount`` (a currency is required).
Severa answers 201 with an array of ``ProjectFeeOutputModel``
(:class:`silta.severa.invoices.ProjectFee`).

``GET /v1/deletedprojectfees`` lists what was deleted, so that a fee a user deleted after
the transfer is reported rather than made again.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from silta.severa.models import GuidRef, MoneyInput, Number, Ref, Timestamp, _Read, _Write

__all__ = ["DeletedProjectFee", "ProjectFeeInput"]

ProductType = Literal["FixedFees", "Materials", "Subcontracting"]
BillingSchedule = Literal["Immediately", "OnDate", "WhenPhaseCompleted", "Recurring"]


class ProjectFeeInput(_Write):
    """``ProjectFeeInputModel``: a project fee (a cost row, "kulu") to create."""

    project: GuidRef
    phase: GuidRef | None = None
    product: GuidRef | None = None
    product_type: ProductType | None = None
    name: str | None = None
    description: str | None = None
    quantity: Number | None = None
    measurement_unit: str | None = None
    unit_cost: MoneyInput | None = None
    unit_price: MoneyInput | None = None
    vat_rate: Number | None = None
    event_date: dt.date | None = None
    is_billable: bool | None = None
    billing_schedule: BillingSchedule | None = None
    planned_billing_date: dt.date | None = None
    billing_dependency_phase: GuidRef | None = None
    display_period_start_date: dt.date | None = None
    user: GuidRef | None = None
    cost_center: GuidRef | None = None
    sales_account: GuidRef | None = None
    invoice: GuidRef | None = None
    invoice_row_description: str | None = None
    invoice_row_comment: str | None = None
    invoice_quantity: Number | None = None
    has_volume_pricing: bool | None = None


class DeletedProjectFee(_Read):
    """``DeletedProjectFeeModel``: what is left of a deleted fee."""

    guid: str | None = None
    name: str | None = None
    project: Ref | None = None
    phase: Ref | None = None
    product: Ref | None = None
    quantity: Decimal | None = None
    event_date: dt.date | None = None
    deleted_date_time: Timestamp | None = None
