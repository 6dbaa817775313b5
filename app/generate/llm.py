"""The LLM generator: any OpenAI-compatible chat endpoint writes the answer, cited by passage."""

from __future__ import annotations

import contextlib
import datetime as dt
import email.utils
import itertools
import json
import logging
import re
import threading
import time
from collections.abc import Generator as Pieces
from typing import Any

import httpx
import openai
from openai import OpenAI
from openai.types.chat import ChatCompletion, ChatCompletionChunk, ChatCompletionMessageParam

import prompts
from app.generate.base import Answer, Citation, ClaimUse, Generator, Passage
from app.generate.markers import compact, defuse, renumber
from app.settings import Settings

# Reasoning models served by Ollama or vLLM may put their thinking in the content; its
# [n] markers are not the answer's citations.
_THINKING = re.compile(r"^\s*<think>.*?</think>\s*", re.DOTALL)
# Where the openai client sends requests when no base URL is set.
log = logging.getLogger(__name__)


class LLMFailed(Exception):
    """The endpoint answered, but with nothing usable."""


class _DeadlinePassed(LLMFailed):
    """The answer took longer than `llm_deadline` in all."""


class _Deadline:
    """The time one answer may take, every request, retry, wait and streamed chunk included.

    Per-request timeouts bound each read, not a reply that trickles in a byte at a time, so
    when the time is up the client is closed from a timer thread: the next read fails.
    Inside `with`, any failure once the time is up is reported as the deadline passing.
    """

    def __init__(self, seconds: float, client: OpenAI) -> None:
        self.seconds = seconds
        self._client = client
        self._end = time.monotonic() + seconds
        self._timer = threading.Timer(seconds, client.close)
        self._timer.daemon = True

    def remaining(self) -> float:
        return max(0.0, self._end - time.monotonic())

    def check(self) -> None:
        if not self.remaining():
            raise _DeadlinePassed(
                f"did not finish its answer within {self.seconds:g} s (llm_deadline)"
            )

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, kind: object, exc: BaseException | None, tb: object) -> None:
        self._timer.cancel()
        self._client.close()
        # Only errors: GeneratorExit (a stream abandoned by its reader) passes through.
        if isinstance(exc, Exception) and not isinstance(exc, _DeadlinePassed):
            try:
                self.check()
            except _DeadlinePassed as passed:
                raise passed from exc


