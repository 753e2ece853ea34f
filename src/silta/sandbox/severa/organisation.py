"""One Severa organisation: its registers, reference data, settings, faults and counters.

The test-setup helpers here (``put_customer``, ``update``, ``touch`` ...) bypass the API: they
need no token, pass no rate limit, inject no fault and count nothing - but they go through the
same validation and rules as the API (a helper call the API would refuse raises the same
:class:`~.errors.SeveraFailure`), so what a test sets up is data Severa could hold.

Helper fields are the JSON names of the input model (``vatNumber``, ``isActive``,
``headquarterAddress``). For convenience a reference may be given as its bare GUID string
(``language=org.language("fi").guid``) as well as ``{"guid": ...}``; a name that is not a
writable property of the model is a :class:`TypeError` (a typo in a test must not pass
silently, although the API ignores unknown properties).
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import attrs

from ..variance import Variance
from .addresses import Addresses
from .businessunits import BusinessUnits
from .collection import Collection
from .customers import Customers
from .faults import SeveraFaults
from .fields import Kind as FieldKind
from .invoicing import Invoicing
from .phases import Phases
from .products import Products
from .projectfees import ProjectFees
from .projects import Projects
from .records import KINDS, Kind, Record
from .reference import (
    Country,
    Currency,
    Language,
    ReferenceData,
    ReferenceItem,
    User,
    VatRate,
    seed_reference_data,
)
from .stats import OrganisationStats
from .store import Stored
from .times import Clock
from .travel import Travel

if TYPE_CHECKING:
    from .auth import TokenStore

__all__ = ["Company", "Organisation", "OrganisationSettings", "slug"]


@attrs.define
class OrganisationSettings:
    """Organisation settings the sandbox honours (``/v1/organizationsettings`` in Severa).

    Attributes:
        is_identical_phase_codes_allowed: phases of one project may share a code.
        next_customer_number: the number the next customer without one gets.
        next_project_number: the number the next project without one gets.
        currency_code: the organisation's currency (defaults for customers, projects, money).
    """

    is_identical_phase_codes_allowed: bool = False
    next_customer_number: int = 1
    next_project_number: int = 1
    currency_code: str = "EUR"


@attrs.frozen
class Company:
    """The organisation's company (legal entity) and the root of its business units."""

    guid: str
    name: str
    root_business_unit: str
    country_guid: str
    currency_guid: str


