"""What the test-setup readers return: a snapshot of one record as the API would show it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

import attrs

__all__ = ["KINDS", "Kind", "Record"]

#: The registers, as named in :meth:`Organisation.update` and :attr:`Record.kind`.
Kind = Literal["customer", "address", "product", "project", "phase", "business_unit"]
KINDS: tuple[Kind, ...] = ("customer", "address", "product", "project", "phase", "business_unit")


@attrs.frozen
class Record:
    """One record at the moment it was read, in the API's output shape.

    ``json`` is exactly what ``GET /v1/<kind>s/{guid}`` would answer at that moment
    (``CustomerModel``, ``AddressModel``, ``ProductOutputModel``, ``ProjectOutputModel``,
    ``PhaseOutputModel``, ``BusinessUnitModel``), so tests compare with the names of the
    contract; ``record["name"]`` reads a property. The stamps are also given as datetimes.

    Attributes:
        kind: the register.
        guid: the record's GUID.
        created_at: ``createdDateTime`` (aware, UTC).
        updated_at: ``lastUpdatedDateTime`` (aware, UTC).
        json: the output model JSON.
    """

    kind: Kind
    guid: str
    created_at: datetime
    updated_at: datetime
    json: Mapping[str, Any] = attrs.field(repr=False)

    def __getitem__(self, name: str) -> Any:
        return self.json[name]

    def get(self, name: str, default: Any = None) -> Any:
        """A property, or ``default`` when the model has no such property."""
        return self.json.get(name, default)
