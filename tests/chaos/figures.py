"""Print the figures of a chaos run: ``python -m tests.chaos.figures REPORT.json``.

``make chaos`` runs the state machine with the ``chaos`` profile, which writes its figures
(:data:`tests.chaos.test_state_machine.FIGURES`) as JSON; this shows them as a table and
says plainly whether anything was duplicated or lost.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

MUST_BE_ZERO = (
    "duplicates_found",
    "lost_updates",
    "missing_records",
    "unexpected_records",
    "refusal_mismatches",
    "not_converged",
)


def lines(figures: dict[str, Any]) -> list[str]:
    faults: dict[str, int] = figures.get("faults_injected", {})
    shown = [
        f"chaos run, profile {figures.get('profile', '?')}, {figures.get('seconds', '?')} s",
        f"  examples (programs)      {figures.get('examples', 0):>8,}",
        f"  sync runs                {figures.get('sync_runs', 0):>8,}",
        f"  faulty sync steps        {figures.get('steps', 0):>8,}",
        f"  settle points            {figures.get('settle_points', 0):>8,}",
        f"  records compared         {figures.get('records_compared', 0):>8,}",
        f"  refusals checked         {figures.get('refusals_checked', 0):>8,}",
        f"  faults injected          {sum(faults.values()):>8,}",
        *(f"    {kind:<30} {count:>8,}" for kind, count in sorted(faults.items())),
    ]
    for name in MUST_BE_ZERO:
        value = figures.get(name, 0)
        verdict = "ok" if value == 0 else "FAILED: must be 0"
        shown.append(f"  {name.replace('_', ' '):<24} {value:>8,}  {verdict}")
    if figures.get("failing_program"):
        shown.append(f"  {figures['failing_program']}")
    return shown


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m tests.chaos.figures REPORT.json", file=sys.stderr)
        return 2
    path = Path(argv[0])
    if not path.exists():
        print(f"{path}: no figures (did the chaos run start?)", file=sys.stderr)
        return 1
    figures = json.loads(path.read_text())
    print("\n".join(lines(figures)))
    return 0 if all(figures.get(name, 0) == 0 for name in MUST_BE_ZERO) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
