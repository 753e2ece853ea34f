"""A failing state-machine program is shrunk within its budget and written as a test file that
runs on its own and fails (tests/chaos/program.py).

A tiny machine stands in for the chaos machine (its programs replay in microseconds); the
chaos machine's own harness is checked with an oracle failure injected into a program.
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule, run_state_machine_as_test

from silta.domain import CustomerDirection

from .program import (
    FILE_NAME,
    Harness,
    keep_failing_program,
    program_of,
    render,
    replay,
    shrink,
)
from .test_state_machine import HARNESS

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts" / "chaos"


class TinyMachine(RuleBasedStateMachine):
    """Fails at teardown when something is added after a crash; everything else is noise."""

    def __init__(self) -> None:
        super().__init__()
        self.log: list[str] = []

    # An enum, as the chaos machine's settings have: Hypothesis prints its repr, not Python.
    @initialize(direction=st.sampled_from(list(CustomerDirection)))
    def start(self, direction: CustomerDirection) -> None:
        self.log.append("start")

    @rule(code=st.integers(0, 9))
    def add(self, code: int) -> None:
        self.log.append("add")

    @rule(at=st.integers(1, 3))
    def crash(self, at: int) -> None:
        self.log.append("crash")

    @rule(price=st.sampled_from([Decimal("1.50"), None]), what=st.text("ab", max_size=2))
    def noise(self, price: Decimal | None, what: str) -> None:
        self.log.append("noise")

    def teardown(self) -> None:
        after_crash = self.log[self.log.index("crash") :] if "crash" in self.log else []
        assert "add" not in after_crash, "added after a crash"


TINY = Harness(
    imports=("from tests.chaos.test_program import TinyMachine",),
    machine="TinyMachine()",
    names={
        "Decimal": "from decimal import Decimal",
        "CustomerDirection": "from silta.domain import CustomerDirection",
    },
)


def _tiny_failure() -> AssertionError:
    """The failure as the chaos test gets it: Hypothesis' own shrinking off, as in its
    profiles (tests/chaos/conftest.py), so the program is long and noisy."""
    profile = settings(
        max_examples=500,
        stateful_step_count=25,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.generate],
    )
    with pytest.raises(AssertionError) as caught:
        run_state_machine_as_test(TinyMachine, settings=profile)
    return caught.value


@pytest.fixture
def directory() -> Iterator[Path]:
    """Inside the repository, where the chaos test writes (its rootdir and configuration then
    apply to the written file as they do for a real one), one of its own for every test of
    every process (``make chaos`` and ``make test`` may run at once), removed afterwards."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    place = Path(tempfile.mkdtemp(prefix="selftest-", dir=ARTIFACTS))
    yield place / "program"
    shutil.rmtree(place, ignore_errors=True)


def _rules(steps: Sequence[str]) -> list[str]:
    return [step.split("(")[0] for step in steps]


def test_the_failing_program_is_shrunk_written_and_fails_when_run_on_its_own(
    directory: Path,
) -> None:
    error = _tiny_failure()
    found = program_of(error)
    assert found is not None
    assert len(found[1]) > 2  # the noise Hypothesis did not shrink away

    kept = keep_failing_program(error, TINY, directory, budget=60)

    assert kept is not None
    assert kept.shrunk is not None
    assert kept.shrunk.complete
    assert _rules(kept.shrunk.steps) == ["state.crash", "state.add"]
    assert kept.path == directory / FILE_NAME
    assert kept.summary() in error.__notes__  # pytest shows it under the failure
    assert kept.command.startswith(".venv/bin/python -m pytest -p no:cacheprovider ")
    # The command as the failure gives it, with this interpreter for the project's.
    command = [sys.executable, *shlex.split(kept.command)[1:]]
    ran = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert ran.returncode == 1, ran.stdout + ran.stderr
    assert "1 failed" in ran.stdout
    assert "AssertionError: added after a crash" in ran.stdout


