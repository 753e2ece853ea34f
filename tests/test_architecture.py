"""The dependency rules of docs/architecture.md, checked on the import statements.

The sandbox may share only the pure validators with the code it stands in for: if it
imported the client's XML codec or models, a bug in them could hide on both sides.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "silta"


def imports_of(package: str, root: Path = SRC) -> dict[str, set[str]]:
    """module path -> every ``silta...`` module it imports (relative imports resolved)."""
    found: dict[str, set[str]] = {}
    for path in (root / package).rglob("*.py"):
        module = ".".join(("silta", *path.relative_to(root).with_suffix("").parts))
        if module.endswith(".__init__"):
            module = module.removesuffix(".__init__")
            package_parts = module.split(".")
        else:
            package_parts = module.split(".")[:-1]
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package_parts[: len(package_parts) - node.level + 1]
                    module = ".".join([*base, node.module] if node.module else base)
                else:
                    module = node.module or ""
                # "from silta import netvisor" imports silta.netvisor: record each name.
                names.update(f"{module}.{alias.name}" for alias in node.names)
        found[str(path.relative_to(root))] = {name for name in names if name.startswith("silta")}
    return found


def offenders(package: str, allowed: tuple[str, ...], root: Path = SRC) -> dict[str, set[str]]:
    own = f"silta.{package.replace('/', '.')}"
    bad: dict[str, set[str]] = {}
    for module, names in imports_of(package, root).items():
        wrong = {
            name
            for name in names
            if not name.startswith(own) and not any(name.startswith(a) for a in allowed)
        }
        if wrong:
            bad[module] = wrong
    return bad


def test_the_sandbox_shares_only_the_pure_validators() -> None:
    assert offenders("sandbox", ("silta.registers.finnish", "silta.errors")) == {}


def test_the_protocols_know_nothing_of_registers_sandboxes_or_each_other() -> None:
    assert offenders("netvisor", ("silta.errors", "silta.backoff", "silta.transport")) == {}
    assert offenders("severa", ("silta.errors", "silta.backoff", "silta.transport")) == {}


def test_the_finnish_validators_are_pure() -> None:
    assert imports_of("registers")["registers/finnish.py"] == set()


def test_the_rules_know_nothing_of_the_engine_the_store_or_http() -> None:
    allowed = ("silta.domain", "silta.netvisor", "silta.severa", "silta.errors")
    assert offenders("registers", allowed) == {}


def test_the_check_sees_relative_imports(tmp_path: Path) -> None:
    fake = tmp_path / "silta" / "sandbox" / "netvisor"
    fake.mkdir(parents=True)
    (fake / "leak.py").write_text("from ...netvisor import xmlcodec\n", encoding="utf-8")
    (fake / "fine.py").write_text("from .values import x\nimport silta.errors\n", encoding="utf-8")
    assert offenders("sandbox", ("silta.errors",), root=tmp_path / "silta") == {
        "sandbox/netvisor/leak.py": {"silta.netvisor.xmlcodec"}
    }
