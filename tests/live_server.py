"""The app served by uvicorn on 127.0.0.1 (a free port, a thread), for clients that need
real HTTP: the official `openai` client, a browser.

    from tests.live_server import live_server  # the fixture; yields the base URL
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from app.api.deps import get_service
from app.settings import get_settings
from tests.conftest import use_index

__all__ = ["live_server", "serve"]


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:
        """None: the server runs in a thread, and the test runner owns the signals."""


def serve(sock: socket.socket) -> tuple[_Server, threading.Thread]:
    """Start the app on a bound socket; returns once it accepts connections."""
    from app.main import app
    from app.server import HeadDeadlineProtocol

    config = uvicorn.Config(app, log_level="warning", lifespan="on", http=HeadDeadlineProtocol)
    server = _Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    return server, thread


@pytest.fixture
def live_server(sample_index: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The base URL of the app on the sample index; a test may `use_index` again to set
    more environment (the settings are re-read on the next request)."""
    use_index(monkeypatch, sample_index)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    host, port = sock.getsockname()[:2]
    server, thread = serve(sock)
    try:
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
        get_settings.cache_clear()
        get_service.cache_clear()
