"""Streaming /ask and /v1/chat/completions through a real local LLM (llama.cpp serving
Gemma 3 270M): whatever the weak base model writes, only verified citations, each quoting
its article exactly, reach the user."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import openai
import pytest
from fastapi.testclient import TestClient

from tests.app.test_stream import FINAL, events, names
from tests.conftest import use_index
from tests.llama_server import llama_settings

pytestmark = pytest.mark.slow

QUESTION = "How many North Korean soldiers were killed?"


def use_llama(monkeypatch: pytest.MonkeyPatch, index: Path, base_url: str) -> None:
    # Unsupported sentences are removed, so what reaches the user is verified only.
    use_index(
        monkeypatch, index, **llama_settings(base_url), ACCORDINGTO_UNSUPPORTED_ACTION="remove"
    )


def check_citations(get: Any, citations: list[dict[str, Any]]) -> None:
    """Every citation supported and quoting exactly `article.text[start:end]`."""
    for c in citations:
        assert c["supported"] is True, c
        text = get(f"/articles/{c['article_id']}").json()["text"]
        assert text[c["start"] : c["end"]] == c["quote"]


def test_streaming_ask_through_llama_cpp(
    client: TestClient,
    sample_index: Path,
    monkeypatch: pytest.MonkeyPatch,
    llama_server: str,
) -> None:
    use_llama(monkeypatch, sample_index, llama_server)
    r = client.post("/ask", json={"question": QUESTION, "generator": "llm", "stream": True})
    assert r.status_code == 200
    evs = events(r.text)
    order = names(evs)
    assert order[0] == "meta" and order[-5:] == FINAL and "error" not in order
    assert evs[0][1]["generator"] == "llm"
    assert "delta" in order[1:-5]
    done = evs[-1][1]
    assert not any("could not be reached" in w for w in done["warnings"]), done["warnings"]
    assert dict(evs)["verification"]["all_supported"] is True
    check_citations(client.get, done["citations"])


def test_chat_completions_through_llama_cpp(
    live_server: str,
    sample_index: Path,
    monkeypatch: pytest.MonkeyPatch,
    llama_server: str,
) -> None:
    use_llama(monkeypatch, sample_index, llama_server)
    oai = openai.OpenAI(base_url=f"{live_server}/v1", api_key="x", max_retries=0, timeout=600)
    messages: list[Any] = [{"role": "user", "content": QUESTION}]

    plain = oai.chat.completions.create(model="accordingto-llm", messages=messages)
    extra = plain.model_extra or {}
    content = plain.choices[0].message.content or ""
    check_citations(lambda path: httpx.get(live_server + path), extra["citations"])
    assert ("\n\nSources:\n" in content) == bool(extra["citations"])

    chunks = list(
        oai.chat.completions.create(model="accordingto-llm", messages=messages, stream=True)
    )
    last = next(c for c in chunks if c.choices and c.choices[0].finish_reason == "stop")
    streamed = (last.model_extra or {})["citations"]
    check_citations(lambda path: httpx.get(live_server + path), streamed)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert all(f"[{c['n']}]" in text for c in streamed)
