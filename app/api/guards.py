"""What stands between a client and the service: API keys, rate limits, a cap on requests in
progress, a deadline for each, a body size limit and security headers.

Each is a small pure-ASGI middleware (no buffering, so streamed answers stay streamed),
configured from the one Settings object; each answers in the API's one error shape.
"""

from __future__ import annotations

import hmac
import math
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.cors import CORSMiddleware

from app.api.errors import TOO_LARGE, error_response
from app.settings import Settings, get_settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

# Probes and the page itself are open: an orchestrator checks health without a key, and
# the page's own requests carry the key the user gives it.
OPEN_PATHS = ("/health", "/health/live", "/", "/docs", "/redoc", "/openapi.json")
OPEN_PREFIXES = ("/web/",)
# Cheap and needed under load, so never limited: probes and the metrics scrape.
UNLIMITED_PATHS = ("/health", "/health/live", "/metrics")


def _is_open(path: str) -> bool:
    return path in OPEN_PATHS or path.startswith(OPEN_PREFIXES)


def presented_key(headers: Headers) -> str | None:
    """The API key a request carries: `Authorization: Bearer KEY` (as the openai client
    sends it) or `X-API-Key: KEY`."""
    scheme, _, token = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return headers.get("x-api-key") or None


class Guard:
    """Base of the middlewares: HTTP requests go to `handle`, everything else passes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    @property
    def settings(self) -> Settings:
        # Read per request: the settings are cached, and tests replace them.
        return get_settings()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError

    async def refuse(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        status: int,
        message: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        await error_response(scope["path"], status, message, headers=headers)(scope, receive, send)


class APIKeys(Guard):
    """With ACCORDINGTO_API_KEYS set, every request but the open paths needs one of them."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        keys = [k.get_secret_value().encode() for k in self.settings.api_keys]
        if not keys or _is_open(scope["path"]) or scope["method"] == "OPTIONS":
            await self.app(scope, receive, send)
            return
        given = (presented_key(Headers(scope=scope)) or "").encode()
        # Every key is compared, in constant time, so timing tells nothing about any of them.
        matches = [hmac.compare_digest(given, key) for key in keys]
        if given and any(matches):
            await self.app(scope, receive, send)
            return
        what = "The API key is not valid" if given else "An API key is needed"
        await self.refuse(
            scope,
            receive,
            send,
            401,
            f"{what}: send it as 'Authorization: Bearer KEY' or 'X-API-Key: KEY'.",
            {"WWW-Authenticate": "Bearer"},
        )


class RateLimit(Guard):
    """Per client (its API key, else its address), a moving window (`limits`); 429 with
    Retry-After beyond it."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app)
        self._for: Settings | None = None
        self.items: list[RateLimitItem] = []
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def _configure(self) -> None:
        """New settings (a new Settings object) start from fresh counts."""
        settings = self.settings
        if settings is not self._for:
            text = settings.rate_limit.strip()
            self.items = parse_many(text) if text else []
            self.limiter = MovingWindowRateLimiter(MemoryStorage())
            self._for = settings

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        self._configure()
        if not self.items or scope["path"] in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        # By key only when keys are required (the key was checked before this): otherwise a
        # client could invent a new key for every request.
        key = presented_key(Headers(scope=scope)) if self.settings.api_keys else None
        client = scope.get("client")
        who = f"key:{key}" if key else f"addr:{client[0] if client else 'unknown'}"
        for item in self.items:
            if not self.limiter.hit(item, who):
                reset = self.limiter.get_window_stats(item, who).reset_time
                wait = max(1, math.ceil(reset - time.time()))
                await self.refuse(
                    scope,
                    receive,
                    send,
                    429,
                    f"Too many requests: the limit is {item}; retry in {wait} s.",
                    {"Retry-After": str(wait)},
                )
                return
        await self.app(scope, receive, send)


class Capacity(Guard):
    """At most `max_concurrent_requests` in progress (more get a 503 at once, rather than
    all waiting ever longer), and a deadline for each to start its response."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app)
        self.in_progress = 0

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["path"] in UNLIMITED_PATHS:
            await self.app(scope, receive, send)
            return
        limit = self.settings.max_concurrent_requests
        if self.in_progress >= limit:
            await self.refuse(
                scope,
                receive,
                send,
                503,
                f"The server is busy ({limit} requests in progress): retry in a few seconds.",
                {"Retry-After": "2"},
            )
            return
        self.in_progress += 1
        try:
            await self._with_deadline(scope, receive, send)
        finally:
            self.in_progress -= 1

    async def _with_deadline(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The deadline covers the wait for the response to start: a stream, once started,
        # runs on (the LLM has its own deadline). Work already running in a worker thread
        # cannot be interrupted; its answer is then dropped for the 503.
        started = False
        timed_out = False

        async def send_started(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        async with anyio.create_task_group() as group:

            async def watchdog() -> None:
                nonlocal timed_out
                await anyio.sleep(self.settings.request_timeout)
                if not started:
                    timed_out = True
                    group.cancel_scope.cancel()

            group.start_soon(watchdog)
            await self.app(scope, receive, send_started)
            group.cancel_scope.cancel()
        if timed_out:
            await self.refuse(
                scope,
                receive,
                send,
                503,
                f"The request took longer than {self.settings.request_timeout:g} s: "
                "retry, or ask for fewer passages (top_k).",
                {"Retry-After": "5"},
            )


class BodyLimit(Guard):
    """Bodies over `max_body_bytes` get a 413, by their Content-Length or as they arrive."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = self.settings.max_body_bytes
        message = f"The body is larger than {limit} bytes: send less (ACCORDINGTO_MAX_BODY_BYTES)."
        length = Headers(scope=scope).get("content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await self.refuse(scope, receive, send, 413, message)
            return
        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            msg = await receive()
            if msg["type"] == "http.request":
                received += len(msg.get("body", b""))
                if received > limit:
                    # FastAPI turns an error while it reads the body into a 400; the mark
                    # lets the error handler answer the 413 this is.
                    scope[TOO_LARGE] = message
                    raise _TooLarge
            return msg

        async def send_started(msg: Message) -> None:
            nonlocal started
            started = started or msg["type"] == "http.response.start"
            await send(msg)

        try:
            await self.app(scope, counted, send_started)
        except _TooLarge:
            if not started:
                await self.refuse(scope, receive, send, 413, message)


class _TooLarge(Exception):
    """A chunked body went past the limit while it was read."""


# The page and its assets load only from this server; nothing may frame it.
CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# The interactive docs load Swagger UI and ReDoc from a CDN: they get no CSP of their own.
_DOCS = ("/docs", "/redoc", "/docs/oauth2-redirect")


class SecurityHeaders(Guard):
    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
                headers.setdefault("X-Frame-Options", "DENY")
                if scope["path"] not in _DOCS:
                    headers.setdefault("Content-Security-Policy", CSP)
            await send(message)

        await self.app(scope, receive, with_headers)


class CORS(Guard):
    """Starlette's CORS for the origins in ACCORDINGTO_CORS_ORIGINS (none by default)."""

    def __init__(self, app: ASGIApp) -> None:
        super().__init__(app)
        self._for: Settings | None = None
        self._cors: ASGIApp = app

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        settings = self.settings
        if settings is not self._for:
            self._cors = CORSMiddleware(
                self.app,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST"],
                allow_headers=["Authorization", "X-API-Key", "Content-Type", "X-Request-ID"],
                expose_headers=["X-Request-ID", "Retry-After"],
            )
            self._for = settings
        await self._cors(scope, receive, send)
