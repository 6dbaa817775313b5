from __future__ import annotations

from fastapi import APIRouter

from app.api.deps import ServiceDep
from app.schemas import AnswerPublic, AskRequest

router = APIRouter(tags=["ask"])


@router.post("/ask", response_model=AnswerPublic)
def ask(body: AskRequest, service: ServiceDep) -> AnswerPublic:
    """Answer a question from the indexed articles, with cited, attributed sentences."""
    flt = body.filters.to_filter() if body.filters else None
    return AnswerPublic.of(service.ask(body.question, body.top_k, flt, body.generator))
