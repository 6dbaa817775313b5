"""The LLM generator against a fake OpenAI server over real HTTP, and its citation markers."""

from __future__ import annotations

import json
import re
import socket
from typing import Any

import httpx
import openai
import pytest

from app.generate.base import Answer, ArticleRef, Citation, ClaimUse, Passage
from app.generate.llm import LLMFailed, LLMGenerator
from app.generate.markers import Marker, compact, find_markers, renumber
from app.settings import Settings
from indexer.models import Chunk, Claim, Sentence, Span
from tests.fake_openai import (
    Completion,
    Cut,
    Delay,
    Error,
    FakeOpenAI,
    Garbage,
    Trickle,
    fake_openai,
)

__all__ = ["fake_openai"]  # the fixture, imported for pytest to find

YONHAP = (
    "South Korea's National Intelligence Service estimated that about 300 North Korean "
    "soldiers had been killed and 2,700 wounded. The agency briefed lawmakers on Monday."
)
KYIV = (
    "Fighting continued near Kursk. Ukraine's President Volodymyr Zelensky said on Feb. 14 "
    "that North Korean troops had suffered 4,000 casualties. He said two-thirds were killed."
)
ARTICLES = {"yonhap-1": YONHAP, "kyiv-1": KYIV}
REFS = {
    "yonhap-1": ArticleRef(
        "yonhap-1", "NIS: 300 North Koreans killed", "Yonhap", "2025-01-13", None
    ),
    "kyiv-1": ArticleRef(
        "kyiv-1", "Zelensky on casualties", "Kyiv Independent", "2025-02-14", None
    ),
}
QUESTION = "How many North Korean soldiers were killed?"
KEY = "sk-test-key-123"


def _span(article_id: str, text: str) -> Span:
    start = ARTICLES[article_id].index(text)
    return Span(start, start + len(text), text)


def _sentences(article_id: str) -> list[Sentence]:
    # A sentence ends at a full stop before a capital letter, so "Feb. 14" stays whole.
    matches = re.finditer(r"\S.*?\.(?=\s+[A-Z]|$)", ARTICLES[article_id])
    return [Sentence(article_id, i, m.start(), m.end(), m.group()) for i, m in enumerate(matches)]


def _passage(n: int, article_id: str, first: int, last: int, claims: list[Claim]) -> Passage:
    sentences = _sentences(article_id)[first : last + 1]
    start, end = sentences[0].start, sentences[-1].end
    chunk = Chunk(
        n * 10, article_id, first, start, end, ARTICLES[article_id][start:end], first, last
    )
    return Passage(n, chunk, REFS[article_id], sentences, claims, score=1.0 / n)


NIS_CLAIM = Claim(
    "yonhap-1",
    0,
    "South Korea's National Intelligence Service",
    _span("yonhap-1", "South Korea's National Intelligence Service"),
    _span("yonhap-1", "estimated"),
    _span("yonhap-1", "about 300 North Korean soldiers had been killed and 2,700 wounded"),
    "estimate",
    reported_by=("Yonhap",),
)
ZELENSKY_CLAIM = Claim(
    "kyiv-1",
    1,
    "Volodymyr Zelensky",
    _span("kyiv-1", "Ukraine's President Volodymyr Zelensky"),
    _span("kyiv-1", "said"),
    _span("kyiv-1", "North Korean troops had suffered 4,000 casualties"),
    "indirect",
)
PASSAGES = [
    _passage(1, "yonhap-1", 0, 1, [NIS_CLAIM]),
    _passage(2, "kyiv-1", 1, 2, [ZELENSKY_CLAIM]),
]


class StubExtractive:
    """Stands in for the extractive generator: a recognisable answer, and a call log."""

    name = "extractive"

    def __init__(self) -> None:
        self.calls: list[tuple[str, list[Passage]]] = []

    def generate(self, question: str, passages: list[Passage]) -> Answer:
        self.calls.append((question, passages))
        return Answer("Extractive stub answer.", [], self.name, warnings=["stub warning"])


def _settings(base_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "openai_base_url": base_url,
        "openai_api_key": KEY,
        "llm_model": "fake-model",
        "llm_timeout": 5.0,
        "llm_max_retries": 0,
        "llm_max_tokens": 300,
        "llm_temperature": 0.0,
    }
    return Settings(**(values | overrides))


def _ask(server: FakeOpenAI, **overrides: Any) -> tuple[Answer, StubExtractive]:
    fallback = StubExtractive()
    answer = LLMGenerator(_settings(server.base_url, **overrides), fallback).generate(
        QUESTION, PASSAGES
    )
    return answer, fallback


