"""The channels' rules on their own: SILTA_SMTP_URL keeps its password to itself, the
webhook allow-list matches by scheme, host, port and path prefix, and a signature binds
the body and the timestamp."""

from __future__ import annotations

import pytest

from silta.notify.config import NotifyConfig
from silta.notify.smtp import SmtpConfig
from silta.notify.webhook import WebhookPolicy, sign, verify

PASSWORD = "hunter2-very-secret"


def test_the_smtp_address_in_its_three_forms_and_the_password_never_shown() -> None:
    starttls = SmtpConfig.parse(f"smtp://mailer%40ops:{PASSWORD}@mail.example.fi?starttls=1")
    assert (starttls.host, starttls.port, starttls.security) == ("mail.example.fi", 587, "starttls")
    assert (starttls.username, starttls.password) == ("mailer@ops", PASSWORD)
    assert PASSWORD not in repr(starttls) and PASSWORD not in str(starttls)
    tls = SmtpConfig.parse(f"smtps://u:{PASSWORD}@mail.example.fi")
    assert (tls.port, tls.security) == (465, "tls")
    relay = SmtpConfig.parse("smtp://127.0.0.1:2525?timeout=5")
    assert (relay.port, relay.security, relay.username, relay.timeout) == (
        2525,
        "plain",
        None,
        5.0,
    )


@pytest.mark.parametrize(
    "url",
    [
        f"http://u:{PASSWORD}@mail.example.fi",
        f"smtp://u:{PASSWORD}@mail.example.fi:notaport",
        f"smtp://u:{PASSWORD}@mail.example.fi?starttls=maybe",
        f"smtp://u:{PASSWORD}@mail.example.fi?tls=1",
        f"smtp://u:{PASSWORD}@mail.example.fi/path",
    ],
)
def test_a_bad_smtp_address_is_refused_without_being_quoted(url: str) -> None:
    with pytest.raises(ValueError, match="SILTA_SMTP_URL") as refused:
        SmtpConfig.parse(url)
    assert PASSWORD not in str(refused.value)


def test_the_config_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SILTA_SMTP_URL", f"smtps://u:{PASSWORD}@mail.example.fi")
    monkeypatch.setenv("SILTA_SMTP_FROM", "silta@ops.example.fi")
    monkeypatch.setenv("SILTA_WEBHOOK_URLS", "https://hooks.example.fi/silta")
    monkeypatch.setenv("SILTA_PUBLIC_URL", "https://Silta.Example.fi/")
    config = NotifyConfig.from_env()
    assert config.smtp is not None and config.smtp.security == "tls"
    assert config.link("/tenants/1") == "https://silta.example.fi/tenants/1"
    assert config.webhooks.allowed == ("https://hooks.example.fi/silta",)
    monkeypatch.setenv("SILTA_WEBHOOK_URLS", "")
    assert NotifyConfig.from_env().webhooks.allowed == ()  # none allowed by default


def test_the_webhook_allow_list_is_a_prefix_of_scheme_host_port_and_path() -> None:
    policy = WebhookPolicy.parse("https://hooks.example.fi/silta, http://127.0.0.1:8080")
    allowed = (
        "https://hooks.example.fi/silta",
        "https://HOOKS.example.fi:443/silta/tenant-7?token=abc",
        "http://127.0.0.1:8080/anything",
    )
    refused = (
        "https://hooks.example.fi/siltax",
        "https://hooks.example.fi/other",
        "http://hooks.example.fi/silta",
        "https://hooks.example.fi:8443/silta",
        "https://user@hooks.example.fi/silta",
        "https://hooks.example.fi.evil.example/silta",
        "http://127.0.0.1:8081/anything",
        "http://169.254.169.254/latest",
        "file:///etc/passwd",
        "https://hooks.example.fi/silta#x",
    )
    assert all(policy.permits(url) for url in allowed)
    assert not any(policy.permits(url) for url in refused)
    assert not WebhookPolicy().permits("https://hooks.example.fi/silta")


def test_a_signature_binds_the_body_and_the_time() -> None:
    body = b'{"type":"silta.digest"}'
    signature = sign("whsec_x", 1_800_000_000, body)
    assert verify("whsec_x", body, "1800000000", signature, now=1_800_000_100)
    assert not verify("whsec_x", body + b" ", "1800000000", signature, now=1_800_000_100)
    assert not verify("whsec_x", body, "1800000001", signature, now=1_800_000_100)
    assert not verify("whsec_x", body, "1800000000", signature, now=1_800_000_000 + 301)
    assert not verify("whsec_y", body, "1800000000", signature, now=1_800_000_000)