def test_an_exhausted_budget_still_ends_with_a_program_that_fails(directory: Path) -> None:
    error = _tiny_failure()
    steps = program_of(error)
    assert steps is not None

    kept = keep_failing_program(error, TINY, directory, budget=0)

    assert kept is not None
    assert kept.shrunk is not None
    assert not kept.shrunk.complete
    assert list(kept.shrunk.steps) == steps[1]
    assert "shrink budget used up" in kept.summary()
    assert steps[1][0].startswith("state.start(direction=CustomerDirection.")
    failure = replay(kept.path.read_text())
    assert failure is not None
    assert (failure.kind, failure.message) == ("AssertionError", "added after a crash")


def test_a_program_that_is_not_python_is_written_as_printed(directory: Path) -> None:
    # A value whose repr is not Python (Hypothesis prints what it has): nothing to replay,
    # but the program is kept for a person to read, and the failure says it did not replay.
    error = AssertionError("added after a crash")
    printed = ["state.crash(at=1)", "state.add(code=<object at 0x7f>)"]
    error.__notes__ = ["state = TinyMachine()", *printed, "state.teardown()"]

    kept = keep_failing_program(error, TINY, directory, budget=60)

    assert kept is not None
    assert kept.shrunk is None
    assert "did NOT fail the same way" in kept.summary()
    assert all(step in kept.path.read_text() for step in printed)


def test_an_error_without_a_program_is_left_alone(directory: Path) -> None:
    assert keep_failing_program(ValueError("no notes"), TINY, directory, budget=1) is None
    assert not directory.exists()


def test_a_program_is_found_in_a_group_of_failures() -> None:
    error = _tiny_failure()
    group = ExceptionGroup("two bugs", [ValueError("other"), error])
    found = program_of(group)
    assert found is not None
    assert found[0] is error


def test_shrinking_keeps_exactly_the_steps_that_matter() -> None:
    steps = [f"state.s{i}()" for i in range(40)]
    matter = {"state.s7()", "state.s31()"}
    tried: list[Sequence[str]] = []

    def still_fails(candidate: Sequence[str]) -> bool:
        tried.append(candidate)
        return matter <= set(candidate)

    shrunk = shrink(steps, still_fails, budget=60)

    assert shrunk.steps == ("state.s7()", "state.s31()")
    assert shrunk.complete
    assert shrunk.replays == len(tried) < 40  # far fewer replays than one per step


def test_the_budget_ends_the_shrink_with_the_smallest_failing_program_so_far() -> None:
    steps = [f"state.s{i}()" for i in range(40)]
    now = [0.0]

    def still_fails(candidate: Sequence[str]) -> bool:
        now[0] += 1.0  # each replay takes a second
        return "state.s7()" in candidate

    shrunk = shrink(steps, still_fails, budget=3.0, clock=lambda: now[0])

    assert not shrunk.complete
    assert shrunk.replays == 3
    assert "state.s7()" in shrunk.steps
    assert len(shrunk.steps) == 20  # the first half gone; deleting half the rest failed


def test_the_chaos_harness_replays_a_program_against_the_real_machine() -> None:
    # An oracle failure injected as a step: the model gets a name Severa never had.
    steps = [
        "state.start(settings=TenantSettings(customers=CustomerDirection.SEVERA_TO_NETVISOR, "
        "products=ProductDirection.NETVISOR_TO_SEVERA))",
        "state.sync_without_faults(full=True)",
        "state.o.sv_customers[state.owner].name = 'Toinen Oy'",
    ]
    failure = replay(render(steps, HARNESS))
    assert failure is not None
    assert failure.kind == "AssertionError"
    assert failure.where.startswith("test_state_machine.py:")  # the settle point's check
    assert failure.message == (
        "Netvisor customer 990: ('990', 'Projektiasiakas Oy', '26174164', True, None), "
        "expected ('990', 'Toinen Oy', '26174164', True, None)"
    )
    assert replay(render(steps[:2], HARNESS)) is None  # without the injection: no failure
