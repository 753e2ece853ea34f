"""Direction changes confirmed before they write; stored settings made strict.

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-06 09:00:00+00:00

A migration is history: it must not import silta's models, whose shape will move on.

* ``register_holds``: a register whose settings changed what it writes waits here until a
  KH admin confirms a preview of its next run (``silta.confirmation``).
* ``tenants.confirmations_waived``: the operator's waiver of that, per tenant.
* Stored settings are repaired to what the strict reader takes (``silta.domain``): before
  it, ``dimensions = "false"`` in a tenant file was stored as text and read as *on*, and
  ``silta tenant set include_phases=2`` stored the number. An on/off value stored as text
  becomes the boolean its word means (``"false"``, ``"no"``, ``"off"``, ``"0"`` and empty
  are off), any other value the truth it had when the engine read it; other values out of
  their range are brought to the nearest allowed one (an interval to 1..1440 minutes, a
  name trimmed and cut to its limit, an unknown zone, currency, time or direction to its
  default). Every version is repaired, so the settings history can be read back too.
"""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None

_FLAGS = ("dimensions", "include_phases", "email_invoicing_channel", "persons_without_business_id")
_OFF_WORDS = {"false", "no", "off", "0", ""}
_DIRECTIONS = {
    "customers": ({"netvisor_to_severa", "severa_to_netvisor", "temp_customer"}, "temp_customer"),
    "products": ({"netvisor_to_severa", "severa_to_netvisor", "temp_product"}, "temp_product"),
}


def _flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value.strip().lower() not in _OFF_WORDS
    return bool(value)


def _zone(value: Any) -> str:
    try:
        if isinstance(value, str) and value and value == value.strip():
            ZoneInfo(value)
            return value
    except (ZoneInfoNotFoundError, ValueError, OSError):
        pass
    return "Europe/Helsinki"


def _name(value: Any, limit: int, default: str | None) -> str | None:
    if value is None:
        return default
    text = "".join(char for char in str(value) if char.isprintable()).strip()[:limit].strip()
    return text or default


def repair(settings: dict[str, Any]) -> dict[str, Any]:
    """``settings`` with every value one the strict reader takes (the rules above)."""
    fixed = dict(settings)
    for key in _FLAGS:
        if key in fixed:
            fixed[key] = _flag(fixed[key])
    for key, (allowed, direction) in _DIRECTIONS.items():
        if key in fixed and fixed[key] not in allowed:
            fixed[key] = direction
    for key in ("project_header", "business_unit_header"):
        if key in fixed:
            fixed[key] = _name(fixed[key], 50, None)
    if "product_group" in fixed:
        fixed["product_group"] = _name(fixed["product_group"], 200, "Severa")
    if "register_interval_minutes" in fixed:
        value = fixed["register_interval_minutes"]
        try:
            minutes = int(value) if not isinstance(value, bool) else 40
        except (TypeError, ValueError):
            minutes = 40
        fixed["register_interval_minutes"] = min(max(minutes, 1), 24 * 60)
    if "dimension_time" in fixed:
        value = fixed["dimension_time"]
        found = (
            re.match(r"([01][0-9]|2[0-3]):[0-5][0-9]", value) if isinstance(value, str) else None
        )
        fixed["dimension_time"] = found.group(0) if found else "02:00"
    if "timezone" in fixed:
        fixed["timezone"] = _zone(fixed["timezone"])
    if "currency" in fixed:
        value = fixed["currency"]
        upper = value.strip().upper() if isinstance(value, str) else ""
        fixed["currency"] = upper if re.fullmatch(r"[A-Z]{3}", upper) else "EUR"
    return fixed


def upgrade() -> None:
    op.create_table(
        "register_holds",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("register", sa.String(length=32), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("settings_version", sa.Integer(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("changed_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name="fk_register_holds_tenant_id_tenants",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "register", name="pk_register_holds"),
    )
    # a plain ADD COLUMN: batch mode would copy and drop the table, and on SQLite with
    # foreign keys on, dropping it deletes every tenant's rows in cascade
    op.add_column(
        "tenants",
        sa.Column("confirmations_waived", sa.Boolean(), nullable=False, server_default=sa.false()),
    )

    versions = sa.table(
        "settings_versions",
        sa.column("tenant_id", sa.Integer()),
        sa.column("version", sa.Integer()),
        sa.column("settings", sa.JSON()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(versions.c.tenant_id, versions.c.version, versions.c.settings)
    )
    for tenant_id, version, settings in rows.all():
        fixed = repair(settings)
        if fixed != settings:
            connection.execute(
                versions.update()
                .where(versions.c.tenant_id == tenant_id, versions.c.version == version)
                .values(settings=fixed)
            )


def downgrade() -> None:
    # the repaired settings stay repaired: the old reader takes them as they are
    op.drop_column("tenants", "confirmations_waived")  # SQLite 3.35+ (not batch: see above)
    op.drop_table("register_holds")