class LLMGenerator:
    name = "llm"

    def __init__(self, settings: Settings, fallback: Generator) -> None:
        self._settings = settings
        self._fallback = fallback

    def _client(self) -> OpenAI:
        """A client for one answer (the deadline closes it). Retries are ours, not the
        client's: its own would wait out any `Retry-After` whatever the deadline."""
        key = self._settings.openai_api_key
        # Local servers (vLLM, Ollama, llama.cpp, LM Studio) take any key, but the client
        # refuses to start without one.
        return OpenAI(
            base_url=self._settings.openai_base_url,
            api_key=(key.get_secret_value() if key else "") or "not-needed",
            timeout=self._settings.llm_timeout,
            max_retries=0,
        )

    def generate(self, question: str, passages: list[Passage]) -> Answer:
        """Ask the model; on any endpoint failure, the fallback's answer with a warning."""
        if not passages:
            return self._fallback.generate(question, passages)
        try:
            text, truncated = self._complete(question, passages)
        except (openai.OpenAIError, LLMFailed) as exc:
            return self.fallback_answer(question, passages, exc)
        return self._cited(text, passages, truncated)

    def stream(self, question: str, passages: list[Passage]) -> Pieces[str, None, Answer]:
        """Yield the model's text as it arrives, then return the cited answer built from it.

        Raises `openai.OpenAIError` or `LLMFailed` like the endpoint does, and `LLMFailed`
        for a stream that ends without its final chunk: the caller decides what to do with
        the text already shown (see `fallback_answer`).
        """
        if not passages:
            return self._fallback.generate(question, passages)
        client = self._client()
        text, shown, finish = "", 0, None
        with _Deadline(self._settings.llm_deadline, client) as deadline:
            chunks = self._request(client, deadline, question, passages, stream=True)
            try:
                for chunk in chunks:
                    deadline.check()
                    if not isinstance(chunk, ChatCompletionChunk):
                        raise LLMFailed("did not stream chat completion chunks")
                    if not chunk.choices:  # the usage chunk some servers add at the end
                        continue
                    choice = chunk.choices[0]
                    text += choice.delta.content or ""
                    finish = choice.finish_reason or finish
                    visible = _visible(text)
                    if len(visible) > shown:
                        yield visible[shown:]
                        shown = len(visible)
            except openai.APITimeoutError:
                raise
            except (openai.APIConnectionError, httpx.HTTPError, json.JSONDecodeError) as exc:
                # The endpoint was reached: a connection lost now cuts the answer off.
                cause = exc.__cause__ or exc
                raise LLMFailed(f"broke off the stream ({type(cause).__name__})") from exc
            finally:
                chunks.close()
        if finish is None:
            # The client ends quietly on a closed connection: only the final chunk's
            # finish_reason says that the text is whole.
            raise LLMFailed("broke off the stream before its final chunk")
        text = _THINKING.sub("", text).strip()
        if not text:
            raise LLMFailed("returned an empty answer")
        return self._cited(text, passages, finish == "length")

    def fallback_answer(self, question: str, passages: list[Passage], exc: Exception) -> Answer:
        """The fallback generator's answer, with a warning that says why the LLM's is not shown."""
        answer = self._fallback.generate(question, passages)
        # Users see this warning: the endpoint's address and its error bodies are the
        # operator's business (they go to the log), not the reader's.
        log.warning("LLM failed, extractive fallback: %s: %s", type(exc).__name__, exc)
        answer.warnings.insert(
            0,
            f"The LLM ({self._settings.llm_model}) "
            f"{_failure(exc, self._settings.llm_timeout)}; "
            "the extractive answer is shown instead.",
        )
        return answer

    def _cited(self, text: str, passages: list[Passage], truncated: bool) -> Answer:
        answer = cite(text, passages, generator=self.name)
        if truncated:
            answer.warnings.append(
                f"The LLM stopped at the {self._settings.llm_max_tokens}-token limit "
                "(llm_max_tokens), so the answer may be cut off."
            )
        return answer

    def _messages(self, question: str, passages: list[Passage]) -> list[ChatCompletionMessageParam]:
        return [
            {"role": "system", "content": prompts.render("answer_system")},
            {
                "role": "user",
                "content": prompts.render(
                    "answer_user", question=question, passages=format_passages(passages)
                ),
            },
        ]

    def _request(
        self,
        client: OpenAI,
        deadline: _Deadline,
        question: str,
        passages: list[Passage],
        stream: bool,
    ) -> Any:
        """One chat completion, streamed or not, as every back-end takes it; retried up to
        `llm_max_retries` times when the endpoint may recover, within the deadline."""
        # Left out, not false, when not streaming: some servers reject keys they don't know.
        options: dict[str, Any] = {"stream": True} if stream else {}
        for attempt in itertools.count():
            deadline.check()
            try:
                return client.chat.completions.create(
                    model=self._settings.llm_model,
                    messages=self._messages(question, passages),
                    temperature=self._settings.llm_temperature,
                    max_tokens=self._settings.llm_max_tokens,
                    timeout=min(self._settings.llm_timeout, deadline.remaining()),
                    **options,
                )
            except json.JSONDecodeError as exc:
                raise LLMFailed("answered with a body that is not JSON") from exc
            except (openai.APIConnectionError, openai.APIStatusError) as exc:
                wait = _retry_wait(exc, attempt)
                if wait is None or attempt >= self._settings.llm_max_retries:
                    raise
                if wait >= deadline.remaining():
                    raise LLMFailed(
                        f"{_failure(exc, self._settings.llm_timeout)}, and trying again in "
                        f"{wait:g} s would pass the {deadline.seconds:g} s deadline (llm_deadline)"
                    ) from exc
                time.sleep(wait)
        raise AssertionError("unreachable: the loop returns or raises")

    def _complete(self, question: str, passages: list[Passage]) -> tuple[str, bool]:
        """The model's answer text, and whether it hit the token limit."""
        client = self._client()
        with _Deadline(self._settings.llm_deadline, client) as deadline:
            completion = self._request(client, deadline, question, passages, stream=False)
        # A wrong base URL (a web page, a proxy) can answer 200 with something else.
        if not isinstance(completion, ChatCompletion) or not completion.choices:
            raise LLMFailed(
                "did not answer with a chat completion (openai_base_url usually ends in /v1)"
            )
        choice = completion.choices[0]
        content = choice.message.content if choice.message else None
        text = _THINKING.sub("", content or "").strip()
        if not text:
            raise LLMFailed("returned an empty answer")
        return text, choice.finish_reason == "length"


