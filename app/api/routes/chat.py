"""The OpenAI-compatible chat API, so chat front-ends and the `openai` client can ask as if
the service were a model.

The last user message is the question; a follow-up ("And what did Zelensky say?") is
made standalone for retrieval from the earlier user turns (see `standalone_question`).
Citations go into the message text as a numbered "Sources:" list; into the places chat
front-ends read sources from (Open WebUI: `message.annotations` of type `url_citation` in
a completion, a chunk's `event: {"type": "source"}` in a stream); and, with the claims,
conflicts and warnings, into extra top-level fields of the completion (of the last chunk
when streaming). A front-end's own task prompt (a title, tags, follow-up suggestions) is
answered from the conversation, not the articles. Errors come in OpenAI's shape:
{"error": {message, type, param, code}}.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
from typing import Any, Literal
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import ValidationError
from sse_starlette import EventSourceResponse, ServerSentEvent

from app.api.deps import ServiceDep
from app.api.errors import public_message
from app.conversation import frontend_task, standalone_question, task_reply
from app.errors import BadRequestError
from app.schemas import (
    Annotation,
    AnswerPublic,
    AskRequest,
    ChatChoice,
    ChatCompletionPublic,
    ChatReply,
    ChatRequest,
    CitationPublic,
    ModelList,
    ModelPublic,
    UrlCitation,
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


class _ParamError(BadRequestError):
    """A request this API refuses, naming the parameter at fault."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(message)
        self.param = param


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
            except _ParamError as exc:
                return _error(400, str(exc), "invalid_request_error", exc.param)
            except BadRequestError as exc:
                return _error(400, str(exc), "invalid_request_error", "messages")
            except IndexerError as exc:
                # No index yet (or an unreadable one): the service is up but cannot answer.
                return _error(503, public_message(exc), "service_unavailable")

        return route


router = APIRouter(prefix="/v1", tags=["openai"], route_class=_OpenAIErrors)
_WORD = re.compile(r"\S+")


@router.get("/models", response_model=ModelList)
def models() -> ModelList:
    """The models this service answers as: the configured generator, or a chosen one."""
    return ModelList(data=[_model(name) for name in (MODEL, *GENERATORS)])


@router.get("/models/{model_id}", response_model=ModelPublic)
def model(model_id: str) -> ModelPublic | Response:
    """One of the models in /v1/models."""
    if model_id != MODEL and model_id not in GENERATORS:
        names = ", ".join((MODEL, *GENERATORS))
        body = {
            "error": {
                "message": f"The model {model_id!r} does not exist: use one of {names}",
                "type": "invalid_request_error",
                "param": "model",
                "code": "model_not_found",
            }
        }
        return JSONResponse(status_code=404, content=body)
    return _model(model_id)


def _model(name: str) -> ModelPublic:
    return ModelPublic(id=name, created=_STARTED, owned_by=MODEL)


@router.post(
    "/chat/completions",
    response_model=ChatCompletionPublic,
    responses={200: {"content": {"text/event-stream": {}}, "description": "with stream: true"}},
)
def chat_completions(
    body: ChatRequest, request: Request, service: ServiceDep
) -> ChatCompletionPublic | Response:
    """Answer the last user message, cited, in OpenAI's chat completion format (or its stream)."""
    _refuse_unsupported(body)
    turns = [m.text().strip() for m in body.messages if m.role == "user"]
    if not turns or not turns[-1]:
        raise BadRequestError("messages: the last user message is empty: send a question in words")
    head = {
        "id": f"chatcmpl-{uuid.uuid4().hex}",
        "created": int(time.time()),
        "model": body.model,
    }
    reply = _Reply(body, str(request.base_url))
    task = frontend_task(turns[-1])
    if task is not None:
        # A front-end's housekeeping prompt quotes the whole conversation, so it is exempt
        # from the question limit, and is answered without searching the articles.
        outcome: Iterator[AnswerPublic | str | dict[str, Any]] = iter([task_reply(task)])
    else:
        try:
            AskRequest(question=turns[-1])  # the same limits as /ask
        except ValidationError as exc:
            msg = str(exc.errors()[0]["msg"]).removeprefix("Value error, ")
            raise BadRequestError(f"messages: {msg}") from None
        prepared = service.prepare(standalone_question(turns), generator=GENERATORS.get(body.model))
        outcome = (e.data for e in ask_events(service, prepared) if e.name in ("done", "error"))
    if body.stream:
        usage = bool(body.stream_options and body.stream_options.include_usage)
        return EventSourceResponse(_chunks(outcome, reply, head, usage), sep="\n")
    result = next(outcome)
    if isinstance(result, dict):
        return _error(500, result["message"], "server_error")
    content, finish = reply.content(result)
    return ChatCompletionPublic(
        **head,
        choices=[
            ChatChoice(
                message=ChatReply(content=content, annotations=reply.annotations(result, content)),
                finish_reason=finish,
            )
        ],
        usage=reply.usage(content),
        **_extras(result),
    )


