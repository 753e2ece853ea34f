"""A mail server and a webhook receiver on loopback, and a world of two demo companies.

The mail server is aiosmtpd (the real SMTP protocol over a real socket); the receiver a
plain threaded HTTP server that keeps every request and answers what the test says.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from collections.abc import Iterator
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import attrs
import pytest
from aiosmtpd.controller import Controller

from silta.notify.config import NotifyConfig
from silta.notify.smtp import SmtpConfig
from silta.notify.webhook import WebhookPolicy
from silta.store import Store
from tests.store.conftest import Clock
from tests.web.conftest import WebWorld, build_web


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Mailbox:
    """What the SMTP server received: one parsed message per recipient."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(
            email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        )
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [message for message in self.messages if message["To"] == address]


@attrs.define
class SmtpServer:
    port: int
    mailbox: Mailbox
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def config(self) -> SmtpConfig:
        return SmtpConfig.parse(f"smtp://127.0.0.1:{self.port}?timeout=5")


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(free_port(), Mailbox())
    server.start()
    yield server
    server.stop()


@attrs.define
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    """A webhook receiver on loopback: keeps each request, answers ``status``."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.status = 200
        self.location: str | None = None
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                receiver.received.append(Received(self.path, dict(self.headers.items()), body))
                self.send_response(receiver.status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.thread.start()

    def url(self, path: str = "/hooks/silta") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


@attrs.define
class NotifyWorld:
    web: WebWorld
    clock: Clock
    store: Store


@pytest.fixture
def world(tmp_path: Path) -> Iterator[NotifyWorld]:
    """The web tests' world (both demo companies in the sandboxes) on a store whose clock
    the test moves by hand."""
    clock = Clock()
    store = Store.open(
        f"sqlite:///{tmp_path / 'notify.db'}", key_file=tmp_path / "notify.key", clock=clock
    )
    yield NotifyWorld(build_web(store), clock, store)
    store.close()


def notify_config(smtp: SmtpServer | None, receiver: Receiver | None) -> NotifyConfig:
    return NotifyConfig(
        smtp=smtp.config if smtp else None,
        sender="silta@operator.test",
        webhooks=WebhookPolicy.parse(receiver.url("/hooks") if receiver else ""),
        public_url="https://silta.example.fi",
    )
