"""``silta tenant …``, ``silta sync``, ``silta runs`` and ``silta run show`` end to end.

The commands run in-process (typer's runner) against a store in a temporary SQLite file
and against both sandboxes served over loopback TCP, the way an operator runs them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import attrs
import pytest
from sqlalchemy import update
from starlette.applications import Starlette
from starlette.routing import Mount
from typer.testing import CliRunner, Result

from silta.cli import app
from silta.domain import Register, RunKind
from silta.sandbox.netvisor import Faults, Integration, NetvisorSandbox
from silta.sandbox.sample import Sample, SampleSpec, populate
from silta.sandbox.severa import Credential, SeveraSandbox
from silta.severa.auth import DEFAULT_SCOPES
from silta.store import Holds, Store
from silta.store.models import RunRow
from tests.served import serve_in_thread

ORG = "1967543-8"
NV_CUSTOMER_KEY = "nv-customer-key-do-not-print"
NV_PARTNER_KEY = "nv-partner-key-do-not-print"
SV_SECRET = "severa-secret-do-not-print"


@attrs.define
class Served:
    netvisor: NetvisorSandbox
    severa: SeveraSandbox
    sample: Sample
    base_url: str
    tmp: Path

    def writes(self) -> int:
        nv = self.netvisor.organisation(ORG).stats.writes_committed
        sv = sum(org.stats.writes_committed for org in self.severa.organisations.values())
        return nv + sv

    def tenant_file(self, name: str = "Testi Oy", *, secret_env: str = "TEST_SV_SECRET") -> Path:  # noqa: S107 (a variable name)
        path = self.tmp / f"{name}.toml"
        path.write_text(
            f'name = "{name}"\n'
            "[netvisor]\n"
            f'base_url = "{self.base_url}/netvisor"\n'
            'customer_id = "TEST_USER"\n'
            'customer_key_env = "TEST_NV_CUSTOMER_KEY"\n'
            'partner_id = "TEST_PARTNER"\n'
            f'partner_key = "{NV_PARTNER_KEY}"\n'
            f'organisation_id = "{ORG}"\n'
            "[severa]\n"
            f'base_url = "{self.base_url}/severa"\n'
            'client_id = "test-client"\n'
            f'client_secret_env = "{secret_env}"\n'
            "[settings]\n"
            'customers = "severa_to_netvisor"\n'
            'products = "netvisor_to_severa"\n',
            encoding="utf-8",
        )
        return path


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    monkeypatch.setenv("SILTA_DATABASE_URL", f"sqlite:///{tmp_path / 'silta.db'}")
    monkeypatch.delenv("SILTA_SECRET_KEY", raising=False)
    monkeypatch.setenv("SILTA_SECRET_KEY_FILE", str(tmp_path / "silta.key"))
    monkeypatch.setenv("TEST_NV_CUSTOMER_KEY", NV_CUSTOMER_KEY)
    monkeypatch.setenv("TEST_SV_SECRET", SV_SECRET)
    netvisor = NetvisorSandbox(seed=5)
    netvisor.add_integration(
        Integration(
            partner_id="TEST_PARTNER",
            partner_key=NV_PARTNER_KEY,
            customer_id="TEST_USER",
            customer_key=NV_CUSTOMER_KEY,
            organisation_ids=(ORG,),
        )
    )
    severa = SeveraSandbox(seed=5)
    org = severa.add_organisation("Testi Oy")
    severa.add_credential(
        Credential("test-client", SV_SECRET, organisation=org.id, scopes=frozenset(DEFAULT_SCOPES))
    )
    spec = SampleSpec(seed=5, customers=14, products=10, projects=2, phases_per_project=2)
    sample = populate(netvisor.organisation(ORG), org, spec)
    asgi = Starlette(
        routes=[Mount("/netvisor", app=netvisor.app), Mount("/severa", app=severa.app)]
    )
    with serve_in_thread(asgi) as base_url:
        # the operator allows the sandboxes (and only them)
        monkeypatch.setenv("SILTA_NETVISOR_URLS", f"{base_url}/netvisor")
        monkeypatch.setenv("SILTA_SEVERA_URLS", f"{base_url}/severa")
        yield Served(netvisor, severa, sample, base_url, tmp_path)


runner = CliRunner()


def silta(*args: str) -> Result:
    return runner.invoke(app, list(args))


def imported(served: Served) -> Served:
    result = silta("tenant", "import", str(served.tenant_file()))
    assert result.exit_code == 0, result.output
    return served


# -- silta tenant ------------------------------------------------------------------------


def test_tenant_import_list_show_never_print_a_secret(served: Served) -> None:
    result = silta("tenant", "import", str(served.tenant_file()))
    assert result.exit_code == 0, result.output
    assert "Added tenant Testi Oy" in result.output

    listed = silta("tenant", "list")
    assert listed.exit_code == 0
    assert re.search(r"Testi Oy\s*│\s*severa_to_netvisor\s*│\s*netvisor_to_severa", listed.output)

    shown = silta("tenant", "show", "Testi Oy")
    assert shown.exit_code == 0, shown.output
    assert f"{served.base_url}/netvisor" in shown.output
    words = " ".join(shown.output.split())  # independent of where the console wraps
    assert "keys set" in words and "secret set" in words
    for secret in (NV_CUSTOMER_KEY, NV_PARTNER_KEY, SV_SECRET):
        for output in (result.output, listed.output, shown.output):
            assert secret not in output
    # ... nor stored in the clear.
    database = (served.tmp / "silta.db").read_bytes()
    for secret in (NV_CUSTOMER_KEY, NV_PARTNER_KEY, SV_SECRET):
        assert secret.encode() not in database


def test_tenant_import_twice_needs_update(served: Served) -> None:
    imported(served)
    again = silta("tenant", "import", str(served.tenant_file()))
    assert again.exit_code == 2
    assert "--update" in again.output
    updated = silta("tenant", "import", str(served.tenant_file()), "--update")
    assert updated.exit_code == 0, updated.output
    assert "Updated tenant Testi Oy" in updated.output


def test_tenant_file_problems_exit_2_naming_the_key_and_import_nothing(served: Served) -> None:
    path = served.tenant_file(secret_env="TEST_UNSET_VARIABLE")
    result = silta("tenant", "import", str(path))
    assert result.exit_code == 2
    assert "TEST_UNSET_VARIABLE" in result.output
    assert "Traceback" not in result.output
    assert "Testi Oy" not in silta("tenant", "list").output

    broken = served.tmp / "broken.toml"
    broken.write_text('name = "x"\n[netvisor\n', encoding="utf-8")
    result = silta("tenant", "import", str(broken))
    assert result.exit_code == 2
    assert "not valid TOML" in result.output


@pytest.mark.parametrize("service", ["netvisor", "severa"])
def test_a_tenant_file_may_name_only_an_address_the_operator_allows(
    served: Served, monkeypatch: pytest.MonkeyPatch, service: str
) -> None:
    """A base URL outside SILTA_NETVISOR_URLS / SILTA_SEVERA_URLS: exit 2 with the list,
    nothing imported; the same file imports once the operator allows the address."""
    monkeypatch.setenv(f"SILTA_{service.upper()}_URLS", "https://elsewhere.example/api")
    result = silta("tenant", "import", str(served.tenant_file()))
    assert result.exit_code == 2, result.output
    output = " ".join(result.output.split())
    assert f"[{service}] base_url: not an allowed" in output
    assert "allowed: https://elsewhere.example/api" in output
    assert f"SILTA_{service.upper()}_URLS" in output
    assert "Testi Oy" not in silta("tenant", "list").output
    monkeypatch.setenv(
        f"SILTA_{service.upper()}_URLS",
        f"https://elsewhere.example/api, {served.base_url}/{service}/",  # any spelling of it
    )
    assert silta("tenant", "import", str(served.tenant_file())).exit_code == 0


def test_tenant_set_records_a_settings_version_and_clears_the_watermark(served: Served) -> None:
    imported(served)
    changed = silta("tenant", "set", "Testi Oy", "dimensions=on", "project_header=Projekti")
    assert changed.exit_code == 0, changed.output
    assert "Settings version 2" in changed.output
    assert "dimensions" in changed.output and "project_header" in changed.output
    store = Store.open()
    try:
        tenant = store.tenant("Testi Oy")
        assert tenant.settings.dimensions is True
        assert tenant.settings.project_header == "Projekti"
        versions = store.settings_history(tenant.id)
        assert [v.version for v in versions][:2] == [2, 1]
        assert versions[0].changed_by.startswith("cli")
    finally:
        store.close()

    unchanged = silta("tenant", "set", "Testi Oy", "dimensions=true")
    assert "Nothing changed" in unchanged.output


@pytest.mark.parametrize(
    ("assignment", "expected"),
    [
        ("colour=blue", "colour: no such setting; the settings are: customers, products"),
        (
            "customers=temporary",
            'customers: "temporary" is not allowed; allowed: netvisor_to_severa, '
            "severa_to_netvisor, temp_customer",
        ),
        ("customers", "is not key=value"),
        (
            "dimensions=maybe",
            'dimensions: "maybe" is not allowed; allowed: true, false, yes, no, on, off',
        ),
        ("include_phases=2", 'include_phases: "2" is not allowed; allowed: true, false'),
        ("register_interval_minutes=often", '"often" is not allowed; allowed: a whole number'),
        ("project_header= Projekti", '" Projekti" is not allowed'),
    ],
)
def test_tenant_set_refuses_bad_assignments_with_exit_2(
    served: Served, assignment: str, expected: str
) -> None:
    imported(served)
    result = silta("tenant", "set", "Testi Oy", assignment)
    assert result.exit_code == 2
    assert expected in " ".join(result.output.split()), result.output
    assert "Traceback" not in result.output
    with Store.open() as store:
        assert store.tenant("Testi Oy").settings_version == 1  # nothing stored


@pytest.mark.parametrize(
    ("assignment", "key", "stored"),
    [
        ("project_header=2024", "project_header", "2024"),  # a name, not a number
        ("project_header=Yes", "project_header", "Yes"),  # a name, not a boolean
        ("project_header=on", "project_header", "on"),
        ("business_unit_header=007", "business_unit_header", "007"),
        ("dimensions=YES", "dimensions", True),  # on/off words in any case
        ("dimensions=Off", "dimensions", False),
        ("register_interval_minutes=45", "register_interval_minutes", 45),
    ],
)
def test_tenant_set_reads_each_value_by_its_settings_type(
    served: Served, assignment: str, key: str, stored: object
) -> None:
    imported(served)
    silta("tenant", "set", "Testi Oy", "dimensions=on")  # so "Off" above is a change
    result = silta("tenant", "set", "Testi Oy", assignment)
    assert result.exit_code == 0, result.output
    with Store.open() as store:
        assert getattr(store.tenant("Testi Oy").settings, key) == stored
    shown = silta("tenant", "show", "Testi Oy")
    assert shown.exit_code == 0, shown.output


def test_unknown_tenant_exits_2(served: Served) -> None:
    for args in (("tenant", "show", "Nobody Oy"), ("sync", "Nobody Oy"), ("runs", "Nobody Oy")):
        result = silta(*args)
        assert result.exit_code == 2, args
        assert "Nobody Oy" in result.output


# -- silta sync, runs, run show -----------------------------------------------------------


def test_dry_run_writes_nothing_and_says_what_it_would_do(served: Served) -> None:
    imported(served)
    before = served.writes()
    result = silta("sync", "Testi Oy", "--dry-run")
    assert result.exit_code == 0, result.output
    assert served.writes() == before
    assert "Preview (nothing written)" in result.output
    assert "would create" in result.output


def test_sync_prints_the_summary_and_every_refusal_then_history_per_record(
    served: Served,
) -> None:
    imported(served)
    result = silta("sync", "Testi Oy", "--full", "--language", "en")
    assert result.exit_code == 0, result.output  # refusals alone are not failures
    customers = re.search(r"customers\s*│\s*(\d+)\s*│\s*completed\s*│\s*(\d+)", result.output)
    assert customers, result.output
    assert int(customers.group(2)) > 0  # created
    refused_rules = {
        case.rule
        for case in served.sample.planted
        if case.register in ("customers", "products")
        and not (case.register == "customers" and case.system == "netvisor")
        and not (case.register == "products" and case.system == "severa")
    }
    assert refused_rules
    for rule in refused_rules:
        assert f"[{rule}]" in result.output, rule

    run_id = customers.group(1)
    history = silta("runs", "Testi Oy")
    assert history.exit_code == 0
    assert "Testi Oy" in history.output
    row = re.search(rf"│ +{run_id} │ customers +│ full +│[^\n]*", history.output)
    assert row, history.output
    assert f"{customers.group(2)} created" in row.group(0)
    assert "command line" in row.group(0)  # the trigger in words, not the stored "manual"

    refused = silta("run", "show", run_id, "--status", "refused", "--language", "en")
    assert refused.exit_code == 0, refused.output
    assert "refused" in refused.output
    assert "created" not in refused.output.split("\n", 5)[-1]  # only refused records listed
    assert any(f"[{rule}]" in refused.output for rule in refused_rules)

    before = served.writes()
    assert silta("sync", "Testi Oy", "--full").exit_code == 0
    assert served.writes() == before  # a second full run writes nothing


def test_register_option_runs_only_that_register(served: Served) -> None:
    imported(served)
    result = silta("sync", "Testi Oy", "--register", "products")
    assert result.exit_code == 0, result.output
    assert re.search(r"products\s*│", result.output)
    assert not re.search(r"customers\s*│", result.output)


def test_a_failure_exits_1_and_the_reason_is_shown(served: Served) -> None:
    imported(served)
    served.netvisor.organisation(ORG).faults = Faults(denied_resources={"customerlist.nv"})
    result = silta("sync", "Testi Oy", "--register", "customers")
    assert result.exit_code == 1, result.output
    assert "failed" in result.output
    assert "SERVICE_ACCESS_ERROR" in result.output or "access" in result.output.lower()


def test_bad_usage_exits_2(served: Served) -> None:
    imported(served)
    result = silta("sync", "Testi Oy", "--register", "payroll")  # no such register
    assert result.exit_code == 2
    result = silta("run", "show", "999")
    assert result.exit_code == 2
    assert "999" in result.output


def test_sync_first_marks_runs_of_dead_processes_interrupted(served: Served) -> None:
    imported(served)
    store = Store.open()
    try:
        tenant = store.tenant("Testi Oy")
        run_id = store.start_run(
            tenant.id, Register.CUSTOMERS, kind=RunKind.FULL, dry_run=False, trigger="manual"
        )
        stale = datetime.now(UTC) - timedelta(hours=1)
        with store.engine.begin() as connection:
            connection.execute(update(RunRow).where(RunRow.id == run_id).values(heartbeat_at=stale))
    finally:
        store.close()
    assert silta("sync", "Testi Oy", "--register", "products").exit_code == 0
    shown = silta("run", "show", str(run_id))
    assert "interrupted" in shown.output


# -- silta tenant confirm ----------------------------------------------------------------


def test_a_direction_change_waits_for_silta_tenant_confirm(served: Served) -> None:
    """The issue's case on the command line: customers ran Severa → Netvisor, the operator
    turns them round; nothing writes them until the preview has been shown and confirmed."""
    imported(served)
    assert silta("sync", "Testi Oy", "--register", "customers").exit_code == 0
    changed = silta("tenant", "set", "Testi Oy", "customers=netvisor_to_severa")
    assert changed.exit_code == 0, changed.output
    advice = 'silta tenant confirm "Testi Oy" --register customers'
    assert advice in changed.output
    assert advice in silta("tenant", "show", "Testi Oy").output
    writes = served.writes()

    refused = silta("sync", "Testi Oy", "--register", "customers")
    assert refused.exit_code == 2 and advice in refused.output
    everything = silta("sync", "Testi Oy")  # the others run; customers waits, and says so
    assert everything.exit_code == 0, everything.output
    assert "customers: odottaa vahvistusta, ei ajettu" in everything.output
    with Store.open() as store:
        newest = store.runs(store.tenant("Testi Oy").id, limit=1)
        assert newest[0].register is not Register.CUSTOMERS
    writes = served.writes()

    declined = runner.invoke(
        app, ["tenant", "confirm", "Testi Oy", "--register", "customers"], input="n\n"
    )
    assert declined.exit_code == 1, declined.output
    assert "Seuraava ajo kirjoittaisi / The next run would write" in declined.output
    assert "Pääkonttori: " in declined.output and " → " in declined.output  # labels, old → new
    assert "Not confirmed" in declined.output
    assert served.writes() == writes  # the preview wrote nothing
    with Store.open() as store:
        assert Register.CUSTOMERS in Holds(store).of(store.tenant("Testi Oy").id)

    confirmed = silta("tenant", "confirm", "Testi Oy", "--yes", "--language", "en")
    assert confirmed.exit_code == 0, confirmed.output
    assert "Head office: " in confirmed.output
    assert "confirmed with preview run" in confirmed.output
    assert served.writes() == writes
    assert silta("sync", "Testi Oy", "--register", "customers").exit_code == 0
    assert served.writes() > writes
    nothing = silta("tenant", "confirm", "Testi Oy")
    assert nothing.exit_code == 0 and "Nothing is waiting" in nothing.output


def test_the_operator_waives_confirmations_from_the_command_line(served: Served) -> None:
    imported(served)
    silta("tenant", "set", "Testi Oy", "customers=netvisor_to_severa")
    waived = silta("tenant", "confirmations", "Testi Oy", "--waive")
    assert waived.exit_code == 0 and "waived now" in waived.output
    with Store.open() as store:
        tenant = store.tenant("Testi Oy")
        assert tenant.confirmations_waived and Holds(store).of(tenant.id) == {}
    changed = silta("tenant", "set", "Testi Oy", "customers=severa_to_netvisor")
    assert "waits for a confirmation" not in changed.output
    assert "Confirmations of changes are waived" in silta("tenant", "show", "Testi Oy").output
    required = silta("tenant", "confirmations", "Testi Oy", "--require")
    assert required.exit_code == 0 and "required now" in required.output
    changed = silta("tenant", "set", "Testi Oy", "customers=netvisor_to_severa")
    assert "waits for a confirmation" in changed.output
