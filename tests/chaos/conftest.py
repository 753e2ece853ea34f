"""Hypothesis profiles of the chaos test, chosen by ``SILTA_HYPOTHESIS_PROFILE`` (default ci).

The profiles are registered, never loaded globally: loading one here would change every other
Hypothesis test of the suite. ``test_state_machine.py`` asks for its profile by name.

* ``ci`` (``make test``): 200 examples of short programs, derandomized so that CI is
  repeatable; about two minutes on two cores.
* ``chaos`` (``make chaos``): 2,000 examples of longer programs, random seeds each time, so
  every run explores new ones.

A failing program is not shrunk by Hypothesis but by :mod:`.program`, within
``SHRINK_SECONDS``, and written as a test file (next to ``$SILTA_CHAOS_REPORT``, else under
``tests/artifacts/chaos/``).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, Phase, settings

_COMMON = {
    "deadline": None,  # a step runs the real engine; its time says nothing about correctness
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    "print_blob": True,
    # No Hypothesis shrinking: a failing program is shrunk by deleting steps, within a budget
    # of our own (tests/chaos/program.py says why), and written as a test file.
    "phases": [Phase.explicit, Phase.reuse, Phase.generate, Phase.target],
}

settings.register_profile(
    "ci", max_examples=200, stateful_step_count=40, derandomize=True, **_COMMON
)
settings.register_profile("chaos", max_examples=2000, stateful_step_count=60, **_COMMON)
# A quick look while working on the test itself.
settings.register_profile("dev", max_examples=20, stateful_step_count=12, **_COMMON)

PROFILE = os.environ.get("SILTA_HYPOTHESIS_PROFILE", "ci")

# Seconds to shrink a failing program (``SILTA_CHAOS_SHRINK_SECONDS`` overrides): a chaos
# program replays in seconds, a ci one in about one.
SHRINK_SECONDS = float(
    os.environ.get("SILTA_CHAOS_SHRINK_SECONDS")
    or {"ci": 180, "chaos": 900, "dev": 60}.get(PROFILE, 180)
)
