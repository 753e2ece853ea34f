"""Settings are strict at every entry point: the tenant file, ``silta tenant set`` and the API.

The property: a random value for any setting, given through any entry point, is either
stored and read back exactly as given, or refused (exit 2 / 422) with a message that names
the setting, the value and what is allowed, and nothing is stored. Never a traceback, and
never a silent coercion: an on/off setting holds only a boolean, a name only the text given.

The oracle here is written from the documented rules (docs/tenants.md), not from the
parser: a JSON-like value (file, API) is accepted only with its setting's JSON type, and a
command-line value is read by the setting's type (on/off words in any case, a name as text).

Examples per entry point: a modest number in ``make test``; ``make chaos`` runs many more
(``SILTA_HYPOTHESIS_PROFILE=chaos``).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import Iterator
from datetime import time
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from silta.cli import app as cli
from silta.domain import SETTING_KINDS, CustomerDirection, ProductDirection, TenantSettings
from silta.store import Accounts, Store
from silta.sync.jobs import Jobs
from silta.web import WebState, create_app
from tests.store.conftest import KEY, config

EXAMPLES = 600 if os.environ.get("SILTA_HYPOTHESIS_PROFILE") == "chaos" else 40
PROPERTY = settings(
    max_examples=EXAMPLES,
    deadline=None,  # each example opens the store, as a command does
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

FLAGS = {
    "dimensions",
    "include_phases",
    "email_invoicing_channel",
    "persons_without_business_id",
    "invoices_enabled",
    "invoices_dimensions_on_lines",
    "invoices_create_missing_items",
}
# text or none: "" (file, API) and an empty command-line value mean none
HEADERS = {
    "project_header",
    "business_unit_header",
    "invoices_ready_status",
    "invoices_transferred_status",
    "invoices_vat_domestic_reverse_charge",
    "invoices_vat_eu_services",
    "invoices_vat_eu_goods",
    "invoices_vat_outside_eu",
    "invoices_vat_domestic_zero",
    "invoices_product_codes",
    "invoices_fallback_product",
}
# issue 19: the money transfers' on/off settings, and GUIDs that may be empty (none)
FLAGS |= {"purchase_lines_enabled", "purchase_lines_automatic", "travel_enabled",
          "travel_automatic", "travel_dimensions", "travel_create_missing_items"}  # fmt: skip
HEADERS |= {"purchase_lines_product", "travel_transferred_status"}
NUMBERS = {"register_interval_minutes"}
FIELDS = sorted(SETTING_KINDS)
assert set(FIELDS) == {field.name for field in attrs.fields(TenantSettings)}

# Values near the edges of what each setting takes, mixed with random ones.
WORDS = [
    "true", "false", "yes", "no", "on", "off", "TRUE", "Yes", "oFF", "1", "0", "", " ",
    "2024", "007", "maybe", "Projekti", " Projekti", "Projekti ", "Yksikkö", "x" * 50,
    "x" * 51, "Severa", "EUR", "eur", "SEK", "EURO", "02:00", "2:00", "23:59", "24:00",
    "02:00:00", "02:00+03:00", "noon", "Europe/Helsinki", "Europe", "UTC", "europe/helsinki",
    "Mars/Olympus", "40", "1440", "1441", "-5", "2.5", "²",
    *(d.value for d in CustomerDirection), *(d.value for d in ProductDirection),
    "NETVISOR_TO_SEVERA", "temporary", "ei siirretä\n", "tab\there", "del\x7f",
    "automatic", "manual", "unsent", "open", "RAMY", "KOMY", "EUUM", "ramy", "NONE",
    "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "3f2504e0-4f89-11d3-9a0c", "TYO=T1",
    "TYO=T1; MATKA=M2", "TYO=", "TYO=T1; TYO=T2", "=T1",
    "accepted", "rebill", "cost_only", "12.5", "0", "1000", "12.555",
    "3f2504e0-4f89-11d3-9a0c-0305e82c3301", "4000=3f2504e0-4f89-11d3-9a0c-0305e82c3301",
    "3f2504e0-4f89-11d3-9a0c-0305e82c3301=car", "3f2504e0-4f89-11d3-9a0c-0305e82c3301/FI=Taksi",
    "a=b; a=c", "=x",
]  # fmt: skip
TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=60,
)
TEXTS = st.one_of(st.sampled_from(WORDS), TEXT)
SCALARS = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.sampled_from([0, 1, 40, 1440, 1441, 2024]),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXTS,
)
JSON_VALUES = st.one_of(SCALARS, st.none(), st.lists(st.integers(0, 9), max_size=2))
TOML_VALUES = st.one_of(SCALARS, st.sampled_from([time(2, 0), time(3, 30), time(3, 30, 15)]))


# -- the oracle ------------------------------------------------------------------------------


def json_type_fits(field: str, value: object) -> bool:
    """What the documentation promises of a JSON-like value that is accepted."""
    if field in FLAGS:
        return isinstance(value, bool)
    if field in NUMBERS:
        return type(value) is int
    if field in HEADERS:
        return value is None or isinstance(value, str)
    if field == "dimension_time":
        return isinstance(value, str | time)
    return isinstance(value, str)


def json_stored(field: str, value: object) -> object:
    """The JSON form an accepted value is stored as: itself, but an empty header is "none"
    (``null``) and a TOML local time reads as ``"HH:MM"``."""
    if field in HEADERS and value == "":
        return None
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return value


def text_stored(field: str, text: str) -> object:
    """The stored JSON value of an accepted command-line value."""
    if field in FLAGS:
        assert text.lower() in {"true", "false", "yes", "no", "on", "off"}, text
        return text.lower() in {"true", "yes", "on"}
    if field in NUMBERS:
        assert text.isascii() and text.isdigit(), text
        return int(text)
    if field in HEADERS and text == "":
        return None
    return text  # names, choices, times, zones: the text exactly as given


def shown(value: object) -> str:
    """The start of the value as a refusal quotes it (JSON-like: text in quotes)."""
    text = value.isoformat() if isinstance(value, time) else json.dumps(value, ensure_ascii=False)
    return text[:30]


def assert_refusal_names(message: str, field: str, value: object) -> None:
    flat = " ".join(message.split())
    assert f"{field}: " in flat, message
    assert " ".join(shown(value).split()) in flat, (message, value)
    assert "allowed:" in flat or "no such setting" in flat, message
    assert "Traceback" not in message


# -- the tenant file -----------------------------------------------------------------------


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, time):
        return value.isoformat()
    assert isinstance(value, str)
    escaped = "".join(
        f"\\u{ord(char):04x}" if ord(char) < 0x20 or ord(char) == 0x7F else char
        for char in value.replace("\\", "\\\\").replace('"', '\\"')
    )
    return f'"{escaped}"'


def tenant_file(path: Path, field: str, value: object) -> Path:
    # no base URLs: the production defaults, which every configuration allows
    path.write_text(
        'name = "Strict Oy"\n'
        "[netvisor]\n"
        'customer_id = "ID"\ncustomer_key = "nv-key-0123456789"\npartner_id = "P"\n'
        'partner_key = "nv-partner-0123456789"\norganisation_id = "1967543-8"\n'
        "[severa]\n"
        'client_id = "strict"\nclient_secret = "sv-secret-0123456789"\n'
        "[settings]\n"
        f"{field} = {toml_value(value)}\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SILTA_DATABASE_URL", f"sqlite:///{tmp_path / 'silta.db'}")
    monkeypatch.setenv("SILTA_SECRET_KEY", KEY)
    return tmp_path


runner = CliRunner()


def _stored(field: str) -> tuple[int, object]:
    with Store.open() as store:
        tenant = store.tenant("Strict Oy")
        return tenant.settings_version, tenant.settings.as_json()[field]


@PROPERTY
@given(field=st.sampled_from(FIELDS), value=TOML_VALUES)
def test_a_tenant_file_setting_round_trips_or_is_refused(
    cli_env: Path, field: str, value: object
) -> None:
    path = tenant_file(cli_env / "tenant.toml", field, value)
    existed = (cli_env / "silta.db").exists()
    before = _stored(field) if existed else None
    result = runner.invoke(cli, ["tenant", "import", str(path), "--update"])
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    if result.exit_code == 0:
        assert json_type_fits(field, value), (field, value)
        assert _stored(field)[1] == json_stored(field, value)
    else:
        assert_refusal_names(result.output, field, value)
        if existed:
            assert _stored(field) == before  # nothing stored


# -- silta tenant set ------------------------------------------------------------------------


@PROPERTY
@given(field=st.sampled_from(FIELDS), text=TEXTS)
def test_a_tenant_set_value_round_trips_or_is_refused(cli_env: Path, field: str, text: str) -> None:
    if not (cli_env / "silta.db").exists():
        made = runner.invoke(
            cli, ["tenant", "import", str(tenant_file(cli_env / "t.toml", "currency", "EUR"))]
        )
        assert made.exit_code == 0, made.output
    before = _stored(field)
    result = runner.invoke(cli, ["tenant", "set", "Strict Oy", f"{field}={text}"])
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    if result.exit_code == 0:
        assert _stored(field)[1] == text_stored(field, text)
        shown_back = runner.invoke(cli, ["tenant", "show", "Strict Oy"])
        assert shown_back.exit_code == 0, shown_back.output
    else:
        assert_refusal_names(result.output, field, text)
        assert _stored(field) == before


@pytest.mark.parametrize(
    ("assignment", "expected"),
    [
        ("project_header=2024", "2024"),
        ("project_header=Yes", "Yes"),
        ("project_header=on", "on"),
        ("dimensions=YES", True),
        ("include_phases=Off", False),
    ],
)
def test_the_issues_own_command_lines(cli_env: Path, assignment: str, expected: object) -> None:
    made = runner.invoke(
        cli, ["tenant", "import", str(tenant_file(cli_env / "t.toml", "dimensions", True))]
    )
    assert made.exit_code == 0, made.output
    result = runner.invoke(cli, ["tenant", "set", "Strict Oy", assignment])
    assert result.exit_code == 0, result.output
    assert _stored(assignment.split("=")[0])[1] == expected


@pytest.mark.parametrize(
    ("field", "value"),
    [("dimensions", "false"), ("dimensions", "true"), ("include_phases", 1),
     ("project_header", 2024), ("customers", "temporary")],
)  # fmt: skip
def test_the_issues_own_tenant_files_are_refused(cli_env: Path, field: str, value: object) -> None:
    """``dimensions = "false"`` once imported with exit 0 and turned dimensions on."""
    result = runner.invoke(
        cli, ["tenant", "import", str(tenant_file(cli_env / "t.toml", field, value))]
    )
    assert result.exit_code == 2, result.output
    assert_refusal_names(result.output, field, value)
    assert "Strict Oy" not in runner.invoke(cli, ["tenant", "list"]).output


# -- the API ---------------------------------------------------------------------------------


@attrs.define
class Api:
    """The app over its ASGI interface, called synchronously (Hypothesis drives plain
    functions), signed in with an operator's token."""

    app: Any
    token: str
    store: Store
    tenant_id: int

    def call(self, method: str, path: str, body: object = None) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://silta.test") as c:
                headers = {"Authorization": f"Bearer {self.token}"}
                json_body = body if method != "GET" else None
                return await c.request(method, path, json=json_body, headers=headers)

        return asyncio.run(go())


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    store = Store.open(f"sqlite:///{tmp_path / 'api.db'}", secret_key=KEY)
    tenant = store.add_tenant(config("Strict Oy"), changed_by="test")
    accounts = Accounts(store, hasher=PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    accounts.add_user("ops@silta.fi", "correct horse battery", operator=True)
    token = accounts.create_api_token("ops@silta.fi", "strict")
    state = WebState(store=store, accounts=accounts, jobs=Jobs(store))
    yield Api(create_app(state), token, store, tenant.id)
    store.close()


@PROPERTY
@given(field=st.sampled_from(FIELDS), value=JSON_VALUES)
def test_an_api_setting_round_trips_or_is_refused(api: Api, field: str, value: object) -> None:
    path = f"/api/v1/tenants/{api.tenant_id}/settings"
    before = api.call("GET", path).json()
    answer = api.call("PATCH", path, {field: value})
    assert answer.status_code in (200, 422), answer.text
    after = api.call("GET", path).json()
    if answer.status_code == 200:
        assert json_type_fits(field, value), (field, value)
        assert answer.json()["settings"][field] == json_stored(field, value)
        assert after["settings"][field] == json_stored(field, value)
        assert TenantSettings.from_json(after["settings"]) == api.store.settings(api.tenant_id)
    else:
        detail = answer.json()["detail"]
        assert isinstance(detail, str)
        assert_refusal_names(detail, field, value)
        assert after == before


def test_the_api_document_describes_each_setting(api: Api) -> None:
    document = api.call("GET", "/api/openapi.json").json()
    body = document["paths"]["/api/v1/tenants/{tenant_id}/settings"]["patch"]["requestBody"]
    schema = body["content"]["application/json"]["schema"]
    assert set(schema["properties"]) == set(SETTING_KINDS)
    assert schema["properties"]["dimensions"]["type"] == "boolean"
    assert re.search("Europe/Helsinki", schema["properties"]["timezone"]["description"])


def test_every_json_value_kind_is_of_its_documented_type() -> None:
    """The oracle's types agree with the defaults (a field added to the table without a
    documented type here fails)."""
    defaults = TenantSettings().as_json()
    for field in FIELDS:
        value: Any = defaults[field]
        assert json_type_fits(field, value) or (field in HEADERS and value is None), field
