"""An answer as a sequence of events: what was retrieved, the text as it is written, then
the verified answer with its citations, claims and conflicts.

An LLM's deltas are its raw text as it arrives; verification needs the whole text and
may renumber or remove markers, so the final `done` event (the same `AnswerPublic` that
a non-streaming /ask returns) is authoritative. An answer written in one go (extractive,
or the fallback after an LLM failure) is sent as the verified answer's sentences.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import openai
from fastapi.encoders import jsonable_encoder
from sse_starlette import ServerSentEvent

from app.api.errors import public_message
from app.generate.base import Answer
from app.generate.llm import LLMFailed, LLMGenerator
from app.generate.markers import find_markers
from app.schemas import AnswerPublic
from app.service import Prepared, Service

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """One server-sent event: a name and its payload (JSON-able, pydantic models included)."""

    name: str
    data: Any


def ask_events(service: Service, prepared: Prepared) -> Iterator[Event]:
    """meta, delta*, (reset, delta*)?, citations, claims, conflicts, verification, done;
    or `error` in place of whatever could not be produced."""
    try:
        yield _meta(prepared)
        answer, streamed = yield from _generate(prepared)
        public = AnswerPublic.of(service.finish(prepared, answer))
        if not streamed:
            # Written in one go (extractive, a fallback): nothing is gained by showing the
            # text before it is checked, so the deltas are the final answer's sentences.
            for piece in sentences(public.answer):
                yield Event("delta", {"text": piece})
    except Exception as exc:
        # Headers are sent: an HTTP error is impossible now, so the stream ends with an
        # event that says what went wrong instead of breaking off.
        log.exception("streaming an answer failed")
        yield Event(
            "error", {"message": f"The answer could not be completed: {public_message(exc)}"}
        )
        return
    yield Event("citations", public.citations)
    yield Event("claims", public.claims)
    yield Event("conflicts", public.conflicts)
    yield Event(
        "verification",
        {
            "citations": [{"n": c.n, "supported": c.supported} for c in public.citations],
            "all_supported": all(c.supported for c in public.citations),
            "warnings": public.warnings,
        },
    )
    yield Event("done", public)


def sse(data: Any, event: str | None = None) -> ServerSentEvent:
    """One event on the wire: JSON (or a bare string), lines ended by LF as OpenAI does."""
    text = data if isinstance(data, str) else json.dumps(jsonable_encoder(data), ensure_ascii=False)
    return ServerSentEvent(text, event=event, sep="\n")


def sentences(text: str) -> list[str]:
    """The answer cut after each citation marker that ends a sentence; the pieces join to `text`."""
    cuts = [m.end for m in find_markers(text) if text[m.end : m.end + 1].isspace()]
    bounds = [0, *cuts, len(text)]
    return [text[a:b] for a, b in pairwise(bounds) if a < b]


def _meta(prepared: Prepared) -> Event:
    passages = [
        {
            "n": p.n,
            "article_id": p.article.id,
            "title": p.article.title,
            "outlet": p.article.outlet,
            "published": p.article.published,
        }
        for p in prepared.passages
    ]
    return Event(
        "meta",
        {
            "question": prepared.question,
            "generator": prepared.generator.name,
            "passages": passages,
            "warnings": prepared.warnings,
        },
    )


def _generate(prepared: Prepared) -> Generator[Event, None, tuple[Answer, bool]]:
    """Delta events while an LLM writes; returns the unverified answer and whether the
    deltas sent stand for its text."""
    gen, question, passages = prepared.generator, prepared.question, prepared.passages
    if not isinstance(gen, LLMGenerator):
        return gen.generate(question, passages), False
    shown = False
    pieces = gen.stream(question, passages)
    try:
        while True:
            yield Event("delta", {"text": next(pieces)})
            shown = True
    except StopIteration as stop:
        return stop.value, shown
    except (openai.OpenAIError, LLMFailed) as exc:
        answer = gen.fallback_answer(question, passages, exc)
        if shown:
            # The text so far came from the LLM; the fallback's replaces it.
            yield Event("reset", {"reason": answer.warnings[0]})
        return answer, False
