"""/v1/models and /v1/chat/completions through the official `openai` client, over real HTTP
to the app served by uvicorn on the sample index."""

from __future__ import annotations

from typing import Any

import httpx
import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam

QUESTION = "Who says North Korea sent more troops to Russia?"


@pytest.fixture
def oai(live_server: str) -> openai.OpenAI:
    return openai.OpenAI(base_url=f"{live_server}/v1", api_key="not-needed", max_retries=0)


def ask(oai: openai.OpenAI, *turns: str) -> tuple[str, dict[str, Any]]:
    """The assistant's text and the extra fields, for user turns with answers between."""
    messages: list[ChatCompletionMessageParam] = []
    for turn in turns:
        messages.append({"role": "user", "content": turn})
        resp = oai.chat.completions.create(model="accordingto", messages=messages)
        content = resp.choices[0].message.content or ""
        messages.append({"role": "assistant", "content": content})
    assert resp.object == "chat.completion" and resp.choices[0].finish_reason == "stop"
    assert resp.usage is not None and resp.usage.completion_tokens > 0
    return content, resp.model_extra or {}


def check_quotes(base_url: str, citations: list[dict[str, Any]]) -> None:
    for c in citations:
        article = httpx.get(f"{base_url}/articles/{c['article_id']}").json()
        assert article["text"][c["start"] : c["end"]] == c["quote"]


def test_models_lists_the_service(oai: openai.OpenAI) -> None:
    models = oai.models.list()
    assert [m.id for m in models.data] == ["accordingto"]
    assert models.data[0].object == "model"


def test_answer_carries_sources_in_text_and_fields(oai: openai.OpenAI, live_server: str) -> None:
    content, extra = ask(oai, QUESTION)
    answer, _, sources = content.partition("\n\nSources:\n")
    assert "[1]" in answer
    assert any(name in answer for name in ("NIS", "spy agency", "Intelligence"))
    assert set(extra) >= {"citations", "claims", "conflicts", "warnings"}
    citations = extra["citations"]
    assert citations
    for c in citations:
        assert f"[{c['n']}]" in answer
        line = next(s for s in sources.splitlines() if s.startswith(f"[{c['n']}] "))
        assert c["outlet"] in line and c["published"] in line and c["quote"] in line
    check_quotes(live_server, citations)


def test_streaming_through_the_client_matches_the_plain_answer(oai: openai.OpenAI) -> None:
    plain, extra = ask(oai, QUESTION)
    chunks = list(
        oai.chat.completions.create(
            model="accordingto",
            messages=[{"role": "user", "content": QUESTION}],
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert len({c.id for c in chunks}) == 1
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == plain
    last = next(c for c in chunks if c.choices and c.choices[0].finish_reason == "stop")
    assert (last.model_extra or {})["citations"] == extra["citations"]
    assert chunks[-1].choices == [] and chunks[-1].usage is not None


def test_a_follow_up_is_answered_in_the_context_of_the_question_before(
    oai: openai.OpenAI,
) -> None:
    content, extra = ask(oai, QUESTION, "And what did Zelensky say?")
    zelensky = [c for c in extra["claims"] if "Zelensky" in c["claimant"]]
    assert zelensky, extra["claims"]
    assert any("North Korean" in c["content"] for c in zelensky)
    assert "Zelensky" in content.partition("\n\nSources:")[0]


def test_bad_requests_get_openai_errors(oai: openai.OpenAI, live_server: str) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        oai.chat.completions.create(model="accordingto", messages=[])
    assert caught.value.status_code == 400
    r = httpx.post(
        f"{live_server}/v1/chat/completions",
        json={"model": "accordingto", "messages": [{"role": "user", "content": " "}]},
    )
    assert r.status_code == 400
    error = r.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error" and "empty" in error["message"]


def test_the_llm_model_name_asks_for_the_llm_generator(oai: openai.OpenAI) -> None:
    resp = oai.chat.completions.create(
        model="accordingto-llm", messages=[{"role": "user", "content": QUESTION}]
    )
    assert resp.model == "accordingto-llm"
    # No LLM is configured in the tests: the extractive answer says so.
    assert any("No LLM is configured" in w for w in (resp.model_extra or {})["warnings"])
