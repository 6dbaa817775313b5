"""POST /ask as server-sent events over the sample index: the extractive answer, an LLM
streaming through the scripted OpenAI server, and an LLM that fails before or mid-stream."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import use_index
from tests.fake_openai import Error, FakeOpenAI

QUESTION = "How many North Korean soldiers were killed?"
FINAL = ["citations", "claims", "conflicts", "verification", "done"]
LLM_TEXT = (
    "Zelensky said North Korean troops suffered 4,000 casualties [1]. "
    "The NIS estimated that about 300 were killed [2]."
)


def events(body: str) -> list[tuple[str, Any]]:
    """(name, JSON data) of each event of an SSE body."""
    out = []
    for block in body.replace("\r\n", "\n").strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.split("\n") if ": " in line)
        if "event" in fields:
            out.append((fields["event"], json.loads(fields["data"])))
    return out


def stream(client: TestClient, **body: Any) -> list[tuple[str, Any]]:
    r = client.post("/ask", json={"stream": True, **body})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/event-stream")
    return events(r.text)


def names(evs: list[tuple[str, Any]]) -> list[str]:
    return [name for name, _ in evs]


def deltas(evs: list[tuple[str, Any]]) -> str:
    return "".join(data["text"] for name, data in evs if name == "delta")


def check_quotes(client: TestClient, answer: dict[str, Any]) -> None:
    for c in answer["citations"]:
        text = client.get(f"/articles/{c['article_id']}").json()["text"]
        assert text[c["start"] : c["end"]] == c["quote"]


def use_llm(monkeypatch: pytest.MonkeyPatch, index: Path, base_url: str, **env: str) -> None:
    defaults = {
        "OPENAI_BASE_URL": base_url,
        "OPENAI_API_KEY": "sk-test",
        "ACCORDINGTO_LLM_MODEL": "fake-model",
        "ACCORDINGTO_LLM_MAX_RETRIES": "0",
    }
    use_index(monkeypatch, index, **(defaults | env))


@pytest.fixture
def llm(
    client: TestClient, sample_index: Path, monkeypatch: pytest.MonkeyPatch, fake_openai: FakeOpenAI
) -> FakeOpenAI:
    """The app (through `client`) answering with the fake OpenAI server as its LLM."""
    use_llm(monkeypatch, sample_index, fake_openai.base_url)
    return fake_openai


def test_extractive_stream_ends_with_the_plain_answer(client: TestClient) -> None:
    evs = stream(client, question=QUESTION)
    order = names(evs)
    assert order[0] == "meta" and order[-5:] == FINAL
    assert set(order[1:-5]) == {"delta"} and len(order[1:-5]) >= 2  # one per sentence
    meta = evs[0][1]
    assert meta["generator"] == "extractive" and meta["passages"]
    assert set(meta["passages"][0]) == {"n", "article_id", "title", "outlet", "published"}

    plain = client.post("/ask", json={"question": QUESTION}).json()
    data = dict(evs[-5:])
    assert data["done"] == plain
    assert deltas(evs) == plain["answer"]
    assert data["citations"] == plain["citations"] and plain["citations"]
    assert data["claims"] == plain["claims"]
    assert data["conflicts"] == plain["conflicts"]
    assert data["verification"]["warnings"] == plain["warnings"]
    assert data["verification"]["citations"] == [
        {"n": c["n"], "supported": c["supported"]} for c in plain["citations"]
    ]
    check_quotes(client, plain)


def test_accept_header_asks_for_the_stream(client: TestClient) -> None:
    r = client.post(
        "/ask",
        json={"question": "What did Budanov say?"},
        headers={"accept": "text/event-stream"},
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/event-stream")
    evs = events(r.text)
    assert names(evs)[0] == "meta" and names(evs)[-1] == "done"
    assert "Budanov" in evs[-1][1]["answer"]


@pytest.mark.parametrize(
    ("body", "fragment"),
    [({"question": " "}, "empty"), ({"question": "ok?", "top_k": 0}, "top_k")],
)
def test_bad_input_is_refused_before_streaming(
    client: TestClient, body: dict[str, Any], fragment: str
) -> None:
    r = client.post("/ask", json={**body, "stream": True})
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/json")
    assert fragment in r.json()["message"]


def test_llm_streams_deltas_and_ends_with_the_verified_answer(
    client: TestClient, llm: FakeOpenAI
) -> None:
    llm.enqueue(LLM_TEXT, LLM_TEXT)
    evs = stream(client, question=QUESTION, generator="llm")
    order = names(evs)
    assert order[0] == "meta" and order[-5:] == FINAL
    assert order.count("delta") > 2  # the fake server sends one word at a time
    assert deltas(evs) == LLM_TEXT  # the raw model text, as it arrived
    assert llm.history[0].body["stream"] is True

    done = evs[-1][1]
    assert done["generator"] == "llm"
    numbers = [c["n"] for c in done["citations"]]
    assert numbers[:2] == [1, 2]  # the model's own; any more cite a conflict's positions
    positions = {p["citation"] for c in done["conflicts"] for p in c["positions"]}
    assert set(numbers[2:]) <= positions
    check_quotes(client, done)
    plain = client.post("/ask", json={"question": QUESTION, "generator": "llm"}).json()
    assert done == plain


def test_llm_thinking_is_not_streamed(client: TestClient, llm: FakeOpenAI) -> None:
    llm.enqueue(f"<think>Passage [9] looks best.</think>\n{LLM_TEXT}")
    evs = stream(client, question=QUESTION, generator="llm")
    assert deltas(evs) == LLM_TEXT
    assert "[9]" not in evs[-1][1]["answer"]


def test_llm_down_gives_the_extractive_answer_in_a_whole_stream(
    client: TestClient, llm: FakeOpenAI
) -> None:
    llm.enqueue(Error(503, "overloaded"))
    evs = stream(client, question=QUESTION, generator="llm")
    order = names(evs)
    assert order[0] == "meta" and order[-5:] == FINAL and "error" not in order
    done = evs[-1][1]
    assert done["generator"] == "extractive" and done["citations"]
    assert any("HTTP 503" in w and "extractive answer" in w for w in done["warnings"])
    assert deltas(evs) == done["answer"]


@pytest.fixture
def breaking_server() -> Iterator[str]:
    """An endpoint that streams two chunks of an answer, then drops the connection."""
    chunk = {
        "id": "c1",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "fake-model",
        "choices": [{"index": 0, "delta": {"content": "North Korea "}, "finish_reason": None}],
    }
    events = f"data: {json.dumps(chunk)}\n\n" * 2
    body = f"{len(events.encode()):x}\r\n{events}\r\n".encode()
    listener = socket.create_server(("127.0.0.1", 0))

    def answer() -> None:
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return  # closed: the test is over
            with conn:
                conn.recv(65536)
                head = b"HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\n"
                conn.sendall(head + b"transfer-encoding: chunked\r\n\r\n" + body)
                # No terminating zero-length chunk: the stream is cut mid-answer.

    thread = threading.Thread(target=answer, daemon=True)
    thread.start()
    host, port = listener.getsockname()[:2]
    yield f"http://{host}:{port}/v1"
    listener.close()
    thread.join(timeout=5)


def test_llm_failing_mid_stream_resets_to_the_extractive_answer(
    client: TestClient,
    sample_index: Path,
    monkeypatch: pytest.MonkeyPatch,
    breaking_server: str,
) -> None:
    use_llm(monkeypatch, sample_index, breaking_server)
    evs = stream(client, question=QUESTION, generator="llm")
    order = names(evs)
    reset = order.index("reset")
    assert order[0] == "meta" and order[-5:] == FINAL and "error" not in order
    assert set(order[1:reset]) == {"delta"}  # the LLM's text before it broke off
    assert "".join(d["text"] for n, d in evs[1:reset]).startswith("North Korea")
    done = evs[-1][1]
    assert done["generator"] == "extractive"
    assert "broke off the stream" in evs[reset][1]["reason"]
    assert done["warnings"][0] == evs[reset][1]["reason"]
    assert deltas(evs[reset:]) == done["answer"]
    check_quotes(client, done)


def test_no_index_is_a_503_not_a_stream(
    client: TestClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    use_index(monkeypatch, tmp_path / "nothing-here")
    r = client.post("/ask", json={"question": QUESTION, "stream": True})
    assert r.status_code == 503
    assert "index" in r.json()["message"]
