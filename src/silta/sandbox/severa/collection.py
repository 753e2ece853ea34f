"""What every register shares: the create and patch flow, reference checks, time stamps.

A register (:mod:`.customers`, :mod:`.products` ...) is a :class:`Collection` subclass that
names its input model's fields and overrides a few hooks. A write goes:

1. the body is read (:func:`~.validation.read_body`) or the patch parsed and converted
   (:func:`~.patch.parse_patch`), collecting every ``InvalidParameter`` problem;
2. references are checked (each ``{guid}`` must name an existing record of its kind) and the
   register's own parameter rules run (:meth:`Collection.rules`);
3. any problem → 400 ``InvalidParameter`` with all of them; nothing is written;
4. uniqueness (:meth:`Collection.unique`) → 400 ``InvalidOperation`` naming the value;
5. :meth:`Collection.complete` fills what the server decides (numbers, closing dates);
6. the record is stored and :meth:`Collection.after` does the side effects (a project's root
   phase).

All of it is synchronous: a request cancelled by its client never leaves half a write.

**Time stamps (settled).** A create sets ``createdDateTime`` and ``lastUpdatedDateTime`` to
the sandbox clock; an effective change bumps ``lastUpdatedDateTime``. A PATCH that changes
nothing answers 200 with the record as it was and bumps nothing. A record's stamp moves only
when the record itself is written: what it *shows* of another record (a customer's
``headquarterAddress`` lines, a project's ``customer.name``) can change without moving it -
so a client that reads changes by ``changedSince`` must read addresses as well as customers.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import attrs

from .errors import Detail, invalid_parameters
from .fields import Field, FieldError, Kind, Status, convert, convert_member
from .patch import parse_patch
from .store import Register, Stored
from .validation import read_body

if TYPE_CHECKING:
    from .organisation import Organisation

__all__ = ["Collection", "Written"]

#: How a reference target is named in messages.
_TARGET_NAMES: dict[str, str] = {
    "vatRate": "VAT rate",
    "businessUnit": "business unit",
    "productCategory": "product category",
    "salesAccount": "sales account",
    "costCenter": "cost center",
    "invoiceTemplate": "invoice template",
    "salesStatusType": "sales status type",
    "projectStatusType": "project status type",
    "phaseStatusType": "phase status type",
    "workType": "work type",
    "leadSource": "lead source",
    "countryRegion": "country region",
}


@attrs.frozen
class Written:
    """The outcome of a write: the record, and the body properties that were ignored."""

    record: Stored
    ignored: tuple[str, ...] = ()
    changed: bool = True


class Collection(abc.ABC):
    """One register of one organisation. Subclasses set the class attributes.

    Attributes:
        kind: the register's name in :meth:`Organisation.update` and messages.
        model: the input model's name in the document (for messages).
        fields: the input model's writable fields.
        read_only: output properties that are not writable (PATCH → 400 "read-only").
    """

    kind: ClassVar[str]
    model: ClassVar[str]
    fields: ClassVar[tuple[Field, ...]]
    read_only: ClassVar[frozenset[str]] = frozenset(
        {"guid", "createdDateTime", "createdBy", "lastUpdatedDateTime", "lastUpdatedBy"}
    )

    def __init__(self, org: Organisation) -> None:
        self.org = org
        self.register = self.make_register()

    def make_register(self) -> Register:
        """The register with this kind's indexes."""
        return Register(self.kind)

    def new_guid(self) -> str:
        """The GUID of a new record: from the organisation's id source unless a register
        keeps its own (so adding a register does not move the GUIDs of the others)."""
        return self.org.new_guid()

    # -- hooks -----------------------------------------------------------------------------

    def adopt(self, values: dict[str, Any], context: Mapping[str, Any]) -> list[Detail]:
        """Fold what the route says (a path's customer) into a new record's values."""
        return []

    def rules(self, values: dict[str, Any], old: Stored | None) -> list[Detail]:
        """The register's own ``InvalidParameter`` rules on the would-be values; may derive
        values the rules settle (a phase's project from its parent)."""
        return []

    def unique(self, values: Mapping[str, Any], old: Stored | None) -> None:
        """Raise ``InvalidOperation`` when a unique value is taken."""
        return None  # by default: nothing to check, fill in or do

    def complete(self, values: dict[str, Any], old: Stored | None) -> None:
        """Fill in what the server decides (numbers, dates) just before storing."""
        return None  # by default: nothing to check, fill in or do

    def after(self, new: Stored, old: Stored | None) -> None:
        """Side effects of a stored write."""
        return None  # by default: nothing to check, fill in or do

    @abc.abstractmethod
    def render(self, record: Stored) -> dict[str, Any]:
        """The output model JSON of ``record``; every register renders its own model."""

    # -- the flow --------------------------------------------------------------------------

    def create(self, body: object, context: Mapping[str, Any] | None = None) -> Written:
        """Create a record from a POST body (or a helper's equivalent).

        Raises:
            SeveraFailure: 400 ``InvalidParameter`` / ``InvalidOperation``.
        """
        values, problems, ignored = read_body(self.fields, body, self.model)
        if not problems:
            problems += self.adopt(values, context or {})
        if not problems:
            problems += self._references(values, None)
            problems += self.rules(values, None)
        if problems:
            raise invalid_parameters(problems)
        self.unique(values, None)
        self._status_records(values, None)
        self.complete(values, None)
        record = self.register.add(self.new_guid(), values, self.org.now(), self.org.user)
        self.after(record, None)
        return Written(record, tuple(ignored))

    def patch(self, record: Stored, body: object) -> Written:
        """Apply a JSON Patch body to ``record``.

        Raises:
            SeveraFailure: 400 ``InvalidParameter`` / ``InvalidOperation``.
        """
        changes, problems = parse_patch(self.fields, self.read_only, body, self.model)
        values = dict(record.values)
        currency = self.org.settings.currency_code
        for change in changes:
            try:
                if change.member is None:
                    value = convert(change.field, change.value, lenient=True)
                else:
                    value = convert_member(
                        change.field,
                        change.member,
                        change.value,
                        values[change.field.name],
                        currency,
                    )
            except FieldError as error:
                problems.append(Detail(error.message, error.name))
                continue
            values[change.field.name] = value
        if not problems:
            problems += self._references(values, record)
            problems += self.rules(values, record)
        if problems:
            raise invalid_parameters(problems)
        self._status_records(values, record)
        if values == dict(record.values):
            return Written(record, changed=False)
        self.unique(values, record)
        self.complete(values, record)
        new = self.register.replace(record, values, self.org.now(), self.org.user)
        self.after(new, record)
        return Written(new)

    def delete(self, record: Stored) -> None:
        """Delete ``record`` (the routes that may: customers and products).

        Raises:
            SeveraFailure: 400 ``InvalidOperation`` when something still needs it.
        """
        self.register.remove(record)

    def _references(self, values: Mapping[str, Any], old: Stored | None) -> list[Detail]:
        problems = []
        for field in self.fields:
            if field.target is None or field.kind not in (Kind.REF, Kind.STATUS):
                continue
            value = values[field.name]
            if old is not None and old.values[field.name] == value:
                continue
            guid = value.type_guid if isinstance(value, Status) else value
            if guid is not None and not self.org.exists(field.target, guid):
                what = _TARGET_NAMES.get(field.target, field.target)
                name = field.name if field.flat else f"{field.name}.{field.key}"
                problems.append(Detail(f"There is no {what} with guid '{guid}'.", name))
        for field in self.fields:
            if field.kind is Kind.MONEY and values[field.name] is not None:
                code = values[field.name].currency
                if self.org.reference.currency_by_code(code) is None:
                    name = f"{field.name}.currencyCode"
                    problems.append(Detail(f"Unknown currency code '{code}'.", name))
        return problems

    def _status_records(self, values: dict[str, Any], old: Stored | None) -> None:
        """A status entry gets its own GUID, new whenever its type changes."""
        for field in self.fields:
            if field.kind is not Kind.STATUS:
                continue
            status = values[field.name]
            if not isinstance(status, Status):
                continue
            before = None if old is None else old.values[field.name]
            if status.type_guid is None:
                values[field.name] = None  # a description without a status type is no status
            elif isinstance(before, Status) and before.type_guid == status.type_guid:
                values[field.name] = attrs.evolve(status, record=before.record)
            else:
                values[field.name] = attrs.evolve(status, record=self.org.new_guid())

    # -- reading ---------------------------------------------------------------------------

    def get(self, guid: str) -> Stored | None:
        """The record with ``guid``."""
        return self.register.get(guid)

    def render_many(self, records: Sequence[Stored]) -> list[dict[str, Any]]:
        """Output JSON of several records."""
        return [self.render(record) for record in records]
