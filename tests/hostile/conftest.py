"""The scheduler tests' fleet, for the end-to-end test of a fleet with hostile tenants."""

from tests.scheduler.conftest import small_fleet

__all__ = ["small_fleet"]
