"""Hypothesis profiles of the chaos test, chosen by ``SILTA_HYPOTHESIS_PROFILE`` (default ci).

The profiles are registered, never loaded globally: loading one here would change every other
Hypothesis test of the suite. ``test_state_machine.py`` asks for its profile by name.

* ``ci`` (``make test``): 200 examples of short programs, derandomized so that CI is
  repeatable; about two minutes on two cores.
* ``chaos`` (``make chaos``): 2,000 examples of longer programs, random seeds each time, so
  every run explores new ones.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

_COMMON = {
    "deadline": None,  # a step runs the real engine; its time says nothing about correctness
    "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large],
    "print_blob": True,
}

settings.register_profile(
    "ci", max_examples=200, stateful_step_count=40, derandomize=True, **_COMMON
)
settings.register_profile("chaos", max_examples=2000, stateful_step_count=60, **_COMMON)
# A quick look while working on the test itself.
settings.register_profile("dev", max_examples=20, stateful_step_count=12, **_COMMON)

PROFILE = os.environ.get("SILTA_HYPOTHESIS_PROFILE", "ci")
