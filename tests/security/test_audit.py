"""The verdict of the dependency audit in ``make lint`` (tests/security/audit.py).

pip-audit's own exit status cannot tell "nothing vulnerable" from "nothing looked up": it
prints "No known vulnerabilities found" when every package was skipped. These reports, in
pip-audit's JSON shape, pin down what ``make lint`` does with each case.
"""

from __future__ import annotations

from tests.security.audit import verdict

CLEAN = {"name": "httpx", "version": "0.28.1", "vulns": []}
SKIPPED = {"name": "lxml", "skip_reason": "Dependency not found on PyPI and could not be audited"}
VULNERABLE = {
    "name": "jinja2",
    "version": "3.1.2",
    "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"], "aliases": []}],
}


def test_a_known_vulnerability_fails_and_is_named() -> None:
    for strict in (False, True):
        result = verdict({"dependencies": [CLEAN, VULNERABLE]}, "", strict=strict)
        assert result.exit_code == 1
        text = "\n".join(result.lines)
        assert "jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in: 3.1.3)" in text


def test_everything_looked_up_and_clean_passes_quietly() -> None:
    result = verdict({"dependencies": [CLEAN, CLEAN]}, "", strict=True)
    assert result.exit_code == 0
    assert result.lines == ["dependency audit: 2 locked packages, no known vulnerabilities"]


def test_packages_not_looked_up_are_a_loud_warning_and_an_error_when_strict() -> None:
    report = {"dependencies": [CLEAN, SKIPPED]}
    loose, strict = verdict(report, "", strict=False), verdict(report, "", strict=True)
    assert loose.exit_code == 0 and strict.exit_code == 2
    assert any("NOT DONE" in line for line in loose.lines)
    assert any("lxml" in line for line in loose.lines)


def test_an_unreachable_service_is_not_a_clean_audit() -> None:
    failure = "requests.exceptions.ConnectionError: api.osv.dev: Name or service not known"
    for report in (None, {"dependencies": []}):
        loose = verdict(report, failure, strict=False)
        assert loose.exit_code == 0
        assert any("NOT DONE" in line for line in loose.lines)
        assert verdict(report, failure, strict=True).exit_code == 2
    assert any("ConnectionError" in line for line in verdict(None, failure, strict=False).lines)
