"""/v1/models and /v1/chat/completions through the official `openai` client, over real HTTP
to the app served by uvicorn on the sample index."""

from __future__ import annotations

import json
from typing import Any

import httpx
import openai
import pytest
from openai.types.chat import ChatCompletionMessageParam

from app.conversation import standalone_question

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


def test_models_lists_every_choice_and_each_can_be_fetched(oai: openai.OpenAI) -> None:
    models = oai.models.list()
    ids = [m.id for m in models.data]
    assert ids == ["accordingto", "accordingto-llm", "accordingto-extractive"]
    for name in ids:
        assert oai.models.retrieve(name).id == name
    with pytest.raises(openai.NotFoundError) as caught:
        oai.models.retrieve("gpt-4o")
    assert "accordingto-extractive" in caught.value.message


def test_plain_completion_carries_url_citation_annotations_at_its_markers(
    oai: openai.OpenAI, live_server: str
) -> None:
    resp = oai.chat.completions.create(
        model="accordingto", messages=[{"role": "user", "content": QUESTION}]
    )
    message = resp.choices[0].message
    content = message.content or ""
    citations = (resp.model_extra or {})["citations"]
    assert message.annotations and len(message.annotations) == len(citations)
    for a, c in zip(message.annotations, citations, strict=True):
        place = a.url_citation
        assert a.type == "url_citation"
        assert content[place.start_index : place.end_index] == f"[{c['n']}]"
        assert c["outlet"] in place.title and c["title"] in place.title
        # No sample article has a web address: the link is the service's own copy.
        article = httpx.get(place.url).json()
        assert article["text"][c["start"] : c["end"]] == c["quote"]


def test_a_stream_sends_open_webui_source_events_in_citation_order(oai: openai.OpenAI) -> None:
    chunks = list(
        oai.chat.completions.create(
            model="accordingto", messages=[{"role": "user", "content": QUESTION}], stream=True
        )
    )
    events = [c.model_extra["event"] for c in chunks if c.model_extra and "event" in c.model_extra]
    last = next(c for c in chunks if c.choices and c.choices[0].finish_reason == "stop")
    citations = (last.model_extra or {})["citations"]
    assert [e["type"] for e in events] == ["source"] * len(citations)
    assert [e["data"]["document"] for e in events] == [[c["quote"]] for c in citations]
    # Open WebUI groups documents by metadata.source: one group per citation keeps [n] in step.
    assert len({e["data"]["metadata"][0]["source"] for e in events}) == len(citations)


def test_max_tokens_cuts_the_reply_as_openai_does(oai: openai.OpenAI) -> None:
    messages: list[ChatCompletionMessageParam] = [{"role": "user", "content": QUESTION}]
    full = oai.chat.completions.create(model="accordingto", messages=messages)
    cut = oai.chat.completions.create(model="accordingto", messages=messages, max_tokens=7)
    text = cut.choices[0].message.content or ""
    assert cut.choices[0].finish_reason == "length" and len(text.split()) == 7
    assert (full.choices[0].message.content or "").startswith(text)
    streamed = list(
        oai.chat.completions.create(
            model="accordingto", messages=messages, max_completion_tokens=7, stream=True
        )
    )
    assert "".join(c.choices[0].delta.content or "" for c in streamed if c.choices) == text
    assert any(c.choices and c.choices[0].finish_reason == "length" for c in streamed)


def test_options_it_cannot_honour_are_refused_by_name(oai: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        oai.chat.completions.create(
            model="accordingto",
            messages=[
                {"role": "system", "content": "Answer like a pirate."},
                {"role": "user", "content": QUESTION},
            ],
        )
    assert "system" in caught.value.message and "remove the system prompt" in caught.value.message
    with pytest.raises(openai.BadRequestError) as caught:
        oai.chat.completions.create(
            model="accordingto", messages=[{"role": "user", "content": QUESTION}], n=2
        )
    assert caught.value.param == "n"


# The shape of Open WebUI's task prompts (backend/open_webui/config.py, DEFAULT_*_TEMPLATE):
# the instructions, the JSON object wanted, the conversation in <chat_history>.
def open_webui_task(key: str, wanted: str, history: str) -> str:
    return (
        f"### Task:\nGenerate {wanted} summarizing the chat history.\n"
        "### Guidelines:\n- Keep it clear and simple.\n"
        f'### Output:\nJSON format: {{ "{key}": ... }}\n'
        f"### Chat History:\n<chat_history>\n{history}\n</chat_history>"
    )


def test_front_end_tasks_are_answered_from_the_conversation(oai: openai.OpenAI) -> None:
    answer, _ = ask(oai, QUESTION)
    follow_up = "And what did Zelensky say?"
    second, _ = ask(oai, QUESTION, follow_up)
    history = f"USER: {QUESTION}\nASSISTANT: {answer}\nUSER: {follow_up}\nASSISTANT: {second}"
    assert len(history) > 2000  # over the question limit, as Open WebUI's prompts are

    def task(key: str) -> Any:
        prompt = open_webui_task(key, f"a {key}", history)
        resp = oai.chat.completions.create(
            model="accordingto", messages=[{"role": "user", "content": prompt}]
        )
        assert not (resp.model_extra or {}).get("citations")
        return json.loads(resp.choices[0].message.content or "")[key]

    title = task("title")
    assert 1 <= len(title.split()) <= 5
    assert all(w.lower() in QUESTION.lower() for w in title.split())
    asked = f"{QUESTION} {follow_up}".lower()
    tags = task("tags")
    assert tags and all(t.lower() in asked for t in tags)
    follow_ups = task("follow_ups")
    spoken = second.partition("\n\nSources:")[0]
    for q in follow_ups:
        name = q.removeprefix("What did ").removesuffix(" say about it?")
        assert name in spoken and name.lower() not in asked
    assert task("queries") == [standalone_question([QUESTION, follow_up])]


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
