"""The preview a held register is confirmed with: the engine's own dry run, read back.

A preview is a dry run recorded like any run (``dry_run``), so what a KH confirms is the
plan the next run would carry out, record by record, with each field it would overwrite
(old → new). Only a preview made after the hold was made or last changed counts: one made
before showed the plan of other settings (:meth:`silta.store.Holds.confirm` checks it too).
"""

from __future__ import annotations

from silta.domain import Action
from silta.store import Entry, Hold, RunRecord, Store

__all__ = ["WRITING", "preview_for", "writes_of"]

# what a preview's records say the next run would write; the rest leave the target alone
WRITING = (Action.UPDATE, Action.CREATE, Action.RENAME)


def preview_for(store: Store, hold: Hold, *, look_back: int = 50) -> RunRecord | None:
    """The newest preview of the held register made since the hold (any status)."""
    for run in store.runs(hold.tenant_id, register=hold.register, limit=look_back):
        if run.started_at < hold.since:
            return None  # newest first: everything after this is older still
        if run.dry_run:
            return run
    return None


def writes_of(store: Store, run_id: int) -> list[Entry]:
    """The records a preview says would be written: updates first (they overwrite), then
    creations and renames, each in the order the run planned them."""
    entries = store.entries(run_id)
    return [entry for action in WRITING for entry in entries if entry.action is action]
