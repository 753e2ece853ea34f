"""The engine: load → map → validate → match → plan → apply → record, generic over registers.

See :mod:`silta.sync.engine` for what every run guarantees, and the register adapters
(:mod:`.customers`, :mod:`.products`, :mod:`.dimensions`, :mod:`.temp`) for how each reads
and writes.
"""

from silta.sync.context import SyncContext
from silta.sync.engine import RunResult, run_register
from silta.sync.plan import Plan, PlanItem
from silta.sync.runner import adapter_for, sync_tenant, tenant_context

__all__ = [
    "Plan",
    "PlanItem",
    "RunResult",
    "SyncContext",
    "adapter_for",
    "run_register",
    "sync_tenant",
    "tenant_context",
]
