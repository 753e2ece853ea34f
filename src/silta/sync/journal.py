"""What a run writes down as it goes: intents before creates, outcomes, links, counts.

Crash safety rests on one rule: **the intent to create is committed before the create is
sent.** A pending link (source key, natural key, and what the create carries) then survives
any crash, and the next run, which always looks targets up by natural key, recognises the
record it may have created and adopts it instead of creating a second one. Outcomes and
confirmed links are buffered and written in batches, which is safe for the same reason: a
lost batch is re-found by natural key.

Progress goes two ways: to the caller's callback on every record (the CLI's bar), and to the
store at most once every :data:`PROGRESS_EVERY` (records read, with an outcome, written), so
that a page in any process, the web app's or another worker's, can show a run going.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from silta.domain import Action, Register, Status, System
from silta.errors import OutcomeUnknownError, SiltaError
from silta.failures import Failure, classify
from silta.notes import NOT_ATTEMPTED
from silta.store import Entry, Link, LinkState, Store, StoreError
from silta.sync.plan import PlanItem

__all__ = ["MAX_CONSECUTIVE_FAILURES", "PROGRESS_EVERY", "Journal", "Progress"]

log = logging.getLogger("silta.sync")

Progress = Callable[[int, int], None]  # (records done, records to do)

_BATCH = 200
PROGRESS_EVERY = 1.0  # seconds between two progress rows of a run in the store
_WRITES = frozenset({Action.CREATE, Action.UPDATE, Action.RENAME})
# A write that fails this many times in a row because the service is in trouble stops the
# run's writing: the rest is "not attempted", rather than hundreds of timeouts.
MAX_CONSECUTIVE_FAILURES: Final = 5


class Journal:
    """The record of one run of one register."""

    def __init__(
        self,
        store: Store,
        *,
        tenant_id: int,
        run_id: int,
        register: Register,
        source_system: System,
        dry_run: bool,
        progress: Progress | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._tenant_id = tenant_id
        self._run_id = run_id
        self._register = register
        self._source_system = source_system
        self.dry_run = dry_run
        self._progress = progress
        self._entries: list[Entry] = []
        self._links: list[Link] = []
        self.counts: Counter[str] = Counter()
        # for the metrics: records by (action, status), refusals by rule
        self.outcomes: Counter[tuple[str, str]] = Counter()
        self.refusal_rules: Counter[str] = Counter()
        self.failed = 0
        self.failing = 0  # writes failed in a row because the service is in trouble
        # Why the run stopped writing (the service failed again and again), or None.
        self.gave_up: str | None = None
        # What the latest failed record failed of (silta.failures): a run that gave up
        # says why in those words ("Netvisor ei vastaa"), not as "records failed".
        self.last_failure: Failure | None = None
        self.done = 0
        self.total = 0
        self.written = 0
        self._monotonic = monotonic
        self._reported: float | None = None  # monotonic() of the last stored progress

    @property
    def run_id(self) -> int:
        return self._run_id

    # -- progress ------------------------------------------------------------------------

    def expect(self, total: int) -> None:
        """How many records the run will record (for the progress bar)."""
        self.total = total
        self._tick()

    def _tick(self) -> None:
        if self._progress is not None:
            self._progress(self.done, self.total)
        now = self._monotonic()
        if self._reported is None or now - self._reported >= PROGRESS_EVERY:
            self._reported = now
            self.report()

    def report(self) -> None:
        """Store how far the run has got (a hint for pages: a failure is only logged)."""
        try:
            self._store.report_progress(
                self._run_id, read=self.total, done=self.done, written=self.written
            )
        except StoreError as exc:  # the run itself will meet the store's trouble, if lasting
            log.warning("could not store the progress of run %s: %s", self._run_id, exc)

    # -- links ---------------------------------------------------------------------------

    def intend(self, item: PlanItem) -> None:
        """Commit the intent to create ``item`` now, before the create is sent."""
        if self.dry_run or item.source_key is None:
            return
        self._store.save_links(
            self._tenant_id,
            [
                Link(
                    register=self._register,
                    source_system=self._source_system,
                    source_key=item.source_key,
                    target_key=None,
                    natural_key=item.natural_key,
                    state=LinkState.PENDING,
                    intent=item.intent,
                )
            ],
        )

    def link(
        self,
        source_key: str,
        target_key: str,
        natural_key: str | None,
        *,
        intent: Mapping[str, Any] | None = None,
    ) -> None:
        """Remember that ``source_key`` is ``target_key`` in the target (buffered).

        ``intent`` is kept with a register's confirmed link when it needs more than the
        keys later (the money transfers keep what the record was, to report a change after
        transfer); the registers leave it out, and a confirmed link has none.
        """
        if self.dry_run:
            return
        self._links.append(
            Link(
                register=self._register,
                source_system=self._source_system,
                source_key=source_key,
                target_key=target_key,
                natural_key=natural_key,
                state=LinkState.LINKED,
                intent=intent,
            )
        )
        if len(self._links) >= _BATCH:
            self.flush()

    # -- outcomes ------------------------------------------------------------------------

    def write_failed(
        self, item: PlanItem, exc: SiltaError, message: str, rest: Sequence[PlanItem]
    ) -> bool:
        """``item``'s write failed with ``exc`` (``message`` says so on the record): recorded,
        and counted in the streak of failures that say the service is in trouble (retryable,
        or an outcome still unknown after the lookup); the streak runs across a run's
        batches. At :data:`MAX_CONSECUTIVE_FAILURES` the ``rest`` is recorded as not
        attempted and True says to stop writing."""
        self.record(item, Status.FAILED, message=message)
        self.last_failure = classify(exc)
        troubled = exc.retryable or isinstance(exc, OutcomeUnknownError)
        self.failing = self.failing + 1 if troubled else 0
        if self.failing < MAX_CONSECUTIVE_FAILURES:
            return False
        self.gave_up = f"{self.failing} failures in a row ({exc})"
        for other in rest:
            self.record(other, Status.FAILED, message=f"{NOT_ATTEMPTED}{self.gave_up}")
        return True

    def record(
        self,
        item: PlanItem,
        status: Status,
        *,
        target_key: str | None = None,
        message: str | None = None,
        action: Action | None = None,
    ) -> None:
        """One record's outcome."""
        action = action or item.action
        self._entries.append(
            Entry(
                register=self._register,
                source_key=item.source_key,
                natural_key=item.natural_key,
                name=item.name,
                action=action,
                status=status,
                target_key=target_key or item.target_key,
                changes=item.changes,
                refusals=item.refusals,
                message=message or item.message,
                details=item.details,
            )
        )
        self.counts[_count_key(action, status)] += 1
        self.outcomes[(action.value, status.value)] += 1
        for refusal in item.refusals:
            self.refusal_rules[refusal.rule] += 1
        if status is Status.FAILED:
            self.failed += 1
        if status is Status.DONE and action in _WRITES:
            self.written += 1
        self.done += 1
        self._tick()
        if len(self._entries) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        """Write buffered links and outcomes (links first: an outcome never outlives its link)."""
        if self._links:
            self._store.save_links(self._tenant_id, self._links)
            self._links = []
        if self._entries:
            self._store.add_entries(self._run_id, self._entries)
            self._entries = []
            self._store.heartbeat(self._run_id)


def _count_key(action: Action, status: Status) -> str:
    """The summary columns: created, updated, renamed, unchanged, skipped, refused, failed."""
    if status is Status.FAILED:
        return "failed"
    if status is Status.REFUSED or action is Action.REFUSE:
        return "refused"
    if status is Status.PLANNED:
        return f"planned_{action.value}"
    return {
        Action.CREATE: "created",
        Action.UPDATE: "updated",
        Action.RENAME: "renamed",
        Action.UNCHANGED: "unchanged",
        Action.SKIP: "skipped",
    }[action]
