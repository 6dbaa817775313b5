"""A scripted OpenAI-compatible server on 127.0.0.1 that speaks the real wire format.

    server.enqueue("The answer [1].", Error(500), Delay(2.0))

Each chat completion request takes the next reply from the queue: a text (answered
as JSON, or as server-sent events when the request says `stream: true`), an `Error`
(an OpenAI-style error body with that status, and `Retry-After` if given), a `Delay`
(the reply comes only after a sleep, to trip a client timeout), or a fault: `Cut` (the
connection drops partway through the reply), `Trickle` (the reply dribbles in, a few
bytes at a time), `Garbage` (200 with a body that is not JSON). `server.history`
records every request.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

__all__ = [
    "Completion",
    "Cut",
    "Delay",
    "Error",
    "FakeOpenAI",
    "Garbage",
    "Received",
    "Reply",
    "Trickle",
    "fake_openai",
]


@dataclass(frozen=True)
class Completion:
    """An assistant message; `content=None` is how some servers send nothing."""

    content: str | None
    finish_reason: str = "stop"


@dataclass(frozen=True)
class Error:
    """An error answer, with the body OpenAI sends: {"error": {message, type, param, code}}."""

    status: int = 500
    message: str = "The server had an error while processing your request."
    type: str = "server_error"
    code: str | None = None
    retry_after: str | None = None  # the Retry-After header: seconds, or an HTTP date


@dataclass(frozen=True)
class Delay:
    """Sleep `seconds` (cut short when the server stops), then answer with `then`."""

    seconds: float
    then: str | Completion | Error = "This reply came too late."


@dataclass(frozen=True)
class Cut:
    """The reply to `content` breaks off after `keep` of it: a stream without its final
    chunk and `[DONE]`, a JSON body shorter than its Content-Length."""

    content: str
    keep: float = 0.5


@dataclass(frozen=True)
class Trickle:
    """The reply to `content` sent `size` bytes every `interval` seconds (each streamed
    chunk, after `interval`): every read is quick, the whole is not."""

    content: str
    interval: float
    size: int = 4


@dataclass(frozen=True)
class Garbage:
    """200 with a body that is not JSON (a stream: an event whose data is not JSON)."""

    body: str = "<html><body>Service temporarily unavailable</body></html>"


Reply = str | Completion | Error | Delay | Cut | Trickle | Garbage


@dataclass(frozen=True)
class Received:
    """One request; the Authorization header is kept out of the repr so it is never printed."""

    method: str
    path: str
    body: dict[str, Any]
    authorization: str | None = field(repr=False)


class FakeOpenAI:
    """The server; use `with FakeOpenAI() as server:` or the `fake_openai` fixture."""

    def __init__(self, models: tuple[str, ...] = ("fake-model",)) -> None:
        self.models = models
        self.history: list[Received] = []
        self._replies: deque[Reply] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        # A short poll interval: `shutdown()` waits up to one interval, on every test.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def base_url(self) -> str:
        """The URL to give an OpenAI client as `base_url`."""
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def enqueue(self, *replies: Reply) -> None:
        """Script the next replies, answered in order."""
        with self._lock:
            self._replies.extend(replies)

    @property
    def pending(self) -> int:
        """How many enqueued replies no request has taken yet."""
        with self._lock:
            return len(self._replies)

    def start(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _record(self, received: Received) -> None:
        with self._lock:
            self.history.append(received)

    def _next_reply(self) -> Reply:
        with self._lock:
            if self._replies:
                return self._replies.popleft()
        return Error(500, "fake_openai: no reply enqueued for this request", "fake_openai_error")

    def _sleep(self, seconds: float) -> bool:
        """Sleep; False when the server is stopping and the reply should end."""
        return not self._stopping.wait(seconds)


@pytest.fixture
def fake_openai() -> Iterator[FakeOpenAI]:
    """A running fake server, stopped after the test."""
    with FakeOpenAI() as server:
        yield server


def _handler_for(server: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        fake = server

    return Handler


class _Handler(BaseHTTPRequestHandler):
    fake: FakeOpenAI
    # HTTP/1.0: the connection closes after each answer, which ends an SSE stream cleanly.
    protocol_version = "HTTP/1.0"

    def do_GET(self) -> None:
        self._record({})
        if self.path.rstrip("/") == "/v1/models":
            created = int(time.time())
            models = [
                {"id": m, "object": "model", "created": created, "owned_by": "fake-openai"}
                for m in self.fake.models
            ]
            self._send_json(200, {"object": "list", "data": models})
        else:
            self._send_error(_not_found(self.path))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        try:
            body = json.loads(self.rfile.read(length) or b"{}")
        except json.JSONDecodeError as exc:
            self._record({})
            self._send_error(
                Error(400, f"We could not parse the JSON body: {exc}", "invalid_request_error")
            )
            return
        self._record(body)
        if self.path.rstrip("/") != "/v1/chat/completions":
            self._send_error(_not_found(self.path))
            return
        reply = self.fake._next_reply()
        if isinstance(reply, Delay):
            self.fake._sleep(reply.seconds)
            reply = reply.then
        try:
            if isinstance(reply, Error):
                self._send_error(reply)
            elif isinstance(reply, Garbage):
                self._send_garbage(reply, bool(body.get("stream")))
            elif isinstance(reply, Cut | Trickle):
                self._send_fault(body, reply)
            else:
                completion = Completion(reply) if isinstance(reply, str) else reply
                if body.get("stream"):
                    self._send_stream(body, completion)
                else:
                    self._send_json(200, _completion(body, completion))
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass  # the client gave up (timed out, or past its deadline) before the end

    def _record(self, body: dict[str, Any]) -> None:
        received = Received(self.command, self.path, body, self.headers.get("Authorization"))
        self.fake._record(received)

    def _send_json(
        self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _send_garbage(self, garbage: Garbage, stream: bool) -> None:
        data = (f"data: {garbage.body}\n\n" if stream else garbage.body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream" if stream else "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_fault(self, request: dict[str, Any], fault: Cut | Trickle) -> None:
        """A reply that is cut short, or dribbles in."""
        completion = Completion(fault.content)
        if request.get("stream"):
            events = [f"data: {json.dumps(c)}\n\n" for c in _chunks(request, completion)]
            events.append("data: [DONE]\n\n")
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream; charset=utf-8")
            self.end_headers()
            if isinstance(fault, Cut):
                # Cut inside the text: neither the chunk with finish_reason nor [DONE] comes.
                texts = events[: max(1, int((len(events) - 2) * fault.keep))]
                pieces = [e.encode() for e in texts]
            else:
                pieces = [e.encode() for e in events]
        else:
            data = json.dumps(_completion(request, completion)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if isinstance(fault, Cut):
                pieces = [data[: int(len(data) * fault.keep)]]
            else:
                pieces = [data[i : i + fault.size] for i in range(0, len(data), fault.size)]
        for piece in pieces:
            if isinstance(fault, Trickle) and not self.fake._sleep(fault.interval):
                return
            self.wfile.write(piece)
            self.wfile.flush()
        # HTTP/1.0: returning closes the connection, which is the cut.

    def _send_error(self, error: Error) -> None:
        payload = {
            "error": {
                "message": error.message,
                "type": error.type,
                "param": None,
                "code": error.code,
            }
        }
        headers = {"Retry-After": error.retry_after} if error.retry_after else None
        self._send_json(error.status, payload, headers)

    def _send_stream(self, request: dict[str, Any], completion: Completion) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        for chunk in _chunks(request, completion):
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: test output stays readable."""


