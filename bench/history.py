"""History: the pages of a year of runs, on SQLite and PostgreSQL.

A store with ``100,000 × scale`` runs and about ``1,000,000 × scale`` entries over 100
companies, shaped like the scheduler's (a run of one register every 20 minutes, a nightly
full run of 200 records, incremental runs of a few, previews and failures among them), and
its record catalogue. Then each page the history shows is read five times and its median
time kept: runs newest first, a page deep in the past, runs filtered by register, status,
trigger, preview and period; a full run's records and its refusals; a record search by
number and by name; a record's timeline; the open refusals; the fleet's latest runs; a
run's CSV. The plan of each main query is printed with it (``EXPLAIN``), so a page that
reads a table whole or sorts shows why.

The rows are written with plain inserts (no engine): what is measured is reading.
PostgreSQL is a throwaway database on ``SILTA_BENCH_POSTGRES_URL`` (skipped when that
server cannot be reached).
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert

from bench import report
from bench.scheduling import Database, postgres_problem
from silta.domain import Action, Register, RunKind, RunStatus, Status
from silta.store import History, RunFilter, Store
from silta.store.history import search_text
from silta.store.models import RecordRow, RunEntryRow, RunRow, TenantRow
from silta.triggers import TriggerKind

NAME = "history"
KEY = "lVgUqzfjrrrb3c0n1Cwl9TR7rLKjM1_3BMqS6ZBDo0E="
TENANTS = 100
FULL_EVERY = 36  # a nightly full run among a day's runs of a register
FULL_SIZE = 200  # records a full run meets
REFUSED_SHARE = 20  # every 20th record is refused, run after run
START = datetime(2026, 1, 1, tzinfo=UTC)
REPEAT = 5


def _refusal(number: int) -> dict[str, Any]:
    return {
        "rule": "customers.severa.business_id_missing",
        "field": "vatNumber",
        "message_fi": f"Asiakkaalta {number} puuttuu Y-tunnus",
        "message_en": f"Customer {number} has no business ID",
    }


def populate(store: Store, runs_total: int, rng: random.Random) -> dict[str, Any]:
    """The rows, written in batches; what was made."""
    per_tenant = max(10, runs_total // TENANTS)
    engine = store.engine
    made = {"runs": 0, "entries": 0, "records": 0}
    with engine.begin() as connection:
        connection.execute(
            insert(TenantRow),
            [
                {
                    "id": tenant_id,
                    "name": f"Yritys {tenant_id:03d} Oy",
                    "netvisor_base_url": "https://isvapi.netvisor.fi",
                    "severa_base_url": "https://api.severa.visma.com/rest-api",
                    "netvisor_credentials": "x",
                    "severa_credentials": "x",
                    "paused": False,
                    "confirmations_waived": False,
                    "settings_version": 1,
                    "created_at": START,
                    "updated_at": START,
                }
                for tenant_id in range(1, TENANTS + 1)
            ],
        )
    run_id = entry_id = 0
    for tenant_id in range(1, TENANTS + 1):
        runs: list[dict[str, Any]] = []
        entries: list[dict[str, Any]] = []
        records: dict[tuple[str, str], dict[str, Any]] = {}
        for number in range(per_tenant):
            run_id += 1
            register = (Register.CUSTOMERS, Register.PRODUCTS, Register.DIMENSIONS)[number % 3]
            at = START + timedelta(minutes=20 * number, seconds=tenant_id)
            full = number % FULL_EVERY == 0
            preview = not full and rng.random() < 0.05
            failed = not full and not preview and rng.random() < 0.02
            trigger = (
                "preview: kh@yritys.fi"
                if preview
                else "manual"
                if rng.random() < 0.005
                else "sync now: kh@yritys.fi"
                if rng.random() < 0.02
                else f"schedule #{run_id}"
            )
            runs.append({
                "id": run_id, "tenant_id": tenant_id, "register": register,
                "kind": RunKind.FULL if full else RunKind.INCREMENTAL, "dry_run": preview,
                "trigger": trigger,
                "status": RunStatus.FAILED if failed else RunStatus.COMPLETED,
                "started_at": at, "heartbeat_at": at, "finished_at": at + timedelta(seconds=30),
                "counts": {}, "error": "NetvisorConnectError: x" if failed else None,
                "owner": "bench:1", "progress": None,
            })  # fmt: skip
            numbers = (
                range(1000, 1000 + FULL_SIZE)
                if full
                else rng.sample(range(1000, 1000 + FULL_SIZE), rng.randint(1, 8))
            )
            for customer in numbers:
                entry_id += 1
                refused = customer % REFUSED_SHARE == 0
                natural, source = str(customer), f"guid-{tenant_id}-{register.value}-{customer}"
                name = f"Asiakas {customer} Oy" if customer != 1011 else "Äänekosken Sähkö Oy"
                entries.append({
                    "id": entry_id, "run_id": run_id, "tenant_id": tenant_id,
                    "register": register, "source_key": source, "natural_key": natural,
                    "name": name,
                    "action": Action.REFUSE if refused else Action.UNCHANGED,
                    "status": Status.REFUSED if refused else Status.DONE, "target_key": None,
                    "changes": [], "refusals": [_refusal(customer)] if refused else [],
                    "message": None,
                })  # fmt: skip
                records[(register.value, source)] = {
                    "tenant_id": tenant_id, "register": register, "source_key": source,
                    "natural_key": natural, "name": name,
                    "search": search_text(natural, source, name),
                    "first_seen_at": START, "last_seen_at": at,
                }  # fmt: skip
        with engine.begin() as connection:
            connection.execute(insert(RunRow), runs)
            for start in range(0, len(entries), 20_000):
                connection.execute(insert(RunEntryRow), entries[start : start + 20_000])
            connection.execute(insert(RecordRow), list(records.values()))
        made["runs"] += len(runs)
        made["entries"] += len(entries)
        made["records"] += len(records)
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            if run_id:  # the sequences after explicit ids
                for table in ("runs", "run_entries"):
                    connection.exec_driver_sql(  # the table names are this module's own
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                        f"(SELECT max(id) FROM {table}))"
                    )
            connection.commit()
    else:
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
    return made


def timed(action: Callable[[], object]) -> float:
    """The median time of ``action`` over :data:`REPEAT` calls, in milliseconds."""
    times = []
    for _ in range(REPEAT):
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1000)
    return round(statistics.median(times), 2)


def plan_of(store: Store, action: Callable[[], object]) -> str:
    """The plan of the last query with a LIMIT that ``action`` runs."""
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "LIMIT" in statement.upper():
            statements.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", capture)
    try:
        action()
    finally:
        event.remove(store.engine, "before_cursor_execute", capture)
    if not statements:
        return ""
    statement, parameters = statements[-1]
    with store.engine.connect() as connection:
        raw: Any = connection.connection.driver_connection
        if store.engine.dialect.name == "sqlite":
            found = raw.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
            return " | ".join(str(row[-1]) for row in found)
        with raw.cursor() as cursor:
            cursor.execute(f"EXPLAIN {statement}", parameters)
            return " | ".join(str(row[0]).strip() for row in cursor.fetchall())


def measure(store: Store) -> dict[str, Any]:
    history = History(store)
    tenant = 1
    # a cursor deep in the past: ~18 pages of 50 back
    deep = history.runs(tenant, limit=1)
    walked = history.runs(tenant, limit=500)
    walked = history.runs(tenant, after=walked.next, limit=400)
    deep_cursor = walked.next
    full = next(
        run
        for run in history.runs(tenant, RunFilter(register=Register.CUSTOMERS), limit=200).items
        if run.kind is RunKind.FULL
    )
    middle = history.entries(full.id, limit=150).next
    record = history.search(tenant, "1011", register=Register.CUSTOMERS).items[0]
    day = START + timedelta(days=5)
    pages: dict[str, Callable[[], object]] = {
        "runs: first page": lambda: history.runs(tenant),
        "runs: a page 900 runs back": lambda: history.runs(tenant, after=deep_cursor),
        "runs: one register": lambda: history.runs(tenant, RunFilter(register=Register.PRODUCTS)),
        "runs: failed": lambda: history.runs(tenant, RunFilter(status=RunStatus.FAILED)),
        "runs: trigger cli (rare)": lambda: history.runs(
            tenant, RunFilter(trigger=TriggerKind.CLI)
        ),
        "runs: previews only": lambda: history.runs(tenant, RunFilter(preview=True)),
        "runs: one day": lambda: history.runs(
            tenant, RunFilter(since=day, until=day + timedelta(days=1))
        ),
        "records of a full run: first page": lambda: history.entries(full.id),
        "records of a full run: after 150": lambda: history.entries(full.id, after=middle),
        "records of a full run: refused": lambda: history.entries(full.id, status=Status.REFUSED),
        "search: by number": lambda: history.search(tenant, "1011"),
        "search: by name": lambda: history.search(tenant, "äänekosken"),
        "timeline of a record": lambda: history.timeline(record),
        "open refusals": lambda: history.open_refusals(tenant),
        "fleet: latest runs of 100 companies": lambda: history.latest_runs(),
        "a full run's records streamed (CSV)": lambda: list(history.iter_entries(full.id)),
    }
    del deep
    figures = {name: timed(action) for name, action in pages.items()}
    plans = {
        name: plan_of(store, pages[name])
        for name in (
            "runs: first page",
            "runs: a page 900 runs back",
            "runs: one register",
            "runs: failed",
            "runs: trigger cli (rare)",
            "records of a full run: after 150",
            "records of a full run: refused",
            "timeline of a record",
        )
    }
    return {"page_ms": figures, "plans": plans}


def backend(url: str, runs_total: int) -> dict[str, Any]:
    rng = random.Random(20)
    with Store.open(url, secret_key=KEY) as store:
        began = time.perf_counter()
        made = populate(store, runs_total, rng)
        made["populate_s"] = round(time.perf_counter() - began, 1)
        return {**made, **measure(store)}


def run(scale: float = 1.0) -> dict[str, Any]:
    runs_total = max(1000, round(100_000 * scale))
    results: dict[str, Any] = {"runs_requested": runs_total}
    with tempfile.TemporaryDirectory() as folder:
        print(f"\nHistory: {runs_total} runs on SQLite", flush=True)
        results["sqlite"] = backend(f"sqlite:///{Path(folder) / 'history.db'}", runs_total)
    problem = postgres_problem()
    if problem is None:
        database = Database()
        try:
            print(f"History: {runs_total} runs on PostgreSQL", flush=True)
            results["postgresql"] = backend(database.url, runs_total)
        finally:
            database.close()
    else:
        results["postgresql"] = {"skipped": problem}
    for name in ("sqlite", "postgresql"):
        found = results[name]
        if "page_ms" not in found:
            continue
        report.table(
            f"History on {name}: {found['runs']} runs, {found['entries']} entries, "
            f"{found['records']} records (written in {found['populate_s']} s)",
            [(page, f"{ms} ms") for page, ms in found["page_ms"].items()],
        )
        for page, plan in found["plans"].items():
            print(f"  plan, {page}: {plan}")
    path = report.write(NAME, results)
    print(f"\nwritten to {path}")
    return results
