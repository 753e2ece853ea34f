"""The history read back: runs and records paged by cursor, the record catalogue and one
record's timeline, the refusals still open, the fleet's latest runs and live progress.

Every test runs on SQLite and PostgreSQL (``store_url``). The query plans of the pages are
checked too: each page walks an index in its own order, so a missing index fails here and
not as a slow page a year into production.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import event, text

from silta.domain import Action, FieldChange, Refusal, Register, RunKind, RunStatus, Status
from silta.store import Detail, History, RunFilter, RunProgress, Store, UnknownRun
from silta.store.history import BadCursor, Page, UnknownRecord
from silta.store.migrate import upgrade
from silta.triggers import TriggerKind

from .conftest import KEY, Clock, config, entry


def refusal(rule: str = "customers.severa.business_id_missing") -> Refusal:
    return Refusal(rule, "vatNumber", "Y-tunnus puuttuu", "No business ID")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def timed(store_url: str, clock: Clock) -> Iterator[Store]:
    with Store.open(store_url, secret_key=KEY, clock=clock) as store:
        yield store


def run(
    store: Store,
    clock: Clock,
    tenant_id: int,
    entries: Sequence[object] = (),
    *,
    register: Register = Register.CUSTOMERS,
    kind: RunKind = RunKind.INCREMENTAL,
    dry_run: bool = False,
    trigger: str = "schedule #1",
    status: RunStatus = RunStatus.COMPLETED,
    minutes: float = 20,
) -> int:
    """A run ``minutes`` after the previous one, with ``entries``, ended as ``status``."""
    clock.advance(minutes=minutes)
    run_id = store.start_run(tenant_id, register, kind=kind, dry_run=dry_run, trigger=trigger)
    store.add_entries(run_id, entries)  # type: ignore[arg-type]
    if status is not RunStatus.RUNNING:
        store.finish_run(run_id, status, counts={})
    return run_id


def walk(pages: Iterator[Page[object]]) -> list[object]:
    return [item for page in pages for item in page.items]


# -- runs ---------------------------------------------------------------------------------


def test_runs_page_newest_first_forward_and_back_without_gaps_or_repeats(
    timed: Store, clock: Clock
) -> None:
    acme = timed.add_tenant(config(), changed_by="alice")
    ids = [run(timed, clock, acme.id) for _ in range(23)]
    # two runs in the same microsecond: the id breaks the tie, so neither is lost
    ids += [run(timed, clock, acme.id, minutes=0), run(timed, clock, acme.id, minutes=0)]
    history = History(timed)
    pages = [history.runs(acme.id, limit=10)]
    while pages[-1].next is not None:
        pages.append(history.runs(acme.id, after=pages[-1].next, limit=10))
    seen = [r.id for page in pages for r in page.items]
    assert seen == sorted(ids, reverse=True)
    assert [len(page.items) for page in pages] == [10, 10, 5]
    assert pages[0].previous is None and pages[1].previous is not None
    # back from the last page: the same pages again
    back = history.runs(acme.id, before=pages[2].previous, limit=10)
    assert [r.id for r in back.items] == [r.id for r in pages[1].items]
    first = history.runs(acme.id, before=back.previous, limit=10)
    assert [r.id for r in first.items] == [r.id for r in pages[0].items]
    assert first.previous is None and first.next is not None


def test_runs_filter_by_register_status_trigger_preview_and_period(
    timed: Store, clock: Clock
) -> None:
    acme = timed.add_tenant(config(), changed_by="alice")
    other = timed.add_tenant(config("other"), changed_by="alice")
    begin = clock.now
    scheduled = run(timed, clock, acme.id)
    failed = run(timed, clock, acme.id, status=RunStatus.FAILED, register=Register.PRODUCTS)
    synced = run(timed, clock, acme.id, trigger="sync now: kh@demo.fi (job 4)")
    cli = run(timed, clock, acme.id, trigger="manual")
    api = run(timed, clock, acme.id, trigger="preview (api): bot@demo.fi", dry_run=True)
    preview = run(timed, clock, acme.id, trigger="preview: kh@demo.fi", dry_run=True)
    odd = run(timed, clock, acme.id, trigger="something 100% new_")
    run(timed, clock, other.id)  # never in acme's history
    history = History(timed)

    def ids(**wanted: object) -> list[int]:
        return [r.id for r in history.runs(acme.id, RunFilter(**wanted)).items]  # type: ignore[arg-type]

    assert ids() == [odd, preview, api, cli, synced, failed, scheduled]
    assert ids(register=Register.PRODUCTS) == [failed]
    assert ids(status=RunStatus.FAILED) == [failed]
    assert ids(trigger=TriggerKind.SCHEDULE) == [failed, scheduled]
    assert ids(trigger=TriggerKind.SYNC_NOW) == [synced]
    assert ids(trigger=TriggerKind.CLI) == [cli]
    assert ids(trigger=TriggerKind.API) == [api]
    assert ids(trigger=TriggerKind.PREVIEW) == [preview]
    assert ids(trigger=TriggerKind.OTHER) == [odd]
    assert ids(preview=True) == [preview, api]
    assert ids(preview=False) == [odd, cli, synced, failed, scheduled]
    second = begin + timedelta(minutes=40)
    assert ids(since=second, until=second + timedelta(minutes=41)) == [cli, synced, failed]


def test_a_cursor_not_made_by_the_list_is_refused(timed: Store, clock: Clock) -> None:
    acme = timed.add_tenant(config(), changed_by="alice")
    run_id = run(timed, clock, acme.id, [entry(1)])
    history = History(timed)
    for bad in ("x", "1", "1.2.3", "-1.2", "1.2 ", "99999999999999999999.1", "1e5.1"):
        with pytest.raises(BadCursor):
            history.runs(acme.id, after=bad)
    with pytest.raises(BadCursor):
        history.entries(run_id, after="1.2")
    with pytest.raises(ValueError, match="1 to 500"):
        history.runs(acme.id, limit=501)


# -- a run's records ----------------------------------------------------------------------


def test_a_runs_records_page_in_recorded_order_with_the_filters(timed: Store, clock: Clock) -> None:
    acme = timed.add_tenant(config(), changed_by="alice")
    written = [
        entry(n, status=Status.REFUSED, action=Action.REFUSE, refusals=(refusal(),))
        if n % 4 == 0
        else entry(n)
        for n in range(1, 41)
    ]
    run_id = run(timed, clock, acme.id, written)
    history = History(timed)
    first = history.entries(run_id, limit=15)
    assert first.items == tuple(written[:15]) and first.previous is None
    second = history.entries(run_id, after=first.next, limit=15)
    assert second.items == tuple(written[15:30])
    assert history.entries(run_id, before=second.previous, limit=15).items == first.items
    refused = history.entries(run_id, status=Status.REFUSED, limit=4)
    assert [e.source_key for e in refused.items] == ["4", "8", "12", "16"]
    rest = history.entries(run_id, status=Status.REFUSED, after=refused.next, limit=10)
    assert [e.source_key for e in rest.items] == ["20", "24", "28", "32", "36", "40"]
    assert rest.next is None
    assert history.entries(run_id, action=Action.CREATE, limit=500).items == tuple(
        e for e in written if e.action is Action.CREATE
    )
    assert list(history.iter_entries(run_id)) == written
    with pytest.raises(UnknownRun):
        history.entries(999_999)


def test_streaming_a_large_run_reads_it_a_page_at_a_time(timed: Store, clock: Clock) -> None:
    acme = timed.add_tenant(config(), changed_by="alice")
    written = [entry(n) for n in range(2_500)]
    run_id = run(timed, clock, acme.id, written)
    streamed = History(timed).iter_entries(run_id)
    assert [next(streamed) for _ in range(3)] == written[:3]  # a generator: lazily read
    assert [*written[:3], *streamed] == written


# -- the record catalogue and one record's timeline ---------------------------------------


def test_records_are_found_by_number_code_key_or_name_in_any_letter_case(
    timed: Store, clock: Clock
) -> None:
    acme = timed.add_tenant(config(), changed_by="alice")
    other = timed.add_tenant(config("other"), changed_by="alice")
    run(timed, clock, acme.id, [
        entry(1011, natural_key="1011", name="Äänekosken Sähkö Oy"),
        entry(1012, natural_key="1012", name="Oy 100%_Kone Ab"),
        entry(77, register=Register.PRODUCTS, natural_key="TUOTE-7", name="Konsultointi"),
    ])  # fmt: skip
    run(timed, clock, other.id, [entry(1011, natural_key="1011", name="Toinen Oy")])
    history = History(timed)

    def found(text: str, **options: object) -> list[str | None]:
        page = history.search(acme.id, text, **options)  # type: ignore[arg-type]
        return sorted(r.natural_key or "" for r in page.items)

    assert found("1011") == ["1011"]  # not the other company's
    assert found("101") == ["1011", "1012"]
    assert found("ääNEKOSKEN") == ["1011"]
    assert found("tuote-7") == ["TUOTE-7"]
    assert found("77") == ["TUOTE-7"]  # its source key
    assert found("100%_") == ["1012"]  # % and _ are letters here, not wildcards
    assert found("%") == ["1012"]
    assert found("oy") == ["1011", "1012"]
    assert found("oy", register=Register.PRODUCTS) == []
    assert found("") == ["1011", "1012", "TUOTE-7"]
    assert found("nothing like it") == []


def test_a_record_keeps_its_newest_name_and_pages_newest_seen_first(
    timed: Store, clock: Clock
) -> None:
    acme = timed.add_tenant(config(), changed_by="alice")
    run(timed, clock, acme.id, [entry(n, natural_key=str(n)) for n in range(1, 8)])
    run(timed, clock, acme.id, [entry(3, natural_key="3", name="Uusi nimi Oy")])
    history = History(timed)
    first = history.search(acme.id, limit=4)
    assert first.items[0].natural_key == "3" and first.items[0].name == "Uusi nimi Oy"
    assert first.items[0].first_seen_at < first.items[0].last_seen_at
    rest = history.search(acme.id, after=first.next, limit=4)
    keys = [r.natural_key for r in (*first.items, *rest.items)]
    assert sorted(keys, key=int) == [str(n) for n in range(1, 8)] and len(set(keys)) == 7
    assert list(history.iter_search(acme.id)) == [*first.items, *rest.items]
    record = first.items[0]
    assert history.record(acme.id, record.id) == record
    other = timed.add_tenant(config("other"), changed_by="alice")
    with pytest.raises(UnknownRecord):
        history.record(other.id, record.id)  # another company's record does not exist


def test_a_records_timeline_reads_across_runs_and_a_change_of_direction(
    timed: Store, clock: Clock
) -> None:
    acme = timed.add_tenant(config(), changed_by="alice")
    refused = entry(
        1011, source_key="guid-1011", natural_key="1011", action=Action.REFUSE,
        status=Status.REFUSED, refusals=(refusal(),),
    )  # fmt: skip
    first = run(timed, clock, acme.id, [refused, entry(1012, natural_key="1012")])
    preview = run(timed, clock, acme.id, [refused], dry_run=True, trigger="preview: kh@demo.fi")
    fixed = entry(
        1011, source_key="guid-1011", natural_key="1011", action=Action.CREATE,
        changes=(FieldChange("name", None, "Asiakas 1011 Oy"),),
    )  # fmt: skip
    second = run(timed, clock, acme.id, [fixed])
    # the direction changed: the same customer number, now read from Netvisor
    turned = entry(1011, source_key="55", natural_key="1011", action=Action.UNCHANGED)
    third = run(timed, clock, acme.id, [turned], register=Register.CUSTOMERS)
    history = History(timed)
    [record] = history.search(acme.id, "guid-1011").items
    timeline = history.timeline(record)
    assert [o.run_id for o in timeline.items] == [third, second, preview, first]
    assert [o.entry.status for o in timeline.items] == [
        Status.DONE, Status.DONE, Status.REFUSED, Status.REFUSED,
    ]  # fmt: skip
    oldest = timeline.items[-1]
    assert oldest.entry == refused and oldest.trigger == "schedule #1" and not oldest.dry_run
    assert timeline.items[2].dry_run
    assert [o.run_id for o in history.timeline(record, preview=False).items] == [
        third, second, first,
    ]  # fmt: skip
    assert [o.run_id for o in history.timeline(record, status=Status.REFUSED).items] == [
        preview, first,
    ]  # fmt: skip
    paged = history.timeline(record, limit=3)
    assert history.timeline(record, after=paged.next, limit=3).items == timeline.items[3:]
    assert list(history.iter_timeline(record)) == list(timeline.items)


def test_dimension_items_that_share_a_name_keep_their_own_timelines(
    timed: Store, clock: Clock
) -> None:
    acme = timed.add_tenant(config(), changed_by="alice")
    phases = [
        entry(
            n, register=Register.DIMENSIONS, source_key=f"phase-{n}", natural_key="10 Suunnittelu"
        )
        for n in (1, 2)
    ]
    run(timed, clock, acme.id, phases, register=Register.DIMENSIONS, kind=RunKind.FULL)
    history = History(timed)
    records = history.search(acme.id, "suunnittelu").items
    assert len(records) == 2
    for record in records:
        [outcome] = history.timeline(record).items
        assert outcome.entry.source_key == record.source_key


# -- open refusals ------------------------------------------------------------------------


def test_open_refusals_are_the_records_whose_newest_real_outcome_refused_them(
    timed: Store, clock: Clock
) -> None:
    acme = timed.add_tenant(config(), changed_by="alice")

    def refused(number: int, rule: str = "customers.severa.business_id_missing") -> object:
        return entry(number, action=Action.REFUSE, status=Status.REFUSED, refusals=(refusal(rule),))

    # an older full run: its refusals were all fixed or re-decided by the newer full run
    run(timed, clock, acme.id, [refused(9)], kind=RunKind.FULL)
    full = run(timed, clock, acme.id, [refused(1), refused(2), entry(3), entry(9)],
               kind=RunKind.FULL)  # fmt: skip
    run(timed, clock, acme.id, [refused(4, "customers.severa.name_missing")])
    run(timed, clock, acme.id, [entry(1, action=Action.UPDATE)])  # 1 was fixed
    run(timed, clock, acme.id, [refused(5)], dry_run=True)  # a preview proves nothing
    run(timed, clock, acme.id, [refused(6)], status=RunStatus.RUNNING)  # nor a run going
    history = History(timed)
    found = history.open_refusals(acme.id)
    assert [r.entry.source_key for r in found] == ["2", "4"]
    assert found[0].run.id == full and found[0].entry.refusals[0].rule.endswith("id_missing")
    assert history.open_refusals(acme.id, [Register.PRODUCTS]) == []
    # a new full run no longer meets record 2 (deleted in Severa): nothing to fix there
    timed.finish_run(history.running(acme.id)[0].id, RunStatus.INTERRUPTED, counts={})
    run(timed, clock, acme.id, [refused(4, "customers.severa.name_missing")], kind=RunKind.FULL)
    assert [r.entry.source_key for r in history.open_refusals(acme.id)] == ["4"]


def test_without_a_completed_full_run_the_newest_runs_decide(timed: Store, clock: Clock) -> None:
    acme = timed.add_tenant(config(), changed_by="alice")
    run(timed, clock, acme.id, [entry(1, action=Action.REFUSE, status=Status.REFUSED)],
        kind=RunKind.FULL, status=RunStatus.FAILED)  # fmt: skip
    run(timed, clock, acme.id, [entry(2, action=Action.REFUSE, status=Status.REFUSED)])
    assert [r.entry.source_key for r in History(timed).open_refusals(acme.id)] == ["1", "2"]


# -- the fleet and live progress ----------------------------------------------------------


def test_the_latest_run_and_latest_real_run_of_every_register_of_every_tenant(
    timed: Store, clock: Clock
) -> None:
    tenants = [timed.add_tenant(config(f"yritys {n}"), changed_by="alice") for n in range(3)]
    a, b, c = (t.id for t in tenants)
    run(timed, clock, a)
    real = run(timed, clock, a)
    preview = run(timed, clock, a, dry_run=True)
    products = run(timed, clock, a, register=Register.PRODUCTS, status=RunStatus.FAILED)
    going = run(timed, clock, b, status=RunStatus.RUNNING)
    latest = History(timed).latest_runs()
    assert [r.id for r in latest[a]] == [products, preview, real]
    assert [(r.id, r.status) for r in latest[b]] == [(going, RunStatus.RUNNING)]
    assert c not in latest
    assert History(timed).latest_runs([c, a])[c] == []


def test_progress_is_written_while_a_run_goes_and_never_after(timed: Store, clock: Clock) -> None:
    acme = timed.add_tenant(config(), changed_by="alice")
    run_id = run(timed, clock, acme.id, status=RunStatus.RUNNING)
    assert timed.run(run_id).progress is None
    at = clock.advance(seconds=5)
    assert timed.report_progress(run_id, read=1200, done=450, written=300)
    assert timed.run(run_id).progress == RunProgress(1200, 450, 300, at)
    assert timed.run(run_id).heartbeat_at == at  # a sign of life too
    [going] = History(timed).running(acme.id)
    assert going.id == run_id and going.progress == RunProgress(1200, 450, 300, at)
    timed.finish_run(run_id, RunStatus.COMPLETED, counts={"created": 300})
    clock.advance(seconds=1)
    assert not timed.report_progress(run_id, read=1, done=1, written=1)
    assert timed.run(run_id).progress == RunProgress(1200, 450, 300, at)
    assert History(timed).running(acme.id) == []


# -- the migration ------------------------------------------------------------------------


def test_0010_fills_in_the_entries_tenant_and_the_catalogue_from_the_history_kept(
    store_url: str,
) -> None:
    from silta.store.database import make_engine, normalise_url

    engine = make_engine(normalise_url(store_url))
    try:
        upgrade(engine, "0007")
        with engine.begin() as connection:
            for tenant_id in (1, 2):
                connection.execute(
                    text(
                        "INSERT INTO tenants (id, name, netvisor_base_url, severa_base_url,"
                        " netvisor_credentials, severa_credentials, paused,"
                        " confirmations_waived, settings_version, created_at, updated_at)"
                        " VALUES (:id, :name, 'n', 's', 'x', 'x', false, false, 1, :t, :t)"
                    ),
                    {"id": tenant_id, "name": f"t{tenant_id}", "t": "2026-01-01 00:00:00"},
                )
            for run_id, tenant_id, day in ((1, 1, 1), (2, 2, 1), (3, 1, 2)):
                connection.execute(
                    text(
                        "INSERT INTO runs (id, tenant_id, register, kind, dry_run, trigger,"
                        " status, started_at, heartbeat_at, counts, error, owner) VALUES"
                        " (:id, :tenant, 'customers', 'full', false, 'schedule #1', 'completed',"
                        " :t, :t, '{}', NULL, 'h:1')"
                    ),
                    {"id": run_id, "tenant": tenant_id, "t": f"2026-01-0{day} 00:00:00"},
                )
            for entry_id, run_id, source, natural, name in (
                (1, 1, "g1", "1011", "Vanha nimi Oy"),
                (2, 1, None, "H", "Otsikko"),
                (3, 2, "g1", "1011", "Toisen yrityksen asiakas"),
                (4, 3, "g1", "1011", "Uusi nimi Oy"),
            ):
                connection.execute(
                    text(
                        "INSERT INTO run_entries (id, run_id, register, source_key, natural_key,"
                        " name, action, status, target_key, changes, refusals, message) VALUES"
                        " (:id, :run, 'customers', :source, :natural, :name, 'update', 'done',"
                        " NULL, '[]', '[]', NULL)"
                    ),
                    {"id": entry_id, "run": run_id, "source": source, "natural": natural,
                     "name": name},
                )  # fmt: skip
        upgrade(engine)
        with engine.connect() as connection:
            tenants = connection.execute(
                text("SELECT id, tenant_id FROM run_entries ORDER BY id")
            ).all()
            records = connection.execute(
                text(
                    "SELECT tenant_id, source_key, natural_key, name, search FROM records"
                    " ORDER BY tenant_id, natural_key"
                )
            ).all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in tenants] == [(1, 1), (2, 1), (3, 2), (4, 1)]
    assert [tuple(row) for row in records] == [
        (1, "g1", "1011", "Uusi nimi Oy", "1011 g1 uusi nimi oy"),
        (1, "", "H", "Otsikko", "h otsikko"),
        (2, "g1", "1011", "Toisen yrityksen asiakas", "1011 g1 toisen yrityksen asiakas"),
    ]
    with Store.open(store_url, secret_key=KEY) as store:
        history = History(store)
        [found] = history.search(1, "uusi").items
        assert [o.entry_id for o in history.timeline(found).items] == [4, 1]


# -- the query plans ----------------------------------------------------------------------


def _plan_of(store: Store, action: Callable[[], object]) -> str:
    """The plan of the last page query ``action`` runs (a SELECT with a LIMIT), with its
    own parameters.

    On PostgreSQL a small table is rightly read whole; the plan is asked with whole-table
    scans, bitmap scans and sorts switched off, which the planner then uses only when it
    has no other way: an index that gives the rows in the page's order.
    """
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT") and "LIMIT" in statement.upper():
            statements.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", capture)
    try:
        action()
    finally:
        event.remove(store.engine, "before_cursor_execute", capture)
    statement, parameters = statements[-1]
    with store.engine.connect() as connection:
        raw: Any = connection.connection.driver_connection
        if store.engine.dialect.name == "sqlite":
            found = raw.execute(f"EXPLAIN QUERY PLAN {statement}", parameters).fetchall()
            return "\n".join(str(row[-1]) for row in found)
        with raw.cursor() as cursor:
            for setting in ("enable_seqscan", "enable_sort", "enable_bitmapscan"):
                cursor.execute(f"SET {setting} = off")
            cursor.execute(f"EXPLAIN {statement}", parameters)
            return "\n".join(str(row[0]) for row in cursor.fetchall())


# page -> the column its filter must find in the index (not test row by row)
PAGES = {
    "runs": "tenant_id",
    "runs of a register": "register",
    "failed runs": "status",
    "records": "run_id",
    "refused records": "status",
    "timeline": "natural_key",  # the second of its two queries (by each key)
}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_walks_an_index_in_its_own_order(timed: Store, clock: Clock, page: str) -> None:
    acme = timed.add_tenant(config(), changed_by="alice")
    run_id = run(timed, clock, acme.id, [entry(n) for n in range(30)])
    run(timed, clock, acme.id, [entry(n) for n in range(30)])
    history = History(timed)
    record = history.search(acme.id, "FI0000001").items[0]
    pages: dict[str, Callable[[], object]] = {
        "runs": lambda: history.runs(acme.id, after=history.runs(acme.id, limit=1).next),
        "runs of a register": lambda: history.runs(acme.id, RunFilter(register=Register.PRODUCTS)),
        "failed runs": lambda: history.runs(acme.id, RunFilter(status=RunStatus.FAILED)),
        "records": lambda: history.entries(run_id, after=history.entries(run_id, limit=5).next),
        "refused records": lambda: history.entries(run_id, status=Status.REFUSED),
        "timeline": lambda: history.timeline(record),
    }
    plan = _plan_of(timed, pages[page])
    column = PAGES[page]
    if timed.engine.dialect.name == "sqlite":
        assert "TEMP B-TREE" not in plan, plan  # no sort: the index gives the order
        searches = [line for line in plan.splitlines() if line.startswith("SEARCH")]
        assert any(f"{column}=?" in line for line in searches), plan  # found, not filtered
        assert not [line for line in plan.splitlines() if line.startswith("SCAN")], plan
    else:
        assert "Seq Scan" not in plan and "Sort" not in plan, plan
        conditions = [line for line in plan.splitlines() if "Index Cond" in line]
        assert any(column in line for line in conditions), plan


# -- display facts (0011) ---------------------------------------------------------------------


def test_an_entrys_details_come_back_from_every_read_in_their_order(
    timed: Store, clock: Clock
) -> None:
    acme = timed.add_tenant(config(), changed_by="alice")
    details = (Detail("total", "1240.00"), Detail("customer", "Asiakas 1 Oy"))
    refused = entry(
        7, source_key="inv-7", natural_key="10007", action=Action.REFUSE,
        status=Status.REFUSED, refusals=(refusal(),), details=details,
    )  # fmt: skip
    plain = entry(8, natural_key="10008")
    run_id = run(timed, clock, acme.id, [refused, plain])
    assert timed.entries(run_id) == [refused, plain]
    assert timed.entries(run_id)[1].details == ()
    history = History(timed)
    assert history.entries(run_id).items == (refused, plain)
    [record] = history.search(acme.id, "inv-7").items
    assert history.timeline(record).items[0].entry.details == details
    [open_refusal] = history.open_refusals(acme.id)
    assert open_refusal.entry.details == details
    # an entry written before 0011 has NULL there, and reads as no details
    with timed._writing() as session:
        session.execute(text("UPDATE run_entries SET details = NULL"))
    assert [e.details for e in history.entries(run_id).items] == [(), ()]