def slug(name: str) -> str:
    """``"Demo Oy"`` → ``"demo-oy"``: an organisation id fit for a URL."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower().translate(str.maketrans("äöå", "aoa")))
    return text.strip("-") or "organisation"


class Organisation:
    """State of one Severa organisation.

    Attributes:
        id: the organisation id (a slug of its name unless given).
        name: the organisation's (and its company's) name.
        faults: this organisation's :class:`SeveraFaults`; assign a new one to change them.
        stats: this organisation's :class:`~.stats.OrganisationStats`.
        rng: the random source of every fault draw of this organisation.
        variance: in variance mode, which alternative forms its answers take
            (:mod:`.variance`); ``None`` answers in the one form.
        settings: :class:`OrganisationSettings`.
        reference: the seeded :class:`~.reference.ReferenceData`.
        company: the :class:`Company`.
        customer_register ... business_unit_register: the registers (used by the API;
            tests normally use the helpers).
        invoicing: invoice statuses, invoices and rows, the entries they bill, customers'
            country settings, with their own helpers (:class:`~.invoicing.Invoicing`).
        project_fees: the project fees of ``/v1/projectfees`` and the deleted ones
            (:class:`~.projectfees.ProjectFees`).
        travel: travel reimbursements, their statuses and expenses, travel expense types,
            the expenses' files, with their own helpers (:class:`~.travel.Travel`).
    """

    def __init__(
        self,
        organisation_id: str,
        name: str,
        *,
        clock: Clock,
        seed: int,
        faults: SeveraFaults,
        tokens: TokenStore,
    ) -> None:
        self.id = organisation_id
        self.name = name
        self.faults = faults
        self.stats = OrganisationStats()
        self.rng = random.Random(f"{seed}:{organisation_id}")
        self.variance: Variance | None = None
        self.settings = OrganisationSettings()
        self._clock = clock
        self._tokens = tokens
        self._ids = random.Random(f"{seed}:{organisation_id}:guids")
        # Users added later draw from a source of their own: no other GUID moves.
        self._user_ids = random.Random(f"{seed}:{organisation_id}:users")
        self.reference: ReferenceData = seed_reference_data(self.new_guid, clock())
        self.user: str | None = self.reference.users[0].guid
        home = self.reference.countries[0]
        self.company = Company(
            guid=self.new_guid(),
            name=name,
            root_business_unit=self.new_guid(),
            country_guid=home.guid,
            currency_guid=home.currency.guid,
        )
        self.customer_register = Customers(self)
        self.address_register = Addresses(self)
        self.product_register = Products(self)
        self.project_register = Projects(self)
        self.phase_register = Phases(self)
        self.business_unit_register = BusinessUnits(self)
        root = {field.name: field.default for field in self.business_unit_register.fields}
        root["name"] = name
        self.business_unit_register.register.add(
            self.company.root_business_unit, root, clock(), self.user
        )
        self.invoicing = Invoicing(self, seed)
        self.project_fees = ProjectFees(self, seed)
        self.travel = Travel(self, seed)

    def __repr__(self) -> str:
        return f"<Severa organisation {self.id}: {len(self.customer_register.register)} customers>"

    # -- what the registers use ------------------------------------------------------------

    def now(self) -> datetime:
        """The sandbox clock."""
        return self._clock()

    def new_guid(self) -> str:
        """A fresh GUID from this organisation's own id source (deterministic per seed)."""
        return str(uuid.UUID(int=self._ids.getrandbits(128), version=4))

    @property
    def default_currency(self) -> Currency:
        """The organisation's currency."""
        currency = self.reference.currency_by_code(self.settings.currency_code)
        assert currency is not None, self.settings.currency_code
        return currency

    @property
    def default_pricelist(self) -> ReferenceItem | None:
        """The price list every project gets."""
        return next(iter(self.reference.items["pricelist"].values()), None)

    def exists(self, target: str, guid: str) -> bool:
        """Whether ``guid`` names a record or reference entry of kind ``target``."""
        collection = {
            "customer": self.customer_register,
            "address": self.address_register,
            "product": self.product_register,
            "project": self.project_register,
            "phase": self.phase_register,
            "businessUnit": self.business_unit_register,
        }.get(target)
        if collection is not None:
            return collection.get(guid) is not None
        return self.reference.exists(target, guid)

    def collection(self, kind: Kind) -> Collection:
        """The register of ``kind``."""
        collections: dict[str, Collection] = {
            "customer": self.customer_register,
            "address": self.address_register,
            "product": self.product_register,
            "project": self.project_register,
            "phase": self.phase_register,
            "business_unit": self.business_unit_register,
        }
        try:
            return collections[kind]
        except KeyError:
            raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}") from None

    def expire_tokens(self) -> int:
        """Make every access token issued for this organisation invalid now."""
        return self._tokens.expire(organisation=self.id)

    # -- reference data --------------------------------------------------------------------

    @property
    def languages(self) -> tuple[Language, ...]:
        """``/v1/localization/languages``: fi (suomi), en (englanti), sv (ruotsi)."""
        return self.reference.languages

    @property
    def countries(self) -> tuple[Country, ...]:
        """``/v1/localization/countries``: FI, SE, EE, DE, NO, DK, GB, US."""
        return self.reference.countries

    @property
    def vat_rates(self) -> tuple[VatRate, ...]:
        """``/v1/vatrates``: Finland's 25.5 (default), 14, 13.5, 10, 0 and the old 24
        (inactive), and Sweden's rates."""
        return self.reference.vat_rates

    @property
    def users(self) -> tuple[User, ...]:
        """The organisation's users; the first one is the API user that writes records."""
        return self.reference.users

    def language(self, code: str) -> Language:
        """The language with ISO code ``code`` (``fi``)."""
        return next(x for x in self.languages if x.code == code)

    def country(self, code2: str) -> Country:
        """The country with ISO code ``code2`` (``FI``)."""
        return next(x for x in self.countries if x.code2 == code2)

    def vat_rate(self, percentage: float, country: str = "FI") -> VatRate:
        """The VAT rate of ``country`` with ``percentage``."""
        country_guid = self.country(country).guid
        return next(
            x
            for x in self.vat_rates
            if x.percentage == percentage and x.country_guid == country_guid
        )

    def reference_items(self, target: str) -> list[ReferenceItem]:
        """Entries of a UI-managed list (``productCategory``, ``salesAccount``, ``industry``,
        ``invoiceTemplate``, ``salesStatusType`` ...)."""
        return list(self.reference.items[target].values())

    # -- setup helpers ---------------------------------------------------------------------

    def put_customer(self, name: str, number: int | None = None, **fields: Any) -> str:
        """Create a customer (``CustomerModel`` fields); returns its GUID."""
        return self._put("customer", {"name": name, "number": number, **fields})

    def put_address(self, customer_guid: str, **fields: Any) -> str:
        """Create an address of a customer (``AddressModel`` fields); returns its GUID."""
        if self.customer_register.get(customer_guid) is None:
            raise KeyError(customer_guid)
        return self._put("address", fields, {"customer": customer_guid})

    def put_product(self, name: str, code: str | None = None, **fields: Any) -> str:
        """Create a product (``ProductInputModel`` fields); returns its GUID."""
        return self._put("product", {"name": name, "code": code, **fields})

    def put_project(
        self,
        name: str,
        customer_guid: str,
        number: int | None = None,
        business_unit_guid: str | None = None,
        **fields: Any,
    ) -> str:
        """Create a project and its root phase; returns the project's GUID.

        ``projectOwner`` defaults to the organisation's first user.
        """
        body = {"name": name, "customer": customer_guid, "number": number, **fields}
        body.setdefault("projectOwner", self.users[0].guid)
        if business_unit_guid is not None:
            body["businessUnit"] = business_unit_guid
        return self._put("project", body)

    def put_phase(
        self,
        project_guid: str,
        name: str,
        code: str | None = None,
        parent_guid: str | None = None,
        **fields: Any,
    ) -> str:
        """Create a phase of a project; the parent defaults to the project's root phase."""
        if parent_guid is None:
            root = self.phase_register.root_of(project_guid)
            if root is None:
                raise KeyError(project_guid)
            parent_guid = root.guid
        body = {"name": name, "code": code, "parentPhase": parent_guid, **fields}
        body.setdefault("project", project_guid)
        return self._put("phase", body)

    def put_business_unit(
        self, name: str, code: str | None = None, parent_guid: str | None = None, **fields: Any
    ) -> str:
        """Create a business unit; the parent defaults to the company's root unit."""
        parent = parent_guid or self.company.root_business_unit
        return self._put(
            "business_unit", {"name": name, "code": code, "parentGuid": parent, **fields}
        )

    def put_user(self, first_name: str, last_name: str, code: str, email: str | None = None) -> str:
        """Add a user whose ``code`` is their employee number (travel invoices find the
        Netvisor employee by it); returns the user's GUID. A code in use is a ValueError."""
        if any(user.code == code for user in self.reference.users):
            raise ValueError(f"user code {code!r} is taken")
        user = User(str(uuid.UUID(int=self._user_ids.getrandbits(128), version=4)),
                    first_name, last_name, code, email)  # fmt: skip
        self.reference = attrs.evolve(self.reference, users=(*self.reference.users, user))
        return user.guid

    def update(self, kind: Kind, guid: str, **fields: Any) -> Record:
        """Replace fields of a record as a PATCH would (same conversions and rules).

        Bumps ``lastUpdatedDateTime`` when something changed. Nested members are not
        reachable by name here; give the whole object (``unitPrice={"amount": 1,
        "currencyCode": "EUR"}``) or a reference's GUID.

        Raises:
            KeyError: no such record.
            SeveraFailure: the API would refuse the change.
        """
        collection = self.collection(kind)
        record = collection.get(guid)
        if record is None:
            raise KeyError(guid)
        body = self._helper_body(collection, fields)
        operations = [{"op": "replace", "path": f"/{name}", "value": v} for name, v in body.items()]
        written = collection.patch(record, operations)
        return self._snapshot(kind, collection, written.record)

    def rename(self, kind: Kind, guid: str, name: str) -> Record:
        """``update(kind, guid, name=name)``."""
        return self.update(kind, guid, name=name)

    def touch(self, kind: Kind, guid: str, at: datetime | None = None) -> Record:
        """Set a record's ``lastUpdatedDateTime`` (default: now), changing nothing else."""
        collection = self.collection(kind)
        record = collection.get(guid)
        if record is None:
            raise KeyError(guid)
        touched = collection.register.touch(record, at or self.now())
        return self._snapshot(kind, collection, touched)

    def _put(
        self, kind: Kind, fields: Mapping[str, Any], context: Mapping[str, Any] | None = None
    ) -> str:
        collection = self.collection(kind)
        body = self._helper_body(collection, fields)
        return collection.create(body, context).record.guid

    @staticmethod
    def _helper_body(collection: Collection, fields: Mapping[str, Any]) -> dict[str, Any]:
        by_name = {field.name: field for field in collection.fields}
        unknown = sorted(set(fields) - set(by_name))
        if unknown:
            raise TypeError(f"not writable {collection.model} properties: {', '.join(unknown)}")
        body: dict[str, Any] = {}
        for name, value in fields.items():
            field = by_name[name]
            if field.kind is FieldKind.REF and not field.flat and isinstance(value, str):
                value = {field.key: value}
            body[name] = value
        return body

    # -- readers ---------------------------------------------------------------------------

    def _snapshot(self, kind: Kind, collection: Collection, record: Stored) -> Record:
        return Record(
            kind=kind,
            guid=record.guid,
            created_at=record.created_at,
            updated_at=record.updated_at,
            json=collection.render(record),
        )

    def _all(self, kind: Kind) -> list[Record]:
        collection = self.collection(kind)
        return [self._snapshot(kind, collection, record) for record in collection.register]

    def _one(self, kind: Kind, guid: str) -> Record | None:
        collection = self.collection(kind)
        record = collection.get(guid)
        return None if record is None else self._snapshot(kind, collection, record)

    def customers(self) -> list[Record]:
        """Every customer, in creation order."""
        return self._all("customer")

    def customer(self, guid: str) -> Record | None:
        """The customer with ``guid``, or ``None``."""
        return self._one("customer", guid)

    def customer_by_number(self, number: int) -> Record | None:
        """The customer with ``number``, or ``None``."""
        record = self.customer_register.by_number(number)
        return None if record is None else self._one("customer", record.guid)

    def addresses(self, customer_guid: str | None = None) -> list[Record]:
        """Every address (or one customer's), in creation order."""
        if customer_guid is None:
            return self._all("address")
        return [
            self._snapshot("address", self.address_register, record)
            for record in self.address_register.of_customer(customer_guid)
        ]

    def address(self, guid: str) -> Record | None:
        """The address with ``guid``, or ``None``."""
        return self._one("address", guid)

    def products(self) -> list[Record]:
        """Every product, in creation order."""
        return self._all("product")

    def product(self, guid: str) -> Record | None:
        """The product with ``guid``, or ``None``."""
        return self._one("product", guid)

    def product_by_code(self, code: str) -> Record | None:
        """The product with ``code`` (exact), or ``None``."""
        record = self.product_register.by_code(code)
        return None if record is None else self._one("product", record.guid)

    def projects(self) -> list[Record]:
        """Every project, in creation order."""
        return self._all("project")

    def project(self, guid: str) -> Record | None:
        """The project with ``guid``, or ``None``."""
        return self._one("project", guid)

    def project_by_number(self, number: int) -> Record | None:
        """The project with ``number``, or ``None``."""
        record = self.project_register.by_number(number)
        return None if record is None else self._one("project", record.guid)

    def phases(self, project_guid: str | None = None) -> list[Record]:
        """Every phase (or one project's, root phase included), in creation order."""
        if project_guid is None:
            return self._all("phase")
        return [
            self._snapshot("phase", self.phase_register, record)
            for record in self.phase_register.of_project(project_guid)
        ]

    def phase(self, guid: str) -> Record | None:
        """The phase with ``guid``, or ``None``."""
        return self._one("phase", guid)

    def root_phase(self, project_guid: str) -> Record | None:
        """A project's root phase, or ``None``."""
        record = self.phase_register.root_of(project_guid)
        return None if record is None else self._one("phase", record.guid)

    def business_units(self) -> list[Record]:
        """Every business unit (the company's root first), in creation order."""
        return self._all("business_unit")

    def business_unit(self, guid: str) -> Record | None:
        """The business unit with ``guid``, or ``None``."""
        return self._one("business_unit", guid)
