"""API keys, rate limits, the body size limit, the request deadline, CORS and security
headers, against the real app (and, where the transport matters, real HTTP)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import openai
import pytest
from fastapi.testclient import TestClient

from tests.conftest import use_index

QUESTION = {"question": "Who says North Korea sent more troops to Russia?"}


@pytest.fixture
def app_with(sample_index: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    """A factory: the app on the sample index with these ACCORDINGTO_* settings."""
    from app.main import app

    clients: list[TestClient] = []

    def make(**env: str) -> TestClient:
        use_index(monkeypatch, sample_index, **env)
        c = TestClient(app)
        c.__enter__()
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.__exit__(None, None, None)


def test_keys_are_needed_when_set_and_accepted_both_ways(app_with: object) -> None:
    c = app_with(ACCORDINGTO_API_KEYS="first-key, second-key")  # type: ignore[operator]
    r = c.post("/ask", json=QUESTION)
    assert r.status_code == 401 and "Authorization: Bearer" in r.json()["message"]
    assert r.headers["www-authenticate"] == "Bearer"
    assert c.post("/ask", json=QUESTION, headers={"X-API-Key": "wrong"}).status_code == 401
    bearer = {"Authorization": "Bearer second-key"}
    assert c.post("/ask", json=QUESTION, headers=bearer).status_code == 200
    assert c.get("/claims", headers={"X-API-Key": "first-key"}).status_code == 200
    # Probes and the page stay open; the OpenAI API refuses in OpenAI's shape.
    assert c.get("/health").status_code == 200 and c.get("/").status_code == 200
    err = c.get("/v1/models").json()["error"]
    assert err["code"] == "invalid_api_key" and err["type"] == "invalid_request_error"


def test_no_keys_set_means_open(app_with: object) -> None:
    c = app_with()  # type: ignore[operator]
    assert c.post("/ask", json=QUESTION).status_code == 200


def test_the_openai_client_authenticates_with_its_key(
    live_server: str, sample_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_index(monkeypatch, sample_index, ACCORDINGTO_API_KEYS="sk-local")
    good = openai.OpenAI(base_url=f"{live_server}/v1", api_key="sk-local", max_retries=0)
    assert [m.id for m in good.models.list()]
    bad = openai.OpenAI(base_url=f"{live_server}/v1", api_key="sk-other", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        bad.models.list()


def test_a_client_over_its_rate_gets_429_with_retry_after(app_with: object) -> None:
    c = app_with(ACCORDINGTO_RATE_LIMIT="3/minute")  # type: ignore[operator]
    assert [c.get("/articles").status_code for _ in range(3)] == [200, 200, 200]
    r = c.get("/articles")
    assert r.status_code == 429 and "3 per 1 minute" in r.json()["message"]
    assert 1 <= int(r.headers["retry-after"]) <= 60
    assert c.get("/health").status_code == 200  # probes are never limited


def test_each_key_has_its_own_rate(app_with: object) -> None:
    c = app_with(ACCORDINGTO_RATE_LIMIT="2/minute", ACCORDINGTO_API_KEYS="a-key,b-key")  # type: ignore[operator]
    for key, expected in [("a-key", 200), ("a-key", 200), ("a-key", 429), ("b-key", 200)]:
        assert c.get("/articles", headers={"X-API-Key": key}).status_code == expected


def test_a_body_over_the_limit_is_a_413(app_with: object) -> None:
    c = app_with(ACCORDINGTO_MAX_BODY_BYTES="2048")  # type: ignore[operator]
    big = {"question": "Who said it? " + "x" * 4000}
    r = c.post("/ask", json=big)
    assert r.status_code == 413 and "2048 bytes" in r.json()["message"]

    def chunked() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield b'{"question": "'
        for _ in range(8):
            yield b"y" * 512
        yield b'"}'

    r = c.post("/ask", content=chunked(), headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert c.post("/ask", json=QUESTION).status_code == 200


def test_a_long_chat_message_is_refused(app_with: object) -> None:
    c = app_with(ACCORDINGTO_MAX_MESSAGE_CHARS="100")  # type: ignore[operator]
    body = {"messages": [{"role": "user", "content": "Who said it? " + "z" * 200}]}
    r = c.post("/v1/chat/completions", json=body)
    assert r.status_code == 400 and "MAX_MESSAGE_CHARS" in r.json()["error"]["message"]


def test_a_request_that_never_completes_its_body_gets_a_503(
    live_server: str, sample_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_index(monkeypatch, sample_index, ACCORDINGTO_REQUEST_TIMEOUT="0.5")
    host, port = live_server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as s:
        s.sendall(
            b"POST /ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 100\r\n\r\n{"question":'
        )
        reply = b""
        while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"}"):
            data = s.recv(4096)
            if not data:
                break
            reply += data
    head, _, body = reply.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 503"), reply
    assert b"longer than 0.5 s" in body


def test_security_headers_on_the_page_and_the_api(client: TestClient) -> None:
    page = client.get("/")
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    api = client.get("/articles")
    assert api.headers["x-content-type-options"] == "nosniff"
    # The docs page loads Swagger UI from its CDN, so it is left without a CSP.
    assert "content-security-policy" not in client.get("/docs").headers


def test_cors_allows_only_the_configured_origins(app_with: object) -> None:
    c = app_with(ACCORDINGTO_CORS_ORIGINS="https://news.example")  # type: ignore[operator]
    preflight = {"Access-Control-Request-Method": "POST"}
    ok = c.options("/ask", headers={"Origin": "https://news.example", **preflight})
    assert ok.headers["access-control-allow-origin"] == "https://news.example"
    other = c.options("/ask", headers={"Origin": "https://evil.example", **preflight})
    assert "access-control-allow-origin" not in other.headers


def test_a_bad_rate_limit_setting_says_how_to_write_it() -> None:
    from pydantic import ValidationError

    from app.settings import Settings

    with pytest.raises(ValidationError, match="120/minute"):
        Settings(rate_limit="lots")


def test_http_errors_keep_the_shape_over_real_http(live_server: str) -> None:
    r = httpx.post(f"{live_server}/ask", content=b"x" * 2_000_001)
    assert r.status_code == 413 and r.json()["message"]


QUESTIONS = [
    "Who says North Korea sent more troops to Russia?",
    "How many North Korean soldiers were killed?",
    "What did Zelensky say about casualties?",
    "Where were the troops deployed?",
]


def _together(base: str, clients: int, rounds: int) -> list[httpx.Response]:
    """`clients` threads that start at once, each asking `rounds` questions in turn."""
    import threading

    start = threading.Barrier(clients)
    replies: list[httpx.Response] = []
    lock = threading.Lock()

    def client(n: int) -> None:
        with httpx.Client(base_url=base, timeout=120) as http:
            start.wait()
            for i in range(rounds):
                question = QUESTIONS[(n + i) % len(QUESTIONS)]
                r = http.post("/ask", json={"question": question})
                with lock:
                    replies.append(r)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads)
    return replies


def test_sixteen_concurrent_clients_all_get_answers(live_server: str) -> None:
    replies = _together(live_server, clients=16, rounds=2)
    assert len(replies) == 32
    assert [r.status_code for r in replies] == [200] * 32
    assert all(r.json()["citations"] for r in replies)


def test_beyond_the_concurrency_cap_a_clear_503(
    live_server: str, sample_index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_index(monkeypatch, sample_index, ACCORDINGTO_MAX_CONCURRENT_REQUESTS="2")
    replies = _together(live_server, clients=16, rounds=1)
    statuses = sorted(r.status_code for r in replies)
    assert set(statuses) == {200, 503}, statuses
    busy = next(r for r in replies if r.status_code == 503)
    assert "busy" in busy.json()["message"] and busy.headers["retry-after"]
    # The probes are never turned away.
    assert httpx.get(f"{live_server}/health/live").status_code == 200