def _retry_wait(exc: openai.APIError, attempt: int) -> float | None:
    """Seconds to wait before trying again, or None when trying again cannot help.

    The endpoint's `Retry-After` (seconds or a date) is honoured; without one, the
    exponential back-off the openai client uses.
    """
    if isinstance(exc, openai.APIStatusError):
        if exc.status_code < 500 and exc.status_code not in (408, 409, 429):
            return None
        headers = exc.response.headers
        with contextlib.suppress(ValueError):
            if "retry-after-ms" in headers:
                return max(0.0, float(headers["retry-after-ms"]) / 1000)
            if "retry-after" in headers:
                return max(0.0, float(headers["retry-after"]))
        with contextlib.suppress(TypeError, ValueError):
            when = email.utils.parsedate_to_datetime(headers.get("retry-after", ""))
            return max(0.0, float((when - dt.datetime.now(dt.UTC)).total_seconds()))
    return min(0.5 * 2.0**attempt, 8.0)


def _visible(text: str) -> str:
    """The part of streamed text a user may see: not a leading <think> block, even half sent."""
    text = text.lstrip()
    if text.startswith("<think>"):
        return _THINKING.sub("", text) if "</think>" in text else ""
    return "" if "<think>".startswith(text) else text


def format_passages(passages: list[Passage]) -> str:
    """Passages as the prompt shows them: `[n]`, outlet, date, title, text, claims."""
    blocks = []
    for passage in passages:
        article = passage.article
        lines = [
            f"[{passage.n}] {article.outlet or 'Unknown outlet'}, "
            f"{article.published or 'date unknown'}: {defuse(article.title)}",
            defuse(passage.chunk.text),
        ]
        if passage.claims:
            lines.append("Claims in this passage (claimant — cue — content):")
            for claim in passage.claims:
                relayed = (
                    f" (reported by {', '.join(claim.reported_by)})" if claim.reported_by else ""
                )
                lines.append(
                    defuse(f"- {claim.claimant} — {claim.cue.text} — {claim.content.text}")
                    + relayed
                )
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def cite(text: str, passages: list[Passage], generator: str) -> Answer:
    """An answer from model text: markers renumbered, each cited passage a citation."""
    by_number = {passage.n: passage for passage in passages}
    result = renumber(text, by_number)
    warnings: list[str] = []
    if result.dropped:
        given = f"passage{'s' if len(by_number) > 1 else ''} {compact(by_number)}"
        markers = "markers were" if len(result.dropped) > 1 else "marker was"
        warnings.append(
            f"The model cited [{compact(result.dropped)}], but only {given} "
            f"{'were' if len(by_number) > 1 else 'was'} given; the {markers} removed."
        )
    citations: list[Citation] = []
    claims: list[ClaimUse] = []
    for new, old in enumerate(result.order, start=1):
        passage = by_number[old]
        chunk = passage.chunk
        citations.append(Citation(new, passage.article, chunk.start, chunk.end, chunk.text))
        claims.extend(ClaimUse(claim, new) for claim in passage.claims)
    return Answer(result.text, citations, generator, claims, warnings)


def _failure(exc: Exception, timeout: float) -> str:
    """What went wrong, as the middle of a sentence."""
    if isinstance(exc, openai.APITimeoutError):
        return f"did not answer within {timeout:g} s (llm_timeout)"
    if isinstance(exc, openai.APIConnectionError):
        return "could not be reached (connection error)"
    if isinstance(exc, openai.APIStatusError):
        return f"answered HTTP {exc.status_code}"
    return str(exc) if isinstance(exc, LLMFailed) else f"failed ({type(exc).__name__})"