def _assert_quotes_are_article_text(citations: list[Citation]) -> None:
    for citation in citations:
        assert citation.quote == ARTICLES[citation.article.id][citation.start : citation.end]


# The LLM generator


def test_answer_markers_become_citations_of_the_passages(fake_openai: FakeOpenAI) -> None:
    text = (
        "According to South Korea's National Intelligence Service, about 300 North Korean "
        "soldiers were killed [1]. Zelensky said they suffered 4,000 casualties [2]. "
        "The two figures disagree [1][2]."
    )
    fake_openai.enqueue(text)
    answer, fallback = _ask(fake_openai)
    assert answer.generator == "llm"
    assert answer.text == text
    assert answer.warnings == []
    assert fallback.calls == []
    assert [(c.n, c.article.id) for c in answer.citations] == [(1, "yonhap-1"), (2, "kyiv-1")]
    for citation, passage in zip(answer.citations, PASSAGES, strict=True):
        assert (citation.start, citation.end, citation.quote) == (
            passage.chunk.start,
            passage.chunk.end,
            passage.chunk.text,
        )
    _assert_quotes_are_article_text(answer.citations)
    assert answer.claims == [ClaimUse(NIS_CLAIM, 1), ClaimUse(ZELENSKY_CLAIM, 2)]


def test_citations_are_renumbered_in_order_of_first_appearance(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue("Zelensky said 4,000 [2]. The NIS estimated 300 [1, 2].")
    answer, _ = _ask(fake_openai)
    assert answer.text == "Zelensky said 4,000 [1]. The NIS estimated 300 [1][2]."
    assert [(c.n, c.article.id) for c in answer.citations] == [(1, "kyiv-1"), (2, "yonhap-1")]
    assert answer.claims == [ClaimUse(ZELENSKY_CLAIM, 1), ClaimUse(NIS_CLAIM, 2)]
    _assert_quotes_are_article_text(answer.citations)


def test_marker_to_a_missing_passage_is_removed_and_reported(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue("The NIS estimated 300 killed [1]. Russia denied it [7].")
    answer, _ = _ask(fake_openai)
    assert answer.text == "The NIS estimated 300 killed [1]. Russia denied it."
    assert [c.article.id for c in answer.citations] == ["yonhap-1"]
    assert answer.claims == [ClaimUse(NIS_CLAIM, 1)]
    assert answer.warnings == [
        "The model cited [7], but only passages 1-2 were given; the marker was removed."
    ]


def test_answer_without_citations_has_none(fake_openai: FakeOpenAI) -> None:
    # The verifier cites or flags each uncited sentence (tests/app/test_citations.py).
    fake_openai.enqueue("The passages do not say how many were killed.")
    answer, _ = _ask(fake_openai)
    assert answer.generator == "llm"
    assert answer.text == "The passages do not say how many were killed."
    assert (answer.citations, answer.claims, answer.warnings) == ([], [], [])


def test_reasoning_is_not_part_of_the_answer(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue("<think>Passage [5] might help.</think>\nThe NIS estimated 300 [1].")
    answer, _ = _ask(fake_openai)
    assert answer.text == "The NIS estimated 300 [1]."
    assert answer.warnings == []


def test_answer_cut_off_at_the_token_limit_is_flagged(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Completion("The NIS estimated 300 [1]. Zelensky", finish_reason="length"))
    answer, _ = _ask(fake_openai)
    assert answer.generator == "llm"
    assert [c.article.id for c in answer.citations] == ["yonhap-1"]
    assert any("300-token limit" in w for w in answer.warnings)


def test_timeout_falls_back_to_the_extractive_answer(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Delay(2.0))
    answer, fallback = _ask(fake_openai, llm_timeout=0.5)
    assert fallback.calls == [(QUESTION, PASSAGES)]
    assert answer.generator == "extractive"
    assert answer.text == "Extractive stub answer."
    assert "did not answer within 0.5 s" in answer.warnings[0]
    assert "the extractive answer is shown instead" in answer.warnings[0]
    assert answer.warnings[1:] == ["stub warning"]


def test_server_error_falls_back_to_the_extractive_answer(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Error(500, "The engine is overloaded."))
    answer, fallback = _ask(fake_openai)
    assert len(fallback.calls) == 1
    assert answer.generator == "extractive"
    assert "answered HTTP 500" in answer.warnings[0]
    assert "The engine is overloaded." not in answer.warnings[0]  # upstream bodies stay in the log
    assert "the extractive answer is shown instead" in answer.warnings[0]


@pytest.mark.parametrize("content", ["", None, "   \n"])
def test_empty_content_falls_back(fake_openai: FakeOpenAI, content: str | None) -> None:
    fake_openai.enqueue(Completion(content))
    answer, _ = _ask(fake_openai)
    assert answer.generator == "extractive"
    assert "returned an empty answer" in answer.warnings[0]


def test_unreachable_endpoint_falls_back() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # The port was free a moment ago and nothing listens on it now.
    settings = _settings(f"http://user:secret@127.0.0.1:{port}/v1")
    answer = LLMGenerator(settings, StubExtractive()).generate(QUESTION, PASSAGES)
    assert answer.generator == "extractive"
    assert "The LLM (fake-model) could not be reached" in answer.warnings[0]
    assert str(port) not in answer.warnings[0]
    assert "secret" not in answer.warnings[0]


def test_retries_follow_the_setting(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Error(503), "The NIS estimated 300 [1].")
    answer, _ = _ask(fake_openai, llm_max_retries=1)
    assert answer.generator == "llm"
    assert len(fake_openai.history) == 2
    assert fake_openai.pending == 0


def test_retry_after_is_waited_for_within_the_deadline(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Error(429, "Slow down.", retry_after="0.2"), "The NIS estimated 300 [1].")
    answer, _ = _ask(fake_openai, llm_max_retries=1, llm_deadline=10)
    assert answer.generator == "llm"
    assert len(fake_openai.history) == 2


def test_retry_after_past_the_deadline_is_not_waited_for(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Error(429, "Slow down.", retry_after="50"), "Too late [1].")
    answer, fallback = _ask(fake_openai, llm_max_retries=1, llm_deadline=5)
    assert len(fallback.calls) == 1
    assert len(fake_openai.history) == 1 and fake_openai.pending == 1
    assert "answered HTTP 429" in answer.warnings[0]
    assert "Slow down." not in answer.warnings[0]  # upstream bodies stay in the log
    assert "trying again in 50 s would pass the 5 s deadline (llm_deadline)" in answer.warnings[0]


def test_client_errors_are_not_retried(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Error(400, "Bad model.", "invalid_request_error"), "Unused [1].")
    answer, _ = _ask(fake_openai, llm_max_retries=2)
    assert "answered HTTP 400" in answer.warnings[0]
    assert "Bad model." not in answer.warnings[0]  # upstream bodies stay in the log
    assert len(fake_openai.history) == 1


def test_a_reply_trickling_past_the_deadline_falls_back(fake_openai: FakeOpenAI) -> None:
    # Every read takes 0.05 s, far under llm_timeout; the whole reply would take seconds.
    fake_openai.enqueue(Trickle("The NIS estimated 300 [1]. " * 20, interval=0.05))
    answer, fallback = _ask(fake_openai, llm_timeout=5, llm_deadline=1)
    assert len(fallback.calls) == 1
    assert "did not finish its answer within 1 s (llm_deadline)" in answer.warnings[0]


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        (Cut("The NIS estimated that about 300 North Korean soldiers were killed [1]."), ""),
        (Garbage(), "not JSON"),
    ],
)
def test_a_broken_reply_falls_back(
    fake_openai: FakeOpenAI, fault: Cut | Garbage, reason: str
) -> None:
    fake_openai.enqueue(fault)
    answer, fallback = _ask(fake_openai)
    assert len(fallback.calls) == 1
    assert answer.generator == "extractive"
    assert reason in answer.warnings[0]
    assert "the extractive answer is shown instead" in answer.warnings[0]


def _drain(server: FakeOpenAI, **overrides: Any) -> tuple[str, Answer]:
    """The text a stream yields and the answer it returns."""
    pieces = LLMGenerator(_settings(server.base_url, **overrides), StubExtractive()).stream(
        QUESTION, PASSAGES
    )
    text = ""
    while True:
        try:
            text += next(pieces)
        except StopIteration as stop:
            return text, stop.value


def test_a_whole_stream_gives_the_cited_answer(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue("The NIS estimated 300 [1].")
    text, answer = _drain(fake_openai)
    assert text == answer.text == "The NIS estimated 300 [1]."
    assert answer.generator == "llm"


def test_a_stream_cut_before_its_final_chunk_is_an_error(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Cut("President Volodymyr Zelensky said that 4,000 were lost [2]."))
    with pytest.raises(LLMFailed, match="broke off the stream before its final chunk"):
        _drain(fake_openai)


def test_a_stream_trickling_past_the_deadline_is_an_error(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Trickle("The NIS estimated 300 [1]. " * 20, interval=0.1))
    with pytest.raises(LLMFailed, match=r"within 1 s \(llm_deadline\)"):
        _drain(fake_openai, llm_timeout=5, llm_deadline=1)


def test_markers_inside_passage_text_are_not_shown_as_markers(fake_openai: FakeOpenAI) -> None:
    text = "Officials said [2] that the plant closed [1, 3]."
    chunk = Chunk(99, "yonhap-1", 0, 0, len(text), text, 0, 0)
    passage = Passage(1, chunk, REFS["yonhap-1"], [], [], score=1.0)
    fake_openai.enqueue("Officials said the plant closed [1].")
    LLMGenerator(_settings(fake_openai.base_url), StubExtractive()).generate(QUESTION, [passage])
    user = fake_openai.history[0].body["messages"][1]["content"]
    assert "Officials said (2) that the plant closed (1, 3)." in user
    assert "[2]" not in user and "[1, 3]" not in user


def test_no_passages_means_no_model_call(fake_openai: FakeOpenAI) -> None:
    fallback = StubExtractive()
    answer = LLMGenerator(_settings(fake_openai.base_url), fallback).generate(QUESTION, [])
    assert answer.generator == "extractive"
    assert fallback.calls == [(QUESTION, [])]
    assert fake_openai.history == []


def test_request_carries_numbered_passages_question_and_key(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue("The NIS estimated 300 [1].")
    _ask(fake_openai, llm_temperature=0.2)
    [received] = fake_openai.history
    assert (received.method, received.path) == ("POST", "/v1/chat/completions")
    assert received.authorization == f"Bearer {KEY}"
    assert KEY not in repr(received)
    body = received.body
    assert body["model"] == "fake-model"
    assert body["temperature"] == 0.2
    assert body["max_tokens"] == 300
    assert "stream" not in body and "tools" not in body and "response_format" not in body
    assert [m["role"] for m in body["messages"]] == ["system", "user"]
    assert "According to" in body["messages"][0]["content"]
    user = body["messages"][1]["content"]
    assert QUESTION in user
    assert "[1] Yonhap, 2025-01-13: NIS: 300 North Koreans killed" in user
    assert "[2] Kyiv Independent, 2025-02-14: Zelensky on casualties" in user
    assert PASSAGES[0].chunk.text in user and PASSAGES[1].chunk.text in user
    assert PASSAGES[1].chunk.text.endswith("He said two-thirds were killed.")
    assert (
        "- South Korea's National Intelligence Service — estimated — about 300 North Korean "
        "soldiers had been killed and 2,700 wounded (reported by Yonhap)"
    ) in user
    assert user.index("[1] Yonhap") < user.index("[2] Kyiv") < user.index(QUESTION)


def test_without_a_key_a_placeholder_is_sent(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue("The NIS estimated 300 [1].")
    _ask(fake_openai, openai_api_key=None)
    assert fake_openai.history[0].authorization == "Bearer not-needed"


# The fake server itself: the streaming format other tests rely on


def test_fake_streams_chunks_the_openai_client_reassembles(fake_openai: FakeOpenAI) -> None:
    text = "Zelensky said  4,000 [2].\nThe NIS said 300 [1]. "
    fake_openai.enqueue(text)
    client = openai.OpenAI(base_url=fake_openai.base_url, api_key=KEY, max_retries=0)
    stream = client.chat.completions.create(
        model="fake-model",
        messages=[{"role": "user", "content": "hi"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    assert {c.object for c in chunks} == {"chat.completion.chunk"}
    assert len({c.id for c in chunks}) == 1
    assert chunks[0].choices[0].delta.role == "assistant"
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == text
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "stop"
    assert chunks[-1].choices == []
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens > 0


def test_fake_stream_is_server_sent_events_ending_in_done(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue("One two.")
    response = httpx.post(
        f"{fake_openai.base_url}/chat/completions",
        json={"model": "m", "messages": [], "stream": True},
        timeout=5,
    )
    assert response.headers["content-type"].startswith("text/event-stream")
    events = [e for e in response.text.split("\n\n") if e]
    assert all(e.startswith("data: ") for e in events)
    assert events[-1] == "data: [DONE]"
    chunks = [json.loads(e.removeprefix("data: ")) for e in events[:-1]]
    assert [c["choices"][0]["finish_reason"] for c in chunks][-1] == "stop"
    assert "usage" not in chunks[-1]  # only sent when stream_options asks for it


def test_fake_faults_on_the_wire(fake_openai: FakeOpenAI) -> None:
    fake_openai.enqueue(Cut("One two three four five six."), Error(429, retry_after="7"), Garbage())
    url = f"{fake_openai.base_url}/chat/completions"
    cut = httpx.post(url, json={"model": "m", "messages": [], "stream": True}, timeout=5)
    events = [e for e in cut.text.split("\n\n") if e]
    assert events and "[DONE]" not in cut.text
    assert all(
        json.loads(e.removeprefix("data: "))["choices"][0]["finish_reason"] is None for e in events
    )
    limited = httpx.post(url, json={"model": "m", "messages": []}, timeout=5)
    assert (limited.status_code, limited.headers["retry-after"]) == (429, "7")
    garbage = httpx.post(url, json={"model": "m", "messages": []}, timeout=5)
    assert garbage.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        garbage.json()


def test_fake_lists_models_and_errors_when_nothing_is_enqueued(fake_openai: FakeOpenAI) -> None:
    client = openai.OpenAI(base_url=fake_openai.base_url, api_key=KEY, max_retries=0)
    assert [m.id for m in client.models.list()] == ["fake-model"]
    with pytest.raises(openai.InternalServerError, match="no reply enqueued"):
        client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])


# Citation markers (pure functions, reused by the citation verifier)


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("a [1] b", [(1,)]),
        ("a [1, 2] b", [(1, 2)]),
        ("a [1][2] b", [(1,), (2,)]),
        ("a [1-3] b", [(1, 2, 3)]),
        ("a [2–4] b", [(2, 3, 4)]),
        ("a [ 1; 3 - 4 ] b", [(1, 3, 4)]),
        ("a [3-1] b", [(3, 2, 1)]),
        ("a [2, 2, 1-2] b", [(2, 1)]),
        ("in [2024] and [a] and [] and [1,] b", []),
    ],
)
def test_find_markers(text: str, numbers: list[tuple[int, ...]]) -> None:
    markers = find_markers(text)
    assert [m.numbers for m in markers] == numbers
    for marker in markers:
        assert text[marker.start] == "[" and text[marker.end - 1] == "]"


def test_find_markers_gives_offsets() -> None:
    assert find_markers("Yes [12].") == [Marker(4, 8, (12,))]


@pytest.mark.parametrize(
    ("text", "expected", "order", "dropped"),
    [
        ("A [2]. B [1].", "A [1]. B [2].", (2, 1), ()),
        ("A [1, 2]. B [2].", "A [1][2]. B [2].", (1, 2), ()),
        ("A [1-3].", "A [1][2][3].", (1, 2, 3), ()),
        ("A [1, 1].", "A [1].", (1,), ()),
        ("A [7].", "A.", (), (7,)),
        ("A [7] and B [1].", "A and B [1].", (1,), (7,)),
        ("A[7] and B [1].", "A and B [1].", (1,), (7,)),
        ("[7] A [1].", "A [1].", (1,), (7,)),
        ("A [1][7].", "A [1].", (1,), (7,)),
        ("A [7][1].", "A [1].", (1,), (7,)),
        ("A [7] [1].", "A [1].", (1,), (7,)),
        ("A [7][8], B [1].", "A, B [1].", (1,), (7, 8)),
        ("A [1, 7].", "A [1].", (1,), (7,)),
        ("A [2-4].", "A [1][2].", (2, 3), (4,)),
        ("A (see [7]).", "A (see).", (), (7,)),
        ("One [7].\n[8] Two [1].", "One.\nTwo [1].", (1,), (7, 8)),
        ("In [2024], A [1].", "In [2024], A [1].", (1,), ()),
        ("No markers.", "No markers.", (), ()),
    ],
)
def test_renumber(
    text: str, expected: str, order: tuple[int, ...], dropped: tuple[int, ...]
) -> None:
    result = renumber(text, {1, 2, 3})
    assert (result.text, result.order, result.dropped) == (expected, order, dropped)


def test_renumbered_text_has_only_valid_consecutive_markers() -> None:
    result = renumber("X [9]. Y [3][5-6]. Z [0], [5].", {3, 5, 6})
    assert result.text == "X. Y [1][2][3]. Z, [2]."
    assert result.order == (3, 5, 6)
    assert result.dropped == (9, 0)
    assert [m.numbers for m in find_markers(result.text)] == [(1,), (2,), (3,), (2,)]


@pytest.mark.parametrize(
    ("numbers", "expected"),
    [([], ""), ([7], "7"), ([5, 1, 2, 3], "1-3, 5"), ([2, 2, 4, 3, 9, 10], "2-4, 9-10")],
)
def test_compact(numbers: list[int], expected: str) -> None:
    assert compact(numbers) == expected
