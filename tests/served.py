"""An ASGI app served on a loopback port from a background thread, for tests of commands.

Commands such as ``silta sync`` build their own ``httpx.AsyncClient`` from the tenant's
base URLs and run their own event loop, so the sandboxes they talk to must be reachable
over real TCP while the command runs in the test's thread.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator

import uvicorn
from starlette.types import ASGIApp

__all__ = ["serve_in_thread"]


@contextlib.contextmanager
def serve_in_thread(app: ASGIApp) -> Iterator[str]:
    """Serve ``app`` on 127.0.0.1 and a free port; yields ``http://127.0.0.1:PORT``."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False))
    # uvicorn installs signal handlers only in the main thread, so this one is left alone.
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def allowing(base_url: str) -> dict[str, str]:
    """The environment that lets a `silta` process call the sandboxes served at ``base_url``
    (the operator's allowed addresses; runs refuse any other, silta.endpoints)."""
    return {
        "SILTA_NETVISOR_URLS": f"{base_url}/netvisor",
        "SILTA_SEVERA_URLS": f"{base_url}/severa",
    }
