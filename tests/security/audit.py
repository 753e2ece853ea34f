"""The dependency audit of ``make lint``: every locked package checked for known advisories.

``uv export --frozen`` writes the lock (every dependency group, with hashes) as requirements,
and pip-audit looks each pinned version up in PyPI's advisory data, without pip and without
resolving anything again (``--disable-pip --require-hashes``: exactly what the lock holds is
audited). The verdict:

* a known vulnerability in a locked package: the audit fails (exit 1) and names the
  package, its version, the advisory and the versions that fix it;
* the advisory service could not be reached, or some package could not be looked up: a loud
  banner says the audit did NOT happen and for which packages, and the audit passes (exit 0)
  unless ``SILTA_AUDIT=strict`` (exit 2). ``make lint`` is a step of ``make test``, which must
  keep working offline; a CI job with network sets ``SILTA_AUDIT=strict`` so that a lookup
  that proves nothing cannot pass as a clean audit (pip-audit on its own says "No known
  vulnerabilities found" even when it could look up none of the packages);
* everything looked up and nothing found: one line, exit 0.

Run as ``python -m tests.security.audit --uv PATH`` from the project's root.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import attrs

# Advisories accepted on purpose: id -> why. Empty: nothing is accepted.
IGNORED: dict[str, str] = {}

BANNER = "!" * 78


@attrs.frozen
class Verdict:
    exit_code: int
    lines: list[str]


def verdict(report: dict[str, Any] | None, failure: str, *, strict: bool) -> Verdict:
    """What a pip-audit JSON report (``None``: there is none) means for ``make lint``."""
    vulnerable: list[str] = []
    unaudited: list[str] = []
    audited = 0
    for dependency in (report or {}).get("dependencies", []):
        name, version = dependency.get("name", "?"), dependency.get("version", "?")
        if "skip_reason" in dependency:
            unaudited.append(f"{name}: {dependency['skip_reason']}")
            continue
        audited += 1
        for vuln in dependency.get("vulns", []):
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
            vulnerable.append(f"{name} {version}: {vuln.get('id', '?')} (fixed in: {fixes})")
    if vulnerable:
        return Verdict(
            1,
            [
                f"dependency audit: {len(vulnerable)} known vulnerabilities in locked packages:",
                *(f"  {line}" for line in vulnerable),
                "upgrade them in the lock (uv lock --upgrade-package NAME), or accept one in "
                "tests/security/audit.py IGNORED with the reason",
            ],
        )
    if report is None or unaudited or audited == 0:
        why = [failure.strip()] if report is None else unaudited
        lines = [
            BANNER,
            "dependency audit NOT DONE: the advisory service could not be asked about "
            + ("any package" if report is None else f"{len(unaudited)} packages"),
            *(f"  {line}" for line in why[:5]),
            *([f"  ... and {len(why) - 5} more"] if len(why) > 5 else []),
            "no vulnerability was found, but none could have been: rerun where PyPI's JSON "
            "API (https://pypi.org/pypi/NAME/VERSION/json) answers; SILTA_AUDIT=strict makes "
            "this an error",
            BANNER,
        ]
        return Verdict(2 if strict else 0, lines)
    return Verdict(0, [f"dependency audit: {audited} locked packages, no known vulnerabilities"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--uv", default="uv", help="the uv executable")
    parser.add_argument("--pip-audit", default=str(Path(sys.executable).with_name("pip-audit")))
    args = parser.parse_args(argv)
    strict = os.environ.get("SILTA_AUDIT", "").strip().lower() == "strict"
    with tempfile.TemporaryDirectory(prefix="silta-audit-") as folder:
        requirements = Path(folder) / "requirements.txt"
        output = Path(folder) / "audit.json"
        subprocess.run(
            [args.uv, "export", "--frozen", "--all-groups", "--format", "requirements-txt",
             "--no-emit-project", "--quiet", "--output-file", str(requirements)],
            check=True,
        )  # fmt: skip
        ignore = [option for vuln in IGNORED for option in ("--ignore-vuln", vuln)]
        done = subprocess.run(
            [args.pip_audit, "--disable-pip", "--require-hashes", "--strict",
             "--requirement", str(requirements), "--format", "json", "--output", str(output),
             "--progress-spinner", "off", "--timeout", "20", *ignore],
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
        # --strict: a package that cannot be looked up aborts the audit before any report is
        # written; a second pass without it says which ones (and audits the rest)
        if done.returncode != 0 and not output.exists():
            subprocess.run(
                [args.pip_audit, "--disable-pip", "--require-hashes",
                 "--requirement", str(requirements), "--format", "json", "--output",
                 str(output), "--progress-spinner", "off", "--timeout", "20", *ignore],
                capture_output=True,
                text=True,
                check=False,
            )  # fmt: skip
        report = json.loads(output.read_text()) if output.exists() else None
    failure = (done.stderr or done.stdout).strip().splitlines()
    result = verdict(report, failure[-1] if failure else "pip-audit failed", strict=strict)
    stream = sys.stdout if result.exit_code == 0 and len(result.lines) == 1 else sys.stderr
    print("\n".join(result.lines), file=stream)
    return result.exit_code


if __name__ == "__main__":
    sys.exit(main())
