"""The HTTP server's own guard: uvicorn waits for a request's head as long as the client
likes, so a client that trickles its headers ("slowloris") holds a connection for ever.
This protocol closes a connection whose request head has not arrived within
ACCORDINGTO_HEADER_TIMEOUT seconds, with a 408. (The app's request deadline starts only
once the head is in.)"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from app.settings import get_settings

_BODY = b'{"message":"The request head took too long to arrive: send it at once.","detail":null}'
_TIMEOUT = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\nconnection: close\r\n"
    b"content-length: %d\r\n\r\n%s" % (len(_BODY), _BODY)
)


class HeadDeadlineProtocol(H11Protocol):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.cycle is not None and not self.cycle.response_complete:
            self._disarm()  # the head is in: the app's deadline takes over
        else:
            self._arm()  # between requests, part of the next head may have come

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._head_timer is None:
            timeout = get_settings().header_timeout
            self._head_timer = self.loop.call_later(timeout, self._head_too_slow)

    def _disarm(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_too_slow(self) -> None:
        self._head_timer = None
        if self.cycle is None or self.cycle.response_complete:
            self.transport.write(_TIMEOUT)
            self.transport.close()