def _refuse_unsupported(body: ChatRequest) -> None:
    """Options this service cannot honour are refused, not silently ignored."""
    if body.n is not None and body.n > 1:
        raise _ParamError(
            "n", f"n is {body.n}: the answer is deterministic, so ask for one choice (n=1)"
        )
    if any(m.role in ("system", "developer") for m in body.messages):
        raise _ParamError(
            "messages",
            "messages: system messages are not supported: answers follow the service's own "
            "rules, so that every claim is cited and attributed; remove the system prompt "
            "(in Open WebUI: the model's or the chat's System Prompt setting)",
        )


class _Reply:
    """How the request wants its reply: its word budget, and where its articles are served."""

    def __init__(self, body: ChatRequest, base_url: str) -> None:
        self.max_words = body.max_completion_tokens or body.max_tokens
        self.prompt_words = sum(len(m.text().split()) for m in body.messages)
        self.base_url = base_url

    def content(self, result: AnswerPublic | str) -> tuple[str, Literal["stop", "length"]]:
        """The message text, cut after `max_tokens` words (usage counts words) as OpenAI cuts
        after that many tokens, with finish_reason "length"."""
        text = message_text(result) if isinstance(result, AnswerPublic) else result
        if self.max_words is None:
            return text, "stop"
        words = list(_WORD.finditer(text))
        if len(words) <= self.max_words:
            return text, "stop"
        return text[: words[self.max_words - 1].end()], "length"

    def usage(self, content: str) -> Usage:
        completion = len(content.split())
        return Usage(
            prompt_tokens=self.prompt_words,
            completion_tokens=completion,
            total_tokens=self.prompt_words + completion,
        )

    def link(self, c: CitationPublic) -> str:
        """The article's own address when it is a web page, else where this service serves it."""
        if c.url and urlsplit(c.url).scheme in ("http", "https"):
            return c.url
        return f"{self.base_url}articles/{quote(c.article_id, safe='')}"

    def annotations(self, result: AnswerPublic | str, content: str) -> list[Annotation]:
        """A url_citation for each citation whose [n] the text shows, at that marker."""
        if not isinstance(result, AnswerPublic):
            return []
        out = []
        for c in result.citations:
            at = content.find(f"[{c.n}]")
            if at >= 0:
                place = UrlCitation(
                    url=self.link(c),
                    title=_label(c),
                    start_index=at,
                    end_index=at + len(f"[{c.n}]"),
                )
                out.append(Annotation(url_citation=place))
        return out

    def source_event(self, c: CitationPublic) -> dict[str, Any]:
        """Open WebUI's source event: the quote as the document, one source per citation, in
        [n] order (it numbers sources by their `metadata.source`, so each gets its own)."""
        link = self.link(c)
        return {
            "type": "source",
            "data": {
                "source": {"id": f"{link}#{c.start}-{c.end}", "name": _label(c), "url": link},
                "document": [c.quote],
                "metadata": [
                    {"source": f"{link}#{c.start}-{c.end}", "name": _label(c), "url": link}
                ],
            },
        }


def _label(c: CitationPublic) -> str:
    return f"[{c.n}] " + ", ".join(x for x in (c.outlet, c.published, c.title) if x)


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


def _extras(result: AnswerPublic | str) -> dict[str, Any]:
    if not isinstance(result, AnswerPublic):
        return {}
    return {
        "citations": result.citations,
        "claims": result.claims,
        "conflicts": result.conflicts,
        "warnings": result.warnings,
    }


def _chunks(
    outcome: Iterator[AnswerPublic | str | dict[str, Any]],
    reply: _Reply,
    head: dict[str, Any],
    include_usage: bool,
) -> Iterator[ServerSentEvent]:
    """chat.completion.chunk events: the role, one source event per citation, the verified
    answer sentence by sentence, its sources, a last chunk with the extra fields, the usage
    if asked for, then [DONE].

    Raw model text is not streamed: a chat client cannot take back text it has shown, and
    only the verified answer may reach the user.
    """
    base = {**head, "object": "chat.completion.chunk"}

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> ServerSentEvent:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}
        return sse({**base, "choices": [choice], **extra})

    yield chunk({"role": "assistant", "content": ""})
    result = next(outcome)
    if isinstance(result, dict):
        yield sse({"error": {**result, "type": "server_error", "param": None, "code": None}})
        yield sse("[DONE]")
        return
    content, finish = reply.content(result)
    if isinstance(result, AnswerPublic):
        for c in result.citations:
            yield chunk({}, event=reply.source_event(c))
        pieces = [*sentences(result.answer), message_text(result)[len(result.answer) :]]
    else:
        pieces = [result]
    sent = 0
    for piece in pieces:
        piece = piece[: max(0, len(content) - sent)]
        if piece:
            yield chunk({"content": piece})
            sent += len(piece)
    yield chunk({}, finish, **_extras(result))
    if include_usage:
        yield sse({**base, "choices": [], "usage": reply.usage(content)})
    yield sse("[DONE]")
