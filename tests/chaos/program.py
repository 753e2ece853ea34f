"""A failing program of a state machine, shrunk within a time budget and kept as a test file.

When the stateful test fails, Hypothesis has printed the failing program into the exception's
notes, one step per note, as Python (``state.netvisor_adds_customer(code='101', ...)``).
:func:`keep_failing_program` takes those steps, shrinks the program by deleting steps, and
writes what is left as a pytest file that builds the machine, replays the steps and tears
down: the file an engineer pastes beside the test as its regression test, and runs at once.

Why not Hypothesis' own shrinker: it works on the choices behind a program, a few bytes at a
time, and gives up after a fixed five minutes. A chaos program replays the real engine for
seconds, so five minutes are a hundred replays or so, and the 60-step program of issue 15 came
out of it unshrunk. Deleting whole steps (delta debugging: drop a half, then quarters, ...)
takes about ``k·log(n)`` replays for a program of ``n`` steps of which ``k`` matter, and the
budget is ours: when it runs out, the smallest program that still failed is written, never
nothing. The budget is checked before each replay, so it may be overrun by one replay.

A shrunk program must fail *the same way*: the same exception type raised from the same line
(what Hypothesis also calls the same failure). The message may differ (names carry serial
numbers that change when a step before them is deleted). Every replay runs the very text that
is written, so the file fails as the last successful replay did.
"""

from __future__ import annotations

import ast
import math
import os
import re
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

TEST_NAME = "test_failing_program"
FILE_NAME = "chaos_failure.py"
REPLAY_MODULE = "silta_chaos_replay"


@attrs.frozen
class Harness:
    """How the written test builds its machine, as source text.

    ``imports`` are ``from module import name`` lines. ``setup`` runs first (``tmp_path`` is
    pytest's temporary directory), ``machine`` is the expression that builds the machine,
    ``cleanup`` runs last whatever happened. ``names``
    maps a name the steps may use (``TenantSettings``) to the import that provides it; only
    the names a program uses are imported.
    """

    imports: tuple[str, ...]
    machine: str
    setup: str = ""
    cleanup: str = ""
    names: Mapping[str, str] = attrs.field(factory=dict)


@attrs.frozen
class Failure:
    """What failed: the exception's type, where it was raised and its first line."""

    kind: str
    where: str
    message: str

    def same_as(self, other: Failure | None) -> bool:
        return other is not None and (self.kind, self.where) == (other.kind, other.where)


@attrs.frozen
class Shrunk:
    steps: tuple[str, ...]
    replays: int
    seconds: float
    complete: bool  # False: the budget ran out first (a step might still be deletable)


@attrs.frozen
class Kept:
    """A failing program written to ``path``."""

    path: Path
    steps_found: int
    shrunk: Shrunk | None  # None: the program did not fail again when replayed as written
    command: str

    def summary(self) -> str:
        if self.shrunk is None:
            how = (
                f"{self.steps_found} steps, as Hypothesis found them: replayed on its own, the "
                "program did NOT fail the same way (an order dependence between programs?)"
            )
        else:
            budget = "" if self.shrunk.complete else ", shrink budget used up: not minimal"
            how = (
                f"shrunk from {self.steps_found} to {len(self.shrunk.steps)} steps in "
                f"{self.shrunk.replays} replays, {self.shrunk.seconds:.0f} s{budget}"
            )
        return f"failing program written to {self.path} ({how}); run it: {self.command}"


def failure_of(error: BaseException) -> Failure:
    frames = traceback.extract_tb(error.__traceback__)
    where = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
    lines = str(error).splitlines()
    return Failure(type(error).__name__, where, lines[0] if lines else "")


