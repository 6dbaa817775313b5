from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import ServiceDep
from app.schemas import AnswerPublic, AskRequest, CitationPublic, ClaimPublic
from app.service import AskResult

router = APIRouter(tags=["ask"])


def answer_public(result: AskResult) -> AnswerPublic:
    a = result.answer
    return AnswerPublic(
        answer=a.text,
        citations=[CitationPublic.of(c) for c in a.citations],
        claims=[ClaimPublic.of(u) for u in a.claims],
        conflicts=[],
        generator=a.generator,
        warnings=a.warnings,
    )


@router.post("/ask", response_model=AnswerPublic)
def ask(body: AskRequest, service: ServiceDep) -> AnswerPublic:
    """Answer a question from the indexed articles, with cited, attributed sentences."""
    flt = body.filters.to_filter() if body.filters else None
    return answer_public(service.ask(body.question, body.top_k, flt, body.generator))
