"""Phases (``PhaseInputModel`` in, ``PhaseOutputModel`` out): each project's phase tree.

Rules (settled):

* **Root phases are real phases.** Every project has one (made with the project, see
  :mod:`.projects`): no parent, no code, named like the project. It is listed by
  ``/v1/phases`` and by ``phaseswithhierarchy`` (at ``level`` 0, without ``parentPhase``).
* A new phase needs ``name`` and ``parentPhase {guid}``; it belongs to its parent's project.
  ``project {guid}`` is optional and, when given, must be that project (400 otherwise). A
  phase cannot change project (PATCH ``/project/guid`` → 400).
* A PATCH of ``/parentPhase/guid`` must name a phase of the same project that is not the
  phase itself nor one of its descendants; a root phase never gets a parent.
* ``code`` is optional; when given it is unique **within the project** - compared exactly -
  unless ``org.settings.is_identical_phase_codes_allowed`` (Severa's
  ``isIdenticalPhaseCodesAllowed``, default false). A duplicate is 400 ``InvalidParameter``.
  Several phases of a project may share a name.
* ``phaseswithhierarchy`` lists a project's phases as a flat list in tree **pre-order**:
  a phase, then its children's subtrees. Siblings are ordered by ``sortOrder`` (phases
  without one last), then creation order. ``level`` is the depth (root 0), ``hasChildren``
  whether any phase names it as parent, ``customer`` the project's customer.
* ``isClosed`` is accepted (it is in ``PhaseInputModel``) but not shown: the output model has
  no such property.
"""

from __future__ import annotations

from typing import Any, ClassVar, Final

from .collection import Collection
from .errors import Detail
from .fields import Field, Kind, Status
from .render import named, shaped, stamps
from .store import Register, Stored

__all__ = ["PHASE_FIELDS", "Phases"]

S, I32, D, B, R, DT = Kind.STRING, Kind.INT32, Kind.DOUBLE, Kind.BOOL, Kind.REF, Kind.DATE

#: ``PhaseInputModel``'s properties.
PHASE_FIELDS: Final = (
    Field("name", S, nullable=False, required=True, min_length=1),
    Field("code", S),
    Field("parentPhase", R, target="phase", nullable=False, required=True, key_required=True),
    Field("project", R, target="project", key_required=True, patchable=False),
    Field("sortOrder", I32),
    Field("startDate", DT),
    Field("deadline", DT),
    Field("originalStartDate", DT),
    Field("originalDeadline", DT),
    Field("workHoursEstimate", D),
    Field("originalWorkHoursEstimate", D),
    Field("defaultWorkType", R, target="workType"),
    Field(
        "phaseStatus",
        Kind.STATUS,
        target="phaseStatusType",
        key="phaseStatusTypeGuid",
        has_description=True,
    ),
    Field("isCompleted", B, nullable=False, default=False),
    Field("isLocked", B, nullable=False, default=False),
    Field("isClosed", B, nullable=False, default=False),
)


def _code_key(values: Any) -> tuple[str, str] | None:
    code = values["code"]
    return (values["project"], code) if code else None