def program_of(error: BaseException) -> tuple[BaseException, list[str]] | None:
    """The failing steps Hypothesis noted on ``error`` (or on one error of a group)."""
    if isinstance(error, BaseExceptionGroup):
        for inner in error.exceptions:
            found = program_of(inner)
            if found is not None:
                return found
    notes = list(getattr(error, "__notes__", []))
    start = next((i for i, note in enumerate(notes) if note.startswith("state = ")), None)
    if start is None:
        return None
    end = next(
        (i for i in range(start + 1, len(notes)) if notes[i].strip() == "state.teardown()"),
        len(notes),
    )
    steps = [_ENUM_REPR.sub(r"\1", note) for note in notes[start + 1 : end]]
    text = "\n".join(steps)
    try:
        statements = ast.parse(text).body
    except SyntaxError:
        return error, steps  # kept as printed: its replay fails, and the file says so
    found = [ast.get_source_segment(text, statement) for statement in statements]
    return error, [step for step in found if step]


# Hypothesis prints an enum member as its repr, ``<CustomerDirection.SEVERA_TO_NETVISOR:
# 'severa_to_netvisor'>``, which is not Python; the program needs ``CustomerDirection.SEVERA_...``.
_ENUM_REPR = re.compile(r"<([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+): [^<>\n]*>")


def render(steps: Sequence[str], harness: Harness, *, header: Sequence[str] = ()) -> str:
    """The test file: ``header`` as comment lines, imports, the machine, the steps, teardown.

    The header is comments, not a docstring: it quotes an exception's message, which may
    hold anything.
    """
    used = {node.id for step in steps for node in _nodes(step) if isinstance(node, ast.Name)}
    imports = _imports([
        "from pathlib import Path",  # the test's tmp_path
        *harness.imports,
        *(harness.names[n] for n in used if n in harness.names),
    ])  # fmt: skip
    body = "\n".join(steps) if steps else "pass"
    run = (
        f"state = {harness.machine}\n"
        f"try:\n{_indent(body)}\n"
        "finally:\n    state.teardown()"  # as Hypothesis runs it: teardown whatever happened
    )
    if harness.setup or harness.cleanup:
        run = (
            f"{harness.setup}\ntry:\n{_indent(run)}\nfinally:\n{_indent(harness.cleanup or 'pass')}"
        )
    comments = "".join(f"# {line}".rstrip() + "\n" for line in header)
    return (
        f"{comments}{chr(10) if comments else ''}from __future__ import annotations\n\n"
        + imports
        + f"\n\n\ndef {TEST_NAME}(tmp_path: Path) -> None:\n{_indent(run)}\n"
    )


def _nodes(step: str) -> list[ast.AST]:
    """A step's syntax nodes; none for a step that is not Python (it is written as printed,
    and its replay fails with a SyntaxError that the file shows)."""
    try:
        return list(ast.walk(ast.parse(step)))
    except SyntaxError:
        return []


def _imports(lines: Sequence[str]) -> str:
    """``from m import a`` lines merged per module, in isort's groups: the standard library,
    then the rest, then the tests package (so that a pasted program needs no reordering)."""
    names: dict[str, set[str]] = {}
    for line in lines:
        if line.strip():
            module, _, imported = line.removeprefix("from ").partition(" import ")
            names.setdefault(module, set()).update(n.strip() for n in imported.split(","))

    def group(module: str) -> int:
        top = module.split(".")[0]
        return 2 if top == "tests" else 0 if top in sys.stdlib_module_names else 1

    blocks: dict[int, list[str]] = {}
    for module in sorted(names):
        listed = ", ".join(sorted(names[module], key=lambda n: (not n[:1].isupper(), n)))
        blocks.setdefault(group(module), []).append(f"from {module} import {listed}")
    return "\n\n".join("\n".join(blocks[g]) for g in sorted(blocks))


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" if line else line for line in text.splitlines())


def replay(source: str) -> Failure | None:
    """Run a rendered test file in this process, in a fresh temporary directory."""
    namespace: dict[str, Any] = {"__name__": REPLAY_MODULE}
    with tempfile.TemporaryDirectory(prefix="silta-chaos-replay-") as directory:
        try:
            # The text is one this module rendered from Hypothesis' own notes.
            exec(compile(source, f"<{FILE_NAME}>", "exec"), namespace)  # noqa: S102
            namespace[TEST_NAME](Path(directory))
        except Exception as error:  # noqa: BLE001 - any failure is one to compare
            return failure_of(error)
    return None


