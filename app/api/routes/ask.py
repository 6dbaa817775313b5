from __future__ import annotations

from fastapi import APIRouter, Request, Response
from sse_starlette import EventSourceResponse

from app.api.deps import ServiceDep
from app.conversation import standalone_question
from app.schemas import AnswerPublic, AskRequest
from app.stream import ask_events, sse

router = APIRouter(tags=["ask"])

_EVENTS = (
    "The answer; as server-sent events with `stream: true` or `Accept: text/event-stream`: "
    "meta, delta..., (reset, delta...)?, citations, claims, conflicts, verification, done "
    "(the answer as without streaming), or error."
)


@router.post(
    "/ask",
    response_model=AnswerPublic,
    responses={200: {"content": {"text/event-stream": {}}, "description": _EVENTS}},
)
def ask(body: AskRequest, request: Request, service: ServiceDep) -> AnswerPublic | Response:
    """Answer a question from the indexed articles, with cited, attributed sentences."""
    flt = body.filters.to_filter() if body.filters else None
    question = standalone_question([*body.history, body.question])
    if body.stream or "text/event-stream" in request.headers.get("accept", ""):
        # Retrieval happens before the first byte, so a missing index is still a 503.
        prepared = service.prepare(question, body.top_k, flt, body.generator)
        events = (sse(e.data, e.name) for e in ask_events(service, prepared))
        return EventSourceResponse(events, sep="\n")
    return AnswerPublic.of(service.ask(question, body.top_k, flt, body.generator))
