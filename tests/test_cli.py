"""The ``silta`` command: version, option errors, and the sandbox served over real TCP."""

from __future__ import annotations

import asyncio
import re
import signal
import sys

import httpx
import pytest
from typer.testing import CliRunner

from silta import __version__
from silta.cli import app
from silta.netvisor import NetvisorClient, NetvisorCredentials
from silta.severa import SeveraClient, SeveraCredentials

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"silta {__version__}"


def test_bad_fault_option_is_a_clear_error_not_a_traceback() -> None:
    result = runner.invoke(app, ["sandbox", "--error-rate", "TECHNICAL_ERROR=2"])
    assert result.exit_code == 2
    assert "between 0 and 1" in result.output
    assert "Traceback" not in result.output


def _field(text: str, label: str, value: str = r"(\S+)") -> str:
    match = re.search(rf"^\s*{re.escape(label)}:\s+{value}", text, re.MULTILINE)
    assert match, f"{label!r} not printed:\n{text}"
    return match.group(1)


@pytest.mark.parametrize("variance", [[], ["--variance"]], ids=["plain", "variance"])
async def test_sandbox_command_prints_how_to_reach_it_and_serves_netvisor(
    variance: list[str],
) -> None:
    """With ``--variance`` too: Silta's clients read the alternative forms over real TCP."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "silta", "sandbox", "--port", "0", "--seed", "3", *variance,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    try:
        printed = ""
        async with asyncio.timeout(30):
            while "Control API" not in printed.partition("\nSevera\n")[2]:
                line = await process.stdout.readline()
                assert line, "the sandbox exited before printing its address"
                printed += line.decode()
            while "SILTA_SEVERA_URLS=" not in printed:
                line = await process.stdout.readline()
                assert line, "the sandbox exited before printing what to allow"
                printed += line.decode()
        netvisor_text, severa_text = printed.split("\nSevera\n", 1)
        shown = "on (seed 3)" if variance else "off"
        assert _field(netvisor_text, "Variance mode", rf"({re.escape(shown)})")
        base_url = _field(netvisor_text, "Base URL").rstrip("/")
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/netvisor", base_url)
        creds = NetvisorCredentials(
            sender=_field(netvisor_text, "Sender (suggestion)"),
            customer_id=_field(netvisor_text, "Customer ID"),
            customer_key=_field(netvisor_text, "Customer key"),
            partner_id=_field(netvisor_text, "Partner ID"),
            partner_key=_field(netvisor_text, "Partner key"),
            organisation_id=_field(netvisor_text, "Organisation ID"),
        )
        severa_url = _field(severa_text, "Base URL")
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/severa", severa_url)
        severa_creds = SeveraCredentials(
            _field(severa_text, "Client ID"), _field(severa_text, "Client secret")
        )
        # what the operator must allow for Silta to call them (silta.endpoints)
        assert f"SILTA_NETVISOR_URLS={base_url}\n" in printed
        assert f"SILTA_SEVERA_URLS={severa_url}\n" in printed
        async with httpx.AsyncClient() as http:
            served = await http.get(f"{base_url}/_sandbox/organisations")
            assert "server" not in served.headers  # no banner (uvicorn's server_header off)
            client = NetvisorClient(http, creds, base_url=base_url, timeout=10)
            customers = await client.list_customers()
            headers = await client.list_dimensions()
            severa = SeveraClient(http, severa_creds, base_url=severa_url, timeout=10)
            severa_customers = [c async for c in severa.iter_customers()]
            projects = [p async for p in severa.iter_projects()]
        assert len(customers) >= 10
        assert any(row.code == "TEMP" for row in customers)
        assert {h.name for h in headers} >= {"Projekti"}
        assert len(severa_customers) >= 10
        assert all(p.root_phase is not None for p in projects)
    finally:
        process.send_signal(signal.SIGINT)
        async with asyncio.timeout(15):
            await process.wait()
    assert process.returncode == 0