def shrink(
    steps: Sequence[str],
    still_fails: Callable[[Sequence[str]], bool],
    *,
    budget: float,
    clock: Callable[[], float] = time.monotonic,
) -> Shrunk:
    """Delete steps while the program still fails (ddmin), until ``budget`` seconds are used.

    ``steps`` must fail already. Returns the smallest failing program found: complete when
    deleting any single step left makes it pass, else when the budget ran out.
    """
    started = clock()
    current = list(steps)
    parts, replays = 2, 0

    def result(complete: bool) -> Shrunk:
        return Shrunk(tuple(current), replays, clock() - started, complete)

    while len(current) >= 2:
        size = math.ceil(len(current) / parts)
        for start in range(0, len(current), size):
            if clock() - started >= budget:
                return result(False)
            candidate = current[:start] + current[start + size :]
            replays += 1
            if still_fails(candidate):
                current = candidate
                parts = max(parts - 1, 2)
                break
        else:
            if size == 1:
                return result(True)
            parts = min(parts * 2, len(current))
    return result(True)


def keep_failing_program(
    error: BaseException,
    harness: Harness,
    directory: Path,
    *,
    budget: float,
    title: Sequence[str] = ("A failing program of a state machine.",),
) -> Kept | None:
    """Shrink the program Hypothesis noted on ``error``, write it to ``directory``, and note
    the file on ``error`` (pytest shows the note under the failure). ``None`` when the error
    carries no program (it did not come from a state machine's run), or when keeping it
    failed: that is noted on ``error`` too, which stays the failure to report."""
    try:
        return _keep(error, harness, directory, budget=budget, title=title)
    except Exception as broken:  # noqa: BLE001 - never hide the failure being reported
        error.add_note(f"the failing program could not be kept: {broken!r}")
        return None


def _keep(
    error: BaseException,
    harness: Harness,
    directory: Path,
    *,
    budget: float,
    title: Sequence[str],
) -> Kept | None:
    found = program_of(error)
    if found is None:
        return None
    failed, steps = found
    target = failure_of(failed)

    def still_fails(candidate: Sequence[str]) -> bool:
        return target.same_as(replay(render(candidate, harness)))

    shrunk = shrink(steps, still_fails, budget=budget) if still_fails(steps) else None
    kept_steps = list(shrunk.steps) if shrunk is not None else steps
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / FILE_NAME
    shown = path.resolve()
    with_root = os.path.relpath(shown, Path.cwd()) if shown.is_relative_to(Path.cwd()) else shown
    kept = Kept(
        path=path,
        steps_found=len(steps),
        shrunk=shrunk,
        command=f".venv/bin/python -m pytest -p no:cacheprovider {with_root}",
    )
    header = [
        *title,
        "",
        f"Written {time.strftime('%Y-%m-%d %H:%M')}. It failed with {target.kind} at "
        f"{target.where}:",
        f"    {target.message[:300]}",
        kept.summary().replace("; run it: ", ";\nrun it from the repository root: "),
    ]
    header = [part for line in header for part in (line.splitlines() or [""])]
    path.write_text(render(kept_steps, harness, header=header))
    failed.add_note(kept.summary())
    return kept


def program_directory(report: str | None, fallback: Path) -> Path:
    """Next to the figures of ``make chaos`` (``$SILTA_CHAOS_REPORT``), else ``fallback``."""
    return Path(report).resolve().parent if report else fallback


__all__ = [
    "FILE_NAME",
    "TEST_NAME",
    "Failure",
    "Harness",
    "Kept",
    "Shrunk",
    "failure_of",
    "keep_failing_program",
    "program_directory",
    "program_of",
    "render",
    "replay",
    "shrink",
]
