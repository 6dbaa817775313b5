"""The OpenAI-compatible chat API, so chat front-ends and the `openai` client can ask as if
the service were a model.

The last user message is the question; a follow-up ("And what did Zelensky say?") is
made standalone for retrieval from the earlier user turns (see `standalone_question`).
Citations go into the message text as a numbered "Sources:" list and, with the claims,
conflicts and warnings, into extra top-level fields of the completion (of the last chunk
when streaming). Errors come in OpenAI's shape: {"error": {message, type, param, code}}.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import ValidationError
from sse_starlette import EventSourceResponse, ServerSentEvent

from app.api.deps import ServiceDep
from app.conversation import standalone_question
from app.errors import BadRequestError
from app.schemas import (
    AnswerPublic,
    AskRequest,
    ChatChoice,
    ChatCompletionPublic,
    ChatReply,
    ChatRequest,
    ModelList,
    ModelPublic,
    Usage,
)
from app.stream import ask_events, sentences, sse
from indexer.errors import IndexerError

MODEL = "accordingto"
# Model names that pick a generator; any other name answers with the configured one.
GENERATORS = {f"{MODEL}-llm": "llm", f"{MODEL}-extractive": "extractive"}
_STARTED = int(time.time())


def _error(status: int, message: str, type_: str, param: str | None = None) -> JSONResponse:
    body = {"error": {"message": message, "type": type_, "param": param, "code": None}}
    return JSONResponse(status_code=status, content=body)


class _OpenAIErrors(APIRoute):
    """Answers errors in OpenAI's shape, which clients of this API parse (the rest of the
    service keeps its own {"message", "detail"} shape)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                first = exc.errors()[0]
                where = [str(p) for p in first.get("loc", ()) if p != "body"]
                param = ".".join(where) or None
                msg = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
                return _error(
                    400, f"{param}: {msg}" if param else msg, "invalid_request_error", param
                )
            except BadRequestError as exc:
                return _error(400, str(exc), "invalid_request_error", "messages")
            except IndexerError as exc:
                # No index yet (or an unreadable one): the service is up but cannot answer.
                return _error(503, str(exc), "service_unavailable")

        return route


router = APIRouter(prefix="/v1", tags=["openai"], route_class=_OpenAIErrors)


@router.get("/models", response_model=ModelList)
def models() -> ModelList:
    """The one model this service is, in OpenAI's list format."""
    return ModelList(data=[ModelPublic(id=MODEL, created=_STARTED, owned_by=MODEL)])


@router.post(
    "/chat/completions",
    response_model=ChatCompletionPublic,
    responses={200: {"content": {"text/event-stream": {}}, "description": "with stream: true"}},
)
def chat_completions(body: ChatRequest, service: ServiceDep) -> ChatCompletionPublic | Response:
    """Answer the last user message, cited, in OpenAI's chat completion format (or its stream)."""
    turns = [m.text().strip() for m in body.messages if m.role == "user"]
    if not turns or not turns[-1]:
        raise BadRequestError("messages: the last user message is empty: send a question in words")
    try:
        AskRequest(question=turns[-1])  # the same limits as /ask
    except ValidationError as exc:
        msg = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
        raise BadRequestError(f"messages: {msg}") from None
    prepared = service.prepare(standalone_question(turns), generator=GENERATORS.get(body.model))
    head = {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "created": int(time.time()),
        "model": body.model,
    }
    prompt_words = sum(len(m.text().split()) for m in body.messages)
    events = ask_events(service, prepared)
    if body.stream:
        usage = bool(body.stream_options and body.stream_options.include_usage)
        return EventSourceResponse(_chunks(events, head, prompt_words, usage), sep="\n")
    public = next(e.data for e in events if e.name in ("done", "error"))
    if not isinstance(public, AnswerPublic):
        return _error(500, public["message"], "server_error")
    content = message_text(public)
    return ChatCompletionPublic(
        **head,
        choices=[ChatChoice(message=ChatReply(content=content))],
        usage=_usage(prompt_words, content),
        **_extras(public),
    )


def message_text(answer: AnswerPublic) -> str:
    """The answer, then its numbered sources (outlet, date, title, quote), then its warnings."""
    parts = [answer.answer]
    if answer.citations:
        lines = ["Sources:"]
        for c in answer.citations:
            where = ", ".join(x for x in (c.outlet, c.published, f'"{c.title}"') if x)
            unsupported = "" if c.supported else " (does not support the sentence citing it)"
            lines.append(f"[{c.n}] {where}: “{c.quote}”{unsupported}")
        parts.append("\n".join(lines))
    if answer.warnings:
        parts.append("\n".join(["Warnings:", *(f"- {w}" for w in answer.warnings)]))
    return "\n\n".join(parts)


def _extras(answer: AnswerPublic) -> dict[str, Any]:
    return {
        "citations": answer.citations,
        "claims": answer.claims,
        "conflicts": answer.conflicts,
        "warnings": answer.warnings,
    }


def _usage(prompt_words: int, content: str) -> Usage:
    completion = len(content.split())
    return Usage(
        prompt_tokens=prompt_words,
        completion_tokens=completion,
        total_tokens=prompt_words + completion,
    )


def _chunks(
    events: Iterator[Any], head: dict[str, Any], prompt_words: int, include_usage: bool
) -> Iterator[ServerSentEvent]:
    """chat.completion.chunk events: the role, the verified answer sentence by sentence, its
    sources, a last chunk with the extra fields, the usage if asked for, then [DONE].

    Raw model text is not streamed: a chat client cannot take back text it has shown, and
    only the verified answer may reach the user.
    """
    base = {**head, "object": "chat.completion.chunk"}

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> ServerSentEvent:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return sse({**base, "choices": [choice], **extra})

    yield chunk({"role": "assistant", "content": ""})
    for event in events:
        if event.name == "error":
            yield sse(
                {"error": {**event.data, "type": "server_error", "param": None, "code": None}}
            )
            break
        if event.name != "done":
            continue
        answer: AnswerPublic = event.data
        content = message_text(answer)
        for piece in [*sentences(answer.answer), content[len(answer.answer) :]]:
            if piece:
                yield chunk({"content": piece})
        yield chunk({}, "stop", **_extras(answer))
        if include_usage:
            yield sse({**base, "choices": [], "usage": _usage(prompt_words, content)})
    yield sse("[DONE]")
