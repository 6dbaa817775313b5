"""An LLM endpoint that fails in every way we know of, against /ask (plain and streaming)
and the chat API: every answer comes within the deadline, as the extractive answer with a
warning, never a 5xx, never a partial LLM answer shown as whole.

The faults come from the scripted OpenAI server over real HTTP (tests/fake_openai.py).
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.app.test_stream import FINAL, QUESTION, deltas, events, names, use_llm
from tests.fake_openai import Cut, Delay, Error, FakeOpenAI, Garbage, Reply, Trickle

DEADLINE = 3.0
# The extractive answer and verification after the LLM gives up; generous on a busy machine.
AFTER = 6.0
CUT = "President Volodymyr Zelensky said that North Korean troops suffered 4,000 casualties [1]."
FAULTS: dict[str, list[Reply]] = {
    "refused": [],  # nothing listens: see `endpoint`
    "hang": [Delay(60.0), Delay(60.0)],
    "500": [Error(500), Error(500)],
    "429-retry-after": [Error(429, "Rate limit reached.", retry_after="50")],
    "bad-json": [Garbage(), Garbage()],
    "cut": [Cut(CUT), Cut(CUT)],
    "slow-trickle": [Trickle(CUT * 10, interval=0.2, size=2)],
}


@pytest.fixture
def endpoint(
    request: pytest.FixtureRequest,
    client: TestClient,
    sample_index: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[str]:
    """The app's LLM set to the fault named by the test's parameter; yields its name."""
    fault: str = request.param
    with FakeOpenAI() as server:
        url = server.base_url
        if fault == "refused":
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                url = f"http://127.0.0.1:{sock.getsockname()[1]}/v1"
        server.enqueue(*FAULTS[fault])
        use_llm(
            monkeypatch,
            sample_index,
            url,
            ACCORDINGTO_LLM_DEADLINE=str(DEADLINE),
            ACCORDINGTO_LLM_TIMEOUT="2",
            ACCORDINGTO_LLM_MAX_RETRIES="1",
        )
        yield fault


def _fell_back(answer: dict[str, Any]) -> None:
    assert answer["generator"] == "extractive"
    assert answer["citations"] and all(c["supported"] for c in answer["citations"])
    first = answer["warnings"][0]
    assert first.startswith("The LLM (fake-model) ")
    assert "127.0.0.1" not in first  # the endpoint is the operator's business
    assert first.endswith("the extractive answer is shown instead.")


@pytest.mark.parametrize("endpoint", list(FAULTS), indirect=True)
def test_plain_ask_falls_back_within_the_deadline(client: TestClient, endpoint: str) -> None:
    began = time.monotonic()
    r = client.post("/ask", json={"question": QUESTION, "generator": "llm"})
    # The deadline is the promise under test: the faults would take far longer unbounded.
    assert time.monotonic() - began < DEADLINE + AFTER
    assert r.status_code == 200, r.text
    _fell_back(r.json())


@pytest.mark.parametrize("endpoint", list(FAULTS), indirect=True)
def test_streaming_ask_resets_or_falls_back_within_the_deadline(
    client: TestClient, endpoint: str
) -> None:
    began = time.monotonic()
    r = client.post("/ask", json={"question": QUESTION, "generator": "llm", "stream": True})
    assert time.monotonic() - began < DEADLINE + AFTER
    assert r.status_code == 200, r.text
    evs = events(r.text)
    order = names(evs)
    assert order[0] == "meta" and order[-5:] == FINAL and "error" not in order
    done = evs[-1][1]
    _fell_back(done)
    if "reset" in order:
        # Text the LLM had streamed is taken back; what follows is the fallback's.
        reset = order.index("reset")
        assert deltas(evs[:reset])
        assert evs[reset][1]["reason"] == done["warnings"][0]
        assert deltas(evs[reset:]) == done["answer"]
    else:
        assert deltas(evs) == done["answer"]
    if endpoint in ("cut", "slow-trickle"):
        assert "reset" in order  # these streamed some text before failing


@pytest.mark.parametrize("endpoint", ["cut"], indirect=True)
@pytest.mark.parametrize("stream", [False, True])
def test_chat_completion_of_a_cut_stream_is_the_fallback(
    client: TestClient, endpoint: str, stream: bool
) -> None:
    body = {"model": "accordingto-llm", "messages": [{"role": "user", "content": QUESTION}]}
    r = client.post("/v1/chat/completions", json={**body, "stream": stream})
    assert r.status_code == 200, r.text
    if stream:
        chunks = [e for e in events_of_chat(r.text) if e != "[DONE]"]
        content = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks)
        last = chunks[-1]
    else:
        last = r.json()
        content = last["choices"][0]["message"]["content"]
    assert "Volodymyr Zelensky said that North Korean troops" not in content.split("Sources:")[0]
    assert "the extractive answer is shown instead" in last["warnings"][0]
    assert "broke off the stream before its final chunk" in last["warnings"][0]


def events_of_chat(body: str) -> list[Any]:
    """The data of each chat completion chunk (or the "[DONE]" string)."""
    out: list[Any] = []
    for block in body.replace("\r\n", "\n").strip().split("\n\n"):
        data = block.removeprefix("data: ")
        out.append(data if data == "[DONE]" else json.loads(data))
    return out
