"""A client that trickles its request head is cut off with a 408; one that sends its head
whole, even on a kept-alive connection, is served."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from tests.conftest import use_index


def _read_all(s: socket.socket) -> bytes:
    reply = b""
    while data := s.recv(4096):
        reply += data
    return reply


def _connect(live_server: str) -> socket.socket:
    host, port = live_server.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=30)


def test_a_head_that_never_ends_gets_a_408_and_the_connection_closed(
    live_server: str, sample_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_index(monkeypatch, sample_index, ACCORDINGTO_HEADER_TIMEOUT="0.5")
    with _connect(live_server) as s:
        s.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        reply = _read_all(s)  # returns only once the server closes the connection
    assert reply.startswith(b"HTTP/1.1 408"), reply
    assert b'"message"' in reply


def test_whole_heads_on_a_kept_alive_connection_are_served(
    live_server: str, sample_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_index(monkeypatch, sample_index, ACCORDINGTO_HEADER_TIMEOUT="0.5")
    with _connect(live_server) as s:
        for _ in range(2):
            s.sendall(b"GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n")
            reply = b""
            while not reply.endswith(b'"alive"}'):
                reply += s.recv(4096)
            assert reply.startswith(b"HTTP/1.1 200")
        # Then a trickled head on the same connection is cut off too.
        s.sendall(b"GET /health/live HTTP/1.1\r\n")
        assert _read_all(s).startswith(b"HTTP/1.1 408")
