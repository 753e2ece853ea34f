"""A run's progress reaches the store about once a second, so any process can show it."""

from __future__ import annotations

from pathlib import Path

from silta.domain import Action, Register, RunKind, RunStatus, Status, System
from silta.store import Store
from silta.sync.journal import PROGRESS_EVERY, Journal
from silta.sync.plan import PlanItem
from tests.store.conftest import KEY, config


def item(number: int, action: Action = Action.CREATE) -> PlanItem:
    return PlanItem(str(number), str(number), f"Asiakas {number}", action)


def test_progress_is_stored_at_most_once_a_second_with_what_was_read_done_and_written(
    tmp_path: Path,
) -> None:
    now = [100.0]
    with Store.open(f"sqlite:///{tmp_path / 'p.db'}", secret_key=KEY) as store:
        tenant = store.add_tenant(config(), changed_by="test")
        run_id = store.start_run(
            tenant.id, Register.CUSTOMERS, kind=RunKind.FULL, dry_run=False, trigger="t"
        )
        journal = Journal(
            store, tenant_id=tenant.id, run_id=run_id, register=Register.CUSTOMERS,
            source_system=System.SEVERA, dry_run=False, monotonic=lambda: now[0],
        )  # fmt: skip

        def stored() -> tuple[int, int, int] | None:
            progress = store.run(run_id).progress
            return None if progress is None else (progress.read, progress.done, progress.written)

        journal.expect(5)
        assert stored() == (5, 0, 0)  # the first word at once
        journal.record(item(1), Status.DONE)
        now[0] += PROGRESS_EVERY / 2
        journal.record(item(2, Action.UNCHANGED), Status.DONE)
        journal.record(item(3), Status.FAILED)
        assert stored() == (5, 0, 0)  # not yet a second later
        now[0] += PROGRESS_EVERY / 2
        journal.record(item(4, Action.REFUSE), Status.REFUSED)
        assert stored() == (5, 4, 1)  # only the create that was done is written
        journal.expect(9)  # a batched run reads on
        now[0] += PROGRESS_EVERY
        journal.record(item(5, Action.UPDATE), Status.DONE)
        assert stored() == (9, 5, 2)
        store.finish_run(run_id, RunStatus.COMPLETED, counts=dict(journal.counts))
        now[0] += PROGRESS_EVERY
        journal.record(item(6), Status.DONE)  # after the end: the outcome stands
        assert stored() == (9, 5, 2)