class Phases(Collection):
    """The phase register of one organisation."""

    kind: ClassVar[str] = "phase"
    model: ClassVar[str] = "PhaseInputModel"
    fields: ClassVar[tuple[Field, ...]] = PHASE_FIELDS
    read_only: ClassVar[frozenset[str]] = Collection.read_only | {"currencyCode"}

    def __init__(self, org: Any) -> None:
        super().__init__(org)
        self._roots: dict[str, str] = {}

    def make_register(self) -> Register:
        return Register(
            self.kind,
            multi={
                "project": lambda v: v["project"],
                "parent": lambda v: v["parentPhase"],
                "code": _code_key,
            },
        )

    # -- root phases -----------------------------------------------------------------------

    def create_root(self, project: Stored) -> Stored:
        """Make a new project's root phase (no parent, no code, the project's name)."""
        values = {field.name: field.default for field in self.fields}
        values.update(name=project.values["name"], project=project.guid, parentPhase=None)
        root = self.register.add(self.org.new_guid(), values, self.org.now(), self.org.user)
        self._roots[project.guid] = root.guid
        return root

    def rename_root(self, project: Stored) -> None:
        """Give a renamed project's root phase the new name."""
        root = self.root_of(project.guid)
        if root is not None and root.values["name"] != project.values["name"]:
            values = {**root.values, "name": project.values["name"]}
            self.register.replace(root, values, self.org.now(), self.org.user)

    def root_of(self, project_guid: str) -> Stored | None:
        """A project's root phase."""
        guid = self._roots.get(project_guid)
        return None if guid is None else self.register.get(guid)

    def of_project(self, project_guid: str) -> list[Stored]:
        """A project's phases in creation order."""
        return [self.register.at(seq) for seq in self.register.seqs("project", project_guid)]

    # -- rules -----------------------------------------------------------------------------

    def rules(self, values: dict[str, Any], old: Stored | None) -> list[Detail]:
        parent = self.register.get(values["parentPhase"] or "")
        if old is None:
            if parent is None:
                return []  # the reference check has reported it
            project = parent.values["project"]
            if values["project"] is not None and values["project"] != project:
                return [
                    Detail("project.guid must be the project of the parent phase.", "project.guid")
                ]
            values["project"] = project
        elif values["parentPhase"] != old.values["parentPhase"]:
            problem = self._move_problem(old, parent)
            if problem:
                return [Detail(problem, "parentPhase.guid")]
        return self._code_problems(values, old)

    def _move_problem(self, phase: Stored, parent: Stored | None) -> str | None:
        if phase.values["parentPhase"] is None:
            return "A root phase has no parent phase."
        if parent is None:
            return None  # the reference check has reported it
        if parent.values["project"] != phase.values["project"]:
            return "The parent phase must be a phase of the same project."
        ancestor: Stored | None = parent
        while ancestor is not None:
            if ancestor.guid == phase.guid:
                return "A phase cannot be moved under itself or its descendants."
            ancestor = self.register.get(ancestor.values["parentPhase"] or "")
        return None

    def _code_problems(self, values: dict[str, Any], old: Stored | None) -> list[Detail]:
        key = _code_key(values)
        if key is None or self.org.settings.is_identical_phase_codes_allowed:
            return []
        if old is not None and _code_key(old.values) == key:
            return []
        taken = [seq for seq in self.register.seqs("code", key) if old is None or seq != old.seq]
        if taken:
            return [Detail(f"Phase code '{key[1]}' is already used in this project.", "code")]
        return []

    # -- hierarchy -------------------------------------------------------------------------

    def has_children(self, phase: Stored) -> bool:
        """Whether any phase names ``phase`` as its parent."""
        return bool(self.register.seqs("parent", phase.guid))

    def hierarchy(self, project_guid: str) -> list[tuple[Stored, int]]:
        """``(phase, level)`` of a project's phases in tree pre-order."""
        root = self.root_of(project_guid)
        if root is None:
            return []
        ordered: list[tuple[Stored, int]] = []
        stack: list[tuple[Stored, int]] = [(root, 0)]
        while stack:
            phase, level = stack.pop()
            ordered.append((phase, level))
            children = [self.register.at(seq) for seq in self.register.seqs("parent", phase.guid)]
            children.sort(key=_sibling_order, reverse=True)
            stack.extend((child, level + 1) for child in children)
        return ordered

    # -- output ----------------------------------------------------------------------------

    def render(self, record: Stored) -> dict[str, Any]:
        v = record.values
        org = self.org
        ref = org.reference
        project = org.project_register.get(v["project"])
        parent = self.register.get(v["parentPhase"] or "")
        currency = None if project is None else ref.currency(project.values["currency"])
        return shaped(
            "PhaseOutputModel",
            {
                "guid": record.guid,
                "name": v["name"],
                "code": v["code"],
                "sortOrder": v["sortOrder"],
                "project": None
                if project is None
                else {
                    "guid": project.guid,
                    "name": project.values["name"],
                    "number": project.values["number"],
                    "isInternal": project.values["isInternal"],
                    "isClosed": project.values["isClosed"],
                },
                "parentPhase": None
                if parent is None
                else {"guid": parent.guid, "name": parent.values["name"]},
                "startDate": _date(v["startDate"]),
                "deadline": _date(v["deadline"]),
                "originalStartDate": _date(v["originalStartDate"]),
                "originalDeadline": _date(v["originalDeadline"]),
                "workHoursEstimate": v["workHoursEstimate"],
                "originalWorkHoursEstimate": v["originalWorkHoursEstimate"],
                "defaultWorkType": named(ref.item("workType", v["defaultWorkType"])),
                "phaseStatus": self._status(v["phaseStatus"]),
                "isCompleted": v["isCompleted"],
                "isLocked": v["isLocked"],
                "currencyCode": None if currency is None else currency.as_json(),
                **stamps(ref, record),
            },
        )

    def render_in_hierarchy(self, record: Stored, level: int) -> dict[str, Any]:
        """The ``PhaseModelWithHierarchyInfo`` JSON: the phase plus level, children, customer."""
        shown = self.render(record)
        project = self.org.project_register.get(record.values["project"])
        customer = (
            None if project is None else self.org.customer_register.get(project.values["customer"])
        )
        shown["level"] = level
        shown["hasChildren"] = self.has_children(record)
        shown["customer"] = (
            None
            if customer is None or project is None
            else {
                "guid": customer.guid,
                "name": customer.values["name"],
                "number": customer.values["number"],
                "isInternal": False,
            }
        )
        return shaped("PhaseModelWithHierarchyInfo", shown)

    def _status(self, status: Status | None) -> dict[str, Any] | None:
        if status is None:
            return None
        item = self.org.reference.item("phaseStatusType", status.type_guid)
        return {
            "name": None if item is None else item.name,
            "description": status.description,
            "phaseStatusTypeGuid": status.type_guid,
        }


def _sibling_order(phase: Stored) -> tuple[bool, int, int]:
    order = phase.values["sortOrder"]
    return (order is None, order or 0, phase.seq)


def _date(value: Any) -> str | None:
    return None if value is None else str(value.isoformat())