def _not_found(path: str) -> Error:
    return Error(404, f"Invalid URL (POST {path})", "invalid_request_error")


def _header(request: dict[str, Any]) -> dict[str, Any]:
    """The fields every completion and chunk starts with."""
    return {
        "id": f"chatcmpl-fake{time.monotonic_ns()}",
        "created": int(time.time()),
        "model": request.get("model", "fake-model"),
        "system_fingerprint": "fp_fake",
    }


def _usage(request: dict[str, Any], content: str | None) -> dict[str, int]:
    """Word counts stand in for token counts: the shape matters, not the numbers."""
    prompt = sum(len(str(m.get("content", "")).split()) for m in request.get("messages", []))
    completion = len((content or "").split())
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    }


def _completion(request: dict[str, Any], completion: Completion) -> dict[str, Any]:
    message = {"role": "assistant", "content": completion.content, "refusal": None}
    choice = {
        "index": 0,
        "message": message,
        "logprobs": None,
        "finish_reason": completion.finish_reason,
    }
    return {
        **_header(request),
        "object": "chat.completion",
        "choices": [choice],
        "usage": _usage(request, completion.content),
    }


def _chunks(request: dict[str, Any], completion: Completion) -> Iterator[dict[str, Any]]:
    """The stream OpenAI sends: role first, content piece by piece, finish, then usage."""
    header = {**_header(request), "object": "chat.completion.chunk"}
    with_usage = bool((request.get("stream_options") or {}).get("include_usage"))

    def chunk(delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        return {**header, "choices": [choice], **({"usage": None} if with_usage else {})}

    yield chunk({"role": "assistant", "content": "", "refusal": None})
    # Pieces that join back to the exact content, whitespace included.
    for piece in re.findall(r"\s*\S+|\s+$", completion.content or ""):
        yield chunk({"content": piece})
    yield chunk({}, completion.finish_reason)
    if with_usage:
        yield {**header, "choices": [], "usage": _usage(request, completion.content)}
